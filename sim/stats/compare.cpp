// Paired comparison of interventions over common random numbers (see compare.hpp).

#include "engine/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mistakesim/compare.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/stats.hpp>

namespace mistakesim {
namespace {

//! Mean net of a candidate with a fraction f of its effect, over the first `trials` trials.
double mean_net(const Model& m, const Candidate& c, double f, const std::vector<double>& base_cost,
                const RunOptions& run) {
  Scenario s{.interventions = c.interventions, .pinned = {}, .effect_fraction = f};
  const TrialResults r = run_trials(m, s, run);
  std::vector<double> net(r.count);
  for (std::uint64_t t = 0; t < r.count; ++t)
    net[t] = base_cost[t] - r.cost_total[t] - r.intervention_cost_at(t);
  return mean(net);  // as net_mean is taken
}

//! Mean intervention cost over the first `trials` trials of r: 0 when its scenario has none (the
//! column is then empty), NaN for no trials, as mean() of a column of zeros would give.
double intervention_cost_mean(const TrialResults& r, std::uint64_t trials) {
  if (r.intervention_cost.empty()) return trials == 0 ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  return mean(std::span<const double>(r.intervention_cost).first(trials));
}

//! The smallest fraction f in [0, 1] at which net(f) >= 0, to within 0.001, given net(0) = net0 < 0 <=
//! net(1) = net1. Regula falsi, Illinois variant. net is nearly linear in f (a paired estimate), so the
//! first interpolation usually lands next to the root: the search stops as soon as net(f) puts the
//! root within 0.0005 of f along the secant of the bracket around it (its true end values, not the
//! Illinois-halved ones), or when the bracket is narrower than 0.001 - each step is a run of the
//! engine. (Boost's toms748_solve would find the same root to the tolerance, but at other iterates.)
template <class Net>
double break_even(double net0, double net1, const Net& net) {
  double lo = 0.0, hi = 1.0, f_lo = net0, f_hi = net1;  // f_lo < 0 <= f_hi, Illinois-weighted
  double true_lo = net0, true_hi = net1;                // net at lo and hi
  int side = 0;
  for (int step = 0; step < 30 && hi - lo > 0.001; ++step) {
    const double mid = std::clamp(lo + (hi - lo) * (-f_lo) / (f_hi - f_lo), lo + 1e-4, hi - 1e-4);
    const double f_mid = net(mid);
    const double slope = (true_hi - true_lo) / (hi - lo);  // > 0: true_lo < 0 <= true_hi
    if (std::abs(f_mid) <= 0.0005 * slope) return mid;
    if (f_mid >= 0.0) {
      hi = mid;
      f_hi = true_hi = f_mid;
      if (side == +1) f_lo *= 0.5;
      side = +1;
    } else {
      lo = mid;
      f_lo = true_lo = f_mid;
      if (side == -1) f_hi *= 0.5;
      side = -1;
    }
  }
  return hi;
}

}  // namespace

std::vector<Candidate> all_interventions(const Model& model) {
  std::vector<Candidate> out;
  for (std::size_t k = 0; k < model.interventions.size(); ++k)
    out.push_back(Candidate{model.interventions[k].id, model.interventions[k].name, {k}});
  return out;
}

Comparison compare(const Model& m, const std::vector<Candidate>& candidates, const CompareOptions& options) {
  Comparison out;
  out.baseline = run_trials(m, Scenario{}, options.run);
  out.baseline_cost = summarize_cost(out.baseline);
  out.baseline_pipeline = pipeline_means(out.baseline);
  const std::vector<double>& base = out.baseline.cost_total;
  const double var_base = variance(base);
  for (const Candidate& c : candidates) {
    CandidateResult cr;
    cr.candidate = c;
    Scenario with;
    with.interventions = c.interventions;
    cr.results = run_trials(m, with, options.run);
    const std::uint64_t n = cr.results.count;
    SIM_CHECK(n == out.baseline.count, << n << " vs " << out.baseline.count);
    cr.savings.resize(n);
    cr.net.resize(n);
    std::uint64_t pays = 0;
    for (std::uint64_t t = 0; t < n; ++t) {
      cr.savings[t] = base[t] - cr.results.cost_total[t];
      cr.net[t] = cr.savings[t] - cr.results.intervention_cost_at(t);
      pays += cr.net[t] > 0.0;
    }
    cr.savings_mean = mean(cr.savings);
    cr.cost_mean = intervention_cost_mean(cr.results, n);
    cr.net_mean = mean(cr.net);
    cr.roi_mean = cr.cost_mean > 0.0 ? cr.net_mean / cr.cost_mean
                                     : (cr.net_mean > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
    cr.p_pays_off = static_cast<double>(pays) / static_cast<double>(n);
    const double var_paired = variance(cr.savings);
    const double var_independent = var_base + variance(cr.results.cost_total);
    cr.variance_reduction =
        var_paired > 0.0 ? var_independent / var_paired : std::numeric_limits<double>::infinity();
    // What the outputs show of the three columns, each sorted once, in parallel.
    parallel::invoke(
        [&] {
          const SortedSummary savings = summarize_sorted(cr.savings);
          cr.savings_summary = savings.summary;
          cr.savings_p25 = quantile_sorted(savings.sorted, 0.25);
          cr.savings_p75 = quantile_sorted(savings.sorted, 0.75);
        },
        [&] { cr.net_summary = summarize(cr.net); },
        [&] { cr.cost_with = summarize(cr.results.cost_total); });

    // Break-even: the root of mean_net(f) on [0, 1], over a prefix of the same trials (a paired
    // estimate, so smooth in f). With no effect nothing is saved: mean_net(0) = -mean cost exactly,
    // no run needed.
    RunOptions prefix = options.run;
    prefix.progress = nullptr;  // the bar counts the main runs only
    prefix.trials =
        options.break_even_trials == 0 ? n : std::min<std::uint64_t>(n, options.break_even_trials);
    // ... and the full effect is the run just made: its net over the prefix, no second run.
    const double net0 = -intervention_cost_mean(cr.results, prefix.trials);
    const double net1 = mean(std::span<const double>(cr.net).first(prefix.trials));
    if (net1 < 0.0) {
      cr.break_even_fraction = std::nullopt;
    } else if (net0 >= 0.0) {
      cr.break_even_fraction = 0.0;
    } else {
      cr.break_even_fraction =
          break_even(net0, net1, [&](double f) { return mean_net(m, c, f, base, prefix); });
    }
    out.candidates.push_back(std::move(cr));
  }
  std::stable_sort(
      out.candidates.begin(), out.candidates.end(),
      [](const CandidateResult& a, const CandidateResult& b) { return a.net_mean > b.net_mean; });
  return out;
}

}  // namespace mistakesim
