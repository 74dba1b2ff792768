#pragma once
// The capacity and horizon parts of the outputs (horizon_report.cpp): JSON objects, terminal lines,
// the CSV's extra columns and the HTML report's section with the per-year fan chart. Each returns
// nothing (an empty string, or no columns) for a study without capacity or with one year, so the
// outputs of other studies are unchanged. Internal to the report layer.

#include <mistakesim/compare.hpp>
#include <mistakesim/horizon.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mistakesim::detail {

//! capacity{hours_lost_mean, share_of_selling_time, extra_opportunities_mean, extra_wins_mean,
//! opportunity_value_mean, ...} (docs/json-schema.md).
nlohmann::ordered_json capacity_json(const Model& model, const CapacitySummary& c);
//! horizon{years, discount_rate, by_year:[{year, cost}], cumulative}.
nlohmann::ordered_json horizon_json(const HorizonSummary& h);
//! pay_off{year, probability, paid_off_by_year}.
nlohmann::ordered_json pay_off_json(const PayOffSummary& p);

//! The compare table's lines on when each candidate pays for itself ("" for a one-year study).
std::string pay_off_terminal(const Model& model, const Comparison& c);

//! The compare report's section on when each candidate pays for itself ("" for a one-year study).
std::string pay_off_html(const Model& model, const Comparison& c);

//! Adds "capacity" and "horizon" to a run's JSON when the model has them.
void add_horizon_json(nlohmann::ordered_json& j, const Model& model, const TrialResults& results);

//! The terminal's note that a trial is a horizon of several years ("" for one year).
std::string horizon_note(const Model& model);

//! The terminal's lines on capacity and on the horizon ("" when the model has neither).
std::string horizon_terminal(const Model& model, const TrialResults& results);

//! The CSV's extra column names, in ExtraColumns order.
std::vector<std::string> extra_csv_columns(const Model& model);

//! The HTML report's section on capacity and the horizon ("" when the model has neither).
std::string horizon_html(const Model& model, const TrialResults& results);

//! The fan chart of the cost per year (P05-P95 and P25-P75 bands, median and mean lines) and the
//! cumulative cost, as one <svg> each.
std::string fan_chart_svg(const HorizonSummary& h, const std::string& currency, const std::string& id);

}  // namespace mistakesim::detail
