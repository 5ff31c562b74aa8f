# Proving the judge: planted bugs in the runner's judging, each caught by a
# named test (docs/conformance.md, "Proving the judge").
#
# fcs_judge(NAME CASE WANT [RULE RULE] [PROXY MODE] [OPTIONS "fcgispec
# options"]) adds the named test conformance.judge.NAME: fcgispec runs the
# one case CASE (from conformance/tests/judge when its id starts with
# "judge/", else the catalog) against the reference responder, or against
# fcgi-mutant breaking RULE, or in proxy mode through the stand-in proxy
# judge_proxy.py in MODE, and the verdict must be WANT (judge.cmake).
#
# fcs_judge_plant(NAME FILE FROM TO CATCHER) copies FILE (a path under
# conformance/src/) into the build tree with the exact text FROM replaced
# by TO: one deliberate mistake. CATCHER names the test that must catch it:
#   test_conditions:TEST or test_score:TEST  one test of those programs,
#                                            built on the planted copy;
#   judge:NAME                               the judge run NAME, by an
#                                            fcgispec built on the copy.
# The ctest conformance.planted.NAME passes exactly when the catcher fails
# on the planted build: for a program, its TEST reports FAIL and the
# program exits 1 (a crash is not a catch); for a judge, the run ends with
# another verdict than WANT. Shipped sources are never changed. When FROM
# is no longer in FILE, or is there more than once, the test fails and
# says so. FROM and TO hold no semicolons: CMake would split them.

set(fcs_judge_script ${CMAKE_CURRENT_LIST_DIR}/judge.cmake)
set(fcs_judge_cases ${CMAKE_CURRENT_LIST_DIR}/judge)
set(fcs_judge_standin ${CMAKE_CURRENT_LIST_DIR}/judge_proxy.py)

# The test named test: a judge run (args) of the given fcgispec binary.
function(fcs_judge_test test fcgispec args)
  add_test(NAME ${test}
           COMMAND ${CMAKE_COMMAND} -DFCGISPEC=${fcgispec}
                   -DWORK=${CMAKE_CURRENT_BINARY_DIR}/judge/${test} ${args}
                   -P ${fcs_judge_script})
  set_tests_properties(${test} PROPERTIES TIMEOUT 60)
endfunction()

function(fcs_judge name case want)
  cmake_parse_arguments(J "" "RULE;OPTIONS;PROXY" "" ${ARGN})
  set(args -DNAME=${name} -DCASE=${case} -DWANT=${want}
           "-DOPTIONS=${J_OPTIONS}")
  if(J_PROXY)
    list(APPEND args -DPROXY=${J_PROXY}
         -DSTANDIN=${fcs_judge_standin}
         -DCURL=$<TARGET_FILE:fcgi-curl>)
  endif()
  if(case MATCHES "^judge/")
    list(APPEND args -DCASES=${fcs_judge_cases})
  endif()
  if(J_RULE)
    list(APPEND args -DMUTANT=$<TARGET_FILE:fcgi-mutant> -DRULE=${J_RULE})
  endif()
  set_property(GLOBAL PROPERTY fcs_judge_args_${name} "${args}")
  set_property(GLOBAL PROPERTY fcs_judge_want_${name} "${want}")
  fcs_judge_test(conformance.judge.${name} $<TARGET_FILE:fcgispec> "${args}")
endfunction()

function(fcs_judge_plant name file from to catcher)
  set(test conformance.planted.${name})
  fcs_plant_copy(${test} ${file} "${from}" "${to}" conformance/CMakeLists.txt
                 copy)
  if(NOT copy)
    return()
  endif()

  # The planted file alone. Its object goes on the link line before
  # libfcs_conformance, so it defines every symbol of that file and the
  # archive's own copy of the file is never pulled in.
  add_library(fcs_judge_planted_${name} OBJECT ${copy})
  target_link_libraries(fcs_judge_planted_${name} PRIVATE fcs_conformance fcs_crc32)
  set(planted $<TARGET_OBJECTS:fcs_judge_planted_${name}>)

  string(REPLACE ":" ";" catcher "${catcher}")
  list(GET catcher 0 program)
  list(GET catcher 1 what)
  if(program STREQUAL "judge")
    get_property(args GLOBAL PROPERTY fcs_judge_args_${what})
    get_property(want GLOBAL PROPERTY fcs_judge_want_${what})
    if(NOT args)
      message(FATAL_ERROR "planted bug ${name}: no judge named ${what}")
    endif()
    fcs_fcgispec(fcgispec_planted_${name} ${planted})
    fcs_judge_test(${test} $<TARGET_FILE:fcgispec_planted_${name}> "${args}")
    set_tests_properties(${test} PROPERTIES PASS_REGULAR_EXPRESSION
      "judge ${what}: [^\n]* is [a-z-]+, not ${want}\n")
  else()
    add_executable(${program}_planted_${name} tests/${program}.c ${planted})
    target_link_libraries(${program}_planted_${name} PRIVATE fcs_conformance
                          fcs_responder responder_test_support)
    # Through sh, so the exit status is output to match, after the test's
    # own lines.
    add_test(NAME ${test}
             COMMAND sh -c "\"$0\" \"$1\" 2>&1; echo \"exit status $?\""
                     $<TARGET_FILE:${program}_planted_${name}> ${what})
    set_tests_properties(${test} PROPERTIES PASS_REGULAR_EXPRESSION
      "FAIL ${what}\n.*exit status 1\n")
  endif()
endfunction()
