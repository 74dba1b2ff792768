// The three-year report in a real browser: the CLI writes it, headless Chromium renders it to a
// screenshot and dumps its DOM; the per-year fan chart and the cumulative chart must be there,
// sized, with one point per year at the JSON's means, a higher point for a larger mean. Tag
// [browser]; needs /usr/bin/chromium (scripts/setup-deps installs it): without it the test fails.

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

namespace {

//! The <svg> element with this id, up to its end.
std::string chart(const std::string& dom, const std::string& id) {
  const std::size_t begin = dom.find("<svg class=\"chart\" id=\"" + id + "\"");
  if (begin == std::string::npos) return {};
  return dom.substr(begin, dom.find("</svg>", begin) - begin);
}

}  // namespace

TEST_CASE("three-year report renders in headless Chromium: cost per year as a fan chart and cumulative",
          "[browser][horizon]") {
  const fs::path work = scratch_dir("browser-horizon-" + std::to_string(::getpid()));
  const fs::path html = work / "three-year.html", json = work / "three-year.json";
  const auto r = run_cli("run configs/three-year.toml --trials 2000 --threads 2 --quiet --report '" +
                         html.string() + "' --json '" + json.string() + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);

  const std::string dom = render_in_chromium(html, work, 4000);
  REQUIRE(dom.find("Year by year over 3 years") != std::string::npos);
  REQUIRE(dom.find("What would you have done with that time?") != std::string::npos);

  const auto j = nlohmann::json::parse(read_text(json));
  const auto& by_year = j["horizon"]["by_year"];
  REQUIRE(by_year.size() == 3);
  for (const char* key : {"cost", "cumulative"}) {
    const std::string id =
        std::string("run-horizon-") + (std::string(key) == "cost" ? "by-year" : "cumulative");
    INFO("chart " << id);
    const std::string svg = chart(dom, id);
    REQUIRE(!svg.empty());
    const std::vector<double> width = attribute_values(svg, "<svg [^>]*>", "width");
    REQUIRE(width.size() == 1);
    CHECK(width[0] > 0.0);
    // Two bands (P05-P95 around P10-P90) and one point per year at the year's mean.
    CHECK(attribute_values(svg, R"re(<polygon class="fan-band"[^>]*>)re", "fill-opacity").size() == 2);
    const std::vector<double> years =
        attribute_values(svg, R"re(<circle class="year-point"[^>]*>)re", "data-year");
    const std::vector<double> means =
        attribute_values(svg, R"re(<circle class="year-point"[^>]*>)re", "data-mean");
    const std::vector<double> cy = attribute_values(svg, R"re(<circle class="year-point"[^>]*>)re", "cy");
    REQUIRE(years == std::vector<double>{1, 2, 3});
    REQUIRE(cy.size() == 3);
    for (std::size_t y = 0; y < 3; ++y) CHECK(means[y] == Approx(by_year[y][key]["mean"].get<double>()));
    for (std::size_t a = 0; a < 3; ++a)
      for (std::size_t b = 0; b < 3; ++b)
        if (means[a] > means[b]) CHECK(cy[a] < cy[b]);  // a larger cost is drawn higher
  }
  CHECK(by_year[2]["cumulative"]["mean"].get<double>() ==
        Approx(j["horizon"]["cumulative"]["mean"].get<double>()));
}
