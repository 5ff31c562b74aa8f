# fcs_plant_copy(TEST FILE FROM TO LISTED_IN OUT) writes, under the build
# tree, a copy of FILE (a path under the source tree) with the exact text
# FROM replaced by TO: one deliberate mistake, for proving that a check
# can fail. Shipped sources are never changed. OUT gets the copy's path.
# When FROM is not in FILE exactly once, OUT is empty and the ctest TEST
# fails saying so (a plant cannot go stale unnoticed, nor hit two places),
# naming LISTED_IN, where the plant is declared. FROM and TO hold no
# semicolons: CMake would split them.
function(fcs_plant_copy test file from to listed_in out)
  set(src ${PROJECT_SOURCE_DIR}/${file})
  file(READ ${src} text)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
  string(FIND "${text}" "${from}" first)
  string(FIND "${text}" "${from}" last REVERSE)
  if(NOT first EQUAL last OR first EQUAL -1)
    set(where "is no longer in")
    if(NOT first EQUAL -1)
      set(where "is more than once in")
    endif()
    add_test(NAME ${test}
             COMMAND ${CMAKE_COMMAND} -E echo "planted bug ${test}: the text"
                     "'${from}' ${where} ${file}: update the plant in"
                     "${listed_in}")
    set_tests_properties(${test} PROPERTIES WILL_FAIL TRUE)
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  string(REPLACE "${from}" "${to}" text "${text}")
  get_filename_component(base ${src} NAME)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/planted/${test})
  file(WRITE ${dir}/${base}.new "${text}")
  configure_file(${dir}/${base}.new ${dir}/${base} COPYONLY)
  set(${out} ${dir}/${base} PARENT_SCOPE)
endfunction()
