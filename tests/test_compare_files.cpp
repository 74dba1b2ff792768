// compare A.toml B.toml: study files over the same simulated years (docs/compare.md).
#include <catch2/catch.hpp>
#include <fstream>
#include <mistakesim/compare.hpp>
#include <mistakesim/compare_files.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/study.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

using namespace mistakesim;
using namespace mistakesim::testing;

namespace {

// A study with uncertain rates and amounts, a recovery, a discount and churn; the intervention
// sets one mistake's probability to 0.1.
const char* kStudy = R"(
[study]
name = "Team A"
trials = 3000
seed = 77

[team]
reps = 6
hourly_cost = { dist = "triangular", min = 90, mode = 120, max = 180 }

[pipeline]
opportunities_per_rep = { dist = "poisson", mean = 30 }
good_fit = { dist = "pert", min = 0.3, mode = 0.4, max = 0.6 }
close_rate = { dist = "pert", min = 0.4, mode = 0.55, max = 0.7 }
deal_size = { dist = "lognormal", p05 = 10_000, p95 = 150_000 }
repeat_customer = 0.3
customer_value = { dist = "lognormal", median = 20_000, p90 = 60_000 }
qualify_hours = { dist = "triangular", min = 1, mode = 2, max = 5 }

[[mistake]]
id = "skipped-discovery"
stage = "discover"
applies_to = "good_fit"
probability = PROBABILITY
noticed = 0.3
lose = { dist = "pert", min = 0.2, mode = 0.3, max = 0.5 }
wasted_hours = { dist = "triangular", min = 2, mode = 4, max = 10 }
recovery = { hours = 6, saved = { dist = "beta", mean = 0.5, sd = 0.15 } }

[[mistake]]
id = "late-pricing"
stage = "close"
applies_to = "good_fit"
probability = { dist = "pert", min = 0.1, mode = 0.2, max = 0.3 }
noticed = 0.8
lose = 0.15
discount = { dist = "pert", min = 0.05, mode = 0.1, max = 0.2 }
churn = 0.2
INTERVENTION
)";

const char* kIntervention = R"(
[[intervention]]
id = "discovery-coaching"
name = "Discovery coaching"
cost = 1000
effect = [ { param = "mistake.skipped-discovery.probability", set = 0.1 } ]
)";

std::string study_text(const std::string& probability, bool intervention) {
  std::string s = kStudy;
  s.replace(s.find("PROBABILITY"), 11, probability);
  s.replace(s.find("INTERVENTION"), 12, intervention ? kIntervention : "");
  return s;
}

StudyFile study(const std::string& label, const std::string& text) {
  return StudyFile{label, parse_study(text, label, ".")};
}

const std::string kUncertain = R"({ dist = "pert", min = 0.2, mode = 0.35, max = 0.5 })";

}  // namespace

TEST_CASE("a study compared with itself differs by exactly zero in every trial", "[compare][files]") {
  const std::string text = study_text(kUncertain, true);
  const std::vector<StudyFile> studies{study("a.toml", text), study("a-again.toml", text)};
  RunOptions run;
  run.threads = 2;
  const FileComparison c = compare_files(studies, run);
  REQUIRE(c.scenarios.size() == 2);
  const FileScenario& again = c.scenarios[1];
  REQUIRE(again.results.count == 3000);
  for (std::uint64_t t = 0; t < again.results.count; ++t) {
    INFO("trial " << t);
    REQUIRE(again.difference_total[t] == 0.0);
    REQUIRE(again.difference_known[t] == 0.0);
    REQUIRE(again.difference_unknown[t] == 0.0);
    REQUIRE(again.results.cost_total[t] == c.scenarios[0].results.cost_total[t]);
  }
  REQUIRE(again.difference_total_summary.mean == 0.0);
  REQUIRE(again.difference_total_summary.max == 0.0);
  REQUIRE(again.p_cheaper == 0.0);
  REQUIRE(again.p_costlier == 0.0);
  REQUIRE(std::isinf(again.variance_reduction));
  for (const MistakeDifference& m : again.mistakes) {
    INFO(m.id);
    REQUIRE(m.difference.min == 0.0);
    REQUIRE(m.difference.max == 0.0);
  }
  for (const PipelineDifference& p : again.pipeline) {
    INFO(p.key);
    REQUIRE(p.difference.min == 0.0);
    REQUIRE(p.difference.max == 0.0);
  }
  REQUIRE(again.sharing.other_family.empty());
  REQUIRE(again.sharing.only_baseline.empty());
  REQUIRE(again.sharing.only_scenario.empty());
  REQUIRE(again.sharing.shared.size() == draw_sites(studies[0].model).size());
}

TEST_CASE("a copy changing one mistake's probability gives the intervention's per-trial figures",
          "[compare][files]") {
  const std::vector<StudyFile> studies{study("a.toml", study_text(kUncertain, true)),
                                       study("b.toml", study_text("0.1", false))};
  RunOptions run;
  run.threads = 2;
  const FileComparison files = compare_files(studies, run);
  CompareOptions options;
  options.run = run;
  const Comparison interventions = compare(studies[0].model, all_interventions(studies[0].model), options);
  REQUIRE(interventions.candidates.size() == 1);
  const TrialResults& with = interventions.candidates[0].results;
  const FileScenario& b = files.scenarios[1];
  REQUIRE(b.results.count == with.count);
  std::uint64_t changed = 0;
  for (std::uint64_t t = 0; t < with.count; ++t) {
    INFO("trial " << t);
    REQUIRE(b.results.cost_total[t] == with.cost_total[t]);
    REQUIRE(b.results.cost_known[t] == with.cost_known[t]);
    REQUIRE(b.results.cost_unknown[t] == with.cost_unknown[t]);
    REQUIRE(b.results.revenue[t] == with.revenue[t]);
    REQUIRE(b.results.wins[t] == with.wins[t]);
    for (std::size_t k = 0; k < with.mistake_count; ++k)
      REQUIRE(b.results.mistake_cost(k, t) == with.mistake_cost(k, t));
    // The file comparison's difference is the intervention's savings, negated.
    REQUIRE(b.difference_total[t] == -interventions.candidates[0].savings[t]);
    changed += b.difference_total[t] != 0.0;
  }
  REQUIRE(changed > with.count / 2);  // the change does show, year by year
  // Every draw but the changed probability's is shared.
  REQUIRE(b.sharing.only_baseline == std::vector<std::string>{"mistake.skipped-discovery.probability"});
  REQUIRE(b.sharing.only_scenario.empty());
  REQUIRE(b.variance_reduction > kWeakPairing);
}

TEST_CASE("study files with another seed or trial count are refused unless the command line sets them",
          "[compare][files]") {
  const std::string a = study_text(kUncertain, false);
  std::string other_seed = a;
  other_seed.replace(other_seed.find("seed = 77"), 9, "seed = 78");
  std::string other_trials = a;
  other_trials.replace(other_trials.find("trials = 3000"), 13, "trials = 2000");
  const std::vector<StudyFile> seeds{study("a.toml", a), study("b.toml", other_seed)};
  const std::vector<StudyFile> trials{study("a.toml", a), study("c.toml", other_trials)};
  REQUIRE_THROWS_WITH(check_comparable(seeds, false, false), Catch::Contains("b.toml") &&
                                                                 Catch::Contains("study.seed") &&
                                                                 Catch::Contains("--seed"));
  REQUIRE_NOTHROW(check_comparable(seeds, true, false));
  REQUIRE_THROWS_WITH(check_comparable(trials, false, false), Catch::Contains("c.toml") &&
                                                                  Catch::Contains("study.trials") &&
                                                                  Catch::Contains("2000"));
  REQUIRE_NOTHROW(check_comparable(trials, false, true));
}

TEST_CASE("compare with two files writes the scenarios JSON and warns when little is shared",
          "[compare][files][cli]") {
  const auto dir = scratch_dir("compare-files");
  std::ofstream(dir / "a.toml") << study_text(kUncertain, false);
  // Another family for every uncertain input of the pipeline: little is shared.
  std::string far = study_text(kUncertain, false);
  const auto replace = [&far](const std::string& from, const std::string& to) {
    far.replace(far.find(from), from.size(), to);
  };
  replace(R"({ dist = "poisson", mean = 30 })", R"({ dist = "negbinomial", mean = 30, dispersion = 5 })");
  replace(R"({ dist = "lognormal", p05 = 10_000, p95 = 150_000 })",
          R"({ dist = "triangular", min = 10_000, mode = 30_000, max = 150_000 })");
  for (std::size_t at = far.find("\"pert\""); at != std::string::npos; at = far.find("\"pert\"", at))
    far.replace(at, 6, "\"triangular\"");
  // Other ids: the mistakes' own draws are not shared either.
  replace(R"(id = "skipped-discovery")", R"(id = "rushed-discovery")");
  replace(R"(id = "late-pricing")", R"(id = "pricing-surprise")");
  std::ofstream(dir / "b.toml") << far;
  const CliResult r = run_cli("compare '" + (dir / "a.toml").string() + "' '" + (dir / "a.toml").string() +
                              "' '" + (dir / "b.toml").string() + "' --trials 1000 -q --json -");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out.substr(0, r.out.rfind('}') + 1));
  REQUIRE(j["schema"] == "mistakesim.compare-files/1");
  REQUIRE(j["scenarios"].size() == 3);
  REQUIRE(j["scenarios"][0]["difference"]["total"]["mean"] == 0.0);
  REQUIRE(j["scenarios"][1]["difference"]["total"]["max"] == 0.0);
  REQUIRE(j["scenarios"][2]["cost"]["total"]["mean"].get<double>() > 0.0);
  REQUIRE(j["scenarios"][2]["difference"].contains("known"));
  REQUIRE(j["scenarios"][2]["shared_draws"]["other_family"].size() == 4);
  REQUIRE(j["warnings"].size() == 1);
  REQUIRE_THAT(r.err, Catch::Contains("shares too little with the baseline"));

  const CliResult refused = run_cli("compare '" + (dir / "a.toml").string() + "' '" +
                                    (dir / "b.toml").string() + "' --intervention x -q");
  REQUIRE(refused.status == 2);
  REQUIRE_THAT(refused.err, Catch::Contains("--intervention"));
}
