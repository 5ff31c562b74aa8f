#!/usr/bin/env bash
# Captures the echo pages of the echo apps in scripts/backends, the test
# data of the conformance.echo_captured test. For each BACKEND[:FORMAT]
# (FORMAT as run.sh's FCS_ECHO_FORMAT), the STDOUT of two requests sent
# with fcgi-curl goes to NAME-probe.out and NAME-awkward.out (NAME is
# BACKEND, or BACKEND-FORMAT):
#   probe    a marker param FCGISPEC_PROBE=tok-capture and a plain body
#   awkward  params with bytes outside ASCII, %, =, a LF and an empty
#            value, and a body of every byte value
# "responder" is the reference responder: its line echo records exactly
# what fcgi-curl sent.
#   sudo bash conformance/tests/data/echo/capture.sh [BACKEND[:FORMAT]...]
# It runs in a private mount namespace (so it needs root) with the echo
# apps bound at /srv/fcgispec, and starts the backends from / with only
# PATH, HOME=/ and LANG=C.UTF-8 in their environment, so the pages name no
# directory or variable of the machine that captured them. FCS_BUILD_DIR
# picks the build (default build/default).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
build=${FCS_BUILD_DIR:-$root/build/default}
if [ "${FCS_CAPTURE_NS:-}" != 1 ]; then
  exec env FCS_CAPTURE_NS=1 FCS_BUILD_DIR="$build" unshare -m --propagation private bash "$0" "$@"
fi
mount -t tmpfs none /srv
mkdir /srv/fcgispec
mount --bind "$root/scripts/backends" /srv/fcgispec
curl_bin=$build/conformance/client/fcgi-curl
responder=$build/responder/fcgi-responder
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for ((i = 0; i < 256; i++)); do printf "\\x$(printf %02x $i)"; done >"$dir/body"

# The two requests; $1 the target, $2 SCRIPT_FILENAME.
probe() { "$curl_bin" -i -m 20 -s "$2" -p FCGISPEC_PROBE=tok-capture -d fcgispec-probe-body "$1" '/probe?x=1'; }
awkward() {
  "$curl_bin" -i -m 20 -s "$2" -p $'BIN=a\x01\x7f\x80\xff' -p 'PCT=%41=%' -p $'LF=one\n two' \
    -p 'EMPTY=' -p $'UTF8=\xc3\xa9' -d "@$dir/body" "$1" '/awkward?q=a%20b'
}

capture() {
  local backend=${1%%:*} format=lines name=$1 start script pid
  [[ $1 == *:* ]] && format=${1#*:} && name=$backend-$format
  local sock="$dir/$name.sock"
  if [ "$backend" = responder ]; then
    env -i "$responder" --listen "unix:$sock" --echo-format "$format" >/dev/null &
    script=/fcgispec
  else
    start=/srv/fcgispec/$backend.sh
    setting() { sed -n "s/^# fcgispec-$1: //p" "$start" | head -1; }
    script=$(setting "script-filename-$format")
    script=${script:-$(setting script-filename)}
    script=${script/#scripts\/backends\//\/srv\/fcgispec\/}
    (cd / && exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ LANG=C.UTF-8 FCS_ECHO_FORMAT="$format" \
      bash "$start" "unix:$sock" 2>"$dir/$name.log" >/dev/null) &
  fi
  pid=$!
  # Up to a minute to start (some build their app first).
  for ((t = 0; t < 600; t++)); do
    [ -S "$sock" ] && probe "unix:$sock" "$script" >"$here/$name-probe.out" 2>/dev/null && break
    sleep 0.1
  done
  awkward "unix:$sock" "$script" >"$here/$name-awkward.out" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$name: $(wc -c <"$here/$name-probe.out") + $(wc -c <"$here/$name-awkward.out") bytes"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(responder php-fpm php-fpm:json php-fpm:php-var-dump
  php-fpm:php-print-r fcgiwrap libfcgi go perl-fcgi anyevent-fcgi mojo-fastcgi
  net-async-fastcgi net-async-fastcgi:json net-async-fastcgi:printenv node-fastcgi
  ruby-fcgi uwsgi mono-fastcgi)
for t in "${targets[@]}"; do capture "$t"; done
