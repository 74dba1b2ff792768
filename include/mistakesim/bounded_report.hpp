#pragma once
// Outputs of a bounded-memory run (sketch.hpp, run_bounded): the run JSON's figures with the
// approximate ones named and their error stated, and the terminal table with a note saying so.

#include <mistakesim/report.hpp>
#include <mistakesim/sketch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace mistakesim {

//! Confidence at which a bounded run states its rank error (each sketched quantile within it).
inline constexpr double kBoundedConfidence = 0.99;

//! The run JSON (schema mistakesim.run/1) of a bounded run, with "memory_bounded": which figures
//! are approximate, the sketches' rank error at 99% confidence, the chunk size. No quantile
//! intervals and no per-mistake CVaR contributions (null): they need every year.
nlohmann::ordered_json bounded_run_json(const Model& model, const BoundedRun& run, const RunSummary& summary,
                                        const RunInfo& info);
//! The run's terminal table, then what is approximate and by how much.
std::string bounded_run_terminal(const Model& model, const BoundedRun& run, const RunSummary& summary,
                                 const RunInfo& info);

}  // namespace mistakesim
