// The HTML report layer: chart geometry read back from the emitted SVG, tick labels, escaping of
// study text, SHA-256 known answers, determinism. The browser-rendered check is test_browser.cpp.

#include "report/svg.hpp"

#include <mistakesim/compare.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

using namespace mistakesim;
using namespace mistakesim::detail;

namespace {

using Attributes = std::map<std::string, std::string>;

//! Attributes of every start tag `<tag ...>` whose text contains `must_contain`, in document order.
std::vector<Attributes> elements(const std::string& svg, const std::string& tag, const std::string& must_contain = "") {
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
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
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
    case 'K': scale = 1e3; label.pop_back(); break;
    case 'M': scale = 1e6; label.pop_back(); break;
    case 'B': scale = 1e9; label.pop_back(); break;
    default: break;
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
    INFO("tick " << i << ": " << ticks[i - 1].label << " at " << ticks[i - 1].px << ", then " << ticks[i].label << " at "
                 << ticks[i].px);
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
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // 112 bytes, the two-block message of FIPS 180-2's SHA-512 example, known SHA-256.
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
                   "nopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("SHA-256 of a file is the SHA-256 of its bytes; a missing file is an input error", "[html][sha256]") {
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
  const double p50 = quantile_sorted(sorted, 0.5), p90 = quantile_sorted(sorted, 0.9), p95 = quantile_sorted(sorted, 0.95);
  const std::string svg = histogram_svg(h, costs.size(), {{p50, "P50", "median"}, {p90, "P90", "1 in 10"}, {p95, "P95", "1 in 20"}},
                                        "USD", {"h", "Title", "desc", "yearly cost", "share of years"}, "a note");

  const auto bars = elements(svg, "rect", "class=\"bar\"");
  REQUIRE(bars.size() == h.counts.size());

  // Heights: height / count is the same for every bar (within the 0.01 px rounding of coordinates).
  const std::size_t tallest = static_cast<std::size_t>(std::max_element(h.counts.begin(), h.counts.end()) - h.counts.begin());
  const double px_per_year = num(bars[tallest], "height") / static_cast<double>(h.counts[tallest]);
  REQUIRE(px_per_year > 0.0);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    INFO("bar " << i << " count " << h.counts[i]);
    CHECK(std::stoull(bars[i].at("data-count")) == h.counts[i]);
    CHECK(num(bars[i], "height") == Approx(px_per_year * static_cast<double>(h.counts[i])).margin(0.011));
    // Bars stand on the same baseline.
    CHECK(num(bars[i], "y") + num(bars[i], "height") == Approx(num(bars[0], "y") + num(bars[0], "height")).margin(0.011));
  }
  // Bars are laid out left to right at a constant pitch: bar i starts at x(edge i).
  const double x0 = num(bars[0], "x");
  const double pitch = num(bars[1], "x") - x0;
  for (std::size_t i = 1; i < bars.size(); ++i) CHECK(num(bars[i], "x") - num(bars[i - 1], "x") == Approx(pitch).margin(0.011));
  // The bars' scale, from the first and last bars' left edges (each rounded to 0.01 px only once).
  const double x_last = num(bars.back(), "x");
  const double e_last = h.edges[h.counts.size() - 1];
  const auto x_of = [&](double v) { return x0 + (v - h.edges.front()) / (e_last - h.edges.front()) * (x_last - x0); };

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
  const std::string svg = exceedance_svg(sorted, quantile_sorted(sorted, 0.995), {{p90, "P90", "1 in 10"}}, "USD",
                                         {"e", "Exceedance", "desc", "cost X", "chance"});
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
    CHECK(pts[i].first > pts[i - 1].first);    // x increases
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
    const std::string svg = mistake_bars_svg({{"A", 600e3, 1.3e6, 0.4, 0.5}, {"B", 300e3, 300e3, 0.2, 0.1}}, "USD",
                                             {"m", "Mistakes", "desc", "cost", ""});
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
    const std::string svg = savings_box_svg({{"Train", -50e3, 100e3, 200e3, 300e3, 500e3, 210e3, 120e3, "pays off"}},
                                            "USD", {"b", "Savings", "desc", "savings", ""});
    require_finite_geometry(svg);
    require_monotone_money_ticks(svg);
    const std::vector<Tick> ticks = x_ticks(svg);
    const double v0 = parse_money(ticks.front().label), v1 = parse_money(ticks.back().label);
    const auto x_of = [&](double v) { return ticks.front().px + (v - v0) / (v1 - v0) * (ticks.back().px - ticks.front().px); };
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

TEST_CASE("charts of degenerate data have no NaN: every year costs the same, or no year at all", "[html][svg]") {
  const std::vector<double> same(1000, 80'000.0);
  const Histogram h = histogram(same, 40);
  const std::string svg = histogram_svg(h, same.size(), {{80'000.0, "P50", "median"}}, "USD", {"h", "t", "d", "x", "y"});
  require_finite_geometry(svg);
  CHECK(elements(svg, "rect", "class=\"bar\"").size() == h.counts.size());
  require_finite_geometry(exceedance_svg(same, 80'000.0, {{80'000.0, "P90", "p90"}}, "USD", {"e", "t", "d", "x", "y"}));
  require_finite_geometry(known_unknown_svg({{"avg", 0.0, 0.0}}, "USD", {"k", "t", "d", "x", ""}));
  require_finite_geometry(histogram_svg(Histogram{}, 0, {}, "USD", {"h0", "t", "d", "x", "y"}));
}

TEST_CASE("run report: study text is escaped, nothing external, deterministic, every chart present", "[html][report]") {
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
  const std::string html = run_report_html(model, results, info, sha256_hex("study bytes"), "2027-01-01T00:00:00Z");

  // The study's name appears only escaped; no tag from the study survives.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<b>missing") == std::string::npos);
  CHECK(html.find("Pilot &quot;criteria&quot; &lt;b&gt;missing&lt;/b&gt; &amp; &#39;late&#39;") != std::string::npos);
  CHECK(html.find("<i>pilot") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(2)&gt;") != std::string::npos);

  // Self-contained: no URL, no src/href, no @import or url().
  for (const char* forbidden : {"http://", "https://", "src=\"", "href=", "@import", "url(", "<link", "<iframe"})
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
  CHECK(run_report_html(model, again, info, sha256_hex("study bytes"), "2027-01-01T00:00:00Z") == html);
}

TEST_CASE("run report of the seed case: every year costs exactly $80,000, all known", "[html][report]") {
  const Model model = load_config("seed-case.toml");
  RunOptions options;
  options.trials = 500;
  const TrialResults results = run_trials(model, Scenario{}, options);
  const std::string html = run_report_html(model, results, test_info(), "0", "2027-01-01T00:00:00Z");
  require_finite_geometry(html);
  CHECK(html.find("<span class=\"value\">$80,000</span>") != std::string::npos);
  CHECK(html.find("<span class=\"value\">0%</span>") != std::string::npos);  // nothing unknown
}

TEST_CASE("compare report: one savings box per intervention, escaped names, nothing external", "[html][report]") {
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
  for (const char* forbidden : {"http://", "https://", "src=\"", "href="}) CHECK_FALSE(html.find(forbidden) != std::string::npos);
  CHECK(elements(html, "g", "class=\"box\"").size() == cmp.candidates.size());
  CHECK(elements(html, "line", "class=\"cost\"").size() == cmp.candidates.size());
  for (const char* id : {"compare-savings", "compare-histogram", "compare-exceedance", "compare-known-unknown"}) {
    INFO(id);
    CHECK(elements(html, "svg", std::string("id=\"") + id + "\"").size() == 1);
  }
  require_finite_geometry(html);
  CHECK(html.find("pays off in") != std::string::npos);
}
