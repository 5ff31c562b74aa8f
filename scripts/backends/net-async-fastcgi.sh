#!/usr/bin/env bash
# net-async-fastcgi-echo.pl on Net::Async::FastCGI (Debian
# libnet-async-fastcgi-perl, pure Perl) on ADDRESS.
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
if [ -n "$sock" ]; then where=(unix "$sock"); else where=(tcp "$host" "$port"); fi
run_backend perl "$here/net-async-fastcgi-echo.pl" "${where[@]}"
