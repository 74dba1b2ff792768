// The MPI executor: a run's trial blocks split into one contiguous range per rank, each range run
// with the normal engine (oneTBB inside the rank), then every column and the exact per-mistake
// totals all-gathered, so that every rank holds what one process alone would have computed.
//
// Why every rank gets everything (an all-gather, not a gather to rank 0): the commands then run
// unchanged on every rank - statistics, a precision run's stopping check, compare's break-even
// search - and stay in step with no further messages. It costs no more time than a gather to one
// rank (the ring all-gather moves the same bytes into each rank as a gather moves into the root),
// but every rank holds the whole results: memory per rank is that of a single process
// (docs/scale.md; --memory-bounded is the way past it).
//
// The totals travel as their exact state (ExactSum's limbs, as bytes), not as rounded doubles, and
// are added exactly: the totals are then those of one run over all trials, bit for bit. The bytes
// assume the ranks share one binary format (the same executable on the same kind of CPU).

#include "mpi/executor.hpp"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <type_traits>
#include <vector>

namespace mistakesim::mpi::detail {
namespace {

template <class T>
MPI_Datatype mpi_type() {
  if constexpr (std::is_same_v<T, double>) {
    return MPI_DOUBLE;
  } else {
    static_assert(std::is_same_v<T, std::uint32_t>, "a column of another type");
    return MPI_UINT32_T;
  }
}

//! The ranks' shares of one column, in rank order (= trial order), into all[0, n).
template <class T>
void all_gather(const T* mine, int count, T* all, const std::vector<int>& counts,
                const std::vector<int>& displs) {
  MPI_Allgatherv(mine, count, mpi_type<T>(), all, counts.data(), displs.data(), mpi_type<T>(),
                 MPI_COMM_WORLD);
}

//! What rank 0's results look like beyond the counts, which every rank knows: the inputs recorded
//! per trial and whether the intervention cost column is kept. A rank with no trials learns it here.
struct Shape {
  std::vector<std::uint64_t> words;  //!< [has_intervention_cost, recorded inputs...]
};

Shape broadcast_shape(const TrialResults& mine, int rank) {
  Shape s;
  if (rank == 0) {
    s.words.push_back(mine.intervention_cost.empty() ? 0 : 1);
    s.words.insert(s.words.end(), mine.recorded_inputs.begin(), mine.recorded_inputs.end());
  }
  auto size = static_cast<int>(s.words.size());
  MPI_Bcast(&size, 1, MPI_INT, 0, MPI_COMM_WORLD);
  s.words.resize(static_cast<std::size_t>(size));
  MPI_Bcast(s.words.data(), size, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  return s;
}

}  // namespace

TrialResults MpiExecutor::run_trials(const Model& model, const Scenario& scenario,
                                     const RunOptions& options) const {
  const std::uint64_t n = options.trials != 0 ? options.trials : model.trials;
  const int ranks = world_.size();
  const int me = world_.rank();
  SIM_CHECK(n <= static_cast<std::uint64_t>(INT_MAX), << n << " trials in one gathered column");

  const auto [begin, end] = rank_share(n, options.block_size, me, ranks);
  TrialResults mine;
  if (end > begin) {
    RunOptions share = options;
    share.first_trial = options.first_trial + begin;
    share.trials = end - begin;
    mine = mistakesim::run_trials(model, scenario, share);
  }
  if (world_.fault().rank == me && !world_.fault().at_output)
    throw std::runtime_error(
        "injected failure after computing this rank's trials (MISTAKESIM_TEST_FAIL_RANK)");
  world_.agree_all_well();  // a rank that failed is not waiting in the gathers below
  if (ranks == 1) return mine;

  const Shape shape = broadcast_shape(mine, me);
  const std::size_t nm = model.mistakes.size();
  TrialResults all;
  all.first_trial = options.first_trial;
  all.count = n;
  all.mistake_count = nm;
  all.recorded_inputs.assign(shape.words.begin() + 1, shape.words.end());
  const std::size_t ni = all.recorded_inputs.size();
  TrialResults::for_each_column([&](auto column) { (all.*column).resize(n); });
  if (shape.words[0] != 0) all.intervention_cost.resize(n);
  all.mistake_costs.resize(nm * n);
  all.input_values.resize(ni * n);
  all.extra_count = ExtraColumns::of(model).count();  // every rank knows it, one with no trials too
  all.extras.resize(all.extra_count * n);
  all.mistake_totals.assign(nm, MistakeTotals{});
  std::vector<MistakeTotals> mine_totals = mine.mistake_totals;
  mine_totals.resize(nm);
  std::vector<MistakeTotals> every_totals(nm * static_cast<std::size_t>(ranks));
  world_.agree_all_well();  // every rank could make room for the whole results

  std::vector<int> counts(static_cast<std::size_t>(ranks)), displs(counts.size());
  for (int r = 0; r < ranks; ++r) {
    const auto [b, e] = rank_share(n, options.block_size, r, ranks);
    counts[static_cast<std::size_t>(r)] = static_cast<int>(e - b);
    displs[static_cast<std::size_t>(r)] = static_cast<int>(b);
  }
  const int count = static_cast<int>(end - begin);
  const std::size_t local = end - begin;
  TrialResults::for_each_column(
      [&](auto column) { all_gather((mine.*column).data(), count, (all.*column).data(), counts, displs); });
  if (!all.intervention_cost.empty())
    all_gather(mine.intervention_cost.data(), count, all.intervention_cost.data(), counts, displs);
  for (std::size_t m = 0; m < nm; ++m)
    all_gather(mine.mistake_costs.data() + m * local, count, all.mistake_costs.data() + m * n, counts,
               displs);
  for (std::size_t k = 0; k < ni; ++k)
    all_gather(mine.input_values.data() + k * local, count, all.input_values.data() + k * n, counts, displs);
  for (std::size_t c = 0; c < all.extra_count; ++c)
    all_gather(mine.extras.data() + c * local, count, all.extras.data() + c * n, counts, displs);

  // Exact sums: adding the ranks' states gives the single process's totals, whatever the order.
  static_assert(std::is_trivially_copyable_v<MistakeTotals>, "sent as bytes");
  const auto bytes = static_cast<int>(nm * sizeof(MistakeTotals));
  MPI_Allgather(mine_totals.data(), bytes, MPI_BYTE, every_totals.data(), bytes, MPI_BYTE, MPI_COMM_WORLD);
  for (int r = 0; r < ranks; ++r)
    for (std::size_t m = 0; m < nm; ++m)
      all.mistake_totals[m].add(every_totals[static_cast<std::size_t>(r) * nm + m]);

  if (options.progress)
    options.progress->fetch_add(n - local, std::memory_order_relaxed);  // the others' trials
  SIM_CHECK(all.well_formed(), << "gathered results of " << n << " trials");
  return all;
}

std::vector<double> MpiExecutor::fold_chunks(std::uint64_t chunks, const ChunkFunction& f,
                                             const Combine& combine) const {
  const int ranks = world_.size();
  const int me = world_.rank();
  const auto [begin, end] = rank_share(chunks, 1, me, ranks);
  std::vector<std::vector<double>> mine;  // this rank's chunks, in order (a share of the run's)
  for (std::uint64_t c = begin; c < end; ++c) mine.push_back(f(c));
  if (world_.fault().rank == me && !world_.fault().at_output)
    throw std::runtime_error(
        "injected failure after computing this rank's chunks (MISTAKESIM_TEST_FAIL_RANK)");
  world_.agree_all_well();

  // Rank 0 folds in chunk order: its own chunks, then each rank's as they arrive, one at a time.
  std::vector<double> fold;
  bool started = false;
  const auto absorb = [&](std::vector<double> next) {
    fold = started ? combine(std::move(fold), std::move(next)) : std::move(next);
    started = true;
  };
  for (int r = 0; r < ranks; ++r) {
    const auto [b, e] = rank_share(chunks, 1, r, ranks);
    for (std::uint64_t c = b; c < e; ++c) {
      if (me == 0 && r == 0) {
        absorb(std::move(mine[c - b]));
      } else if (me == 0) {
        MPI_Status status;
        MPI_Probe(r, 0, MPI_COMM_WORLD, &status);
        int size = 0;
        MPI_Get_count(&status, MPI_DOUBLE, &size);
        std::vector<double> next(static_cast<std::size_t>(size));
        MPI_Recv(next.data(), size, MPI_DOUBLE, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        absorb(std::move(next));
      } else if (me == r) {
        std::vector<double>& part = mine[c - b];
        SIM_CHECK(part.size() <= static_cast<std::size_t>(INT_MAX), << part.size() << " values in one chunk");
        MPI_Send(part.data(), static_cast<int>(part.size()), MPI_DOUBLE, 0, 0, MPI_COMM_WORLD);
        part = {};
      }
    }
  }
  std::uint64_t size = fold.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  SIM_CHECK(size <= static_cast<std::uint64_t>(INT_MAX), << size << " values in the fold");
  fold.resize(size);
  MPI_Bcast(fold.data(), static_cast<int>(size), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return fold;
}

}  // namespace mistakesim::mpi::detail
