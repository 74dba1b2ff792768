#pragma once
// Rendering a report in headless Chromium for the [browser] tests of the voi and three-year reports:
// a screenshot (the page must paint) and the DOM Chromium built (what a reader's browser shows).

#include "cli_runner.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace mistakesim::testing {

//! Values of attribute `name` of every element matching `tag_re` in `text`, in document order.
inline std::vector<double> attribute_values(const std::string& text, const std::string& tag_re,
                                            const std::string& name) {
  std::vector<double> out;
  const std::regex tag(tag_re), attr("\\s" + name + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), tag); it != std::sregex_iterator(); ++it) {
    std::smatch m;
    const std::string t = it->str();
    if (std::regex_search(t, m, attr)) out.push_back(std::stod(m[1]));
  }
  return out;
}

//! Renders `html` in headless Chromium (profile and files in `work`): checks that the screenshot,
//! `height` pixels tall, is a PNG with something painted, and returns the DOM Chromium built.
//! Fails the test when chromium is not installed.
inline std::string render_in_chromium(const std::filesystem::path& html, const std::filesystem::path& work,
                                      int height) {
  if (std::system("command -v chromium > /dev/null 2>&1") != 0)
    FAIL(
        "chromium is not installed: the [browser] test needs it (scripts/setup-deps installs the Debian "
        "package 'chromium')");
  const std::string flags =
      "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--no-first-run --disable-component-update --disable-sync --disable-extensions --user-data-dir='" +
      (work / "profile").string() + "' ";
  const std::string url = "'file://" + std::filesystem::absolute(html).string() + "'";
  const std::filesystem::path png = work / (html.stem().string() + ".png"),
                              dom_file = work / (html.stem().string() + "-dom.html");
  REQUIRE(std::system((flags + "--hide-scrollbars --window-size=1280," + std::to_string(height) +
                       " --screenshot='" + png.string() + "' " + url + " > /dev/null 2>&1")
                          .c_str()) == 0);
  const std::string bytes = read_text(png);
  REQUIRE(bytes.size() > 20000);  // a blank page is a few kB
  CHECK(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  REQUIRE(std::system(
              (flags + "--dump-dom " + url + " > '" + dom_file.string() + "' 2> /dev/null").c_str()) == 0);
  return read_text(dom_file);
}

}  // namespace mistakesim::testing
