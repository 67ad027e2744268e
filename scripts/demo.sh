#!/usr/bin/env bash
# The main job: installs what is missing, builds the timed_notifications program and runs its
# demo (three posts scheduled for alice, watched as they land). Arguments go to the demo, e.g.
#   scripts/demo.sh --data ./data
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/demo --target timed_notifications -j "${SLUICE_JOBS:-2}"
./build/demo/examples/timed_notifications demo "$@"
