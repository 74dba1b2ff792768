// The HTML report of `mistakesim run` (see html_report.hpp): headline, the sales leader's
// questions, charts, mistakes ranked, provenance and inputs.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <numeric>

#include "report/horizon_report.hpp"
#include "report/html_common.hpp"
#include "report/svg.hpp"

namespace mistakesim {
namespace {

using detail::money;

std::string esc(std::string_view s) { return html_escape(s); }

std::string range_of(const Summary& s, const std::function<std::string(double)>& fmt_value) {
  return fmt_value(s.p05) + " \u2013 " + fmt_value(s.p95);
}

std::string questions_section(const Model& model, const RunSummary& summary) {
  const CostSummary& cost = summary.cost;
  const std::vector<MistakeSummary>& mistakes = summary.mistakes;
  const PipelineRanges& ranges = *summary.pipeline_ranges;
  const Summary& opp = ranges.opportunities;
  const Summary& good = ranges.good_fits;
  const Summary& wins = ranges.wins;
  const Summary& wins_right = ranges.wins_done_right;
  const Summary& lost = ranges.should_have_bought;
  const Summary& hours = ranges.nonbuyer_hours;
  const double value_lost = summary.pipeline.revenue_done_right - summary.pipeline.revenue;
  const auto count = [](double v) { return esc(format_count(v)); };
  const auto hrs = [](double v) { return esc(format_hours(v)); };
  const auto cur = [&model](double v) { return money(model, v); };

  std::string q = "<section id=\"questions\">\n<h2>The sales leader's questions</h2>\n";
  q += "<p class=\"small\">Figures for an average year; the last column gives the range of 9 years in 10 "
       "(P05\u2013P95).</p>\n";
  q += "<table class=\"questions\">\n<thead><tr><th>Question</th><th>Answer for an average year</th>"
       "<th class=\"num\">9 years in 10</th></tr></thead>\n<tbody>\n";
  const auto row = [&q](std::string_view question, const std::string& answer, const std::string& range) {
    q += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n", question, answer, range);
  };
  row("How many opportunities do we work?", fmt::format("<strong>{}</strong> opportunities", count(opp.mean)),
      range_of(opp, count));
  row("How many of them buy?",
      fmt::format(
          "<strong>{}</strong> deals won as it happened; <strong>{}</strong> if everything were done right",
          count(wins.mean), count(wins_right.mean)),
      range_of(wins, count));
  row("How many should have bought?",
      fmt::format(
          "<strong>{}</strong> deals that would have closed were lost outright to mistakes (out of {} "
          "good-fit prospects who would buy if done right)",
          count(lost.mean), count(good.mean)),
      range_of(lost, count));
  row("How much time goes to people who never buy?",
      fmt::format("<strong>{}</strong> with poor-fit prospects (about {} full-time weeks of 40 hours)",
                  hrs(hours.mean), count(hours.mean / 40.0)),
      range_of(hours, hrs));

  // The funnel's figures: each deal lost outright counted once, under the first mistake that lost
  // it; the recovered ones apart. They add up to "should have bought".
  if (!summary.funnel) {
    row("Why didn't they buy?", "The mistakes' tallies of deals lost are not available for these results.",
        "");
  } else {
    std::string why;
    std::vector<FunnelMistake> by_losses = summary.funnel->mistakes;
    std::stable_sort(by_losses.begin(), by_losses.end(),
                     [](const FunnelMistake& a, const FunnelMistake& b) { return a.lost > b.lost; });
    for (const FunnelMistake& f : by_losses) {
      if (f.lost <= 0.0) continue;
      why += fmt::format("{}{}: <strong>{}</strong>", why.empty() ? "" : "; ",
                         esc(model.mistakes[f.index].name), count(f.lost));
    }
    row("Why didn't they buy?",
        fmt::format(
            "{} poor fits who would never buy; {} good fits lost on their merits (they would not have "
            "closed even done right); {}{} lost and partly saved by a recovery (see the funnel below).",
            count(summary.funnel->poor_fits), count(summary.funnel->lost_on_merit),
            why.empty() ? std::string("no deal lost outright to a mistake; ")
                        : "lost outright, by the mistake that lost them: " + why + "; ",
            count(summary.funnel->recovered)),
        "");
  }
  row("What did it cost?",
      fmt::format(
          "<strong>{}</strong>: {} of value from deals lost or discounted, plus {} of wasted hours, recovery "
          "work, out-of-pocket costs and repeat customers lost",
          cur(cost.total.mean), cur(value_lost), cur(cost.total.mean - value_lost)),
      range_of(cost.total, cur));
  q += "</tbody>\n</table>\n</section>\n";
  return q;
}

std::string funnel_section(const Model& model, const Funnel& f) {
  const auto count = [](double v) { return esc(format_count(v)); };
  std::string s = "<section id=\"funnel\">\n<h2>Why didn't they buy?</h2>\n";
  s += "<table class=\"funnel\">\n<thead><tr><th>An average year</th><th class=\"num\">Deals</th>"
       "<th class=\"num\">Value done right</th></tr></thead>\n<tbody>\n";
  const auto row = [&s](const std::string& label, const std::string& deals, const std::string& value) {
    s += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n", label, deals,
                     value);
  };
  row("<strong>Opportunities worked</strong>", "<strong>" + count(f.opportunities) + "</strong>", "");
  row("Poor fits: would never buy", count(f.poor_fits), "");
  row("Good fits lost on their merits: would not have closed even done right", count(f.lost_on_merit), "");
  double value_lost = 0.0;
  std::vector<detail::WaterfallBar> bars{
      {"Revenue had everything been done right", f.revenue_done_right, true}};
  if (model.value == ValueBasis::margin) bars.front().label = "Margin had everything been done right";
  for (const FunnelMistake& k : f.mistakes) {
    value_lost += k.value_lost;
    if (k.lost <= 0.0) continue;
    const std::string& name = model.mistakes[k.index].name;
    row("Lost outright to: " + esc(name), count(k.lost), money(model, k.value_lost));
    bars.push_back({"Lost outright to " + name, k.value_lost, false});
  }
  row("<em>Should have bought: lost outright, all mistakes</em>",
      "<em>" + count(f.should_have_bought) + "</em>", "<em>" + money(model, value_lost) + "</em>");
  row("Lost to a mistake, then partly recovered", count(f.recovered),
      money(model, f.value_recovered) + " (kept " + money(model, f.value_kept) + ")");
  row("Won", count(f.won), "");
  s += "</tbody>\n</table>\n";
  bars.push_back({"Given up on recovered deals", f.value_recovered - f.value_kept, false});
  bars.push_back({"Discounts on deals won", f.discounts_on_won, false});
  bars.push_back({model.value == ValueBasis::margin ? "Margin as it happened" : "Revenue as it happened",
                  f.revenue, true});
  s += "<figure>\n";
  s +=
      detail::waterfall_svg(bars, model.currency,
                            {"run-waterfall", "From revenue done right to revenue as it happened",
                             "Waterfall: the value of the deals that would have closed done right, less what "
                             "each mistake lost outright, what recoveries gave up and the discounts, is the "
                             "value as it happened.",
                             "value a year", ""});
  s += "<figcaption>Every opportunity is counted once: a deal hit by several mistakes is attributed to the "
       "first "
       "that lost it, in stage order; a deal that a recovery partly saved is not among the deals lost "
       "outright. "
       "The value walk is exact: the discounts are what remains.</figcaption>\n</figure>\n</section>\n";
  return s;
}

std::string mistakes_section(const Model& model, const CostSummary& cost,
                             const std::vector<MistakeSummary>& mistakes) {
  const double total = cost.total.mean;
  const double tail_total = cost.total.cvar95;
  const auto share = [](double part, double whole) { return whole > 0.0 ? part / whole : NAN; };

  std::vector<detail::MistakeBar> bars;
  for (const MistakeSummary& f : mistakes)
    bars.push_back({model.mistakes[f.index].name, f.cost.mean, f.cvar95_contribution,
                    share(f.cost.mean, total), share(f.cvar95_contribution, tail_total)});

  std::string s = "<section id=\"mistakes\">\n<h2>Which mistakes cost the most?</h2>\n<figure>\n";
  s += detail::mistake_bars_svg(bars, model.currency,
                                {"run-mistakes", "Mistakes ranked by what they cost",
                                 "For each mistake, its cost in an average year and its contribution to the "
                                 "average of the worst 5% of years, "
                                 "with its share of each.",
                                 "yearly cost of the mistake", ""});
  s += "<figcaption>Blue: what the mistake costs in an average year and its share of the total. Red: its "
       "part of "
       "the average cost of the worst 5% of years (the parts add up to that average), and its share of it. A "
       "mistake "
       "whose red share is larger than its blue share drives the bad years.</figcaption>\n</figure>\n";

  s += "<table class=\"mistakes\">\n<thead><tr><th>#</th><th>Mistake</th><th>Stage</th>"
       "<th class=\"num\">Happens a year</th><th class=\"num\">Deals lost a year</th><th class=\"num\">Cost "
       "a year</th>"
       "<th class=\"num\">Share</th><th class=\"num\">In the worst 5%</th><th class=\"num\">Share</th>"
       "<th class=\"num\">Noticed</th></tr></thead>\n<tbody>\n";
  int rank = 0;
  for (const MistakeSummary& f : mistakes) {
    const Mistake& m = model.mistakes[f.index];
    s += fmt::format(
        "<tr><td class=\"num\">{}</td><td>{}<br><code>{}</code></td><td>{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        ++rank, esc(m.name), esc(m.id), esc(m.stage), esc(format_count(f.occurrences_mean)),
        esc(format_count(f.deals_lost_mean)), money(model, f.cost.mean),
        esc(format_percent(share(f.cost.mean, total))), money(model, f.cvar95_contribution),
        esc(format_percent(share(f.cvar95_contribution, tail_total))),
        esc(format_percent(share(f.known_mean, f.cost.mean))));
  }
  s += "</tbody>\n</table>\n<p class=\"small\"><em>Noticed</em> is the share of the mistake's cost that the "
       "team "
       "noticed (known cost). <em>In the worst 5%</em> is the mistake's cost averaged over the worst 5% of "
       "simulated "
       "years.</p>\n</section>\n";
  return s;
}

}  // namespace

std::string run_report_html(const Model& model, const TrialResults& results, const RunSummary& summary,
                            const RunInfo& info, const std::string& study_sha256,
                            std::string_view generated_utc) {
  SIM_CHECK(summary.pipeline_ranges.has_value() && summary.mistakes.size() == model.mistakes.size(),
            << "the report needs summarize_run(results, SummaryScope::report)");
  const CostSummary& cost = summary.cost;
  const std::string name = model.name.empty() ? std::string("Study") : model.name;

  std::string h = detail::page_open("Cost of mistakes \u2014 " + name);
  h += fmt::format(
      "<header>\n<h1>What do our mistakes cost in a year?</h1>\n<p class=\"study\">{}</p>\n"
      "<p class=\"meta\">{} simulated years \u00b7 {} reps \u00b7 deals valued at {} \u00b7 "
      "{}</p>\n</header>\n",
      esc(name), esc(format_count(static_cast<double>(results.count))), model.reps,
      model.value == ValueBasis::margin ? "gross margin" : "revenue", esc(model.currency));
  h += detail::headline_section(model, cost, summary.pipeline.revenue_done_right, "The answer in one minute");
  h += questions_section(model, summary);
  if (summary.funnel) h += funnel_section(model, *summary.funnel);
  h += "<section id=\"distribution\">\n<h2>How much it varies from year to year</h2>\n";
  h += detail::cost_distribution_figures(model, cost, "run-");
  h += detail::known_unknown_figure(model, cost, "run-");
  h += "</section>\n";
  h += detail::horizon_html(model, results);  // capacity and the years of a horizon, if any
  h += mistakes_section(model, cost, summary.mistakes);
  h += "<footer id=\"provenance\">\n";
  h += detail::provenance_section(model, info, study_sha256, results.count, generated_utc);
  h += detail::inputs_section(model);
  h += "</footer>\n";
  h += detail::page_close();
  return h;
}

}  // namespace mistakesim
