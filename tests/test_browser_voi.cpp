// The voi report in a real browser: the CLI writes it, headless Chromium renders it to a screenshot
// and dumps its DOM; the EVPPI bar chart and the EVSI curve must be there, sized, with one bar per
// input of the JSON, the largest first. Tag [browser]; needs /usr/bin/chromium (scripts/setup-deps
// installs it): without it the test fails with a message, it does not skip.

#include "cli_runner.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using mistakesim::testing::read_text;
using mistakesim::testing::run_cli;
using mistakesim::testing::scratch_dir;

namespace {

//! Values of attribute `name` of every element matching `tag_re` in the DOM, in document order.
std::vector<double> attribute_values(const std::string& dom, const std::string& tag_re,
                                     const std::string& name) {
  std::vector<double> out;
  const std::regex tag(tag_re), attr("\\s" + name + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), tag); it != std::sregex_iterator(); ++it) {
    std::smatch m;
    const std::string t = it->str();
    if (std::regex_search(t, m, attr)) out.push_back(std::stod(m[1]));
  }
  return out;
}

}  // namespace

TEST_CASE("voi report renders in headless Chromium: EVPPI bars and the EVSI curve", "[browser][voi]") {
  if (std::system("command -v chromium > /dev/null 2>&1") != 0)
    FAIL(
        "chromium is not installed: the [browser] test needs it (scripts/setup-deps installs the Debian "
        "package "
        "'chromium')");
  const fs::path work = scratch_dir("browser-voi-" + std::to_string(::getpid()));
  const fs::path html = work / "voi.html", json = work / "voi.json";
  const auto r = run_cli(
      "voi configs/training-options.toml --trials 5000 --quiet --evsi "
      "mistake.skipped-discovery.probability --cost-per-deal 20 --report '" +
      html.string() + "' --json '" + json.string() + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string file = read_text(html);
  CHECK(file.find("http://") == std::string::npos);
  CHECK(file.find("https://") == std::string::npos);

  const std::string flags =
      "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--no-first-run --disable-component-update --disable-sync --disable-extensions "
      "--user-data-dir='" +
      (work / "profile").string() + "' ";
  const std::string url = "'file://" + fs::absolute(html).string() + "'";
  const fs::path png = work / "voi.png", dom_file = work / "voi-dom.html";
  REQUIRE(std::system((flags + "--hide-scrollbars --window-size=1280,2400 --screenshot='" + png.string() +
                       "' " + url + " > /dev/null 2>&1")
                          .c_str()) == 0);
  const std::string bytes = read_text(png);
  REQUIRE(bytes.size() > 20000);  // a blank page is a few kB
  CHECK(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  REQUIRE(std::system(
              (flags + "--dump-dom " + url + " > '" + dom_file.string() + "' 2> /dev/null").c_str()) == 0);
  const std::string dom = read_text(dom_file);
  REQUIRE(dom.find("Is it worth finding out first?") != std::string::npos);

  for (const char* id : {"voi-evppi", "voi-evsi-1"}) {
    INFO("chart " << id);
    const std::string svg = std::string(R"re(<svg [^>]*id=")re") + id + R"re("[^>]*>)re";
    const std::vector<double> width = attribute_values(dom, svg, "width");
    const std::vector<double> height = attribute_values(dom, svg, "height");
    REQUIRE(width.size() == 1);
    CHECK(width[0] > 0.0);
    REQUIRE(height.size() == 1);
    CHECK(height[0] > 0.0);
  }
  // One bar per input (at most 15), largest value first, the widths in the values' proportions.
  const auto j = nlohmann::json::parse(read_text(json));
  const std::vector<double> values =
      attribute_values(dom, R"re(<rect class="evppi-bar"[^>]*>)re", "data-value");
  const std::vector<double> widths = attribute_values(dom, R"re(<rect class="evppi-bar"[^>]*>)re", "width");
  REQUIRE(values.size() == std::min<std::size_t>(15, j["evppi"].size()));
  REQUIRE(widths.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    CHECK(values[i] == Approx(j["evppi"][i]["value"].get<double>()));
    if (i > 0) CHECK(widths[i] <= widths[i - 1] + 0.01);
  }
  REQUIRE(values[0] > 0.0);
  for (std::size_t i = 0; i < values.size(); ++i)
    CHECK(widths[i] == Approx(widths[0] * values[i] / values[0]).margin(0.02));
  // The EVSI curve: one point per study size, on both lines.
  const std::regex points(R"re(<circle [^>]*class="point")re");
  const auto n_points =
      std::distance(std::sregex_iterator(dom.begin(), dom.end(), points), std::sregex_iterator());
  CHECK(n_points == 2 * static_cast<long>(j["evsi"][0]["points"].size()));
}
