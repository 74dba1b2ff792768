// The HTML reports of the what-if commands (see html_report.hpp): `sweep` (what the yearly cost of
// mistakes does when one or two year-level inputs are set to each of several values) and
// `sensitivity` (which uncertain inputs the answer depends on most). Same page frame, CSS,
// escaping and provenance as the run report; the charts are svg.hpp's.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/whatif_report.hpp>
#include <numeric>

#include "report/html_common.hpp"
#include "report/svg.hpp"

namespace mistakesim {
namespace {

using detail::card;
using detail::money;

std::string esc(std::string_view s) { return html_escape(s); }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

//! "close rate (<code>pipeline.close_rate</code>)", escaped.
std::string named_input(const Model& model, const std::string& path) {
  const std::string plain = input_plain_name(model, path);
  if (plain == path) return "<code>" + esc(path) + "</code>";
  return esc(plain) + " (<code>" + esc(path) + "</code>)";
}

//! An input value in words, escaped.
std::string input_value(const Model& model, InputId input, double value) {
  return esc(format_input_value(model, input, value));
}

//! A cut point of an input (its P10 or P90) for reading, not for reproducing: shares to one decimal
//! ("29.7%"), anything else as format_input_value. Not escaped.
std::string format_input_value_rounded(const Model& model, InputId input, double value) {
  const YearInput& in = model.inputs.at(input);
  if (in.lower == 0.0 && in.upper == 1.0) {
    std::string s = fmt::format("{:.1f}", 100.0 * value);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s + "%";
  }
  return format_input_value(model, input, value);
}
std::string rounded_input_value(const Model& model, InputId input, double value) {
  return esc(format_input_value_rounded(model, input, value));
}

//! "+$306,521" / "-$12,000".
std::string signed_money(const Model& model, double amount) {
  return (amount >= 0.0 ? "+" : "\u2212") + money(model, std::abs(amount));
}

//! Half the width of a mean's 95% interval.
double margin95(const Summary& s) { return 0.5 * (s.mean_ci95_hi - s.mean_ci95_lo); }

std::string page_header(const Model& model, std::string_view heading, std::uint64_t trials) {
  const std::string name = model.name.empty() ? std::string("Study") : model.name;
  return fmt::format(
      "<header>\n<h1>{}</h1>\n<p class=\"study\">{}</p>\n"
      "<p class=\"meta\">{} simulated years \u00b7 {} reps \u00b7 deals valued at {} \u00b7 {}</p>\n"
      "</header>\n",
      esc(heading), esc(name), esc(format_count(static_cast<double>(trials))), model.reps,
      model.value == ValueBasis::margin ? "gross margin" : "revenue", esc(model.currency));
}

// ---------------------------------------------------------------------------------------------
// Sweep

//! What the study itself says about a swept input: its value, or its distribution and mean.
std::string study_says(const Model& model, InputId input) {
  const Distribution& d = model.inputs.at(input).dist;
  if (d.is_constant()) return input_value(model, input, d.mean());
  return fmt::format("{} (mean {})", esc(d.describe()), input_value(model, input, d.mean()));
}

std::string sweep_headline(const Model& model, const Sweep& sweep) {
  const SweepPoint& first = sweep.points.front();
  const SweepPoint& last = sweep.points.back();
  const auto at = [&](const SweepPoint& p) {
    std::string s = input_value(model, sweep.axis.input, p.value);
    if (sweep.axis2 && p.value2) s += ", " + input_value(model, sweep.axis2->input, *p.value2);
    return s;
  };
  const auto [cheapest, costliest] = std::minmax_element(
      sweep.points.begin(), sweep.points.end(),
      [](const SweepPoint& a, const SweepPoint& b) { return a.total.mean < b.total.mean; });
  const Summary& change = last.change_from_first;
  const double change_margin = margin95(change);

  std::string h = "<section id=\"headline\">\n<h2>The answer in one minute</h2>\n<div class=\"cards\">\n";
  std::string varied = fmt::format("{} values from {} to {}", sweep.axis.values.size(),
                                   input_value(model, sweep.axis.input, sweep.axis.values.front()),
                                   input_value(model, sweep.axis.input, sweep.axis.values.back()));
  if (sweep.axis2)
    varied += fmt::format(" \u00d7 {} values of {}", sweep.axis2->values.size(),
                          esc(input_plain_name(model, sweep.axis2->path)));
  h += card("What was varied",
            "<span class=\"words\">" + esc(input_plain_name(model, sweep.axis.path)) + "</span>", varied);
  h += card("Expected yearly cost of mistakes at " + at(first), money(model, first.total.mean),
            fmt::format("\u00b1{} (95% confidence)", money(model, margin95(first.total))), true);
  h += card("Expected yearly cost of mistakes at " + at(last), money(model, last.total.mean),
            fmt::format("\u00b1{} (95% confidence)", money(model, margin95(last.total))), true);
  h += card("Change from first to last", signed_money(model, change.mean),
            fmt::format("\u00b1{} (95%, same simulated years)", money(model, change_margin)));
  if (last.net_change_from_first)
    h += card("Net change (mistakes + intervention cost)",
              signed_money(model, last.net_change_from_first->mean),
              fmt::format("from {} to {} a year, \u00b1{} (95%)", money(model, first.net->mean),
                          money(model, last.net->mean), money(model, margin95(*last.net_change_from_first))));
  h += "</div>\n";

  h += "<p class=\"plain\">";
  if (sweep.axis2) {
    h += fmt::format(
        "We set {} to each of {} and {} to each of {}, everything else as the study says, and played "
        "the same {} simulated years at each of the {} combinations. ",
        named_input(model, sweep.axis.path), esc(fmt::format("{} values", sweep.axis.values.size())),
        named_input(model, sweep.axis2->path), esc(fmt::format("{} values", sweep.axis2->values.size())),
        esc(format_count(static_cast<double>(sweep.trials))), sweep.points.size());
  } else {
    h += fmt::format(
        "We set {} to each of {} values from {} to {}, everything else as the study says, and played "
        "the same {} simulated years at each value. ",
        named_input(model, sweep.axis.path), sweep.axis.values.size(),
        input_value(model, sweep.axis.input, sweep.axis.values.front()),
        input_value(model, sweep.axis.input, sweep.axis.values.back()),
        esc(format_count(static_cast<double>(sweep.trials))));
  }
  h += fmt::format(
      "The expected yearly cost of mistakes goes from <strong>{}</strong> at {} to <strong>{}</strong> at "
      "{}: a change of <strong>{}</strong>, known to within \u00b1{} (95% confidence).",
      money(model, first.total.mean), at(first), money(model, last.total.mean), at(last),
      signed_money(model, change.mean), money(model, change_margin));
  if (&*cheapest != &first && &*cheapest != &last)
    h += fmt::format(" The cheapest point is {} ({}).", at(*cheapest), money(model, cheapest->total.mean));
  if (&*costliest != &first && &*costliest != &last)
    h += fmt::format(" The costliest point is {} ({}).", at(*costliest), money(model, costliest->total.mean));
  h += "</p>\n";
  h += fmt::format(
      "<p class=\"small\">Every point plays the same simulated years with the same random numbers, so the "
      "change "
      "between two points is the parameter's effect, not chance: it is measured year by year and is known to "
      "\u00b1{}, while each point's own average is only known to about \u00b1{}. The study itself says "
      "<code>{}</code> = "
      "{}{}.</p>\n",
      money(model, change_margin), money(model, margin95(last.total)), esc(sweep.axis.path),
      study_says(model, sweep.axis.input),
      sweep.axis2 ? fmt::format(" and <code>{}</code> = {}", esc(sweep.axis2->path),
                                study_says(model, sweep.axis2->input))
                  : std::string());
  h += "</section>\n";
  return h;
}

//! One series per value of the second parameter (or a single one), points in ascending value.
std::vector<detail::SweepSeries> sweep_series(const Model& model, const Sweep& sweep) {
  std::vector<detail::SweepSeries> series;
  const std::size_t n2 = sweep.axis2 ? sweep.axis2->values.size() : 1;
  const std::size_t n1 = sweep.axis.values.size();
  for (std::size_t j = 0; j < n2; ++j) {
    detail::SweepSeries sr;
    if (sweep.axis2) sr.label = format_input_value(model, sweep.axis2->input, sweep.axis2->values[j]);
    std::vector<std::size_t> order(n1);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return sweep.axis.values[a] < sweep.axis.values[b];
    });
    for (std::size_t i : order) {
      const SweepPoint& p = sweep.points.at(i * n2 + j);  // row-major, the first parameter outermost
      sr.x.push_back(p.value);
      sr.mean.push_back(p.total.mean);
      sr.p05.push_back(p.total.p05);
      sr.p95.push_back(p.total.p95);
    }
    series.push_back(std::move(sr));
  }
  return series;
}

std::string sweep_figures(const Model& model, const Sweep& sweep) {
  const YearInput& in = model.inputs.at(sweep.axis.input);
  const double study_value = in.dist.mean();
  const std::string study_label = (in.dist.is_constant() ? "the study: " : "the study's mean: ") +
                                  format_input_value(model, sweep.axis.input, study_value);
  const detail::TickFormat x_format = [&](double v) {
    return format_input_value(model, sweep.axis.input, v);
  };
  const std::string plain = input_plain_name(model, sweep.axis.path);

  std::string f =
      "<section id=\"sweep-chart\">\n<h2>How the yearly cost moves with " + esc(plain) + "</h2>\n<figure>\n";
  f += detail::sweep_line_svg(
      sweep_series(model, sweep), x_format, study_value, study_label, model.currency,
      {"sweep-line", "Yearly cost of mistakes at each value of " + plain,
       "The mean yearly cost of mistakes at each swept value" +
           std::string(sweep.axis2 ? ", one line per value of the second parameter."
                                   : ", with the range of 9 years in 10 (P05 to P95)."),
       sweep.axis.path, "yearly cost of mistakes"},
      sweep.axis2 ? input_plain_name(model, sweep.axis2->path) + ":" : std::string());
  if (sweep.axis2) {
    f += "<figcaption>One line per value of " + named_input(model, sweep.axis2->path) +
         ": the average yearly cost of mistakes at each value of " + esc(plain) +
         ". The red dashed line marks what the study itself says, when it lies in the swept "
         "range.</figcaption>\n";
  } else {
    f += "<figcaption>The line is the average yearly cost at each value; the shaded band holds 9 years in 10 "
         "(from the "
         "good year, P05, to the bad year, P95). The band is the year-to-year spread, not the uncertainty of "
         "the "
         "line: every point is an average over the same simulated years. The red dashed line marks what the "
         "study "
         "itself says, when it lies in the swept range.</figcaption>\n";
  }
  f += "</figure>\n";

  if (sweep.axis2) {
    const std::size_t n1 = sweep.axis.values.size(), n2 = sweep.axis2->values.size();
    std::vector<std::string> columns, rows;
    for (double v : sweep.axis.values) columns.push_back(format_input_value(model, sweep.axis.input, v));
    // Rows top to bottom: the second parameter's last value at the top, as on a plot.
    std::vector<double> values;
    for (std::size_t j = n2; j-- > 0;) {
      rows.push_back(format_input_value(model, sweep.axis2->input, sweep.axis2->values[j]));
      for (std::size_t i = 0; i < n1; ++i) values.push_back(sweep.points.at(i * n2 + j).total.mean);
    }
    f += "<figure>\n";
    f += detail::heat_map_svg(
        columns, rows, values, model.currency,
        {"sweep-heat-map", "Expected yearly cost at each combination",
         "Heat map of the mean yearly cost of mistakes over the grid of the two parameters.", sweep.axis.path,
         sweep.axis2->path});
    f += "<figcaption>Each cell is one combination of " + named_input(model, sweep.axis.path) +
         " (across) and " + named_input(model, sweep.axis2->path) +
         " (up), coloured by the average yearly cost of mistakes: darker is "
         "costlier.</figcaption>\n</figure>\n";
  }
  return f + "</section>\n";
}

//! The header cells naming the swept parameter(s), the first columns of a sweep's tables.
std::string axis_headers(const Model& model, const Sweep& sweep) {
  std::string t = "<th class=\"num\">" + esc(input_plain_name(model, sweep.axis.path)) + "</th>";
  if (sweep.axis2) t += "<th class=\"num\">" + esc(input_plain_name(model, sweep.axis2->path)) + "</th>";
  return t;
}

//! A point's value(s) of the swept parameter(s), the first cells of its row.
std::string axis_cells(const Model& model, const Sweep& sweep, const SweepPoint& p) {
  std::string t = "<td class=\"num\">" + input_value(model, sweep.axis.input, p.value) + "</td>";
  if (sweep.axis2 && p.value2)
    t += "<td class=\"num\">" + input_value(model, sweep.axis2->input, *p.value2) + "</td>";
  return t;
}

//! A paired change from the first point: its mean, signed, and its 95% margin.
std::string change_text(const Model& model, const Summary& change) {
  return fmt::format("{} <span class=\"small\">\u00b1{}</span>", signed_money(model, change.mean),
                     money(model, margin95(change)));
}

std::string sweep_table(const Model& model, const Sweep& sweep) {
  std::string t = "<section id=\"points\">\n<h2>Every point</h2>\n<table class=\"points\">\n<thead><tr>";
  t += axis_headers(model, sweep);
  t += "<th class=\"num\">Average year</th><th class=\"num\">Change from row 1</th><th class=\"num\">Good "
       "year (P05)</th>"
       "<th class=\"num\">Typical year (median)</th><th class=\"num\">Bad year (P95)</th><th "
       "class=\"num\">Known</th>"
       "<th class=\"num\">Wins a year</th><th class=\"num\">Should have won</th></tr></thead>\n<tbody>\n";
  for (const SweepPoint& p : sweep.points) {
    t += "<tr>" + axis_cells(model, sweep, p);
    const std::string change =
        &p == &sweep.points.front() ? std::string("\u2013") : change_text(model, p.change_from_first);
    t += fmt::format(
        "<td class=\"num\"><strong>{}</strong> <span class=\"small\">\u00b1{}</span></td><td "
        "class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        money(model, p.total.mean), money(model, margin95(p.total)), change, money(model, p.total.p05),
        money(model, p.total.p50), money(model, p.total.p95),
        esc(format_percent(p.total.mean != 0.0 ? p.known.mean / p.total.mean : NAN)),
        esc(format_count(p.pipeline.wins)), esc(format_count(p.pipeline.should_have_bought)));
  }
  t += "</tbody>\n</table>\n<p class=\"small\"><em>Average year</em>: the mean yearly cost of mistakes, "
       "\u00b1 its 95% "
       "margin. <em>Change from row 1</em>: this row's cost minus row 1's, year by year over the same "
       "simulated years, "
       "with its 95% margin (much narrower than the difference of the two averages' margins suggests). "
       "<em>Good "
       "year</em>: 1 year in 20 costs less; <em>bad year</em>: 1 in 20 costs more. <em>Known</em>: share of "
       "the cost "
       "in mistakes the team notices. <em>Should have won</em>: deals a year that would have closed had "
       "everything "
       "been done right, lost outright to a mistake.</p>\n</section>\n";
  return t;
}

//! With interventions applied at every point: the cost of mistakes, the interventions' cost and the net.
std::string sweep_net_table(const Model& model, const Sweep& sweep) {
  if (sweep.interventions.empty()) return {};
  const std::string names = applied_names(model, sweep);
  std::string t = "<section id=\"net\">\n<h2>Net cost with " + esc(names) +
                  "</h2>\n<table class=\"points\">\n<thead><tr>";
  t += axis_headers(model, sweep);
  t += "<th class=\"num\">Cost of mistakes</th><th class=\"num\">Intervention cost</th><th "
       "class=\"num\">Net cost</th><th class=\"num\">Change from row 1</th><th class=\"num\">Bad year "
       "(P95, net)</th></tr></thead>\n<tbody>\n";
  for (const SweepPoint& p : sweep.points) {
    t += "<tr>" + axis_cells(model, sweep, p);
    const std::string change =
        &p == &sweep.points.front() ? std::string("\u2013") : change_text(model, *p.net_change_from_first);
    t += fmt::format(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\"><strong>{}</strong> <span "
        "class=\"small\">\u00b1{}</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        money(model, p.total.mean), money(model, p.intervention_cost->mean), money(model, p.net->mean),
        money(model, margin95(*p.net)), change, money(model, p.net->p95));
  }
  t += "</tbody>\n</table>\n<p class=\"small\">Every point runs with " + esc(names) +
       " applied. <em>Net cost</em>: the yearly cost of mistakes plus what the interventions cost that "
       "year (fees, per-rep costs, selling hours at the team's hourly cost), \u00b1 its 95% margin; the "
       "lowest is the best value. <em>Change from row 1</em>: this row's net cost minus row 1's, year by "
       "year over the same simulated years.</p>\n</section>\n";
  return t;
}

// ---------------------------------------------------------------------------------------------
// Sensitivity

std::string sensitivity_headline(const Model& model, const Sensitivity& s,
                                 const std::vector<const InputInfluence*>& by_swing) {
  const Summary& cost = s.cost;
  std::string h = "<section id=\"headline\">\n<h2>The answer in one minute</h2>\n<div class=\"cards\">\n";
  h += card("Expected yearly cost of mistakes", money(model, cost.mean),
            fmt::format("9 years in 10 between {} and {} (P05\u2013P95)", money(model, cost.p05),
                        money(model, cost.p95)),
            true);
  if (by_swing.empty()) {
    h += "</div>\n<p class=\"plain\">The study has no uncertain year-level inputs: every rate is a fixed "
         "number, so "
         "there is no guess to narrow. The year-to-year variation is all deal-by-deal "
         "chance.</p>\n</section>\n";
    return h;
  }
  const InputInfluence& top = *by_swing.front();
  h += card("The guess that matters most",
            "<span class=\"words\">" + esc(input_plain_name(model, top.param)) + "</span>",
            "<code>" + esc(top.param) + "</code>");
  h += card("Its swing of the yearly cost", money(model, std::abs(top.swing_p10_p90)),
            "between years with it in its lowest and its highest 10%");
  h += card("Explained by the guesses (R\u00b2)",
            std::isfinite(s.r2) ? esc(format_percent(s.r2)) : std::string("n/a"),
            "of the year-to-year variation; the rest is deal-by-deal chance");
  h += "</div>\n";

  const auto side = [&](const InputInfluence& in, bool high) {
    return high ? fmt::format("at least {}", rounded_input_value(model, in.input, in.p90))
                : fmt::format("at most {}", rounded_input_value(model, in.input, in.p10));
  };
  h += fmt::format(
      "<p class=\"plain\">Narrowing the range of <strong>{}</strong> would narrow the answer most. The study "
      "puts it "
      "at {}. In the years when it is {}, mistakes cost <strong>{}</strong> on average; in the years when it "
      "is {}, "
      "<strong>{}</strong>. That swing of {} is the largest of all the uncertain inputs.",
      named_input(model, top.param), esc(model.inputs.at(top.input).dist.describe()), side(top, false),
      money(model, top.cost_low), side(top, true), money(model, top.cost_high),
      money(model, std::abs(top.swing_p10_p90)));
  if (by_swing.size() > 1) {
    h += " Next come ";
    const std::size_t next = std::min<std::size_t>(by_swing.size(), 3);
    for (std::size_t i = 1; i < next; ++i) {
      h += fmt::format("{}<strong>{}</strong> ({})", i == 1 ? "" : " and ",
                       esc(input_plain_name(model, by_swing[i]->param)),
                       money(model, std::abs(by_swing[i]->swing_p10_p90)));
    }
    h += ".";
  }
  // Inputs whose swing is under a third of the largest: named as a group, as the ones not worth chasing.
  const std::size_t minor =
      static_cast<std::size_t>(std::count_if(by_swing.begin(), by_swing.end(), [&](const InputInfluence* in) {
        return std::abs(in->swing_p10_p90) < std::abs(top.swing_p10_p90) / 3.0;
      }));
  if (minor > 0)
    h += fmt::format(
        " {} swing{} the cost by less than a third of that: better estimates of {} would change the "
        "answer little.",
        minor == 1 ? std::string("One input") : fmt::format("{} inputs", minor), minor == 1 ? "s" : "",
        minor == 1 ? "it" : "them");
  h += "</p>\n";
  if (std::isfinite(s.r2))
    h += fmt::format(
        "<p class=\"small\">Together the uncertain inputs explain {} of how much the yearly cost varies from "
        "year to "
        "year (R\u00b2 of a linear model of them). The rest is deal-by-deal chance \u2014 deal sizes, which "
        "deals "
        "meet which mistake \u2014 that no better estimate removes.</p>\n",
        esc(format_percent(s.r2)));
  h += "</section>\n";
  return h;
}

std::string sensitivity_body(const Model& model, const Sensitivity& s,
                             const std::vector<const InputInfluence*>& by_swing) {
  std::vector<detail::TornadoRow> rows;
  for (const InputInfluence* in : by_swing)
    rows.push_back({input_plain_name(model, in->param), in->param, in->cost_low, in->cost_high,
                    "\u2264 " + format_input_value_rounded(model, in->input, in->p10),
                    "\u2265 " + format_input_value_rounded(model, in->input, in->p90)});
  std::string b = "<section id=\"tornado\">\n<h2>Which guesses move the answer</h2>\n<figure>\n";
  b += detail::tornado_svg(
      rows, s.cost_mean, model.currency,
      {"sensitivity-tornado", "How much each uncertain input swings the yearly cost",
       "Tornado chart: for each uncertain input, the average yearly cost of mistakes in the years "
       "with the input in its lowest 10% and in its highest 10%, largest swing first.",
       "average yearly cost of mistakes", ""});
  b += "<figcaption>Each bar runs from the average yearly cost in the years when the input was in its lowest "
       "10% "
       "(\u2264 its P10, written at that end) to the average in the years when it was in its highest 10% "
       "(\u2265 its "
       "P90). Longest bar first: the input whose range matters most. Red: a higher value means a higher "
       "cost; blue: a "
       "lower cost. The other inputs vary as in the study, so inputs that move together share the "
       "credit.</figcaption>\n</figure>\n";

  b += "<table class=\"sensitivity\">\n<thead><tr><th>#</th><th>Input</th><th>The study says</th>"
       "<th class=\"num\">Low years (\u2264 P10)</th><th class=\"num\">High years (\u2265 P90)</th>"
       "<th class=\"num\">Swing</th><th class=\"num\">Rank corr.</th><th class=\"num\">SRC</th>"
       "<th class=\"num\">Bad years</th></tr></thead>\n<tbody>\n";
  std::size_t rank = 0;
  const auto signed2 = [](double v) {
    return std::isfinite(v) ? fmt::format("{}{:.2f}", v < 0 ? "\u2212" : "+", std::abs(v))
                            : std::string("\u2013");
  };
  for (const InputInfluence& in : s.inputs) {
    const std::string plain = input_plain_name(model, in.param);
    b += fmt::format(
        "<tr><td class=\"num\">{}</td><td>{}<br><code>{}</code></td><td>{}</td>"
        "<td class=\"num\">{}<br><span class=\"small\">{}</span></td><td class=\"num\">{}<br><span "
        "class=\"small\">{}</span></td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td></tr>\n",
        ++rank, esc(plain), esc(in.param), esc(model.inputs.at(in.input).dist.describe()),
        money(model, in.cost_low), "\u2264 " + rounded_input_value(model, in.input, in.p10),
        money(model, in.cost_high), "\u2265 " + rounded_input_value(model, in.input, in.p90),
        signed_money(model, in.swing_p10_p90), signed2(in.spearman), signed2(in.src),
        std::isfinite(in.tail_shift) ? signed2(in.tail_shift) + " sd" : std::string("\u2013"));
  }
  b += "</tbody>\n</table>\n";
  b += fmt::format(
      "<p class=\"small\">Ranked by <em>rank corr.</em>: Spearman's rank correlation of the input with the "
      "yearly cost "
      "(+1: the higher the input, the costlier the year, always). <em>Swing</em>: average cost in the high "
      "years minus "
      "the low years. <em>SRC</em>: standardised regression coefficient, how many standard deviations the "
      "yearly cost "
      "moves per standard deviation of the input with the other inputs held fixed; the linear model of all "
      "inputs "
      "explains R\u00b2 = {} of the year-to-year variation. <em>Bad years</em>: how far from its mean the "
      "input sits in "
      "the worst 10% of years, in standard deviations.</p>\n</section>\n",
      std::isfinite(s.r2) ? esc(fmt::format("{:.2f}", s.r2)) : std::string("n/a"));
  return b;
}

}  // namespace

std::string input_plain_name(const Model& model, const std::string& path) {
  static const std::pair<const char*, const char*> kStudyLevel[] = {
      {"team.hourly_cost", "hourly cost of the team"},
      {"pipeline.good_fit", "share of prospects who are a good fit"},
      {"pipeline.close_rate", "close rate"},
      {"pipeline.margin", "gross margin"},
      {"pipeline.pilot_rate", "share of deals with a pilot"},
      {"pipeline.repeat_customer", "share of deals with existing customers"}};
  for (const auto& [p, words] : kStudyLevel)
    if (path == p) return words;
  for (const Mistake& m : model.mistakes) {
    const std::string prefix = "mistake." + m.id + ".";
    if (path.rfind(prefix, 0) != 0) continue;
    const std::string field = path.substr(prefix.size());
    const std::string name = "\u201c" + m.name + "\u201d";
    if (field == "probability") return "how often " + name + " happens";
    if (field == "noticed") return "chance " + name + " is noticed";
    if (field == "lose") return "chance " + name + " loses the deal";
    if (field == "churn") return "chance " + name + " loses a repeat customer";
    if (field == "recovery.hourly_cost") return "hourly cost of recovering from " + name;
  }
  for (const Intervention& iv : model.interventions) {
    const std::string prefix = "intervention." + iv.id + ".";
    if (path.rfind(prefix, 0) != 0) continue;
    const std::string field = path.substr(prefix.size());
    const std::string name = "\u201c" + iv.name + "\u201d";
    if (field == "cost") return "one-off cost of " + name;
    if (field == "cost_per_rep") return "cost per rep of " + name;
    if (field == "hours_per_rep") return "selling hours per rep of " + name;
    return "effect of " + name + " on " + field;
  }
  if (ends_with(path, ":scale")) return "the scale of every draw of " + path.substr(0, path.size() - 6) + "";
  if (ends_with(path, "hourly_cost")) return "hourly cost";
  return path;
}

std::string sweep_report_html(const Model& model, const Sweep& sweep, const RunInfo& info,
                              const std::string& study_sha256, std::string_view generated_utc) {
  SIM_CHECK(!sweep.points.empty(), << "a sweep with no points");
  const std::string name = model.name.empty() ? std::string("Study") : model.name;
  const std::string varied = input_plain_name(model, sweep.axis.path) +
                             (sweep.axis2 ? " and " + input_plain_name(model, sweep.axis2->path) : "");
  std::string h = detail::page_open("What if \u2014 " + varied + " \u2014 " + name);
  h += page_header(model, "What if " + varied + " were different?", sweep.trials);
  h += sweep_headline(model, sweep);
  h += sweep_figures(model, sweep);
  h += sweep_table(model, sweep);
  h += sweep_net_table(model, sweep);
  std::vector<std::pair<std::string, std::string>> extra;
  const auto values_of = [&](const SweepAxis& axis) {
    std::string v;
    for (double x : axis.values) v += (v.empty() ? "" : ", ") + format_input_value(model, axis.input, x);
    return "<code>" + esc(axis.path) + "</code> = " + esc(v);
  };
  extra.emplace_back("Swept", values_of(sweep.axis));
  if (sweep.axis2) extra.emplace_back("and", values_of(*sweep.axis2));
  extra.emplace_back("Trials of each point",
                     esc(fmt::format("{} \u2013 {} (the same at every point)", sweep.first_trial,
                                     sweep.first_trial + sweep.trials - 1)));
  h += "<footer id=\"provenance\">\n";
  h += detail::provenance_section(model, info, study_sha256, sweep.trials, generated_utc, extra);
  h += detail::inputs_section(model);
  h += "</footer>\n";
  h += detail::page_close();
  return h;
}

std::string sensitivity_report_html(const Model& model, const Sensitivity& s, const RunInfo& info,
                                    const std::string& study_sha256, std::string_view generated_utc) {
  // The tornado's order: inputs that varied, by |swing| largest first, ties in the table's order.
  std::vector<const InputInfluence*> by_swing;
  for (const InputInfluence& in : s.inputs)
    if (in.sd > 0.0 && std::isfinite(in.cost_low) && std::isfinite(in.cost_high)) by_swing.push_back(&in);
  std::stable_sort(by_swing.begin(), by_swing.end(), [](const InputInfluence* a, const InputInfluence* b) {
    return std::abs(a->swing_p10_p90) > std::abs(b->swing_p10_p90);
  });

  const std::string name = model.name.empty() ? std::string("Study") : model.name;
  std::string h = detail::page_open("Which guesses matter \u2014 " + name);
  h += page_header(model, "Which of our guesses matter most?", s.trials);
  h += sensitivity_headline(model, s, by_swing);
  if (!s.inputs.empty()) h += sensitivity_body(model, s, by_swing);
  h += "<footer id=\"provenance\">\n";
  h += detail::provenance_section(model, info, study_sha256, s.trials, generated_utc,
                                  {{"Uncertain year-level inputs", esc(fmt::format("{}", s.inputs.size()))}});
  h += detail::inputs_section(model);
  h += "</footer>\n";
  h += detail::page_close();
  return h;
}

}  // namespace mistakesim
