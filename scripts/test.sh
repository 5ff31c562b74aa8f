#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test: ctest in the
# default and the ASan+UBSan builds, then the Python (pytest) suites.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase says when it starts and how long the run has taken so far,
# so a slow run shows where its time went.
start=$SECONDS
phase() { echo "== $* (at $((SECONDS - start)) s)"; }
bash scripts/install-deps.sh
jobs=$(nproc)
for preset in default asan; do
  phase "build and ctest: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
phase "fuzz smoke (libFuzzer under ASan+UBSan, a few seconds per target)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
ctest --test-dir build/fuzz -L fuzz-smoke
phase pytest
FCS_BUILD_DIR="$PWD/build/default" /usr/bin/python3 -m pytest -q
# The matrix runs the ASan+UBSan build of the runner against every real
# backend: hostile and odd backends are where the runner's own bugs show.
# Proxies run in a pool of their own beside the backends: a proxy run
# mostly waits on the network.
phase "certification matrix (ASan+UBSan runner)"
FCS_BUILD_DIR="$PWD/build/asan" /usr/bin/python3 scripts/matrix.py --jobs 2 --proxy-jobs 3 --check
phase "done"
