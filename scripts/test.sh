#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test: ctest in the
# default and the ASan+UBSan builds, then the Python (pytest) suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)
for preset in default asan; do
  echo "== build and ctest: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
echo "== fuzz smoke (libFuzzer under ASan+UBSan, a few seconds per target)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
ctest --test-dir build/fuzz -L fuzz-smoke
echo "== pytest"
FCS_BUILD_DIR="$PWD/build/default" /usr/bin/python3 -m pytest -q
# The matrix runs the ASan+UBSan build of the runner against every real
# backend: hostile and odd backends are where the runner's own bugs show.
# Proxies run in a pool of their own beside the backends: a proxy run
# mostly waits on the network.
echo "== certification matrix (ASan+UBSan runner)"
FCS_BUILD_DIR="$PWD/build/asan" /usr/bin/python3 scripts/matrix.py --jobs 2 --proxy-jobs 3 --check
