#!/usr/bin/env bash
# HAProxy forwarding PHP paths to the FastCGI address with its fcgi-app,
# in the foreground (-db).
# fcgispec-proxy-package: haproxy
# fcgispec-proxy-needs: /usr/sbin/haproxy
# fcgispec-proxy-config: the example of section 10.1.3 of HAProxy's configuration manual (/usr/share/doc/haproxy/configuration.txt.gz: fcgi-app with log-stderr global, option keep-conn, docroot, index index.php, path-info ^(/.+\.php)(/.*)?$; a backend with use-fcgi-app and a "proto fcgi" server; the frontend's use_backend for path_reg ^/.+\.php(/.*)?$), with the log and timeouts of Debian's /etc/haproxy/haproxy.cfg
#
# HAProxy serves no files: the manual's example sends other paths to a
# static HTTP server, which is left without servers here (HAProxy answers
# 503). Paths ending in "/" go to the FastCGI backend too, so the fcgi-app's
# index has something to do. Started as root, HAProxy keeps running as
# root (no user directive); the log goes to stderr.
source "$(dirname "$0")/common.sh"
server=${fcgi_sock:-$fcgi_host:$fcgi_port}
cat > "$work/haproxy.cfg" <<CONF
global
    log stderr format raw local0

defaults
    log global
    mode http
    option httplog
    option dontlognull
    timeout connect 5000
    timeout client 50000
    timeout server 50000

frontend front-http
    mode http
    bind $http_host:$http_port
    use_backend back-dynamic if { path_reg ^/.+\.php(/.*)?\$ }
    use_backend back-dynamic if { path_end / }
    default_backend back-static

backend back-static
    mode http

backend back-dynamic
    mode http
    use-fcgi-app php-fpm
    server php-fpm $server proto fcgi

fcgi-app php-fpm
    log-stderr global
    option keep-conn
    docroot $docroot
    index index.php
    path-info ^(/.+\.php)(/.*)?\$
CONF
run_proxy "$bin" -db -f "$work/haproxy.cfg"
