#!/bin/sh
# Generates lighttpd's config.h with its own autotools configure (the one
# Debian's rules run), in the unpacked source directory given as $1 (also
# the working directory). Only config.h is used: the harness compiles the
# units it needs itself. Optional libraries are all turned off (pcre2 too:
# config conditionals play no part in the FastCGI reply path), so the
# result does not depend on which -dev packages this machine has.
set -eu
cd "$1"
./configure --without-pcre2 --without-zlib --without-bzip2 --without-zstd \
  --without-brotli --without-libdeflate --without-lua --without-openssl \
  --disable-dependency-tracking
test -f config.h
