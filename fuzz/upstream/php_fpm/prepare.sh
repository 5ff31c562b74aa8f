#!/bin/sh
# Generates main/php_config.h (and Zend's, which includes it) for
# main/fastcgi.c: PHP's own configure, run in the unpacked source (cwd),
# trimmed to what the FastCGI layer needs. php-fpm's Debian build
# (debian/rules, fpm_config) is NTS with --disable-all and --enable-fpm;
# this keeps those and turns off the SAPIs and extensions it does not
# compile here. The configure script is the one the release ships (Debian
# regenerates it with buildconf; none of its patches touch what fastcgi.c
# reads from php_config.h: HAVE_POLL, HAVE_POLL_H, HAVE_SYS_SELECT_H,
# HAVE_SOCKLEN_T, HAVE_INET_PTON, HAVE_IPV6, HAVE_SOCKADDR_UN_SUN_LEN).
set -eu

# configure's temporary files stay in the source tree.
mkdir -p .fcgispec-tmp
TMPDIR=$PWD/.fcgispec-tmp
export TMPDIR

./configure --disable-all --enable-fpm --disable-cli --disable-cgi \
  --disable-phpdbg --disable-debug --without-pear --without-pcre-jit \
  --disable-opcache --disable-fiber-asm --without-valgrind
test -f main/php_config.h
