#!/usr/bin/env bash
# The main job: installs what is missing, builds the example program and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/demo --target hello_pstate -j "${SLUICE_JOBS:-2}"
./build/demo/examples/hello_pstate "$@"
