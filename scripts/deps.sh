#!/usr/bin/env bash
# Install coil's build/test dependencies (Debian/Ubuntu). No-op when all present.
# With the argument `bench`, also the benchmark's (bench/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(cmake ninja-build g++ ccache libboost-dev libeigen3-dev libxsimd-dev
          doctest-dev libfmt-dev libbenchmark-dev)
# `scripts/deps.sh bench`: also what bench/run needs beyond the build (gnuplot for the chart)
if [ "${1:-}" = bench ]; then
  packages+=(gnuplot-nox)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "deps: not root and no sudo; please install: ${missing[*]}" >&2
    exit 1
  fi
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
