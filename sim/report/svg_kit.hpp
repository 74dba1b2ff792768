#pragma once
// The toolkit the charts of svg.cpp are drawn with: the frame and palette, SVG elements (text,
// lines), axes with nice ticks and their labels. Private to the report layer.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/svg.hpp"

namespace mistakesim::detail {

// Chart frame [px]. The viewBox is W x H; the plot area is inside the margins.
inline constexpr double kWidth = 880.0;
inline constexpr double kLeft = 76.0;
inline constexpr double kRight = 28.0;
inline constexpr double kCharWidth = 7.0;  // rough width of one 13px character, to keep labels inside

// Palette (colour-blind safe: blue / orange, grey for neutral).
inline constexpr const char* kBarFill = "#4e79a7";
inline constexpr const char* kKnownFill = "#4e79a7";
inline constexpr const char* kUnknownFill = "#f28e2b";
inline constexpr const char* kTailFill = "#b04a3a";
inline constexpr const char* kInk = "#222";
inline constexpr const char* kGrid = "#e3e3e3";
inline constexpr const char* kMuted = "#555";
inline constexpr const char* kBandFill = "#c9d8ea";  // a sweep's P05-P95 band, a fan chart's P10-P90 band
// Series of a grid's line chart (Tableau 10, colour-blind friendly order).
inline constexpr const char* kSeries[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                          "#b07aa1", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"};

//! Maps [d0, d1] to [r0, r1]; a degenerate domain is widened so that it maps to the range's middle.
struct Scale {
  double d0, d1, r0, r1;
  double operator()(double v) const {
    if (!(d1 > d0)) return (r0 + r1) / 2.0;
    return r0 + (v - d0) / (d1 - d0) * (r1 - r0);
  }
};

//! Text made safe for SVG (html_escape).
std::string esc(std::string_view s);

//! "1.25" -> "1.25", "2.50" -> "2.5", "3.00" -> "3".
std::string trim_decimals(std::string s);

//! The <svg> opening, title, desc and the visible title.
std::string open_svg(const ChartText& t, double height);

//! A <text> element; `content` is escaped, `extra` is added to the attributes as it is.
std::string text_at(double x, double y, std::string_view content, const char* anchor = "start", int size = 12,
                    const char* fill = kInk, std::string_view extra = {});

//! Text with a white halo, readable over bars and grid lines.
std::string halo_text(double x, double y, std::string_view content, const char* anchor, int size = 12,
                      const char* fill = kInk);

//! A <line> element; `extra` is added to the attributes as it is.
std::string line_el(double x1, double y1, double x2, double y2, const char* stroke, double width = 1.0,
                    std::string_view extra = {});

//! Vertical grid lines and labels of a horizontal (x) axis at the bottom of the plot, each label
//! written by `tick_label`.
std::string x_axis_labelled(const Scale& x, const std::vector<double>& ticks, double top, double bottom,
                            const TickFormat& tick_label, const std::string& axis_label);

//! Vertical grid lines and labels of a horizontal (x) axis at the bottom of the plot.
std::string x_axis(const Scale& x, const std::vector<double>& ticks, double top, double bottom,
                   const std::string& currency, const std::string& axis_label, bool percent = false);

//! Horizontal grid lines and labels of a vertical (y) axis at the left of the plot (labels as
//! shares unless `tick_label` is given).
std::string y_axis(const Scale& y, const std::vector<double>& ticks, double left, double right,
                   const std::string& axis_label, const TickFormat& tick_label = {});

//! Ticks inside [lo, hi] (with a tolerance for rounding).
std::vector<double> ticks_within(const std::vector<double>& ticks, double lo, double hi);

//! Domain [lo, hi] of a money axis that includes `values`, widened to nice ticks.
std::pair<double, std::vector<double>> money_axis(double lo, double hi, int target);

//! Where a label of `chars` characters starting at x fits: to the right, or else ending at x.
std::pair<double, const char*> fit_label(double x, std::size_t chars, double right_edge, double gap = 5.0);

}  // namespace mistakesim::detail
