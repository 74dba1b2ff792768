#pragma once
// What-if studies: sweeps of year-level inputs, sensitivity of the yearly cost to the
// uncertain inputs, and runs that stop when the mean yearly cost is known precisely enough.
//
// Every study here is built from run_trials() over trials [first_trial, first_trial + n) with the
// study's seed, so:
// - all points of a sweep see the same random numbers for every quantity they do not pin (common
//   random numbers): differences between points are the effect of the parameter, not noise;
// - a run that stops on precision is the same, bit for bit, as a fixed run with the trial count it
//   stopped at, because that count is chosen only at block boundaries from the results so far.

#include <cstdint>
#include <functional>
#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/stats.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mistakesim {

// ---------------------------------------------------------------------------------------------
// Sweeps

//! One swept input: which year-level input and the values it takes, in the order given.
struct SweepAxis {
  InputId input = kNoInput;
  std::string path;            //!< its parameter path, e.g. "pipeline.close_rate"
  std::vector<double> values;  //!< each within the input's valid range
  //! Not a year-level input (team.reps, an amount, one number of a distribution): each point runs
  //! the study compiled again with the value in place (StudyVariants). `input` then names a
  //! constant input added to the model for the reports (its path, the study's value, its range).
  bool compiled = false;
};

//! The values of a study a sweep can set by compiling the study again, and how to compile it
//! (the config layer's load_study_with, with the run's --trials and --seed). Parameter paths
//! address the random numbers, so every point shares the draws its change does not touch.
struct StudyVariants {
  struct Value {
    std::string path;             //!< e.g. "team.reps", "pipeline.deal_size.median", "mistake.x.wasted_hours"
    Distribution dist;            //!< what the study says
    double lower = 0, upper = 0;  //!< its valid range (for the reports' formatting)
    std::string range_words;
  };
  std::vector<Value> values;
  std::function<Model(const std::vector<std::pair<std::string, double>>& values)> compile;

  const Value* find(const std::string& path) const;
};

//! An axis of a value the variants set: checks every value by compiling the study with it (an
//! InputError names the path), and appends to `model` the constant input the reports show.
SweepAxis make_variant_axis(Model& model, const StudyVariants& variants, const std::string& path,
                            std::vector<double> values);

//! The year-level input a sweep names. An unknown path is an InputError (located at `option`)
//! that lists every valid year-level path of the model.
InputId sweep_input(const Model& model, const std::string& path, const std::string& option = "--param");

//! Refuses a value outside the input's valid range with an InputError naming the parameter path,
//! e.g. "pipeline.close_rate: a probability lies in [0, 1], got 1.2".
void check_sweep_value(const Model& model, InputId input, double value);

//! Resolves the path and checks every value: a ready, valid axis. Throws InputError.
SweepAxis make_sweep_axis(const Model& model, const std::string& path, std::vector<double> values,
                          const std::string& option = "--param");

//! What a sweep reports for one point (one pinned value, or one pair on a grid).
struct SweepPoint {
  double value = 0.0;                   //!< value of the first parameter
  std::optional<double> value2;         //!< value of the second parameter on a grid
  Summary total{}, known{}, unknown{};  //!< [$ per year] cost of mistakes
  //! Distribution-free 95% intervals for the total cost's p05, p50, p95 (stats.hpp quantile_ci).
  QuantileInterval total_p05{}, total_p50{}, total_p95{};
  PipelineMeans pipeline;                 //!< means per year
  std::vector<double> mistake_cost_mean;  //!< [$ per year], model order
  //! [$ per year] Paired change of the yearly cost from the first point, trial by trial (this
  //! point's cost minus the first point's, same years): its mean_ci95 is much narrower than the
  //! difference of the two points' own intervals. Zero at the first point.
  Summary change_from_first{};
  //! With interventions applied (Sweep::interventions not empty): [$ per year] their cost, and the
  //! net cost of the year, cost of mistakes + intervention cost, trial by trial, with its paired
  //! change from the first point. Empty without interventions.
  std::optional<Summary> intervention_cost, net, net_change_from_first;
};

//! A sweep: its axes and one point per value (grid: row-major, the first parameter outermost).
struct Sweep {
  SweepAxis axis;
  std::optional<SweepAxis> axis2;
  std::uint64_t first_trial = 0;
  std::uint64_t trials = 0;
  std::vector<std::string> interventions;  //!< ids of the interventions every point runs with
  std::vector<SweepPoint> points;
};

//! The point statistics of one run (value/value2 left at their defaults).
SweepPoint summarize_point(const TrialResults& results);

//! Runs the study at every point over the same trials (options.first_trial, options.trials; 0 =
//! the model's count) with Scenario::pinned set to the point's values. Results do not depend on the
//! thread count. The axes must come from make_sweep_axis (checked).
//! An axis that is `compiled` needs `variants`: its points run variants->compile(the points' values),
//! with the year-level axis (if any) pinned in that model.
//! `interventions` (ids of model.interventions) are applied at every point, whose figures then
//! include the intervention cost and the net cost (SweepPoint).
Sweep run_sweep(const Model& model, const SweepAxis& axis, const std::optional<SweepAxis>& axis2,
                const RunOptions& options, const StudyVariants* variants = nullptr,
                const std::vector<std::string>& interventions = {});

// ---------------------------------------------------------------------------------------------
// Sensitivity

//! 1-based ranks of values, ties given the average of the ranks they span (so [5, 1, 5] -> [2.5,
//! 1, 2.5]). NaN values are not expected (SIM_CHECK).
std::vector<double> average_ranks(std::span<const double> values);

//! Pearson correlation of two columns of equal size; NaN when either has zero variance.
double pearson(std::span<const double> a, std::span<const double> b);

//! Spearman rank correlation: Pearson correlation of average_ranks(a) and average_ranks(b).
double spearman(std::span<const double> a, std::span<const double> b);

//! How much one uncertain year-level input drives the yearly cost of mistakes.
struct InputInfluence {
  InputId input = kNoInput;
  std::string param;  //!< parameter path
  //! Spearman rank correlation of the input with the yearly cost (average ranks for ties).
  double spearman = 0.0;
  //! Standardised regression coefficient: least squares of the standardised cost on all the
  //! standardised inputs together; the change in cost, in cost sds, per input sd, others held fixed.
  double src = 0.0;
  //! [$ per year] Conditional-mean swing: with q10, q90 the type-7 10% and 90% quantiles of the
  //! input over the trials, mean(cost | input >= q90) - mean(cost | input <= q10). Positive when a
  //! higher input means a higher cost. Ties at a quantile are included on their side.
  double swing_p10_p90 = 0.0;
  //! [$ per year] The two sides of the swing: mean cost over the years with the input <= q10
  //! (cost_low) and >= q90 (cost_high); swing_p10_p90 = cost_high - cost_low. Both equal the mean
  //! cost when the input does not vary.
  double cost_low = 0.0, cost_high = 0.0;
  //! (mean of the input over the worst 10% of years by cost - its overall mean) / its sd. The worst
  //! 10% is tail_weights(cost, 0.90) (fractional boundary weight, ties by trial index).
  double tail_shift = 0.0;
  double mean = 0.0;  //!< mean of the input over the trials
  double sd = 0.0;    //!< sd of the input over the trials
  double p10 = 0.0;   //!< type-7 10% quantile of the input over the trials (the swing's low cut)
  double p90 = 0.0;   //!< type-7 90% quantile (the swing's high cut)
};

//! Every recorded uncertain input ranked by |spearman| descending (ties, and NaN last, in model
//! order), with the regression's R^2.
struct Sensitivity {
  std::uint64_t trials = 0;
  double cost_mean = 0.0;  //!< [$ per year]
  double cost_sd = 0.0;
  double r2 = 0.0;  //!< of the standardised regression; NaN when the cost does not vary
  std::vector<InputInfluence> inputs;
  Summary cost{};                 //!< summarize(results.cost_total), for the outputs
  QuantileIntervals cost_ci95{};  //!< of its reported quantiles
};

//! Sensitivity of results.cost_total to results.recorded_inputs. Deterministic: sums in trial order,
//! the regression solved from its normal equations (Eigen LDLT). Inputs that do not vary over the
//! trials get src = 0, spearman/tail_shift NaN, and are left out of the regression.
Sensitivity sensitivity(const Model& model, const TrialResults& results);

// ---------------------------------------------------------------------------------------------
// Precision-based stopping

//! When to stop: the 95% half-width of the mean yearly cost, 1.96 sd / sqrt(n), at most
//! `relative` times |mean|; at most `max_trials` trials.
struct PrecisionGoal {
  double relative = 0.005;
  std::uint64_t max_trials = 1'000'000;
  std::uint64_t first_block = 10'000;  //!< trials in the first block; the total then doubles
};

//! 1.96 sd / sqrt(n) / |mean| of the values; 0 when sd == 0; +inf when mean == 0 and sd > 0; NaN
//! for fewer than 2 values.
double relative_half_width(std::span<const double> values);

//! The block boundaries a precision run checks at: first_block, 2 first_block, 4 first_block, ...,
//! capped at (and ending with) max_trials.
std::vector<std::uint64_t> precision_checkpoints(const PrecisionGoal& goal);

//! A run that stopped on precision or on max_trials.
struct PrecisionRun {
  TrialResults results;  //!< trials [first_trial, first_trial + trials_used)
  double asked = 0.0;    //!< goal.relative
  double reached = 0.0;  //!< relative_half_width(results.cost_total)
  std::uint64_t trials_used = 0;
  bool reached_goal = false;  //!< stopped by precision (true) or by max_trials (false)
};

//! Runs blocks of trials, checking relative_half_width(cost_total of the trials so far) at each
//! checkpoint; stops at the first checkpoint where it is <= goal.relative, or at max_trials. Equal to
//! run_trials(model, scenario, {first_trial, trials_used}) bit for bit.
PrecisionRun run_to_precision(const Model& model, const Scenario& scenario, const PrecisionGoal& goal,
                              const RunOptions& options);

//! The trial count for `compare --precision`: runs the baseline and each candidate scenario in blocks
//! at the same checkpoints, keeping only the per-trial savings (baseline cost minus cost with the
//! candidate), until every candidate's mean savings has relative_half_width <= goal.relative (reached
//! is the largest over candidates), or max_trials. A candidate that saves exactly nothing has half-width
//! 0; one whose savings average 0 but vary never converges (runs to max_trials). `results` is left
//! empty: the caller runs compare() with trials_used, which gives the same trials bit for bit.
PrecisionRun savings_precision(const Model& model, const std::vector<Scenario>& candidates,
                               const PrecisionGoal& goal, const RunOptions& options);

//! Appends `more` (trials right after `into`'s) to `into`, column by column.
void append_results(TrialResults& into, const TrialResults& more);

}  // namespace mistakesim
