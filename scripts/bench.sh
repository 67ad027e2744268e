#!/usr/bin/env bash
# The benchmarks: installs what is missing, builds every bench/*.cpp in Release and runs each one.
# Usage: scripts/bench.sh [Google Benchmark flags]   (given to every benchmark, e.g.
#        --benchmark_filter='map get')
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build=build/bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j "${SLUICE_JOBS:-2}"
for benchmark in "$build"/bench/bench_*; do
  [[ -f "$benchmark" && -x "$benchmark" ]] || continue
  echo "== ${benchmark##*/}"
  "$benchmark" "$@"
done
