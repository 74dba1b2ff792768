#pragma once
// Outputs of `mistakesim compare`: terminal table, JSON (schema "mistakesim.compare/1") and per-trial CSV.

#include <mistakesim/compare.hpp>
#include <mistakesim/report.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace mistakesim {

//! JSON: study, baseline cost summary, interventions[] ranked by mean net, run.
nlohmann::ordered_json compare_json(const Model& model, const Comparison& comparison, const RunInfo& info);
//! CSV: trial, baseline cost, then per intervention savings:<id>, cost:<id>, net:<id>.
void write_compare_csv(std::ostream& out, const Comparison& comparison);
//! Table for a sales leader: per intervention what it saves, costs, nets, ROI, chance it pays off.
std::string compare_terminal(const Model& model, const Comparison& comparison, const RunInfo& info);

}  // namespace mistakesim
