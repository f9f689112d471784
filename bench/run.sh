#!/usr/bin/env bash
# The batch benchmark: generates realistic profiles, runs `massage-check batch` on them
# (one thread and two), runs the floor (serde_json parse + a small JSON line back), and
# times one whole `check` process. Prints records/s, peak memory and ratios.
#
# Usage: bash bench/run.sh [RECORDS]        (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."

records=${1:-1000000}
cargo build --release --locked --bins --examples 2>&1 | tail -n 1
bin=target/release/massage-check
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

target/release/examples/gen_profiles "$records" > "$tmp/profiles.jsonl"
size_mb=$(( $(wc -c < "$tmp/profiles.jsonl") / 1000000 ))

# Runs a command with stdout to /dev/null; sets $secs and $peak_kib.
measure() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > /dev/null 2> "$tmp/stderr"
        read -r secs peak_kib < "$tmp/time"
    else
        local start=$EPOCHREALTIME
        "$@" > /dev/null 2> "$tmp/stderr"
        secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
        peak_kib=0
    fi
}

rate() { awk -v n="$records" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -m)"
echo "input: $records generated profiles, $size_mb MB of JSON Lines"
echo

measure target/release/examples/floor < "$tmp/profiles.jsonl"
floor_secs=$secs
printf "%-26s %7.2f s %10s rec/s %8s MiB\n" "floor (serde_json only)" "$secs" "$(rate "$secs")" "$(mib "$peak_kib")"

for threads in 1 2; do
    measure "$bin" batch --threads "$threads" --today 2026-11-21 "$tmp/profiles.jsonl"
    printf "%-26s %7.2f s %10s rec/s %8s MiB   %sx floor\n" "batch --threads $threads" "$secs" \
        "$(rate "$secs")" "$(mib "$peak_kib")" "$(ratio "$secs" "$floor_secs")"
done

# Start-up: one whole `check` process, embedded rulebook loaded and validated each time.
runs=200
times=()
for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    "$bin" check examples/desk-worker.yaml --today 2026-11-21 > /dev/null
    end=$EPOCHREALTIME
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
done
median=$(printf "%s\n" "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int(n / 2) { print }')
p90=$(printf "%s\n" "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int(n * 0.9) { print }')
echo
echo "start-up (check examples/desk-worker.yaml, $runs runs): median ${median} ms, p90 ${p90} ms"
