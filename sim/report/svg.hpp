#pragma once
// Inline SVG charts for the HTML report. Each function takes numbers already computed by the stats
// layer and returns one <svg> element: a visible title, labelled axes, ticks on "nice" values
// (currency ticks such as "$250K"), and a <title>/<desc> for screen readers and tooltips. Charts
// have a fixed viewBox and width/height attributes; the page's CSS lets them shrink to fit.
//
// Elements carry classes the tests read back: rect.bar (histogram bars, data-count), g.tick.x /
// g.tick.y (a line and a text label), line.marker (data-key = "P50", "P90", ...). Every coordinate
// goes through coord(), which refuses NaN and infinity (a broken invariant, not bad input), so a
// chart never contains "nan".
//
// \test tests/test_html_report.cpp

#include <mistakesim/stats.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mistakesim::detail {

//! A coordinate or length for an SVG attribute, two decimals. Throws InvariantError if not finite.
std::string coord(double v);

//! Compact money for an axis tick: "$0", "$750", "$2.5K", "$250K", "$1.25M", "$3B", "-$50K".
//! Same currency symbols as format_currency ($, €, £, else the code and a space).
std::string currency_tick(double amount, const std::string& currency);

//! Compact money for a value label, three significant digits: "$620K", "$1.24M", "$12.5M", "$80".
std::string currency_label(double amount, const std::string& currency);

//! A share as a tick label: "0%", "2.5%", "40%".
std::string percent_tick(double share);

//! Tick values at multiples of a nice step (1, 2, 2.5 or 5 x 10^k) covering [lo, hi] with about
//! `target` intervals: the first tick <= lo, the last >= hi. A single value {lo} when hi <= lo.
std::vector<double> nice_ticks(double lo, double hi, int target);

//! A label cut to at most max_chars characters (UTF-8 aware), with "…" when cut. Not escaped.
std::string clip_label(std::string_view text, std::size_t max_chars);

//! Texts of a chart. All are escaped by the chart functions.
struct ChartText {
  std::string id;           //!< element id (letters, digits, '-')
  std::string title;        //!< visible title, also the <title>
  std::string description;  //!< <desc>: the chart in one sentence
  std::string x_label;      //!< axis title under the x axis
  std::string y_label;      //!< axis title beside the y axis
};

//! A vertical marker at a value, e.g. {value = p90, key = "P90", label = "1 in 10 years: $2.3M"}.
struct Marker {
  double value = 0.0;
  std::string key;    //!< data-key, short
  std::string label;  //!< shown next to the line
};

//! Histogram of yearly cost: one bar per bin (height proportional to its count; the y axis shows
//! the share of `total` years), currency ticks on x, markers as dashed vertical lines. `note` is a
//! line under the chart (e.g. years beyond the drawn range).
std::string histogram_svg(const Histogram& h, std::uint64_t total, const std::vector<Marker>& markers,
                          const std::string& currency, const ChartText& text, const std::string& note = {});

//! Exceedance curve: P(yearly cost > x) for x from the smallest value to x_max, from ascending
//! values; markers are drawn as points on the curve with their labels.
std::string exceedance_svg(std::span<const double> sorted, double x_max, const std::vector<Marker>& markers,
                           const std::string& currency, const ChartText& text);

//! One horizontal stacked bar: known cost then unknown cost.
struct StackRow {
  std::string label;
  double known = 0.0;
  double unknown = 0.0;
};
std::string known_unknown_svg(const std::vector<StackRow>& rows, const std::string& currency, const ChartText& text);

//! One mistake: its mean yearly cost and its contribution to the average of the worst 5% of years,
//! each with its share of the total.
struct MistakeBar {
  std::string label;
  double mean = 0.0;
  double tail = 0.0;
  double mean_share = 0.0;
  double tail_share = 0.0;
};
std::string mistake_bars_svg(const std::vector<MistakeBar>& rows, const std::string& currency, const ChartText& text);

//! One intervention's savings distribution (box P25-P75, whiskers P05-P95, median line, mean dot)
//! with its yearly cost marked; `note` is written at the right (e.g. "pays off in 73% of years").
struct BoxRow {
  std::string label;
  double p05 = 0.0, p25 = 0.0, p50 = 0.0, p75 = 0.0, p95 = 0.0;
  double mean = 0.0;
  double cost = 0.0;
  std::string note;
};
std::string savings_box_svg(const std::vector<BoxRow>& rows, const std::string& currency, const ChartText& text);

}  // namespace mistakesim::detail
