// Shared pieces of the HTML reports (see html_common.hpp). Every string that comes from the study
// goes through html_escape(); numbers are formatted by the report layer's formatters.

#include "report/html_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <mistakesim/html_report.hpp>

#include "report/svg.hpp"

namespace mistakesim {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace detail {
namespace {

std::string esc(std::string_view s) { return html_escape(s); }

constexpr const char* kStyle = R"css(
:root { --ink: #222; --muted: #5a5a5a; --line: #dcdcdc; --soft: #f6f7f9; --accent: #4e79a7; --unknown: #f28e2b; --tail: #b04a3a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font-size: 15px; line-height: 1.45;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
main { max-width: 940px; margin: 0 auto; padding: 28px 24px 56px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 10px; margin-bottom: 18px; }
h1 { font-size: 26px; margin: 0 0 4px; line-height: 1.2; }
header .study { font-size: 17px; margin: 0; }
header .meta { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 8px 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 12px 0 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--soft); }
.card.main { border-color: var(--accent); border-width: 2px; }
.card .label { display: block; font-size: 13px; color: var(--muted); }
.card .value { display: block; font-size: 27px; font-weight: 700; line-height: 1.25; margin: 4px 0 2px; }
.card .sub { display: block; font-size: 13px; }
.card .value .words { display: block; font-size: 19px; line-height: 1.3; margin: 4px 0; }
.plain { font-size: 16px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
table.mistakes td:nth-child(2) { min-width: 220px; }
table.inputs { font-size: 13px; }
table.inputs code { white-space: nowrap; }
table.questions td:first-child { font-weight: 600; width: 34%; }
figure { margin: 22px 0; break-inside: avoid; page-break-inside: avoid; }
svg.chart { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
.small { font-size: 13px; color: var(--muted); }
dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; font-size: 14px; }
dl.provenance dt { color: var(--muted); }
dl.provenance dd { margin: 0; overflow-wrap: anywhere; }
footer { margin-top: 40px; }
@media (max-width: 760px) { .cards { grid-template-columns: repeat(2, 1fr); } }
@media print {
  @page { margin: 14mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, .card, tr, .cards { break-inside: avoid; page-break-inside: avoid; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  .card .value { font-size: 20px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos || s.find('e') != std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string card(std::string_view label, std::string_view value, std::string_view sub, bool main_card) {
  return fmt::format(
      "<div class=\"card{}\"><span class=\"label\">{}</span><span class=\"value\">{}</span>"
      "<span class=\"sub\">{}</span></div>\n",
      main_card ? " main" : "", label, value, sub);
}

std::string money(const Model& model, double amount) { return esc(format_currency(amount, model.currency)); }

std::string plain_number(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "\u221e" : "-\u221e";
  if (std::abs(v) >= 1000.0) return format_count(v);
  if (v == std::round(v)) return fmt::format("{}", static_cast<long long>(v));
  return trim_zeros(fmt::format("{:.4g}", v));
}

std::string page_open(const std::string& page_title) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Nothing may be fetched and no script may run: the page is its own whole content.
  s +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "img-src data:\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += "<meta name=\"generator\" content=\"mistakesim\">\n";
  s +=
      fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n", esc(page_title), kStyle);
  return s;
}

std::string page_close() { return "</main>\n</body>\n</html>\n"; }

std::string headline_section(const Model& model, const CostSummary& c, double value_done_right,
                             std::string_view heading) {
  const Summary& s = c.total;
  const double unknown_share = s.mean > 0.0 ? c.unknown.mean / s.mean : NAN;
  const std::string basis = model.value == ValueBasis::margin ? "gross margin" : "revenue";

  std::string h =
      fmt::format("<section id=\"headline\">\n<h2>{}</h2>\n<div class=\"cards\">\n", esc(heading));
  h += card(
      "Expected yearly cost of mistakes", money(model, s.mean),
      fmt::format("9 years in 10 between {} and {} (P05\u2013P95)", money(model, s.p05), money(model, s.p95)),
      true);
  h += card("Caused by mistakes nobody noticed", esc(format_percent(unknown_share)),
            fmt::format("{} a year that no one sees", money(model, c.unknown.mean)));
  h += card("A bad year", money(model, s.p95),
            fmt::format("1 year in 20 costs more (P95); 1 in 10 more than {} (P90)", money(model, s.p90)));
  h += card("Average of the worst 5% of years", money(model, s.cvar95),
            "what a really bad year costs on average");
  h += "</div>\n";

  h += fmt::format(
      "<p class=\"plain\">In an average year our mistakes cost <strong>{}</strong>. Nine years in ten the "
      "cost lies "
      "between {} and {}; half of the years cost more than {}. <strong>{}</strong> of the cost ({} a year) "
      "comes from "
      "mistakes nobody noticed, so no one is working on them. One year in ten costs more than "
      "<strong>{}</strong>, one "
      "in twenty more than {}, and the worst 5% of years cost {} on average.",
      money(model, s.mean), money(model, s.p05), money(model, s.p95), money(model, s.p50),
      esc(format_percent(unknown_share)), money(model, c.unknown.mean), money(model, s.p90),
      money(model, s.p95), money(model, s.cvar95));
  if (value_done_right > 0.0) {
    h += fmt::format(" That is {} of the {} ({}) the team would bring in a year with no mistakes.",
                     esc(format_percent(s.mean / value_done_right)), money(model, value_done_right),
                     esc(basis));
  }
  h += "</p>\n";
  h += fmt::format(
      "<p class=\"small\">The expected cost is known to within {} to {} (95% confidence, {} simulated "
      "years); amounts are {} in {}.</p>\n</section>\n",
      money(model, s.mean_ci95_lo), money(model, s.mean_ci95_hi), esc(format_count(static_cast<double>(s.n))),
      esc(basis), esc(model.currency));
  return h;
}

std::string cost_distribution_figures(const Model& model, const CostSummary& c, std::string_view id_prefix) {
  const Summary& s = c.total;
  const std::vector<double>& sorted = c.sorted_total;
  if (sorted.empty()) return "<p>No simulated years: nothing to chart.</p>\n";
  // Draw up to the 99.5th percentile so that a long tail does not squeeze the bulk into a few bars.
  const double x_max = quantile_sorted(sorted, 0.995);
  const auto drawn_end = std::upper_bound(sorted.begin(), sorted.end(), x_max);
  const std::size_t beyond = static_cast<std::size_t>(sorted.end() - drawn_end);
  const Histogram hist = histogram(
      std::span<const double>(sorted.data(), static_cast<std::size_t>(drawn_end - sorted.begin())), 40);
  std::string note;
  if (beyond > 0) {
    note = fmt::format(
        "{} of the years ({}) cost more than {} and are not drawn; the costliest cost {}.",
        format_count(static_cast<double>(beyond)),
        fmt::format("{:.1f}%", 100.0 * static_cast<double>(beyond) / static_cast<double>(sorted.size())),
        format_currency(x_max, model.currency), format_currency(sorted.back(), model.currency));
  }
  std::vector<std::pair<double, Marker>> ordered = {
      {s.mean, {s.mean, "mean", "average " + format_currency(s.mean, model.currency)}},
      {s.p50, {s.p50, "P50", "median (P50) " + format_currency(s.p50, model.currency)}},
      {s.p90, {s.p90, "P90", "1 in 10 years (P90) " + format_currency(s.p90, model.currency)}},
      {s.p95, {s.p95, "P95", "1 in 20 years (P95) " + format_currency(s.p95, model.currency)}}};
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Marker> markers;
  for (auto& [v, m] : ordered) markers.push_back(m);

  const std::string prefix(id_prefix);
  std::string f = "<figure>\n";
  f += histogram_svg(
      hist, sorted.size(), markers, model.currency,
      {prefix + "histogram", "How much do mistakes cost in a year?",
       "Histogram of the yearly cost of mistakes over the simulated years, with the average, median, "
       "P90 and P95 marked.",
       "yearly cost of mistakes", "share of simulated years"},
      note);
  f += "<figcaption>Each bar is a range of yearly cost; its height is the share of simulated years that cost "
       "that much. "
       "Dashed lines: the average, the median (half the years cost more), the cost exceeded one year in 10 "
       "(P90) and "
       "one year in 20 (P95).</figcaption>\n</figure>\n";

  const std::vector<Marker> curve_markers = {
      {s.p50, "P50", "half of years: more than " + format_currency(s.p50, model.currency)},
      {s.p90, "P90", "1 in 10: more than " + format_currency(s.p90, model.currency)},
      {s.p95, "P95", "1 in 20: more than " + format_currency(s.p95, model.currency)}};
  f += "<figure>\n";
  f += exceedance_svg(
      sorted, x_max, curve_markers, model.currency,
      {prefix + "exceedance", "What is the chance a year costs more than X?",
       "Exceedance curve: for each yearly cost X, the share of simulated years that cost more than X.",
       "yearly cost of mistakes X", "chance a year costs more than X"});
  f += "<figcaption>Read across from a chance to a cost: the curve gives, for each amount, the share of "
       "years whose "
       "mistakes cost more. Use it to set a budget or a risk appetite: the marked points are the costs "
       "exceeded half "
       "the time, one year in 10 and one year in 20.</figcaption>\n</figure>\n";
  return f;
}

std::string known_unknown_figure(const Model& model, const CostSummary& c, std::string_view id_prefix) {
  std::string f = "<figure>\n";
  f += known_unknown_svg(
      {{"An average year", c.known.mean, c.unknown.mean},
       {"The worst 5% of years (their average)", c.tail_known, c.tail_unknown}},
      model.currency,
      {std::string(id_prefix) + "known-unknown", "Known and unknown mistakes",
       "Stacked bars: the cost of mistakes the team noticed and of those nobody noticed, in an "
       "average year and in the worst 5% of years.",
       "yearly cost of mistakes", ""});
  f += "<figcaption>A mistake is <em>known</em> when someone on the team noticed it (and could act on it), "
       "<em>unknown</em> when nobody did: a deal that quietly went elsewhere, hours spent on a prospect who "
       "was never "
       "going to buy.</figcaption>\n</figure>\n";
  return f;
}

std::string provenance_section(const Model& model, const RunInfo& info, const std::string& study_sha256,
                               std::uint64_t trials, std::string_view generated_utc,
                               const std::vector<std::pair<std::string, std::string>>& extra) {
  std::string p = "<h2>Where these numbers come from</h2>\n<dl class=\"provenance\">\n";
  const auto row = [&p](std::string_view term, std::string_view html_value) {
    p += fmt::format("<dt>{}</dt><dd>{}</dd>\n", term, html_value);
  };
  row("Study", esc(model.name.empty() ? std::string("(unnamed)") : model.name));
  row("Study file",
      "<code>" + esc(info.study_file.empty() ? model.source_file : info.study_file) + "</code>");
  row("SHA-256 of the study file",
      "<code>" + esc(study_sha256.empty() ? "not computed" : study_sha256) + "</code>");
  row("Seed", esc(fmt::format("{}", model.seed)));
  row("Simulated years (trials)", esc(format_count(static_cast<double>(trials))));
  row("Team", esc(fmt::format("{} reps", model.reps)));
  row("Value of a deal", model.value == ValueBasis::margin ? "gross margin" : "revenue");
  row("Currency", esc(model.currency));
  row("mistakesim version", esc(info.version));
  row("Build", "<code>" + esc(info.build) + "</code>");
  row("Threads", esc(fmt::format("{} (results do not depend on it)", info.threads)));
  row("Run time", esc(fmt::format("{:.2f} s", info.seconds)));
  row("Generated (UTC)", "<span id=\"generated\">" +
                             esc(generated_utc.empty() ? utc_now() : std::string(generated_utc)) + "</span>");
  for (const auto& [term, value] : extra) row(term, value);
  p += "</dl>\n<p class=\"small\">Same study file, seed and trials give the same numbers on any machine and "
       "thread "
       "count; only the run time and date above change.</p>\n";
  return p;
}

std::string inputs_section(const Model& model) {
  struct Row {
    std::string path, when;
    const Distribution* dist;
  };
  std::vector<Row> rows;
  for (const YearInput& in : model.inputs)
    if (!in.internal) rows.push_back({in.path, "once a year", &in.dist});
  rows.push_back({model.opportunities_per_rep ? "pipeline.opportunities_per_rep" : "pipeline.opportunities",
                  model.opportunities_per_rep ? "once a year, per rep" : "once a year",
                  &model.opportunities.dist});
  rows.push_back({"pipeline.deal_size", "per opportunity", &model.deal_size.dist});
  rows.push_back({"pipeline.qualify_hours", "per poor-fit opportunity", &model.qualify_hours.dist});
  rows.push_back({"pipeline.customer_value", "per repeat customer", &model.customer_value.dist});
  for (const Mistake& m : model.mistakes) {
    const std::string base = "mistake." + m.id + ".";
    rows.push_back({base + "wasted_hours", "per occurrence", &m.wasted_hours.dist});
    rows.push_back({base + "direct_cost", "per occurrence", &m.direct_cost.dist});
    rows.push_back({base + "discount", "per occurrence", &m.discount.dist});
    if (m.has_recovery) {
      rows.push_back({base + "recovery.hours", "per noticed loss", &m.recovery_hours.dist});
      rows.push_back({base + "recovery.saved", "per noticed loss", &m.recovery_saved.dist});
    }
  }

  std::string t =
      "<h3>Every input</h3>\n<p class=\"small\">The study's inputs as the simulator used them, each named "
      "by its parameter path. A plain number is a fact; a distribution is a range the study is unsure "
      "about, drawn when the second column says.</p>\n";
  t += "<table class=\"inputs\">\n<thead><tr><th>Input</th><th>Drawn</th><th>Distribution</th><th "
       "class=\"num\">Mean</th>"
       "<th class=\"num\">90% range (P05\u2013P95)</th></tr></thead>\n<tbody>\n";
  for (const Row& r : rows) {
    const Distribution& d = *r.dist;
    std::string range = "fixed";
    if (!d.is_constant())
      range = plain_number(d.quantile(0.05)) + " \u2013 " + plain_number(d.quantile(0.95));
    t += fmt::format(
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td></tr>\n",
        esc(r.path), esc(r.when), esc(d.describe()), esc(plain_number(d.mean())), esc(range));
  }
  t += "</tbody>\n</table>\n";
  return t;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace detail
}  // namespace mistakesim
