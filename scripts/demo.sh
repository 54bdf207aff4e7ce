#!/usr/bin/env bash
# Build and run the coil demo (examples/mlp_demo.cpp) in build-demo/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.ccache}"
mkdir -p "$CCACHE_DIR"
jobs="${COIL_JOBS:-2}"

cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCOIL_BUILD_TESTS=OFF -DCOIL_BUILD_EXAMPLES=ON -DCOIL_BUILD_BENCH=OFF -DCOIL_ENABLE_CUDA=OFF
cmake --build build-demo --target example_mlp_demo -j "$jobs"
./build-demo/examples/example_mlp_demo
