#!/usr/bin/env bash
# The project's main command: installs what is missing, builds the default
# preset, and runs the conformance suite against the built-in reference
# responder, printing its scorecard. Extra arguments go to fcgispec
# (e.g. a case pattern, --json FILE, or --target tcp:127.0.0.1:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j 2 --target fcgispec fcgi-curl
exec build/default/conformance/fcgispec --jobs 2 "$@"
