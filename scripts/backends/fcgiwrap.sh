#!/usr/bin/env bash
# fcgiwrap started by spawn-fcgi on ADDRESS; it runs echo.cgi (given as
# SCRIPT_FILENAME) as a CGI program.
# fcgispec-package: fcgiwrap
# fcgispec-script-filename: scripts/backends/echo.cgi
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
if [ -n "$sock" ]; then where=(-s "$sock"); else where=(-a "$host" -p "$port"); fi
run_child spawn-fcgi -n "${where[@]}" -- "$(command -v fcgiwrap || echo /usr/sbin/fcgiwrap)" -c 2
