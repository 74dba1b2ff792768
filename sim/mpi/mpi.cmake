# MPI (Debian libopenmpi-dev, openmpi-bin): one run split across processes and machines under
# mpirun (docs/scale.md). On by default when MPI is found; without it the program is the same,
# minus MPI. Included by the top-level CMakeLists.txt after mistakesim_core is defined.
#
# Only sim/mpi's sources see MPI's headers and flags (an object library inside the core), so the
# rest of the core compiles exactly as without MPI.
set(MPI_CXX_SKIP_MPICXX ON)  # the C API through the CXX component (no C compiler enabled); no C++ bindings
find_package(MPI QUIET COMPONENTS CXX)
option(MISTAKESIM_MPI "Split runs across MPI ranks when launched by mpirun (docs/scale.md)" ${MPI_CXX_FOUND})
if(MISTAKESIM_MPI)
  find_package(MPI REQUIRED COMPONENTS CXX)
  add_library(mistakesim_mpi OBJECT ${CMAKE_SOURCE_DIR}/sim/mpi/session.cpp ${CMAKE_SOURCE_DIR}/sim/mpi/world.cpp
                                    ${CMAKE_SOURCE_DIR}/sim/mpi/executor.cpp)
  target_compile_features(mistakesim_mpi PRIVATE cxx_std_20)
  target_include_directories(mistakesim_mpi PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/sim
                                                    ${CMAKE_BINARY_DIR}/generated)
  target_include_directories(mistakesim_mpi SYSTEM PRIVATE ${RANDOM123_INCLUDE_DIR})
  target_link_libraries(mistakesim_mpi PRIVATE MPI::MPI_CXX Eigen3::Eigen Boost::headers TBB::tbb fmt::fmt
                                               nlohmann_json::nlohmann_json mistakesim_warnings)
  target_sources(mistakesim_core PRIVATE ${CMAKE_SOURCE_DIR}/sim/mpi/share.cpp $<TARGET_OBJECTS:mistakesim_mpi>)
  target_link_libraries(mistakesim_core PRIVATE $<LINK_ONLY:MPI::MPI_CXX>)
  # mpirun as found beside the library, for the tests (tests/mpi) and bench/bench-mpi.
  set(MISTAKESIM_MPIEXEC "${MPIEXEC_EXECUTABLE}")
else()
  target_sources(mistakesim_core PRIVATE ${CMAKE_SOURCE_DIR}/sim/mpi/share.cpp
                                         ${CMAKE_SOURCE_DIR}/sim/mpi/session_alone.cpp)
endif()
