#pragma once
// A mergeable quantile sketch for runs too large to keep every year (KLL: Karnin, Lang and Liberty,
// "Optimal Quantile Approximation in Streams", FOCS 2016), with its rank error bounded per sketch.
//
// Debian 12 packages quantile sketches for Go, Java, Rust and PostgreSQL (t-digest) but none for
// C++ (no Apache DataSketches), so this is the paper's algorithm, kept short. Values enter level 0; a level
// that outgrows its capacity is sorted and compacted - every other value, starting at an offset chosen by a
// coin, moves up one level, where each value stands for twice as many. Capacities shrink by 2/3 per level
// below the top, so the sketch holds O(k) values whatever the count.
//
// The error, stated and checked: for any value x, one compaction at a level of weight w changes the
// estimated rank of x by 0 (an even number of the compacted values lie at or below x) or by +w or
// -w with probability 1/2 each. The errors form a martingale with bounded steps, so by Azuma-
// Hoeffding P(|rank error| >= t) <= 2 exp(-t^2 / (2 sum w_i^2)). The sketch counts sum w_i^2 over
// its compactions (merges included) and rank_error_bound(delta) returns the t/n that holds with
// probability 1 - delta for each quantile asked. tests/test_sketch.cpp checks it statistically.
//
// Deterministic: the coins are a hash of the sketch's seed and its compaction count, so the same
// values added (and merged) in the same order give the same sketch, bit for bit - which is what
// lets a bounded-memory run give the same figures on any number of ranks (sketches of fixed chunks
// of trials, merged in chunk order).

#include <array>
#include <cstddef>
#include <cstdint>
#include <mistakesim/engine.hpp>
#include <mistakesim/exact_sum.hpp>
#include <mistakesim/stats.hpp>
#include <span>
#include <vector>

namespace mistakesim {

class QuantileSketch {
 public:
  //! k: the top level's capacity; the rank error shrinks about as 1/k (k = 200: ~1.5% at 99%).
  explicit QuantileSketch(std::uint32_t k = 200, std::uint64_t seed = 0);

  void add(double x);                       //!< a NaN is not a value: ignored
  void merge(const QuantileSketch& other);  //!< as if other's values had been added here (k: this one's)
  std::uint64_t count() const { return n_; }
  double min() const { return min_; }  //!< exact; NaN when empty
  double max() const { return max_; }  //!< exact; NaN when empty

  //! The value whose estimated rank is p n (p in [0, 1]), interpolated as type-7 quantiles are
  //! between the two retained values around (n - 1) p. NaN when empty.
  double quantile(double p) const;
  //! Mean of the largest (1 - level) n values, from the retained values and their weights, with
  //! the boundary value weighted by the fractional part as cvar() does. NaN when empty.
  double tail_mean(double level) const;
  //! Estimated number of values <= x.
  double rank(double x) const;
  //! The normalized rank error t / n that each estimated rank stays within with probability
  //! 1 - delta (0 while no compaction happened: the sketch then holds every value).
  double rank_error_bound(double delta = 0.01) const;
  //! Values retained (memory: ~8 bytes each).
  std::size_t retained() const;

  //! The whole state as doubles, and back (for MPI): the same sketch on every rank that reads it.
  std::vector<double> serialize() const;
  static QuantileSketch deserialize(std::span<const double> words);

 private:
  std::uint32_t capacity(std::size_t level) const;
  void compress();
  void compact(std::size_t level);

  std::uint32_t k_;
  std::uint64_t seed_;
  std::uint64_t n_ = 0;
  std::uint64_t compactions_ = 0;  //!< coins drawn so far
  double variance_ = 0.0;          //!< sum of w^2 over the compactions (w: the compacted level's weight)
  double min_, max_;
  std::vector<std::vector<double>> levels_;  //!< level h: values of weight 2^h
};

//! One per-trial column in bounded memory: exact sums (mean, sd), exact min and max, and a sketch
//! for the quantiles and the tail mean. Mergeable; the same bits for the same adds and merges.
class ColumnSketch {
 public:
  ColumnSketch(std::uint32_t k, std::uint64_t seed) : sketch_(k, seed) {}
  void add(double x);  //!< a NaN is counted, not summarized (as summarize() does)
  void merge(const ColumnSketch& other);
  //! The column's Summary: mean, its CI and sd from exact sums (the mean is the exact mean rounded
  //! once); min and max exact; p05...p99 and cvar95 from the sketch (approximate).
  Summary summary() const;
  const QuantileSketch& sketch() const { return sketch_; }
  void write(std::vector<double>& out) const;                                //!< appends the state
  static ColumnSketch read(std::span<const double> words, std::size_t& at);  //!< reads what write() wrote

 private:
  QuantileSketch sketch_;
  ExactSum sum_, squares_;
  std::uint64_t nans_ = 0;
};

//! Trials per chunk of a bounded-memory run: each chunk is run, summarized, and its results
//! dropped; the chunks' summaries are merged in chunk order. Fixed, so the figures do not depend
//! on the number of ranks or threads. ~120 bytes a trial while a chunk is in memory: ~32 MB.
inline constexpr std::uint64_t kBoundedChunk = std::uint64_t{1} << 18;
//! The sketches' k in a bounded-memory run: ~3k values (24 KB) per column, rank error ~0.2%.
inline constexpr std::uint32_t kBoundedSketchK = 1024;
//! At most this many years in a bounded-memory run (ranks are counted in doubles, exact to 2^53).
inline constexpr std::uint64_t kMaxBoundedTrials = 1'000'000'000'000;

//! A run summarized in bounded memory (run_bounded).
struct BoundedRun {
  std::uint64_t first_trial = 0;
  std::uint64_t count = 0;
  ColumnSketch total{kBoundedSketchK, 0}, known{kBoundedSketchK, 0}, unknown{kBoundedSketchK, 0};
  std::vector<ColumnSketch> mistakes;         //!< cost per mistake, model order
  std::vector<MistakeTotals> mistake_totals;  //!< exact, as TrialResults::mistake_totals
  //! Exact sums of opportunities, good_fits, wins_done_right, wins, should_have_bought,
  //! nonbuyer_hours, revenue_done_right, revenue (PipelineMeans order).
  std::array<ExactSum, 8> pipeline{};

  //! The largest normalized rank error bound of the sketched columns at confidence 1 - delta.
  double rank_error_bound(double delta = 0.01) const;
  PipelineMeans pipeline_means() const;
  //! The per-mistake means from the exact totals (as TrialResults' mistake_*_mean); no CVaR
  //! contribution (NaN: it needs each year's total beside the mistake's cost).
  MistakeSummary mistake_summary(std::size_t m) const;
  //! The run's summary as summarize_run() gives it for a run kept whole, mistakes ranked by mean.
  RunSummary summary() const;

  void merge(const BoundedRun& other);  //!< other's trials follow this one's
  std::vector<double> serialize() const;
  static BoundedRun deserialize(std::span<const double> words);
};

//! Trials [first_trial, first_trial + trials) of the scenario in chunks of kBoundedChunk, each
//! summarized and dropped: memory is that of one chunk and the sketches, whatever the count. With
//! options.executor (MPI) the chunks are split across the ranks. options.record_inputs is ignored.
BoundedRun run_bounded(const Model& model, const Scenario& scenario, const RunOptions& options);

}  // namespace mistakesim
