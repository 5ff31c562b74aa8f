# Sourced by apache2.sh and apache2-fcgid.sh after common.sh: writes the
# server part of the configuration, the one of Debian's
# /etc/apache2/apache2.conf with the modules the PHP handlers need, to
# $work/apache2.conf (the script appends its handler), and runs Apache in
# the foreground with its own ServerRoot. Apache refuses to serve as root:
# started as root, its workers run as Debian's www-data (APACHE_RUN_USER in
# /etc/apache2/envvars), so the document root and a Unix socket must be
# reachable by www-data (checked before it starts).
modules=/usr/lib/apache2/modules
run_user=""
if $is_root; then
  run_user=www-data
  check_reachable "$run_user"
fi
cat > "$work/apache2.conf" <<CONF
ServerName $http_host
Listen $http_host:$http_port
PidFile $work/apache2.pid
DefaultRuntimeDir $work
ErrorLog /dev/stderr
LogLevel warn
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule mime_module $modules/mod_mime.so
LoadModule dir_module $modules/mod_dir.so
LoadModule setenvif_module $modules/mod_setenvif.so
${run_user:+User $run_user}
${run_user:+Group $run_user}
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
HostnameLookups Off
TypesConfig /etc/mime.types
DirectoryIndex index.html index.cgi index.pl index.php index.xhtml index.htm
CustomLog $work/access.log "%h %l %u %t \"%r\" %>s %O"
<Directory />
  Options FollowSymLinks
  AllowOverride None
  Require all denied
</Directory>
DocumentRoot $docroot
<Directory $docroot>
  Options Indexes FollowSymLinks
  AllowOverride None
  Require all granted
</Directory>
CONF

run_apache() {
  run_proxy "$bin" -d "$work" -f "$work/apache2.conf" -DFOREGROUND
}
