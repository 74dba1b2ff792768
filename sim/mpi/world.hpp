#pragma once
// The ranks of an MPI job as sim/mpi's sources see them: who is who, and the agreement step that
// every collective exchange of a run starts with (mpi.hpp explains the protocol).

#include <mistakesim/mpi.hpp>
#include <optional>
#include <string>

namespace mistakesim::mpi::detail {

//! A failure the ranks have agreed on (agree()).
struct Failure {
  int rank = 0;             //!< the lowest rank that failed
  int status = 1;           //!< its exit status
  std::string message;      //!< its message, without the "mistakesim: " prefix
  bool every_rank = false;  //!< every rank failed (e.g. the same bad study file)
};

//! Which rank, if any, a test makes fail, and where (MISTAKESIM_TEST_FAIL_RANK=R or R:output):
//! "run" (the default) after computing its share of the first run, "output" just before rank 0
//! writes. Only the MPI tests set it.
struct InjectedFault {
  int rank = -1;
  bool at_output = false;
  static InjectedFault from_environment();
};

//! MPI_COMM_WORLD after MPI_Init: this rank, the number of ranks, and the agreement step.
class World {
 public:
  World();
  int rank() const { return rank_; }
  int size() const { return size_; }
  //! Collective: every rank says whether it failed (failed_status != 0, with its message); returns
  //! the lowest failed rank's failure, the same on every rank, or nothing if all are well.
  std::optional<Failure> agree(int failed_status, const std::string& message) const;
  //! agree(0, ""), throwing RankFailure if some rank failed; remembers the failure for finish().
  void agree_all_well();
  //! The failure an agreement found, if any (then no rank takes part in another collective).
  const std::optional<Failure>& failure() const { return failure_; }
  void set_failure(const Failure& f) { failure_ = f; }
  const InjectedFault& fault() const { return fault_; }

 private:
  int rank_ = 0;
  int size_ = 1;
  std::optional<Failure> failure_;
  InjectedFault fault_;
};

//! The message rank 0 prints for an agreed failure ("mistakesim: " and, unless every rank failed
//! alike, the rank that failed).
std::string failure_text(const Failure& f, int ranks);

}  // namespace mistakesim::mpi::detail
