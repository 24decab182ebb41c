#!/usr/bin/env bash
# Runs the benchmark workloads of PERFORMANCE.md and prints every result line, then a
# Markdown table of the medians. `make bench` calls it after building build/release.
#
#   scripts/bench.sh                  # default parameters, 3 runs of each, interleaved
#   BENCH_QUICK=1 scripts/bench.sh    # smaller parameters, for a quick look
#
# Environment: BUILD_DIR   the build tree holding bench/ (default build/release)
#              BENCH_RUNS  runs per workload (default 3)
#              BENCH_WORKERS  worker threads (default: one per hardware thread)
# The runs are interleaved (ring, pingpong, ring, pingpong, ...) so that drift on a shared
# machine hits every workload alike; only medians are meaningful.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${BUILD_DIR:-build/release}
runs=${BENCH_RUNS:-3}

workloads=(ring pingpong)
declare -A params
if [[ ${BENCH_QUICK:-0} == 1 ]]; then
    params=([ring]="100 100" [pingpong]="200000")
else
    params=([ring]="1000 1000" [pingpong]="2000000")
fi
extra=()
if [[ -n ${BENCH_WORKERS:-} ]]; then extra=("workers=$BENCH_WORKERS"); fi

# run_troupe WORKLOAD ARGS...: one run; prints its result line.
run_troupe() {
    local workload=$1
    shift
    "$build_dir/bench/core_$workload" "$@" "${extra[@]}"
}

# field KEY: the value of KEY=... in each line of stdin.
field() {
    awk -v key="$1=" '{ for (i = 1; i <= NF; ++i) if (index($i, key) == 1) print substr($i, length(key) + 1) }'
}

# median: the median of the numbers on stdin, one per line.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; printf "%.6g\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT

for ((run = 1; run <= runs; ++run)); do
    for workload in "${workloads[@]}"; do
        # shellcheck disable=SC2086 # params are space-separated arguments
        line=$(run_troupe "$workload" ${params[$workload]})
        echo "$line"
        echo "$line" >>"$results"
    done
done

echo
echo "| runtime | workload | parameters | workers | runs | elapsed_s (median) | rate (median) |"
echo "|---|---|---|---|---|---|---|"
for workload in "${workloads[@]}"; do
    lines=$(grep "^troupe $workload " "$results")
    rate_key=$(head -n1 <<<"$lines" | awk '{ print $NF }' | cut -d= -f1)  # msgs_per_s, ...
    workers=$(field workers <<<"$lines" | sort -u | paste -sd/)
    elapsed=$(field elapsed_s <<<"$lines" | median)
    rate=$(field "$rate_key" <<<"$lines" | median | awk '{ printf "%.2f M", $1 / 1e6 }')
    echo "| troupe | $workload | ${params[$workload]} | $workers | $runs | $elapsed | $rate $rate_key |"
done
