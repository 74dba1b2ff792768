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

#include <cstdint>
#include <functional>
#include <mistakesim/stats.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mistakesim::detail {

//! Writes an axis tick's label from its value, e.g. "40%" or "$85/h".
using TickFormat = std::function<std::string(double)>;

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

//! One option's yearly costs for exceedance_overlay_svg: a legend label and its values ascending.
struct CurveSeries {
  std::string label;
  std::span<const double> sorted;
};
//! Exceedance curves of several options on one chart: the first (the baseline) solid, the others
//! dashed in other colours (polyline.curve with data-series = index), with each curve's point at
//! the bad-year percentile `bad_year` (e.g. 0.95) marked (circle.bad-year) and a legend.
std::string exceedance_overlay_svg(const std::vector<CurveSeries>& series, double x_max, double bad_year,
                                   const std::string& currency, const ChartText& text);

//! One bar of a waterfall: a total (drawn from 0) or a step (drawn from the running total down by
//! `value`).
struct WaterfallBar {
  std::string label;
  double value = 0.0;
  bool total = false;
};
//! A horizontal waterfall: each row a bar (rect.total or rect.step, data-value), the running total
//! walked down from the first total to the last.
std::string waterfall_svg(const std::vector<WaterfallBar>& bars, const std::string& currency,
                          const ChartText& text);

//! One horizontal stacked bar: known cost then unknown cost.
struct StackRow {
  std::string label;
  double known = 0.0;
  double unknown = 0.0;
};
std::string known_unknown_svg(const std::vector<StackRow>& rows, const std::string& currency,
                              const ChartText& text);

//! One mistake: its mean yearly cost and its contribution to the average of the worst 5% of years,
//! each with its share of the total.
struct MistakeBar {
  std::string label;
  double mean = 0.0;
  double tail = 0.0;
  double mean_share = 0.0;
  double tail_share = 0.0;
};
std::string mistake_bars_svg(const std::vector<MistakeBar>& rows, const std::string& currency,
                             const ChartText& text);

//! One intervention's savings distribution (box P25-P75, whiskers P05-P95, median line, mean dot)
//! with its yearly cost marked; `note` is written at the right (e.g. "pays off in 73% of years").
struct BoxRow {
  std::string label;
  double p05 = 0.0, p25 = 0.0, p50 = 0.0, p75 = 0.0, p95 = 0.0;
  double mean = 0.0;
  double cost = 0.0;
  std::string note;
};
std::string savings_box_svg(const std::vector<BoxRow>& rows, const std::string& currency,
                            const ChartText& text);

//! One line of a sweep chart: the mean yearly cost at each swept value, with its good and bad year (P05,
//! P95). (The band's edges keep the class names p05-line and p95-line.)
struct SweepSeries {
  std::string label;         //!< legend text (a grid's second parameter value); may be empty
  std::vector<double> x;     //!< swept values, ascending
  std::vector<double> mean;  //!< [$ per year] mean yearly cost at each x
  std::vector<double> p05;   //!< [$ per year] good year
  std::vector<double> p95;   //!< [$ per year] bad year
};

//! The mean yearly cost against a swept parameter: one line (polyline.mean-line, circle.point with
//! data-x and data-mean) per series; with a single series also the P05-P95 band (polygon.band) and
//! its edges (polyline.p05-line, polyline.p95-line), and the mean written over each point. x ticks
//! are written by `x_format`; y ticks are currency. `study_value`, if within the swept range, is
//! marked by a dashed vertical line (line.marker, data-key="study") labelled `study_label`. With
//! several series the legend starts with `series_title` (what the series labels are values of) and
//! each line is also labelled at its right end.
std::string sweep_line_svg(const std::vector<SweepSeries>& series, const TickFormat& x_format,
                           std::optional<double> study_value, const std::string& study_label,
                           const std::string& currency, const ChartText& text,
                           const std::string& series_title = {});

//! A two-parameter grid as a heat map: one rect.cell per value (data-row, data-col, data-value),
//! filled on a light-to-dark sequential scale of the value (darker = costlier; every colour
//! channel falls with the value, so the colour is monotone), the value written in the cell when it
//! fits, and a legend of stepped swatches (rect.swatch). `values` is row-major, rows drawn top to
//! bottom in the given order: values[row * column_labels.size() + col].
std::string heat_map_svg(const std::vector<std::string>& column_labels,
                         const std::vector<std::string>& row_labels, const std::vector<double>& values,
                         const std::string& currency, const ChartText& text);

//! Fill colour "#rrggbb" of the heat map for a share t in [0, 1] of the value range (clamped).
std::string heat_colour(double t);

//! One input of a tornado chart: the mean yearly cost in the years with the input in its lowest
//! 10% and in its highest 10%.
struct TornadoRow {
  std::string name;        //!< plain words, e.g. "close rate"
  std::string path;        //!< parameter path, e.g. "pipeline.close_rate"
  double cost_low = 0.0;   //!< [$ per year] mean cost over the years with the input <= its P10
  double cost_high = 0.0;  //!< [$ per year] mean cost over the years with the input >= its P90
  std::string low_label;   //!< e.g. "at most 48%", written beside the low-input end
  std::string high_label;  //!< e.g. "at least 72%"
};

//! Tornado chart: one horizontal bar per input (rect.tornado-bar, data-swing = cost_high -
//! cost_low), from cost_low to cost_high on a common money axis, sorted by |swing| largest first
//! (stable), with the average yearly cost `center` as a vertical line (line.marker, data-key="mean").
std::string tornado_svg(std::vector<TornadoRow> rows, double center, const std::string& currency,
                        const ChartText& text);

}  // namespace mistakesim::detail
