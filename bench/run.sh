#!/usr/bin/env bash
# The batch benchmark: generates realistic profiles, runs `massage-check batch` on them
# (one thread and two), runs the floor (serde_json parse + a small JSON line back), and
# times one whole `check` process. Prints records/s, peak memory and ratios.
#
# Usage: bash bench/run.sh [RECORDS]        (default 1,000,000; REPEATS=3 runs of each)
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

# Each run is repeated (interleaved, so a busy spell on the machine hits all of them) and
# the median time is reported: shared machines vary by 20% or more from run to run.
repeats=${REPEATS:-3}
declare -A times peaks
labels=("floor" "batch --threads 1" "batch --threads 2")
for _ in $(seq "$repeats"); do
    measure target/release/examples/floor < "$tmp/profiles.jsonl"
    times[floor]+="$secs "; peaks[floor]+="$peak_kib "
    for threads in 1 2; do
        measure "$bin" batch --threads "$threads" --today 2026-11-21 "$tmp/profiles.jsonl"
        times["batch --threads $threads"]+="$secs "; peaks["batch --threads $threads"]+="$peak_kib "
    done
done
median() { printf "%s\n" $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
largest() { printf "%s\n" $1 | sort -n | tail -n 1; }
floor_secs=$(median "${times[floor]}")
for label in "${labels[@]}"; do
    secs=$(median "${times[$label]}")
    printf "%-24s %7.2f s %10s rec/s %8s MiB   %sx floor   (runs: %s)\n" "$label" "$secs" \
        "$(rate "$secs")" "$(mib "$(largest "${peaks[$label]}")")" "$(ratio "$secs" "$floor_secs")" "${times[$label]% }"
done
echo "verdicts: $(tail -n 1 "$tmp/stderr" | sed 's/^massage-check: //')"
one_thread=$(median "${times[batch --threads 1]}")
peak_mib=$(mib "$(largest "${peaks[batch --threads 1]} ${peaks[batch --threads 2]}")")

# Start-up: one whole `check` process, embedded rulebook loaded and validated each time.
runs=200
startup=()
for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    "$bin" check examples/desk-worker.yaml --today 2026-11-21 > /dev/null
    end=$EPOCHREALTIME
    startup+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
done
startup_median=$(printf "%s\n" "${startup[@]}" | sort -n | awk -v n="$runs" 'NR == int(n / 2) { print }')
p90=$(printf "%s\n" "${startup[@]}" | sort -n | awk -v n="$runs" 'NR == int(n * 0.9) { print }')
echo
echo "start-up (check examples/desk-worker.yaml, $runs runs): median ${startup_median} ms, p90 ${p90} ms"
echo
# The issue's targets, single-threaded.
awk -v n="$records" -v s="$one_thread" -v f="$floor_secs" -v m="$startup_median" -v p="$peak_mib" 'BEGIN {
    printf "targets: one thread >= 400000 rec/s: %s (%.0f); <= 3x floor: %s (%.2fx); peak < 50 MiB: %s (%s); start-up < 10 ms: %s (%s ms)\n",
        (n / s >= 400000 ? "met" : "NOT met"), n / s, (s / f <= 3 ? "met" : "NOT met"), s / f,
        (p < 50 ? "met" : "NOT met"), p, (m < 10 ? "met" : "NOT met"), m
}'
