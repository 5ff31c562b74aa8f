#!/usr/bin/env bash
# h2o forwarding .php to the FastCGI address (fastcgi.connect as the
# file.custom-handler of .php), in the foreground.
# fcgispec-proxy-package: h2o
# fcgispec-proxy-needs: /usr/bin/h2o
# fcgispec-proxy-config: the file.custom-handler example of h2o's FastCGI directives documentation (h2o.examp1e.net/configure/fastcgi_directives.html: extension .php, fastcgi.connect with port and type), in Debian's /etc/h2o/h2o.conf (file.dir as the "/" path), with file.index listing index.php first as h2o setups for PHP do
#
# Started as root, h2o would switch to nobody without a user directive: it
# is told to stay the current user. The error log is stderr.
# FCS_H2O_FASTCGI_KEEPALIVE=MS adds fastcgi.timeout.keepalive (off by
# default): h2o then keeps its FastCGI connections for MS milliseconds.
source "$(dirname "$0")/common.sh"
keepalive=""
if [ -n "${FCS_H2O_FASTCGI_KEEPALIVE:-}" ]; then
  [[ $FCS_H2O_FASTCGI_KEEPALIVE =~ ^[0-9]+$ ]] ||
    die "FCS_H2O_FASTCGI_KEEPALIVE must be milliseconds, not '$FCS_H2O_FASTCGI_KEEPALIVE'"
  keepalive="fastcgi.timeout.keepalive: $FCS_H2O_FASTCGI_KEEPALIVE"
fi
if [ -n "$fcgi_sock" ]; then
  connect="port: $fcgi_sock
            type: unix"
else
  connect="host: $fcgi_host
            port: $fcgi_port
            type: tcp"
fi
user_line=""
$is_root && user_line="user: $user"
cat > "$work/h2o.conf" <<CONF
$user_line
pid-file: $work/h2o.pid
access-log: $work/access.log
listen:
  host: $http_host
  port: $http_port
hosts:
  default:
    paths:
      /:
        file.dir: $docroot
        file.index: [ 'index.php', 'index.html' ]
        file.custom-handler:
          extension: .php
          $keepalive
          fastcgi.connect:
            $connect
CONF
run_proxy "$bin" -c "$work/h2o.conf"
