#!/usr/bin/env bash
# Prints the name of every proxy that has a start script here (NAME.sh
# declaring "# fcgispec-proxy-package:"), one a line, sorted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
grep -l '^# fcgispec-proxy-package: ' "$here"/*.sh | xargs -n1 basename | sed 's/\.sh$//' | sort
