// End-to-end: the CLI on the files in configs/, exit codes, outputs, determinism across threads.
#include "cli_runner.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include <catch2/catch.hpp>

using namespace mistakesim::testing;
namespace fs = std::filesystem;

namespace {

//! The JSON without its "run" object (threads, seconds, build differ between runs by design).
std::string json_without_run(const std::string& text) {
  auto j = nlohmann::ordered_json::parse(text);
  j.erase("run");
  return j.dump(2);
}

}  // namespace

TEST_CASE("seed case end to end: every year costs $80,000, all known", "[cli][golden]") {
  const auto dir = scratch_dir("seed-case");
  const auto json = (dir / "seed.json").string();
  const auto csv = (dir / "seed.csv").string();
  const CliResult r =
      run_cli("run configs/seed-case.toml --trials 200 --json '" + json + "' --csv '" + csv + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(read_text(json));
  REQUIRE(j["study"]["trials"] == 200);
  for (const char* key : {"mean", "min", "max", "p05", "p50", "p95", "cvar95"}) {
    INFO(key);
    REQUIRE(j["cost"]["total"][key].get<double>() == 80000.0);
    REQUIRE(j["cost"]["known"][key].get<double>() == 80000.0);
    REQUIRE(j["cost"]["unknown"][key].get<double>() == 0.0);
  }
  REQUIRE(j["mistakes"].size() == 1);
  REQUIRE(j["mistakes"][0]["id"] == "pilot-no-criteria");
  REQUIRE(j["pipeline"]["wins_done_right_mean"].get<double>() == 1.0);
  // The CSV: a header and one row per trial, each costing exactly 80000.
  std::istringstream lines(read_text(csv));
  std::string line;
  std::getline(lines, line);
  REQUIRE(line.rfind(
              "trial,cost_total,cost_known,cost_unknown,opportunities,wins,should_have_bought,nonbuyer_hours",
              0) == 0);
  REQUIRE(line.find("cost:pilot-no-criteria") != std::string::npos);
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    REQUIRE(line.rfind(std::to_string(rows - 1) + ",80000,80000,0,", 0) == 0);
  }
  REQUIRE(rows == 200);
  // The terminal summary speaks dollars.
  const CliResult table = run_cli("run configs/seed-case.toml --trials 100");
  REQUIRE(table.status == 0);
  REQUIRE(table.out.find("80,000") != std::string::npos);
}

TEST_CASE("1, 2 and 3 threads write byte-identical JSON (less run) and CSV", "[cli][determinism]") {
  const auto dir = scratch_dir("threads");
  std::string first_json, first_csv;
  for (int threads : {1, 2, 3}) {
    const auto json = dir / ("t" + std::to_string(threads) + ".json");
    const auto csv = dir / ("t" + std::to_string(threads) + ".csv");
    const CliResult r =
        run_cli("run configs/mid-market.toml --trials 3000 --threads " + std::to_string(threads) +
                " --json '" + json.string() + "' --csv '" + csv.string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(r.err.empty());  // no progress bar or notes when stderr is not a terminal
    const std::string j = json_without_run(read_text(json));
    const std::string c = read_text(csv);
    if (threads == 1) {
      first_json = j;
      first_csv = c;
      REQUIRE(c.size() > 3000 * 20);
    } else {
      INFO(threads << " threads");
      REQUIRE(j == first_json);
      REQUIRE(c == first_csv);
    }
  }
}

TEST_CASE("every example study validates", "[cli]") {
  for (const auto& entry : fs::directory_iterator(fs::path(MISTAKESIM_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".toml") continue;
    const std::string rel = "configs/" + entry.path().filename().string();
    const CliResult r = run_cli("validate " + rel);
    INFO(rel << "\n" << r.err);
    REQUIRE(r.status == 0);
    REQUIRE(r.out.find("OK") != std::string::npos);
  }
}

TEST_CASE("init prints a template that validates as it is", "[cli]") {
  const CliResult init = run_cli("init");
  REQUIRE(init.status == 0);
  const auto dir = scratch_dir("init");
  const auto path = dir / "my-study.toml";
  std::ofstream(path) << init.out;
  const CliResult v = run_cli("validate '" + path.string() + "'");
  INFO(v.err);
  REQUIRE(v.status == 0);
}

TEST_CASE("bad input: exit 2, a located message, and no output written", "[cli][errors]") {
  const auto dir = scratch_dir("bad");
  const auto study = dir / "bad.toml";
  std::ofstream(study) << read_text(fs::path(MISTAKESIM_SOURCE_DIR) / "configs/seed-case.toml")
                       << "\n[[mistake]]\nid = \"typo\"\nstage = \"pilot\"\nprobability = 1.3\n";
  const auto json = dir / "out.json";
  const CliResult r = run_cli("run '" + study.string() + "' --json '" + json.string() + "'");
  REQUIRE(r.status == 2);
  INFO(r.err);
  REQUIRE(r.err.find("bad.toml:") != std::string::npos);
  REQUIRE(r.err.find("mistake.typo.probability") != std::string::npos);
  REQUIRE(r.err.find("1.3") != std::string::npos);
  REQUIRE_FALSE(fs::exists(json));

  const CliResult missing = run_cli("run configs/no-such-study.toml");
  REQUIRE(missing.status == 2);
  REQUIRE(missing.err.find("no-such-study.toml") != std::string::npos);

  const CliResult folder = run_cli("run configs");
  REQUIRE(folder.status == 2);

  const CliResult no_dir = run_cli("run configs/seed-case.toml --json /nonexistent-folder/x.json");
  REQUIRE(no_dir.status == 2);
  REQUIRE(no_dir.err.find("/nonexistent-folder") != std::string::npos);

  const CliResult usage = run_cli("run");
  REQUIRE(usage.status == 2);
  const CliResult unknown = run_cli("frobnicate");
  REQUIRE(unknown.status == 2);
}

TEST_CASE("--help has examples on every command, --version names the build", "[cli]") {
  for (const char* cmd :
       {"--help", "run --help", "validate --help", "init --help", "compare --help", "dist --help"}) {
    const CliResult r = run_cli(cmd);
    INFO(cmd);
    REQUIRE(r.status == 0);
    REQUIRE(r.out.find("mistakesim ") != std::string::npos);
    REQUIRE(r.out.find("Example") != std::string::npos);
  }
  const CliResult v = run_cli("--version");
  REQUIRE(v.status == 0);
  REQUIRE(v.out.find("mistakesim 0.") != std::string::npos);
  // The commit named is the checkout's as it is now, not as it was when CMake configured.
  std::string head;
  if (FILE* git = ::popen(
          (std::string("git -C '") + MISTAKESIM_SOURCE_DIR + "' rev-parse --short HEAD 2>/dev/null").c_str(),
          "r")) {
    char line[64] = {};
    if (std::fgets(line, sizeof line, git) != nullptr) head = line;
    ::pclose(git);
  }
  while (!head.empty() && (head.back() == '\n' || head.back() == '\r')) head.pop_back();
  if (head.empty()) {
    WARN("not a git checkout: the commit in --version is not checked");
  } else {
    INFO(v.out);
    CHECK(v.out.find("; git " + head) != std::string::npos);
  }
}
