#!/usr/bin/env bash
# Fills DIR (created if missing) with the files the proxy cases request:
# the proxies look for a .php file before they forward it, and serve the
# rest themselves. The backend answers for .php, so their content is only a
# marker. Usage: docroot.sh DIR
set -euo pipefail
dir=${1:?usage: docroot.sh DIR}
mkdir -p "$dir/sub"
for f in test.php index.php sub/page.php; do
  echo "<?php // fcgispec proxy docroot: $f (the FastCGI backend answers)" > "$dir/$f"
done
echo "fcgispec static file" > "$dir/static.txt"
# The workers of some proxies run as another user (apache2-common.sh).
chmod -R a+rX "$dir"
