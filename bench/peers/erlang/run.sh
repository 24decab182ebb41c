#!/usr/bin/env bash
# Runs one Erlang/OTP workload of bench/README.md:
#
#   run.sh <workload> [args...] [workers=K]
#
# Arguments are parsed as every bench program parses them: positive integers, positional,
# each with its default; `workers=K` anywhere sets the scheduler count (`+S K:K`; absent,
# one per hardware thread). --help prints the Usage line on stdout, a bad argument prints
# it on stderr; both exit with code 2.
#
# troupe_bench.erl is compiled into $TROUPE_ERL_BUILD_DIR (default
# ${TMPDIR:-/tmp}/troupe-erlang-bench) when its .beam is missing or older than the source.
# The VM runs with default settings except +P 2097152 (room for 2M processes) and +S.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/troupe_bench.erl"
build_dir="${TROUPE_ERL_BUILD_DIR:-${TMPDIR:-/tmp}/troupe-erlang-bench}"

# workload -> "usage arguments|default values"
declare -A workloads=(
    [pingpong]="[N=2000000]|2000000"
    [ring]="[N=1000] [M=1000]|1000 1000"
    [skynet]="[L=1000000]|1000000"
    [spawn]="[N=1000000]|1000000"
    [fanin]="[P=8] [M=1000000]|8 1000000"
    [ask]="[N=200000]|200000"
    [idle]="[N=1000000]|1000000"
    [timers]="[N=1000000]|1000000"
    [supervised_restart]="[N=100000]|100000"
    [monitor]="[N=200000]|200000"
)

usage() {  # usage <usage line> <asked: 1 prints on stdout>
    if [[ $2 == 1 ]]; then
        echo "Usage: $1"
    else
        echo "Usage: $1" >&2
    fi
    exit 2
}

general_usage="run.sh <workload> [args...] [workers=K], workload one of:\
 pingpong ring skynet spawn fanin ask idle timers supervised_restart monitor"

# Sets `parsed` to the positive decimal $1 (leading zeros dropped) if it fits in 64 bits.
parse_positive() {
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    parsed="${1#"${1%%[!0]*}"}"
    [[ -n $parsed ]] || return 1
    ((${#parsed} < 20)) || { ((${#parsed} == 20)) && [[ ! $parsed > 18446744073709551615 ]]; }
}

(($# >= 1)) || usage "$general_usage" 0
workload=$1
shift
case $workload in
    --help | -h) usage "$general_usage" 1 ;;
esac
[[ -n ${workloads[$workload]+x} ]] || {
    echo "unknown workload: $workload" >&2
    usage "$general_usage" 0
}
usage_line="run.sh $workload ${workloads[$workload]%%|*} [workers=K]"
read -r -a values <<<"${workloads[$workload]#*|}"

workers=
positional=0
for arg in "$@"; do
    case $arg in
        --help | -h) usage "$usage_line" 1 ;;
        workers=*)
            # The VM allows at most 1024 schedulers.
            if ! parse_positive "${arg#workers=}" || ((${#parsed} > 4 || parsed > 1024)); then
                echo "bad worker count: $arg" >&2
                usage "$usage_line" 0
            fi
            workers=$parsed
            ;;
        *)
            if ((positional < ${#values[@]})) && parse_positive "$arg"; then
                values[positional]=$parsed
                positional=$((positional + 1))
            else
                echo "bad argument: $arg" >&2
                usage "$usage_line" 0
            fi
            ;;
    esac
done

# Compile into a temporary directory and move the .beam in place, so that concurrent runs
# never load a half-written file.
beam="$build_dir/troupe_bench.beam"
if [[ ! -f $beam || $src -nt $beam ]]; then
    mkdir -p "$build_dir"
    tmp=$(mktemp -d "$build_dir/.build.XXXXXX")
    if ! erlc -o "$tmp" "$src"; then
        rm -rf "$tmp"
        echo "run.sh: could not compile $src" >&2
        exit 1
    fi
    mv -f "$tmp/troupe_bench.beam" "$beam"
    rmdir "$tmp"
fi

flags=(-noshell +P 2097152)
[[ -z $workers ]] || flags+=(+S "$workers:$workers")
# No crash dump file in the working directory if the VM ever dies.
export ERL_CRASH_DUMP_SECONDS="${ERL_CRASH_DUMP_SECONDS:-0}"
# troupe_bench:main/1 halts the VM itself: status 0 after the result line, 1 on a failed
# check, 2 on a bad argument.
exec erl "${flags[@]}" -pa "$build_dir" -run troupe_bench main "$workload" "${values[@]}"
