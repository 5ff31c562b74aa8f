#!/usr/bin/env bash
# nginx forwarding .php to the FastCGI address, in the foreground.
# fcgispec-proxy-package: nginx
# fcgispec-proxy-needs: /usr/sbin/nginx /etc/nginx/snippets/fastcgi-php.conf /etc/nginx/fastcgi.conf
# fcgispec-proxy-config: the PHP block of Debian's /etc/nginx/sites-available/default (include snippets/fastcgi-php.conf, fastcgi_pass), with the location regex of nginx.org's "PHP FastCGI Example" so that /x.php/path-info reaches the backend
#
# The snippet is Debian's, included unchanged: it splits PATH_INFO, answers
# 404 itself when the script file does not exist (try_files), and includes
# fastcgi.conf (SCRIPT_FILENAME = $document_root$fastcgi_script_name). It
# includes "fastcgi.conf" relative to the configuration's directory, so the
# work directory links to Debian's files. Started as root, the workers stay
# root (user directive); otherwise they run as the current user.
source "$(dirname "$0")/common.sh"
ln -s /etc/nginx/snippets "$work/snippets"
ln -s /etc/nginx/fastcgi.conf "$work/fastcgi.conf"
upstream=${fcgi_sock:+unix:$fcgi_sock}
upstream=${upstream:-$fcgi_host:$fcgi_port}
user_line=""
$is_root && user_line="user $user $group;"
cat > "$work/nginx.conf" <<CONF
$user_line
daemon off;
pid $work/nginx.pid;
error_log stderr;
events {}
http {
  access_log $work/access.log;
  client_body_temp_path $work/client_body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  server {
    listen $http_host:$http_port;
    server_name _;
    root $docroot;
    index index.php index.html;
    location / {
      try_files \$uri \$uri/ =404;
    }
    location ~ [^/]\.php(/|\$) {
      include snippets/fastcgi-php.conf;
      fastcgi_pass $upstream;
    }
  }
}
CONF
run_proxy "$bin" -p "$work" -e stderr -c "$work/nginx.conf"
