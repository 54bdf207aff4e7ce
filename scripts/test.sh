#!/usr/bin/env bash
# Configure, build and run coil's full test suite (g++, build/), then build the
# header-self-containment and static_assert tests with clang (build-clang/) if available.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.ccache}"
mkdir -p "$CCACHE_DIR"
jobs="${COIL_JOBS:-2}"

echo "== configure (g++) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
  -DCOIL_BUILD_TESTS=ON -DCOIL_BUILD_EXAMPLES=ON
echo "== build (g++) =="
cmake --build build -j "$jobs"

echo "== ctest (g++) =="
set +e
(cd build && ctest --output-on-failure -j "$jobs" --timeout 600) 2>&1 | tee build/ctest.log
ctest_rc=${PIPESTATUS[0]}
set -e

clang=""
for c in clang++-14 clang++; do
  if command -v "$c" >/dev/null 2>&1; then clang="$c"; break; fi
done
if [ -n "$clang" ]; then
  echo "== build header + static tests ($clang) =="
  cmake -S . -B build-clang -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$clang" \
    -DCOIL_BUILD_TESTS=ON -DCOIL_BUILD_EXAMPLES=OFF -DCOIL_ENABLE_CUDA=OFF
  cmake --build build-clang -j "$jobs" --target coil_header_tests coil_static_tests
else
  echo "== clang++ not found: skipping clang build =="
fi

echo "== CTest summary (g++) =="
grep -E '^[0-9]+% tests passed|^The following tests FAILED|^[[:space:]]+[0-9]+ - |^Total Test time' \
  build/ctest.log || true
exit "$ctest_rc"
