#!/usr/bin/env bash
# anyevent-fcgi-echo.pl on AnyEvent::FCGI (Debian libanyevent-fcgi-perl,
# pure Perl) on ADDRESS.
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
if [ -n "$sock" ]; then where=(unix "$sock"); else where=(tcp "$host" "$port"); fi
run_backend perl "$here/anyevent-fcgi-echo.pl" "${where[@]}"
