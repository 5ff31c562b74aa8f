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
source "$here/../lib/workdir.sh" fcgispec-backend

# Runs "PROGRAM SCRIPT" under spawn-fcgi on ADDRESS, restarted whenever it
# exits, as a process manager would: for libraries whose process dies on
# some inputs. The supervisor keeps the listening socket (fd 0) and logs each
# restart; TERM stops it and the program it runs. (A background job's stdin
# would be /dev/null without the explicit <&0; the short sleep keeps a
# program that cannot start from spinning.)
run_supervised() {
  local name=$1 program=$2 script=$3 where
  if [ -n "$sock" ]; then where=(-s "$sock"); else where=(-a "$host" -p "$port"); fi
  local loop='trap "kill \$app 2>/dev/null; exit 0" TERM
while :; do
  "$1" "$2" <&0 & app=$!
  wait $app && status=0 || status=$?
  echo "$0: the application exited with status $status; restarting" >&2
  sleep 0.05
done'
  run_child spawn-fcgi -n "${where[@]}" -- /bin/bash -c "$loop" "$name" "$program" "$script"
}
