#!/usr/bin/env bash
# anyevent-fcgi-echo.pl on AnyEvent::FCGI (Debian libanyevent-fcgi-perl,
# pure Perl) on ADDRESS.
# fcgispec-package: libanyevent-fcgi-perl
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr; fcgispec then exits 3.
if ! perl -MAnyEvent::FCGI -e 1 2>/dev/null; then
  echo "anyevent-fcgi.sh: skipped: libanyevent-fcgi-perl is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
if [ -n "$sock" ]; then where=(unix "$sock"); else where=(tcp "$host" "$port"); fi
run_child perl "$here/anyevent-fcgi-echo.pl" "${where[@]}"
