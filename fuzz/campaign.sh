#!/usr/bin/env bash
# Runs every fuzz target for a number of executions on one core, keeps what it finds in
# fuzz/corpus/TARGET (minimised again at the end) and prints one line of figures per
# target. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   bash fuzz/campaign.sh                    # 10,000,000 executions per target, no sanitizer
#   bash fuzz/campaign.sh 100000 address     # a shorter run under AddressSanitizer
#   TARGETS="csv render" bash fuzz/campaign.sh 1000000
#
# Without a sanitizer the targets run about four times faster; the code they reach is safe
# Rust apart from serde_yaml's parser (unsafe-libyaml), so run the address sanitizer too
# from time to time. Overflow checks and debug assertions are on in both (-a).
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-10000000}
sanitizer=${2:-none}
targets=${TARGETS:-answers render csv batch_record rulebook}
# The csv target is built without comparison tracing (--no-trace-compares): tracing every
# byte comparison of the CSV reader and the answer matching more than halved its speed
# (518 exec/s against 1,398 on 2 cores). A dictionary of CSV syntax and the rulebook's ids
# gives the mutator the tokens that tracing would otherwise have found.
dict=$(mktemp)
{
    printf '"%s"\n' ',' '\"' '\"\"' ';' '[]' '\x0d\x0a' '\x0d' '\x0a' '\x09' '\xef\xbb\xbf' 'id' 'unknown' 'yes' 'no'
    grep -o "id: *[a-z0-9_]*" ../rules/questions.yaml | sed "s/id: *\(.*\)/\"\1\"/" | sort -u
} >"$dict"
printf '%-13s %12s %9s %8s %s\n' target executions seconds exec/s result
for t in $targets; do
    build=()
    extra=()
    if [ "$t" = csv ]; then
        build=(--no-trace-compares)
        extra=("-dict=$dict")
    fi
    mkdir -p "corpus/$t" "artifacts/$t"
    log=$(mktemp)
    start=$(date +%s)
    status=ok
    cargo +nightly fuzz run -s "$sanitizer" -O -a ${build[@]+"${build[@]}"} "$t" "corpus/$t" -- \
        -runs="$runs" -print_final_stats=1 ${extra[@]+"${extra[@]}"} >"$log" 2>&1 || status="FAILED (see $log)"
    seconds=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    printf '%-13s %12s %9s %8s %s\n' "$t" "${execs:-?}" "$seconds" "${rate:-?}" "$status"
    [ "$status" = ok ] && rm -f "$log"
    cargo +nightly fuzz cmin -s "$sanitizer" -O -a ${build[@]+"${build[@]}"} "$t" "corpus/$t" >/dev/null 2>&1 || true
done
