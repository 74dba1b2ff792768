// The HTML reports in a real browser (tests/headless_chromium.hpp): the CLI writes them, headless
// Chromium renders them to a screenshot and dumps the DOM, and its network log proves the page
// asked for nothing over the network. Tag [browser].

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "headless_chromium.hpp"

namespace fs = std::filesystem;
using mistakesim::testing::attribute_values;
using mistakesim::testing::Browser;
using mistakesim::testing::read_text;
using mistakesim::testing::run_cli;
using mistakesim::testing::scratch_dir;

namespace {

//! URLs of network requests the page made (http, https, ws...), from a Chromium net log. The
//! browser's own background requests (updates, account checks) have no page initiator ("not an
//! origin") and are ignored; a request initiated by a file:// page has initiator "null" or
//! "file://" and a network isolation key on file://.
std::vector<std::string> page_network_requests(const fs::path& net_log) {
  const nlohmann::json log = nlohmann::json::parse(read_text(net_log), nullptr, /*allow_exceptions=*/true,
                                                   /*ignore_comments=*/false);
  const int start_job = log.at("constants").at("logEventTypes").at("URL_REQUEST_START_JOB").get<int>();
  std::vector<std::string> urls;
  for (const auto& e : log.at("events")) {
    if (e.value("type", -1) != start_job || !e.contains("params")) continue;
    const auto& p = e.at("params");
    const std::string url = p.value("url", "");
    if (url.empty() || url.rfind("file:", 0) == 0 || url.rfind("data:", 0) == 0 ||
        url.rfind("about:", 0) == 0)
      continue;
    const std::string initiator = p.value("initiator", "");
    const std::string isolation = p.value("network_isolation_key", "");
    const bool from_page = initiator != "not an origin" || isolation.find("file://") != std::string::npos;
    if (from_page) urls.push_back(url);
  }
  return urls;
}

//! The start tags of the <svg> charts in a DOM dump.
std::vector<std::string> chart_tags(const std::string& dom) {
  std::vector<std::string> tags;
  static const std::regex svg_tag(R"re(<svg [^>]*class="chart"[^>]*>)re");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), svg_tag); it != std::sregex_iterator(); ++it)
    tags.push_back(it->str());
  return tags;
}

//! Screenshot, DOM and network checks of one report.
void check_in_browser(Browser& browser, const fs::path& html_file, const fs::path& png,
                      const std::vector<std::string>& chart_ids,
                      const std::string& headline = "Expected yearly cost of mistakes") {
  const std::string html = read_text(html_file);
  // Statically: no URL and no protocol-relative reference in the file.
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK_FALSE(std::regex_search(html, std::regex(R"re((src|href)\s*=\s*["']?//)re")));

  browser.screenshot(html_file, png, 2000);
  const fs::path net_log = browser.work / (html_file.stem().string() + "-netlog.json");
  const std::string dom = browser.dom(html_file, "--log-net-log='" + net_log.string() + "'");
  REQUIRE(dom.find(headline) != std::string::npos);
  const std::vector<std::string> tags = chart_tags(dom);
  CHECK(tags.size() == chart_ids.size());
  for (const std::string& id : chart_ids) {
    INFO("chart " << id);
    const auto it = std::find_if(tags.begin(), tags.end(), [&](const std::string& t) {
      return t.find("id=\"" + id + "\"") != std::string::npos;
    });
    REQUIRE(it != tags.end());
    const std::vector<double> width = attribute_values(*it, "<svg [^>]*>", "width"),
                              height = attribute_values(*it, "<svg [^>]*>", "height");
    REQUIRE(width.size() == 1);
    REQUIRE(height.size() == 1);
    CHECK(width[0] > 0.0);
    CHECK(height[0] > 0.0);
  }
  REQUIRE(fs::exists(net_log));
  const std::vector<std::string> requests = page_network_requests(net_log);
  INFO("network requests made by the page: " << nlohmann::json(requests).dump());
  CHECK(requests.empty());
}

}  // namespace

TEST_CASE("reports render in headless Chromium: screenshot, every chart, no network request", "[browser]") {
  static int run = 0;  // Catch runs this case once per section: a fresh folder each time
  Browser browser =
      Browser::in(scratch_dir("browser-" + std::to_string(::getpid()) + "-" + std::to_string(run++)));
  const fs::path build(MISTAKESIM_BUILD_DIR);

  SECTION("the network check itself sees a page that fetches an image (control)") {
    const fs::path control = browser.work / "fetches.html";
    std::ofstream(control)
        << "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"><p>x</p></body></html>\n";
    const fs::path net_log = browser.work / "control-netlog.json";
    REQUIRE(browser.run("--dump-dom --log-net-log='" + net_log.string() + "'", "file://" + control.string(),
                        browser.work / "control-dom.html") == 0);
    const std::vector<std::string> requests = page_network_requests(net_log);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0] == "http://127.0.0.1:9/x.png");
  }

  SECTION("run report of configs/mid-market.toml") {
    const fs::path html = build / "report-run.html";
    const auto r =
        run_cli("run configs/mid-market.toml --trials 20000 --quiet --report '" + html.string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_in_browser(
        browser, html, build / "report-run.png",
        {"run-histogram", "run-exceedance", "run-known-unknown", "run-waterfall", "run-mistakes"});
  }

  SECTION("compare report of configs/training-options.toml") {
    const fs::path config = fs::path(MISTAKESIM_SOURCE_DIR) / "configs" / "training-options.toml";
    if (!fs::exists(config)) {
      WARN("configs/training-options.toml is absent: compare report not checked in the browser");
      return;
    }
    const fs::path html = build / "report-compare.html";
    const auto r = run_cli("compare configs/training-options.toml --trials 5000 --quiet --report '" +
                           html.string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_in_browser(browser, html, build / "report-compare.png",
                     {"compare-savings", "compare-exceedance-options", "voi-evppi", "compare-histogram",
                      "compare-exceedance", "compare-known-unknown"});
  }

  SECTION("compare report of two study files: configs/mid-market.toml and configs/fy27.toml") {
    const fs::path html = build / "report-compare-files.html";
    const auto r =
        run_cli("compare configs/mid-market.toml configs/fy27.toml --trials 5000 --quiet --report '" +
                html.string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_in_browser(browser, html, build / "report-compare-files.png",
                     {"compare-savings", "compare-exceedance"}, "How do these studies compare?");
  }

  SECTION("sweep report of configs/mid-market.toml: one parameter") {
    const fs::path html = build / "report-sweep.html";
    const auto r = run_cli(
        "sweep configs/mid-market.toml --param pipeline.close_rate --range 0.45:0.75:4 --trials 5000 "
        "--quiet --report '" +
        html.string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_in_browser(browser, html, build / "report-sweep.png", {"sweep-line"}, "Change from first to last");
  }

  SECTION("sweep report of configs/mid-market.toml: a grid, with its heat map") {
    const fs::path html = build / "report-sweep-grid.html";
    const auto r = run_cli(
        "sweep configs/mid-market.toml --param pipeline.close_rate --range 0.45:0.75:4 --param2 "
        "mistake.skipped-discovery.probability --values2 0.1,0.25,0.4 --trials 2000 --quiet --report '" +
        html.string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_in_browser(browser, html, build / "report-sweep-grid.png", {"sweep-line", "sweep-heat-map"},
                     "Change from first to last");
  }

  SECTION("sensitivity report of configs/mid-market.toml") {
    const fs::path html = build / "report-sensitivity.html";
    const auto r =
        run_cli("sensitivity configs/mid-market.toml --trials 5000 --quiet --report '" + html.string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_in_browser(browser, html, build / "report-sensitivity.png", {"sensitivity-tornado"},
                     "Narrowing the range of");
  }
}
