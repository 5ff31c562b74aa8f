#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test: ctest in the
# default and the ASan+UBSan builds (the latter with the upstream harnesses
# of fuzz/upstream, whose sources are fetched first), then the Python
# (pytest) suites.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase says when it starts and how long the run has taken so far,
# so a slow run shows where its time went.
start=$SECONDS
phase() { echo "== $* (at $((SECONDS - start)) s)"; }
bash scripts/install-deps.sh
jobs=$(nproc)
phase "upstream sources (fuzz/upstream/sources.txt)"
/usr/bin/python3 scripts/fuzz_upstream.py fetch >/dev/null
for preset in default asan; do
  phase "build and ctest: $preset"
  upstream=()
  if [ "$preset" = asan ]; then
    upstream=(-DFCS_UPSTREAM_DIR="$PWD/build/upstream" -DFCS_UPSTREAM_HARNESSES=)
  fi
  cmake --preset "$preset" "${upstream[@]}" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
phase "fuzz smoke (libFuzzer under ASan+UBSan, a few seconds per target)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
ctest --test-dir build/fuzz -L fuzz-smoke
phase pytest
FCS_BUILD_DIR="$PWD/build/default" /usr/bin/python3 -m pytest -q
# A short seeded differential campaign on each side: a cluster that no
# finding of the register lists fails (docs/differential.md, "The CI check").
phase "differential campaigns (seed 1)"
out=build/differential
mkdir -p "$out"
FCS_BUILD_DIR="$PWD/build/default" /usr/bin/python3 scripts/differential.py backends \
  --seed 1 --count 40 --timeout 2000 --out "$out/backend-ci.json"
FCS_BUILD_DIR="$PWD/build/default" /usr/bin/python3 scripts/differential.py proxies \
  --seed 1 --count 100 --minimise-calls 0 --out "$out/proxy-ci.json"
/usr/bin/python3 scripts/differential.py grid "$out/backend-ci.json" "$out/proxy-ci.json" \
  --out "$out/grid-ci.html"
/usr/bin/python3 scripts/differential.py ci --results "$out/backend-ci.json" "$out/proxy-ci.json"
# The matrix runs the ASan+UBSan build of the runner against every real
# backend: hostile and odd backends are where the runner's own bugs show.
# Proxies run in a pool of their own beside the backends: a proxy run
# mostly waits on the network.
phase "certification matrix (ASan+UBSan runner)"
FCS_BUILD_DIR="$PWD/build/asan" /usr/bin/python3 scripts/matrix.py --jobs 2 --proxy-jobs 3 --check
phase "done"
