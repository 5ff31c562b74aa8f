#!/usr/bin/env bash
# Starts one proxy for a person or a test, in the background, in a process
# group of its own:
#   start.sh NAME WORKDIR [--fastcgi unix:PATH|tcp:HOST:PORT]
# WORKDIR must not exist; it gets a document root (docroot/), the proxy's
# output (proxy.log), its process group id (pid) and its HTTP address
# (http: tcp:127.0.0.1:PORT, on a free port). The address is printed once
# the port accepts connections. The proxy forwards to --fastcgi, by default
# unix:WORKDIR/backend.sock (start the backend there). stop.sh WORKDIR
# stops it. Exit status: 0 started, 2 usage, 3 the proxy did not start
# within 10 s (its last log lines are printed, a proxy still starting is
# stopped, and stop.sh WORKDIR removes what was created).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: start.sh NAME WORKDIR [--fastcgi unix:PATH|tcp:HOST:PORT]"
[ $# -eq 2 ] || [ $# -eq 4 ] || { echo "$usage" >&2; exit 2; }
name=$1 workdir=$2
if ! bash "$here/list.sh" | grep -qxF -- "$name"; then
  echo "start.sh: unknown proxy '$name' (known: $(bash "$here/list.sh" | tr '\n' ' '))" >&2
  exit 2
fi
[ ! -e "$workdir" ] && [ ! -L "$workdir" ] ||
  { echo "start.sh: $workdir already exists; give a new directory" >&2; exit 2; }
fastcgi=""
if [ $# -eq 4 ]; then
  [ "$3" = --fastcgi ] || { echo "$usage" >&2; exit 2; }
  fastcgi=$4
fi
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
fastcgi=${fastcgi:-unix:$workdir/backend.sock}
bash "$here/docroot.sh" "$workdir/docroot"
port=$(/usr/bin/python3 "$here/free-port.py")
http="tcp:127.0.0.1:$port"
# setsid: the proxy's script leads a new process group (its pid is the
# group's id), so stop.sh stops the script, the proxy and its workers.
setsid bash "$here/$name.sh" "$http" "$fastcgi" "$workdir/docroot" \
  </dev/null >"$workdir/proxy.log" 2>&1 &
pid=$!
echo "$pid" > "$workdir/pid"
for _ in $(seq 100); do
  if ! kill -0 "$pid" 2>/dev/null; then
    break
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "$http" > "$workdir/http"
    echo "$http"
    exit 0
  fi
  sleep 0.1
done
kill -TERM -- "-$pid" 2>/dev/null || true
echo "start.sh: $name did not accept connections on $http; the last lines it wrote:" >&2
tail -n 15 "$workdir/proxy.log" >&2
exit 3
