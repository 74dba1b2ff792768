// The HTML report layer: chart geometry read back from the emitted SVG, tick labels, escaping of
// study text, SHA-256 known answers, determinism. The browser-rendered check is test_browser.cpp.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mistakesim/compare.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "report/svg.hpp"

using namespace mistakesim;
using namespace mistakesim::detail;

namespace {

using Attributes = std::map<std::string, std::string>;

//! Attributes of every start tag `<tag ...>` whose text contains `must_contain`, in document order.
std::vector<Attributes> elements(const std::string& svg, const std::string& tag,
                                 const std::string& must_contain = "") {
  std::vector<Attributes> out;
  static const std::regex attr(R"re(([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"]*)")re");
  std::size_t pos = 0;
  const std::string open = "<" + tag + " ";
  while ((pos = svg.find(open, pos)) != std::string::npos) {
    const std::size_t end = svg.find('>', pos);
    const std::string text = svg.substr(pos, end - pos);
    pos = end;
    if (!must_contain.empty() && text.find(must_contain) == std::string::npos) continue;
    Attributes a;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), attr); it != std::sregex_iterator(); ++it)
      a[(*it)[1]] = (*it)[2];
    out.push_back(std::move(a));
  }
  return out;
}

double num(const Attributes& a, const std::string& key) {
  const auto it = a.find(key);
  REQUIRE(it != a.end());
  return std::stod(it->second);
}

//! Every numeric geometry attribute (x, y, width, points...) of the SVG parses to a finite number.
void require_finite_geometry(const std::string& svg) {
  static const std::regex geometry(R"re(\s(x|y|x1|x2|y1|y2|cx|cy|r|width|height)="([^"]*)")re");
  int checked = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), geometry); it != std::sregex_iterator(); ++it) {
    const std::string value = (*it)[2];
    INFO((*it)[1] << "=\"" << value << "\"");
    const double v = std::stod(value);
    REQUIRE(std::isfinite(v));
    ++checked;
  }
  static const std::regex points(R"re(points="([^"]*)")re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), points); it != std::sregex_iterator(); ++it) {
    std::string list = (*it)[1];
    std::replace(list.begin(), list.end(), ',', ' ');
    std::istringstream in(list);
    std::string token;
    while (in >> token) {
      INFO("points token " << token);
      REQUIRE(std::isfinite(std::stod(token)));
      ++checked;
    }
  }
  REQUIRE(checked > 0);
  const std::string lower = [&] {
    std::string s = svg;
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }();
  CHECK(lower.find("\"nan") == std::string::npos);
  CHECK(lower.find("\"inf") == std::string::npos);
  CHECK(lower.find("\"-nan") == std::string::npos);
}

//! Value of a money tick label such as "$250K", "-$1.25M", "$0".
double parse_money(std::string label) {
  double sign = 1.0;
  if (!label.empty() && label[0] == '-') {
    sign = -1.0;
    label.erase(0, 1);
  }
  REQUIRE(label.rfind("$", 0) == 0);
  label.erase(0, 1);
  double scale = 1.0;
  switch (label.back()) {
    case 'K':
      scale = 1e3;
      label.pop_back();
      break;
    case 'M':
      scale = 1e6;
      label.pop_back();
      break;
    case 'B':
      scale = 1e9;
      label.pop_back();
      break;
    default:
      break;
  }
  return sign * std::stod(label) * scale;
}

struct Tick {
  double px;
  std::string label;
};

//! The x ticks of a chart: position of their grid line and their text.
std::vector<Tick> x_ticks(const std::string& svg) {
  std::vector<Tick> ticks;
  std::size_t pos = 0;
  static const std::regex x1(R"re(x1="([^"]*)")re");
  static const std::regex label(R"re(<text[^>]*>([^<]*)</text>)re");
  while ((pos = svg.find("<g class=\"tick x\"", pos)) != std::string::npos) {
    const std::size_t end = svg.find("</g>", pos);
    const std::string group = svg.substr(pos, end - pos);
    std::smatch m1, m2;
    REQUIRE(std::regex_search(group, m1, x1));
    REQUIRE(std::regex_search(group, m2, label));
    ticks.push_back({std::stod(m1[1]), m2[1]});
    pos = end;
  }
  return ticks;
}

void require_monotone_money_ticks(const std::string& svg) {
  const std::vector<Tick> ticks = x_ticks(svg);
  REQUIRE(ticks.size() >= 3);
  for (std::size_t i = 1; i < ticks.size(); ++i) {
    INFO("tick " << i << ": " << ticks[i - 1].label << " at " << ticks[i - 1].px << ", then "
                 << ticks[i].label << " at " << ticks[i].px);
    CHECK(ticks[i].px > ticks[i - 1].px);
    CHECK(parse_money(ticks[i].label) > parse_money(ticks[i - 1].label));
  }
  // Evenly spaced values at evenly spaced positions: a linear axis.
  const double dv = parse_money(ticks[1].label) - parse_money(ticks[0].label);
  const double dp = ticks[1].px - ticks[0].px;
  for (std::size_t i = 1; i < ticks.size(); ++i) {
    CHECK(parse_money(ticks[i].label) - parse_money(ticks[i - 1].label) == Approx(dv).epsilon(1e-6));
    CHECK(ticks[i].px - ticks[i - 1].px == Approx(dp).margin(0.02));
  }
}

//! A skewed sample of yearly costs (deterministic): a lognormal-like transform of a grid.
std::vector<double> skewed_costs(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    v[i] = 1.0e6 * std::exp(0.5 * sample_standard_normal(u));
  }
  // Not sorted: the charts must not depend on order.
  std::rotate(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 3), v.end());
  return v;
}

Model load_config(const std::string& name) {
  return load_study(std::filesystem::path(MISTAKESIM_SOURCE_DIR) / "configs" / name);
}

RunInfo test_info() {
  RunInfo info;
  info.threads = 1;
  info.seconds = 0.5;
  info.version = "0.0.test";
  info.build = "test build";
  info.study_file = "configs/test.toml";
  return info;
}

}  // namespace

TEST_CASE("SHA-256 known answers (FIPS 180-4 examples)", "[html][sha256]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits in the first block, padding takes a second one.
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // 112 bytes, the two-block message of FIPS 180-2's SHA-512 example, known SHA-256.
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
                   "mnopqrsmnopqrst"
                   "nopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("SHA-256 of a file is the SHA-256 of its bytes and a missing file is an input error",
          "[html][sha256]") {
  const auto dir = std::filesystem::path(MISTAKESIM_BUILD_DIR) / "test-scratch" / "sha256";
  std::filesystem::create_directories(dir);
  const std::string bytes = std::string("line one\r\nline two\n\0binary", 26);
  std::ofstream(dir / "f.bin", std::ios::binary) << bytes;
  CHECK(sha256_file_hex(dir / "f.bin") == sha256_hex(bytes));
  CHECK_THROWS_AS(sha256_file_hex(dir / "missing.toml"), InputError);
}

TEST_CASE("html_escape escapes the five HTML special characters", "[html][escape]") {
  CHECK(html_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
  CHECK(html_escape("a & \"b\" 'c'") == "a &amp; &quot;b&quot; &#39;c&#39;");
  CHECK(html_escape("Caf\u00e9 \u2014 ok") == "Caf\u00e9 \u2014 ok");
}

TEST_CASE("tick helpers: nice steps covering the range, compact currency labels", "[html][svg]") {
  const std::vector<double> t = nice_ticks(612'345.0, 5'240'000.0, 8);
  REQUIRE(t.size() >= 2);
  CHECK(t.front() <= 612'345.0);
  CHECK(t.back() >= 5'240'000.0);
  for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] - t[i - 1] == Approx(t[1] - t[0]));
  CHECK(t[1] - t[0] == 1'000'000.0);  // nice_ceil(4.63M / 8) = 1M

  CHECK(currency_tick(0.0, "USD") == "$0");
  CHECK(currency_tick(750.0, "USD") == "$750");
  CHECK(currency_tick(2'500.0, "USD") == "$2.5K");
  CHECK(currency_tick(250'000.0, "USD") == "$250K");
  CHECK(currency_tick(1'250'000.0, "USD") == "$1.25M");
  CHECK(currency_tick(3e9, "USD") == "$3B");
  CHECK(currency_tick(-50'000.0, "USD") == "-$50K");
  CHECK(currency_tick(2'500.0, "EUR") == "\u20ac2.5K");
  CHECK(currency_tick(2'500.0, "") == "2.5K");  // no currency: no prefix, as in the text figures
  CHECK(currency_tick(2'500.0, "CHF") == "CHF 2.5K");

  CHECK(currency_label(619'809.0, "USD") == "$620K");
  CHECK(currency_label(2'531'000.0, "USD") == "$2.53M");
  CHECK(currency_label(12'540'000.0, "USD") == "$12.5M");
  CHECK(currency_label(999'600.0, "USD") == "$1M");
  CHECK(currency_label(80.0, "USD") == "$80");
  CHECK(percent_tick(0.025) == "2.5%");
  CHECK(percent_tick(0.4) == "40%");

  CHECK(clip_label("short", 10) == "short");
  CHECK(clip_label("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 4) == "\u00e9\u00e9\u00e9\u2026");
  CHECK_THROWS_AS(coord(std::nan("")), InvariantError);
  CHECK_THROWS_AS(coord(INFINITY), InvariantError);
  CHECK(coord(-0.001) == "0.00");
}

TEST_CASE("histogram chart: one bar per bin, heights proportional to counts, markers at their values",
          "[html][svg]") {
  const std::vector<double> costs = skewed_costs(20000);
  const Histogram h = histogram(costs, 40);
  std::vector<double> sorted = costs;
  std::sort(sorted.begin(), sorted.end());
  const double p50 = quantile_sorted(sorted, 0.5), p90 = quantile_sorted(sorted, 0.9),
               p95 = quantile_sorted(sorted, 0.95);
  const std::string svg = histogram_svg(
      h, costs.size(), {{p50, "P50", "median"}, {p90, "P90", "1 in 10"}, {p95, "P95", "1 in 20"}}, "USD",
      {"h", "Title", "desc", "yearly cost", "share of years"}, "a note");

  const auto bars = elements(svg, "rect", "class=\"bar\"");
  REQUIRE(bars.size() == h.counts.size());

  // Heights: height / count is the same for every bar (within the 0.01 px rounding of coordinates).
  const std::size_t tallest =
      static_cast<std::size_t>(std::max_element(h.counts.begin(), h.counts.end()) - h.counts.begin());
  const double px_per_year = num(bars[tallest], "height") / static_cast<double>(h.counts[tallest]);
  REQUIRE(px_per_year > 0.0);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    INFO("bar " << i << " count " << h.counts[i]);
    CHECK(std::stoull(bars[i].at("data-count")) == h.counts[i]);
    CHECK(num(bars[i], "height") == Approx(px_per_year * static_cast<double>(h.counts[i])).margin(0.011));
    // Bars stand on the same baseline.
    CHECK(num(bars[i], "y") + num(bars[i], "height") ==
          Approx(num(bars[0], "y") + num(bars[0], "height")).margin(0.011));
  }
  // Bars are laid out left to right at a constant pitch: bar i starts at x(edge i).
  const double x0 = num(bars[0], "x");
  const double pitch = num(bars[1], "x") - x0;
  for (std::size_t i = 1; i < bars.size(); ++i)
    CHECK(num(bars[i], "x") - num(bars[i - 1], "x") == Approx(pitch).margin(0.011));
  // The bars' scale, from the first and last bars' left edges (each rounded to 0.01 px only once).
  const double x_last = num(bars.back(), "x");
  const double e_last = h.edges[h.counts.size() - 1];
  const auto x_of = [&](double v) {
    return x0 + (v - h.edges.front()) / (e_last - h.edges.front()) * (x_last - x0);
  };

  const auto markers = elements(svg, "line", "class=\"marker\"");
  REQUIRE(markers.size() == 3);
  const std::map<std::string, double> expected = {{"P50", p50}, {"P90", p90}, {"P95", p95}};
  for (const Attributes& m : markers) {
    INFO("marker " << m.at("data-key"));
    const double v = expected.at(m.at("data-key"));
    CHECK(num(m, "x1") == Approx(x_of(v)).margin(0.02));
    CHECK(num(m, "x2") == num(m, "x1"));
  }
  CHECK(num(markers[0], "x1") < num(markers[1], "x1"));
  CHECK(num(markers[1], "x1") < num(markers[2], "x1"));

  require_monotone_money_ticks(svg);
  // The x ticks sit on the same scale as the bars.
  for (const Tick& t : x_ticks(svg)) CHECK(t.px == Approx(x_of(parse_money(t.label))).margin(0.02));
  require_finite_geometry(svg);
  CHECK(svg.find("<title") != std::string::npos);
  CHECK(svg.find("yearly cost") != std::string::npos);
}

TEST_CASE("exceedance chart: a falling curve over money ticks, markers on the curve", "[html][svg]") {
  std::vector<double> sorted = skewed_costs(5000);
  std::sort(sorted.begin(), sorted.end());
  const double p90 = quantile_sorted(sorted, 0.9);
  const std::string svg = exceedance_svg(sorted, quantile_sorted(sorted, 0.995), {{p90, "P90", "1 in 10"}},
                                         "USD", {"e", "Exceedance", "desc", "cost X", "chance"});
  require_finite_geometry(svg);
  require_monotone_money_ticks(svg);

  const auto curves = elements(svg, "polyline", "class=\"curve\"");
  REQUIRE(curves.size() == 1);
  std::string list = curves[0].at("points");
  std::replace(list.begin(), list.end(), ',', ' ');
  std::istringstream in(list);
  std::vector<std::pair<double, double>> pts;
  double px, py;
  while (in >> px >> py) pts.emplace_back(px, py);
  REQUIRE(pts.size() > 100);
  for (std::size_t i = 1; i < pts.size(); ++i) {
    CHECK(pts[i].first > pts[i - 1].first);     // x increases
    CHECK(pts[i].second >= pts[i - 1].second);  // the chance falls: SVG y grows downwards
  }
  // The P90 marker is at its value on the money axis and at a 10% chance on the y axis.
  const std::vector<Tick> ticks = x_ticks(svg);
  const double v0 = parse_money(ticks.front().label), v1 = parse_money(ticks.back().label);
  const double expected_x = ticks.front().px + (p90 - v0) / (v1 - v0) * (ticks.back().px - ticks.front().px);
  const auto markers = elements(svg, "line", "class=\"marker\"");
  REQUIRE(markers.size() == 1);
  CHECK(num(markers[0], "x1") == Approx(expected_x).margin(0.02));
  const double y_top = num(markers[0], "y1"), y_axis = num(markers[0], "y2");
  const double y_at_100 = pts.front().second;  // the curve starts at 100% (all years cost more than 0)
  CHECK((y_axis - y_top) / (y_axis - y_at_100) == Approx(0.10).margin(0.002));
}

TEST_CASE("known/unknown, mistake and savings charts: geometry follows the numbers", "[html][svg]") {
  SECTION("stacked bars: known then unknown, widths proportional to the amounts") {
    const std::string svg = known_unknown_svg({{"average", 1.0e6, 1.5e6}, {"worst 5%", 2.0e6, 2.5e6}}, "USD",
                                              {"k", "Known", "desc", "cost", ""});
    require_finite_geometry(svg);
    require_monotone_money_ticks(svg);
    const auto known = elements(svg, "rect", "class=\"stack known\"");
    const auto unknown = elements(svg, "rect", "class=\"stack unknown\"");
    REQUIRE(known.size() == 2);
    REQUIRE(unknown.size() == 2);
    CHECK(num(unknown[0], "width") / num(known[0], "width") == Approx(1.5).epsilon(1e-3));
    CHECK(num(unknown[0], "x") == Approx(num(known[0], "x") + num(known[0], "width")).margin(0.011));
    CHECK(num(known[1], "width") / num(known[0], "width") == Approx(2.0).epsilon(1e-3));
  }
  SECTION("mistake bars: two bars per mistake, in the order given") {
    const std::string svg = mistake_bars_svg({{"A", 600e3, 1.3e6, 0.4, 0.5}, {"B", 300e3, 300e3, 0.2, 0.1}},
                                             "USD", {"m", "Mistakes", "desc", "cost", ""});
    require_finite_geometry(svg);
    require_monotone_money_ticks(svg);
    const auto mean_bars = elements(svg, "rect", "mistake-bar mean");
    const auto tail_bars = elements(svg, "rect", "mistake-bar tail");
    REQUIRE(mean_bars.size() == 2);
    REQUIRE(tail_bars.size() == 2);
    CHECK(num(mean_bars[0], "width") / num(mean_bars[1], "width") == Approx(2.0).epsilon(1e-3));
    CHECK(num(tail_bars[0], "width") / num(mean_bars[0], "width") == Approx(1.3e6 / 600e3).epsilon(1e-3));
    CHECK(svg.find("$600K \u00b7 40% of the average year") != std::string::npos);
  }
  SECTION("savings boxes: whiskers, box and cost at their values, negative savings allowed") {
    const std::string svg =
        savings_box_svg({{"Train", -50e3, 100e3, 200e3, 300e3, 500e3, 210e3, 120e3, "pays off"}}, "USD",
                        {"b", "Savings", "desc", "savings", ""});
    require_finite_geometry(svg);
    require_monotone_money_ticks(svg);
    const std::vector<Tick> ticks = x_ticks(svg);
    const double v0 = parse_money(ticks.front().label), v1 = parse_money(ticks.back().label);
    const auto x_of = [&](double v) {
      return ticks.front().px + (v - v0) / (v1 - v0) * (ticks.back().px - ticks.front().px);
    };
    const auto cost = elements(svg, "line", "class=\"cost\"");
    REQUIRE(cost.size() == 1);
    CHECK(num(cost[0], "x1") == Approx(x_of(120e3)).margin(0.02));
    const auto boxes = elements(svg, "rect", "fill=\"#dbe5f1\" stroke=\"#4e79a7\" stroke-width=\"1.5\"");
    REQUIRE(boxes.size() == 1);
    CHECK(num(boxes[0], "x") == Approx(x_of(100e3)).margin(0.02));
    CHECK(num(boxes[0], "x") + num(boxes[0], "width") == Approx(x_of(300e3)).margin(0.03));
    CHECK(v0 <= -50e3);
  }
}

TEST_CASE("charts of degenerate data have no NaN: every year costs the same, or no year at all",
          "[html][svg]") {
  const std::vector<double> same(1000, 80'000.0);
  const Histogram h = histogram(same, 40);
  const std::string svg =
      histogram_svg(h, same.size(), {{80'000.0, "P50", "median"}}, "USD", {"h", "t", "d", "x", "y"});
  require_finite_geometry(svg);
  CHECK(elements(svg, "rect", "class=\"bar\"").size() == h.counts.size());
  require_finite_geometry(
      exceedance_svg(same, 80'000.0, {{80'000.0, "P90", "p90"}}, "USD", {"e", "t", "d", "x", "y"}));
  require_finite_geometry(known_unknown_svg({{"avg", 0.0, 0.0}}, "USD", {"k", "t", "d", "x", ""}));
  require_finite_geometry(histogram_svg(Histogram{}, 0, {}, "USD", {"h0", "t", "d", "x", "y"}));
}

TEST_CASE("run report: study text is escaped, nothing external, deterministic, every chart present",
          "[html][report]") {
  Model model = load_config("seed-case-uncertain.toml");
  model.name = "<script>alert(1)</script>";
  REQUIRE(!model.mistakes.empty());
  model.mistakes[0].name = "Pilot \"criteria\" <b>missing</b> & 'late'";
  model.mistakes[0].stage = "<i>pilot</i>";
  RunInfo info = test_info();
  info.study_file = "configs/<img src=x onerror=alert(2)>.toml";

  RunOptions options;
  options.trials = 2000;
  options.threads = 1;
  const TrialResults results = run_trials(model, Scenario{}, options);
  const std::string html = run_report_html(model, results, summarize_run(results, SummaryScope::report), info,
                                           sha256_hex("study bytes"), "2027-01-01T00:00:00Z");

  // The study's name appears only escaped; no tag from the study survives.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<b>missing") == std::string::npos);
  CHECK(html.find("Pilot &quot;criteria&quot; &lt;b&gt;missing&lt;/b&gt; &amp; &#39;late&#39;") !=
        std::string::npos);
  CHECK(html.find("<i>pilot") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(2)&gt;") != std::string::npos);

  // Self-contained: no URL, no src/href, no @import or url().
  for (const char* forbidden :
       {"http://", "https://", "src=\"", "href=", "@import", "url(", "<link", "<iframe"})
    CHECK_FALSE(html.find(forbidden) != std::string::npos);

  // Every chart, with a title and non-zero size.
  for (const char* id : {"run-histogram", "run-exceedance", "run-known-unknown", "run-mistakes"}) {
    INFO(id);
    const auto svg = elements(html, "svg", std::string("id=\"") + id + "\"");
    REQUIRE(svg.size() == 1);
    CHECK(num(svg[0], "width") > 0.0);
    CHECK(num(svg[0], "height") > 0.0);
  }
  require_finite_geometry(html);
  CHECK(html.find(sha256_hex("study bytes")) != std::string::npos);
  CHECK(html.find("2027-01-01T00:00:00Z") != std::string::npos);

  // Deterministic: same results and date give the same bytes; 1 and 2 threads give the same results.
  options.threads = 2;
  const TrialResults again = run_trials(model, Scenario{}, options);
  CHECK(run_report_html(model, again, summarize_run(again, SummaryScope::report), info,
                        sha256_hex("study bytes"), "2027-01-01T00:00:00Z") == html);
}

TEST_CASE("run report of the seed case: every year costs exactly $80,000, all known", "[html][report]") {
  const Model model = load_config("seed-case.toml");
  RunOptions options;
  options.trials = 500;
  const TrialResults results = run_trials(model, Scenario{}, options);
  const std::string html = run_report_html(model, results, summarize_run(results, SummaryScope::report),
                                           test_info(), "0", "2027-01-01T00:00:00Z");
  require_finite_geometry(html);
  CHECK(html.find("<span class=\"value\">$80,000</span>") != std::string::npos);
  CHECK(html.find("<span class=\"value\">0%</span>") != std::string::npos);  // nothing unknown
}

TEST_CASE("run report with a year whose cost is NaN: drawn without it, as the JSON counts it",
          "[html][report]") {
  // The engine reports numerical trouble as a NaN yearly cost (json: numerical.years_with_nan_cost);
  // the page must leave that year out like the table and the JSON do, not refuse to draw.
  const Model model = load_config("seed-case.toml");
  RunOptions options;
  options.trials = 500;
  TrialResults results = run_trials(model, Scenario{}, options);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  results.cost_total[7] = results.cost_known[7] = nan;
  results.mistake_costs[7] = nan;
  const std::string html = run_report_html(model, results, summarize_run(results, SummaryScope::report),
                                           test_info(), "0", "2027-01-01T00:00:00Z");
  require_finite_geometry(html);
  CHECK(html.find("<span class=\"value\">$80,000</span>") != std::string::npos);  // the other 499 years
  CHECK(html.find("NaN") == std::string::npos);
  CHECK_FALSE(std::regex_search(html, std::regex("[^a-z]nan[^a-z]")));  // "provenance" is fine
}

TEST_CASE("compare report: one savings box per intervention, escaped names, nothing external",
          "[html][report]") {
  Model model = load_config("training-options.toml");
  REQUIRE(!model.interventions.empty());
  model.interventions[0].name = "<script>bad()</script> training";
  CompareOptions options;
  options.run.trials = 1000;
  options.break_even_trials = 500;
  const Comparison cmp = compare(model, all_interventions(model), options);
  const std::string html = compare_report_html(model, cmp, test_info(), "abc", "2027-01-01T00:00:00Z");

  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;bad()&lt;/script&gt; training") != std::string::npos);
  for (const char* forbidden : {"http://", "https://", "src=\"", "href="})
    CHECK_FALSE(html.find(forbidden) != std::string::npos);
  CHECK(elements(html, "g", "class=\"box\"").size() == cmp.candidates.size());
  CHECK(elements(html, "line", "class=\"cost\"").size() == cmp.candidates.size());
  for (const char* id :
       {"compare-savings", "compare-histogram", "compare-exceedance", "compare-known-unknown"}) {
    INFO(id);
    CHECK(elements(html, "svg", std::string("id=\"") + id + "\"").size() == 1);
  }
  require_finite_geometry(html);
  CHECK(html.find("pays off in") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// What-if reports: sweep line + band, heat map, tornado, and the two pages.

namespace {

//! Points of a polyline/polygon "x,y x,y ..." attribute.
std::vector<std::pair<double, double>> point_list(const std::string& attr) {
  std::string list = attr;
  std::replace(list.begin(), list.end(), ',', ' ');
  std::istringstream in(list);
  std::vector<std::pair<double, double>> pts;
  double px, py;
  while (in >> px >> py) pts.emplace_back(px, py);
  return pts;
}

//! Pixel y of a money value on a chart's y axis, from its first and last y ticks (data-value, y1).
struct YAxis {
  double v0, p0, v1, p1;
  double operator()(double v) const { return p0 + (v - v0) / (v1 - v0) * (p1 - p0); }
};
YAxis y_axis_of(const std::string& svg) {
  std::vector<std::pair<double, double>> ticks;  // value, pixel
  std::size_t pos = 0;
  static const std::regex value(R"re(data-value="([^"]*)")re"), y1(R"re(y1="([^"]*)")re");
  while ((pos = svg.find("<g class=\"tick y\"", pos)) != std::string::npos) {
    const std::size_t end = svg.find("</g>", pos);
    const std::string group = svg.substr(pos, end - pos);
    std::smatch mv, my;
    REQUIRE(std::regex_search(group, mv, value));
    REQUIRE(std::regex_search(group, my, y1));
    ticks.emplace_back(std::stod(mv[1]), std::stod(my[1]));
    pos = end;
  }
  REQUIRE(ticks.size() >= 2);
  return {ticks.front().first, ticks.front().second, ticks.back().first, ticks.back().second};
}

//! Relative luminance (sRGB, WCAG) of "#rrggbb".
double luminance(const std::string& hex) {
  REQUIRE(hex.size() == 7);
  const auto channel = [&](int i) {
    const double c = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

}  // namespace

TEST_CASE("sweep chart: the mean line at the means, the band between the P05 and P95 lines",
          "[html][svg][whatif]") {
  const SweepSeries series{
      "", {0.1, 0.25, 0.4}, {2.43e6, 2.73e6, 3.04e6}, {1.74e6, 1.98e6, 2.22e6}, {3.17e6, 3.55e6, 3.93e6}};
  const TickFormat pct = [](double v) { return percent_tick(v); };
  const std::string svg = sweep_line_svg({series}, pct, 0.3, "the study's mean: 30%", "USD",
                                         {"s", "Sweep", "desc", "mistake.x.probability", "yearly cost"});
  require_finite_geometry(svg);
  const YAxis y = y_axis_of(svg);

  // The mean line and its points: at the means, left to right.
  const auto points = elements(svg, "circle", "class=\"point\"");
  REQUIRE(points.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("point " << i);
    CHECK(num(points[i], "cy") == Approx(y(series.mean[i])).margin(0.02));
    CHECK(num(points[i], "data-mean") == Approx(series.mean[i]));
    if (i > 0) CHECK(num(points[i], "cx") > num(points[i - 1], "cx"));
  }
  // Equal steps in value are equal steps in x (a linear parameter axis).
  CHECK(num(points[1], "cx") - num(points[0], "cx") ==
        Approx(num(points[2], "cx") - num(points[1], "cx")).margin(0.02));
  const auto mean_line = point_list(elements(svg, "polyline", "class=\"mean-line\"").at(0).at("points"));
  REQUIRE(mean_line.size() == 3);

  // The band's upper edge is the P95 line, its lower edge the P05 line, and the mean lies inside it.
  const auto p90 = point_list(elements(svg, "polyline", "class=\"p95-line\"").at(0).at("points"));
  const auto p10 = point_list(elements(svg, "polyline", "class=\"p05-line\"").at(0).at("points"));
  const auto band = point_list(elements(svg, "polygon", "class=\"band\"").at(0).at("points"));
  REQUIRE(p90.size() == 3);
  REQUIRE(p10.size() == 3);
  REQUIRE(band.size() == 6);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("point " << i);
    CHECK(p90[i].second == Approx(y(series.p95[i])).margin(0.02));
    CHECK(p10[i].second == Approx(y(series.p05[i])).margin(0.02));
    CHECK(band[i] == p90[i]);      // along the top, left to right
    CHECK(band[5 - i] == p10[i]);  // back along the bottom, right to left
    CHECK(band[i].first == mean_line[i].first);
    CHECK(p90[i].second < mean_line[i].second);  // SVG y grows downwards: P95 above the mean,
    CHECK(mean_line[i].second < p10[i].second);  // P05 below it
  }
  // The study's own value: a marker at 30%, a third of the way from 25% to 40%... on the same x scale.
  const auto marker = elements(svg, "line", "data-key=\"study\"");
  REQUIRE(marker.size() == 1);
  const double x01 = num(points[0], "cx"), x04 = num(points[2], "cx");
  CHECK(num(marker[0], "x1") == Approx(x01 + (0.3 - 0.1) / 0.3 * (x04 - x01)).margin(0.02));
  CHECK(svg.find("the study&#39;s mean: 30%") != std::string::npos);
  // Currency ticks on y, percentages on x.
  CHECK(svg.find(">$1M</text>") != std::string::npos);
  CHECK(svg.find(">25%</text>") != std::string::npos);

  SECTION("the study's value outside the swept range is not marked") {
    const std::string out = sweep_line_svg({series}, pct, 0.6, "study", "USD", {"s", "t", "d", "x", "y"});
    CHECK(elements(out, "line", "data-key=\"study\"").empty());
  }
  SECTION("a grid draws one line per series and no band") {
    SweepSeries second = series;
    second.label = "late pricing 30%";
    for (double& m : second.mean) m += 2e5;
    const std::string out =
        sweep_line_svg({series, second}, pct, std::nullopt, "", "USD", {"s", "t", "d", "x", "y"});
    require_finite_geometry(out);
    CHECK(elements(out, "polyline", "class=\"mean-line\"").size() == 2);
    CHECK(elements(out, "circle", "class=\"point\"").size() == 6);
    CHECK(elements(out, "polygon", "class=\"band\"").empty());
  }
  SECTION("a single point, and every value equal: no NaN") {
    require_finite_geometry(
        sweep_line_svg({{"", {0.5}, {1e6}, {1e6}, {1e6}}}, pct, 0.5, "s", "USD", {"s", "t", "d", "x", "y"}));
    require_finite_geometry(sweep_line_svg({{"", {0.1, 0.2}, {0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}}}, pct, {},
                                           "", "USD", {"s", "t", "d", "x", "y"}));
  }
}

TEST_CASE("heat map: one cell per grid point, colour darker as the cost rises, a legend",
          "[html][svg][whatif]") {
  const std::vector<std::string> columns = {"40%", "50%", "60%"};
  const std::vector<std::string> rows = {"30%", "10%"};
  const std::vector<double> values = {2.9e6, 2.5e6, 2.1e6, 2.6e6, 2.2e6, 1.8e6};
  const std::string svg =
      heat_map_svg(columns, rows, values, "USD", {"h", "Grid", "desc", "close rate", "late pricing"});
  require_finite_geometry(svg);
  const auto cells = elements(svg, "rect", "class=\"cell\"");
  REQUIRE(cells.size() == columns.size() * rows.size());
  std::vector<std::pair<double, double>> value_luminance;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const std::size_t r = std::stoul(cells[k].at("data-row")), c = std::stoul(cells[k].at("data-col"));
    INFO("cell " << r << "," << c);
    CHECK(num(cells[k], "data-value") == values[r * columns.size() + c]);
    CHECK(num(cells[k], "x") ==
          Approx(num(cells[0], "x") + static_cast<double>(c) * num(cells[0], "width")).margin(0.02));
    CHECK(num(cells[k], "y") ==
          Approx(num(cells[0], "y") + static_cast<double>(r) * num(cells[0], "height")).margin(0.02));
    value_luminance.emplace_back(num(cells[k], "data-value"), luminance(cells[k].at("fill")));
  }
  std::sort(value_luminance.begin(), value_luminance.end());
  for (std::size_t k = 1; k < value_luminance.size(); ++k) {
    INFO(value_luminance[k - 1].first << " -> " << value_luminance[k].first);
    CHECK(value_luminance[k].second < value_luminance[k - 1].second);  // costlier is strictly darker
  }
  // The scale itself: every channel falls as t rises, so the colour darkens monotonically.
  for (int i = 1; i <= 100; ++i)
    CHECK(luminance(heat_colour(i / 100.0)) <= luminance(heat_colour((i - 1) / 100.0)));
  CHECK(heat_colour(-1.0) == heat_colour(0.0));
  CHECK(heat_colour(std::nan("")) == heat_colour(0.0));
  // Values written in the cells when they fit (wide cells here), a legend of swatches from min to max.
  CHECK(elements(svg, "text", "class=\"cell-value\"").size() == values.size());
  CHECK(svg.find(">$2.9M</text>") != std::string::npos);
  const auto swatches = elements(svg, "rect", "class=\"swatch\"");
  REQUIRE(swatches.size() >= 3);
  CHECK(num(swatches.front(), "data-value") == Approx(1.8e6));
  CHECK(num(swatches.back(), "data-value") == Approx(2.9e6));

  SECTION("cells too narrow for their value carry it only in the tooltip") {
    std::vector<std::string> many(40, "x");
    const std::string narrow =
        heat_map_svg(many, {"a"}, std::vector<double>(40, 1.5e6), "USD", {"h", "t", "d", "x", "y"});
    require_finite_geometry(narrow);
    CHECK(elements(narrow, "rect", "class=\"cell\"").size() == 40);
    CHECK(elements(narrow, "text", "class=\"cell-value\"").empty());
  }
}

TEST_CASE("tornado: bars sorted by |swing|, widths proportional to the swing, centred on the average",
          "[html][svg][whatif]") {
  const std::vector<TornadoRow> rows = {
      {"close rate", "pipeline.close_rate", 2.5e6, 3.1e6, "\u2264 48%", "\u2265 72%"},
      {"good fit", "pipeline.good_fit", 2.4e6, 3.2e6, "\u2264 30%", "\u2265 42%"},
      {"noticed", "mistake.a.noticed", 2.9e6, 2.7e6, "\u2264 10%", "\u2265 40%"}};
  const std::string svg =
      tornado_svg(rows, 2.85e6, "USD", {"t", "Tornado", "desc", "average yearly cost", ""});
  require_finite_geometry(svg);
  require_monotone_money_ticks(svg);
  const auto bars = elements(svg, "rect", "class=\"tornado-bar\"");
  REQUIRE(bars.size() == 3);
  CHECK(bars[0].at("data-param") == "pipeline.good_fit");
  CHECK(bars[1].at("data-param") == "pipeline.close_rate");
  CHECK(bars[2].at("data-param") == "mistake.a.noticed");
  for (std::size_t i = 1; i < bars.size(); ++i) {
    CHECK(std::abs(num(bars[i], "data-swing")) <= std::abs(num(bars[i - 1], "data-swing")));
    CHECK(num(bars[i], "y") > num(bars[i - 1], "y"));
  }
  // Width / |swing| is the same for every bar, and each bar spans [low, high] on the money axis.
  const std::vector<Tick> ticks = x_ticks(svg);
  const double v0 = parse_money(ticks.front().label), v1 = parse_money(ticks.back().label);
  const auto x_of = [&](double v) {
    return ticks.front().px + (v - v0) / (v1 - v0) * (ticks.back().px - ticks.front().px);
  };
  const double px_per_dollar = num(bars[0], "width") / 0.8e6;
  for (const Attributes& b : bars) {
    INFO(b.at("data-param"));
    const double low = num(b, "data-low"), high = num(b, "data-high");
    CHECK(num(b, "width") == Approx(px_per_dollar * std::abs(high - low)).margin(0.02));
    CHECK(num(b, "x") == Approx(x_of(std::min(low, high))).margin(0.02));
  }
  CHECK(bars[2].at("fill") != bars[0].at("fill"));  // higher input, lower cost: the other colour
  const auto centre = elements(svg, "line", "data-key=\"mean\"");
  REQUIRE(centre.size() == 1);
  CHECK(num(centre[0], "x1") == Approx(x_of(2.85e6)).margin(0.02));
  // The low-input end is labelled with the input's P10, the high one with its P90.
  CHECK(svg.find("\u2264 48%: $2.5M") != std::string::npos);
  CHECK(svg.find("\u2265 72%: $3.1M") != std::string::npos);
  require_finite_geometry(tornado_svg({}, 1e6, "USD", {"t0", "t", "d", "x", ""}));
  require_finite_geometry(tornado_svg({{"a", "a", 1e6, 1e6, "", ""}}, 1e6, "USD", {"t1", "t", "d", "x", ""}));
}

TEST_CASE("sweep and sensitivity reports: escaped study text, every chart, nothing external, deterministic",
          "[html][report][whatif]") {
  Model model = load_config("mid-market.toml");
  model.name = "<script>alert(1)</script>";
  REQUIRE(model.mistakes.size() >= 2);
  model.mistakes[1].name = "Discovery <b>skipped</b> & \"rushed\"";
  const std::string path = "mistake." + model.mistakes[1].id + ".probability";
  RunInfo info = test_info();
  info.study_file = "configs/<img src=x onerror=alert(2)>.toml";
  RunOptions options;
  options.trials = 1000;
  options.threads = 2;

  const auto require_safe = [](const std::string& html) {
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(html.find("<b>skipped") == std::string::npos);
    CHECK(html.find("Discovery &lt;b&gt;skipped&lt;/b&gt; &amp; &quot;rushed&quot;") != std::string::npos);
    CHECK(html.find("<img") == std::string::npos);
    for (const char* forbidden :
         {"http://", "https://", "src=\"", "href=", "@import", "url(", "<link", "<iframe"})
      CHECK_FALSE(html.find(forbidden) != std::string::npos);
    require_finite_geometry(html);
    CHECK(html.find(sha256_hex("study bytes")) != std::string::npos);
    CHECK(html.find("2027-01-01T00:00:00Z") != std::string::npos);
  };

  SECTION("sweep of one parameter") {
    const SweepAxis axis = make_sweep_axis(model, path, {0.1, 0.25, 0.4});
    const Sweep sweep = run_sweep(model, axis, std::nullopt, options);
    const std::string html =
        sweep_report_html(model, sweep, info, sha256_hex("study bytes"), "2027-01-01T00:00:00Z");
    require_safe(html);
    CHECK(elements(html, "svg", "id=\"sweep-line\"").size() == 1);
    CHECK(elements(html, "svg", "id=\"sweep-heat-map\"").empty());
    CHECK(elements(html, "circle", "class=\"point\"").size() == 3);
    CHECK(html.find("how often \u201c") != std::string::npos);  // the plain-words name
    // The headline states the paired change of the last point and its margin.
    const Summary& change = sweep.points.back().change_from_first;
    CHECK(html.find(format_currency(change.mean, model.currency)) != std::string::npos);
    CHECK(html.find(format_currency(0.5 * (change.mean_ci95_hi - change.mean_ci95_lo), model.currency)) !=
          std::string::npos);
    options.threads = 1;
    CHECK(sweep_report_html(model, run_sweep(model, axis, std::nullopt, options), info,
                            sha256_hex("study bytes"), "2027-01-01T00:00:00Z") == html);
  }
  SECTION("sweep on a grid: a heat map with one cell per point") {
    options.trials = 300;
    const SweepAxis axis = make_sweep_axis(model, "pipeline.close_rate", {0.5, 0.6, 0.7});
    const SweepAxis axis2 = make_sweep_axis(model, path, {0.1, 0.3}, "--param2");
    const Sweep sweep = run_sweep(model, axis, axis2, options);
    const std::string html =
        sweep_report_html(model, sweep, info, sha256_hex("study bytes"), "2027-01-01T00:00:00Z");
    require_safe(html);
    CHECK(elements(html, "svg", "id=\"sweep-heat-map\"").size() == 1);
    CHECK(elements(html, "rect", "class=\"cell\"").size() == sweep.points.size());
    CHECK(elements(html, "polyline", "class=\"mean-line\"").size() == 2);
  }
  SECTION("sensitivity") {
    const TrialResults results = run_trials(model, Scenario{}, options);
    const Sensitivity s = sensitivity(model, results);
    const std::string html =
        sensitivity_report_html(model, s, info, sha256_hex("study bytes"), "2027-01-01T00:00:00Z");
    require_safe(html);
    CHECK(elements(html, "svg", "id=\"sensitivity-tornado\"").size() == 1);
    std::size_t varying = 0;
    for (const InputInfluence& in : s.inputs) varying += in.sd > 0.0 ? 1 : 0;
    CHECK(elements(html, "rect", "class=\"tornado-bar\"").size() == varying);
    // The plain-words paragraph names the input with the largest swing.
    const auto top = std::max_element(s.inputs.begin(), s.inputs.end(), [](const auto& a, const auto& b) {
      return std::abs(a.swing_p10_p90) < std::abs(b.swing_p10_p90);
    });
    CHECK(html.find("Narrowing the range of <strong>" + html_escape(input_plain_name(model, top->param))) !=
          std::string::npos);
    for (const InputInfluence& in : s.inputs) {
      INFO(in.param);
      CHECK(in.cost_high - in.cost_low == Approx(in.swing_p10_p90).margin(1e-6));
    }
  }
}

TEST_CASE("input_plain_name: plain words for year-level paths, the path itself otherwise", "[html][whatif]") {
  const Model model = load_config("mid-market.toml");
  CHECK(input_plain_name(model, "pipeline.close_rate") == "close rate");
  CHECK(input_plain_name(model, "team.hourly_cost") == "hourly cost of the team");
  const Mistake& m = model.mistakes.at(0);
  CHECK(input_plain_name(model, "mistake." + m.id + ".probability") ==
        "how often \u201c" + m.name + "\u201d happens");
  CHECK(input_plain_name(model, "mistake." + m.id + ".lose") ==
        "chance \u201c" + m.name + "\u201d loses the deal");
  CHECK(input_plain_name(model, "no.such.path") == "no.such.path");
}
