# Planted bugs: proof that each oracle can fail.
#
# fcs_planted_bug(NAME TARGET FILE FROM TO EXPECT) plants one mistake in a
# build-tree copy of FILE (a path under codec/, responder/ or
# conformance/src/; cmake/plant.cmake: FROM replaced by TO, and a stale
# plant fails its test), builds the codec (and, for the responder target,
# the responder library, for the runner, casefile and http_response
# targets, the runner's sources) with the copy, links TARGET's replay driver against it and adds
# the ctest fuzz_planted_NAME, which replays seeds/corpus/TARGET and passes
# only when the output matches EXPECT, i.e. the target's oracle reported
# the bug. For an upstream harness (fuzz/upstream/TARGET), FILE may also be
# its harness.c, and the upstream units are linked unchanged.

# The sources of a library target, as absolute paths.
function(fcs_target_sources out lib)
  get_target_property(dir ${lib} SOURCE_DIR)
  get_target_property(rel ${lib} SOURCES)
  set(abs)
  foreach(src IN LISTS rel)
    list(APPEND abs ${dir}/${src})
  endforeach()
  set(${out} ${abs} PARENT_SCOPE)
endfunction()

# srcs with the one file that matches replaced by its planted copy.
function(fcs_plant_into out srcs planted_src planted_copy)
  set(result)
  foreach(src IN LISTS srcs)
    if(src STREQUAL planted_src)
      list(APPEND result ${planted_copy})
    else()
      list(APPEND result ${src})
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

function(fcs_planted_bug name target file from to expect)
  if(NOT FCS_BUILD_TESTS) # tests of the oracles, not fuzz targets
    return()
  endif()
  set(src ${PROJECT_SOURCE_DIR}/${file})
  fcs_plant_copy(fuzz_planted_${name} ${file} "${from}" "${to}"
                 fuzz/CMakeLists.txt copy)
  if(NOT copy)
    return()
  endif()
  fcs_plant_into(codec "${codec_sources}" ${src} ${copy})
  add_library(fcs_planted_${name} STATIC ${codec})
  target_include_directories(fcs_planted_${name} PUBLIC ${codec_dir}/include)
  set(libs fcs_planted_${name})
  if(target STREQUAL "responder")
    fcs_target_sources(responder_sources fcs_responder)
    fcs_plant_into(responder "${responder_sources}" ${src} ${copy})
    get_target_property(responder_dir fcs_responder SOURCE_DIR)
    add_library(fcs_planted_${name}_responder STATIC ${responder})
    target_include_directories(fcs_planted_${name}_responder
      PUBLIC ${responder_dir}/include PRIVATE ${responder_dir}/lib)
    target_link_libraries(fcs_planted_${name}_responder
      PUBLIC fcs_planted_${name} fcs_crc32)
    set(libs fcs_planted_${name}_responder)
  elseif(target STREQUAL "libfcgi")
    list(APPEND libs fcs_fuzz_libfcgi)
  elseif(TARGET fcs_upstream_${target})
    list(APPEND libs fcs_upstream_${target})
  elseif(target MATCHES "^(runner|casefile|http_response)$")
    fcs_plant_into(runner "${runner_sources}" ${src} ${copy})
    fcs_fuzz_runner_library(fcs_planted_${name}_runner ${runner})
    list(PREPEND libs fcs_planted_${name}_runner fcs_fuzz_case_texts)
  endif()

  set(harness ${FCS_FUZZ_DIR}/targets/${target}.c)
  if(TARGET fcs_upstream_${target})
    set(harness ${FCS_FUZZ_DIR}/upstream/${target}/harness.c)
  endif()
  fcs_plant_into(harness ${harness} ${src} ${copy})
  add_executable(fuzz_planted_${name} ${harness} ${FCS_FUZZ_DIR}/drivers/replay.c)
  target_link_libraries(fuzz_planted_${name} PRIVATE fcs_fuzz_support ${libs})
  # Through sh, so the expected abort is output to match, not a crash.
  add_test(NAME fuzz_planted_${name}
           COMMAND sh -c "\"$0\" \"$1\"; echo \"exit status $?\""
                   $<TARGET_FILE:fuzz_planted_${name}> ${seeds}/corpus/${target})
  set_tests_properties(fuzz_planted_${name} PROPERTIES
    PASS_REGULAR_EXPRESSION "${expect}")
endfunction()
