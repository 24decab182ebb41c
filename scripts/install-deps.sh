#!/usr/bin/env bash
# Idempotent dependency installer for Debian 12.
#   scripts/install-deps.sh            # core packages
#   scripts/install-deps.sh bench      # core + bench packages
#   scripts/install-deps.sh fuzz       # core + clang 16 for the fuzzers
# Installs only what is missing; runs `apt-get update` at most once.
set -euo pipefail

# One array per group; add packages here.
core=(g++ make cmake ninja-build pkg-config git ca-certificates
      libgtest-dev libgmock-dev googletest libbenchmark-dev
      libspdlog-dev libfmt-dev clang-format python3 python3-msgpack nodejs
      libboost1.81-dev libsimdjson-dev liblua5.4-dev)
bench=(libcaf-dev erlang-base time libmsgpuck-dev)
# clang 16 and its runtime (libFuzzer, sanitizers) for the codec fuzzers (scripts/fuzz.sh).
fuzz=(clang-16 libclang-rt-16-dev)

wanted=("${core[@]}")
for group in "$@"; do
    case "$group" in
        core) ;;
        bench) wanted+=(${bench[@]+"${bench[@]}"}) ;;
        fuzz) wanted+=("${fuzz[@]}") ;;
        *) echo "install-deps: unknown group '$group' (known: core bench fuzz)" >&2; exit 2 ;;
    esac
done

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all dependencies present"
    exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: installed ${missing[*]}"
