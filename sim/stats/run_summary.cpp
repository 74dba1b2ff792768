// Summaries of a run's per-trial columns: cost, per mistake, pipeline.

#include <mistakesim/errors.hpp>
#include <mistakesim/stats.hpp>

#include <algorithm>

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

RunSummary summarize_run(const TrialResults& r) {
  const std::uint64_t n = r.count;
  const std::size_t mistakes = r.mistake_count;
  SIM_CHECK(r.well_formed(), << "columns do not have " << n << " trials (" << mistakes << " mistakes)");

  RunSummary s;
  s.total = summarize(r.cost_total);
  s.known = summarize(r.cost_known);
  s.unknown = summarize(r.cost_unknown);

  s.pipeline = pipeline_means(r);

  // One temporary column at a time (summarize's sorted copy): the per-mistake columns are read in place.
  const TailWeights tail = tail_weights(r.cost_total, 0.95);
  s.mistakes.reserve(mistakes);
  for (std::size_t m = 0; m < mistakes; ++m) {
    const std::span<const double> cost = r.mistake_cost_column(m);
    MistakeSummary ms;
    ms.index = m;
    ms.cost = summarize(cost);
    ms.known_mean = r.mistake_known_mean(m);
    ms.unknown_mean = r.mistake_unknown_mean(m);
    ms.occurrences_mean = r.mistake_occurrences_mean(m);
    ms.deals_lost_mean = r.mistake_deals_lost_mean(m);
    ms.cvar95_contribution = tail_mean(tail, cost);
    s.mistakes.push_back(ms);
  }
  std::stable_sort(
      s.mistakes.begin(), s.mistakes.end(),
      [](const MistakeSummary& a, const MistakeSummary& b) { return a.cost.mean > b.cost.mean; });
  return s;
}

}  // namespace mistakesim
