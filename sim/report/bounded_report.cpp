// Outputs of a bounded-memory run (bounded_report.hpp). The run JSON's layout, so that readers of
// a run's JSON read this one too; what cannot be had without every year is null, and the
// "memory_bounded" object says which figures come from the sketches and how far off they may be.

#include <fmt/format.h>

#include <mistakesim/bounded_report.hpp>
#include <mistakesim/errors.hpp>

#include "report/report_detail.hpp"

namespace mistakesim {
namespace {

using Json = nlohmann::ordered_json;
using detail::json_number;

Json memory_bounded_json(const BoundedRun& run) {
  Json j;
  j["approximate"] = Json::array({"p05", "p10", "p50", "p90", "p95", "p99", "cvar95"});
  j["exact"] = Json::array({"mean", "mean_ci95", "sd", "min", "max", "known_cost", "unknown_cost",
                            "occurrences_mean", "deals_lost_mean", "pipeline"});
  j["rank_error"] = json_number(run.rank_error_bound(1.0 - kBoundedConfidence));
  j["confidence"] = kBoundedConfidence;
  j["chunk_trials"] = kBoundedChunk;
  j["sketch_k"] = kBoundedSketchK;
  return j;
}

}  // namespace

nlohmann::ordered_json bounded_run_json(const Model& model, const BoundedRun& run, const RunSummary& s,
                                        const RunInfo& info) {
  SIM_CHECK(s.mistakes.size() == model.mistakes.size(),
            << s.mistakes.size() << " vs " << model.mistakes.size());
  Json j;
  j["schema"] = kRunSchema;
  j["study"] = detail::study_json(model, run.count, run.first_trial);
  j["memory_bounded"] = memory_bounded_json(run);
  Json& cost = j["cost"];
  cost["total"] = detail::summary_json(s.cost.total);
  cost["known"] = detail::summary_json(s.cost.known);
  cost["unknown"] = detail::summary_json(s.cost.unknown);
  j["mistakes"] = detail::mistakes_json(model, s);
  j["pipeline"] = detail::pipeline_json(s.pipeline);
  j["numerical"] = {{"years_with_nan_cost", s.cost.total.nan_count}};
  j["run"] = detail::run_info_json(info);
  return j;
}

std::string bounded_run_terminal(const Model& model, const BoundedRun& run, const RunSummary& s,
                                 const RunInfo& info) {
  // The table reads only the run's size from its results: a header with no columns stands in.
  TrialResults header;
  header.first_trial = run.first_trial;
  header.count = run.count;
  header.mistake_count = model.mistakes.size();
  return terminal_summary(model, header, s, info) +
         fmt::format(
             "\nMemory-bounded run: the percentiles (P05 to P99) and the worst-5% average are read from\n"
             "quantile sketches, each within {:.2g}% of the years in rank (99% confidence); means, spreads,\n"
             "minimum and maximum are exact. The mistakes' shares of the worst years are not computed.\n",
             100.0 * run.rank_error_bound(1.0 - kBoundedConfidence));
}

}  // namespace mistakesim
