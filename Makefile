# troupe developer entry points. Everything goes through CMake presets
# (CMakePresets.json); build trees live in build/<preset>.
.DEFAULT_GOAL := build
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

NPROC := $(shell nproc 2>/dev/null || echo 2)
FORMAT_FILES = $(shell git ls-files '*.hpp' '*.cpp')

.PHONY: deps build run test bench sanitize fuzz format format-check clean

# deps: install missing Debian packages (no-op when all are present). The benchmark
# peers' packages (CAF, Erlang) come too, so that every build has the comparison programs
# and the tests check that they run.
deps:
	scripts/install-deps.sh core bench

# build: configure the release tree once, then build it incrementally.
build: deps
	@test -f build/release/CMakeCache.txt || cmake --preset release
	cmake --build --preset release -j$(NPROC)

# run: build, then run the example tour and the supervised service tree.
run: build
	build/release/examples/tour/tour
	@echo
	@echo "== examples/supervision/service_tree: crash, restart, escalation"
	build/release/examples/supervision/service_tree

# test: build, then run every registered test in the release tree.
test: build
	ctest --preset release

# bench: build everything, then run every workload for troupe, CAF, Erlang and the raw
# floor and print the table (scripts/bench.py; BENCH_QUICK=1 for a quick run). The
# re-configure picks up peers installed after the build tree was first configured.
bench: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(NPROC)
	scripts/bench.py

# sanitize: build and run the core, codec, lua and ipc unit tests (ctest labels `core`,
# `codec`, `lua`, `ipc`) under ASan+UBSan, then under TSan.
sanitize: deps
	@for p in asan-ubsan tsan; do \
	  echo "== sanitize: $$p"; \
	  cmake --preset $$p >/dev/null; \
	  cmake --build --preset $$p -j$(NPROC) --target troupe_core_tests troupe_codec_tests \
	    troupe_codec_fuzz_corpus troupe_lua_tests troupe_ipc_tests; \
	  ctest --preset $$p -L 'core|codec|lua|ipc'; \
	done

# fuzz: build the codec's libFuzzer targets with clang 16 under ASan+UBSan (build/fuzz) and
# run each for FUZZ_SECONDS (30) seconds on a copy of codec/fuzz/corpus; fails on a crash.
fuzz:
	scripts/install-deps.sh core fuzz
	scripts/fuzz.sh

# format: rewrite tracked C++ files with clang-format.
format:
	@files="$(FORMAT_FILES)"; [ -z "$$files" ] || clang-format -i $$files

# format-check: fail if any tracked C++ file is not clang-formatted.
format-check:
	@files="$(FORMAT_FILES)"; [ -z "$$files" ] || clang-format --dry-run --Werror $$files

# clean: remove all build trees.
clean:
	rm -rf build
