// Outputs of `mistakesim sweep` and `mistakesim sensitivity`, and the `precision` object of
// `run --precision`. Pure functions of (model, results) apart from the `run` provenance object.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/whatif_report.hpp>

#include "report/report_detail.hpp"

namespace mistakesim {
namespace {

using Json = nlohmann::ordered_json;

using detail::json_number;
using detail::quantile_cis_json;
using detail::quantile_interval_json;
using detail::run_info_json;
using detail::study_json;
using detail::summary_json;
using detail::value_basis_name;

using Table = detail::TextTable;

Json param_json(const Model& model, const SweepAxis& axis) {
  Json j;
  j["path"] = axis.path;
  j["study_value"] = model.inputs[axis.input].dist.describe();  // what the study says without the sweep
  j["values"] = axis.values;
  return j;
}

//! An intervention a sweep applies: its id, name and the costs the study gives it.
Json intervention_json(const Model& model, const std::string& id) {
  Json j;
  j["id"] = id;
  for (const Intervention& iv : model.interventions)
    if (iv.id == id) {
      j["name"] = iv.name;
      j["cost"] = json_number(iv.cost);
      j["cost_per_rep"] = json_number(iv.cost_per_rep);
      j["hours_per_rep"] = json_number(iv.hours_per_rep);
    }
  return j;
}

std::string header(const Model& model, std::uint64_t trials, const RunInfo& info) {
  std::string out = (model.name.empty() ? std::string("Study") : model.name) + "\n";
  out += fmt::format("{} simulated year{}, seed {}, {} rep{}, amounts in {} ({} basis)\n", trials,
                     trials == 1 ? "" : "s", model.seed, model.reps, model.reps == 1 ? "" : "s",
                     model.currency, value_basis_name(model.value));
  if (!info.study_file.empty() || info.threads > 0)
    out += fmt::format("{}{} threads, {:.1f} s\n", info.study_file.empty() ? "" : info.study_file + ", ",
                       info.threads, info.seconds);
  return out;
}

//! A short number: up to `digits` significant digits, no trailing zeros.
std::string short_number(double x, int digits = 4) {
  std::string s = fmt::format("{:.{}g}", x, digits);
  return s;
}

}  // namespace

std::string applied_names(const Model& model, const Sweep& sweep) {
  std::string out;
  for (const std::string& id : sweep.interventions)
    for (const Intervention& iv : model.interventions)
      if (iv.id == id) out += (out.empty() ? "" : " + ") + iv.name;
  return out;
}

std::string format_input_value(const Model& model, InputId input, double value) {
  const YearInput& in = model.inputs.at(input);
  if (in.lower == 0.0 && in.upper == 1.0) {
    std::string s = fmt::format("{:.2f}", 100.0 * value);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s + "%";
  }
  if (in.path.size() >= 11 && in.path.compare(in.path.size() - 11, 11, "hourly_cost") == 0)
    return format_currency(value, model.currency) + "/h";
  return short_number(value, 6);
}

nlohmann::ordered_json sweep_json(const Model& model, const Sweep& sweep, const RunInfo& info) {
  Json j;
  j["schema"] = kSweepSchema;
  j["study"] = study_json(model, sweep.trials, sweep.first_trial);
  j["param"] = param_json(model, sweep.axis);
  if (sweep.axis2) j["param2"] = param_json(model, *sweep.axis2);
  Json points = Json::array();
  for (const SweepPoint& p : sweep.points) {
    Json point;
    point["value"] = p.value;
    if (p.value2) point["value2"] = *p.value2;
    Json& cost = point["cost"];
    cost["total"] = summary_json(p.total);
    Json& ci = cost["total"]["quantile_ci95"];
    ci["p05"] = quantile_interval_json(p.total_p05);
    ci["p50"] = quantile_interval_json(p.total_p50);
    ci["p95"] = quantile_interval_json(p.total_p95);
    cost["known"] = summary_json(p.known);
    cost["unknown"] = summary_json(p.unknown);
    Json& change = cost["change_from_first"];  // paired, trial by trial: narrow because the draws are shared
    change["mean"] = json_number(p.change_from_first.mean);
    change["mean_ci95"] = Json::array(
        {json_number(p.change_from_first.mean_ci95_lo), json_number(p.change_from_first.mean_ci95_hi)});
    change["sd"] = json_number(p.change_from_first.sd);
    point["pipeline"] = detail::pipeline_json(p.pipeline);
    Json mistakes = Json::array();
    for (std::size_t m = 0; m < p.mistake_cost_mean.size(); ++m) {
      Json row;
      row["id"] = model.mistakes[m].id;
      row["cost_mean"] = json_number(p.mistake_cost_mean[m]);
      mistakes.push_back(std::move(row));
    }
    point["mistakes"] = std::move(mistakes);
    if (p.net) {  // with --intervention: what the interventions cost, and mistakes + interventions
      point["intervention_cost"] = summary_json(*p.intervention_cost);
      Json& net = point["net"];
      net = summary_json(*p.net);
      Json& net_change = net["change_from_first"];
      net_change["mean"] = json_number(p.net_change_from_first->mean);
      net_change["mean_ci95"] = Json::array({json_number(p.net_change_from_first->mean_ci95_lo),
                                             json_number(p.net_change_from_first->mean_ci95_hi)});
      net_change["sd"] = json_number(p.net_change_from_first->sd);
    }
    points.push_back(std::move(point));
  }
  if (!sweep.interventions.empty()) {
    Json applied = Json::array();
    for (const std::string& id : sweep.interventions) applied.push_back(intervention_json(model, id));
    j["interventions"] = std::move(applied);
  }
  j["points"] = std::move(points);
  j["run"] = run_info_json(info);
  return j;
}

void write_sweep_csv(std::ostream& out, const Model& model, const Sweep& sweep) {
  // Paths and ids hold no comma, quote or line break (the config layer refuses them), so no quoting.
  out << "value:" << sweep.axis.path;
  if (sweep.axis2) out << ",value:" << sweep.axis2->path;
  out << ",cost_mean,cost_mean_ci95_lo,cost_mean_ci95_hi,cost_sd,cost_p05,cost_p10,cost_p50,cost_p90,cost_"
         "p95,"
         "cost_cvar95,known_mean,unknown_mean,opportunities_mean,good_fits_mean,wins_done_right_mean,wins_"
         "mean,"
         "should_have_bought_mean,nonbuyer_hours_mean,revenue_done_right_mean,revenue_mean,change_from_first_"
         "mean,"
         "change_from_first_ci95_lo,change_from_first_ci95_hi";
  const bool net = !sweep.interventions.empty();
  if (net)
    out << ",intervention_cost_mean,net_mean,net_mean_ci95_lo,net_mean_ci95_hi,net_p10,net_p50,net_p90,"
           "net_change_from_first_mean,net_change_from_first_ci95_lo,net_change_from_first_ci95_hi";
  for (const Mistake& m : model.mistakes) out << ",cost:" << m.id;
  out << '\n';
  const auto num = [](double x) { return std::isfinite(x) ? fmt::format("{}", x) : std::string(); };
  for (const SweepPoint& p : sweep.points) {
    out << num(p.value);
    if (p.value2) out << ',' << num(*p.value2);
    for (double x : {p.total.mean,
                     p.total.mean_ci95_lo,
                     p.total.mean_ci95_hi,
                     p.total.sd,
                     p.total.p05,
                     p.total.p10,
                     p.total.p50,
                     p.total.p90,
                     p.total.p95,
                     p.total.cvar95,
                     p.known.mean,
                     p.unknown.mean,
                     p.pipeline.opportunities,
                     p.pipeline.good_fits,
                     p.pipeline.wins_done_right,
                     p.pipeline.wins,
                     p.pipeline.should_have_bought,
                     p.pipeline.nonbuyer_hours,
                     p.pipeline.revenue_done_right,
                     p.pipeline.revenue,
                     p.change_from_first.mean,
                     p.change_from_first.mean_ci95_lo,
                     p.change_from_first.mean_ci95_hi})
      out << ',' << num(x);
    if (net)
      for (double x : {p.intervention_cost->mean, p.net->mean, p.net->mean_ci95_lo, p.net->mean_ci95_hi,
                       p.net->p10, p.net->p50, p.net->p90, p.net_change_from_first->mean,
                       p.net_change_from_first->mean_ci95_lo, p.net_change_from_first->mean_ci95_hi})
        out << ',' << num(x);
    for (double x : p.mistake_cost_mean) out << ',' << num(x);
    out << '\n';
  }
}

namespace {

//! The sweep's second table when interventions are applied: mistakes + interventions = net.
std::string sweep_net_terminal(const Model& model, const Sweep& sweep) {
  const auto money = [&](double x) { return format_currency(x, model.currency); };
  std::string out =
      fmt::format("\nWith {} at every point, the net cost of a year ...\n\n", applied_names(model, sweep));
  std::vector<bool> right{true};
  std::vector<std::string> head{sweep.axis.path}, sub{""};
  if (sweep.axis2) {
    right.push_back(true);
    head.push_back(sweep.axis2->path);
    sub.emplace_back("");
  }
  for (const auto& [h, u] : {std::pair{"Mistakes", "mean"},
                             {"Intervention", "cost, mean"},
                             {"Net cost", "mean"},
                             {"Change", "vs row 1"},
                             {"Bad year", "P95 net"}}) {
    right.push_back(true);
    head.emplace_back(h);
    sub.emplace_back(u);
  }
  Table t(right);
  t.add(head);
  t.add(sub);
  for (const SweepPoint& p : sweep.points) {
    std::vector<std::string> row{format_input_value(model, sweep.axis.input, p.value)};
    if (sweep.axis2) row.push_back(format_input_value(model, sweep.axis2->input, *p.value2));
    row.push_back(money(p.total.mean));
    row.push_back(money(p.intervention_cost->mean));
    row.push_back(money(p.net->mean));
    const Summary& change = *p.net_change_from_first;
    const double half = 0.5 * (change.mean_ci95_hi - change.mean_ci95_lo);
    row.push_back(&p == &sweep.points.front() ? "-"
                                              : fmt::format("{}{} ±{}", change.mean >= 0 ? "+" : "",
                                                            money(change.mean), money(half)));
    row.push_back(money(p.net->p95));
    t.add(std::move(row));
  }
  out += t.render("  ");
  out +=
      "\n  Net cost: the cost of mistakes plus what the interventions cost that year (fees, per-rep\n"
      "  costs, selling hours at the team's hourly cost), year by year. The lowest net cost is the\n"
      "  best value; a row whose change is negative is cheaper overall than row 1.\n";
  return out;
}

}  // namespace

std::string sweep_terminal(const Model& model, const Sweep& sweep, const RunInfo& info) {
  const auto money = [&](double x) { return format_currency(x, model.currency); };
  std::string out = header(model, sweep.trials, info);
  out += fmt::format("\nWhat if {}{} were ...\n", sweep.axis.path,
                     sweep.axis2 ? " and " + sweep.axis2->path : "");
  out += fmt::format("  (the study says {} = {}", sweep.axis.path,
                     model.inputs[sweep.axis.input].dist.describe());
  if (sweep.axis2)
    out += fmt::format("; {} = {}", sweep.axis2->path, model.inputs[sweep.axis2->input].dist.describe());
  out += ")\n\n";

  std::vector<bool> right{true};
  std::vector<std::string> head{sweep.axis.path};
  if (sweep.axis2) {
    right.push_back(true);
    head.push_back(sweep.axis2->path);
  }
  for (const char* h : {"Average year", "Change", "Good year", "Typical year", "Bad year", "Known", "Wins",
                        "Should have won"}) {
    right.push_back(true);
    head.emplace_back(h);
  }
  Table t(right);
  t.add(head);
  std::vector<std::string> sub{""};
  if (sweep.axis2) sub.emplace_back("");
  for (const char* h : {"mean", "vs row 1", "P05", "median", "P95", "of cost", "per year", "per year"})
    sub.emplace_back(h);
  t.add(sub);
  for (const SweepPoint& p : sweep.points) {
    std::vector<std::string> row{format_input_value(model, sweep.axis.input, p.value)};
    if (sweep.axis2) row.push_back(format_input_value(model, sweep.axis2->input, *p.value2));
    row.push_back(money(p.total.mean));
    const double half = 0.5 * (p.change_from_first.mean_ci95_hi - p.change_from_first.mean_ci95_lo);
    row.push_back(&p == &sweep.points.front()
                      ? "-"
                      : fmt::format("{}{} ±{}", p.change_from_first.mean >= 0 ? "+" : "",
                                    money(p.change_from_first.mean), money(half)));
    row.push_back(money(p.total.p05));
    row.push_back(money(p.total.p50));
    row.push_back(money(p.total.p95));
    row.push_back(format_percent(p.total.mean != 0.0 ? p.known.mean / p.total.mean : NAN));
    row.push_back(format_count(p.pipeline.wins));
    row.push_back(format_count(p.pipeline.should_have_bought));
    t.add(std::move(row));
  }
  out += t.render("  ");
  out +=
      "\n  Every row plays the same simulated years with the same random numbers, so the differences\n"
      "  between rows come from the parameter, not from chance. Change: average yearly cost minus row\n"
      "  1's, year by year, with its 95% margin. Good year: 1 in 20 costs less; bad year: 1 in 20\n"
      "  costs more (P05 and P95). Known: share of the cost in mistakes the team notices.\n";
  if (!sweep.interventions.empty()) out += sweep_net_terminal(model, sweep);
  return out;
}

nlohmann::ordered_json sensitivity_json(const Model& model, const Sensitivity& s, const TrialResults& results,
                                        const RunInfo& info) {
  Json j;
  j["schema"] = kSensitivitySchema;
  j["study"] = study_json(model, results.count, results.first_trial);
  Json cost = summary_json(s.cost);
  cost["quantile_ci95"] = quantile_cis_json(s.cost_ci95);
  j["cost"] = std::move(cost);
  j["r2"] = json_number(s.r2);
  j["ranked_by"] = "abs_spearman";
  Json inputs = Json::array();
  for (const InputInfluence& in : s.inputs) {
    Json row;
    row["param"] = in.param;
    row["spearman"] = json_number(in.spearman);
    row["src"] = json_number(in.src);
    row["swing_p10_p90"] = json_number(in.swing_p10_p90);
    row["tail_shift"] = json_number(in.tail_shift);
    row["mean"] = json_number(in.mean);
    row["sd"] = json_number(in.sd);
    row["p10"] = json_number(in.p10);
    row["p90"] = json_number(in.p90);
    inputs.push_back(std::move(row));
  }
  j["inputs"] = std::move(inputs);
  j["run"] = run_info_json(info);
  return j;
}

std::string sensitivity_terminal(const Model& model, const Sensitivity& s, const RunInfo& info) {
  const auto money = [&](double x) { return format_currency(x, model.currency); };
  std::string out = header(model, s.trials, info);
  out += fmt::format("\nWhich uncertain inputs drive the yearly cost of mistakes (average {})\n\n",
                     money(s.cost_mean));
  if (s.inputs.empty()) {
    out += "  The study has no uncertain year-level inputs: every rate is a fixed number.\n";
    return out;
  }
  constexpr int kHalf = 12;  // bar cells on each side of the axis; the first-ranked input fills them
  const double top = std::isfinite(s.inputs.front().spearman) ? std::abs(s.inputs.front().spearman) : 0.0;
  const auto bar = [&](double rho) {
    const int cells =
        std::isfinite(rho) && top > 0.0 ? static_cast<int>(std::lround(std::abs(rho) / top * kHalf)) : 0;
    std::string left(static_cast<std::size_t>(kHalf), ' '), right;
    std::string block;
    for (int i = 0; i < cells; ++i) block += "\u2588";
    if (rho < 0) {
      left = std::string(static_cast<std::size_t>(kHalf - cells), ' ') + block;
    } else {
      right = block;
    }
    return left + "|" + right;
  };
  Table t({true, false, false, true, true, true, true});
  t.add({"#", "Input", "lower cost <|> higher cost", "Rank corr.", "SRC", "P10 -> P90 swing", "Bad years"});
  std::size_t rank = 0;
  for (const InputInfluence& in : s.inputs) {
    const std::string shift =
        std::isfinite(in.tail_shift) ? fmt::format("{:+.2f} sd", in.tail_shift) : std::string("-");
    t.add({std::to_string(++rank), in.param, bar(in.spearman),
           std::isfinite(in.spearman) ? fmt::format("{:+.2f}", in.spearman) : "-",
           std::isfinite(in.src) ? fmt::format("{:+.2f}", in.src) : "-", money(in.swing_p10_p90), shift});
  }
  out += t.render("  ");
  out += fmt::format(
      "\n  R^2 = {:.2f}: the share of the year-to-year variation in cost a linear model of these inputs\n"
      "  explains (the rest is deal-by-deal chance and interactions).\n"
      "  Rank corr.: Spearman's rho with the yearly cost, the ranking key (bars relative to the first).\n"
      "  SRC: standardised regression coefficient, the cost's move in sds per input sd, the others held\n"
      "  fixed. Swing: average cost in years with the input at or above its P90 minus years at or below\n"
      "  its P10. Bad years: how far from its mean the input sits in the worst 10% of years, in sds.\n",
      s.r2);
  return out;
}

nlohmann::ordered_json precision_json(const PrecisionRun& run) {
  Json j;
  j["asked"] = run.asked;
  j["reached"] = json_number(run.reached);
  j["trials_used"] = run.trials_used;
  j["stopped_by"] = run.reached_goal ? "precision" : "max_trials";
  return j;
}

}  // namespace mistakesim
