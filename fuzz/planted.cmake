# Planted bugs: proof that each oracle can fail.
#
# fcs_planted_bug(NAME TARGET FILE FROM TO EXPECT) builds a copy of the codec
# in which codec/src/FILE has the exact text FROM replaced by TO (one
# deliberate mistake), links TARGET's replay driver against that copy, and
# adds the ctest fuzz_planted_NAME: it replays seeds/corpus/TARGET and passes
# only when the output matches EXPECT, i.e. the target's oracle reported the
# bug. The shipped codec (target fcs) is never changed. If FROM is no longer
# in the source, configuring fails, so a plant cannot go stale unnoticed.
# (FROM and TO hold no semicolons: CMake would split them.)
function(fcs_planted_bug name target file from to expect)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/planted/${name})
  set(sources)
  foreach(src IN LISTS codec_sources)
    get_filename_component(base ${src} NAME)
    if(NOT base STREQUAL file)
      list(APPEND sources ${src})
      continue()
    endif()
    file(READ ${src} text)
    string(FIND "${text}" "${from}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "planted bug ${name}: '${from}' is no longer in "
                          "${src}; update fuzz/planted.cmake")
    endif()
    string(REPLACE "${from}" "${to}" text "${text}")
    file(WRITE ${dir}/${base}.new "${text}")
    configure_file(${dir}/${base}.new ${dir}/${base} COPYONLY)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
    list(APPEND sources ${dir}/${base})
  endforeach()
  add_library(fcs_planted_${name} STATIC ${sources})
  target_include_directories(fcs_planted_${name} PUBLIC ${codec_dir}/include)
  add_executable(fuzz_planted_${name} targets/${target}.c drivers/replay.c)
  target_link_libraries(fuzz_planted_${name} PRIVATE
    fcs_fuzz_support ${FCS_PLANTED_LIBS_${target}} fcs_planted_${name})
  # Through sh, so the expected abort is output to match, not a crash.
  add_test(NAME fuzz_planted_${name}
           COMMAND sh -c "\"$0\" \"$1\"; echo \"exit status $?\""
                   $<TARGET_FILE:fuzz_planted_${name}> ${seeds}/corpus/${target})
  set_tests_properties(fuzz_planted_${name} PROPERTIES
    PASS_REGULAR_EXPRESSION "${expect}")
endfunction()
