// Summaries of a run's per-trial columns: cost, per mistake, pipeline. Each column is summarised
// by its own task, and sorted once; a task's result depends on its column alone, so the figures
// are the same bits on any number of threads.

#include "engine/parallel.hpp"

#include <algorithm>
#include <cstring>
#include <mistakesim/errors.hpp>
#include <mistakesim/stats.hpp>
#include <tuple>

namespace mistakesim {

PipelineMeans pipeline_means(const TrialResults& r) {
  PipelineMeans p;
  p.opportunities = mean(std::span<const std::uint32_t>(r.opportunities));
  p.good_fits = mean(std::span<const std::uint32_t>(r.good_fits));
  p.wins_done_right = mean(std::span<const std::uint32_t>(r.wins_done_right));
  p.wins = mean(std::span<const std::uint32_t>(r.wins));
  p.should_have_bought = mean(std::span<const std::uint32_t>(r.should_have_bought));
  p.nonbuyer_hours = mean(r.nonbuyer_hours);
  p.revenue_done_right = mean(r.revenue_done_right);
  p.revenue = mean(r.revenue);
  return p;
}

namespace {

//! The two columns hold the same bits (then their summaries are equal: one sort serves both).
bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

//! summarize() of a column and the intervals of its reported quantiles, from one sort.
void summarize_with_cis(std::span<const double> column, Summary& summary, QuantileIntervals& cis,
                        std::vector<double>* keep_sorted = nullptr) {
  SortedSummary s = summarize_sorted(column);
  summary = s.summary;
  cis = reported_quantile_cis(s.sorted);
  if (keep_sorted != nullptr) *keep_sorted = std::move(s.sorted);
}

PipelineRanges pipeline_ranges(const TrialResults& r) {
  PipelineRanges p;
  parallel::invoke([&] { p.opportunities = summarize(r.opportunities); },
                   [&] { p.good_fits = summarize(r.good_fits); }, [&] { p.wins = summarize(r.wins); },
                   [&] { p.wins_done_right = summarize(r.wins_done_right); },
                   [&] { p.should_have_bought = summarize(r.should_have_bought); },
                   [&] { p.nonbuyer_hours = summarize(std::span<const double>(r.nonbuyer_hours)); });
  return p;
}

}  // namespace

namespace {

//! A cost summary in two steps, so that a run's summary never holds more than two sorted copies of
//! a column at once (the peak memory of a long run): first the tail and the known and unknown
//! columns, then (after the per-mistake columns, in summarize_run) the total, whose sorted copy is
//! kept. A column with the same bits as the total (every mistake noticed, or none) is not sorted again.
class CostSteps {
 public:
  explicit CostSteps(const TrialResults& r)
      : r_(r),
        known_is_total_(same_bits(r.cost_known, r.cost_total)),
        unknown_is_total_(same_bits(r.cost_unknown, r.cost_total)) {}

  void first(CostSummary& c) const {
    parallel::invoke(
        [&] {
          if (!known_is_total_) summarize_with_cis(r_.cost_known, c.known, c.known_ci95);
        },
        [&] {
          if (!unknown_is_total_) summarize_with_cis(r_.cost_unknown, c.unknown, c.unknown_ci95);
        },
        [&] {
          c.tail = tail_weights(r_.cost_total, 0.95);
          c.tail_known = tail_mean(c.tail, r_.cost_known);
          c.tail_unknown = tail_mean(c.tail, r_.cost_unknown);
        });
  }

  void total(CostSummary& c) const {
    summarize_with_cis(r_.cost_total, c.total, c.total_ci95, &c.sorted_total);
    if (known_is_total_) std::tie(c.known, c.known_ci95) = std::tie(c.total, c.total_ci95);
    if (unknown_is_total_) std::tie(c.unknown, c.unknown_ci95) = std::tie(c.total, c.total_ci95);
  }

 private:
  const TrialResults& r_;
  bool known_is_total_, unknown_is_total_;
};

}  // namespace

CostSummary summarize_cost(const TrialResults& r) {
  CostSummary c;
  const CostSteps steps(r);
  steps.first(c);
  steps.total(c);
  return c;
}

RunSummary summarize_run(const TrialResults& r, SummaryScope scope) {
  const std::uint64_t n = r.count;
  const std::size_t mistakes = r.mistake_count;
  SIM_CHECK(r.well_formed(), << "columns do not have " << n << " trials (" << mistakes << " mistakes)");

  RunSummary s;
  const CostSteps steps(r);
  steps.first(s.cost);
  s.pipeline = pipeline_means(r);
  s.funnel = funnel(r);
  s.mistakes.resize(mistakes);
  std::vector<char> mistake_is_total(mistakes, 0);
  parallel::invoke(
      [&] {
        if (scope == SummaryScope::report) s.pipeline_ranges = pipeline_ranges(r);
      },
      [&] {
        // One mistake a task; each sorts a copy of its cost column, the other columns are read in place.
        parallel::for_each_index(std::size_t{0}, mistakes, [&](std::size_t m) {
          const std::span<const double> cost = r.mistake_cost_column(m);
          MistakeSummary& ms = s.mistakes[m];
          ms.index = m;
          mistake_is_total[m] = same_bits(cost, r.cost_total);
          if (!mistake_is_total[m]) ms.cost = summarize(cost);  // else the total's figures, below
          ms.known_mean = r.mistake_known_mean(m);
          ms.unknown_mean = r.mistake_unknown_mean(m);
          ms.occurrences_mean = r.mistake_occurrences_mean(m);
          ms.deals_lost_mean = r.mistake_deals_lost_mean(m);
          ms.cvar95_contribution = tail_mean(s.cost.tail, cost);
        });
      });
  steps.total(s.cost);
  for (std::size_t m = 0; m < mistakes; ++m)
    if (mistake_is_total[m]) s.mistakes[m].cost = s.cost.total;
  std::stable_sort(
      s.mistakes.begin(), s.mistakes.end(),
      [](const MistakeSummary& a, const MistakeSummary& b) { return a.cost.mean > b.cost.mean; });
  return s;
}

}  // namespace mistakesim
