// Outputs of `mistakesim compare` over study files (see compare_files_report.hpp; schema in
// docs/json-schema.md).

#include <fmt/format.h>

#include <cmath>
#include <mistakesim/compare_files_report.hpp>
#include <sstream>

#include "report/report_detail.hpp"

namespace mistakesim {
namespace {

using detail::json_number;
using detail::summary_json;

nlohmann::ordered_json difference_json(const FileScenario& f) {
  nlohmann::ordered_json d;
  d["total"] = summary_json(f.difference_total_summary);
  d["known"] = summary_json(f.difference_known_summary);
  d["unknown"] = summary_json(f.difference_unknown_summary);
  return d;
}

nlohmann::ordered_json strings_json(const std::vector<std::string>& v) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}

//! "+$12.3k" / "-$12.3k" / "$0": a change in money.
std::string signed_money(double x, const std::string& currency) {
  if (x == 0.0) return format_currency(0.0, currency);
  return (x > 0.0 ? "+" : "-") + format_currency(std::abs(x), currency);
}

std::string signed_count(double x) {
  if (x == 0.0) return "0";
  return (x > 0.0 ? "+" : "-") + format_count(std::abs(x));
}

}  // namespace

std::vector<std::string> weak_pairing_warnings(const FileComparison& c) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < c.scenarios.size(); ++i) {
    const FileScenario& f = c.scenarios[i];
    if (!(f.variance_reduction < kWeakPairing)) continue;
    out.push_back(fmt::format(
        "{} shares too little with the baseline {} for pairing to help: the paired difference is only "
        "{:.2f} times as precise as two independent runs ({} of its random quantities are drawn as in the "
        "baseline, {} are not)",
        f.file, c.scenarios.front().file, f.variance_reduction, f.sharing.shared.size(),
        f.sharing.other_family.size() + f.sharing.only_scenario.size()));
  }
  return out;
}

nlohmann::ordered_json compare_files_json(const std::vector<StudyFile>& studies, const FileComparison& c,
                                          const RunInfo& info) {
  SIM_CHECK(studies.size() == c.scenarios.size(), << studies.size() << " vs " << c.scenarios.size());
  nlohmann::ordered_json j;
  j["schema"] = "mistakesim.compare-files/1";
  j["trials"] = c.trials;
  j["first_trial"] = c.first_trial;
  j["seed"] = c.seed;
  j["currency"] = studies.front().model.currency;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < c.scenarios.size(); ++i) {
    const FileScenario& f = c.scenarios[i];
    nlohmann::ordered_json e;
    e["file"] = f.file;
    e["name"] = f.name;
    e["study"] = detail::study_json(studies[i].model, f.results.count, f.results.first_trial);
    nlohmann::ordered_json cost;
    cost["total"] = summary_json(f.cost.total);
    cost["known"] = summary_json(f.cost.known);
    cost["unknown"] = summary_json(f.cost.unknown);
    e["cost"] = std::move(cost);
    e["difference"] = difference_json(f);
    e["p_cheaper"] = f.p_cheaper;
    e["p_costlier"] = f.p_costlier;
    e["variance_reduction"] = json_number(f.variance_reduction);
    nlohmann::ordered_json mistakes = nlohmann::ordered_json::array();
    for (const MistakeDifference& m : f.mistakes) {
      nlohmann::ordered_json row;
      row["id"] = m.id;
      row["name"] = m.name;
      row["in_baseline"] = m.in_baseline;
      row["in_scenario"] = m.in_scenario;
      row["cost"] = summary_json(m.cost);
      row["difference"] = summary_json(m.difference);
      mistakes.push_back(std::move(row));
    }
    e["mistakes"] = std::move(mistakes);
    nlohmann::ordered_json pipeline;
    for (const PipelineDifference& p : f.pipeline)
      pipeline[p.key] = {{"mean", json_number(p.mean)}, {"difference", summary_json(p.difference)}};
    e["pipeline"] = std::move(pipeline);
    e["shared_draws"] = {{"shared", strings_json(f.sharing.shared)},
                         {"other_family", strings_json(f.sharing.other_family)},
                         {"only_baseline", strings_json(f.sharing.only_baseline)},
                         {"only_scenario", strings_json(f.sharing.only_scenario)}};
    list.push_back(std::move(e));
  }
  j["scenarios"] = std::move(list);
  j["warnings"] = strings_json(weak_pairing_warnings(c));
  j["run"] = detail::run_info_json(info);
  return j;
}

void write_compare_files_csv(std::ostream& out, const FileComparison& c) {
  for (const FileScenario& f : c.scenarios)
    SIM_CHECK(f.results.well_formed() && f.results.count == c.trials && f.difference_total.size() == c.trials,
              << f.file << " does not have " << c.trials << " years");
  out << "trial";
  for (std::size_t i = 0; i < c.scenarios.size(); ++i)
    out << fmt::format(",cost:{0},known:{0},unknown:{0},difference:{0}", i + 1);
  out << '\n';
  for (std::uint64_t t = 0; t < c.trials; ++t) {
    out << (c.first_trial + t);
    for (const FileScenario& f : c.scenarios)
      out << fmt::format(",{},{},{},{}", f.results.cost_total[t], f.results.cost_known[t],
                         f.results.cost_unknown[t], f.difference_total[t]);
    out << '\n';
  }
}

std::string compare_files_terminal(const FileComparison& c, const RunInfo& info, const std::string& cur) {
  SIM_CHECK(!c.scenarios.empty(), << "no scenario");
  std::ostringstream out;
  out << fmt::format(
      "Study files compared over the same {} simulated years (seed {}, {} threads, {:.1f} s)\n\n",
      format_count(static_cast<double>(c.trials)), c.seed, info.threads, info.seconds);
  detail::TextTable table({false, false, true, true, true, true});
  table.add({"#", "Study (file)", "Cost/year", "Bad year (P95)", "Change vs #1 (95% CI)", "Cheaper in"});
  for (std::size_t i = 0; i < c.scenarios.size(); ++i) {
    const FileScenario& f = c.scenarios[i];
    const Summary& d = f.difference_total_summary;
    const std::string label = detail::truncate(f.name.empty() ? f.file : f.name + " (" + f.file + ")", 52);
    if (i == 0) {
      table.add({"1", label, format_currency(f.cost.total.mean, cur), format_currency(f.cost.total.p95, cur),
                 "baseline", "-"});
    } else {
      table.add({std::to_string(i + 1), label, format_currency(f.cost.total.mean, cur),
                 format_currency(f.cost.total.p95, cur),
                 fmt::format("{} ({} to {})", signed_money(d.mean, cur), signed_money(d.mean_ci95_lo, cur),
                             signed_money(d.mean_ci95_hi, cur)),
                 format_percent(f.p_cheaper) + " of years"});
    }
  }
  out << table.render("");

  for (std::size_t i = 1; i < c.scenarios.size(); ++i) {
    const FileScenario& f = c.scenarios[i];
    out << fmt::format("\n#{} against #1, per mistake (mean change of its yearly cost):\n", i + 1);
    detail::TextTable m({false, true, true, true});
    m.add({"Mistake", "#1 cost/year", fmt::format("#{} cost/year", i + 1), "Change (95% CI)"});
    for (const MistakeDifference& k : f.mistakes) {
      const double base = k.cost.mean - k.difference.mean;
      m.add({detail::truncate(k.name, 40) + (k.in_baseline ? (k.in_scenario ? "" : " (only in #1)")
                                                           : fmt::format(" (only in #{})", i + 1)),
             format_currency(base, cur), format_currency(k.cost.mean, cur),
             fmt::format("{} ({} to {})", signed_money(k.difference.mean, cur),
                         signed_money(k.difference.mean_ci95_lo, cur),
                         signed_money(k.difference.mean_ci95_hi, cur))});
    }
    out << m.render("  ");
    out << fmt::format("#{} against #1, pipeline (mean a year):\n", i + 1);
    detail::TextTable p({false, true, true, true});
    p.add({"Figure", "#1", fmt::format("#{}", i + 1), "Change"});
    for (const PipelineDifference& x : f.pipeline) {
      const double base = x.mean - x.difference.mean;
      if (x.dollars)
        p.add({x.label, format_currency(base, cur), format_currency(x.mean, cur),
               signed_money(x.difference.mean, cur)});
      else
        p.add({x.label, format_count(base), format_count(x.mean), signed_count(x.difference.mean)});
    }
    out << p.render("  ");
    out << fmt::format(
        "Pairing: {} random quantities drawn as in #1, {} not; the paired change is {} as precise as two "
        "independent runs.\n",
        f.sharing.shared.size(), f.sharing.other_family.size() + f.sharing.only_scenario.size(),
        std::isfinite(f.variance_reduction) ? fmt::format("{:.1f} times", f.variance_reduction)
                                            : std::string("infinitely"));
  }
  out << "\nChange: scenario minus #1, year by year over the same simulated years (negative: it costs "
         "less).\n"
         "Cheaper in: share of simulated years in which the scenario's mistakes cost less than #1's.\n"
         "Bad year (P95): the yearly cost exceeded one year in 20.\n";
  return out.str();
}

}  // namespace mistakesim
