#!/usr/bin/env bash
# Apache 2.4 with mod_proxy_fcgi forwarding .php to the FastCGI address,
# in the foreground (-DFOREGROUND, its own -f configuration and -d root).
# fcgispec-proxy-package: apache2
# fcgispec-proxy-needs: /usr/sbin/apache2 /usr/lib/apache2/modules/mod_proxy_fcgi.so
# fcgispec-proxy-config: Debian's /etc/apache2/conf-available/php8.2-fpm.conf (SetEnvIfNoCase for Authorization, FilesMatch ".+\.ph(?:ar|p|tml)$" with SetHandler proxy:unix:PATH|fcgi://localhost or proxy:fcgi://HOST:PORT, the .phps and bare ".php" denials), in Debian's /etc/apache2/apache2.conf
#
# Workers: see apache2-common.sh (www-data when started as root).
source "$(dirname "$0")/common.sh"
source "$here/apache2-common.sh"
if [ -n "$fcgi_sock" ]; then
  handler="proxy:unix:$fcgi_sock|fcgi://localhost"
else
  handler="proxy:fcgi://$fcgi_host:$fcgi_port"
fi
cat >> "$work/apache2.conf" <<CONF
LoadModule proxy_module $modules/mod_proxy.so
LoadModule proxy_fcgi_module $modules/mod_proxy_fcgi.so
SetEnvIfNoCase ^Authorization\$ "(.+)" HTTP_AUTHORIZATION=\$1
<FilesMatch ".+\.ph(?:ar|p|tml)\$">
  SetHandler "$handler"
</FilesMatch>
<FilesMatch ".+\.phps\$">
  Require all denied
</FilesMatch>
<FilesMatch "^\.ph(?:ar|p|ps|tml)\$">
  Require all denied
</FilesMatch>
CONF
run_apache
