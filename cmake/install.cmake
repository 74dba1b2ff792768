# `cmake --install build [--prefix P]` (docs/install.md): the executable, the library with its
# public headers and a CMake package config (find_package(mistakesim) gives mistakesim::core), the
# Python module (python/CMakeLists.txt), a man page generated from --help, and bash completion.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(mistakesim_core PROPERTIES EXPORT_NAME core)
set_target_properties(mistakesim_warnings PROPERTIES EXPORT_NAME warnings)  # linked PRIVATE: link-only
install(TARGETS mistakesim EXPORT mistakesimTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS mistakesim_core mistakesim_warnings EXPORT mistakesimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/mistakesim ${CMAKE_BINARY_DIR}/generated/mistakesim
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(MISTAKESIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mistakesim)
# Google Highway, when the library links it (the vector kernels), is a link dependency of the static
# library too.
# So are the serve command's cpp-httplib (a pkg-config target) and, in an MPI build, MPI.
set(MISTAKESIM_FIND_HWY "")
if(TARGET hwy::hwy)
  string(APPEND MISTAKESIM_FIND_HWY "find_dependency(hwy)\n")
endif()
if(TARGET PkgConfig::HTTPLIB)
  string(APPEND MISTAKESIM_FIND_HWY "find_dependency(Threads)\nfind_dependency(PkgConfig)\n"
                                    "pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)\n")
endif()
if(MISTAKESIM_MPI)
  string(APPEND MISTAKESIM_FIND_HWY "set(MPI_CXX_SKIP_MPICXX ON)\nfind_dependency(MPI COMPONENTS CXX)\n")
endif()
install(EXPORT mistakesimTargets NAMESPACE mistakesim:: DESTINATION ${MISTAKESIM_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/mistakesimConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/cmake/mistakesimConfig.cmake INSTALL_DESTINATION ${MISTAKESIM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/mistakesimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/mistakesimConfig.cmake ${CMAKE_BINARY_DIR}/cmake/mistakesimConfigVersion.cmake
        DESTINATION ${MISTAKESIM_CMAKE_DIR})

# The man page, from the program's own --help (scripts/make-manpage), so it never lags the options.
include(${CMAKE_SOURCE_DIR}/cmake/python.cmake)
set(MISTAKESIM_MANPAGE ${CMAKE_BINARY_DIR}/share/man/man1/mistakesim.1)
add_custom_command(OUTPUT ${MISTAKESIM_MANPAGE}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/make-manpage $<TARGET_FILE:mistakesim> ${MISTAKESIM_MANPAGE}
  DEPENDS mistakesim ${CMAKE_SOURCE_DIR}/scripts/make-manpage
  COMMENT "Man page mistakesim.1 from --help" VERBATIM)
add_custom_target(mistakesim_manpage ALL DEPENDS ${MISTAKESIM_MANPAGE})
install(FILES ${MISTAKESIM_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/share/bash-completion/mistakesim
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

if(MISTAKESIM_BUILD_TESTS)
  # The workbook and the SIPmath library read back with openpyxl and json (tests/test_xlsx.py, test_sip.py).
  foreach(name test_xlsx test_sip test_install)
    add_test(NAME "python: ${name}" COMMAND ${Python3_EXECUTABLE} -m unittest -v ${name}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests)
    set_tests_properties("python: ${name}" PROPERTIES ENVIRONMENT
      "MISTAKESIM_BINARY=$<TARGET_FILE:mistakesim>;MISTAKESIM_SOURCE_DIR=${CMAKE_SOURCE_DIR};MISTAKESIM_BUILD_DIR=${CMAKE_BINARY_DIR};MISTAKESIM_MANPAGE=${MISTAKESIM_MANPAGE};CMAKE_COMMAND=${CMAKE_COMMAND};MISTAKESIM_PYTHON_INSTALL_DIR=${MISTAKESIM_PYTHON_INSTALL_DIR}")
  endforeach()
endif()
