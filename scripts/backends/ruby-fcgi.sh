#!/usr/bin/env bash
# ruby-fcgi-echo.rb on Ruby's fcgi library (Debian ruby-fcgi), started by
# spawn-fcgi on ADDRESS. The library would load its C extension (fcgi.so, a
# wrapper of libfcgi), but on Debian 12 that fails to load and the library
# falls back to its own pure-Ruby protocol code (docs/backends/ruby-fcgi.md).
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr, and fcgispec then exits 3.
if ! command -v spawn-fcgi >/dev/null || ! ruby -e 'require "fcgi"' 2>/dev/null; then
  echo "ruby-fcgi.sh: skipped: ruby, ruby-fcgi or spawn-fcgi is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
if [ -n "$sock" ]; then where=(-s "$sock"); else where=(-a "$host" -p "$port"); fi
# Several inputs make the library raise and the Ruby process exit, so a
# supervisor loop keeps the listening socket (fd 0) and starts the program
# again, as a process manager would; each restart is logged. TERM stops the
# loop and the program it is running. (A background job's stdin would be
# /dev/null without the explicit <&0; the short sleep keeps a program that
# cannot start from spinning.)
supervise='trap "kill \$app 2>/dev/null; exit 0" TERM
while :; do
  "$0" "$1" <&0 & app=$!
  wait $app && status=0 || status=$?
  echo "ruby-fcgi.sh: the application exited with status $status; restarting" >&2
  sleep 0.05
done'
run_backend spawn-fcgi -n "${where[@]}" -- /bin/bash -c "$supervise" \
  "$(command -v ruby)" "$here/ruby-fcgi-echo.rb"
