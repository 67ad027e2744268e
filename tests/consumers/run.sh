#!/usr/bin/env bash
# Builds and runs the consumer program (tests/consumers/main.cpp) against sluice used the three
# usual ways, each in a fresh temp dir:
#   1. sluice configured on its own, `cmake --install`ed to a prefix; find_package(sluice CONFIG);
#   2. add_subdirectory(<sluice's source tree>);
#   3. FetchContent_Declare(sluice SOURCE_DIR <sluice's source tree>) + FetchContent_MakeAvailable.
# Then the follower index of docs/guide.md, as the guide builds it: its three files alone in a
# directory, against the installed sluice.
# The consumer's CMakeLists.txt fails if sluice, used by another project, defines any of its own
# test, benchmark or example targets.
# Usage: tests/consumers/run.sh   (SLUICE_JOBS: parallel jobs, 2 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
source_dir=$PWD
consumer_dir=$source_dir/tests/consumers

jobs=${SLUICE_JOBS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-consumers.XXXXXX")
trap 'rm -rf "$work"' EXIT

consume() {
  local way=$1; shift
  cmake -S "$consumer_dir" -B "$work/$way" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_VIA="$way" "$@" >/dev/null
  cmake --build "$work/$way" -j "$jobs"
  "$work/$way/consumer"
}

echo "== consumer 1/3: cmake --install, then find_package(sluice CONFIG REQUIRED)"
cmake -S . -B "$work/sluice" -G Ninja -DCMAKE_INSTALL_PREFIX="$work/prefix" \
  -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCHMARKS=OFF -DSLUICE_BUILD_EXAMPLES=OFF >/dev/null
cmake --install "$work/sluice" >/dev/null  # header-only: nothing to build first
for installed in include/sluice/sluice.hpp include/sluice/helpers/topology_scheduler.hpp \
    share/cmake/sluice/sluiceConfig.cmake share/cmake/sluice/sluiceConfigVersion.cmake; do
  [[ -f "$work/prefix/$installed" ]] || { echo "not installed: $installed" >&2; exit 1; }
done
consume find_package -DCMAKE_PREFIX_PATH="$work/prefix"

echo "== consumer 2/3: add_subdirectory"
consume add_subdirectory -DSLUICE_SOURCE="$source_dir"

echo "== consumer 3/3: FetchContent"
consume FetchContent -DSLUICE_SOURCE="$source_dir"

echo "== the guide's follower index, a project of its own, against the installed sluice"
guide=$work/follows
mkdir -p "$guide"
cp examples/guide/project/CMakeLists.txt examples/guide/main.cpp examples/guide/follows_module.hpp "$guide/"
cmake -S "$guide" -B "$guide/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$guide/build" -j "$jobs"
"$guide/build/follows" "$work/follows-data"
