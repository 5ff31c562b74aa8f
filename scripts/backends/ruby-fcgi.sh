#!/usr/bin/env bash
# ruby-fcgi-echo.rb on Ruby's fcgi library (Debian ruby-fcgi), started by
# spawn-fcgi on ADDRESS. The library would load its C extension (fcgi.so, a
# wrapper of libfcgi), but on Debian 12 that fails to load and the library
# falls back to its own pure-Ruby protocol code (docs/backends/ruby-fcgi.md).
# fcgispec-package: ruby-fcgi
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr, and fcgispec then exits 3.
if ! command -v spawn-fcgi >/dev/null || ! ruby -e 'require "fcgi"' 2>/dev/null; then
  echo "ruby-fcgi.sh: skipped: ruby, ruby-fcgi or spawn-fcgi is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
# The process dies on some inputs (see docs/backends/ruby-fcgi.md): restart it.
run_supervised ruby-fcgi.sh "$(command -v ruby)" "$here/ruby-fcgi-echo.rb"
