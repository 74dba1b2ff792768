// The agreement step of mpi.hpp over MPI_COMM_WORLD: an all-reduce of who failed, then the first
// failed rank's status and message broadcast to all. Two or three small collectives: microseconds,
// next to the milliseconds of a run's share.

#include "mpi/world.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <cstdlib>
#include <string_view>

namespace mistakesim::mpi::detail {

InjectedFault InjectedFault::from_environment() {
  InjectedFault f;
  const char* text = std::getenv("MISTAKESIM_TEST_FAIL_RANK");
  if (text == nullptr || *text == '\0') return f;
  const std::string_view spec(text);
  f.rank = std::atoi(text);
  f.at_output = spec.ends_with(":output");
  return f;
}

World::World() : fault_(InjectedFault::from_environment()) {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

std::optional<Failure> World::agree(int failed_status, const std::string& message) const {
  const int failed = failed_status != 0 ? 1 : 0;
  int failed_ranks = 0;
  MPI_Allreduce(&failed, &failed_ranks, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (failed_ranks == 0) return std::nullopt;
  const int candidate = failed ? rank_ : size_;
  Failure f;
  MPI_Allreduce(&candidate, &f.rank, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  f.every_rank = failed_ranks == size_;
  int header[2] = {failed_status, static_cast<int>(message.size())};
  MPI_Bcast(header, 2, MPI_INT, f.rank, MPI_COMM_WORLD);
  f.status = header[0];
  f.message = rank_ == f.rank ? message : std::string(static_cast<std::size_t>(header[1]), '\0');
  MPI_Bcast(f.message.data(), header[1], MPI_CHAR, f.rank, MPI_COMM_WORLD);
  return f;
}

void World::agree_all_well() {
  const std::optional<Failure> f = agree(0, "");
  if (!f) return;
  failure_ = f;
  throw RankFailure(f->rank, size_, f->status, failure_text(*f, size_));
}

std::string failure_text(const Failure& f, int ranks) {
  if (f.every_rank) return "mistakesim: " + f.message;
  return fmt::format("mistakesim: rank {} of {} failed: {}", f.rank, ranks, f.message);
}

}  // namespace mistakesim::mpi::detail
