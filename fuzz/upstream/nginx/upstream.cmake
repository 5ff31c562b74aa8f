# nginx 1.22.1 (Debian's nginx source package): every unit nginx's own
# Makefile compiles for prepare.sh's configure (the core, the epoll event
# module, the HTTP core and filters, the upstream layer and
# ngx_http_fastcgi_module), unmodified, plus shim_worker.c in place of
# main() and the worker loop (main() is renamed away so that the harness's
# driver owns the program).
file(READ ${UPSTREAM_SRC}/objs/Makefile nginx_makefile)
string(REGEX MATCHALL "src/[a-z0-9_/]+\\.c" nginx_units "${nginx_makefile}")
list(REMOVE_DUPLICATES nginx_units)
list(TRANSFORM nginx_units PREPEND ${UPSTREAM_SRC}/)

# The project's HTTP response parser (proxy mode's), for the oracle.
add_library(fcs_upstream_nginx_http STATIC
  ${PROJECT_SOURCE_DIR}/conformance/src/http_parse.c
  ${PROJECT_SOURCE_DIR}/conformance/src/http_client.c
  ${PROJECT_SOURCE_DIR}/conformance/src/target.c)
target_include_directories(fcs_upstream_nginx_http PUBLIC
  ${PROJECT_SOURCE_DIR}/conformance/src)
target_link_libraries(fcs_upstream_nginx_http PUBLIC fcs_bytebuf)
target_compile_definitions(fcs_upstream_nginx_http PRIVATE
  _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
# target.c starts backends too (unused here).
target_link_libraries(fcs_upstream_nginx_http PUBLIC fcs_spawn)

# The units a FastCGI reply passes through carry libFuzzer's coverage
# (fcs_upstream_library); the rest of nginx (configuration, core, request
# side), built once with the same flags, comes in as objects: its coverage
# would not steer the fuzzer, only slow every run down.
set(nginx_reply_units
  ${UPSTREAM_SRC}/src/http/modules/ngx_http_fastcgi_module.c
  ${UPSTREAM_SRC}/src/http/ngx_http_upstream.c
  ${UPSTREAM_SRC}/src/http/ngx_http_parse.c
  ${UPSTREAM_SRC}/src/event/ngx_event_pipe.c
  ${UPSTREAM_SRC}/src/http/ngx_http_header_filter_module.c
  ${UPSTREAM_SRC}/src/http/modules/ngx_http_chunked_filter_module.c
  ${UPSTREAM_SRC}/src/http/ngx_http_special_response.c)
list(REMOVE_ITEM nginx_units ${nginx_reply_units})
set(nginx_includes ${UPSTREAM_SRC}/src/core ${UPSTREAM_SRC}/src/event
    ${UPSTREAM_SRC}/src/event/modules ${UPSTREAM_SRC}/src/os/unix
    ${UPSTREAM_SRC}/objs ${UPSTREAM_SRC}/src/http
    ${UPSTREAM_SRC}/src/http/modules)
add_library(fcs_upstream_nginx_rest OBJECT ${nginx_units}
  ${UPSTREAM_SRC}/objs/ngx_modules.c ${HARNESS_DIR}/shim_worker.c)
target_include_directories(fcs_upstream_nginx_rest PRIVATE ${nginx_includes})
target_compile_options(fcs_upstream_nginx_rest PRIVATE -w -Dmain=nginx_main)
set_target_properties(fcs_upstream_nginx_rest PROPERTIES C_EXTENSIONS ON)

fcs_upstream_library(nginx
  SOURCES ${nginx_reply_units} $<TARGET_OBJECTS:fcs_upstream_nginx_rest>
  INCLUDES ${nginx_includes}
  LIBS fcs_upstream_nginx_http)
# By include path (the planted copy of harness.c is built elsewhere).
foreach(lib fcs_upstream_nginx fcs_upstream_nginx_fuzzcov)
  if(TARGET ${lib})
    target_include_directories(${lib} INTERFACE ${HARNESS_DIR} ${FCS_FUZZ_DIR})
  endif()
endforeach()
fcs_fuzz_target(nginx SOURCE ${HARNESS_DIR}/harness.c LIBS fcs_upstream_nginx)

# The oracle, shown to fail: the parser is told that every response answers
# a HEAD request, as if nginx had sent a body after a response that has
# none; the body then reads as the next response.
fcs_planted_bug(nginx_body_after_bodiless nginx fuzz/upstream/nginx/harness.c
  "c.head_mask = (unsigned)k->head;" "c.head_mask = 1;"
  "FUZZ ORACLE FAILED: .*: (the response does not parse: bad status line|nginx wrote [0-9]+ responses)")
