#pragma once
// `--precision` and `--max-trials` for run (the mean yearly cost) and compare (each candidate's mean
// savings): run in blocks until the mean is known precisely enough (whatif.hpp run_to_precision,
// savings_precision). Defined in cmd_whatif.cpp.

#include "cli/commands.hpp"

#include <mistakesim/whatif.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace mistakesim::cli {

struct PrecisionArgs {
  std::string precision;                    //!< as typed: "0.5%" or "0.005"; empty: a fixed run
  std::optional<std::uint64_t> max_trials;  //!< cap on the trials a precision run may use
  bool enabled() const { return !precision.empty(); }
};

//! Adds --precision and --max-trials to a command.
void add_precision_options(CLI::App* cmd, PrecisionArgs& args);

//! The goal asked for; refuses --max-trials without --precision and --trials with it (InputError).
std::optional<PrecisionGoal> precision_goal(const RunArgs& run, const PrecisionArgs& args);

//! Runs the scenario: a fixed run of model.trials, or until the goal is met (options.progress is
//! handed to every block). `outcome` is set for a precision run, without its results (returned).
TrialResults run_with_precision(const Model& model, const Scenario& scenario, const RunOptions& options,
                                const std::optional<PrecisionGoal>& goal,
                                std::optional<PrecisionRun>& outcome);

//! The warning on stderr (unless quiet) when max-trials stopped the run before the goal; `what` names
//! the quantity ("mean yearly cost").
void warn_if_max_trials(const PrecisionRun& run, bool quiet, const std::string& what);

//! One line for the terminal: where a precision run stopped and why; `what` names the quantity.
std::string precision_note(const PrecisionRun& run, const std::string& what = "the average year");

}  // namespace mistakesim::cli
