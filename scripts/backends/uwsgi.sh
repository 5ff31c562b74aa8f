#!/usr/bin/env bash
# uWSGI (Debian uwsgi-core + uwsgi-plugin-python3) serving uwsgi-echo.py on
# its FastCGI socket at ADDRESS: a master and two worker processes.
# fcgispec-package: uwsgi-core
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 2
source "$(dirname "$0")/common.sh"
uwsgi=$(command -v uwsgi-core || command -v uwsgi || true)
# A missing package is reported on stdout (run.sh keeps the backend's stderr
# in a temporary log) and on stderr, and fcgispec then exits 3.
if [ -z "$uwsgi" ] || [ ! -e /usr/lib/uwsgi/plugins/python3_plugin.so ]; then
  echo "uwsgi.sh: skipped: uwsgi-core or uwsgi-plugin-python3 is not installed (bash scripts/install-deps.sh)" | tee /dev/stderr
  exit 3
fi
# --die-on-term: SIGTERM stops the master and its workers (the default
# reloads them).
run_child "$uwsgi" --plugin python3 --fastcgi-socket "${sock:-$host:$port}" \
  --chdir "$here" --wsgi-file "$here/uwsgi-echo.py" \
  --master --processes 2 --die-on-term --disable-logging
