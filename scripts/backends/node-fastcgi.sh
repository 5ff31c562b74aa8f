#!/usr/bin/env bash
# node-fastcgi-echo.js on node-fastcgi (Debian node-fastcgi, pure
# JavaScript on fastcgi-stream), started by spawn-fcgi on ADDRESS.
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
if [ -n "$sock" ]; then where=(-s "$sock"); else where=(-a "$host" -p "$port"); fi
# An unknown record type makes the library throw and the Node process exit,
# so a supervisor loop keeps the listening socket (fd 0) and starts the
# program again, as a process manager would; each restart is logged. TERM
# stops the loop and the program it is running. (A background job's stdin
# would be /dev/null without the explicit <&0; the short sleep keeps a
# program that cannot start from spinning.)
supervise='trap "kill \$app 2>/dev/null; exit 0" TERM
while :; do
  "$0" "$1" <&0 & app=$!
  wait $app && status=0 || status=$?
  echo "node-fastcgi.sh: the application exited with status $status; restarting" >&2
  sleep 0.05
done'
run_backend spawn-fcgi -n "${where[@]}" -- /bin/bash -c "$supervise" \
  "$(command -v node)" "$here/node-fastcgi-echo.js"
