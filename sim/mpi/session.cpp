// Session under MPI (mpi.hpp): MPI is started only when the environment says a launcher (mpirun,
// srun, hydra) started this process, so a plain `mistakesim run` does not touch MPI at all.

#include <mpi.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mistakesim/mpi.hpp>
#include <optional>
#include <streambuf>

#include "mpi/executor.hpp"
#include "mpi/world.hpp"

namespace mistakesim::mpi {
namespace {

//! Whether a launcher started this process as one rank of a job (Open MPI, PMIx, PMI/hydra).
bool launched_as_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

//! Swallows what is written to it: the stdout and stderr of ranks other than 0.
class NullBuffer final : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

//! The status of the failure this rank has reported, for exit_quietly.
volatile std::sig_atomic_t g_reported_status = 1;

//! SIGTERM once an agreed failure has been reported: mpirun stops the whole job as soon as one
//! rank exits with the failure's status, and this rank may still be finalizing MPI. The outcome
//! is already said and nothing was written, so it ends with that status and says nothing more
//! ("interrupted" would be untrue). Only async-signal-safe calls.
extern "C" void exit_quietly(int) { ::_exit(g_reported_status); }

}  // namespace

struct Session::Impl {
  std::optional<detail::World> world;
  std::optional<detail::MpiExecutor> executor;
  NullBuffer null;
  std::streambuf* cout_buffer = nullptr;
  std::streambuf* cerr_buffer = nullptr;
};

Session::Session(int& argc, char**& argv) : impl_(std::make_unique<Impl>()) {
  if (!launched_as_rank()) return;
  int provided = 0;
  // Only the main thread calls MPI; oneTBB's workers never do.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  impl_->world.emplace();
  impl_->executor.emplace(*impl_->world);
  if (impl_->world->rank() != 0) {
    impl_->cout_buffer = std::cout.rdbuf(&impl_->null);
    impl_->cerr_buffer = std::cerr.rdbuf(&impl_->null);
  }
}

Session::~Session() {
  if (!impl_->world) return;
  if (impl_->cout_buffer) std::cout.rdbuf(impl_->cout_buffer);
  if (impl_->cerr_buffer) std::cerr.rdbuf(impl_->cerr_buffer);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

bool Session::distributed() const { return impl_->world.has_value(); }
int Session::rank() const { return impl_->world ? impl_->world->rank() : 0; }
int Session::ranks() const { return impl_->world ? impl_->world->size() : 1; }
const TrialExecutor* Session::executor() const { return impl_->executor ? &*impl_->executor : nullptr; }

bool Session::writes_outputs() {
  if (!impl_->world) return true;
  detail::World& world = *impl_->world;
  if (world.fault().rank == world.rank() && world.fault().at_output)
    throw std::runtime_error("injected failure before the outputs are written (MISTAKESIM_TEST_FAIL_RANK)");
  world.agree_all_well();
  return world.rank() == 0;
}

int Session::finish(int status, const std::string& error) {
  if (!impl_->world) {
    if (!error.empty()) std::cerr << "mistakesim: " << error << "\n";
    return status;
  }
  detail::World& world = *impl_->world;
  if (!world.failure()) {  // this rank has not yet met the others over a failure
    const std::optional<detail::Failure> f =
        world.agree(status != 0 || !error.empty() ? std::max(status, 1) : 0, error);
    if (!f) return status;
    world.set_failure(*f);
  }
  const detail::Failure& f = *world.failure();
  g_reported_status = f.status;
  struct sigaction quiet {};
  quiet.sa_handler = exit_quietly;
  sigemptyset(&quiet.sa_mask);
  ::sigaction(SIGTERM, &quiet, nullptr);
  if (world.rank() == 0) std::cerr << detail::failure_text(f, world.size()) << std::endl;
  // No rank exits (so mpirun stops none) before rank 0 has said what failed.
  MPI_Barrier(MPI_COMM_WORLD);
  return f.status;
}

}  // namespace mistakesim::mpi
