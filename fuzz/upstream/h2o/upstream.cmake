# h2o: lib/handler/fastcgi.c with the library it is part of, compiled
# unmodified from the Debian source: every C unit of h2o's own
# libh2o-evloop (its LIB_SOURCE_FILES, without the optional brotli and
# wslay parts; the linker keeps what the harness reaches). harness.c says
# how they are driven.
set(h2o_units
  deps/cloexec/cloexec.c
  deps/libgkc/gkc.c
  deps/libyrmcds/close.c
  deps/libyrmcds/connect.c
  deps/libyrmcds/recv.c
  deps/libyrmcds/send.c
  deps/libyrmcds/send_text.c
  deps/libyrmcds/socket.c
  deps/libyrmcds/strerror.c
  deps/libyrmcds/text_mode.c
  deps/picohttpparser/picohttpparser.c
  lib/common/cache.c
  lib/common/file.c
  lib/common/filecache.c
  lib/common/hostinfo.c
  lib/common/http1client.c
  lib/common/memcached.c
  lib/common/memory.c
  lib/common/multithread.c
  lib/common/serverutil.c
  lib/common/socket.c
  lib/common/socketpool.c
  lib/common/string.c
  lib/common/time.c
  lib/common/timeout.c
  lib/common/url.c
  lib/core/config.c
  lib/core/configurator.c
  lib/core/context.c
  lib/core/headers.c
  lib/core/logconf.c
  lib/core/proxy.c
  lib/core/request.c
  lib/core/token.c
  lib/core/util.c
  lib/handler/access_log.c
  lib/handler/chunked.c
  lib/handler/compress.c
  lib/handler/compress/gzip.c
  lib/handler/errordoc.c
  lib/handler/expires.c
  lib/handler/fastcgi.c
  lib/handler/file.c
  lib/handler/headers.c
  lib/handler/mimemap.c
  lib/handler/proxy.c
  lib/handler/redirect.c
  lib/handler/reproxy.c
  lib/handler/throttle_resp.c
  lib/handler/status.c
  lib/handler/headers_util.c
  lib/handler/status/events.c
  lib/handler/status/requests.c
  lib/handler/http2_debug_state.c
  lib/handler/status/durations.c
  lib/handler/configurator/access_log.c
  lib/handler/configurator/compress.c
  lib/handler/configurator/errordoc.c
  lib/handler/configurator/expires.c
  lib/handler/configurator/fastcgi.c
  lib/handler/configurator/file.c
  lib/handler/configurator/headers.c
  lib/handler/configurator/proxy.c
  lib/handler/configurator/redirect.c
  lib/handler/configurator/reproxy.c
  lib/handler/configurator/throttle_resp.c
  lib/handler/configurator/status.c
  lib/handler/configurator/http2_debug_state.c
  lib/handler/configurator/headers_util.c
  lib/http1.c
  lib/tunnel.c
  lib/http2/cache_digests.c
  lib/http2/casper.c
  lib/http2/connection.c
  lib/http2/frame.c
  lib/http2/hpack.c
  lib/http2/scheduler.c
  lib/http2/stream.c
  lib/http2/http2_debug_state.c)
list(TRANSFORM h2o_units PREPEND ${UPSTREAM_SRC}/)
set(h2o_includes include deps/cloexec deps/golombset deps/libgkc
    deps/libyrmcds deps/klib deps/picohttpparser deps/yoml)
list(TRANSFORM h2o_includes PREPEND ${UPSTREAM_SRC}/)
set(h2o_defines H2O_USE_LIBUV=0 _GNU_SOURCE)
# Debian's build links the same system libraries (libssl-dev, libyaml-dev,
# zlib1g-dev).
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_library(FCS_LIBYAML yaml REQUIRED)

# The shims are ours: built with our warnings, h2o's headers as system
# headers, and linked into the library with the units they stand beside.
add_library(fcs_h2o_shims OBJECT ${HARNESS_DIR}/shim_client.c)
target_include_directories(fcs_h2o_shims SYSTEM PRIVATE ${h2o_includes})
target_compile_definitions(fcs_h2o_shims PRIVATE ${h2o_defines})

# The harness finds its headers (fuzz/support, shim_client.h) on the
# include path, so a planted copy of it elsewhere compiles too.
fcs_upstream_library(h2o
  SOURCES ${h2o_units} $<TARGET_OBJECTS:fcs_h2o_shims>
  INCLUDES ${h2o_includes} ${FCS_FUZZ_DIR}/support ${HARNESS_DIR}
  DEFINES ${h2o_defines}
  LIBS OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB ${FCS_LIBYAML}
       Threads::Threads)
foreach(lib fcs_upstream_h2o fcs_upstream_h2o_fuzzcov)
  if(TARGET ${lib})
    # h2o's headers do not compile warning-free under our flags.
    set_target_properties(${lib} PROPERTIES SYSTEM ON)
  endif()
endforeach()
fcs_fuzz_target(h2o SOURCE ${HARNESS_DIR}/harness.c LIBS fcs_upstream_h2o)

# The body oracle catches a read path that loses bytes: the planted harness
# drops the first byte of every piece after the first it writes to h2o.
fcs_planted_bug(h2o_piece_loses_byte h2o fuzz/upstream/h2o/harness.c
  "app_write(app, in + at, n)"
  "app_write(app, in + at + (at > 0), n - (at > 0))"
  "FUZZ ORACLE FAILED: h2o (sent [0-9]+ body bytes|started a response)")
