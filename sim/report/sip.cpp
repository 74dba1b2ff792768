// The SIPmath 3.0 library of a run (--sip, docs/excel.md).
//
// SIPmath 3.0 (ProbabilityManagement.org) describes a library as a JSON object whose "sips" each
// name a source of uniform random numbers ("ref": an entry of "U01") and a function of it. Stored
// trials are the "SIP_Array" function of the "Index" generator (the counter PM_Index, 1, 2, 3, ...):
// SIP n's value in trial i is arguments.value[i - 1], so all SIPs of the library share their trials
// and the relationships between them (correlations, the worst years) survive. The standard's other
// form, a Metalog fitted to the values and driven by the HDR generator, would give the same
// distribution of each variable but not these simulated years, which a library of results must keep.

#include <mistakesim/build_info.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/sip.hpp>
#include <mistakesim/stats.hpp>

#include "report/report_detail.hpp"
#include "report/years_columns.hpp"

#include <fmt/format.h>

namespace mistakesim {

namespace {

using Json = nlohmann::ordered_json;
using detail::json_number;

constexpr const char* kIndexRng = "trial_index";

std::string describe(const Model& model, const detail::YearColumn& column) {
  const std::string& name = column.name;
  if (name == "cost_total") return "Yearly cost of mistakes, known and unknown";
  if (name == "cost_known") return "Yearly cost of the mistakes the team notices";
  if (name == "cost_unknown") return "Yearly cost of the mistakes nobody notices";
  for (const Mistake& m : model.mistakes)
    if (name == "cost:" + m.id) return "Yearly cost of: " + m.name;
  return "The input " + name.substr(name.find(':') + 1) + " as drawn in each simulated year";
}

}  // namespace

nlohmann::ordered_json sip_library(const Model& model, const TrialResults& results, const RunInfo& info,
                                   const std::string& study_sha256) {
  Json library;
  library["name"] = (model.name.empty() ? std::string("Study") : model.name) + " - mistakesim yearly results";
  library["objectType"] = "sipModel";
  library["libraryType"] = "SIPmath_3_0";
  library["provenance"] = fmt::format("mistakesim {}: study {} (SHA-256 {}), seed {}, trials {} to {}",
                                      info.version, info.study_file, study_sha256, model.seed,
                                      results.first_trial, results.first_trial + results.count - 1);
  library["metadata"] = {{"study", model.name},
                         {"study_file", info.study_file},
                         {"study_sha256", study_sha256},
                         {"seed", model.seed},
                         {"first_trial", results.first_trial},
                         {"trials", results.count},
                         {"currency", model.currency},
                         {"value", detail::value_basis_name(model.value)},
                         {"mistakesim_version", info.version}};
  library["U01"] = {
      {"rng", Json::array(
                  {{{"name", kIndexRng}, {"function", "Index"}, {"arguments", {{"counter", "PM_Index"}}}}})}};

  Json sips = Json::array();
  std::vector<double> values(results.count);
  for (const detail::YearColumn& column : detail::year_columns(model, results)) {
    using K = detail::YearColumn::Kind;
    if (column.kind != K::money && column.kind != K::input) continue;  // the costs and the uncertain inputs
    for (std::uint64_t t = 0; t < results.count; ++t) values[t] = column.value(t);
    Json trials = Json::array();
    for (double x : values) trials.push_back(json_number(x));
    const Summary s = summarize(values);
    Json sip;
    sip["name"] = column.name;
    sip["ref"] = {{"source", "rng"}, {"name", kIndexRng}};
    sip["function"] = "SIP_Array";
    sip["arguments"] = {{"type", "array"}, {"value", std::move(trials)}};
    sip["metadata"] = {{"description", describe(model, column)},
                       {"units", column.kind == K::money ? model.currency + " per year" : "as in the study"},
                       {"count", s.n},
                       {"mean", json_number(s.mean)},
                       {"min", json_number(s.min)},
                       {"P10", json_number(s.p10)},
                       {"P50", json_number(s.p50)},
                       {"P90", json_number(s.p90)},
                       {"max", json_number(s.max)}};
    sips.push_back(std::move(sip));
  }
  library["sips"] = std::move(sips);
  library["version"] = "1";
  return library;
}

}  // namespace mistakesim
