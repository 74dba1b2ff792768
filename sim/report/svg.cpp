// Inline SVG charts for the HTML report (see svg.hpp). Geometry is plain linear scales; every number
// written into the SVG passes through coord(), so a NaN from upstream stops the report with an
// InvariantError instead of producing an unreadable chart.

#include "report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>

#include "report/report_detail.hpp"
#include "report/svg_kit.hpp"

namespace mistakesim::detail {
namespace {

//! The share of the (ascending, non-empty) values above v.
double share_above(std::span<const double> sorted, double v) {
  const auto above = sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), v);
  return static_cast<double>(above) / static_cast<double>(sorted.size());
}

//! An exceedance curve's polyline points over the whole x axis, 300 steps.
std::string exceedance_points(std::span<const double> sorted, const Scale& x, const Scale& y) {
  std::string points;
  constexpr int kPoints = 300;
  for (int i = 0; i <= kPoints; ++i) {
    const double v = x.d0 + (x.d1 - x.d0) * i / kPoints;
    points += fmt::format("{}{},{}", i == 0 ? "" : " ", coord(x(v)), coord(y(share_above(sorted, v))));
  }
  return points;
}

}  // namespace

std::string histogram_svg(const Histogram& h, std::uint64_t total, const std::vector<Marker>& markers,
                          const std::string& currency, const ChartText& text, const std::string& note) {
  const double height = note.empty() ? 380.0 : 400.0;
  const double top = 44.0, bottom = 320.0;
  std::string s = open_svg(text, height);
  if (h.counts.empty() || total == 0) {
    s += text_at(kWidth / 2, (top + bottom) / 2, "no data", "middle");
    return s + "</svg>\n";
  }
  const double lo = h.edges.front(), hi = h.edges.back();
  const Scale x{lo, hi, kLeft, kWidth - kRight};
  const std::uint64_t max_count = *std::max_element(h.counts.begin(), h.counts.end());
  const double max_share = static_cast<double>(max_count) / static_cast<double>(total);
  // Headroom above the tallest bar for the marker labels.
  const std::vector<double> y_ticks = nice_ticks(0.0, max_share * 1.25, 5);
  const Scale y{0.0, y_ticks.back(), bottom, top};

  s += y_axis(y, y_ticks, kLeft, kWidth - kRight, text.y_label);
  s += x_axis(x, ticks_within(nice_ticks(lo, hi, 8), lo, hi), top, bottom, currency, text.x_label);

  // Bars: height proportional to the count; 1px gap between bars when they are wide enough.
  const double bar_width = (x.r1 - x.r0) / static_cast<double>(h.counts.size());
  const double gap = bar_width > 4.0 ? 1.0 : 0.0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    const double share = static_cast<double>(h.counts[i]) / static_cast<double>(total);
    const double px = x(h.edges[i]);
    const double py = y(share);
    s += fmt::format(
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" data-count=\"{}\">"
        "<title>{} to {}: {} years ({})</title></rect>\n",
        coord(px), coord(py), coord(std::max(0.0, bar_width - gap)), coord(bottom - py), kBarFill,
        h.counts[i], esc(currency_tick(h.edges[i], currency)), esc(currency_tick(h.edges[i + 1], currency)),
        h.counts[i], percent_tick(share));
  }

  // Markers: dashed lines, labels staggered in rows so that close markers do not overlap.
  for (std::size_t k = 0; k < markers.size(); ++k) {
    const Marker& m = markers[k];
    const double v = std::clamp(m.value, lo, hi);
    const double px = x(v);
    s += fmt::format(
        "<line class=\"marker\" data-key=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n",
        esc(m.key), coord(px), coord(top), coord(px), coord(bottom), kInk);
    const auto [lx, anchor] = fit_label(px, detail::display_width(m.label), kWidth - 4);
    s += halo_text(lx, top + 14.0 + 16.0 * static_cast<double>(k), m.label, anchor, 12);
  }
  if (!note.empty()) s += text_at(kLeft, height - 8, note, "start", 12, kMuted);
  return s + "</svg>\n";
}

std::string exceedance_svg(std::span<const double> sorted, double x_max, const std::vector<Marker>& markers,
                           const std::string& currency, const ChartText& text) {
  const double height = 380.0;
  const double top = 44.0, bottom = 320.0;
  std::string s = open_svg(text, height);
  if (sorted.empty()) {
    s += text_at(kWidth / 2, (top + bottom) / 2, "no data", "middle");
    return s + "</svg>\n";
  }
  const std::vector<double> x_ticks =
      nice_ticks(std::min(0.0, sorted.front()), std::max(x_max, sorted.front()), 8);
  const Scale x{x_ticks.front(), x_ticks.back(), kLeft, kWidth - kRight};
  const std::vector<double> y_ticks = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  const Scale y{0.0, 1.0, bottom, top};
  s += y_axis(y, y_ticks, kLeft, kWidth - kRight, text.y_label);
  s += x_axis(x, x_ticks, top, bottom, currency, text.x_label);

  const std::string points = exceedance_points(sorted, x, y);
  s += fmt::format(
      "<polyline class=\"curve\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"/>\n", points,
      kBarFill);

  for (std::size_t k = 0; k < markers.size(); ++k) {
    const Marker& m = markers[k];
    const double px = x(std::clamp(m.value, x.d0, x.d1));
    const double py = y(share_above(sorted, m.value));
    s += fmt::format(
        "<line class=\"marker\" data-key=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
        "stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n",
        esc(m.key), coord(px), coord(py), coord(px), coord(bottom), kMuted);
    s +=
        fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4.5\" fill=\"{}\"/>\n", coord(px), coord(py), kTailFill);
    const auto [lx, anchor] = fit_label(px, detail::display_width(m.label), kWidth - 4, 8.0);
    s += halo_text(lx, py - 8.0 - 16.0 * static_cast<double>(k % 2), m.label, anchor, 12);
  }
  return s + "</svg>\n";
}

std::string exceedance_overlay_svg(const std::vector<CurveSeries>& series, double x_max, double bad_year,
                                   const std::string& currency, const ChartText& text) {
  static constexpr const char* kColours[] = {"#4e79a7", "#e15759", "#59a14f",
                                             "#b07aa1", "#f28e2b", "#76b7b2"};
  const double top = 44.0 + 18.0 * static_cast<double>(series.size()), bottom = top + 276.0;
  const double height = bottom + 60.0;
  std::string s = open_svg(text, height);
  double lo = 0.0;
  bool any = false;
  for (const CurveSeries& c : series)
    if (!c.sorted.empty()) {
      lo = std::min(lo, c.sorted.front());
      any = true;
    }
  if (!any) {
    s += text_at(kWidth / 2, (top + bottom) / 2, "no data", "middle");
    return s + "</svg>\n";
  }
  const std::vector<double> x_ticks = nice_ticks(lo, std::max(x_max, lo + 1.0), 8);
  const Scale x{x_ticks.front(), x_ticks.back(), kLeft, kWidth - kRight};
  const Scale y{0.0, 1.0, bottom, top};
  s += y_axis(y, {0.0, 0.2, 0.4, 0.6, 0.8, 1.0}, kLeft, kWidth - kRight, text.y_label);
  s += x_axis(x, x_ticks, top, bottom, currency, text.x_label);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const CurveSeries& c = series[k];
    const char* colour = kColours[k % std::size(kColours)];
    const double ly = 40.0 + 18.0 * static_cast<double>(k);
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2.5\"{}/>\n",
                     coord(kLeft), coord(ly - 4), coord(kLeft + 24), coord(ly - 4), colour,
                     k == 0 ? "" : " stroke-dasharray=\"7 4\"");
    s += text_at(kLeft + 30, ly, c.label, "start", 12);
    if (c.sorted.empty()) continue;
    const std::string points = exceedance_points(c.sorted, x, y);
    s += fmt::format(
        "<polyline class=\"curve\" data-series=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"2.5\"{}/>\n",
        k, points, colour, k == 0 ? "" : " stroke-dasharray=\"7 4\"");
    const double v = quantile_sorted(c.sorted, bad_year);
    s += fmt::format(
        "<circle class=\"bad-year\" data-series=\"{}\" cx=\"{}\" cy=\"{}\" r=\"4.5\" fill=\"{}\">"
        "<title>{}: 1 year in {:.0f} costs more than {}</title></circle>\n",
        k, coord(x(std::clamp(v, x.d0, x.d1))), coord(y(1.0 - bad_year)), colour, esc(c.label),
        1.0 / (1.0 - bad_year), esc(format_currency(v, currency)));
  }
  return s + "</svg>\n";
}

std::string waterfall_svg(const std::vector<WaterfallBar>& bars, const std::string& currency,
                          const ChartText& text) {
  const double row_height = 44.0, top = 40.0;
  const double bottom = top + row_height * static_cast<double>(bars.size());
  std::string s = open_svg(text, bottom + 60.0);
  double hi = 0.0;
  for (const WaterfallBar& b : bars) hi = std::max(hi, b.value);
  const auto [lo, ticks] = money_axis(0.0, std::max(hi, 1.0), 6);
  const Scale x{lo, ticks.back(), kLeft, kWidth - kRight};
  s += x_axis(x, ticks, top, bottom, currency, text.x_label);
  double running = 0.0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const WaterfallBar& b = bars[i];
    const double row_top = top + row_height * static_cast<double>(i);
    const double from = b.total ? 0.0 : running - b.value, to = b.total ? b.value : running;
    if (b.total)
      running = b.value;
    else
      running -= b.value;
    const double x0 = x(std::min(from, to)), x1 = x(std::max(from, to));
    s += fmt::format(
        "<rect class=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"20\" fill=\"{}\"/>\n",
        b.total ? "total" : "step", b.value, coord(x0), coord(row_top + 18.0), coord(std::max(0.0, x1 - x0)),
        b.total ? kBarFill : kTailFill);
    s += text_at(kLeft + 2, row_top + 14.0,
                 fmt::format("{}: {}{}", b.label, b.total ? "" : "\u2212", currency_label(b.value, currency)),
                 "start", 12);
  }
  return s + "</svg>\n";
}

//! One legend entry at the top of a chart: a colour swatch and its meaning.
static std::string legend_entry(double x, const char* fill, const std::string& label) {
  return fmt::format("<rect x=\"{}\" y=\"32\" width=\"14\" height=\"14\" fill=\"{}\"/>\n", coord(x), fill) +
         text_at(x + 20, 44, label, "start", 12);
}

std::string known_unknown_svg(const std::vector<StackRow>& rows, const std::string& currency,
                              const ChartText& text) {
  const double row_height = 62.0;
  const double top = 60.0;
  const double bottom = top + row_height * static_cast<double>(rows.size());
  const double height = bottom + 70.0;
  std::string s = open_svg(text, height);
  double max_total = 0.0;
  for (const StackRow& r : rows) max_total = std::max(max_total, r.known + r.unknown);
  const auto [lo, ticks] = money_axis(0.0, max_total, 6);
  const Scale x{lo, ticks.back(), kLeft, kWidth - kRight};
  s += x_axis(x, ticks, top, bottom, currency, text.x_label);

  // Legend.
  s += legend_entry(kLeft, kKnownFill, "known: the team noticed the mistake");
  s += legend_entry(kLeft + 300, kUnknownFill, "unknown: nobody noticed");

  for (std::size_t i = 0; i < rows.size(); ++i) {
    const StackRow& r = rows[i];
    const double total = r.known + r.unknown;
    const double row_top = top + row_height * static_cast<double>(i);
    const double bar_y = row_top + 22.0, bar_h = 26.0;
    const double x0 = x(0.0), xk = x(r.known), xt = x(total);
    s += fmt::format(
        "<rect class=\"stack known\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", coord(x0),
        coord(bar_y), coord(std::max(0.0, xk - x0)), coord(bar_h), kKnownFill);
    s += fmt::format(
        "<rect class=\"stack unknown\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
        coord(xk), coord(bar_y), coord(std::max(0.0, xt - xk)), coord(bar_h), kUnknownFill);
    const double known_share = total > 0.0 ? r.known / total : 0.0;
    const std::string label = fmt::format(
        "{}: {} known ({}) + {} unknown ({}) = {}", r.label, currency_label(r.known, currency),
        percent_tick(std::round(known_share * 100.0) / 100.0), currency_label(r.unknown, currency),
        percent_tick(std::round((1.0 - known_share) * 100.0) / 100.0), currency_label(total, currency));
    s += text_at(kLeft + 2, row_top + 16.0, label, "start", 13);
  }
  return s + "</svg>\n";
}

std::string mistake_bars_svg(const std::vector<MistakeBar>& rows, const std::string& currency,
                             const ChartText& text) {
  const double row_height = 66.0;
  const double top = 60.0;
  const double bottom = top + row_height * static_cast<double>(rows.size()) + 6.0;
  const double height = bottom + 70.0;
  std::string s = open_svg(text, height);
  double max_value = 0.0;
  for (const MistakeBar& r : rows) max_value = std::max({max_value, r.mean, r.tail});
  // Room at the right for the value labels.
  const auto [lo, ticks] = money_axis(0.0, max_value * 1.45, 6);
  const Scale x{lo, ticks.back(), kLeft, kWidth - kRight};
  s += x_axis(x, ticks, top, bottom, currency, text.x_label);

  s += legend_entry(kLeft, kBarFill, "cost in an average year");
  s += legend_entry(kLeft + 230, kTailFill, "part of the average cost of the worst 5% of years");

  for (std::size_t i = 0; i < rows.size(); ++i) {
    const MistakeBar& r = rows[i];
    const double row_top = top + row_height * static_cast<double>(i);
    s += text_at(kLeft + 2, row_top + 16.0, clip_label(r.label, 100), "start", 13, kInk,
                 "font-weight=\"600\"");
    const double x0 = x(0.0);
    const struct {
      double value, share;
      const char* fill;
      const char* cls;
      const char* what;
    } bars[2] = {{r.mean, r.mean_share, kBarFill, "mean", "of the average year"},
                 {r.tail, r.tail_share, kTailFill, "tail", "of the worst 5%"}};
    for (int b = 0; b < 2; ++b) {
      const double bar_y = row_top + 22.0 + 20.0 * b;
      const double xe = x(std::max(0.0, bars[b].value));
      s += fmt::format(
          "<rect class=\"mistake-bar {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{}\"/>\n",
          bars[b].cls, coord(x0), coord(bar_y), coord(std::max(0.0, xe - x0)), bars[b].fill);
      s += text_at(xe + 5.0, bar_y + 12.5,
                   fmt::format("{} \u00b7 {} {}", currency_label(bars[b].value, currency),
                               percent_tick(std::round(bars[b].share * 100.0) / 100.0), bars[b].what),
                   "start", 12, kInk);
    }
  }
  return s + "</svg>\n";
}

std::string savings_box_svg(const std::vector<BoxRow>& rows, const std::string& currency,
                            const ChartText& text) {
  const double row_height = 70.0;
  const double top = 60.0;
  const double bottom = top + row_height * static_cast<double>(rows.size()) + 6.0;
  const double height = bottom + 70.0;
  std::string s = open_svg(text, height);
  double lo = 0.0, hi = 0.0;
  for (const BoxRow& r : rows) {
    lo = std::min({lo, r.p05, r.cost, r.mean});
    hi = std::max({hi, r.p95, r.cost, r.mean});
  }
  // Room at the right for the notes.
  hi += (hi - lo) * 0.35;
  const auto [axis_lo, ticks] = money_axis(lo, hi, 7);
  const Scale x{axis_lo, ticks.back(), kLeft, kWidth - kRight};
  s += x_axis(x, ticks, top, bottom, currency, text.x_label);
  if (axis_lo < 0.0) s += line_el(x(0.0), top, x(0.0), bottom, kInk, 1.0);

  // Legend.
  s += fmt::format("<rect x=\"{}\" y=\"34\" width=\"22\" height=\"10\" fill=\"#dbe5f1\" stroke=\"{}\"/>\n",
                   coord(kLeft), kBarFill);
  s += text_at(kLeft + 28, 44, "savings: box P25\u2013P75, whiskers P05\u2013P95, line median, dot mean",
               "start", 12);
  s += line_el(kLeft + 500, 31, kLeft + 500, 47, kTailFill, 3.0);
  s += text_at(kLeft + 508, 44, "its yearly cost", "start", 12);

  for (std::size_t i = 0; i < rows.size(); ++i) {
    const BoxRow& r = rows[i];
    const double row_top = top + row_height * static_cast<double>(i);
    const double cy = row_top + 42.0;
    const double box_h = 22.0;
    s += text_at(kLeft + 2, row_top + 16.0, clip_label(r.label, 100), "start", 13, kInk,
                 "font-weight=\"600\"");
    s += fmt::format("<g class=\"box\" data-p05=\"{}\" data-p50=\"{}\" data-p95=\"{}\">\n", coord(r.p05),
                     coord(r.p50), coord(r.p95));
    s += line_el(x(r.p05), cy, x(r.p25), cy, kBarFill, 1.5);
    s += line_el(x(r.p75), cy, x(r.p95), cy, kBarFill, 1.5);
    s += line_el(x(r.p05), cy - 7, x(r.p05), cy + 7, kBarFill, 1.5);
    s += line_el(x(r.p95), cy - 7, x(r.p95), cy + 7, kBarFill, 1.5);
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#dbe5f1\" stroke=\"{}\" "
        "stroke-width=\"1.5\"/>\n",
        coord(x(r.p25)), coord(cy - box_h / 2), coord(std::max(0.0, x(r.p75) - x(r.p25))), coord(box_h),
        kBarFill);
    s += line_el(x(r.p50), cy - box_h / 2, x(r.p50), cy + box_h / 2, kBarFill, 2.5);
    s +=
        fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"/>\n", coord(x(r.mean)), coord(cy), kInk);
    s += "</g>\n";
    s += fmt::format(
        "<line class=\"cost\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\" "
        "stroke-width=\"3\"/>\n",
        coord(x(r.cost)), coord(cy - 16), coord(cy + 16), kTailFill);
    const double right = std::max({x(r.p95), x(r.cost), x(r.mean)});
    s += text_at(right + 10.0, cy + 4.0, r.note, "start", 12, kInk);
  }
  return s + "</svg>\n";
}

namespace {

//! The sweep chart's legend, one row above the plot: the band and the mean line of a single series,
//! or each series' colour and label (as many as fit).
std::string sweep_legend(const std::vector<SweepSeries>& series, bool band, const std::string& series_title) {
  std::string s;
  double lx = kLeft;
  if (band) {
    s += fmt::format("<rect x=\"{}\" y=\"34\" width=\"22\" height=\"12\" fill=\"{}\"/>\n", coord(lx),
                     kBandFill);
    s += text_at(lx + 28, 45, "9 years in 10 (P05\u2013P95)", "start", 12);
    lx += 210;
    s += line_el(lx, 40, lx + 22, 40, kSeries[0], 2.5);
    s += text_at(lx + 28, 45, "average year (mean)", "start", 12);
    lx += 180;
  } else {
    if (!series_title.empty()) {
      const std::string title = clip_label(series_title, 60);
      s += text_at(lx, 45, title, "start", 12, kInk, "font-weight=\"600\"");
      lx += 20 + kCharWidth * static_cast<double>(detail::display_width(title));
    }
    for (std::size_t k = 0; k < series.size(); ++k) {
      const char* colour = kSeries[k % std::size(kSeries)];
      const std::string label = clip_label(series[k].label, 28);
      if (lx + 34 + kCharWidth * static_cast<double>(detail::display_width(label)) > kWidth - kRight)
        break;  // no room
      s += line_el(lx, 40, lx + 22, 40, colour, 2.5);
      s += text_at(lx + 28, 45, label, "start", 12);
      lx += 44 + kCharWidth * static_cast<double>(detail::display_width(label));
    }
  }

  return s;
}

//! A single series' P05-P95 band with its dashed edges, named at the last point.
std::string sweep_band(const SweepSeries& sr, const Scale& x, const Scale& y) {
  std::string s;
  std::string polygon, upper, lower;
  for (std::size_t i = 0; i < sr.x.size(); ++i) {
    upper += fmt::format("{}{},{}", i == 0 ? "" : " ", coord(x(sr.x[i])), coord(y(sr.p95[i])));
    lower += fmt::format("{}{},{}", i == 0 ? "" : " ", coord(x(sr.x[i])), coord(y(sr.p05[i])));
  }
  polygon = upper;
  for (std::size_t i = sr.x.size(); i-- > 0;)
    polygon += fmt::format(" {},{}", coord(x(sr.x[i])), coord(y(sr.p05[i])));
  s += fmt::format("<polygon class=\"band\" points=\"{}\" fill=\"{}\" fill-opacity=\"0.75\"/>\n", polygon,
                   kBandFill);
  s += fmt::format(
      "<polyline class=\"p95-line\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1\" "
      "stroke-dasharray=\"4 3\"/>\n",
      upper, kBarFill);
  s += fmt::format(
      "<polyline class=\"p05-line\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1\" "
      "stroke-dasharray=\"4 3\"/>\n",
      lower, kBarFill);
  // Name the band's edges at the last point, inside the plot.
  const double ex = x(sr.x.back());
  s += halo_text(ex - 6.0, y(sr.p95.back()) - 6.0, "bad year (P95)", "end", 11, kMuted);
  s += halo_text(ex - 6.0, y(sr.p05.back()) + 15.0, "good year (P05)", "end", 11, kMuted);
  return s;
}

//! Series k's mean line, its end label (a grid's line) and its points with their tooltips.
std::string sweep_series_points(const std::vector<SweepSeries>& series, std::size_t k, bool band,
                                const Scale& x, const Scale& y, const TickFormat& x_format,
                                const std::string& currency) {
  const SweepSeries& sr = series[k];
  const char* colour = kSeries[k % std::size(kSeries)];
  std::string s;
  std::string line;
  for (std::size_t i = 0; i < sr.x.size(); ++i)
    line += fmt::format("{}{},{}", i == 0 ? "" : " ", coord(x(sr.x[i])), coord(y(sr.mean[i])));
  s += fmt::format(
      "<polyline class=\"mean-line\" data-series=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" "
      "stroke-width=\"2.5\"/>\n",
      esc(sr.label), line, colour);
  // A grid's line is also labelled at its right end, unless another line ends too close to read it.
  const auto ends_near = [&] {
    for (std::size_t j = 0; j < series.size(); ++j)
      if (j != k && !series[j].x.empty() && std::abs(y(series[j].mean.back()) - y(sr.mean.back())) < 14.0)
        return true;
    return false;
  };
  if (!band && !sr.x.empty() && !sr.label.empty() && !ends_near())
    s +=
        halo_text(x(sr.x.back()) - 6.0, y(sr.mean.back()) - 8.0, clip_label(sr.label, 20), "end", 12, colour);
  for (std::size_t i = 0; i < sr.x.size(); ++i) {
    s += fmt::format(
        "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\" data-x=\"{}\" data-mean=\"{}\">"
        "<title>{}: {} a year on average</title></circle>\n",
        coord(x(sr.x[i])), coord(y(sr.mean[i])), colour, fmt::format("{}", sr.x[i]),
        fmt::format("{}", sr.mean[i]), esc(x_format(sr.x[i])), esc(currency_label(sr.mean[i], currency)));
    if (band && sr.x.size() <= 12)
      s += halo_text(x(sr.x[i]), y(sr.mean[i]) - 10.0, currency_label(sr.mean[i], currency), "middle", 12);
  }
  return s;
}

}  // namespace

std::string sweep_line_svg(const std::vector<SweepSeries>& series, const TickFormat& x_format,
                           std::optional<double> study_value, const std::string& study_label,
                           const std::string& currency, const ChartText& text,
                           const std::string& series_title) {
  const double height = 410.0;
  const double top = 66.0, bottom = 336.0;
  std::string s = open_svg(text, height);
  double x_lo = INFINITY, x_hi = -INFINITY, y_hi = 0.0, y_lo = 0.0;
  std::size_t points = 0;
  for (const SweepSeries& sr : series) {
    SIM_CHECK(sr.x.size() == sr.mean.size() && sr.x.size() == sr.p05.size() && sr.x.size() == sr.p95.size(),
              << "series " << sr.label << ": " << sr.x.size() << " x, " << sr.mean.size() << " means");
    for (std::size_t i = 0; i < sr.x.size(); ++i) {
      x_lo = std::min(x_lo, sr.x[i]);
      x_hi = std::max(x_hi, sr.x[i]);
      y_lo = std::min({y_lo, sr.p05[i], sr.mean[i]});
      y_hi = std::max({y_hi, sr.p95[i], sr.mean[i]});
      ++points;
    }
  }
  if (points == 0) {
    s += text_at(kWidth / 2, (top + bottom) / 2, "no data", "middle");
    return s + "</svg>\n";
  }
  const bool band = series.size() == 1;
  // x: the swept range with a little room so that the end points are not on the frame; a single
  // value sits in the middle (Scale maps a degenerate domain there).
  const double pad = (x_hi - x_lo) * 0.04;
  const Scale x{x_lo - pad, x_hi + pad, kLeft + 10.0, kWidth - kRight - 10.0};
  // y: from 0 (or the lowest value, if negative) with headroom for the value labels.
  const auto [y_axis_lo, y_ticks] = money_axis(y_lo, y_hi * 1.08, 5);
  const Scale y{y_axis_lo, y_ticks.back(), bottom, top};
  const TickFormat money_tick = [&currency](double v) { return currency_tick(v, currency); };
  s += y_axis(y, y_ticks, kLeft, kWidth - kRight, text.y_label, money_tick);
  s += x_axis_labelled(
      x, x_hi > x_lo ? ticks_within(nice_ticks(x_lo, x_hi, 7), x_lo, x_hi) : std::vector<double>{x_lo}, top,
      bottom, x_format, text.x_label);

  s += sweep_legend(series, band, series_title);

  for (std::size_t k = 0; k < series.size(); ++k) {
    if (band && !series[k].x.empty()) s += sweep_band(series[k], x, y);
    s += sweep_series_points(series, k, band, x, y, x_format, currency);
  }

  if (study_value && std::isfinite(*study_value) && *study_value >= x_lo && *study_value <= x_hi) {
    const double px = x(*study_value);
    s += fmt::format(
        "<line class=\"marker\" data-key=\"study\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
        "stroke=\"{3}\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n",
        coord(px), coord(top), coord(bottom), kTailFill);
    const auto [tx, anchor] = fit_label(px, detail::display_width(study_label), kWidth - 4);
    s += halo_text(tx, top + 12.0, study_label, anchor, 12, kTailFill);
  }
  return s + "</svg>\n";
}

std::string heat_colour(double t) {
  // Light yellow -> orange -> dark brown (ColorBrewer YlOrBr stops). Every channel falls along the
  // path, so the colour darkens monotonically with the value.
  struct Rgb {
    double r, g, b;
  };
  static constexpr Rgb kStops[] = {{255, 247, 188}, {254, 196, 79}, {236, 112, 20}, {140, 45, 4}};
  constexpr int kSegments = static_cast<int>(std::size(kStops)) - 1;
  if (!std::isfinite(t)) t = 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const int seg = std::min(kSegments - 1, static_cast<int>(t * kSegments));
  const double u = t * kSegments - seg;
  const Rgb& a = kStops[seg];
  const Rgb& b = kStops[seg + 1];
  const auto mix = [u](double p, double q) { return static_cast<int>(std::lround(p + (q - p) * u)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b));
}

std::string heat_map_svg(const std::vector<std::string>& column_labels,
                         const std::vector<std::string>& row_labels, const std::vector<double>& values,
                         const std::string& currency, const ChartText& text) {
  const std::size_t cols = column_labels.size(), rows = row_labels.size();
  SIM_CHECK(values.size() == cols * rows,
            << values.size() << " values for " << rows << " x " << cols << " cells");
  const double left = 130.0, top = 62.0;
  const double cell_w = cols > 0 ? (kWidth - kRight - left) / static_cast<double>(cols) : 0.0;
  const double cell_h = rows > 0 ? std::clamp(300.0 / static_cast<double>(rows), 22.0, 56.0) : 0.0;
  const double bottom = top + cell_h * static_cast<double>(rows);
  const double height = bottom + 112.0;
  std::string s = open_svg(text, height);
  if (values.empty()) {
    s += text_at(kWidth / 2, top + 40, "no data", "middle");
    return s + "</svg>\n";
  }
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    SIM_CHECK(std::isfinite(v), << "heat map value " << v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const auto share = [&](double v) { return hi > lo ? (v - lo) / (hi - lo) : 0.5; };

  for (std::size_t r = 0; r < rows; ++r) {
    const double cy = top + cell_h * static_cast<double>(r);
    s += text_at(left - 8, cy + cell_h / 2 + 4, clip_label(row_labels[r], 16), "end", 12, kMuted);
    for (std::size_t c = 0; c < cols; ++c) {
      const double v = values[r * cols + c];
      const double cx = left + cell_w * static_cast<double>(c);
      const double t = share(v);
      const std::string label = currency_label(v, currency);
      s += fmt::format(
          "<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\" "
          "data-row=\"{}\" data-col=\"{}\" data-value=\"{}\"><title>{}, {}: {} a year on "
          "average</title></rect>\n",
          coord(cx), coord(cy), coord(cell_w), coord(cell_h), heat_colour(t), r, c, fmt::format("{}", v),
          esc(column_labels[c]), esc(row_labels[r]), esc(label));
      // The value in the cell when it fits; white on the dark half of the scale.
      if (cell_w >= static_cast<double>(detail::display_width(label)) * kCharWidth + 8.0 && cell_h >= 18.0)
        s += text_at(cx + cell_w / 2, cy + cell_h / 2 + 4.5, label, "middle", 12, t > 0.55 ? "#fff" : kInk,
                     "class=\"cell-value\"");
    }
  }
  // Column labels; every k-th when they would overlap.
  std::size_t widest = 1;
  for (const std::string& l : column_labels) widest = std::max(widest, detail::display_width(l));
  const std::size_t every = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil((static_cast<double>(widest) * kCharWidth + 8.0) / cell_w)));
  for (std::size_t c = 0; c < cols; c += every)
    s += text_at(left + cell_w * (static_cast<double>(c) + 0.5), bottom + 18, column_labels[c], "middle", 12,
                 kMuted);
  if (!text.x_label.empty())
    s += text_at(left + (kWidth - kRight - left) / 2, bottom + 38, text.x_label, "middle", 13);
  // The rows' axis title above the row labels, horizontal: a long parameter path does not fit
  // rotated beside a few rows.
  if (!text.y_label.empty())
    s += text_at(12, top - 8, "\u2191 " + clip_label(text.y_label, 100), "start", 13, kInk);

  // Legend: stepped swatches from the cheapest to the costliest cell.
  constexpr int kSwatches = 6;
  const double ly = bottom + 58.0, sw = 80.0;
  s += text_at(left - 8, ly + 13, "average year:", "end", 12);
  for (int k = 0; k < kSwatches; ++k) {
    const double t = static_cast<double>(k) / (kSwatches - 1);
    const double v = lo + (hi - lo) * t;
    const double sx = left + sw * k;
    s += fmt::format(
        "<rect class=\"swatch\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{}\" "
        "data-value=\"{}\"/>\n",
        coord(sx), coord(ly), coord(sw - 2), heat_colour(t), fmt::format("{}", v));
    s += text_at(sx + (sw - 2) / 2, ly + 34, currency_label(v, currency), "middle", 12, kMuted);
  }
  s += text_at(left + sw * kSwatches + 8, ly + 13, "darker = costlier", "start", 12, kMuted);
  return s + "</svg>\n";
}

std::string tornado_svg(std::vector<TornadoRow> rows, double center, const std::string& currency,
                        const ChartText& text) {
  std::stable_sort(rows.begin(), rows.end(), [](const TornadoRow& a, const TornadoRow& b) {
    return std::abs(a.cost_high - a.cost_low) > std::abs(b.cost_high - b.cost_low);
  });
  const double row_height = 50.0;
  const double top = 70.0;
  const double bottom = top + row_height * static_cast<double>(rows.size()) + 4.0;
  const double height = bottom + 64.0;
  std::string s = open_svg(text, height);
  if (rows.empty()) {
    s += text_at(kWidth / 2, top + 20, "no uncertain inputs", "middle");
    return s + "</svg>\n";
  }
  double lo = center, hi = center;
  std::size_t label_chars = 0;
  for (const TornadoRow& r : rows) {
    SIM_CHECK(std::isfinite(r.cost_low) && std::isfinite(r.cost_high),
              << r.path << ": cost_low " << r.cost_low << ", cost_high " << r.cost_high);
    lo = std::min({lo, r.cost_low, r.cost_high});
    hi = std::max({hi, r.cost_low, r.cost_high});
    label_chars =
        std::max({label_chars, detail::display_width(r.low_label), detail::display_width(r.high_label)});
  }
  // Room on both sides for the end labels ("at most 48%: $2.41M"), then nice ticks around it.
  const double plot = kWidth - kRight - kLeft;
  const double label_px = std::min(230.0, (static_cast<double>(label_chars) + 9.0) * kCharWidth);
  const double span = hi > lo ? hi - lo : std::max(1.0, std::abs(center) * 0.1);
  const double pad = span * label_px / std::max(plot - 2.0 * label_px, 60.0);
  const std::vector<double> ticks = nice_ticks(lo - pad, hi + pad, 6);
  const Scale x{ticks.front(), ticks.back(), kLeft, kWidth - kRight};
  s += x_axis(x, ticks, top, bottom, currency, text.x_label);

  // Legend.
  s += fmt::format("<rect x=\"{}\" y=\"34\" width=\"14\" height=\"14\" fill=\"{}\"/>\n", coord(kLeft),
                   kTailFill);
  s += text_at(kLeft + 20, 46, "higher input, higher cost", "start", 12);
  s += fmt::format("<rect x=\"{}\" y=\"34\" width=\"14\" height=\"14\" fill=\"{}\"/>\n", coord(kLeft + 210),
                   kBarFill);
  s += text_at(kLeft + 230, 46, "higher input, lower cost", "start", 12);

  const double cx = x(center);
  s += fmt::format(
      "<line class=\"marker\" data-key=\"mean\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\" "
      "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n",
      coord(cx), coord(top - 8), coord(bottom), kInk);
  s += halo_text(cx + 5, top - 10, "average year " + currency_label(center, currency), "start", 12);

  for (std::size_t i = 0; i < rows.size(); ++i) {
    const TornadoRow& r = rows[i];
    const double row_top = top + row_height * static_cast<double>(i);
    const double swing = r.cost_high - r.cost_low;
    s += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"{}\" paint-order=\"stroke\" stroke=\"#fff\" "
        "stroke-width=\"3\" stroke-linejoin=\"round\"><tspan font-weight=\"600\">{}</tspan>"
        "<tspan fill=\"{}\" font-size=\"12\"> \u00b7 {}</tspan></text>\n",
        coord(kLeft + 2), coord(row_top + 15), kInk, esc(clip_label(r.name, 72)), kMuted,
        esc(clip_label(r.path, 60)));
    const double x_low = x(r.cost_low), x_high = x(r.cost_high);
    const double x0 = std::min(x_low, x_high), x1 = std::max(x_low, x_high);
    const double bar_y = row_top + 22.0, bar_h = 18.0;
    s += fmt::format(
        "<rect class=\"tornado-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
        "data-param=\"{}\" data-low=\"{}\" data-high=\"{}\" data-swing=\"{}\"><title>{}: swing "
        "{}</title></rect>\n",
        coord(x0), coord(bar_y), coord(x1 - x0), coord(bar_h), swing >= 0.0 ? kTailFill : kBarFill,
        esc(r.path), fmt::format("{}", r.cost_low), fmt::format("{}", r.cost_high), fmt::format("{}", swing),
        esc(r.path), esc(currency_label(std::abs(swing), currency)));
    // End labels: the low-input years at the low-input end, the high-input years at the other.
    const std::string low_text = r.low_label.empty()
                                     ? currency_label(r.cost_low, currency)
                                     : r.low_label + ": " + currency_label(r.cost_low, currency);
    const std::string high_text = r.high_label.empty()
                                      ? currency_label(r.cost_high, currency)
                                      : r.high_label + ": " + currency_label(r.cost_high, currency);
    const bool low_on_left = x_low <= x_high;
    s += text_at(x0 - 5, bar_y + 13.5, low_on_left ? low_text : high_text, "end", 12, kInk);
    s += text_at(x1 + 5, bar_y + 13.5, low_on_left ? high_text : low_text, "start", 12, kInk);
  }
  return s + "</svg>\n";
}

}  // namespace mistakesim::detail
