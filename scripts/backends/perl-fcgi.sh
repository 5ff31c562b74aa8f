#!/usr/bin/env bash
# perl-fcgi-echo.pl on Perl's FCGI module (Debian libfcgi-perl, on libfcgi),
# listening on ADDRESS itself (FCGI::OpenSocket).
# fcgispec-package: libfcgi-perl
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr, and fcgispec then exits 3.
if ! perl -MFCGI -e1 2>/dev/null; then
  echo "perl-fcgi.sh: skipped: libfcgi-perl is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
run_child perl "$here/perl-fcgi-echo.pl" "${sock:-$host:$port}"
