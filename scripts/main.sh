#!/usr/bin/env bash
# The project's main command: installs what is missing (only the base
# packages), builds the `main` preset (the default build, in build/main),
# and runs the conformance suite against the built-in reference
# responder, printing its scorecard. Extra arguments go to fcgispec
# (e.g. a case pattern, --json FILE, or --target tcp:127.0.0.1:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh base
cmake --preset main >/dev/null
cmake --build --preset main -j "$(nproc)" --target fcgispec fcgi-curl
exec build/main/conformance/fcgispec --jobs 2 "$@"
