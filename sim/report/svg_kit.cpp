// The SVG toolkit of the charts (see svg_kit.hpp): elements, axes, ticks and number labels.

#include "report/svg_kit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>

#include "report/report_detail.hpp"

namespace mistakesim::detail {

std::string esc(std::string_view s) { return html_escape(s); }

//! "1.25" -> "1.25", "2.50" -> "2.5", "3.00" -> "3".
std::string trim_decimals(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

//! The <svg> opening, title, desc and the visible title.
std::string open_svg(const ChartText& t, double height) {
  std::string s = fmt::format(
      "<svg class=\"chart\" id=\"{0}\" viewBox=\"0 0 {1} {2}\" width=\"{1}\" height=\"{2}\" role=\"img\" "
      "aria-labelledby=\"{0}-title {0}-desc\">\n",
      esc(t.id), coord(kWidth), coord(height));
  s += fmt::format("<title id=\"{}-title\">{}</title>\n<desc id=\"{}-desc\">{}</desc>\n", esc(t.id),
                   esc(t.title), esc(t.id), esc(t.description));
  s += fmt::format(
      "<text class=\"chart-title\" x=\"{}\" y=\"22\" font-size=\"16\" font-weight=\"600\" "
      "fill=\"{}\">{}</text>\n",
      coord(12), kInk, esc(t.title));
  return s;
}

std::string text_at(double x, double y, std::string_view content, const char* anchor, int size,
                    const char* fill, std::string_view extra) {
  return fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\" fill=\"{}\"{}{}>{}</text>\n", coord(x),
      coord(y), anchor, size, fill, extra.empty() ? "" : " ", extra, esc(content));
}

//! Text with a white halo, readable over bars and grid lines.
std::string halo_text(double x, double y, std::string_view content, const char* anchor, int size,
                      const char* fill) {
  return text_at(x, y, content, anchor, size, fill,
                 "paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\"");
}

std::string line_el(double x1, double y1, double x2, double y2, const char* stroke, double width,
                    std::string_view extra) {
  return fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}{}/>\n", coord(x1),
      coord(y1), coord(x2), coord(y2), stroke, coord(width), extra.empty() ? "" : " ", extra);
}

//! Vertical grid lines and labels of a horizontal (x) axis at the bottom of the plot, each label
//! written by `tick_label`.
std::string x_axis_labelled(const Scale& x, const std::vector<double>& ticks, double top, double bottom,
                            const TickFormat& tick_label, const std::string& axis_label) {
  std::string s;
  for (double v : ticks) {
    const double px = x(v);
    s += fmt::format("<g class=\"tick x\" data-value=\"{}\">", fmt::format("{}", v));
    s += line_el(px, top, px, bottom + 4, kGrid);
    s += text_at(px, bottom + 18, tick_label(v), "middle", 12, kMuted);
    s += "</g>\n";
  }
  s += line_el(x.r0, bottom, x.r1, bottom, kInk);
  if (!axis_label.empty()) s += text_at((x.r0 + x.r1) / 2.0, bottom + 38, axis_label, "middle", 13, kInk);
  return s;
}

//! Vertical grid lines and labels of a horizontal (x) axis at the bottom of the plot.
std::string x_axis(const Scale& x, const std::vector<double>& ticks, double top, double bottom,
                   const std::string& currency, const std::string& axis_label, bool percent) {
  const TickFormat label = [&](double v) { return percent ? percent_tick(v) : currency_tick(v, currency); };
  return x_axis_labelled(x, ticks, top, bottom, label, axis_label);
}

//! Horizontal grid lines and labels of a vertical (y) axis at the left of the plot (labels as
//! shares unless `tick_label` is given).
std::string y_axis(const Scale& y, const std::vector<double>& ticks, double left, double right,
                   const std::string& axis_label, const TickFormat& tick_label) {
  std::string s;
  for (double v : ticks) {
    const double py = y(v);
    s += fmt::format("<g class=\"tick y\" data-value=\"{}\">", fmt::format("{}", v));
    s += line_el(left - 4, py, right, py, kGrid);
    s += text_at(left - 8, py + 4, tick_label ? tick_label(v) : percent_tick(v), "end", 12, kMuted);
    s += "</g>\n";
  }
  s += line_el(left, y.r0, left, y.r1, kInk);
  if (!axis_label.empty()) {
    const double cy = (y.r0 + y.r1) / 2.0;
    s += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" transform=\"rotate(-90 {0} {1})\" text-anchor=\"middle\" "
        "font-size=\"13\" fill=\"{2}\">{3}</text>\n",
        coord(18), coord(cy), kInk, esc(axis_label));
  }
  return s;
}

//! Ticks inside [lo, hi] (with a tolerance for rounding).
std::vector<double> ticks_within(const std::vector<double>& ticks, double lo, double hi) {
  const double eps = (hi - lo) * 1e-9;
  std::vector<double> out;
  for (double t : ticks)
    if (t >= lo - eps && t <= hi + eps) out.push_back(t);
  return out;
}

//! Domain [lo, hi] of a money axis that includes `values`, widened to nice ticks.
std::pair<double, std::vector<double>> money_axis(double lo, double hi, int target) {
  if (!(hi > lo)) hi = lo + (lo == 0.0 ? 1.0 : std::abs(lo) * 0.1);
  std::vector<double> ticks = nice_ticks(lo, hi, target);
  return {ticks.front(), ticks};
}

//! Where a label of `chars` characters starting at x fits: to the right, or else ending at x.
std::pair<double, const char*> fit_label(double x, std::size_t chars, double right_edge, double gap) {
  if (x + gap + static_cast<double>(chars) * kCharWidth <= right_edge) return {x + gap, "start"};
  return {x - gap, "end"};
}

std::string coord(double v) {
  SIM_CHECK(std::isfinite(v), << "SVG coordinate is not finite: " << v);
  std::string s = fmt::format("{:.2f}", v);
  if (s == "-0.00") s = "0.00";
  return s;
}

std::string currency_tick(double amount, const std::string& currency) {
  const std::string prefix = detail::currency_prefix(currency);
  const double a = std::abs(amount);
  std::string body;
  if (a < 1e3) {
    body = trim_decimals(fmt::format("{:.2f}", a));
  } else if (a < 1e6) {
    body = trim_decimals(fmt::format("{:.2f}", a / 1e3)) + "K";
  } else if (a < 1e9) {
    body = trim_decimals(fmt::format("{:.2f}", a / 1e6)) + "M";
  } else {
    body = trim_decimals(fmt::format("{:.2f}", a / 1e9)) + "B";
  }
  return (amount < 0.0 && body != "0" ? "-" : "") + prefix + body;
}

std::string currency_label(double amount, const std::string& currency) {
  const std::string prefix = detail::currency_prefix(currency);
  double a = std::abs(amount);
  const char* suffix = "";
  if (a >= 999.5e6) {
    a /= 1e9;
    suffix = "B";
  } else if (a >= 999.5e3) {
    a /= 1e6;
    suffix = "M";
  } else if (a >= 999.5) {
    a /= 1e3;
    suffix = "K";
  }
  // Three significant digits: "1.24M", "12.5M", "620K", "80"; trailing zeros of a decimal dropped.
  const int decimals = a >= 100.0 ? 0 : a >= 10.0 ? 1 : 2;
  std::string body = fmt::format("{:.{}f}", a, decimals);
  if (*suffix != '\0' || decimals > 0) body = trim_decimals(body);
  return (amount < 0.0 && body != "0" ? "-" : "") + prefix + body + suffix;
}

std::string percent_tick(double share) { return trim_decimals(fmt::format("{:.1f}", share * 100.0)) + "%"; }

std::vector<double> nice_ticks(double lo, double hi, int target) {
  SIM_CHECK(std::isfinite(lo) && std::isfinite(hi), << "axis range [" << lo << ", " << hi << "]");
  if (!(hi > lo)) return {lo};
  const double step = nice_ceil((hi - lo) / std::max(1, target));
  const double first = std::floor(lo / step + 1e-9);
  const double last = std::ceil(hi / step - 1e-9);
  std::vector<double> ticks;
  for (double k = first; k <= last + 0.5; k += 1.0) ticks.push_back(k * step == 0.0 ? 0.0 : k * step);
  return ticks;
}

std::string clip_label(std::string_view text, std::size_t max_chars) {
  return detail::truncate(text, max_chars, "\u2026");
}

}  // namespace mistakesim::detail
