// The HTML of `mistakesim voi` (voi_report.hpp): the decision, what knowing each input first would
// be worth as a bar chart and a table, the groups, and the EVSI curve of each studied input (the
// sweep chart of svg.hpp, sample size on x).

#include "report/html_common.hpp"
#include "report/svg.hpp"

#include <mistakesim/html_report.hpp>
#include <mistakesim/voi_report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace mistakesim {
namespace {

using detail::coord;
using detail::money;

std::string esc(std::string_view s) { return html_escape(s); }

//! Horizontal bars of EVPPI from 0, largest first, on a currency axis (svg.hpp's helpers: coord,
//! nice_ticks, currency_tick, clip_label). rect.evppi-bar carries data-path and data-value.
std::string evppi_bars_svg(const Model& model, const VoiResult& v, std::size_t max_rows) {
  const std::size_t rows = std::min(max_rows, v.parameters.size());
  constexpr double kWidth = 880.0, kLeft = 300.0, kRight = 90.0, kTop = 44.0, kRow = 26.0;
  const double bottom = kTop + kRow * static_cast<double>(std::max<std::size_t>(rows, 1));
  const double height = bottom + 52.0;
  double hi = std::max(v.evpi.value, 1.0);
  for (std::size_t i = 0; i < rows; ++i) hi = std::max(hi, v.parameters[i].evppi.value);
  const std::vector<double> ticks = detail::nice_ticks(0.0, hi, 5);
  const double top_value = ticks.back() > 0.0 ? ticks.back() : 1.0;
  const auto x = [&](double value) {
    return kLeft + (kWidth - kLeft - kRight) * std::max(0.0, value) / top_value;
  };
  const std::string title = "What knowing each input before deciding would be worth";
  std::string s = fmt::format(
      "<svg class=\"chart\" id=\"voi-evppi\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "role=\"img\" "
      "aria-labelledby=\"voi-evppi-title voi-evppi-desc\">\n<title id=\"voi-evppi-title\">{2}</title>\n"
      "<desc id=\"voi-evppi-desc\">Bar chart: the expected value of perfect information of each uncertain "
      "input, in "
      "dollars a year, largest first; the dashed line is the value of knowing everything (EVPI).</desc>\n"
      "<text class=\"chart-title\" x=\"12\" y=\"22\" font-size=\"16\" font-weight=\"600\" "
      "fill=\"#222\">{2}</text>\n",
      coord(kWidth), coord(height), esc(title));
  for (double t : ticks) {
    s += fmt::format(
        "<g class=\"tick x\"><line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#e3e3e3\"/>"
        "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#555\">{4}</text></g>\n",
        coord(x(t)), coord(kTop - 6), coord(bottom), coord(bottom + 16),
        esc(detail::currency_tick(t, model.currency)));
  }
  s +=
      fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222\">{}</text>\n",
                  coord((kLeft + kWidth - kRight) / 2), coord(bottom + 38),
                  esc("worth knowing first, in net dollars a year (EVPPI)"));
  for (std::size_t i = 0; i < rows; ++i) {
    const ParameterVoi& p = v.parameters[i];
    const double y = kTop + kRow * static_cast<double>(i);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#222\">{}</text>\n",
                     coord(kLeft - 8), coord(y + 15),
                     esc(detail::clip_label(voi_plain_name(model, p.path), 44)));
    s += fmt::format(
        "<rect class=\"evppi-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"#4e79a7\" "
        "data-path=\"{}\" data-value=\"{}\"><title>{}: {}</title></rect>\n",
        coord(kLeft), coord(y + 2), coord(x(p.evppi.value) - kLeft), esc(p.path),
        fmt::format("{}", p.evppi.value), esc(p.path),
        esc(detail::currency_label(p.evppi.value, model.currency)));
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#222\">{}</text>\n",
                     coord(x(p.evppi.value) + 5), coord(y + 15),
                     esc(detail::currency_label(p.evppi.value, model.currency)));
  }
  s += fmt::format(
      "<line class=\"marker\" data-key=\"evpi\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
      "stroke=\"#b04a3a\" "
      "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n",
      coord(x(v.evpi.value)), coord(kTop - 10), coord(bottom));
  s +=
      fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#b04a3a\">{}</text>\n",
                  coord(x(v.evpi.value) - 4), coord(kTop - 12),
                  esc("knowing everything: " + detail::currency_label(v.evpi.value, model.currency)));
  return s + "</svg>\n";
}

std::string fit_text(const VoiEstimate& e) { return fmt::format("{:.3f}", e.max_r_squared()); }

}  // namespace

std::string voi_section_html(const Model& model, const VoiResult& v) {
  std::string s = "<section id=\"voi\">\n<h2>Is it worth finding out first?</h2>\n";
  s += fmt::format(
      "<p class=\"plain\">Decided today, on what we know: <strong>{}</strong> ({} net a year on average). "
      "Knowing everything we are unsure of before deciding would be worth up to <strong>{}</strong> a "
      "year (\u00b1{}).",
      esc(v.option_names[v.best_option]), money(model, v.option_mean[v.best_option]),
      money(model, v.evpi.value), money(model, v.evpi.se));
  if (!v.parameters.empty()) {
    const ParameterVoi& top = v.parameters.front();
    const double rest = v.parameters.size() > 1 ? v.parameters[1].evppi.value : 0.0;
    s += fmt::format(
        " Knowing {} first would be worth up to <strong>{}</strong>; the rest of what we don't know is "
        "worth at most {} each.",
        esc(voi_plain_name(model, top.path)), money(model, top.evppi.value), money(model, rest));
  }
  s += "</p>\n<figure>\n" + evppi_bars_svg(model, v, 15);
  s += "<figcaption>Each bar is how much better, on average, the choice among the options would be if that "
       "input "
       "were known exactly before choosing (the others still uncertain). The dashed line is the worth of "
       "knowing all "
       "of them. What no study can learn, each year's luck with individual deals, is not "
       "counted.</figcaption>\n"
       "</figure>\n";
  s += "<table class=\"voi\">\n<thead><tr><th>Input</th><th class=\"num\">Worth knowing first</th>"
       "<th class=\"num\">\u00b1 (standard error)</th><th class=\"num\">Fit "
       "R\u00b2</th></tr></thead>\n<tbody>\n";
  for (const ParameterVoi& p : v.parameters)
    s += fmt::format(
        "<tr><td>{}<br><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td></tr>\n",
        esc(voi_plain_name(model, p.path)), esc(p.path), money(model, p.evppi.value),
        money(model, p.evppi.se), fit_text(p.evppi));
  for (const GroupVoi& g : v.groups) {
    std::string paths;
    for (const std::string& p : g.paths)
      paths += (paths.empty() ? "" : ", ") + ("<code>" + esc(p) + "</code>");
    s += fmt::format(
        "<tr class=\"group\"><td>Together: <strong>{}</strong><br>{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        esc(g.name), paths, money(model, g.evppi.value), money(model, g.evppi.se), fit_text(g.evppi));
  }
  s += "</tbody>\n</table>\n<p class=\"small\"><em>Fit R\u00b2</em>: the share of the year-to-year variation "
       "in an "
       "option's net that the input explains, for the option it matters most to. A low value is normal when "
       "deal-by-deal "
       "luck dominates; the standard error counts it.</p>\n";

  for (std::size_t i = 0; i < v.evsi.size(); ++i) {
    const EvsiCurve& c = v.evsi[i];
    if (c.points.empty()) continue;
    detail::SweepSeries worth{"worth of the study (EVSI)", {}, {}, {}, {}};
    detail::SweepSeries second{
        v.cost_per_deal > 0.0 ? "net of its cost" : "knowing it exactly (EVPPI)", {}, {}, {}, {}};
    for (const EvsiPoint& p : c.points) {
      const double n = static_cast<double>(p.n);
      worth.x.push_back(n);
      worth.mean.push_back(p.evsi);
      worth.p05.push_back(p.evsi);
      worth.p95.push_back(p.evsi);
      const double y = v.cost_per_deal > 0.0 ? p.enbs : c.evppi;
      second.x.push_back(n);
      second.mean.push_back(y);
      second.p05.push_back(y);
      second.p95.push_back(y);
    }
    const EvsiPoint& best = c.points[c.best];
    s += "<figure>\n";
    s += detail::sweep_line_svg(
        {worth, second}, [](double n) { return format_count(n); }, static_cast<double>(best.n),
        fmt::format("best: {} deals", format_count(static_cast<double>(best.n))), model.currency,
        {fmt::format("voi-evsi-{}", i + 1),
         "What a study of deals would be worth: " + voi_plain_name(model, c.path),
         "Line chart: the expected value of sample information against the number of deals studied.",
         "deals studied", "net dollars a year"},
        "");
    s += fmt::format(
        "<figcaption>Studying n deals shows in how many of them it happened (for a close rate: how many were "
        "won), "
        "which narrows {} (<code>{}</code>). The study is "
        "worth what the better-informed choice gains on average; at {} a deal, the best size listed is {} "
        "deals "
        "(worth {}, {} after its cost). Knowing it exactly would be worth {}.</figcaption>\n</figure>\n",
        esc(voi_plain_name(model, c.path)), esc(c.path), money(model, v.cost_per_deal),
        esc(format_count(static_cast<double>(best.n))), money(model, best.evsi), money(model, best.enbs),
        money(model, c.evppi));
  }
  return s + "</section>\n";
}

std::string voi_report_html(const Model& model, const VoiResult& v, const RunInfo& info,
                            const std::string& study_sha256, std::string_view generated_utc) {
  const std::string name = model.name.empty() ? std::string("Study") : model.name;
  std::string h = detail::page_open("Is it worth finding out first? \u2014 " + name);
  h += fmt::format(
      "<header>\n<h1>Is it worth finding out first?</h1>\n<p class=\"study\">{}</p>\n"
      "<p class=\"meta\">{} simulated years \u00b7 {} options compared over the same years \u00b7 {} reps "
      "\u00b7 {}</p>\n</header>\n",
      esc(name), esc(format_count(static_cast<double>(v.trials))), v.option_ids.size(), model.reps,
      esc(model.currency));
  h += "<section id=\"options\">\n<h2>The options, decided today</h2>\n<table class=\"options\">\n<thead><tr>"
       "<th>Option</th><th class=\"num\">Net a year (average)</th></tr></thead>\n<tbody>\n";
  for (std::size_t d = 0; d < v.option_ids.size(); ++d)
    h += fmt::format("<tr><td>{}{}</td><td class=\"num\">{}</td></tr>\n", esc(v.option_names[d]),
                     d == v.best_option ? " <strong>(best today)</strong>" : "",
                     money(model, v.option_mean[d]));
  h += "</tbody>\n</table>\n</section>\n";
  h += voi_section_html(model, v);
  h += "<footer id=\"provenance\">\n";
  h += detail::provenance_section(model, info, study_sha256, v.trials, generated_utc,
                                  {{"Value of information",
                                    "regression of each option's paired net a year on the "
                                    "uncertain inputs (nonparametric, spline basis)"}});
  h += detail::inputs_section(model);
  h += "</footer>\n";
  h += detail::page_close();
  return h;
}

}  // namespace mistakesim
