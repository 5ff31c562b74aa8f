#!/usr/bin/env bash
# mono-fastcgi-server4 (Debian mono-fastcgi-server4, Mono's own FastCGI
# server for ASP.NET) hosting mono-fastcgi-echo.cs, an IHttpHandler mapped
# to every path, on ADDRESS.
# fcgispec-package: mono-fastcgi-server4
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr; fcgispec then exits 3.
if ! command -v fastcgi-mono-server4 >/dev/null || ! command -v mcs >/dev/null; then
  echo "mono-fastcgi.sh: skipped: mono-fastcgi-server4 or mono-mcs is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
mkdir -p "$work/app/bin"
mcs -nologo -target:library -r:System.Web -out:"$work/app/bin/FcgispecEcho.dll" "$here/mono-fastcgi-echo.cs"
cat > "$work/app/web.config" <<'CONF'
<?xml version="1.0"?>
<configuration>
  <system.web>
    <httpHandlers>
      <clear/>
      <add verb="*" path="*" type="FcgispecEcho, FcgispecEcho"/>
    </httpHandlers>
  </system.web>
</configuration>
CONF
export HOME="$work" # Mono keeps its per-user caches under HOME
# ASP.NET starts the application on the first request (about a second, more
# on a busy machine), longer than a case waits. So the server listens on a
# private socket, one request warms it up, and only then does ADDRESS appear
# (a symlink: connect() follows it). On TCP the port is open from the start
# and the warm-up just runs first.
if [ -n "$sock" ]; then listen="unix:$work/mono.sock"; else listen="tcp:$host:$port"; fi
# The server logs on stdout, which belongs to whoever started this script.
fastcgi-mono-server4 --applications="/:$work/app" --socket="$listen" >&2 &
child=$!
perl "$here/mono-fastcgi-warmup.pl" "$listen" 60
[ -z "$sock" ] || ln -sfn "$work/mono.sock" "$sock"
wait "$child"
