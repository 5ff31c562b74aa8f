#!/usr/bin/env bash
# php-fpm (Debian php8.2-fpm) serving echo.php on ADDRESS. The echo apps
# of the other formats are picked by the SCRIPT_FILENAME run.sh sends.
# fcgispec-package: php8.2-fpm
# fcgispec-script-filename: scripts/backends/echo.php
# fcgispec-jobs: 2
# fcgispec-echo-formats: lines json php-var-dump php-print-r
# fcgispec-script-filename-json: scripts/backends/echo-json.php
# fcgispec-script-filename-php-var-dump: scripts/backends/echo-var-dump.php
# fcgispec-script-filename-php-print-r: scripts/backends/echo-print-r.php
source "$(dirname "$0")/common.sh"
fpm=$(command -v php-fpm8.2 || command -v php-fpm || ls /usr/sbin/php-fpm* | head -1)
cat > "$work/php-fpm.conf" <<CONF
[global]
error_log = $work/error.log
daemonize = no
[echo]
listen = ${sock:-$host:$port}
pm = static
pm.max_children = 4
clear_env = no
CONF
run_child "$fpm" --allow-to-run-as-root --nodaemonize --fpm-config "$work/php-fpm.conf"
