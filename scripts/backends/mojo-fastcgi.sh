#!/usr/bin/env bash
# mojo-fastcgi-echo.pl (Mojolicious::Lite) on Mojo::Server::FastCGI (Debian
# libmojo-server-fastcgi-perl, pure Perl), started by spawn-fcgi on ADDRESS
# (the server takes its listening socket on fd 0).
# fcgispec-package: libmojo-server-fastcgi-perl
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr; fcgispec then exits 3.
if ! command -v spawn-fcgi >/dev/null || ! perl -MMojo::Server::FastCGI -e 1 2>/dev/null; then
  echo "mojo-fastcgi.sh: skipped: libmojo-server-fastcgi-perl or spawn-fcgi is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
if [ -n "$sock" ]; then where=(-s "$sock"); else where=(-a "$host" -p "$port"); fi
export MOJO_MODE=production MOJO_HOME="$work"
run_child spawn-fcgi -n "${where[@]}" -- /usr/bin/perl "$here/mojo-fastcgi-echo.pl" fastcgi
