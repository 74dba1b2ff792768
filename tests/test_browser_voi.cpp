// The voi report in a real browser: the CLI writes it, headless Chromium renders it to a screenshot
// and dumps its DOM; the EVPPI bar chart and the EVSI curve must be there, sized, with one bar per
// input of the JSON, the largest first. Tag [browser]; needs /usr/bin/chromium (scripts/setup-deps
// installs it): without it the test fails with a message, it does not skip.

#include "headless_chromium.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using mistakesim::testing::attribute_values;
using mistakesim::testing::read_text;
using mistakesim::testing::render_in_chromium;
using mistakesim::testing::run_cli;
using mistakesim::testing::scratch_dir;

TEST_CASE("voi report renders in headless Chromium: EVPPI bars and the EVSI curve", "[browser][voi]") {
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

  const std::string dom = render_in_chromium(html, work, 2400);
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
