// The HTML report of `mistakesim compare` (see html_report.hpp): the baseline's headline, then what
// each intervention saves, costs and nets, its savings distribution side by side with its cost, the
// chance it pays off; provenance, inputs and the interventions' effects.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/voi_report.hpp>

#include "report/horizon_report.hpp"
#include "report/html_common.hpp"
#include "report/svg.hpp"

namespace mistakesim {
namespace {

using detail::money;

std::string esc(std::string_view s) { return html_escape(s); }

//! An effect's target in the reader's words: "Late procurement: discount given" for the internal
//! input "mistake.late-procurement.discount:scale", "how often \u201cX\u201d happens" for a rate.
std::string target_words(const Model& model, const std::string& path) {
  const std::size_t colon = path.rfind(':');
  if (colon == std::string::npos) {
    std::string words = input_plain_name(model, path);
    if (!words.empty()) words[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(words[0])));
    return words;
  }
  const std::string amount = path.substr(0, colon);
  static const std::pair<const char*, const char*> kFields[] = {{"wasted_hours", "hours wasted"},
                                                                {"direct_cost", "out-of-pocket cost"},
                                                                {"discount", "discount given"},
                                                                {"recovery.hours", "hours spent recovering"},
                                                                {"recovery.saved", "share a recovery saves"}};
  static const std::pair<const char*, const char*> kPipeline[] = {
      {"pipeline.deal_size", "Deal size"},
      {"pipeline.qualify_hours", "Hours to disqualify a poor fit"},
      {"pipeline.customer_value", "Value of a repeat customer"}};
  for (const auto& [p, words] : kPipeline)
    if (amount == p) return words;
  for (const Mistake& m : model.mistakes) {
    const std::string prefix = "mistake." + m.id + ".";
    if (amount.rfind(prefix, 0) != 0) continue;
    const std::string field = amount.substr(prefix.size());
    for (const auto& [f, words] : kFields)
      if (field == f) return (m.name.empty() ? m.id : m.name) + ": " + words;
  }
  return amount;
}

//! An effect in words: "Late procurement: discount given \u00d7 0.7".
std::string effect_words(const Model& model, const Effect& e) {
  const std::string target =
      e.target < model.inputs.size() ? target_words(model, model.inputs[e.target].path) : "?";
  const std::string amount = e.amount.dist.describe();
  switch (e.op) {
    case EffectOp::scale:
      return target + " \u00d7 " + amount;
    case EffectOp::set:
      return target + " set to " + amount;
    case EffectOp::add:
      return target + " + " + amount;
  }
  return target;
}

std::string roi_text(double roi) {
  if (std::isinf(roi)) return "free";
  if (std::isnan(roi)) return "n/a";
  return fmt::format("{:.0f}%", roi * 100.0);
}

std::string break_even_text(const CandidateResult& c) {
  if (!c.break_even_fraction) return "does not pay off on average even at full effect";
  if (*c.break_even_fraction <= 0.0) return "pays off with no effect at all";
  return fmt::format("needs {} of its expected effect", format_percent(*c.break_even_fraction));
}

std::string candidates_section(const Model& model, const Comparison& cmp) {
  std::string s = "<section id=\"interventions\">\n<h2>What would each intervention save?</h2>\n";
  if (cmp.candidates.empty()) return s + "<p>No intervention to compare.</p>\n</section>\n";

  const CandidateResult& best = cmp.candidates.front();
  s += fmt::format(
      "<p class=\"plain\">Best on average: <strong>{}</strong>. It saves <strong>{}</strong> a year on "
      "average for a "
      "cost of {}, a net of <strong>{}</strong>, and pays for itself in <strong>{}</strong> of simulated "
      "years.</p>\n",
      esc(best.candidate.name), money(model, best.savings_mean), money(model, best.cost_mean),
      money(model, best.net_mean), esc(format_percent(best.p_pays_off)));

  std::vector<detail::BoxRow> rows;
  for (const CandidateResult& c : cmp.candidates) {
    const Summary& sv = c.savings_summary;
    if (sv.n == 0) continue;
    rows.push_back({c.candidate.name, sv.p05, c.savings_p25, sv.p50, c.savings_p75, sv.p95, c.savings_mean,
                    c.cost_mean, fmt::format("pays off in {} of years", format_percent(c.p_pays_off))});
  }
  s += "<figure>\n";
  s += detail::savings_box_svg(
      rows, model.currency,
      {"compare-savings", "What each intervention saves in a year, against what it costs",
       "Box and whisker plot of each intervention's yearly savings (P05, P25, median, P75, "
       "P95, mean) with its yearly cost marked.",
       "yearly savings (same years, same random numbers as without it)", ""});
  s += "<figcaption>Each row is one intervention, played over the same simulated years as the team without "
       "it. The "
       "box holds the middle half of the yearly savings, the whiskers 9 years in 10 (P05 to P95), the line "
       "is the "
       "median and the dot the average. The red mark is what the intervention costs a year: where the "
       "savings lie to "
       "the right of it, the intervention pays for itself.</figcaption>\n</figure>\n";

  // How the bad year changes: each option's exceedance curve over the baseline's.
  std::vector<std::vector<double>> sorted{cmp.baseline_cost.sorted_total};
  double x_max = cmp.baseline_cost.total.p99;
  for (const CandidateResult& c : cmp.candidates) {
    std::vector<double> v;
    for (double x : c.results.cost_total)
      if (!std::isnan(x)) v.push_back(x);
    std::sort(v.begin(), v.end());
    sorted.push_back(std::move(v));
  }
  std::vector<detail::CurveSeries> curves{{"today (no intervention)", sorted.front()}};
  for (std::size_t i = 0; i < cmp.candidates.size(); ++i)
    curves.push_back({cmp.candidates[i].candidate.name, sorted[i + 1]});
  s += "<figure>\n";
  s += detail::exceedance_overlay_svg(
      curves, x_max, kBadYear, model.currency,
      {"compare-exceedance-options", "How does each intervention change the bad year?",
       "Exceedance curves of the yearly cost of mistakes: today (solid) and with each intervention (dashed).",
       "yearly cost of mistakes X (the intervention's own cost not included)",
       "chance a year costs more than X"});
  s += "<figcaption>For every amount, the share of simulated years whose mistakes cost more, today and with "
       "each "
       "intervention. A curve to the left of today's means cheaper years at that chance; the dots mark a bad "
       "year, the cost exceeded one year in 20 (P95).</figcaption>\n</figure>\n";

  s += "<table class=\"candidates\">\n<thead><tr><th>Intervention</th><th class=\"num\">Saves a year</th>"
       "<th class=\"num\">9 years in 10</th><th class=\"num\">Costs a year</th><th class=\"num\">Net</th>"
       "<th class=\"num\">Return</th><th class=\"num\">Pays "
       "off</th><th>Break-even</th></tr></thead>\n<tbody>\n";
  for (const CandidateResult& c : cmp.candidates) {
    const Summary& sv = c.savings_summary;
    s += fmt::format(
        "<tr><td>{}<br><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{} \u2013 {}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td>{}</td></tr>\n",
        esc(c.candidate.name), esc(c.candidate.id), money(model, c.savings_mean), money(model, sv.p05),
        money(model, sv.p95), money(model, c.cost_mean), money(model, c.net_mean), esc(roi_text(c.roi_mean)),
        esc(format_percent(c.p_pays_off)), esc(break_even_text(c)));
  }
  s += "</tbody>\n</table>\n<p class=\"small\"><em>Net</em> is savings minus cost; <em>return</em> is net "
       "divided by "
       "cost; <em>pays off</em> is the share of simulated years in which the savings exceed the cost; "
       "<em>break-even</em> is the smallest share of the intervention's effect at which it still pays off on "
       "average.</p>\n</section>\n";
  return s;
}

std::string interventions_table(const Model& model) {
  std::string t =
      "<h3>Interventions in the study</h3>\n<table class=\"interventions\">\n<thead><tr><th>Intervention</th>"
      "<th>Cost</th><th>Effects</th></tr></thead>\n<tbody>\n";
  for (const Intervention& iv : model.interventions) {
    std::string effects;
    for (const Effect& e : iv.effects)
      effects += (effects.empty() ? "" : "<br>") + esc(effect_words(model, e));
    t += fmt::format(
        "<tr><td>{}<br><code>{}</code></td><td>{} + {} per rep + {} of selling time per rep</td>"
        "<td>{}</td></tr>\n",
        esc(iv.name), esc(iv.id), money(model, iv.cost), money(model, iv.cost_per_rep),
        esc(format_hours(iv.hours_per_rep)), effects.empty() ? std::string("none") : effects);
  }
  return t + "</tbody>\n</table>\n";
}

}  // namespace

std::string compare_report_html(const Model& model, const Comparison& comparison, const RunInfo& info,
                                const std::string& study_sha256, std::string_view generated_utc,
                                const VoiResult* voi) {
  const CostSummary& cost = comparison.baseline_cost;
  const std::string name = model.name.empty() ? std::string("Study") : model.name;

  std::string h = detail::page_open("Interventions compared \u2014 " + name);
  h += fmt::format(
      "<header>\n<h1>What would training save?</h1>\n<p class=\"study\">{}</p>\n"
      "<p class=\"meta\">{} simulated years \u00b7 {} interventions compared over the same years \u00b7 "
      "{} reps \u00b7 {}</p>\n</header>\n",
      esc(name), esc(format_count(static_cast<double>(comparison.baseline.count))),
      comparison.candidates.size(), model.reps, esc(model.currency));
  h += detail::headline_section(model, cost, comparison.baseline_pipeline.revenue_done_right,
                                "Today: what mistakes cost without any intervention");
  h += candidates_section(model, comparison);
  h += detail::pay_off_html(model, comparison);  // over a horizon of several years
  if (voi != nullptr) h += voi_section_html(model, *voi);
  h += "<section id=\"distribution\">\n<h2>The cost of mistakes today, year to year</h2>\n";
  h += detail::cost_distribution_figures(model, cost, "compare-");
  h += detail::known_unknown_figure(model, cost, "compare-");
  h += "</section>\n";
  h += "<footer id=\"provenance\">\n";
  h += detail::provenance_section(model, info, study_sha256, comparison.baseline.count, generated_utc,
                                  {{"Comparison",
                                    "paired: every intervention over the same simulated years and "
                                    "random numbers as the baseline"}});
  h += interventions_table(model);
  h += detail::inputs_section(model);
  h += "</footer>\n";
  h += detail::page_close();
  return h;
}

}  // namespace mistakesim

// The report of a comparison of study files.

#include <mistakesim/compare_files_report.hpp>

namespace mistakesim {
namespace {

std::string signed_money(const Model& model, double x) {
  if (x == 0.0) return detail::money(model, 0.0);
  return (x > 0.0 ? "+" : "\u2212") + detail::money(model, std::abs(x));
}

std::string scenario_label(const FileScenario& f) { return f.name.empty() ? f.file : f.name; }

std::string files_headline(const Model& model, const FileComparison& c) {
  const FileScenario& base = c.scenarios.front();
  std::string s = "<section id=\"headline\">\n<h2>How do the studies differ?</h2>\n<div class=\"cards\">\n";
  s += detail::card(
      esc(scenario_label(base)) + " (baseline)", money(model, base.cost.total.mean),
      "yearly cost of mistakes on average; a bad year (P95): " + money(model, base.cost.total.p95), true);
  for (std::size_t i = 1; i < c.scenarios.size(); ++i) {
    const FileScenario& f = c.scenarios[i];
    s += detail::card(esc(scenario_label(f)), money(model, f.cost.total.mean),
                      fmt::format("{} a year ({} to {}), a bad year (P95): {}; cheaper in {} of years",
                                  signed_money(model, f.difference_total_summary.mean),
                                  signed_money(model, f.difference_total_summary.mean_ci95_lo),
                                  signed_money(model, f.difference_total_summary.mean_ci95_hi),
                                  money(model, f.cost.total.p95), esc(format_percent(f.p_cheaper))));
  }
  s += "</div>\n";
  s += "<p class=\"plain\">Each study file is played over the same simulated years: a year that is good for "
       "the baseline is played the same way for the others wherever they share an input, so the change is "
       "measured year by year and not as the difference of two noisy averages. The range after each change "
       "is its 95% confidence interval.</p>\n</section>\n";
  return s;
}

std::string files_charts(const Model& model, const FileComparison& c) {
  std::string s = "<section id=\"scenarios\">\n<h2>What each study saves against the baseline</h2>\n";
  std::vector<detail::BoxRow> rows;
  for (std::size_t i = 1; i < c.scenarios.size(); ++i) {
    const FileScenario& f = c.scenarios[i];
    std::vector<double> saves(f.difference_total.size());
    for (std::size_t t = 0; t < saves.size(); ++t) saves[t] = -f.difference_total[t];
    const SortedSummary sv = summarize_sorted(saves);
    if (sv.summary.n == 0) continue;
    rows.push_back({scenario_label(f), sv.summary.p05, quantile_sorted(sv.sorted, 0.25), sv.summary.p50,
                    quantile_sorted(sv.sorted, 0.75), sv.summary.p95, sv.summary.mean, 0.0,
                    fmt::format("cheaper in {} of years", format_percent(f.p_cheaper))});
  }
  s += "<figure>\n";
  s += detail::savings_box_svg(
      rows, model.currency,
      {"compare-savings", "What each study saves in a year against the baseline",
       "Box and whisker plot of each study's yearly saving against the baseline (P05, P25, median, P75, "
       "P95, mean).",
       "yearly saving against the baseline (same years, same random numbers where shared)", ""});
  s +=
      "<figcaption>Each row is one study file, played over the same simulated years as the baseline. The box "
      "holds the middle half of the yearly savings (baseline cost minus this study's), the whiskers 9 years "
      "in 10, the line is the median and the dot the average. Right of zero, the study costs "
      "less.</figcaption>\n"
      "</figure>\n";
  std::vector<detail::CurveSeries> curves;
  double x_max = 0.0;
  for (const FileScenario& f : c.scenarios) {
    curves.push_back({scenario_label(f), f.cost.sorted_total});
    x_max = std::max(x_max, f.cost.total.p99);
  }
  s += "<figure>\n";
  s += detail::exceedance_overlay_svg(curves, x_max, kBadYear, model.currency,
                                      {"compare-exceedance", "How does the bad year change?",
                                       "Exceedance curves: for each yearly cost X, the share of simulated "
                                       "years that cost more than X, for the "
                                       "baseline (solid) and each study (dashed).",
                                       "yearly cost of mistakes X", "chance a year costs more than X"});
  s += "<figcaption>Each curve gives, for every amount, the share of years whose mistakes cost more. A curve "
       "to the left of the baseline's costs less at that chance; the dots mark a bad year, the cost exceeded "
       "one year in 20 (P95).</figcaption>\n</figure>\n</section>\n";
  return s;
}

std::string files_tables(const Model& model, const FileComparison& c) {
  std::string s = "<section id=\"mistakes\">\n<h2>Where the difference comes from</h2>\n";
  for (std::size_t i = 1; i < c.scenarios.size(); ++i) {
    const FileScenario& f = c.scenarios[i];
    s += fmt::format("<h3>{} against {}</h3>\n", esc(scenario_label(f)), esc(scenario_label(c.scenarios[0])));
    s += "<table class=\"mistakes\">\n<thead><tr><th>Mistake</th><th class=\"num\">Baseline a year</th>"
         "<th class=\"num\">This study a year</th><th class=\"num\">Change (95% "
         "CI)</th></tr></thead>\n<tbody>\n";
    for (const MistakeDifference& k : f.mistakes) {
      const char* note =
          !k.in_scenario ? " (not in this study)" : (!k.in_baseline ? " (not in the baseline)" : "");
      s += fmt::format(
          "<tr><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} ({} to "
          "{})</td></tr>\n",
          esc(k.name), note, money(model, k.cost.mean - k.difference.mean), money(model, k.cost.mean),
          signed_money(model, k.difference.mean), signed_money(model, k.difference.mean_ci95_lo),
          signed_money(model, k.difference.mean_ci95_hi));
    }
    s += "</tbody>\n</table>\n";
    s += "<table class=\"pipeline\">\n<thead><tr><th>A year, on average</th><th class=\"num\">Baseline</th>"
         "<th class=\"num\">This study</th><th class=\"num\">Change (95% CI)</th></tr></thead>\n<tbody>\n";
    for (const PipelineDifference& p : f.pipeline) {
      const double base = p.mean - p.difference.mean;
      auto fmt_value = [&](double x) { return p.dollars ? money(model, x) : esc(format_count(x)); };
      auto fmt_change = [&](double x) {
        if (p.dollars) return signed_money(model, x);
        return esc((x > 0.0 ? "+" : x < 0.0 ? "\u2212" : "") + format_count(std::abs(x)));
      };
      s += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} "
          "({} to {})</td></tr>\n",
          esc(p.label), fmt_value(base), fmt_value(p.mean), fmt_change(p.difference.mean),
          fmt_change(p.difference.mean_ci95_lo), fmt_change(p.difference.mean_ci95_hi));
    }
    s += "</tbody>\n</table>\n";
    const DrawSharing& d = f.sharing;
    s += fmt::format(
        "<p class=\"small\">Pairing: {} of the random quantities are drawn as in the baseline (same "
        "parameter, "
        "same kind of distribution); {} are not. The paired change is {} as precise as two independent "
        "runs.</p>\n",
        d.shared.size(), d.other_family.size() + d.only_scenario.size(),
        std::isfinite(f.variance_reduction) ? esc(fmt::format("{:.1f} times", f.variance_reduction))
                                            : std::string("infinitely"));
  }
  return s + "</section>\n";
}

}  // namespace

std::string compare_files_report_html(const std::vector<StudyFile>& studies, const FileComparison& c,
                                      const RunInfo& info, std::string_view generated_utc) {
  SIM_CHECK(!studies.empty() && studies.size() == c.scenarios.size(), << studies.size() << " studies");
  const Model& model = studies.front().model;
  const std::string name = model.name.empty() ? std::string("Study") : model.name;
  std::string h = detail::page_open("Studies compared \u2014 " + name);
  h += fmt::format(
      "<header>\n<h1>How do these studies compare?</h1>\n<p class=\"study\">{}</p>\n"
      "<p class=\"meta\">{} simulated years \u00b7 {} study files compared over the same years \u00b7 "
      "{}</p>\n"
      "</header>\n",
      esc(name), esc(format_count(static_cast<double>(c.trials))), c.scenarios.size(), esc(model.currency));
  h += files_headline(model, c);
  h += files_charts(model, c);
  h += files_tables(model, c);
  h += "<footer id=\"provenance\">\n";
  std::vector<std::pair<std::string, std::string>> extra;
  for (std::size_t i = 0; i < studies.size(); ++i)
    extra.emplace_back(i == 0 ? "Baseline" : fmt::format("Study {}", i + 1),
                       fmt::format("<code>{}</code> (SHA-256 <code>{}</code>)", esc(studies[i].file),
                                   esc(sha256_file_hex(studies[i].file))));
  extra.emplace_back("Comparison",
                     "paired: every study file over the same simulated years; shared inputs "
                     "have the same random numbers");
  h += detail::provenance_section(model, info, sha256_file_hex(studies.front().file), c.trials, generated_utc,
                                  extra);
  h += detail::inputs_section(model);
  h += "</footer>\n";
  h += detail::page_close();
  return h;
}

}  // namespace mistakesim
