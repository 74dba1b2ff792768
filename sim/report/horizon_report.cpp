// The capacity and horizon parts of the outputs (horizon_report.hpp; docs/json-schema.md,
// docs/report.md).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/html_report.hpp>
#include <mistakesim/report.hpp>

#include "report/horizon_report.hpp"
#include "report/html_common.hpp"
#include "report/report_detail.hpp"
#include "report/svg_kit.hpp"

namespace mistakesim::detail {

using Json = nlohmann::ordered_json;

Json capacity_json(const Model& model, const CapacitySummary& c) {
  Json j;
  j["hours_lost_mean"] = json_number(c.hours_lost_mean);
  j["share_of_selling_time"] = json_number(c.share_of_selling_time);
  j["extra_opportunities_mean"] = json_number(c.extra_opportunities_mean);
  j["extra_wins_mean"] = json_number(c.extra_wins_mean);
  j["opportunity_value_mean"] = json_number(c.opportunity_value_mean);
  j["time_value"] = model.time_value == TimeValue::opportunity ? "opportunity" : "wage";
  j["selling_hours_mean"] = json_number(c.selling_hours_mean);
  j["hours_lost"] = summary_json(c.hours_lost);
  Json by = Json::array();
  for (std::size_t m = 0; m < model.mistakes.size(); ++m)
    by.push_back({{"id", model.mistakes[m].id}, {"hours_lost_mean", json_number(c.mistake_hours_mean[m])}});
  j["by_mistake"] = std::move(by);
  return j;
}

Json horizon_json(const HorizonSummary& h) {
  Json j;
  j["years"] = h.years;
  j["discount_rate"] = json_number(h.discount_rate);
  Json by = Json::array();
  for (std::size_t y = 0; y < h.by_year.size(); ++y) {
    Json row;
    row["year"] = y + 1;
    row["cost"] = summary_json(h.by_year[y]);
    row["known_mean"] = json_number(h.by_year_known[y].mean);
    row["unknown_mean"] = json_number(h.by_year_unknown[y].mean);
    row["cumulative"] = summary_json(h.cumulative_by_year[y]);
    by.push_back(std::move(row));
  }
  j["by_year"] = std::move(by);
  j["cumulative"] = summary_json(h.cumulative);
  return j;
}

Json pay_off_json(const PayOffSummary& p) {
  Json j;
  j["year"] = p.year == 0 ? Json(nullptr) : Json(p.year);
  j["probability"] = json_number(p.probability);
  Json by = Json::array();
  for (double share : p.paid_off_by_year) by.push_back(json_number(share));
  j["paid_off_by_year"] = std::move(by);
  return j;
}

void add_horizon_json(Json& j, const Model& model, const TrialResults& results) {
  if (const auto c = summarize_capacity(model, results)) j["capacity"] = capacity_json(model, *c);
  if (const auto h = summarize_horizon(model, results)) j["horizon"] = horizon_json(*h);
}

std::string horizon_note(const Model& model) {
  if (model.years <= 1) return {};
  return fmt::format(
      "Each simulated year is a horizon of {} years{}: the figures below are for the whole horizon\n"
      "(the pipeline's and the costs summed over its years) unless a table says year by year.\n",
      model.years,
      model.discount_rate > 0 ? fmt::format(", discounted at {} a year", format_percent(model.discount_rate))
                              : "");
}

std::string horizon_terminal(const Model& model, const TrialResults& results) {
  const auto money = [&](double x) { return format_currency(x, model.currency); };
  std::string out;
  const char* period = model.years > 1 ? "over the horizon" : "in a year";
  if (const auto c = summarize_capacity(model, results)) {
    out += fmt::format("\nThe team's time {}\n", period);
    TextTable t({false, true, false});
    t.add(
        {"Hours lost to mistakes", format_hours(c->hours_lost_mean),
         fmt::format("P05 {} to P95 {}", format_hours(c->hours_lost.p05), format_hours(c->hours_lost.p95))});
    if (!std::isnan(c->share_of_selling_time))
      t.add({"Share of the team's selling time", format_percent(c->share_of_selling_time),
             fmt::format("of {}", format_hours(c->selling_hours_mean))});
    t.add({"Extra opportunities those hours would work", format_count(c->extra_opportunities_mean), ""});
    t.add({"Extra wins among them", format_count(c->extra_wins_mean), ""});
    t.add({"What you would have done with that time", money(c->opportunity_value_mean),
           model.time_value == TimeValue::opportunity ? "counted in the cost (time_value = opportunity)"
                                                      : "not in the cost (hours at the hourly cost)"});
    out += t.render("  ");
    TextTable by({false, true});
    for (std::size_t m = 0; m < model.mistakes.size(); ++m)
      if (c->mistake_hours_mean[m] > 0)
        by.add({"  " + truncate(model.mistakes[m].name, 44), format_hours(c->mistake_hours_mean[m])});
    out += by.render("  ");
  }
  if (const auto h = summarize_horizon(model, results)) {
    out += fmt::format("\nCost year by year ({} years{})\n", h->years,
                       h->discount_rate > 0
                           ? fmt::format(", discounted at {} a year", format_percent(h->discount_rate))
                           : std::string());
    TextTable t({false, true, true, true, true});
    t.add({"Year", "Average", "P05", "P95", "Cumulative"});
    for (std::size_t y = 0; y < h->by_year.size(); ++y)
      t.add({std::to_string(y + 1), money(h->by_year[y].mean), money(h->by_year[y].p05),
             money(h->by_year[y].p95), money(h->cumulative_by_year[y].mean)});
    out += t.render("  ");
  }
  return out;
}

std::string pay_off_terminal(const Model& model, const Comparison& c) {
  if (model.years <= 1) return {};
  std::string out =
      fmt::format("\nOver the {}-year horizon (the intervention paid for in year 1):\n", model.years);
  TextTable t({false, true, false});
  t.add({"Intervention", "Pays for itself", "Paid off by year 1, 2, ..."});
  for (const CandidateResult& r : c.candidates) {
    const auto p = pay_off(model, c.baseline, r.results);
    std::string shares;
    for (double share : p->paid_off_by_year) shares += (shares.empty() ? "" : ", ") + format_percent(share);
    t.add({truncate(r.candidate.name, 38),
           p->year == 0 ? fmt::format("not within {} years", model.years)
                        : fmt::format("in year {} ({})", p->year, format_percent(p->probability)),
           shares});
  }
  return out + t.render("") +
         "Pays for itself: the first year by which its savings so far exceed its cost in at least half the\n"
         "simulated horizons, with the share of horizons in which they do.\n";
}

std::string pay_off_html(const Model& model, const Comparison& c) {
  if (model.years <= 1 || c.candidates.empty()) return {};
  std::string s = fmt::format(
      "<section id=\"pay-off\">\n<h2>When does it pay for itself?</h2>\n<p class=\"small\">Over the {}-year "
      "horizon, the intervention paid for in year 1: the share of simulated horizons in which its savings so "
      "far "
      "exceed its cost, year by year.</p>\n<table class=\"mistakes\">\n<thead><tr><th>Intervention</th>"
      "<th>Pays for itself</th>",
      model.years);
  for (std::uint32_t y = 1; y <= model.years; ++y) s += fmt::format("<th class=\"num\">By year {}</th>", y);
  s += "</tr></thead>\n<tbody>\n";
  for (const CandidateResult& r : c.candidates) {
    const auto p = pay_off(model, c.baseline, r.results);
    s += fmt::format("<tr><td>{}</td><td>{}</td>", html_escape(r.candidate.name),
                     p->year == 0 ? fmt::format("not within {} years", model.years)
                                  : fmt::format("in year <strong>{}</strong> ({} of horizons)", p->year,
                                                html_escape(format_percent(p->probability))));
    for (double share : p->paid_off_by_year)
      s += fmt::format("<td class=\"num\">{}</td>", html_escape(format_percent(share)));
    s += "</tr>\n";
  }
  return s + "</tbody>\n</table>\n</section>\n";
}

std::vector<std::string> extra_csv_columns(const Model& model) {
  std::vector<std::string> names;
  const ExtraColumns layout = ExtraColumns::of(model);
  if (layout.capacity)
    names = {"hours_lost", "selling_hours", "extra_opportunities", "extra_wins", "opportunity_value"};
  for (std::uint32_t y = 1; y <= layout.years; ++y)
    for (const char* part : {"cost_total", "cost_known", "cost_unknown"})
      names.push_back(fmt::format("year{}:{}", y, part));
  return names;
}

namespace {

//! One band of the fan chart between two rows of values, as a polygon.
std::string band_polygon(const std::vector<double>& lo, const std::vector<double>& hi, const Scale& x,
                         const Scale& y, const char* key, const char* fill) {
  std::string points;
  for (std::size_t i = 0; i < lo.size(); ++i)
    points += fmt::format("{},{} ", coord(x(double(i + 1))), coord(y(hi[i])));
  for (std::size_t i = lo.size(); i-- > 0;)
    points += fmt::format("{},{} ", coord(x(double(i + 1))), coord(y(lo[i])));
  return fmt::format(
      "<polygon class=\"fan-band\" data-band=\"{}\" points=\"{}\" fill=\"{}\" fill-opacity=\"0.8\"/>\n", key,
      points, fill);
}

//! A fan chart of one row of summaries a year: P05-P95 and P10-P90 bands, the median line and the
//! mean points (circle.year-point, data-year, data-mean).
std::string fan_svg(const std::vector<Summary>& rows, const std::string& currency, const ChartText& text) {
  const double top = 64, bottom = 300, height = 350;
  std::string s = open_svg(text, height);
  double lo = 0, hi = 0;
  for (const Summary& r : rows) {
    lo = std::min({lo, r.p05, r.mean});
    hi = std::max({hi, r.p95, r.mean});
  }
  const auto [y_lo, y_ticks] = money_axis(lo, hi * 1.05, 5);
  const Scale y{y_lo, y_ticks.back(), bottom, top};
  const Scale x{0.6, double(rows.size()) + 0.4, kLeft + 10, kWidth - kRight - 10};
  const TickFormat money_tick = [&currency](double v) { return currency_tick(v, currency); };
  s += y_axis(y, y_ticks, kLeft, kWidth - kRight, text.y_label, money_tick);
  std::vector<double> years;
  for (std::size_t i = 1; i <= rows.size(); ++i) years.push_back(double(i));
  s += x_axis_labelled(
      x, years, top, bottom, [](double v) { return fmt::format("Year {}", int(v)); }, text.x_label);
  std::vector<double> p05, p10, p50, p90, p95;
  for (const Summary& r : rows) {
    p05.push_back(r.p05);
    p10.push_back(r.p10);
    p50.push_back(r.p50);
    p90.push_back(r.p90);
    p95.push_back(r.p95);
  }
  s += band_polygon(p05, p95, x, y, "P05-P95", "#dde7f2");
  s += band_polygon(p10, p90, x, y, "P10-P90", kBandFill);
  std::string median;
  for (std::size_t i = 0; i < rows.size(); ++i)
    median += fmt::format("{},{} ", coord(x(double(i + 1))), coord(y(p50[i])));
  s += fmt::format(
      "<polyline class=\"median-line\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
      "stroke-dasharray=\"4 3\"/>\n",
      median, kMuted);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double px = x(double(i + 1)), py = y(rows[i].mean);
    s += fmt::format(
        "<circle class=\"year-point\" data-year=\"{}\" data-mean=\"{}\" cx=\"{}\" cy=\"{}\" r=\"4\" "
        "fill=\"{}\"/>\n",
        i + 1, rows[i].mean, coord(px), coord(py), kBarFill);
    s += halo_text(px, py - 9, currency_label(rows[i].mean, currency), "middle", 12);
  }
  s += text_at(
      kLeft, bottom + 44,
      "Dots: the average. Dashed line: the median. Bands: 8 horizons in 10 (P10-P90) and 9 in 10 (P05-P95).",
      "start", 12, kMuted);
  return s + "</svg>\n";
}

}  // namespace

std::string fan_chart_svg(const HorizonSummary& h, const std::string& currency, const std::string& id) {
  std::string s = fan_svg(
      h.by_year, currency,
      {id + "-by-year", "Cost of mistakes year by year",
       "For each year of the horizon, the average cost of mistakes and the ranges of 8 and 9 "
       "horizons in 10.",
       "year of the horizon", h.discount_rate > 0 ? "cost in the year (discounted)" : "cost in the year"});
  s += fan_svg(
      h.cumulative_by_year, currency,
      {id + "-cumulative", "Cumulative cost of mistakes",
       "The cost of mistakes from the first year to each year of the horizon, with the ranges of 8 and 9 "
       "horizons in 10.",
       "year of the horizon", "cost so far"});
  return s;
}

std::string horizon_html(const Model& model, const TrialResults& results) {
  std::string s;
  const auto c = summarize_capacity(model, results);
  const auto h = summarize_horizon(model, results);
  if (!c && !h) return s;
  const auto esc = [](std::string_view t) { return html_escape(t); };
  if (c) {
    s += "<section id=\"capacity\">\n<h2>What would you have done with that time?</h2>\n<table "
         "class=\"questions\">\n<tbody>\n";
    const auto row = [&s](std::string_view q, const std::string& a) {
      s += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", q, a);
    };
    row("Hours lost to mistakes", fmt::format("<strong>{}</strong>", esc(format_hours(c->hours_lost_mean))));
    if (!std::isnan(c->share_of_selling_time))
      row("Share of the team's selling time",
          fmt::format("<strong>{}</strong> of {}", esc(format_percent(c->share_of_selling_time)),
                      esc(format_hours(c->selling_hours_mean))));
    row("Extra opportunities those hours would work", esc(format_count(c->extra_opportunities_mean)));
    row("Extra wins among them", esc(format_count(c->extra_wins_mean)));
    row("The value of those wins",
        fmt::format("<strong>{}</strong>{}", money(model, c->opportunity_value_mean),
                    model.time_value == TimeValue::opportunity
                        ? " (the cost above values every lost hour at this)"
                        : " (not in the cost: hours are charged at the hourly cost)"));
    s += "</tbody>\n</table>\n</section>\n";
  }
  if (h) {
    s += fmt::format("<section id=\"horizon\">\n<h2>Year by year over {} years</h2>\n<figure>\n", h->years);
    s += fan_chart_svg(*h, model.currency, "run-horizon");
    s += fmt::format(
        "<figcaption>The cost of mistakes in each year of the horizon{} and summed from the first "
        "year.</figcaption>\n</figure>\n</section>\n",
        h->discount_rate > 0 ? fmt::format(", discounted at {} a year", esc(format_percent(h->discount_rate)))
                             : std::string());
  }
  return s;
}

}  // namespace mistakesim::detail
