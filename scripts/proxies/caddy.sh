#!/usr/bin/env bash
# Caddy forwarding PHP to the FastCGI address with php_fastcgi, in the
# foreground (caddy run).
# fcgispec-proxy-package: caddy
# fcgispec-proxy-needs: /usr/bin/caddy
# fcgispec-proxy-config: the php_fastcgi line of Debian's /etc/caddy/Caddyfile (root, php_fastcgi, file_server; see caddyserver.com/docs/caddyfile/directives/php_fastcgi), with the global option "admin off" and a site address of scheme and port only (http://:PORT, with bind) so that Caddy opens no admin endpoint, manages no certificates and serves every Host
#
# Caddy keeps its data and configuration under HOME and the XDG
# directories: they point into the work directory. Started as root, Caddy
# runs as root (it does not change user); it logs to stderr.
source "$(dirname "$0")/common.sh"
upstream=${fcgi_sock:+unix/$fcgi_sock}
upstream=${upstream:-$fcgi_host:$fcgi_port}
mkdir -p "$work/home" "$work/config" "$work/data"
cat > "$work/Caddyfile" <<CONF
{
	admin off
}

http://:$http_port {
	bind $http_host
	root * $docroot
	php_fastcgi $upstream
	file_server
}
CONF
run_proxy HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
  "$bin" run --config "$work/Caddyfile" --adapter caddyfile
