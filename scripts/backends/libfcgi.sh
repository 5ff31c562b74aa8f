#!/usr/bin/env bash
# libfcgi-echo.c built against libfcgi-dev, started by spawn-fcgi on
# ADDRESS (libfcgi reads its listening socket from fd 0).
# fcgispec-package: libfcgi-dev
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
cc -O2 -o "$work/libfcgi-echo" "$here/libfcgi-echo.c" -lfcgi
if [ -n "$sock" ]; then where=(-s "$sock"); else where=(-a "$host" -p "$port"); fi
run_child spawn-fcgi -n "${where[@]}" -- "$work/libfcgi-echo"
