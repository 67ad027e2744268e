#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then builds and runs every test
# twice — a warnings-as-errors build, and an AddressSanitizer+UndefinedBehaviorSanitizer build.
# Usage: scripts/test.sh [--quick]   (--quick: the first build only)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

jobs=${SLUICE_JOBS:-2}
run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DSLUICE_WARNINGS_AS_ERRORS=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

run_suite build/ci -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [[ "${1:-}" != "--quick" ]]; then
  run_suite build/ci-asan -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=address,undefined \
    -DSLUICE_BUILD_BENCHMARKS=OFF -DSLUICE_BUILD_EXAMPLES=OFF
fi
