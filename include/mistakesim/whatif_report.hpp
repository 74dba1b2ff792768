#pragma once
// Outputs of the what-if commands: `sweep` (JSON schema "mistakesim.sweep/1", CSV, terminal table),
// `sensitivity` (schema "mistakesim.sensitivity/1", tornado-style table), the `precision` object
// that `run --precision` adds to the run JSON, and distribution-free intervals for quantiles.
// docs/what-if.md shows each with real output.

#include <mistakesim/report.hpp>
#include <mistakesim/whatif.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>

namespace mistakesim {

inline constexpr const char* kSweepSchema = "mistakesim.sweep/1";
inline constexpr const char* kSensitivitySchema = "mistakesim.sensitivity/1";

//! The sweep as JSON: {schema, study{...}, param, param2?, points[{value, value2?, cost{total,
//! known, unknown}, pipeline{...}, mistakes[{id, cost_mean}]}], run{...}}; cost.total also carries
//! quantile_ci95. Deterministic apart from `run`.
nlohmann::ordered_json sweep_json(const Model& model, const Sweep& sweep, const RunInfo& info);

//! One row per point: value[,value2], cost statistics, pipeline means, cost:<mistake id> means.
void write_sweep_csv(std::ostream& out, const Model& model, const Sweep& sweep);

//! The sweep for a sales leader: one row per point with the average, good, typical and bad year.
std::string sweep_terminal(const Model& model, const Sweep& sweep, const RunInfo& info);

//! {schema, study{...}, trials, cost{summary, quantile_ci95}, r2, inputs[{param, spearman, src,
//! swing_p10_p90, tail_shift, mean, sd, p10, p90}], run{...}}, inputs ranked by |spearman|.
nlohmann::ordered_json sensitivity_json(const Model& model, const Sensitivity& s, const TrialResults& results,
                                        const RunInfo& info);

//! A tornado-style table: each input's rank correlation as a bar, with SRC, swing and tail shift.
std::string sensitivity_terminal(const Model& model, const Sensitivity& s, const RunInfo& info);

//! {asked, reached, trials_used, stopped_by: "precision" | "max_trials"}; reached is null if not finite.
nlohmann::ordered_json precision_json(const PrecisionRun& run);

//! A value of a year-level input in words: probabilities and fractions as percentages ("42.5%"),
//! hourly costs as money, anything else as a plain number.
std::string format_input_value(const Model& model, InputId input, double value);

//! The names of the interventions a sweep applies (Sweep::interventions), joined with " + ".
std::string applied_names(const Model& model, const Sweep& sweep);

}  // namespace mistakesim
