#!/usr/bin/env bash
# Installs the Debian packages sluice needs to build, test and benchmark.
# Does nothing when every package is already present. Runs apt-get as root, or through sudo.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost-dev librange-v3-dev liblmdb-dev libxxhash-dev
  catch2 libbenchmark-dev libcli11-dev nlohmann-json3-dev
  lmdb-utils
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(redis-server libhiredis-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "sluice: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
