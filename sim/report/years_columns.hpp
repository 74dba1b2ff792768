#pragma once
// Internal to the report layer: the per-year columns of a run as the CSV names them (csv.cpp,
// docs/json-schema.md), for the outputs that carry one value per simulated year besides the CSV: the
// workbook's Years sheet (xlsx.cpp) and the SIPmath library (sip.cpp).

#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/model.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mistakesim::detail {

//! One per-year column: its CSV header and its value in trial t (index from results.first_trial).
struct YearColumn {
  std::string name;  //!< "cost_total", "cost:<mistake id>", "input:<path>"
  enum class Kind { money, count, hours, input } kind;
  std::function<double(std::uint64_t)> value;  //!< value at column index t
};

//! The CSV's columns after `trial`, in its order: cost_total, cost_known, cost_unknown,
//! opportunities, wins, should_have_bought, nonbuyer_hours, cost:<id> per mistake (model order),
//! input:<path> per recorded input. The functions refer to `r` and `model`, which must outlive them.
inline std::vector<YearColumn> year_columns(const Model& model, const TrialResults& r) {
  SIM_CHECK(r.mistake_count == model.mistakes.size() && r.well_formed(),
            << r.mistake_count << " mistake columns for " << model.mistakes.size() << " mistakes");
  using K = YearColumn::Kind;
  std::vector<YearColumn> columns;
  columns.push_back({"cost_total", K::money, [&r](std::uint64_t t) { return r.cost_total[t]; }});
  columns.push_back({"cost_known", K::money, [&r](std::uint64_t t) { return r.cost_known[t]; }});
  columns.push_back({"cost_unknown", K::money, [&r](std::uint64_t t) { return r.cost_unknown[t]; }});
  columns.push_back(
      {"opportunities", K::count, [&r](std::uint64_t t) { return double(r.opportunities[t]); }});
  columns.push_back({"wins", K::count, [&r](std::uint64_t t) { return double(r.wins[t]); }});
  columns.push_back(
      {"should_have_bought", K::count, [&r](std::uint64_t t) { return double(r.should_have_bought[t]); }});
  columns.push_back({"nonbuyer_hours", K::hours, [&r](std::uint64_t t) { return r.nonbuyer_hours[t]; }});
  for (std::size_t m = 0; m < r.mistake_count; ++m)
    columns.push_back({"cost:" + model.mistakes[m].id, K::money,
                       [&r, m](std::uint64_t t) { return r.mistake_cost(m, t); }});
  for (std::size_t k = 0; k < r.recorded_inputs.size(); ++k) {
    SIM_CHECK(r.recorded_inputs[k] < model.inputs.size(), << "recorded input " << r.recorded_inputs[k]);
    columns.push_back({"input:" + model.inputs[r.recorded_inputs[k]].path, K::input,
                       [&r, k](std::uint64_t t) { return r.input_values[k * r.count + t]; }});
  }
  return columns;
}

}  // namespace mistakesim::detail
