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
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
