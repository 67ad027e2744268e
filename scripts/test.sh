#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what is missing, checks that single_include/ is
# what scripts/amalgamate.py generates from include/, then builds and runs:
#   1. every test, warnings as errors (RelWithDebInfo), against the single header;
#   2. every test but the compile-fail cases, under AddressSanitizer and UBSan (Debug);
#   3. the tests that run threads (runtime, storage threads, integration), under ThreadSanitizer;
#   4. a program using sluice through find_package, add_subdirectory and FetchContent.
# Usage: scripts/test.sh [--quick]   (--quick: the check and the first build only)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

jobs=${SLUICE_JOBS:-2}
configure() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DSLUICE_WARNINGS_AS_ERRORS=ON "$@" >/dev/null
}

echo "== single_include/ is generated from include/"
python3 scripts/amalgamate.py --check

echo "== build 1/3: all tests, warnings as errors, against the single header"
configure build/ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SINGLE_HEADER=ON
cmake --build build/ci -j "$jobs"
ctest --test-dir build/ci --output-on-failure -j "$jobs"
[[ "${1:-}" == "--quick" ]] && exit 0

echo "== build 2/3: AddressSanitizer + UndefinedBehaviorSanitizer"
configure build/ci-asan -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=address,undefined -DSLUICE_SINGLE_HEADER=OFF \
  -DSLUICE_BUILD_BENCHMARKS=OFF -DSLUICE_BUILD_EXAMPLES=OFF
cmake --build build/ci-asan -j "$jobs"
ctest --test-dir build/ci-asan --output-on-failure -j "$jobs" -LE compile_fail

echo "== build 3/3: ThreadSanitizer, the tests that run threads"
configure build/ci-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=thread -DSLUICE_SINGLE_HEADER=OFF \
  -DSLUICE_BUILD_BENCHMARKS=OFF -DSLUICE_BUILD_EXAMPLES=OFF
threaded=(unit.runtime_parts unit.storage_threads)
for source in tests/integration/*.cpp; do
  stem=${source##*/}
  threaded+=("integration.${stem%.cpp}")
done
cmake --build build/ci-tsan -j "$jobs" --target "${threaded[@]}"
ctest --test-dir build/ci-tsan --output-on-failure -j "$jobs" -R '^(unit\.runtime_parts|unit\.storage_threads|integration\.)'

echo "== consumers: find_package, add_subdirectory, FetchContent"
bash tests/consumers/run.sh
