#pragma once
// The MPI executor (executor.hpp's TrialExecutor): each rank runs a contiguous share of the trial
// blocks, then the shares are gathered so that every rank holds the whole TrialResults.

#include <mistakesim/executor.hpp>

#include "mpi/share.hpp"
#include "mpi/world.hpp"

namespace mistakesim::mpi::detail {

class MpiExecutor final : public TrialExecutor {
 public:
  explicit MpiExecutor(World& world) : world_(world) {}
  TrialResults run_trials(const Model& model, const Scenario& scenario,
                          const RunOptions& options) const override;
  std::vector<double> fold_chunks(std::uint64_t chunks, const ChunkFunction& f,
                                  const Combine& combine) const override;

 private:
  World& world_;
};

}  // namespace mistakesim::mpi::detail
