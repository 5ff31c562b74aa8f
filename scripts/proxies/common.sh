# Sourced by the proxy start scripts (NAME.sh HTTP_ADDR FASTCGI_ADDR DOCROOT):
# checks the arguments and that the proxy is installed, splits the
# addresses, and makes a private work directory for the configuration,
# logs, pid and temporary files, removed when the script is stopped
# (fcgispec stops the script's process group with TERM).
#
# What a start script declares in its header, read here:
#   # fcgispec-proxy-needs: files that must exist, the binary first
#   # fcgispec-proxy-package: the Debian packages that install them
# and, read by run.sh instead:
#   # fcgispec-proxy-timeout: MS and why, when the proxy is slow but not
#     hung for longer than fcgispec's default --timeout
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=$(basename "$0")
usage="usage: $me tcp:127.0.0.1:PORT unix:PATH|tcp:HOST:PORT DOCROOT"
[ $# -eq 3 ] || { echo "$usage" >&2; exit 2; }
die() { echo "$me: $*" >&2; exit 2; }

case $1 in
  tcp:*:*) hp=${1#tcp:}; http_host=${hp%:*}; http_port=${hp##*:} ;;
  *) die "the HTTP address must be tcp:HOST:PORT, not '$1'" ;;
esac
case $2 in
  unix:/*) fcgi_sock=${2#unix:}; fcgi_host=""; fcgi_port="" ;;
  tcp:*:*) fcgi_sock=""; hp=${2#tcp:}; fcgi_host=${hp%:*}; fcgi_port=${hp##*:} ;;
  *) die "the FastCGI address must be unix:/ABSOLUTE/PATH or tcp:HOST:PORT, not '$2'" ;;
esac
[ -d "$3" ] || die "the document root '$3' is not a directory"
docroot=$(cd "$3" && pwd)

setting() { sed -n "s/^# fcgispec-proxy-$1: //p" "$0" | head -1; }
read -r -a needs <<<"$(setting needs)"
for f in "${needs[@]}"; do
  [ -e "$f" ] || die "$f is missing (it comes with Debian's $(setting package))"
done
bin=${needs[0]}

# Started as root, the proxies that can keep their workers as root are told
# to (user and group below); the others drop to another user, checked with
# check_reachable.
is_root=false
[ "$(id -u)" -eq 0 ] && is_root=true
user=$(id -un)
group=$(id -gn)

source "$here/../lib/workdir.sh" fcgispec-proxy

# Runs the proxy in the foreground of this script (in the background of the
# shell, waited for), so the trap above can stop it by pid and clean up.
# Its environment is the PATH a system service gets (systemd's default) and
# the NAME=VALUE words before the command, so what a proxy passes on from
# its environment does not depend on who started it.
run_proxy() {
  run_child env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# Fails, naming the path, unless user $1 can read the document root and
# reach the FastCGI socket (the workers of a proxy that drops to it).
check_reachable() {
  local who=$1
  command -v runuser >/dev/null || die "runuser is needed to check what $who can reach"
  runuser -u "$who" -- test -r "$docroot" -a -x "$docroot" ||
    die "the workers run as $who, who cannot read the document root $docroot"
  if [ -n "$fcgi_sock" ]; then
    runuser -u "$who" -- test -x "$(dirname "$fcgi_sock")" ||
      die "the workers run as $who, who cannot reach the directory of $fcgi_sock"
    if [ -S "$fcgi_sock" ]; then
      runuser -u "$who" -- test -w "$fcgi_sock" ||
        die "the workers run as $who, who cannot connect to $fcgi_sock (no write permission)"
    fi
  fi
}
