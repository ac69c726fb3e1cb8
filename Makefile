# SPDX-License-Identifier: GPL-3.0-or-later
# Thin front end over CMake. The README's two commands are `make demo` and
# `make test`; each installs what is missing first (scripts/setup).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all setup demo test test-fast test-asan check bench fuzz clean web

all: $(BUILD)/linesight web

# The analyst console: Vite builds web/console into web/console/dist (a
# no-op when nothing changed); `linesight serve` serves it.
web:
	scripts/build-web

$(BUILD)/linesight: FORCE
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

setup:
	scripts/setup

demo: setup all
	$(BUILD)/linesight demo

# Every test tier: source checks, the gcc build's tests, then the clang build
# under AddressSanitizer + UndefinedBehaviorSanitizer.
test: setup check test-fast test-asan

check:
	scripts/check-layers
	scripts/checksrc

test-fast: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: web
	@test -f $(ASAN_BUILD)/CMakeCache.txt || CC=clang cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) \
	  -DCMAKE_BUILD_TYPE=Debug -DLS_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 LS_SANITIZED=1 \
	  ctest --output-on-failure -j $(JOBS)

# Ingest (makes the 10M-row file and installs DuckDB), simulator, analysis
# side by side with DuckDB, and the analysis at 1M, 10M and 50M events.
bench: setup all
	BUILD=$(BUILD) bench/run
	LINESIGHT=$(BUILD)/linesight bench/bench_sim.sh
	LINESIGHT=$(BUILD)/linesight bench/bench_analysis.sh
	LINESIGHT=$(BUILD)/linesight bench/bench_scaling.sh

# Long fuzzing runs (not part of `make test`): FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz: setup
	@test -f $(FUZZ_BUILD)/CMakeCache.txt || CC=clang cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) \
	  -DCMAKE_BUILD_TYPE=Debug -DLS_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

FORCE:
