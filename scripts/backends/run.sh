#!/usr/bin/env bash
# Runs the conformance suite against one real backend, started and stopped
# by fcgispec on a private Unix socket, and compares it with the checked-in
# baseline (exit 0 when nothing regressed).
#   bash scripts/backends/run.sh NAME [fcgispec args]   (NAME.sh beside this file)
# FCS_BUILD_DIR picks the build (default build/default).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=${1:?usage: run.sh BACKEND [fcgispec args] (BACKEND: a NAME.sh beside this script)}
shift
build=${FCS_BUILD_DIR:-$root/build/default}
start="$here/$name.sh"
if [ ! -f "$start" ] || [ "$name" = run ] || [ "$name" = common ]; then
  echo "run.sh: unknown backend '$name'" >&2
  exit 2
fi
# Each start script declares what fcgispec needs to drive it:
#   # fcgispec-script-filename: SCRIPT_FILENAME to send (repo-relative, or
#     any absolute path the backend ignores)
#   # fcgispec-jobs: how many cases may run at once
setting() { sed -n "s/^# fcgispec-$1: //p" "$start" | head -1; }
script=$(setting script-filename)
case $script in /*) ;; *) script="$root/$script" ;; esac
jobs=$(setting jobs)
jobs=${jobs:-1}
dir=$(mktemp -d "${TMPDIR:-/tmp}/fcgispec-run.XXXXXX")
trap 'rm -rf "$dir"' EXIT
sock="$dir/$name.sock"
rc=0
"$build/conformance/fcgispec" --target "unix:$sock" \
  --spawn "exec bash '$here/$name.sh' 'unix:$sock' 2>'$dir/backend.log'" \
  --param "SCRIPT_FILENAME=$script" --jobs "$jobs" \
  --baseline "$here/baselines/$name.txt" "$@" || rc=$?
if [ "$rc" -eq 3 ]; then # unreachable: say why the backend did not start
  echo "run.sh: $name did not start; the last lines it wrote:" >&2
  tail -n 15 "$dir/backend.log" >&2
fi
exit "$rc"
