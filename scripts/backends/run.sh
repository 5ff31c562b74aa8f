#!/usr/bin/env bash
# Runs the conformance suite against one real backend, started and stopped
# by fcgispec on a private Unix socket, and compares it with the checked-in
# baseline (exit 0 when nothing regressed).
#   bash scripts/backends/run.sh php-fpm|fcgiwrap|libfcgi|go [fcgispec args]
# FCS_BUILD_DIR picks the build (default build/default).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=${1:?usage: run.sh php-fpm|fcgiwrap|libfcgi|go [fcgispec args]}
shift
build=${FCS_BUILD_DIR:-$root/build/default}
case $name in
  php-fpm) script="$here/echo.php"; jobs=2 ;;
  fcgiwrap) script="$here/echo.cgi"; jobs=1 ;;
  libfcgi|go) script="/fcgispec"; jobs=1 ;;
  *) echo "run.sh: unknown backend '$name'" >&2; exit 2 ;;
esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/fcgispec-run.XXXXXX")
trap 'rm -rf "$dir"' EXIT
sock="$dir/$name.sock"
"$build/conformance/fcgispec" --target "unix:$sock" \
  --spawn "exec bash '$here/$name.sh' 'unix:$sock' 2>'$dir/backend.log'" \
  --param "SCRIPT_FILENAME=$script" --jobs "$jobs" \
  --baseline "$here/baselines/$name.txt" "$@"
