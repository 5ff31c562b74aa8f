# Sourced by the backend start scripts: splits ADDRESS (unix:PATH or
# tcp:HOST:PORT) and makes a private work directory that is removed when
# the script is stopped (fcgispec stops it by its pid).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
addr=${1:?usage: $(basename "$0") unix:PATH|tcp:HOST:PORT}
case $addr in
  unix:*) sock=${addr#unix:}; host=""; port="" ;;
  tcp:*) sock=""; hp=${addr#tcp:}; host=${hp%:*}; port=${hp##*:} ;;
  *) echo "$(basename "$0"): address must be unix:PATH or tcp:HOST:PORT" >&2; exit 2 ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/fcgispec-backend.XXXXXX")
child=""
cleanup() {
  [ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' TERM INT
# Runs the backend in the background and waits for it, so the trap above
# can stop it by pid and clean up.
run_backend() {
  "$@" &
  child=$!
  wait "$child"
}
