# HAProxy's FastCGI backend side: src/mux_fcgi.c (#included by
# drive_mux.c, which drives it through its ops as HAProxy does) and
# src/fcgi.c, with the units they call compiled unchanged; the shim_*.c
# files stand in for the rest of HAProxy (docs/fuzzing.md, "haproxy").
set(hap ${UPSTREAM_SRC}/src)
fcs_upstream_library(haproxy
  SOURCES
    ${HARNESS_DIR}/drive_mux.c
    ${HARNESS_DIR}/decode_param.c
    ${HARNESS_DIR}/shim_layers.c
    ${HARNESS_DIR}/shim_memory.c
    ${HARNESS_DIR}/shim_process.c
    ${HARNESS_DIR}/shim_sched.c
    ${HARNESS_DIR}/shim_xprt.c
    ${hap}/fcgi.c
    ${hap}/h1.c
    ${hap}/h1_htx.c
    ${hap}/htx.c
    ${hap}/http.c
    ${hap}/http_htx.c
    ${hap}/chunk.c
    ${hap}/dynbuf.c
    ${hap}/tools.c
    ${hap}/regex.c
    ${hap}/ebtree.c
    ${hap}/eb32tree.c
    ${hap}/eb64tree.c
  # The harness finds hap.h and fuzz/support through these too, so that a
  # planted copy of it (fcs_planted_bug, below) builds from anywhere.
  INCLUDES ${UPSTREAM_SRC}/include ${hap} ${HARNESS_DIR} ${FCS_FUZZ_DIR}
  # hap.h's outcome is kept in byte buffers (bytebuf.h).
  LIBS fcs_bytebuf
  # As Debian builds it: BUG_ON checks on (DEBUG_STRICT), signed overflow
  # wraps (-fwrapv, below); BUG_ON ends in abort() rather than a write to
  # address 1, for a readable report.
  DEFINES DEBUG_STRICT DEBUG_USE_ABORT
  # Only what the mux reaches is linked (--gc-sections below): the units
  # above also hold configuration parsing and CLI code that would need most
  # of HAProxy. AddressSanitizer's list of globals keeps every global alive
  # unless each entry goes with its global
  # (-fsanitize-address-globals-dead-stripping) and the list's
  # __start_/__stop_ bounds do not keep all entries (-z start-stop-gc).
  # HAProxy's list and container_of macros take member addresses through a
  # null pointer (offsetof written out), which UBSan's null check reports
  # (a real null dereference still faults under ASan), and its parsers read
  # words at any address where the CPU allows it (x86), which the
  # alignment check reports.
  OPTIONS -fwrapv -fno-sanitize=null,alignment
          -ffunction-sections -fdata-sections
          $<$<C_COMPILER_ID:Clang>:-fsanitize-address-globals-dead-stripping>)
foreach(lib fcs_upstream_haproxy fcs_upstream_haproxy_fuzzcov)
  if(TARGET ${lib})
    target_link_options(${lib} INTERFACE -Wl,--gc-sections
                        -Wl,-z,start-stop-gc)
  endif()
endforeach()
# With coverage instrumentation clang lists the globals in one array that
# keeps them all, so the libFuzzer twin, and the library of an OSS-Fuzz
# build (FCS_FUZZ_ENGINE: its CFLAGS instrument every unit), leave
# HAProxy's globals unchecked; the replay build, where crashes are
# confirmed, checks them.
if(TARGET fcs_upstream_haproxy_fuzzcov)
  target_compile_options(fcs_upstream_haproxy_fuzzcov PRIVATE
                         -mllvm -asan-globals=0)
endif()
if(FCS_FUZZ_ENGINE AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  target_compile_options(fcs_upstream_haproxy PRIVATE -mllvm -asan-globals=0)
endif()

fcs_fuzz_target(haproxy SOURCE ${HARNESS_DIR}/harness.c
                LIBS fcs_upstream_haproxy)

# The STDOUT oracle catches a reference that takes STDERR for part of the
# stream's output (the first seed has STDERR before its STDOUT, so the
# difference is at byte 0; the seeds that show HAProxy's 16-bit padding
# bug differ later).
fcs_planted_bug(haproxy_stderr_as_stdout haproxy
  fuzz/upstream/haproxy/harness.c
  "if (h.type == FCS_STDOUT && mine && !ref->ended)"
  "if ((h.type == FCS_STDOUT || h.type == FCS_STDERR) && mine && !ref->ended)"
  "FUZZ ORACLE FAILED: the mux moved [0-9]+ STDOUT bytes of stream 1 into it, libfcs finds [0-9]+, and they differ at byte 0[^0-9]")
