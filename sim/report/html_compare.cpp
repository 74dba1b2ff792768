// The HTML report of `mistakesim compare` (see html_report.hpp): the baseline's headline, then what
// each intervention saves, costs and nets, its savings distribution side by side with its cost, the
// chance it pays off; provenance, inputs and the interventions' effects.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/html_report.hpp>
#include <mistakesim/voi_report.hpp>

#include "report/horizon_report.hpp"
#include "report/html_common.hpp"
#include "report/svg.hpp"

namespace mistakesim {
namespace {

using detail::money;

std::string esc(std::string_view s) { return html_escape(s); }

const char* op_words(EffectOp op) {
  switch (op) {
    case EffectOp::scale:
      return "multiply by";
    case EffectOp::set:
      return "set to";
    case EffectOp::add:
      return "add";
  }
  return "?";
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
    for (const Effect& e : iv.effects) {
      const std::string target =
          e.target < model.inputs.size() ? model.inputs[e.target].path : std::string("?");
      effects += fmt::format("{}<code>{}</code>: {} {}", effects.empty() ? "" : "<br>", esc(target),
                             op_words(e.op), esc(e.amount.dist.describe()));
    }
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
