#!/bin/bash
# nginx's own ./configure, for the headers and module list it generates
# (objs/ngx_auto_config.h, objs/ngx_auto_headers.h, objs/ngx_modules.c).
# fuzz/upstream/nginx/upstream.cmake compiles the units; nginx's Makefile
# is not used. Modules that need libraries (PCRE, zlib) or write files
# (the HTTP cache) are left out, and so is every HTTP module the harness's
# configuration does not use; what stays is the core, the epoll event
# module, the HTTP core with its header and body filters, the upstream
# layer, round-robin balancing and ngx_http_fastcgi_module.
set -euo pipefail
off=(
  http-cache
  http_charset_module http_gzip_module http_ssi_module http_userid_module
  http_access_module http_auth_basic_module http_mirror_module
  http_autoindex_module http_geo_module http_map_module
  http_split_clients_module http_referer_module http_rewrite_module
  http_proxy_module http_uwsgi_module http_scgi_module http_grpc_module
  http_memcached_module http_limit_conn_module http_limit_req_module
  http_empty_gif_module http_browser_module http_upstream_hash_module
  http_upstream_ip_hash_module http_upstream_least_conn_module
  http_upstream_random_module http_upstream_keepalive_module
  http_upstream_zone_module poll_module select_module pcre
)
# A release tarball has ./configure; nginx's repository keeps it as
# auto/configure (the OSS-Fuzz build clones the repository).
configure=./configure
[ -x "$configure" ] || configure=auto/configure
"$configure" "${off[@]/#/--without-}"
test -f objs/ngx_auto_config.h && test -f objs/ngx_modules.c
