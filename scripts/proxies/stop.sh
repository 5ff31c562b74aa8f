#!/usr/bin/env bash
# Stops the proxy that start.sh started in WORKDIR and removes what
# start.sh created there, then WORKDIR itself if nothing else is left:
#   stop.sh WORKDIR
# The process group in WORKDIR/pid gets TERM, then KILL if any of it is
# still running after 5 s. Exit status: 0 stopped and removed, 1 the group
# outlived KILL or WORKDIR holds files start.sh did not create (left in
# place), 2 usage.
set -euo pipefail
workdir=${1:?usage: stop.sh WORKDIR}
[ -f "$workdir/pid" ] || { echo "stop.sh: no $workdir/pid (not a start.sh work directory)" >&2; exit 2; }
pid=$(cat "$workdir/pid")
[[ $pid =~ ^[1-9][0-9]*$ ]] || { echo "stop.sh: $workdir/pid holds '$pid', not a process id" >&2; exit 2; }
# A member of the group that is not a zombie: a process whose parent has
# gone may stay a zombie where no init reaps orphans, and kill -0 counts it.
running() { ps -e -o pgid=,stat= | awk -v g="$pid" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'; }
if running; then
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do running || break; sleep 0.1; done
  if running; then
    echo "stop.sh: process group $pid still running 5 s after TERM; sending KILL" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do running || break; sleep 0.1; done
  fi
fi
running && { echo "stop.sh: process group $pid survived KILL" >&2; exit 1; }
rm -rf "$workdir/docroot"
rm -f "$workdir/pid" "$workdir/http" "$workdir/proxy.log"
rmdir "$workdir" 2>/dev/null || {
  echo "stop.sh: $workdir holds files start.sh did not create; left in place" >&2
  exit 1
}
