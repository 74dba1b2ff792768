// Outputs of `mistakesim compare` (see compare_report.hpp; schema in docs/json-schema.md).

#include <fmt/format.h>

#include <cmath>
#include <mistakesim/compare_report.hpp>
#include <mistakesim/stats.hpp>
#include <sstream>

#include "report/horizon_report.hpp"
#include "report/report_detail.hpp"

namespace mistakesim {
namespace {

using detail::json_number;
using detail::summary_json;

}  // namespace

nlohmann::ordered_json compare_json(const Model& m, const Comparison& c, const RunInfo& info) {
  nlohmann::ordered_json j;
  j["schema"] = "mistakesim.compare/1";
  j["study"] = detail::study_json(m, c.baseline.count, c.baseline.first_trial);
  j["baseline"] = {{"cost", summary_json(c.baseline_cost.total)}};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const CandidateResult& r : c.candidates) {
    nlohmann::ordered_json e;
    e["id"] = r.candidate.id;
    e["name"] = r.candidate.name;
    nlohmann::ordered_json applied = nlohmann::ordered_json::array();
    for (std::size_t k : r.candidate.interventions) applied.push_back(m.interventions[k].id);
    e["applies"] = applied;
    e["savings"] = summary_json(r.savings_summary);
    e["cost_mean"] = r.cost_mean;
    e["net"] = summary_json(r.net_summary);
    e["roi_mean"] = json_number(r.roi_mean);
    e["p_pays_off"] = r.p_pays_off;
    e["break_even"] = r.break_even_fraction ? nlohmann::ordered_json(*r.break_even_fraction)
                                            : nlohmann::ordered_json(nullptr);
    e["variance_reduction"] = json_number(r.variance_reduction);
    e["cost_with"] = summary_json(r.cost_with);
    if (const auto p = pay_off(m, c.baseline, r.results)) e["pay_off"] = detail::pay_off_json(*p);
    list.push_back(std::move(e));
  }
  j["interventions"] = std::move(list);
  j["run"] = detail::run_info_json(info);
  return j;
}

void write_compare_csv(std::ostream& out, const Comparison& c) {
  for (const CandidateResult& r : c.candidates)
    SIM_CHECK(r.savings.size() == c.baseline.count && r.net.size() == c.baseline.count &&
                  r.results.well_formed() && r.results.count == c.baseline.count,
              << "option " << r.candidate.id << " does not have " << c.baseline.count << " years");
  out << "trial,cost_baseline";
  for (const CandidateResult& r : c.candidates)
    out << ",savings:" << r.candidate.id << ",cost:" << r.candidate.id << ",net:" << r.candidate.id;
  out << '\n';
  for (std::uint64_t t = 0; t < c.baseline.count; ++t) {
    out << (c.baseline.first_trial + t) << ',' << fmt::format("{}", c.baseline.cost_total[t]);
    for (const CandidateResult& r : c.candidates)
      out << ',' << fmt::format("{}", r.savings[t]) << ','
          << fmt::format("{}", r.results.intervention_cost_at(t)) << ',' << fmt::format("{}", r.net[t]);
    out << '\n';
  }
}

std::string compare_terminal(const Model& m, const Comparison& c, const RunInfo& info) {
  const std::string& cur = m.currency;
  const Summary& base = c.baseline_cost.total;
  std::ostringstream out;
  out << fmt::format("{}\n", m.name);
  out << fmt::format("Training options compared over the same {} simulated years ({} threads, {:.1f} s)\n\n",
                     format_count(static_cast<double>(c.baseline.count)), info.threads, info.seconds);
  out << fmt::format("Yearly cost of mistakes today: {} on average (90% of years between {} and {})\n\n",
                     format_currency(base.mean, cur), format_currency(base.p05, cur),
                     format_currency(base.p95, cur));
  // The run's and the what-if tables' TextTable: aligned by display width, names cut at a
  // character, not a byte.
  detail::TextTable table({false, true, true, true, true, true, true});
  table.add({"Intervention", "Saves/year", "Costs/year", "Net/year", "ROI", "Pays off", "Break-even"});
  for (const CandidateResult& r : c.candidates) {
    const std::string roi = std::isfinite(r.roi_mean) ? fmt::format("{:.0f}%", 100.0 * r.roi_mean) : "-";
    const std::string be = r.break_even_fraction ? fmt::format("{:.0f}% eff.", 100.0 * *r.break_even_fraction)
                                                 : std::string("never");
    table.add({detail::truncate(r.candidate.name, 38), format_currency(r.savings_mean, cur),
               format_currency(r.cost_mean, cur), format_currency(r.net_mean, cur), roi,
               format_percent(r.p_pays_off), be});
  }
  out << table.render("");
  out << detail::pay_off_terminal(m, c);  // the year it pays for itself, over a horizon of several years
  out << "\nSaves/year: mean yearly cost of mistakes avoided. Net = saves - costs (incl. the reps' training "
         "hours).\n"
         "Pays off: share of simulated years in which it saves more than it costs. Break-even: the share of\n"
         "the expected effect it needs to deliver to pay for itself on average.\n";
  return out.str();
}

}  // namespace mistakesim
