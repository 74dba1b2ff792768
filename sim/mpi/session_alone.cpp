// Session without MPI (MISTAKESIM_MPI=OFF): always a process alone (mpi.hpp).

#include <iostream>
#include <mistakesim/mpi.hpp>

namespace mistakesim::mpi {

struct Session::Impl {};

Session::Session(int&, char**&) {}
Session::~Session() = default;
bool Session::distributed() const { return false; }
int Session::rank() const { return 0; }
int Session::ranks() const { return 1; }
const TrialExecutor* Session::executor() const { return nullptr; }
bool Session::writes_outputs() { return true; }

int Session::finish(int status, const std::string& error) {
  if (!error.empty()) std::cerr << "mistakesim: " << error << "\n";
  return status;
}

}  // namespace mistakesim::mpi
