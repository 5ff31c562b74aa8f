#!/usr/bin/env bash
# net-async-fastcgi-echo.pl on Net::Async::FastCGI (Debian
# libnet-async-fastcgi-perl, pure Perl) on ADDRESS.
# fcgispec-package: libnet-async-fastcgi-perl
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
# fcgispec-echo-formats: lines json printenv
source "$(dirname "$0")/common.sh"
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr; fcgispec then exits 3.
if ! perl -MNet::Async::FastCGI -e 1 2>/dev/null; then
  echo "net-async-fastcgi.sh: skipped: libnet-async-fastcgi-perl is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
if [ -n "$sock" ]; then where=(unix "$sock"); else where=(tcp "$host" "$port"); fi
# FCS_ECHO_FORMAT (set by run.sh) picks the echo app's format.
run_child perl "$here/net-async-fastcgi-echo.pl" --format "${FCS_ECHO_FORMAT:-lines}" "${where[@]}"
