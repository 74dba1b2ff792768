#pragma once
// Internal to the report layer: aligned plain-text tables for the terminal outputs, and the JSON
// pieces shared by the run and what-if outputs.

#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/stats.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mistakesim::detail {

//! Columns on screen of UTF-8 text: one per code point (no wide or combining characters assumed).
//! The symbol written before an amount: "$" for USD, "€", "£", otherwise the code and a space
//! (nothing for no currency). format.cpp.
std::string currency_prefix(const std::string& currency);

inline std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

//! At most `width` code points: cut at a code point (never inside one) and marked by `ellipsis`,
//! which counts toward the width. The terminal tables mark a cut with "...", the SVG labels with
//! "\u2026".
inline std::string truncate(std::string_view text, std::size_t width, std::string_view ellipsis = "...") {
  if (display_width(text) <= width) return std::string(text);
  const std::size_t keep = width - std::min(width, display_width(ellipsis));
  std::size_t points = 0, i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (points == keep) break;
      ++points;
    }
  }
  return std::string(text.substr(0, i)).append(ellipsis);
}

//! A table with aligned columns: text left-aligned, numbers right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<bool> right_aligned) : right_(std::move(right_aligned)) {}
  void add(std::vector<std::string> row) {
    SIM_CHECK(row.size() == right_.size(), << row.size() << " cells for " << right_.size() << " columns");
    rows_.push_back(std::move(row));
  }
  std::string render(const std::string& indent) const {
    std::vector<std::size_t> width(right_.size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line = indent;
      for (std::size_t c = 0; c < row.size(); ++c) {
        const std::string pad(width[c] - display_width(row[c]), ' ');
        if (c > 0) line += "  ";
        line += right_[c] ? pad + row[c] : row[c] + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + '\n';
    }
    return out;
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

//! A finite number, or null (JSON has no NaN or infinity).
inline nlohmann::ordered_json json_number(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

//! How deals are valued, as the JSON outputs write it.
inline const char* value_basis_name(ValueBasis v) { return v == ValueBasis::margin ? "margin" : "revenue"; }

//! The "study" object of every JSON output (run, sweep, sensitivity, compare).
inline nlohmann::ordered_json study_json(const Model& model, std::uint64_t trials,
                                         std::uint64_t first_trial) {
  nlohmann::ordered_json study;
  study["name"] = model.name;
  study["trials"] = trials;
  study["first_trial"] = first_trial;
  study["seed"] = model.seed;
  study["currency"] = model.currency;
  study["value"] = value_basis_name(model.value);
  study["reps"] = model.reps;
  return study;
}

//! The "run" object of every JSON output: how it was run.
inline nlohmann::ordered_json run_info_json(const RunInfo& info) {
  nlohmann::ordered_json run;
  run["threads"] = info.threads;
  run["seconds"] = json_number(info.seconds);
  run["version"] = info.version;
  run["build"] = info.build;
  run["study_file"] = info.study_file;
  return run;
}

//! Every input of the model as the study states it: the run JSON's "inputs" list (json.cpp).
nlohmann::ordered_json study_inputs_json(const Model& model);

//! The pipeline means of a run or a sweep point: {opportunities_mean, ..., revenue_mean}.
inline nlohmann::ordered_json pipeline_json(const PipelineMeans& p) {
  nlohmann::ordered_json j;
  j["opportunities_mean"] = json_number(p.opportunities);
  j["good_fits_mean"] = json_number(p.good_fits);
  j["wins_done_right_mean"] = json_number(p.wins_done_right);
  j["wins_mean"] = json_number(p.wins);
  j["should_have_bought_mean"] = json_number(p.should_have_bought);
  j["nonbuyer_hours_mean"] = json_number(p.nonbuyer_hours);
  j["revenue_done_right_mean"] = json_number(p.revenue_done_right);
  j["revenue_mean"] = json_number(p.revenue);
  return j;
}

// The JSON pieces every output's JSON is built from.

//! [lo, hi] of a quantile interval; an infinite end (too few values) is null.
nlohmann::ordered_json quantile_interval_json(const QuantileInterval& q);

//! {mean, mean_ci95: [lo, hi], sd, min, p05, p10, p50, p90, p95, p99, max, cvar95}; NaN -> null.
nlohmann::ordered_json summary_json(const Summary& s);
//! The run JSON's "funnel": every opportunity in one place, and the value walked down (funnel.hpp).
nlohmann::ordered_json funnel_json(const Model& model, const Funnel& f);
//! The run JSON's "mistakes": one row per mistake in the summary's order (ranked by mean cost).
nlohmann::ordered_json mistakes_json(const Model& model, const RunSummary& s);

//! Distribution-free 95% intervals of the reported quantiles (stats.hpp reported_quantile_cis):
//! {p05: [lo, hi], p10, p50, p90, p95, p99}; a bound that too few values cannot give is null. In
//! the run JSON as cost.<part>.quantile_ci95.
nlohmann::ordered_json quantile_cis_json(const QuantileIntervals& cis);

}  // namespace mistakesim::detail
