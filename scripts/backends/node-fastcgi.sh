#!/usr/bin/env bash
# node-fastcgi-echo.js on node-fastcgi (Debian node-fastcgi, pure
# JavaScript on fastcgi-stream), started by spawn-fcgi on ADDRESS.
# fcgispec-package: node-fastcgi
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
# Debian installs its Node.js libraries under /usr/share/nodejs, which only
# Debian's own node searches by default.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr, and fcgispec then exits 3.
if ! command -v spawn-fcgi >/dev/null || ! node -e 'require("node-fastcgi")' 2>/dev/null; then
  echo "node-fastcgi.sh: skipped: nodejs, node-fastcgi or spawn-fcgi is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
# The process dies on some inputs (see docs/backends/node-fastcgi.md): restart it.
run_supervised node-fastcgi.sh "$(command -v node)" "$here/node-fastcgi-echo.js"
