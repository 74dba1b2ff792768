// The run summary as JSON, schema "mistakesim.run/1" (docs/json-schema.md).
//
// Determinism: ordered_json keeps keys in insertion order, nlohmann prints doubles in their shortest
// round-trip form independently of the locale, and every statistic is computed in a fixed order
// (stats.hpp). Only the `run` object (threads, seconds, build) changes between runs of one study.

#include <algorithm>
#include <cmath>
#include <mistakesim/build_info.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>

#include "report/horizon_report.hpp"
#include "report/report_detail.hpp"

namespace mistakesim {

namespace {

using Json = nlohmann::ordered_json;

using detail::json_number;
using detail::quantile_cis_json;
using detail::summary_json;

Json input_json(const std::string& path, const char* level, const Distribution& dist) {
  Json j;
  j["param"] = path;
  j["level"] = level;
  j["distribution"] = dist.describe();
  j["mean"] = json_number(dist.mean());
  j["uncertain"] = !dist.is_constant();
  return j;
}

//! Every input of the model with its parameter path: year-level inputs first (model order), then
//! the opportunity count, the per-opportunity amounts and each mistake's per-occurrence amounts.
Json inputs_json(const Model& model) {
  Json inputs = Json::array();
  for (const YearInput& input : model.inputs)
    if (!input.internal) inputs.push_back(input_json(input.path, "year", input.dist));
  if (model.opportunities_per_rep) {
    inputs.push_back(input_json("pipeline.opportunities_per_rep", "per rep", model.opportunities.dist));
  } else {
    inputs.push_back(input_json("pipeline.opportunities", "year", model.opportunities.dist));
  }
  inputs.push_back(input_json("pipeline.deal_size", "per opportunity", model.deal_size.dist));
  inputs.push_back(input_json("pipeline.qualify_hours", "per opportunity", model.qualify_hours.dist));
  inputs.push_back(input_json("pipeline.customer_value", "per opportunity", model.customer_value.dist));
  for (const Mistake& m : model.mistakes) {
    const std::string base = "mistake." + m.id + ".";
    inputs.push_back(input_json(base + "wasted_hours", "per occurrence", m.wasted_hours.dist));
    inputs.push_back(input_json(base + "direct_cost", "per occurrence", m.direct_cost.dist));
    inputs.push_back(input_json(base + "discount", "per occurrence", m.discount.dist));
    if (m.has_recovery) {
      inputs.push_back(input_json(base + "recovery.hours", "per occurrence", m.recovery_hours.dist));
      inputs.push_back(input_json(base + "recovery.saved", "per occurrence", m.recovery_saved.dist));
    }
  }
  return inputs;
}

}  // namespace

nlohmann::ordered_json detail::study_inputs_json(const Model& model) { return inputs_json(model); }

namespace detail {

nlohmann::ordered_json quantile_interval_json(const QuantileInterval& q) {
  return Json::array({json_number(q.lo), json_number(q.hi)});
}

nlohmann::ordered_json quantile_cis_json(const QuantileIntervals& cis) {
  Json j;
  for (std::size_t i = 0; i < kReportedQuantiles.size(); ++i)
    j[kReportedQuantiles[i].first] = quantile_interval_json(cis[i]);
  return j;
}

nlohmann::ordered_json mistakes_json(const Model& model, const RunSummary& s) {
  Json mistakes = Json::array();
  for (const MistakeSummary& ms : s.mistakes) {
    const Mistake& m = model.mistakes[ms.index];
    Json row;
    row["id"] = m.id;
    row["name"] = m.name;
    row["stage"] = m.stage;
    row["cost"] = summary_json(ms.cost);
    row["known_cost"] = json_number(ms.known_mean);
    row["unknown_cost"] = json_number(ms.unknown_mean);
    row["share"] = json_number(s.cost.total.mean != 0.0 ? ms.cost.mean / s.cost.total.mean : std::nan(""));
    row["occurrences_mean"] = json_number(ms.occurrences_mean);
    row["deals_lost_mean"] = json_number(ms.deals_lost_mean);
    row["cvar95_contribution"] = json_number(ms.cvar95_contribution);
    mistakes.push_back(std::move(row));
  }
  return mistakes;
}

nlohmann::ordered_json funnel_json(const Model& model, const Funnel& f) {
  Json j;
  j["opportunities_mean"] = json_number(f.opportunities);
  j["poor_fits_mean"] = json_number(f.poor_fits);
  j["lost_on_merit_mean"] = json_number(f.lost_on_merit);
  Json lost = Json::array();
  double value_lost = 0.0;
  for (const FunnelMistake& k : f.mistakes) {
    value_lost += k.value_lost;
    lost.push_back({{"id", model.mistakes[k.index].id},
                    {"name", model.mistakes[k.index].name},
                    {"deals_mean", json_number(k.lost)},
                    {"value_mean", json_number(k.value_lost)},
                    {"recovered_deals_mean", json_number(k.recovered)},
                    {"recovered_value_mean", json_number(k.value_recovered)},
                    {"kept_mean", json_number(k.value_kept)}});
  }
  j["lost_to"] = std::move(lost);
  j["should_have_bought_mean"] = json_number(f.should_have_bought);
  j["recovered"] = {{"deals_mean", json_number(f.recovered)},
                    {"value_mean", json_number(f.value_recovered)},
                    {"kept_mean", json_number(f.value_kept)}};
  j["won_mean"] = json_number(f.won);
  j["value"] = {{"revenue_done_right_mean", json_number(f.revenue_done_right)},
                {"lost_outright_mean", json_number(value_lost)},
                {"recovered_given_up_mean", json_number(f.value_recovered - f.value_kept)},
                {"discounts_on_won_mean", json_number(f.discounts_on_won)},
                {"revenue_mean", json_number(f.revenue)}};
  return j;
}

nlohmann::ordered_json summary_json(const Summary& s) {
  Json j;
  j["mean"] = json_number(s.mean);
  j["mean_ci95"] = Json::array({json_number(s.mean_ci95_lo), json_number(s.mean_ci95_hi)});
  j["sd"] = json_number(s.sd);
  j["min"] = json_number(s.min);
  j["p05"] = json_number(s.p05);
  j["p10"] = json_number(s.p10);
  j["p50"] = json_number(s.p50);
  j["p90"] = json_number(s.p90);
  j["p95"] = json_number(s.p95);
  j["p99"] = json_number(s.p99);
  j["max"] = json_number(s.max);
  j["cvar95"] = json_number(s.cvar95);
  return j;
}

}  // namespace detail

RunInfo make_run_info(unsigned threads, double seconds, std::string study_file) {
  RunInfo info;
  info.threads = threads;
  info.seconds = seconds;
  info.version = kVersion;
  info.build = kBuildInfo;
  info.study_file = std::move(study_file);
  return info;
}

nlohmann::ordered_json run_json(const Model& model, const TrialResults& results, const RunSummary& s,
                                const RunInfo& info) {
  SIM_CHECK(results.mistake_count == model.mistakes.size() && s.mistakes.size() == model.mistakes.size(),
            << results.mistake_count << " mistake columns and " << s.mistakes.size() << " summaries for "
            << model.mistakes.size() << " mistakes");

  Json j;
  j["schema"] = kRunSchema;

  j["study"] = detail::study_json(model, results.count, results.first_trial);

  Json& cost = j["cost"];
  cost["total"] = summary_json(s.cost.total);
  cost["total"]["quantile_ci95"] = quantile_cis_json(s.cost.total_ci95);
  cost["known"] = summary_json(s.cost.known);
  cost["known"]["quantile_ci95"] = quantile_cis_json(s.cost.known_ci95);
  cost["unknown"] = summary_json(s.cost.unknown);
  cost["unknown"]["quantile_ci95"] = quantile_cis_json(s.cost.unknown_ci95);

  j["mistakes"] = detail::mistakes_json(model, s);

  j["pipeline"] = detail::pipeline_json(s.pipeline);
  if (s.funnel) j["funnel"] = detail::funnel_json(model, *s.funnel);
  detail::add_horizon_json(j, model, results);  // capacity and horizon, when the study has them

  j["inputs"] = inputs_json(model);
  // Numerical trouble is counted, never dropped silently: years whose cost is not a number are
  // left out of every statistic above and counted here.
  j["numerical"] = {{"years_with_nan_cost", s.cost.total.nan_count}};

  j["run"] = detail::run_info_json(info);
  return j;
}

}  // namespace mistakesim
