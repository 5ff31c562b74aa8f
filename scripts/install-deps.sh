#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/packages.d/*.txt that are
# not installed yet. Idempotent: with everything present it touches nothing.
#   install-deps.sh            every list
#   install-deps.sh base ...   only the named lists (packages.d/NAME.txt)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=()
for name in "$@"; do
  [ -f "$here/packages.d/$name.txt" ] || { echo "install-deps: no list packages.d/$name.txt" >&2; exit 2; }
  lists+=("$here/packages.d/$name.txt")
done
[ ${#lists[@]} -gt 0 ] || lists=("$here"/packages.d/*.txt)
mapfile -t wanted < <(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -q
# Packages such as web servers start their service from postinst; invoke-rc.d
# asks /usr/sbin/policy-rc.d first, and exit status 101 means "not now".
# Without such a file, one is written for the install and removed after it,
# also when apt fails. An existing one is the machine's and is left alone.
# (FCS_POLICY_RC_D names another path: for the tests.)
policy=${FCS_POLICY_RC_D:-/usr/sbin/policy-rc.d}
if [ ! -e "$policy" ]; then
  trap '$sudo rm -f "$policy"' EXIT
  trap 'exit 130' INT # a signal would skip the EXIT trap otherwise
  trap 'exit 143' TERM
  printf '#!/bin/sh\n# written by install-deps.sh for the duration of apt-get install\nexit 101\n' |
    $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
