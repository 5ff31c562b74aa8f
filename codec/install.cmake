# Installs libfcs for other projects: the static and shared libraries, the
# headers, a CMake package (find_package(fcs): fcs::fcs is the shared
# library, fcs::fcs_static the static one) and a pkg-config file (fcs.pc).
include(CMakePackageConfigHelpers)

set_target_properties(fcs PROPERTIES EXPORT_NAME fcs_static)
set_target_properties(fcs_shared PROPERTIES EXPORT_NAME fcs)
install(TARGETS fcs fcs_shared EXPORT fcsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/fcs DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/fcs)
install(EXPORT fcsTargets NAMESPACE fcs:: DESTINATION ${cmake_dir})
configure_package_config_file(fcsConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/fcsConfig.cmake INSTALL_DESTINATION ${cmake_dir})
# The same compatibility rule as the soname (CMakeLists.txt beside this).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(compatibility SameMinorVersion)
else()
  set(compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/fcsConfigVersion.cmake
  COMPATIBILITY ${compatibility})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/fcsConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/fcsConfigVersion.cmake
        DESTINATION ${cmake_dir})

# fcs.pc names the prefix it lands under, known only at install time
# (cmake --install --prefix, CPack's packaging prefix): written then.
install(CODE "
  set(PROJECT_VERSION ${PROJECT_VERSION})
  set(CMAKE_INSTALL_LIBDIR ${CMAKE_INSTALL_LIBDIR})
  set(CMAKE_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
  configure_file(\"${CMAKE_CURRENT_SOURCE_DIR}/fcs.pc.in\"
                 \"${CMAKE_CURRENT_BINARY_DIR}/fcs.pc\" @ONLY)")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/fcs.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
