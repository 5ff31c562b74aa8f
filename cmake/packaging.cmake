# `cpack -G DEB` in a build directory makes the Debian package of
# everything `cmake --install` installs. Configure with
# -DCMAKE_INSTALL_PREFIX=/usr for Debian's library directory
# (lib/<multiarch>); the package always installs under /usr.
set(FCS_PACKAGE_MAINTAINER "fcgispec maintainers <maintainer@example.invalid>"
    CACHE STRING "The Debian package's Maintainer (a placeholder until the \
project has a public maintainer address)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fcgispec)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${FCS_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "FastCGI conformance runner, fuzzing harness and codec library")
set(CPACK_PACKAGE_DESCRIPTION "\
fcgispec replays spec-derived FastCGI 1.0 cases against any FastCGI \
backend (TCP or Unix socket) and scores it per requirement level, with \
wire traces, JSON and JUnit reports and baselines. The package also holds \
fcgi-curl (a FastCGI client), fcgi-responder (the reference application), \
fcgi-mutant (backends that break one rule each), fcgi-diff (the \
differential tool's stream generator and viewer), the case catalog, and \
libfcs, the strict allocation-free FastCGI codec, with its headers, \
pkg-config file and CMake package.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Depends: from dpkg-shlibdeps over the binaries; a shlibs file for libfcs
# (and with it the ldconfig trigger).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
include(CPack)
