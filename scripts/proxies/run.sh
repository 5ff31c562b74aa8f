#!/usr/bin/env bash
# Runs the proxy cases against one real reverse proxy: fcgispec sends raw
# HTTP to the proxy and records, as the FastCGI backend it forwards to,
# what arrives; it starts and stops the proxy itself (NAME.sh), and
# compares the results with the checked-in baseline (exit 0 when nothing
# regressed).
#   bash scripts/proxies/run.sh NAME [fcgispec args]   (NAME: see list.sh)
# FCS_BUILD_DIR picks the build (default build/default); FCS_PROXY_LOG=FILE
# copies the proxy's output there at the end.
# The backend listens on loopback TCP rather than a Unix socket: started as
# root, the Apache proxies' workers run as www-data, and a socket in this
# private directory would have to be made theirs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=${1:?usage: run.sh PROXY [fcgispec args] (PROXY: one of list.sh)}
shift
build=${FCS_BUILD_DIR:-$root/build/default}
if ! bash "$here/list.sh" | grep -qxF -- "$name"; then
  echo "run.sh: unknown proxy '$name' (known: $(bash "$here/list.sh" | tr '\n' ' '))" >&2
  exit 2
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/fcgispec-proxy-run.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir" # the document root must be readable by the proxy's workers
bash "$here/docroot.sh" "$dir/docroot"
mapfile -t ports < <(/usr/bin/python3 "$here/free-port.py" 2)
http="tcp:127.0.0.1:${ports[0]}"
backend="tcp:127.0.0.1:${ports[1]}"
# A proxy without a baseline yet (while one is being written) runs plain,
# and so does a run of the caller's own cases (--cases DIR): the baseline
# describes the catalog, not them.
baseline=()
[ -f "$here/baselines/$name.txt" ] && baseline=(--baseline "$here/baselines/$name.txt")
for arg in "$@"; do
  [ "$arg" = --cases ] && baseline=()
done
# A proxy that is slow but not hung for longer than fcgispec's default
# --timeout declares its own in its start script
# ("# fcgispec-proxy-timeout: MS", with the reason); a --timeout the caller
# gives comes later on the line and wins.
declared=$(sed -n 's/^# fcgispec-proxy-timeout: \([0-9]*\).*/\1/p' "$here/$name.sh" | head -1)
timeout=()
[ -n "$declared" ] && timeout=(--timeout "$declared")
# The rerun line names this script: the private directory is gone by then.
export FCGISPEC_RERUN="bash scripts/proxies/run.sh $name -v"
rc=0
"$build/conformance/fcgispec" --proxy "$http" --listen "$backend" --docroot "$dir/docroot" \
  --spawn "exec bash '$here/$name.sh' '$http' '$backend' '$dir/docroot' 2>'$dir/proxy.log'" \
  ${baseline[@]+"${baseline[@]}"} ${timeout[@]+"${timeout[@]}"} "$@" || rc=$?
# FCS_PROXY_LOG=FILE keeps what the proxy wrote (a worker's crash shows
# only there when the proxy's master process lives on).
if [ -n "${FCS_PROXY_LOG:-}" ]; then
  cp "$dir/proxy.log" "$FCS_PROXY_LOG" || echo "run.sh: cannot copy the proxy's output to $FCS_PROXY_LOG" >&2
fi
if [ "$rc" -eq 3 ]; then # unreachable: say why the proxy did not start
  echo "run.sh: $name did not start; the last lines it wrote:" >&2
  tail -n 15 "$dir/proxy.log" >&2
fi
exit "$rc"
