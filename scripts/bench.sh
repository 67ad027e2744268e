#!/usr/bin/env bash
# The benchmarks: installs what is missing (Redis and hiredis included), builds bench/ in Release
# and runs the benchmarks.
# Usage: scripts/bench.sh [Google Benchmark flags]    every benchmark but timed notifications, each
#                                                     given the flags (e.g. --benchmark_filter='map get')
#        scripts/bench.sh --timed-notifications [options]   timed notifications end to end against
#                                                     raw LMDB and Redis (about 10 minutes; --help)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --bench

build=build/bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_EXAMPLES=OFF >/dev/null
jobs=${SLUICE_JOBS:-2}

if [[ "${1:-}" == "--timed-notifications" ]]; then
  shift
  cmake --build "$build" -j "$jobs" --target bench_timed_notifications
  exec "$build/bench/bench_timed_notifications" "$@"
fi

cmake --build "$build" -j "$jobs"
for benchmark in "$build"/bench/bench_*; do
  [[ -f "$benchmark" && -x "$benchmark" ]] || continue
  [[ "${benchmark##*/}" == bench_timed_notifications ]] && continue  # its own options: see above
  echo "== ${benchmark##*/}"
  "$benchmark" "$@"
done
