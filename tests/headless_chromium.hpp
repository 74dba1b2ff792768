#pragma once
// Headless Chromium for the [browser] tests: the CLI writes a report, Chromium renders it to a
// screenshot (the page must paint) and dumps the DOM it built (what a reader's browser shows); the
// run, compare, sweep and sensitivity test also reads Chromium's network log. Needs chromium
// (scripts/setup-deps installs it): without it a test fails with a message, it does not skip.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "cli_runner.hpp"

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

//! A PNG file with something painted on it (a blank page is a few kB; a rendered report hundreds).
inline void require_png(const std::filesystem::path& png) {
  INFO(png.string());
  REQUIRE(std::filesystem::exists(png));
  const std::string bytes = read_text(png);
  REQUIRE(bytes.size() > 20000);
  REQUIRE(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
}

//! Chromium, headless and sandbox-free (containers), as quiet on the network as it can be made,
//! with a fresh profile for every run in the scratch folder `work`.
struct Browser {
  std::string exe;
  std::filesystem::path work;
  int runs = 0;

  //! The Chromium in `work`; fails the test when none is installed.
  static Browser in(const std::filesystem::path& work) {
    for (const char* candidate : {"chromium", "chromium-browser", "google-chrome"})
      if (std::system((std::string("command -v ") + candidate + " > /dev/null 2>&1").c_str()) == 0)
        return Browser{candidate, work, 0};
    FAIL(
        "chromium is not installed: the [browser] tests need it (scripts/setup-deps installs the Debian "
        "package 'chromium')");
    return {};
  }

  //! Runs chromium with `args` on `url`, stdout to `out`; returns the exit status. 60 s timeout.
  int run(const std::string& args, const std::string& url, const std::filesystem::path& out) {
    static const char* const flags =
        "--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run "
        "--disable-component-update --disable-sync --disable-extensions --disable-default-apps --no-pings "
        "--disable-domain-reliability --disable-client-side-phishing-detection";
    const std::filesystem::path profile = work / ("profile-" + std::to_string(runs++));
    const std::string cmd = "timeout 60 " + exe + " " + flags + " --user-data-dir='" + profile.string() +
                            "' " + args + " '" + url + "' > '" + out.string() + "' 2> '" +
                            (work / "chromium-stderr.txt").string() + "'";
    const int raw = std::system(cmd.c_str());
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  }
  std::string stderr_text() const { return read_text(work / "chromium-stderr.txt"); }

  //! A 1280-pixel-wide screenshot of `html`, `height` pixels tall, checked by require_png.
  void screenshot(const std::filesystem::path& html, const std::filesystem::path& png, int height) {
    const int status =
        run("--hide-scrollbars --window-size=1280," + std::to_string(height) + " --screenshot='" +
                png.string() + "'",
            "file://" + std::filesystem::absolute(html).string(), work / "screenshot-stdout.txt");
    INFO("chromium --screenshot stderr:\n" << stderr_text());
    REQUIRE(status == 0);
    require_png(png);
  }

  //! The DOM Chromium built from `html` (`extra_args` e.g. a net log).
  std::string dom(const std::filesystem::path& html, const std::string& extra_args = "") {
    const std::filesystem::path dom_file = work / (html.stem().string() + "-dom.html");
    const int status =
        run("--dump-dom " + extra_args, "file://" + std::filesystem::absolute(html).string(), dom_file);
    INFO("chromium --dump-dom stderr:\n" << stderr_text());
    REQUIRE(status == 0);
    return read_text(dom_file);
  }
};

//! Renders `html` in headless Chromium (profile and files in `work`): a screenshot `height` pixels
//! tall with something painted, and the DOM Chromium built, which it returns.
inline std::string render_in_chromium(const std::filesystem::path& html, const std::filesystem::path& work,
                                      int height) {
  Browser browser = Browser::in(work);
  browser.screenshot(html, work / (html.stem().string() + ".png"), height);
  return browser.dom(html);
}

}  // namespace mistakesim::testing
