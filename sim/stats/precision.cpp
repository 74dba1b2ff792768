// Runs that stop when the mean yearly cost is precise enough.
//
// The trade-off: checking after every trial would stop earliest but make the trial count depend on
// the exact moment of each check, and checking the partial sums of parallel blocks would make it
// depend on scheduling. Instead the count is chosen among fixed checkpoints (first_block, doubling,
// capped at max_trials), each check a pure function of trials [first, first + checkpoint). The same
// command therefore always stops at the same count, and because every trial is a pure function of
// (seed, trial index), the results equal a fixed run of that many trials bit for bit. Doubling
// spends at most about twice the trials strictly needed; the relative half-width shrinks as
// 1/sqrt(n), so each doubling improves it by about 1/sqrt(2).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mistakesim/errors.hpp>
#include <mistakesim/whatif.hpp>
#include <type_traits>

namespace mistakesim {

double relative_half_width(std::span<const double> values) {
  const std::size_t n = values.size();
  if (n < 2) return std::nan("");
  const double mu = mean(values);
  const double sd = std::sqrt(variance(values));
  if (sd == 0.0) return 0.0;
  if (mu == 0.0) return std::numeric_limits<double>::infinity();
  return 1.96 * sd / std::sqrt(static_cast<double>(n)) / std::abs(mu);
}

std::vector<std::uint64_t> precision_checkpoints(const PrecisionGoal& goal) {
  SIM_CHECK(goal.max_trials > 0 && goal.first_block > 0, << goal.max_trials << " " << goal.first_block);
  std::vector<std::uint64_t> points;
  std::uint64_t n = std::min(goal.first_block, goal.max_trials);
  while (true) {
    points.push_back(n);
    if (n >= goal.max_trials) break;
    n = n > goal.max_trials / 2 ? goal.max_trials : 2 * n;
  }
  return points;
}

void append_results(TrialResults& into, const TrialResults& more) {
  SIM_CHECK(more.first_trial == into.first_trial + into.count,
            << "trials " << more.first_trial << " do not follow " << into.first_trial << " + " << into.count);
  SIM_CHECK(more.mistake_count == into.mistake_count && more.recorded_inputs == into.recorded_inputs,
            << "results of different models or scenarios");
  // The intervention cost column is empty when the scenario has no interventions (or no trials).
  SIM_CHECK(
      into.count == 0 || more.count == 0 || into.intervention_cost.empty() == more.intervention_cost.empty(),
      << "results of different scenarios");
  const std::size_t n0 = into.count, n1 = more.count, n = n0 + n1;
  SIM_CHECK(into.well_formed() && more.well_formed(),
            << "results whose columns do not match their trial counts");
  auto append = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  TrialResults::for_each_column([&](auto column) { append(into.*column, more.*column); });
  append(into.intervention_cost, more.intervention_cost);
  // Columns laid out [column * count + t] are interleaved again for the new count.
  auto merge_columns = [&](auto& a, const auto& b, std::size_t columns) {
    std::remove_reference_t<decltype(a)> merged(columns * n);
    for (std::size_t c = 0; c < columns; ++c) {
      std::copy_n(a.begin() + static_cast<std::ptrdiff_t>(c * n0), n0,
                  merged.begin() + static_cast<std::ptrdiff_t>(c * n));
      std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(c * n1), n1,
                  merged.begin() + static_cast<std::ptrdiff_t>(c * n + n0));
    }
    a = std::move(merged);
  };
  merge_columns(into.mistake_costs, more.mistake_costs, into.mistake_count);
  // Exact sums and integer counts: the totals are those of one run over all the trials, bit for bit.
  for (std::size_t m = 0; m < into.mistake_count; ++m) into.mistake_totals[m].add(more.mistake_totals[m]);
  merge_columns(into.input_values, more.input_values, into.recorded_inputs.size());
  SIM_CHECK(into.extra_count == more.extra_count, << "results of different models");
  merge_columns(into.extras, more.extras, into.extra_count);
  into.count = n;
}

PrecisionRun run_to_precision(const Model& model, const Scenario& scenario, const PrecisionGoal& goal,
                              const RunOptions& options) {
  PrecisionRun run;
  run.asked = goal.relative;
  std::uint64_t done = 0;
  for (std::uint64_t checkpoint : precision_checkpoints(goal)) {
    RunOptions block = options;
    block.first_trial = options.first_trial + done;
    block.trials = checkpoint - done;
    if (done == 0) {
      run.results = run_trials(model, scenario, block);
    } else {
      append_results(run.results, run_trials(model, scenario, block));
    }
    done = checkpoint;
    run.reached = relative_half_width(run.results.cost_total);
    if (run.reached <= goal.relative) {
      run.reached_goal = true;
      break;
    }
  }
  run.trials_used = done;
  return run;
}

PrecisionRun savings_precision(const Model& model, const std::vector<Scenario>& candidates,
                               const PrecisionGoal& goal, const RunOptions& options) {
  SIM_CHECK(!candidates.empty(), << "no candidate to compare");
  PrecisionRun run;
  run.asked = goal.relative;
  std::vector<std::vector<double>> savings(candidates.size());
  std::uint64_t done = 0;
  for (std::uint64_t checkpoint : precision_checkpoints(goal)) {
    RunOptions block = options;
    block.first_trial = options.first_trial + done;
    block.trials = checkpoint - done;
    const TrialResults baseline = run_trials(model, Scenario{}, block);
    run.reached = 0.0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const TrialResults with = run_trials(model, candidates[c], block);
      for (std::uint64_t t = 0; t < with.count; ++t)
        savings[c].push_back(baseline.cost_total[t] - with.cost_total[t]);
      const double relative = relative_half_width(savings[c]);
      run.reached = std::isnan(relative) ? relative : std::max(run.reached, relative);
    }
    done = checkpoint;
    if (run.reached <= goal.relative) {
      run.reached_goal = true;
      break;
    }
  }
  run.trials_used = done;
  return run;
}

}  // namespace mistakesim
