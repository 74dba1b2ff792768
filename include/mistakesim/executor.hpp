#pragma once
// Where a run's trials are computed. run_trials() computes them in this process (oneTBB blocks);
// a TrialExecutor set in RunOptions::executor computes them elsewhere - the MPI executor splits
// them into contiguous ranges, one per process (rank), and gathers the results - and must return
// exactly what run_trials alone would: the same columns, the same totals, bit for bit. Every
// command that runs trials (run, compare, sweep, sensitivity, precision stopping) goes through
// run_trials, so one executor distributes all of them.

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace mistakesim {

struct Model;
struct Scenario;
struct RunOptions;
struct TrialResults;

//! Computes a run's trials somewhere else than this process alone, with the same result.
class TrialExecutor {
 public:
  virtual ~TrialExecutor() = default;
  //! run_trials(model, scenario, options) bit for bit. options.executor is null here: the executor
  //! runs its own share with run_trials(model, scenario, share) in this process.
  virtual TrialResults run_trials(const Model& model, const Scenario& scenario,
                                  const RunOptions& options) const = 0;

  //! A summary of each chunk of a run, as flat doubles (f), folded in chunk order (combine(so far,
  //! next)): the fold returned wherever the executor runs. Under MPI every rank computes a
  //! contiguous range of chunks and rank 0 folds them as they arrive; every rank gets the fold. For
  //! summaries that merge, in bounded memory (a bounded-memory run, sketch.hpp).
  using ChunkFunction = std::function<std::vector<double>(std::uint64_t chunk)>;
  using Combine = std::function<std::vector<double>(std::vector<double> so_far, std::vector<double> next)>;
  virtual std::vector<double> fold_chunks(std::uint64_t chunks, const ChunkFunction& f,
                                          const Combine& combine) const = 0;
};

//! fold_chunks through the executor, or in this process, chunk by chunk, when there is none.
//! chunks >= 1.
inline std::vector<double> fold_chunks(const TrialExecutor* executor, std::uint64_t chunks,
                                       const TrialExecutor::ChunkFunction& f,
                                       const TrialExecutor::Combine& combine) {
  if (executor) return executor->fold_chunks(chunks, f, combine);
  std::vector<double> so_far = f(0);
  for (std::uint64_t c = 1; c < chunks; ++c) so_far = combine(std::move(so_far), f(c));
  return so_far;
}

}  // namespace mistakesim
