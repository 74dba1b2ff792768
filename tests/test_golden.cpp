// Golden results: every figure the example studies print, pinned. Each case runs the mistakesim
// executable on a study of configs/ and compares its output, less the provenance (the JSON `run`
// object, the HTML provenance footer), byte for byte with tests/golden/<case>.<ext>. Any change to
// a printed figure (a sampler's arithmetic, a statistic, a formatter) fails here and names the
// first line that differs.
//
// After an intended change of figures (say why in docs/model.md), regenerate and review the diff:
//   MISTAKESIM_UPDATE_GOLDEN=1 build/tests/mistakesim_tests '[golden]' && git diff tests/golden
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"

using namespace mistakesim::testing;

namespace {

//! One pinned output: `args` run from the source folder, with {out} replaced by a scratch file
//! that the command writes; `kind` says how to strip the provenance.
struct GoldenCase {
  const char* name;  //!< file name in tests/golden/
  const char* args;
  enum Kind { json, csv, html, sip } kind;
};

// Few years each, so the suite stays quick; two threads, which must not change a bit.
const GoldenCase kCases[] = {
    {"run-mid-market.json", "run configs/mid-market.toml --trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"run-seed-case.json", "run configs/seed-case.toml --threads 2 --quiet --json {out}", GoldenCase::json},
    {"run-seed-case-uncertain.json",
     "run configs/seed-case-uncertain.toml --trials 2000 --threads 2 --quiet --json {out}", GoldenCase::json},
    {"run-correlated.json", "run configs/correlated.toml --trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"run-crm-informed.json", "run configs/crm-informed.toml --trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"run-what-if.json", "run configs/what-if.toml --trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"run-training-options.json",
     "run configs/training-options.toml --trials 2000 --threads 2 --quiet --json {out}", GoldenCase::json},
    {"run-seed-case-uncertain.sip.json",
     "run configs/seed-case-uncertain.toml --trials 200 --threads 2 --quiet --sip {out}", GoldenCase::sip},
    {"run-seed-case-uncertain.csv",
     "run configs/seed-case-uncertain.toml --trials 200 --threads 2 --quiet --csv {out}", GoldenCase::csv},
    {"run-mid-market.html", "run configs/mid-market.toml --trials 2000 --threads 2 --quiet --report {out}",
     GoldenCase::html},
    {"compare-training-options.json",
     "compare configs/training-options.toml --trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"sweep-what-if.json",
     "sweep configs/what-if.toml --param mistake.skipped-discovery.probability --values 0.1,0.25,0.4 "
     "--trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"sensitivity-what-if.json",
     "sensitivity configs/what-if.toml --trials 2000 --threads 2 --quiet --json {out}", GoldenCase::json},
    {"run-crm-segment.json", "run configs/crm-segment.toml --trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"run-uncertain-deal-size.json",
     "run configs/uncertain-deal-size.toml --trials 2000 --threads 2 --quiet --json {out}", GoldenCase::json},
    {"sweep-uncertain-deal-size.json",
     "sweep configs/uncertain-deal-size.toml --param team.reps --values 10,14 --param2 "
     "pipeline.deal_size.median "
     "--values2 40000,60000 --trials 1000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"precision-what-if.json",
     "run configs/what-if.toml --precision 2% --max-trials 40000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"run-three-year.json", "run configs/three-year.toml --trials 2000 --threads 2 --quiet --json {out}",
     GoldenCase::json},
    {"compare-three-year.json",
     "compare configs/three-year.toml --trials 2000 --threads 2 --quiet --json {out}", GoldenCase::json},
};

//! The output without what changes from run to run (threads, seconds, build, date).
std::string strip_provenance(const std::string& text, GoldenCase::Kind kind) {
  if (kind == GoldenCase::json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
    j.erase("run");
    return j.dump(2) + "\n";
  }
  if (kind == GoldenCase::sip) {  // compact, as written: byte for byte but for the version
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
    if (j.dump() + "\n" != text) return "(not the compact JSON of its own content)\n" + text;
    j["provenance"] = "(provenance left out)";
    j["metadata"]["mistakesim_version"] = "(left out)";
    return j.dump() + "\n";
  }
  if (kind == GoldenCase::html) {
    const auto begin = text.find("<footer id=\"provenance\">");
    const auto end = text.find("</footer>", begin);
    if (begin == std::string::npos || end == std::string::npos) return text;
    return text.substr(0, begin) + "<footer id=\"provenance\">(provenance left out)" + text.substr(end);
  }
  return text;
}

//! "line N: expected ... / got ..." for the first line that differs.
std::string first_difference(const std::string& expected, const std::string& got) {
  std::size_t line = 1, at = 0;
  while (at < expected.size() && at < got.size() && expected[at] == got[at]) {
    if (expected[at] == '\n') ++line;
    ++at;
  }
  const auto line_of = [](const std::string& s, std::size_t pos) {
    const auto begin = s.rfind('\n', pos == 0 ? 0 : pos - 1);
    const auto from = begin == std::string::npos || pos == 0 ? 0 : begin + 1;
    return s.substr(from, std::min<std::size_t>(s.find('\n', from) - from, 200));
  };
  return "line " + std::to_string(line) + ":\n  expected: " + line_of(expected, at) +
         "\n  got:      " + line_of(got, at);
}

}  // namespace

TEST_CASE("golden results: the example studies print the pinned figures", "[golden][cli]") {
  const bool update = std::getenv("MISTAKESIM_UPDATE_GOLDEN") != nullptr;
  const auto golden_dir = std::filesystem::path(MISTAKESIM_SOURCE_DIR) / "tests" / "golden";
  const auto scratch = scratch_dir("golden");
  for (const GoldenCase& c : kCases) {
    SECTION(c.name) {
      const std::string out = (scratch / c.name).string();
      std::string args = c.args;
      args.replace(args.find("{out}"), 5, "'" + out + "'");
      const CliResult r = run_cli(args);
      INFO("mistakesim " << args << "\n" << r.err);
      REQUIRE(r.status == 0);
      const std::string got = strip_provenance(read_text(out), c.kind);
      const auto golden = golden_dir / c.name;
      if (update) {
        std::ofstream(golden, std::ios::binary) << got;
        WARN("rewrote " << golden.string());
        continue;
      }
      REQUIRE(std::filesystem::exists(golden));
      const std::string expected = read_text(golden);
      INFO(c.name << " differs from the pinned figures, " << first_difference(expected, got)
                  << "\nIf the change is intended (say why in docs/model.md), regenerate with\n"
                     "  MISTAKESIM_UPDATE_GOLDEN=1 build/tests/mistakesim_tests '[golden]'\n"
                     "and review git diff tests/golden.");
      CHECK(got == expected);
    }
  }
}
