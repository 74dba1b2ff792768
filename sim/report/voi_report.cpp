// Terminal and JSON outputs of `mistakesim voi` (voi_report.hpp; schema in docs/json-schema.md).

#include "report/report_detail.hpp"

#include <mistakesim/html_report.hpp>
#include <mistakesim/voi_report.hpp>

#include <fmt/format.h>

#include <cmath>
#include <sstream>

namespace mistakesim {
namespace {

using detail::json_number;

nlohmann::ordered_json estimate_json(const VoiEstimate& e, const VoiResult& v) {
  nlohmann::ordered_json r2 = nlohmann::ordered_json::object();
  for (std::size_t d = 0; d < e.r_squared.size() && d < v.option_ids.size(); ++d)
    r2[v.option_ids[d]] = json_number(e.r_squared[d]);
  return {{"value", e.value},
          {"se", e.se},
          {"fit", {{"method", e.method}, {"columns", e.columns}, {"r_squared", r2}}}};
}

//! "$41,000" rounded to what its error supports: 3 significant digits at most.
std::string money(const Model& m, double v) {
  if (!(std::abs(v) >= 1000.0)) return format_currency(std::round(v), m.currency);
  const double step = std::pow(10.0, std::floor(std::log10(std::abs(v))) - 2.0);
  return format_currency(std::round(v / step) * step, m.currency);
}

}  // namespace

std::string voi_plain_name(const Model& model, const std::string& path) {
  if (path.rfind("effect.", 0) == 0)
    for (const Intervention& iv : model.interventions) {
      const std::string prefix = "effect." + iv.id + ".";
      if (path.rfind(prefix, 0) == 0)
        return "how well \u201c" + iv.name + "\u201d works on " +
               input_plain_name(model, path.substr(prefix.size()));
    }
  const std::string words = input_plain_name(model, path);
  return words == "close rate" ? "our true close rate" : words;
}

nlohmann::ordered_json voi_json(const Model& m, const VoiResult& v, const RunInfo& info) {
  nlohmann::ordered_json j;
  j["schema"] = "mistakesim.voi/1";
  j["study"] = detail::study_json(m, v.trials, 0);
  nlohmann::ordered_json options = nlohmann::ordered_json::array();
  for (std::size_t d = 0; d < v.option_ids.size(); ++d)
    options.push_back({{"id", v.option_ids[d]}, {"name", v.option_names[d]}, {"net_mean", v.option_mean[d]}});
  j["options"] = std::move(options);
  j["decision_now"] = v.option_ids[v.best_option];
  j["evpi"] = estimate_json(v.evpi, v);
  nlohmann::ordered_json params = nlohmann::ordered_json::array();
  for (const ParameterVoi& p : v.parameters) {
    nlohmann::ordered_json e = {{"path", p.path}, {"name", voi_plain_name(m, p.path)}};
    e.update(estimate_json(p.evppi, v));
    params.push_back(std::move(e));
  }
  j["evppi"] = std::move(params);
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const GroupVoi& g : v.groups) {
    nlohmann::ordered_json e = {{"name", g.name}, {"paths", g.paths}};
    e.update(estimate_json(g.evppi, v));
    groups.push_back(std::move(e));
  }
  j["groups"] = std::move(groups);
  nlohmann::ordered_json evsi = nlohmann::ordered_json::array();
  for (const EvsiCurve& c : v.evsi) {
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (const EvsiPoint& p : c.points)
      points.push_back(
          {{"n", p.n}, {"evsi", p.evsi}, {"enbs", p.enbs}, {"effective_years", p.effective_years}});
    nlohmann::ordered_json e = {{"path", c.path},
                                {"name", voi_plain_name(m, c.path)},
                                {"from_counts", c.from_counts},
                                {"evppi", c.evppi},
                                {"cost_per_deal", v.cost_per_deal},
                                {"points", std::move(points)},
                                {"best_n", c.points.empty() ? nlohmann::ordered_json(nullptr)
                                                            : nlohmann::ordered_json(c.points[c.best].n)}};
    evsi.push_back(std::move(e));
  }
  j["evsi"] = std::move(evsi);
  j["run"] = detail::run_info_json(info);
  return j;
}

std::string voi_terminal(const Model& m, const VoiResult& v, const RunInfo& info) {
  std::ostringstream out;
  out << fmt::format("{}\n", m.name);
  out << fmt::format(
      "Is it worth finding out first? {} simulated years, {} options ({} threads, {:.1f} s)\n\n",
      format_count(static_cast<double>(v.trials)), v.option_ids.size(), info.threads, info.seconds);
  detail::TextTable options({false, true});
  options.add({"Option", "Net/year"});
  for (std::size_t d = 0; d < v.option_ids.size(); ++d)
    options.add({detail::truncate(v.option_names[d], 44) + (d == v.best_option ? "  <- decided today" : ""),
                 format_currency(v.option_mean[d], m.currency)});
  out << options.render("  ") << "\n";

  out << fmt::format(
      "Knowing everything we are unsure of before deciding (EVPI): up to {} a year (+/- {}).\n",
      money(m, v.evpi.value), money(m, v.evpi.se));
  if (!v.parameters.empty()) {
    const ParameterVoi& top = v.parameters.front();
    const double rest = v.parameters.size() > 1 ? v.parameters[1].evppi.value : 0.0;
    if (top.evppi.value < 2.0 * top.evppi.se &&
        top.evppi.value < 0.01 * std::abs(v.option_mean[v.best_option]) + 1.0)
      out << "No single input we are unsure of would change the decision: deciding today loses next to "
             "nothing.\n";
    else
      out << fmt::format(
          "Knowing {} before deciding would be worth up to {}; the rest of what we don't know is worth "
          "at most {} each.\n",
          voi_plain_name(m, top.path), money(m, top.evppi.value), money(m, std::max(rest, 0.0)));
    out << "\n";
    detail::TextTable table({true, false, true, true, true});
    table.add({"#", "Worth knowing first (EVPPI)", "$/year", "+/-", "Fit R^2"});
    std::size_t rank = 0;
    for (const ParameterVoi& p : v.parameters)
      table.add(
          {std::to_string(++rank), detail::truncate(voi_plain_name(m, p.path) + " (" + p.path + ")", 72),
           money(m, p.evppi.value), money(m, p.evppi.se), fmt::format("{:.3f}", p.evppi.max_r_squared())});
    out << table.render("  ");
  }
  if (!v.groups.empty()) {
    out << "\n";
    detail::TextTable table({false, true, true, true});
    table.add({"Group", "$/year", "+/-", "Fit R^2"});
    for (const GroupVoi& g : v.groups)
      table.add({g.name + " (" + std::to_string(g.paths.size()) + " inputs)", money(m, g.evppi.value),
                 money(m, g.evppi.se), fmt::format("{:.3f}", g.evppi.max_r_squared())});
    out << table.render("  ");
  }
  for (const EvsiCurve& c : v.evsi) {
    out << fmt::format("\nStudying deals to learn {} ({}), {}:\n", voi_plain_name(m, c.path), c.path,
                       v.cost_per_deal > 0.0
                           ? "at " + format_currency(v.cost_per_deal, m.currency) + " a deal"
                           : std::string("at no cost per deal (--cost-per-deal sets one)"));
    detail::TextTable table({true, true, true});
    table.add({"Deals studied", "Worth (EVSI)", "Net of its cost"});
    for (const EvsiPoint& p : c.points)
      table.add({format_count(static_cast<double>(p.n)), money(m, p.evsi), money(m, p.enbs)});
    out << table.render("  ");
    if (!c.points.empty()) {
      const EvsiPoint& best = c.points[c.best];
      if (best.enbs > 0.0)
        out << fmt::format("  Best: study {} deals, worth {} for a net {} (knowing it exactly: {}).\n",
                           format_count(static_cast<double>(best.n)), money(m, best.evsi),
                           money(m, best.enbs), money(m, c.evppi));
      else
        out << "  No study size listed is worth its cost.\n";
    }
  }
  if (v.trials < 5000)
    out << fmt::format(
        "\nNote: {} years is few for these estimates: the regression's noise pushes them up (an input no "
        "option\ndepends on can show a few thousand dollars). Run 20,000 years or more (--trials).\n",
        format_count(static_cast<double>(v.trials)));
  out << "\nWorth knowing: how much better, on average, the decision would be if the input were known "
         "before\n"
         "choosing (in dollars of net a year). +/-: standard error. Fit R^2: the share of the year-to-year\n"
         "variation in net the input explains, for the option it matters most to (low is normal: "
         "deal-by-deal\n"
         "luck is not knowable).\n";
  return out.str();
}

}  // namespace mistakesim
