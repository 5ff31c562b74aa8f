#!/usr/bin/env bash
# Runs the conformance suite against one real backend, started and stopped
# by fcgispec on a private Unix socket, and compares it with the checked-in
# baseline (exit 0 when nothing regressed).
#   bash scripts/backends/run.sh NAME [fcgispec args]   (NAME.sh beside this file)
# FCS_BUILD_DIR picks the build (default build/default).
# FCS_ECHO_FORMAT picks the echo app's format (default lines), among those
# the start script lists: e.g. FCS_ECHO_FORMAT=json run.sh php-fpm serves
# echo-json.php. The baselines hold the lines format's results: the
# runner's content checks search the page's raw bytes, so cases that check
# escaped bytes fail in the other formats.
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
#   # fcgispec-echo-formats: the echo formats it can print (default lines);
#     the start script reads FCS_ECHO_FORMAT, or
#   # fcgispec-script-filename-FORMAT: the SCRIPT_FILENAME of that format
#   # fcgispec-package: the Debian package whose version names the backend
#     (read by scripts/differential.py for its results' versions)
setting() { sed -n "s/^# fcgispec-$1: //p" "$start" | head -1; }
format=${FCS_ECHO_FORMAT:-lines}
formats=$(setting echo-formats)
formats=${formats:-lines}
if [[ " $formats " != *" $format "* ]]; then
  echo "run.sh: $name cannot echo in format '$format' (it can: $formats)" >&2
  exit 2
fi
export FCS_ECHO_FORMAT=$format
script=$(setting "script-filename-$format")
script=${script:-$(setting script-filename)}
case $script in /*) ;; *) script="$root/$script" ;; esac
jobs=$(setting jobs)
jobs=${jobs:-1}
dir=$(mktemp -d "${TMPDIR:-/tmp}/fcgispec-run.XXXXXX")
trap 'rm -rf "$dir"' EXIT
sock="$dir/$name.sock"
# The rerun line names this script: the private socket is gone by then.
export FCGISPEC_RERUN="bash scripts/backends/run.sh $name -v"
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
