#!/usr/bin/env bash
# Builds the libFuzzer targets (codec/fuzz and ipc/fuzz, clang 16, ASan+UBSan) into build/fuzz
# and runs each for FUZZ_SECONDS (30) seconds on a copy of the corpus in the repository.
#
#   scripts/fuzz.sh                       # every target, 30 s each
#   FUZZ_SECONDS=5 scripts/fuzz.sh        # a quick pass
#   scripts/fuzz.sh fuzz_described        # named targets only
#
# The corpus in the tree is only read: each target works on build/fuzz/corpus/<target>,
# which starts as a copy and keeps what fuzzing adds (copy an input back into
# codec/fuzz/corpus/<target>/ or ipc/fuzz/corpus/<target>/ to keep it for good). Fails if
# any target finds a crash, a
# leak, a timeout or runs out of memory, and prints the path of the input that shows it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
build=build/fuzz
cxx=${FUZZ_CXX:-clang++-16}
targets=("$@")
((${#targets[@]})) || targets=(fuzz_json_value fuzz_msgpack_value fuzz_described fuzz_ipc_frames)

if ! command -v "$cxx" >/dev/null; then
    echo "fuzz: $cxx not found (scripts/install-deps.sh fuzz installs it)" >&2
    exit 2
fi

# Configure once (the cache remembers the compiler), then build incrementally.
if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S codec/fuzz -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
fi
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"

# Symbolized stack traces in the reports: clang 16's symbolizer, else the default one.
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
    for s in /usr/lib/llvm-16/bin/llvm-symbolizer "$(command -v llvm-symbolizer || true)"; do
        if [[ -n $s && -x $s ]]; then
            export ASAN_SYMBOLIZER_PATH=$(readlink -f "$s")
            break
        fi
    done
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    artifacts=$build/artifacts/$t/
    log=$build/logs/$t.log
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    for f in codec/fuzz/corpus/"$t"/* ipc/fuzz/corpus/"$t"/*; do
        [[ -e $f ]] || continue
        [[ -e $corpus/${f##*/} ]] || cp "$f" "$corpus"/
    done
    dict=()
    [[ $t == fuzz_msgpack_value ]] || dict=(-dict=codec/fuzz/json.dict)

    status=0
    "$build/$t" "$corpus" "${dict[@]}" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
        -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1 || status=$?

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
    files=$(find "$corpus" -type f | wc -l)
    if ((status == 0)); then
        echo "fuzz: $t ok: ${runs:-?} runs in ${seconds}s (${rate:-?}/s), corpus $files inputs (${added:-0} new)"
    else
        reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        echo "fuzz: $t FAILED (exit $status) after ${runs:-?} runs; log: $log"
        if grep -qE '^(codec|ipc) check failed' "$log"; then
            sed -n -E '/^(codec|ipc) check failed/,/^==/p' "$log" | grep -v '^==' | head -12
        else
            grep -m1 -E '^==[0-9]+==(ERROR|WARNING)' "$log" || true
            grep -m1 '^SUMMARY' "$log" || true
        fi
        echo "  reproducer: ${reproducer:-none written (see the log)}"
        echo "  rerun:      $build/$t ${reproducer:-<input>}"
        failed+=("$t")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}" >&2
    exit 1
fi
