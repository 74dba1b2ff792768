// Study files that say only what changes, and what-ifs of any input: sweeps of values that are
// not year-level inputs (team.reps, amounts, one number of a distribution) by compiling the study
// again; distributions whose parameters are uncertain (drawn once a year); mistakes and
// interventions merged key by key under `extends` (and removed); CRM counts read from a file.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <tuple>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

using namespace mistakesim;
using namespace mistakesim::testing;
namespace fs = std::filesystem;

namespace {

const std::string kSource = MISTAKESIM_SOURCE_DIR;

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

fs::path write_file(const fs::path& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name, std::ios::binary) << text;
  return dir / name;
}

//! What cmd_whatif gives a sweep: the study compiled again with values set.
StudyVariants variants_of(const fs::path& file, const StudyAccess& access = {}) {
  StudyVariants v;
  for (StudyValue& s : study_values(file, access))
    v.values.push_back({s.path, s.dist, s.lower, s.upper, s.range_words});
  v.compile = [file, access](const std::vector<std::pair<std::string, double>>& values) {
    return load_study_with(file, access, values);
  };
  return v;
}

//! A team whose every rep works 40 deals a year, all good fits that close, each hit by a mistake
//! that wastes 3 hours at $100 and costs $50 out of pocket: a year costs reps x 40 x $350 exactly.
const char* kConstantTeam = R"(
[study]
trials = 200
[team]
reps = 2
hourly_cost = 100
[pipeline]
opportunities_per_rep = 40
close_rate = 1
deal_size = 10_000
[[mistake]]
id = "slow-follow-up"
stage = "close"
probability = 1
wasted_hours = 3
direct_cost = 50
)";

//! As kConstantTeam, with a chance: a close rate of 0.5 and a mistake that loses 30% of the deals
//! it hits (probability 1): a year costs reps x 40 x 0.5 x 0.3 x $10,000 on average.
const char* kChanceTeam = R"(
[study]
trials = 4000
[team]
reps = 2
[pipeline]
opportunities_per_rep = 40
close_rate = 0.5
deal_size = 10_000
[[mistake]]
id = "lost-deal"
stage = "close"
probability = 1
lose = 0.3
)";

}  // namespace

TEST_CASE("a sweep of team.reps lands on the closed form for constant inputs", "[whatif][sweep][variants]") {
  const fs::path dir = scratch_dir("sweep-reps");
  const fs::path file = write_file(dir, "team.toml", kConstantTeam);
  Model model = load_study(file);
  const StudyVariants variants = variants_of(file);
  const SweepAxis axis = make_variant_axis(model, variants, "team.reps", {1, 3, 8});
  REQUIRE(axis.compiled);
  REQUIRE(model.inputs.at(axis.input).path == "team.reps");  // what the reports show
  const Sweep sweep = run_sweep(model, axis, std::nullopt, RunOptions{.threads = 2}, &variants);
  REQUIRE(sweep.points.size() == 3);
  for (const SweepPoint& p : sweep.points) {
    INFO("reps " << p.value);
    REQUIRE(p.total.mean == p.value * 40 * (3 * 100 + 50));  // closed form: reps x deals x cost per deal
    REQUIRE(p.total.sd == 0);
    REQUIRE(p.pipeline.opportunities == p.value * 40);
  }

  // With chance: the mean within 4 standard errors of reps x 40 x 0.5 x 0.3 x 10,000.
  const fs::path chance = write_file(dir, "chance.toml", kChanceTeam);
  Model m2 = load_study(chance);
  const StudyVariants v2 = variants_of(chance);
  const Sweep s2 = run_sweep(m2, make_variant_axis(m2, v2, "team.reps", {1, 5}), std::nullopt,
                             RunOptions{.threads = 2}, &v2);
  for (const SweepPoint& p : s2.points) {
    const double n = p.value * 40, q = 0.5 * 0.3;
    const double se = 10'000 * std::sqrt(n * q * (1 - q) / 4'000.0);
    INFO("reps " << p.value);
    REQUIRE(std::abs(p.total.mean - n * q * 10'000) < 4 * se);
  }
  REQUIRE_THROWS_AS(make_variant_axis(m2, v2, "team.reps", {2.5}), InputError);  // not a whole number
}

TEST_CASE("a swept number of a distribution keeps every other draw of the study",
          "[whatif][sweep][variants]") {
  const fs::path file = kSource + "/configs/mid-market.toml";
  Model model = load_study(file);
  model.trials = 300;
  StudyVariants variants = variants_of(file);
  const auto compile = variants.compile;
  variants.compile = [compile](const std::vector<std::pair<std::string, double>>& values) {
    Model m = compile(values);
    m.trials = 300;
    return m;
  };
  // The study's own P95 (250,000) gives the study's figures, bit for bit; another P95 changes them.
  const SweepAxis axis = make_variant_axis(model, variants, "pipeline.deal_size.p95", {250'000, 400'000});
  const Sweep sweep = run_sweep(model, axis, std::nullopt, RunOptions{.threads = 2}, &variants);
  Model plain = load_study(file);
  plain.trials = 300;
  const TrialResults base = run_trials(plain, Scenario{}, RunOptions{.threads = 2});
  const SweepPoint same = summarize_point(base);
  REQUIRE(std::memcmp(&sweep.points[0].total, &same.total, sizeof(Summary)) == 0);
  REQUIRE(sweep.points[1].total.mean > sweep.points[0].total.mean);  // bigger deals, bigger losses
  REQUIRE(sweep.points[1].change_from_first.mean > 0);
  // a per-occurrence amount becomes the constant given
  REQUIRE(variants.find("mistake.skipped-discovery.wasted_hours") != nullptr);
  REQUIRE_NOTHROW(make_variant_axis(model, variants, "mistake.skipped-discovery.wasted_hours", {0, 12}));
  try {
    make_variant_axis(model, variants, "pipeline.deal_size.p95", {10'000});
    FAIL("a P95 below the P05 was accepted");
  } catch (const InputError& e) {
    INFO(e.what());
    REQUIRE(e.path() == "pipeline.deal_size.p95");
    REQUIRE(std::string(e.what()).find("p95 must be above p05") != std::string::npos);
  }
}

TEST_CASE("sweep: a mistyped path says did you mean and ranges print as written", "[whatif][sweep][cli]") {
  const CliResult typo =
      run_cli("sweep configs/mid-market.toml --param close_rate --values 0.5 --trials 100 -q");
  REQUIRE(typo.status == 2);
  REQUIRE(typo.err.find("(did you mean pipeline.close_rate?)") != std::string::npos);
  const CliResult reps = run_cli("sweep configs/mid-market.toml --param team.rep --values 5 --trials 100 -q");
  REQUIRE(reps.err.find("did you mean team.reps?") != std::string::npos);

  const CliResult range = run_cli(
      "sweep configs/mid-market.toml --param pipeline.close_rate --range 0.1:0.5:5 --trials 200 -q --json -");
  REQUIRE(range.status == 0);
  REQUIRE(range.out.find("0.30000000000000004") == std::string::npos);
  const auto j = nlohmann::json::parse(range.out);
  std::vector<double> values;
  for (const auto& p : j["points"]) values.push_back(p["value"].get<double>());
  REQUIRE(values == std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5});

  const CliResult grown =
      run_cli("sweep configs/mid-market.toml --param team.reps --values 12,16 --trials 200 -q --json -");
  INFO(grown.err);
  REQUIRE(grown.status == 0);
  const auto g = nlohmann::json::parse(grown.out);
  REQUIRE(g["points"][1]["pipeline"]["opportunities_mean"].get<double>() >
          g["points"][0]["pipeline"]["opportunities_mean"].get<double>());
}

// ---------------------------------------------------------------------------------------------
// Sweeps with interventions applied, and scales of an amount

namespace {

//! kChanceTeam with a coaching programme that halves the lost deals: its cost in a year is
//! cost + reps x cost_per_rep + reps x hours_per_rep x $100 = 10,000 + 2 x 500 + 2 x 4 x 100 = $11,800.
std::string coached_team() {
  return std::string(kChanceTeam) + R"(
[[intervention]]
id = "coaching"
name = "Deal coaching"
cost = 10_000
cost_per_rep = 500
hours_per_rep = 4
effect = [ { param = "mistake.lost-deal.lose", scale = 0.5 } ]
)";
}

}  // namespace

TEST_CASE("sweeping an intervention's cost moves the net by exactly the cost change",
          "[whatif][sweep][intervention]") {
  const fs::path dir = scratch_dir("sweep-intervention");
  std::string text = coached_team();
  text.insert(text.find("[pipeline]"), "hourly_cost = 100\n");  // kChanceTeam's [team] has no hourly cost
  const fs::path file = write_file(dir, "coached.toml", text);
  const StudyVariants variants = variants_of(file);
  const std::vector<std::string> coaching{"coaching"};
  // Every lost deal costs $10,000 and the intervention's cost is a whole number of dollars, so every
  // yearly figure below is a whole number and the sums of the paired changes are exact.
  struct Case {
    const char* path;
    std::vector<double> values;
    double cost_change;  //!< [$ per year] from the first value to the second
  };
  for (const Case& c : {Case{"intervention.coaching.cost", {10'000, 25'000}, 15'000},
                        Case{"intervention.coaching.cost_per_rep", {500, 1'000}, 2 * 500},
                        Case{"intervention.coaching.hours_per_rep", {4, 10}, 2 * 6 * 100.0}}) {
    INFO(c.path);
    Model model = load_study(file);
    const SweepAxis axis = make_variant_axis(model, variants, c.path, c.values);
    const Sweep sweep = run_sweep(model, axis, std::nullopt, RunOptions{.threads = 2}, &variants, coaching);
    REQUIRE(sweep.interventions == coaching);
    REQUIRE(sweep.points.size() == 2);
    const SweepPoint &a = sweep.points[0], &b = sweep.points[1];
    REQUIRE(a.net);
    // Same trials, same intervention effect: the cost of mistakes is the same bit for bit.
    REQUIRE(std::memcmp(&a.total, &b.total, sizeof(Summary)) == 0);
    REQUIRE(a.intervention_cost->mean == 11'800);
    REQUIRE(a.intervention_cost->sd == 0);
    REQUIRE(b.intervention_cost->mean == 11'800 + c.cost_change);
    // Year by year the net differs by exactly the cost change; the means (each rounded once) agree
    // with it to within their rounding.
    REQUIRE(b.net_change_from_first->mean == c.cost_change);
    REQUIRE(a.net->mean == Approx(a.total.mean + 11'800).margin(1e-9));
    REQUIRE(b.net->mean - a.net->mean == Approx(c.cost_change).margin(1e-9));
    REQUIRE(b.net_change_from_first->sd == 0);  // the same change every year
    REQUIRE(a.net_change_from_first->mean == 0);
  }
  // The intervention is applied: it halves the chance a mistake loses the deal (0.3 -> 0.15).
  Model model = load_study(file);
  const SweepAxis axis = make_variant_axis(model, variants, "intervention.coaching.cost", {10'000});
  const Sweep with = run_sweep(model, axis, std::nullopt, RunOptions{.threads = 2}, &variants, coaching);
  const Sweep without = run_sweep(model, axis, std::nullopt, RunOptions{.threads = 2}, &variants);
  REQUIRE(!without.points[0].net);
  const double n = 2 * 40, se = 10'000 * std::sqrt(n * 0.5 * 0.15 * (1 - 0.5 * 0.15) / 4'000.0);
  REQUIRE(std::abs(with.points[0].total.mean - n * 0.5 * 0.15 * 10'000) < 4 * se);
  REQUIRE(with.points[0].total.mean < 0.7 * without.points[0].total.mean);
}

TEST_CASE("sweep --intervention: refused without it and shown in JSON and CSV",
          "[whatif][sweep][intervention][cli]") {
  const std::string base = "sweep configs/training-options.toml --param intervention.pilot-training.cost ";
  const CliResult missing = run_cli(base + "--values 10000,30000 --trials 100 -q");
  REQUIRE(missing.status == 2);
  REQUIRE(
      missing.err.find("intervention.pilot-training.cost belongs to intervention \"pilot-training\", which "
                       "this sweep does not apply") != std::string::npos);
  REQUIRE(missing.err.find("add --intervention pilot-training") != std::string::npos);
  const CliResult typo = run_cli(base + "--values 10000 --trials 100 -q --intervention pilot-trainin");
  REQUIRE(typo.status == 2);
  REQUIRE(typo.err.find("did you mean pilot-training?") != std::string::npos);

  const CliResult json =
      run_cli(base + "--values 10000,30000 --trials 300 -q --intervention pilot-training --json -");
  INFO(json.err);
  REQUIRE(json.status == 0);
  const auto j = nlohmann::json::parse(json.out);
  REQUIRE(j["interventions"][0]["id"] == "pilot-training");
  const auto& p = j["points"];
  REQUIRE(p[0]["cost"]["total"]["mean"] == p[1]["cost"]["total"]["mean"]);
  // 20,000 + 10 reps x 1,500 + 10 x 16 hours at the hourly cost, which the study draws per year
  REQUIRE(p[1]["intervention_cost"]["mean"].get<double>() - p[0]["intervention_cost"]["mean"].get<double>() ==
          Approx(20'000).epsilon(1e-12));
  REQUIRE(p[1]["net"]["change_from_first"]["mean"].get<double>() == Approx(20'000).epsilon(1e-12));

  const CliResult csv =
      run_cli(base + "--values 10000,30000 --trials 100 -q --intervention pilot-training --csv -");
  REQUIRE(csv.status == 0);
  REQUIRE(csv.out.find(",intervention_cost_mean,net_mean,") != std::string::npos);
  const CliResult table =
      run_cli(base + "--values 10000,30000 --trials 100 -q --intervention pilot-training");
  REQUIRE(table.status == 0);
  REQUIRE(table.out.find("With Pilot set-up training at every point") != std::string::npos);
}

TEST_CASE("a deal-size scale of 1 equals the plain run bit for bit and s multiplies revenue",
          "[whatif][sweep][variants][scale]") {
  const fs::path file = kSource + "/configs/mid-market.toml";
  StudyVariants variants = variants_of(file);
  REQUIRE(variants.find("pipeline.deal_size:scale") != nullptr);
  REQUIRE(variants.find("mistake.skipped-discovery.wasted_hours:scale") != nullptr);
  const auto compile = variants.compile;
  variants.compile = [compile](const std::vector<std::pair<std::string, double>>& values) {
    Model m = compile(values);
    m.trials = 300;
    return m;
  };
  Model model = load_study(file);
  model.trials = 300;
  const SweepAxis axis = make_variant_axis(model, variants, "pipeline.deal_size:scale", {1, 2});
  const Sweep sweep = run_sweep(model, axis, std::nullopt, RunOptions{.threads = 2}, &variants);
  Model plain = load_study(file);
  plain.trials = 300;
  const SweepPoint same = summarize_point(run_trials(plain, Scenario{}, RunOptions{.threads = 2}));
  REQUIRE(std::memcmp(&sweep.points[0].total, &same.total, sizeof(Summary)) == 0);
  REQUIRE(sweep.points[0].pipeline.revenue == same.pipeline.revenue);
  REQUIRE(sweep.points[0].mistake_cost_mean == same.mistake_cost_mean);
  // Doubling is exact in binary and whether a deal closes does not depend on its size: twice the revenue.
  REQUIRE(sweep.points[1].pipeline.revenue == 2 * same.pipeline.revenue);
  REQUIRE(sweep.points[1].pipeline.revenue_done_right == 2 * same.pipeline.revenue_done_right);
  REQUIRE(sweep.points[1].pipeline.wins == same.pipeline.wins);
  REQUIRE(sweep.points[1].total.mean > same.total.mean);  // bigger deals, bigger losses

  // Constant inputs: every deal is $10,000 and closes, so revenue is reps x 40 x 10,000 x s.
  const fs::path dir = scratch_dir("sweep-scale");
  const fs::path team = write_file(dir, "team.toml", kConstantTeam);
  Model m2 = load_study(team);
  const StudyVariants v2 = variants_of(team);
  const Sweep s2 = run_sweep(m2, make_variant_axis(m2, v2, "pipeline.deal_size:scale", {0.5, 1, 1.2}),
                             std::nullopt, RunOptions{.threads = 2}, &v2);
  for (const SweepPoint& p : s2.points) {
    INFO("scale " << p.value);
    REQUIRE(p.pipeline.revenue == Approx(2 * 40 * 10'000 * p.value).epsilon(1e-15));
    REQUIRE(p.total.mean ==
            2 * 40 * (3 * 100 + 50));  // the mistake's cost does not depend on the deal's size
  }
  // A per-occurrence amount scales too: 3 hours x 2 = 6 hours at $100 and $50 out of pocket.
  const Sweep s3 = run_sweep(m2, make_variant_axis(m2, v2, "mistake.slow-follow-up.wasted_hours:scale", {2}),
                             std::nullopt, RunOptions{.threads = 2}, &v2);
  REQUIRE(s3.points[0].total.mean == 2 * 40 * (6 * 100 + 50));

  // Refused: a scale of what is not an amount, a negative scale.
  for (const auto& [path, value, words] :
       {std::tuple{"pipeline.close_rate:scale", 2.0, "not a per-deal or per-occurrence amount"},
        std::tuple{"pipeline.deal_size:scale", -1.0, "a scale factor is >= 0, got -1"}}) {
    try {
      (void)load_study_with(team, {}, {{path, value}});
      FAIL(path << " = " << value << " was accepted");
    } catch (const InputError& e) {
      INFO(e.what());
      REQUIRE(e.path() == path);
      REQUIRE(std::string(e.what()).find(words) != std::string::npos);
    }
  }
  const CliResult guess =
      run_cli("sweep configs/mid-market.toml --param deal_size:scale --values 1.2 --trials 100 -q");
  REQUIRE(guess.status == 2);
  REQUIRE(guess.err.find("did you mean pipeline.deal_size:scale?") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Uncertain parameters

namespace {

std::string deal_size_study(const std::string& deal_size) {
  return "extends = \"mid-market.toml\"\n[study]\ntrials = 400\n[pipeline]\ndeal_size = " + deal_size + "\n";
}

Model study_text(const std::string& text) { return parse_study(text, "study.toml", kSource + "/configs"); }

}  // namespace

TEST_CASE("an uncertain median with a point mass equals the constant study bit for bit",
          "[config][uncertain]") {
  const Model constant =
      study_text(deal_size_study("{ dist = \"lognormal\", median = 45_000, p90 = 180_000 }"));
  for (const char* mass : {"{ dist = \"constant\", value = 45_000 }",
                           "{ dist = \"pert\", min = 45_000, mode = 45_000, max = 45_000 }"}) {
    INFO(mass);
    const Model uncertain = study_text(
        deal_size_study(std::string("{ dist = \"lognormal\", median = ") + mass + ", p90 = 180_000 }"));
    REQUIRE(uncertain.trial_distributions.size() == 1);  // the per-trial path is taken
    REQUIRE(uncertain.find_input("pipeline.deal_size.median") != kNoInput);
    const TrialResults a = run_trials(constant, Scenario{}, RunOptions{.threads = 2});
    const TrialResults b = run_trials(uncertain, Scenario{}, RunOptions{.threads = 2});
    REQUIRE(same_bytes(a.cost_total, b.cost_total));
    REQUIRE(same_bytes(a.revenue, b.revenue));
    REQUIRE(same_bytes(a.revenue_done_right, b.revenue_done_right));
    REQUIRE(same_bytes(a.mistake_costs, b.mistake_costs));
  }
}

TEST_CASE("an uncertain median compiles to plain data that from_parameters solves each year",
          "[config][uncertain]") {
  const Model m = study_text(deal_size_study(
      "{ dist = \"lognormal\", median = { dist = \"pert\", min = 35_000, mode = 45_000, max = 65_000 }, "
      "p90 = 180_000 }"));
  REQUIRE(m.trial_distributions.size() == 1);
  const TrialDistribution& td = m.trial_distributions[0];
  CHECK(td.family == DistKind::lognormal);
  REQUIRE(td.numbers.size() == 2);
  CHECK(td.numbers[0].key == "median");
  CHECK(td.numbers[1].key == "p90");
  CHECK(td.numbers[1].value == 180'000);
  REQUIRE(td.uncertain.size() == 1);
  CHECK(td.uncertain[0].number == 0);
  CHECK(td.uncertain[0].input == m.find_input("pipeline.deal_size.median"));
  // A year whose median is 50,000: the lognormal of median 50,000 and p90 180,000, bit for bit.
  std::vector<double> year(m.inputs.size(), 0.0);
  year[td.uncertain[0].input] = 50'000;
  std::vector<DistParameter> scratch;
  const Distribution d = in_year(td, year, scratch);
  const Distribution expected =
      parse_distribution("{ dist = \"lognormal\", median = 50_000, p90 = 180_000 }");
  CHECK(d.kind == DistKind::lognormal);
  CHECK(d.p[0] == expected.p[0]);
  CHECK(d.p[1] == expected.p[1]);
  // The model's preview distribution is the one at the parameter's mean.
  year[td.uncertain[0].input] = m.inputs[td.uncertain[0].input].dist.mean();
  CHECK(in_year(td, year, scratch).p[0] == m.deal_size.dist.p[0]);
}

TEST_CASE("an uncertain median is drawn once a year and each year's deals follow it", "[config][uncertain]") {
  const std::string lognormal =
      "{ dist = \"lognormal\", median = { dist = \"pert\", min = 35_000, mode = 45_000, "
      "max = 65_000 }, p90 = 180_000 }";
  const Model m = study_text(deal_size_study(lognormal));
  const InputId median = m.find_input("pipeline.deal_size.median");
  REQUIRE(median != kNoInput);
  const std::vector<InputId> uncertain = m.uncertain_inputs();
  REQUIRE(std::find(uncertain.begin(), uncertain.end(), median) != uncertain.end());  // sensitivity ranks it
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 2});
  const auto k = static_cast<std::size_t>(
      std::find(r.recorded_inputs.begin(), r.recorded_inputs.end(), median) - r.recorded_inputs.begin());
  REQUIRE(k < r.recorded_inputs.size());
  // Trial t of the uncertain study is trial t of the study whose median is that year's draw.
  for (std::uint64_t t : {0u, 7u, 123u}) {
    const double drawn = r.input_values[k * r.count + t];
    REQUIRE(drawn >= 35'000);
    REQUIRE(drawn <= 65'000);
    const Model fixed = study_text(deal_size_study(
        fmt::format("{{ dist = \"lognormal\", median = {}, p90 = 180_000 }}", fmt::format("{}", drawn))));
    const TrialResults one =
        run_trials(fixed, Scenario{}, RunOptions{.first_trial = t, .trials = 1, .threads = 1});
    INFO("trial " << t << " median " << drawn);
    REQUIRE(std::memcmp(&one.cost_total[0], &r.cost_total[t], sizeof(double)) == 0);
    REQUIRE(std::memcmp(&one.revenue_done_right[0], &r.revenue_done_right[t], sizeof(double)) == 0);
  }
  // a sweep pins it as any year-level input
  const SweepAxis axis = make_sweep_axis(m, "pipeline.deal_size.median", {40'000, 60'000});
  const Sweep s = run_sweep(m, axis, std::nullopt, RunOptions{.threads = 2});
  REQUIRE(s.points[1].pipeline.revenue_done_right > s.points[0].pipeline.revenue_done_right);
}

TEST_CASE("uncertain parameters that could make the distribution invalid are refused with the path",
          "[config][uncertain][bad]") {
  const auto refused = [](const std::string& deal_size, const std::string& path, const std::string& words) {
    try {
      study_text(deal_size_study(deal_size));
      FAIL("accepted " << deal_size);
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(e.path() == path);
      CHECK(e.where().line == 5);  // deal_size's line
      CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
  };
  // a median up to 200,000 would pass the P90 of 180,000
  refused(
      "{ dist = \"lognormal\", median = { dist = \"uniform\", min = 40_000, max = 200_000 }, p90 = 180_000 }",
      "pipeline.deal_size.median", "median = 200000 (the highest it can be)");
  refused(
      "{ dist = \"lognormal\", median = { dist = \"lognormal\", median = 40_000, p90 = 60_000 }, p90 = "
      "180_000 }",
      "pipeline.deal_size.median", "needs bounds");
  // a PERT whose min can go below zero: no deal has a negative size
  refused(
      "{ dist = \"pert\", min = { dist = \"uniform\", min = -1000, max = 1000 }, mode = 5000, max = 9000 }",
      "pipeline.deal_size.min", "an amount of money is >= 0");
  // a year-level rate is already drawn once a year
  try {
    study_text(
        "extends = \"mid-market.toml\"\n[pipeline]\nclose_rate = { dist = \"beta\", mean = { dist = "
        "\"uniform\", min = 0.4, max = 0.5 }, sd = 0.05 }\n");
    FAIL("an uncertain parameter of a year-level rate was accepted");
  } catch (const InputError& e) {
    CHECK(e.path() == "pipeline.close_rate");
    CHECK(std::string(e.what()).find("only in an amount drawn per deal or per occurrence") !=
          std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// extends: merge key by key, remove, --effective

TEST_CASE("a redefined mistake restating only its probability keeps every other key of the base",
          "[config][extends]") {
  const Model base = load_study(kSource + "/configs/mid-market.toml");
  const Model child = load_study(kSource + "/configs/what-if.toml");
  const auto find = [](const Model& m, const std::string& id) -> const Mistake& {
    for (const Mistake& x : m.mistakes)
      if (x.id == id) return x;
    FAIL("no mistake " << id);
    return m.mistakes.front();
  };
  const Mistake& a = find(base, "skipped-discovery");
  const Mistake& b = find(child, "skipped-discovery");
  CHECK(b.name == a.name);
  CHECK(b.stage == a.stage);
  CHECK(b.applies_to == a.applies_to);
  CHECK(b.has_recovery);
  for (auto input : {&Mistake::noticed, &Mistake::lose, &Mistake::churn})
    CHECK(child.inputs[b.*input].dist.describe() == base.inputs[a.*input].dist.describe());
  for (auto amount : {&Mistake::wasted_hours, &Mistake::direct_cost, &Mistake::discount,
                      &Mistake::recovery_hours, &Mistake::recovery_saved})
    CHECK((b.*amount).dist.describe() == (a.*amount).dist.describe());
  CHECK(child.inputs[b.probability].dist.describe() !=
        base.inputs[a.probability].dist.describe());  // the change
  CHECK(child.inputs[b.probability].dist.p[1] == 0.55);
}

TEST_CASE("extends: remove = true drops a mistake or an intervention of the base", "[config][extends]") {
  const fs::path dir = scratch_dir("extends-remove");
  fs::copy_file(kSource + "/configs/mid-market.toml", dir / "mid-market.toml");
  const Model base = load_study(dir / "mid-market.toml");
  const fs::path child = write_file(dir, "child.toml",
                                    "extends = \"mid-market.toml\"\n[[mistake]]\nid = \"skipped-discovery\"\n"
                                    "remove = true\n");
  const Model m = load_study(child);
  REQUIRE(m.mistakes.size() + 1 == base.mistakes.size());
  for (const Mistake& x : m.mistakes) CHECK(x.id != "skipped-discovery");
  const auto bad = [&](const std::string& text, const std::string& words) {
    const fs::path f = write_file(dir, "bad.toml", "extends = \"mid-market.toml\"\n" + text);
    try {
      load_study(f);
      FAIL("accepted " << text);
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
  };
  bad("[[mistake]]\nid = \"no-such\"\nremove = true\n", "has no mistake \"no-such\"");
  bad("[[mistake]]\nid = \"skipped-discovery\"\nremove = true\nlose = 0.2\n", "says nothing else");
  bad("[[mistake]]\nid = \"skipped-discovery\"\nremove = false\n", "remove = true drops");
  bad("[[mistake]]\nid = \"new-one\"\nprobability = 0.1\n", "needs the stage");  // a new mistake says it all
}

TEST_CASE("validate --effective prints a study that runs as the merged one", "[config][extends][cli]") {
  {
    const CliResult r = run_cli("validate --effective configs/what-if.toml");
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(r.out.find("\nextends =") == std::string::npos);  // no extends key: only the comment names it
    REQUIRE(r.out.find("id = \"skipped-discovery\"") != std::string::npos);
  }
  // Every example study, the multi-year and capacity keys included, with its interventions applied.
  for (const char* file : {"what-if.toml", "three-year.toml", "training-options.toml",
                           "uncertain-deal-size.toml", "correlated.toml", "seed-case.toml"}) {
    INFO(file);
    const CliResult r = run_cli(std::string("validate --effective configs/") + file);
    INFO(r.err);
    REQUIRE(r.status == 0);
    Model effective = parse_study(r.out, "effective.toml", kSource + "/configs");
    Model merged = load_study(kSource + "/configs/" + file);
    effective.trials = merged.trials = 300;
    Scenario all;
    for (std::size_t k = 0; k < merged.interventions.size(); ++k) all.interventions.push_back(k);
    REQUIRE(effective.interventions.size() == merged.interventions.size());
    REQUIRE(effective.mistakes.size() == merged.mistakes.size());
    for (const Scenario& scenario : {Scenario{}, all}) {
      const TrialResults a = run_trials(effective, scenario, RunOptions{.threads = 2});
      const TrialResults b = run_trials(merged, scenario, RunOptions{.threads = 2});
      REQUIRE(same_bytes(a.cost_total, b.cost_total));
      REQUIRE(same_bytes(a.revenue, b.revenue));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// CRM counts

TEST_CASE("CRM counts from a file equal those typed by hand", "[config][crm]") {
  const Model from_file = load_study(kSource + "/configs/crm-informed.toml");
  const Model by_hand = study_text(
      "extends = \"crm-informed.toml\"\n[pipeline]\nclose_rate = { dist = \"beta\", "
      "wins = 56, losses = 64 }\n");
  const Distribution& a = from_file.inputs[from_file.close_rate].dist;
  const Distribution& b = by_hand.inputs[by_hand.close_rate].dist;
  REQUIRE(a.kind == DistKind::beta);
  REQUIRE(a.p[0] == b.p[0]);
  REQUIRE(a.p[1] == b.p[1]);
  REQUIRE(a.p[0] == 57);
  // one segment: the Mid-market rows (38 won, 34 lost)
  const Model segment = load_study(kSource + "/configs/crm-segment.toml");
  REQUIRE(segment.inputs[segment.close_rate].dist.p[0] == 39);
  REQUIRE(segment.inputs[segment.close_rate].dist.p[1] == 35);
  REQUIRE(segment.notes.size() == 1);
  CHECK(segment.notes[0].find("38 won and 34 lost") != std::string::npos);
  const CliResult shown = run_cli("validate configs/crm-segment.toml");
  REQUIRE(shown.status == 0);
  CHECK(shown.out.find("pipeline.close_rate: 38 won and 34 lost counted in") != std::string::npos);
}

TEST_CASE("CRM counts: a missing column or value is refused where the study names it", "[config][crm][bad]") {
  const fs::path dir = scratch_dir("crm-bad");
  fs::copy_file(kSource + "/configs/data/crm-deals-fy26.csv", dir / "crm.csv");
  const auto refused = [&](const std::string& beta, const std::string& path, int column,
                           const std::string& words) {
    const fs::path f =
        write_file(dir, "study.toml",
                   "[pipeline]\nopportunities_per_rep = 10\ndeal_size = 1000\nclose_rate = " + beta + "\n");
    try {
      load_study(f);
      FAIL("accepted " << beta);
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(e.path() == path);
      CHECK(e.where().line == 4);
      CHECK(e.where().column == column);
      CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
  };
  const std::string head = "{ dist = \"beta\", file = \"crm.csv\", ";
  refused(head + "outcome = \"Stage\", won = \"Closed Won\", lost = \"Closed Lost\" }", "pipeline.close_rate",
          59, "no column \"Stage\" in the header of " + (dir / "crm.csv").string() + ":1:1");
  refused(head + "outcome = \"outcome\", won = \"Closed Wonn\", lost = \"Closed Lost\" }",
          "pipeline.close_rate", 76,
          "has outcome = \"Closed Wonn\"; outcomes found: \"Closed Won\", \"Closed Lost\"");
  refused(head +
              "outcome = \"outcome\", won = \"Closed Won\", lost = \"Closed Lost\", where = { segment = "
              "\"Mid-markt\" } }",
          "pipeline.close_rate.where.segment", 132, "no row of");
  refused(head +
              "outcome = \"outcome\", won = \"Closed Won\", lost = \"Closed Lost\", where = { Segment = "
              "\"Mid-market\" } }",
          "pipeline.close_rate", 120, "no column \"Segment\"");
  refused(head + "outcome = \"outcome\", won = \"Closed Won\" }", "pipeline.close_rate", 14,
          "also needs lost");
  // confined as the other data files: a CSV outside the study's folders is refused
  write_file(dir.parent_path(), "crm-elsewhere.csv", "outcome\nW\nL\n");
  refused(
      "{ dist = \"beta\", file = \"../crm-elsewhere.csv\", outcome = \"outcome\", won = \"W\", lost = \"L\" "
      "}",
      "pipeline.close_rate", 38, "is outside the folders a study may read from");
}
