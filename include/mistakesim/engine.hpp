#pragma once
// The engine: plays years (trials) of a compiled Model. Pure functions of (model, scenario, trial);
// the parallel runner writes each trial's outcome at the trial's index and sums run totals exactly,
// so results do not depend on the thread count.

#include <mistakesim/exact_sum.hpp>
#include <mistakesim/model.hpp>

#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace mistakesim {

class TrialExecutor;  // executor.hpp

//! What is changed relative to the study for one run: interventions applied (a bundle) and
//! year-level inputs pinned to constants (sweep points). Same seed => paired trials.
struct Scenario {
  std::vector<std::size_t> interventions;          //!< indices into Model::interventions
  std::vector<std::pair<InputId, double>> pinned;  //!< input set to a constant value
  //! Share of each intervention effect applied, in [0, 1]: 1 is the full effect, 0 none. A scale s
  //! becomes 1 + f (s - 1), an add a becomes f a, a set v moves the value f of the way to v. Used
  //! to find the break-even effect.
  double effect_fraction = 1.0;
};

//! One mistake's share of one trial.
struct MistakeTally {
  double known = 0.0;             //!< [$] cost of noticed occurrences
  double unknown = 0.0;           //!< [$] cost of unnoticed occurrences
  std::uint32_t occurrences = 0;  //!< times it happened this year
  std::uint32_t deals_lost = 0;   //!< deals it lost (fully or partly recovered)
  double hours_known = 0.0;       //!< [hours] wasted and recovery hours of noticed occurrences
  double hours_unknown = 0.0;     //!< [hours] the same of unnoticed occurrences
  double churned_known = 0.0;     //!< [$] customer value churned by noticed occurrences
  double churned_unknown = 0.0;   //!< [$] the same by unnoticed occurrences
  // The funnel (funnel.hpp): of the deals it lost, those lost outright (a recovery kept nothing).
  std::uint32_t lost_outright = 0;
  double value_lost = 0.0;       //!< [$] done-right value of the deals it lost outright
  double value_recovered = 0.0;  //!< [$] done-right value of the deals it lost that a recovery partly saved
  double value_kept = 0.0;       //!< [$] what those recoveries kept
};

//! Year-level values of one trial: the drawn inputs (correlations applied), then the scenario's
//! pins and intervention effects. out.size() == model.inputs.size().
void draw_year(const Model& model, const Scenario& scenario, std::uint64_t trial, std::span<double> out);

//! Replaces the correlated inputs' independent draws with draws through the model's Gaussian copula.
void apply_correlations(const Model& model, std::uint64_t trial, std::span<double> year);

//! Cost of the scenario's interventions in a year with these year-level values [$].
double intervention_cost(const Model& model, const Scenario& scenario, std::span<const double> year);

//! One mistake's totals over the trials of a run. The sums are exact (ExactSum) and the counts
//! integers, so the totals of the same trials have the same bits whatever the thread count, the
//! block size, or how runs were appended (append_results).
struct MistakeTotals {
  ExactSum known;                   //!< [$] sum over trials of MistakeTally::known
  ExactSum unknown;                 //!< [$] sum over trials of MistakeTally::unknown
  std::uint64_t occurrences = 0;    //!< sum over trials of MistakeTally::occurrences
  std::uint64_t deals_lost = 0;     //!< sum over trials of MistakeTally::deals_lost
  ExactSum hours;                   //!< [hours] sum over trials of hours_known + hours_unknown
  std::uint64_t lost_outright = 0;  //!< sum over trials of MistakeTally::lost_outright
  ExactSum value_lost, value_recovered, value_kept;  //!< [$] sums of MistakeTally's

  void add(const MistakeTally& trial) {
    known.add(trial.known);
    unknown.add(trial.unknown);
    occurrences += trial.occurrences;
    deals_lost += trial.deals_lost;
    hours.add(trial.hours_known + trial.hours_unknown);
    lost_outright += trial.lost_outright;
    value_lost.add(trial.value_lost);
    value_recovered.add(trial.value_recovered);
    value_kept.add(trial.value_kept);
  }
  void add(const MistakeTotals& more) {
    known.add(more.known);
    unknown.add(more.unknown);
    hours.add(more.hours);
    occurrences += more.occurrences;
    deals_lost += more.deals_lost;
    lost_outright += more.lost_outright;
    value_lost.add(more.value_lost);
    value_recovered.add(more.value_recovered);
    value_kept.add(more.value_kept);
  }
};

//! The extra per-trial columns of a model's runs (TrialResults::extras, docs/json-schema.md): the
//! capacity columns when the study models capacity, then each year's cost (total, known, unknown,
//! discounted) when the horizon has more than one year.
struct ExtraColumns {
  enum Capacity : std::size_t {
    hours_lost,           //!< [hours] wasted and recovery hours of every mistake
    selling_hours,        //!< [hours] the team's selling time (0 when the study gives none)
    extra_opportunities,  //!< opportunities the lost hours would have worked
    extra_wins,           //!< wins among them
    opportunity_value,    //!< [$] value of those wins (discounted like the costs)
    capacity_columns
  };
  bool capacity = false;
  std::uint32_t years = 0;  //!< years with columns of their own: 0 for a one-year study
  static ExtraColumns of(const Model& m) { return {m.capacity, m.years > 1 ? m.years : 0u}; }
  std::size_t count() const { return (capacity ? std::size_t{capacity_columns} : 0) + 3u * years; }
  //! Column of year y's (0-based) cost: which = 0 total, 1 known, 2 unknown.
  std::size_t year_column(std::uint32_t y, std::size_t which) const {
    return (capacity ? std::size_t{capacity_columns} : 0) + 3u * y + which;
  }
};

//! Per-trial results as columns indexed by (trial - first_trial), and per-mistake run totals.
//! Per mistake only the cost is kept trial by trial (its quantiles and tail need every value); the
//! known/unknown split, occurrences and deals lost are reported as means, kept as totals.
struct TrialResults {
  std::uint64_t first_trial = 0;
  std::uint64_t count = 0;
  std::size_t mistake_count = 0;
  std::vector<InputId> recorded_inputs;  //!< the uncertain inputs whose values are kept per trial

  std::vector<double> cost_total, cost_known, cost_unknown;  //!< [$] per trial
  //! [$] per trial; empty when the scenario has no interventions (the cost is then 0 every year):
  //! read it through intervention_cost_at() unless known to be filled.
  std::vector<double> intervention_cost;
  std::vector<std::uint32_t> opportunities, good_fits, wins_done_right, wins, should_have_bought;
  std::vector<double> revenue_done_right, revenue, nonbuyer_hours;
  //! [$] [m * count + t]: MistakeTally::known + MistakeTally::unknown of mistake m in trial t.
  std::vector<double> mistake_costs;
  std::vector<MistakeTotals> mistake_totals;  //!< per mistake, model order
  std::vector<double> input_values;           //!< [k * count + t], k indexes recorded_inputs
  std::size_t extra_count = 0;                //!< ExtraColumns::of(model).count()
  std::vector<double> extras;                 //!< [c * count + t], c an ExtraColumns column

  //! Extra column c, trial by trial.
  std::span<const double> extra(std::size_t c) const {
    return std::span<const double>(extras).subspan(c * count, count);
  }

  //! [$] mistake m's cost in trial t.
  double mistake_cost(std::size_t m, std::uint64_t t) const { return mistake_costs[m * count + t]; }
  //! [$] mistake m's cost, trial by trial.
  std::span<const double> mistake_cost_column(std::size_t m) const {
    return std::span<const double>(mistake_costs).subspan(m * count, count);
  }
  //! [$ per year] mean of mistake m's noticed cost; NaN for no trials.
  double mistake_known_mean(std::size_t m) const { return per_trial(mistake_totals.at(m).known.value()); }
  //! [$ per year] mean of mistake m's unnoticed cost; NaN for no trials.
  double mistake_unknown_mean(std::size_t m) const { return per_trial(mistake_totals.at(m).unknown.value()); }
  //! [per year] mean number of times mistake m happened; NaN for no trials.
  double mistake_occurrences_mean(std::size_t m) const {
    return per_trial(static_cast<double>(mistake_totals.at(m).occurrences));
  }
  //! [per year] mean number of deals mistake m lost; NaN for no trials.
  double mistake_deals_lost_mean(std::size_t m) const {
    return per_trial(static_cast<double>(mistake_totals.at(m).deals_lost));
  }
  //! [$] cost of the scenario's interventions in trial t (0 when it has none).
  double intervention_cost_at(std::uint64_t t) const {
    return intervention_cost.empty() ? 0.0 : intervention_cost[t];
  }

  //! Calls f(&TrialResults::column) for every column with one value per trial (intervention_cost,
  //! which may be empty, and the [m * count + t] matrices aside): the one list that sizing,
  //! appending and checking the columns go through.
  template <class F>
  static void for_each_column(F&& f) {
    f(&TrialResults::cost_total);
    f(&TrialResults::cost_known);
    f(&TrialResults::cost_unknown);
    f(&TrialResults::opportunities);
    f(&TrialResults::good_fits);
    f(&TrialResults::wins_done_right);
    f(&TrialResults::wins);
    f(&TrialResults::should_have_bought);
    f(&TrialResults::revenue_done_right);
    f(&TrialResults::revenue);
    f(&TrialResults::nonbuyer_hours);
  }
  //! Every column has `count` values (intervention_cost: `count` or none), mistake_costs
  //! mistake_count x count, input_values recorded_inputs.size() x count, one total per mistake.
  bool well_formed() const {
    bool ok = intervention_cost.empty() || intervention_cost.size() == count;
    for_each_column([&](auto column) { ok = ok && (this->*column).size() == count; });
    return ok && mistake_costs.size() == mistake_count * count && mistake_totals.size() == mistake_count &&
           input_values.size() == recorded_inputs.size() * count && extras.size() == extra_count * count;
  }

 private:
  double per_trial(double total) const {
    return count == 0 ? std::numeric_limits<double>::quiet_NaN() : total / static_cast<double>(count);
  }
};

struct RunOptions {
  std::uint64_t first_trial = 0;
  std::uint64_t trials = 0;         //!< 0: the model's trial count
  unsigned threads = 0;             //!< 0: all cores
  std::uint64_t block_size = 1024;  //!< trials per parallel block (does not change results)
  //! Keep the uncertain year-level inputs' values per trial (TrialResults::input_values), for the
  //! CSV and sensitivity. Off, recorded_inputs is empty and a run needs ~40% less memory.
  bool record_inputs = true;
  //! If set, trials done are added to it as blocks finish (for a progress bar; never read back).
  std::atomic<std::uint64_t>* progress = nullptr;
  //! If set, run_trials hands the run to it (e.g. across MPI ranks, executor.hpp), with the same
  //! result; null: this process computes every trial.
  const TrialExecutor* executor = nullptr;
};

//! Runs trials [first_trial, first_trial + trials) of the scenario in parallel (oneTBB, fixed blocks,
//! in a task arena of options.threads workers).
TrialResults run_trials(const Model& model, const Scenario& scenario, const RunOptions& options);

}  // namespace mistakesim
