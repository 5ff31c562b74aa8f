# lighttpd 1.4.69: mod_fastcgi's reply path (docs/fuzzing.md, "lighttpd").
# The units are lighttpd's common_src (src/meson.build: what its modules
# link against, gw_backend.c and http-header-glue.c among them), mod_fastcgi,
# and the server units the request needs on its way: the epoll event loop
# (fdevent_impl.c), the request objects (reqpool.c), the backend writer
# (network_write.c) and config contexts (data_config.c). Built as
# prepare.sh's config.h and lighttpd's Makefile define them.
set(lighttpd_units
  algo_md5 algo_sha1 algo_splaytree array base64 buffer burl chunk
  configfile-glue http_etag fdevent fdevent_fdnode fdlog_maint fdlog
  gw_backend http_cgi http_chunk http_date http_header http_kv
  http-header-glue keyvalue log rand request ck sock_addr stat_cache
  sys-setjmp
  mod_fastcgi fdevent_impl reqpool network_write data_config)
list(TRANSFORM lighttpd_units PREPEND ${UPSTREAM_SRC}/src/)
list(TRANSFORM lighttpd_units APPEND .c)

# glibc's SUN_LEN, which sock_addr.c uses once to size the unix socket
# address at start-up, is the offsetof idiom on a null pointer; UBSan's
# null check would stop every run there. sock_addr.c plays no part in
# reading the reply.
set_source_files_properties(${UPSTREAM_SRC}/src/sock_addr.c
  PROPERTIES COMPILE_OPTIONS -fno-sanitize=null)

# http_header_hkey_get forms a pointer before its table for header names
# of lengths no known header has (F147 in docs/findings): undefined
# behaviour that is never read, which any header line of such a length
# reaches. UBSan's array-bounds report on it is made recoverable in this
# one file, and the replay test lets recoverable reports go on, so that
# fuzzing passes it (it is reported once per process); every other check
# still stops the run. The ctest fuzz_upstream_bug_lighttpd_F147 halts on
# it, to show the pinned source still has it.
set_source_files_properties(${UPSTREAM_SRC}/src/http_header.c
  PROPERTIES COMPILE_OPTIONS -fsanitize-recover=array-bounds)

fcs_upstream_library(lighttpd
  SOURCES ${lighttpd_units}
          ${HARNESS_DIR}/shim_server.c
          ${HARNESS_DIR}/shim_connect.c
  INCLUDES ${UPSTREAM_SRC} ${UPSTREAM_SRC}/src ${HARNESS_DIR}
  DEFINES HAVE_CONFIG_H _REENTRANT _TIME_BITS=64 _FILE_OFFSET_BITS=64
          _LARGEFILE_SOURCE _LARGE_FILES _DEFAULT_SOURCE)
fcs_fuzz_target(lighttpd SOURCE ${HARNESS_DIR}/harness.c
                LIBS fcs_upstream_lighttpd)
set_tests_properties(fuzz_replay_lighttpd PROPERTIES ENVIRONMENT
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0")

# The body oracle, shown to fail: lighttpd is handed each piece of the
# reply but its first byte, as a reader that loses a byte at every read
# boundary would see the stream.
fcs_planted_bug(lighttpd_read_loses_byte lighttpd
  fuzz/upstream/lighttpd/harness.c
  "lts_send(data + at, n)" "lts_send(data + at + (n > 1), n - (n > 1))"
  "FUZZ ORACLE FAILED: lighttpd (forwarded [0-9]+ body bytes|took header block|put [0-9]+ body bytes)")
