# One judge run: fcgispec runs one case against a backend, and the verdict
# must be WANT. Prints "judge NAME: CASE is VERDICT" and succeeds when it
# is; otherwise prints fcgispec's output and "judge NAME: CASE is VERDICT,
# not WANT" (the line planted.cmake looks for), and fails.
#
#   cmake -DNAME=... -DFCGISPEC=... -DCASE=ID -DWANT=VERDICT -DWORK=DIR
#         [-DCASES=DIR] [-DOPTIONS="fcgispec options"]
#         [-DMUTANT=fcgi-mutant -DRULE=RULE]
#         [-DPROXY=MODE -DSTANDIN=judge_proxy.py -DCURL=fcgi-curl]
#         -P judge.cmake
#
# With RULE, fcgispec starts fcgi-mutant breaking RULE on a private Unix
# socket (stopped by pid); with PROXY, it runs in proxy mode through the
# stand-in proxy judge_proxy.py in MODE; otherwise against the built-in
# reference responder. The JSON report goes to WORK.
foreach(v NAME FCGISPEC CASE WANT WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "judge.cmake: -D${v}=... is missing")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(report ${WORK}/report.json)
separate_arguments(options UNIX_COMMAND "${OPTIONS}")
if(DEFINED CASES)
  list(APPEND options --cases ${CASES})
endif()
# Private sockets on a short path: a Unix socket path holds at most 107
# bytes.
set(tmp "$ENV{TMPDIR}")
if(tmp STREQUAL "")
  set(tmp /tmp)
endif()
string(RANDOM LENGTH 10 tag)
if(DEFINED RULE)
  set(sock ${tmp}/fcs-judge-${tag}.sock)
  list(APPEND options --target unix:${sock}
       --spawn "exec '${MUTANT}' --listen 'unix:${sock}' --break ${RULE}")
endif()

if(DEFINED PROXY)
  set(sock ${tmp}/fcs-judge-${tag}-http.sock)
  set(rec unix:${tmp}/fcs-judge-${tag}-fcgi.sock)
  list(APPEND options --proxy unix:${sock} --listen ${rec}
       --spawn "exec /usr/bin/python3 '${STANDIN}' ${PROXY} 'unix:${sock}' '${rec}' '${CURL}'")
endif()

execute_process(
  COMMAND ${FCGISPEC} --color never --json ${report} ${options} ${CASE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(DEFINED sock)
  file(REMOVE ${sock})
endif()

# Verdict lines go out with plain message(): error messages are reflowed.
if(NOT EXISTS ${report})
  message("${out}")
  message(FATAL_ERROR "judge ${NAME}: fcgispec wrote no report (${rc})")
endif()
file(READ ${report} json)
string(JSON verdict ERROR_VARIABLE err GET "${json}" cases 0 verdict)
if(err)
  message("${out}")
  message(FATAL_ERROR "judge ${NAME}: no verdict in the report: ${err}")
endif()
if(NOT verdict STREQUAL WANT)
  message("${out}")
  message("judge ${NAME}: ${CASE} is ${verdict}, not ${WANT}")
  message(FATAL_ERROR "judge ${NAME} failed")
endif()
message("judge ${NAME}: ${CASE} is ${verdict}")
