#!/usr/bin/env bash
# lighttpd (mod_fastcgi) forwarding .php to the FastCGI address, in the
# foreground (-D).
# fcgispec-proxy-package: lighttpd
# fcgispec-proxy-needs: /usr/sbin/lighttpd /usr/share/lighttpd/create-mime.conf.pl
# fcgispec-proxy-config: Debian's /etc/lighttpd/conf-available/15-fastcgi-php-fpm.conf (fastcgi.server for ".php" with broken-scriptfilename, "socket" or "host"/"port" in place of 15-fastcgi-php.conf's bin-path), in Debian's /etc/lighttpd/lighttpd.conf (its http-parseopts, index-file.names, static-file.exclude-extensions)
#
# Started as root, lighttpd keeps running as root (no server.username);
# otherwise as the current user.
source "$(dirname "$0")/common.sh"
if [ -n "$fcgi_sock" ]; then
  where="\"socket\" => \"$fcgi_sock\","
else
  where="\"host\" => \"$fcgi_host\", \"port\" => $fcgi_port,"
fi
mkdir "$work/uploads"
cat > "$work/lighttpd.conf" <<CONF
server.modules = ( "mod_indexfile", "mod_access", "mod_fastcgi", "mod_staticfile" )
server.document-root = "$docroot"
server.upload-dirs = ( "$work/uploads" )
server.pid-file = "$work/lighttpd.pid"
server.bind = "$http_host"
server.port = $http_port
server.http-parseopts = (
  "header-strict" => "enable",
  "host-strict" => "enable",
  "host-normalize" => "enable",
  "url-normalize-unreserved" => "enable",
  "url-normalize-required" => "enable",
  "url-ctrls-reject" => "enable",
  "url-path-2f-decode" => "enable",
  "url-path-dotseg-remove" => "enable",
)
index-file.names = ( "index.php", "index.html" )
url.access-deny = ( "~", ".inc" )
static-file.exclude-extensions = ( ".php", ".pl", ".fcgi" )
include_shell "/usr/share/lighttpd/create-mime.conf.pl"
fastcgi.server += ( ".php" =>
  ((
    $where
    "broken-scriptfilename" => "enable"
  ))
)
CONF
run_proxy "$bin" -D -f "$work/lighttpd.conf"
