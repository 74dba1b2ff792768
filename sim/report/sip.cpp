// The SIPmath 3.0 library of a run (--sip, docs/excel.md).
//
// SIPmath 3.0 (ProbabilityManagement.org) describes a library as a JSON object whose "sips" each
// name a source of uniform random numbers ("ref": an entry of "U01") and a function of it. Stored
// trials are the "SIP_Array" function of the "Index" generator (the counter PM_Index, 1, 2, 3, ...):
// SIP n's value in trial i is arguments.value[i - 1], so all SIPs of the library share their trials
// and the relationships between them (correlations, the worst years) survive. The standard's other
// form, a Metalog fitted to the values and driven by the HDR generator, would give the same
// distribution of each variable but not these simulated years, which a library of results must keep.
//
// A library holds every simulated year of every variable (hundreds of MB for millions of years), so
// it is streamed, never built whole: the members before "sips", then each SIP's head, its values a
// piece at a time and its metadata. Every piece is nlohmann's own dump() of that part, so the text
// is the compact dump() of the whole library, byte for byte (tests/test_report.cpp keeps the
// in-memory writer to prove it).

#include <mistakesim/build_info.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/sip.hpp>
#include <mistakesim/stats.hpp>

#include "report/report_detail.hpp"
#include "report/years_columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <span>

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

//! `j` as compact JSON, as nlohmann writes it (its number format, its string escapes). Text that
//! is not valid UTF-8 (a study path in another encoding) gets U+FFFD in place of the bad bytes.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

//! An object as dump() writes it, without its closing brace: more members can follow.
std::string open_object(const Json& object) {
  std::string text = dump(object);
  SIM_CHECK(text.size() >= 2 && text.back() == '}', << text);
  text.pop_back();
  return text;
}

//! The elements of the JSON array of `values` (non-finite ones as null), without its brackets,
//! exactly as dump() writes the whole array, in pieces of kPiece values (about 1.2 MB of text).
void write_array_elements(std::ostream& out, std::span<const double> values) {
  constexpr std::size_t kPiece = std::size_t{1} << 16;
  for (std::size_t begin = 0; begin < values.size() && out; begin += kPiece) {
    const std::size_t end = std::min(values.size(), begin + kPiece);
    Json piece = Json::array();
    piece.get_ref<Json::array_t&>().reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) piece.push_back(json_number(values[i]));
    const std::string text = dump(piece);  // "[x,y,...]": dump() joins the elements with ','
    if (begin > 0) out << ',';
    out.write(text.data() + 1, static_cast<std::streamsize>(text.size() - 2));
  }
}

}  // namespace

void write_sip_library(std::ostream& out, const Model& model, const TrialResults& results,
                       const RunInfo& info, const std::string& study_sha256) {
  Json head;  // the library's members before "sips"
  head["name"] = (model.name.empty() ? std::string("Study") : model.name) + " - mistakesim yearly results";
  head["objectType"] = "sipModel";
  head["libraryType"] = "SIPmath_3_0";
  head["provenance"] = fmt::format("mistakesim {}: study {} (SHA-256 {}), seed {}, trials {} to {}",
                                   info.version, info.study_file, study_sha256, model.seed,
                                   results.first_trial, results.first_trial + results.count - 1);
  head["metadata"] = {{"study", model.name},
                      {"study_file", info.study_file},
                      {"study_sha256", study_sha256},
                      {"seed", model.seed},
                      {"first_trial", results.first_trial},
                      {"trials", results.count},
                      {"currency", model.currency},
                      {"value", detail::value_basis_name(model.value)},
                      {"mistakesim_version", info.version}};
  head["U01"] = {
      {"rng", Json::array(
                  {{{"name", kIndexRng}, {"function", "Index"}, {"arguments", {{"counter", "PM_Index"}}}}})}};
  out << open_object(head) << ",\"sips\":[";

  std::vector<double> values(results.count);
  bool first = true;
  for (const detail::YearColumn& column : detail::year_columns(model, results)) {
    using K = detail::YearColumn::Kind;
    if (column.kind != K::money && column.kind != K::input) continue;  // the costs and the uncertain inputs
    for (std::uint64_t t = 0; t < results.count; ++t) values[t] = column.value(t);
    const Summary s = summarize(values);
    Json sip;  // its members before "arguments", whose values are streamed
    sip["name"] = column.name;
    sip["ref"] = {{"source", "rng"}, {"name", kIndexRng}};
    sip["function"] = "SIP_Array";
    const Json metadata = {
        {"description", describe(model, column)},
        {"units", column.kind == K::money ? model.currency + " per year" : "as in the study"},
        {"count", s.n},
        {"mean", json_number(s.mean)},
        {"min", json_number(s.min)},
        {"P10", json_number(s.p10)},
        {"P50", json_number(s.p50)},
        {"P90", json_number(s.p90)},
        {"max", json_number(s.max)}};
    out << (first ? "" : ",") << open_object(sip) << ",\"arguments\":{\"type\":\"array\",\"value\":[";
    write_array_elements(out, values);
    out << "]},\"metadata\":" << dump(metadata) << '}';
    first = false;
    if (!out) return;  // the destination failed (a full disk): the caller reports it
  }
  out << "],\"version\":\"1\"}\n";
}

}  // namespace mistakesim
