#!/usr/bin/env bash
# Apache 2.4 with mod_fcgid, in the foreground (-DFOREGROUND, its own -f
# configuration and -d root). mod_fcgid does not connect to a FastCGI
# address: it spawns the application itself with a listening socket on
# fd 0. The application it spawns for .php (FcgidWrapper) is fcgi-relay.py,
# which relays each connection unchanged to the FastCGI address, given to it
# in FCGISPEC_RELAY_TO (FcgidInitialEnv).
# fcgispec-proxy-package: apache2 libapache2-mod-fcgid
# fcgispec-proxy-needs: /usr/sbin/apache2 /usr/lib/apache2/modules/mod_fcgid.so /usr/bin/python3
# fcgispec-proxy-timeout: 4000 ms: mod_fcgid waits for a free application
#   process in whole seconds (fcgid_bridge.c sleeps 1 s between tries and
#   asks its process manager to spawn one), so on a loaded machine a
#   request can sit silent past fcgispec's 2000 ms while a relay starts;
#   a second under Apache's KeepAliveTimeout (5 s), so a client connection
#   Apache leaves waiting until that timer closes it is still a hang
# fcgispec-proxy-config: the PHP example of mod_fcgid's documentation (AddHandler fcgid-script .php, Options +ExecCGI, FcgidWrapper WRAPPER .php) with Debian's /etc/apache2/mods-available/fcgid.conf, in Debian's /etc/apache2/apache2.conf
#
# Workers: see apache2-common.sh (www-data when started as root; then the
# relay runs as www-data too, and it is copied into the work directory,
# which www-data may enter, as may mod_fcgid's socket directory in it).
source "$(dirname "$0")/common.sh"
source "$here/apache2-common.sh"
install -m 0755 "$here/fcgi-relay.py" "$work/fcgi-relay.py"
chmod 0711 "$work"
cat >> "$work/apache2.conf" <<CONF
LoadModule fcgid_module $modules/mod_fcgid.so
FcgidIPCDir $work/fcgid
FcgidProcessTableFile $work/fcgid-shm
FcgidConnectTimeout 20
AddHandler fcgid-script .fcgi
FcgidInitialEnv FCGISPEC_RELAY_TO ${fcgi_sock:+unix:$fcgi_sock}${fcgi_host:+tcp:$fcgi_host:$fcgi_port}
<Directory $docroot>
  AddHandler fcgid-script .php
  Options +ExecCGI
  FcgidWrapper $work/fcgi-relay.py .php
</Directory>
CONF
run_apache
