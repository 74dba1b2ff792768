// Paired comparison of interventions: exact zeros, closed forms, variance reduction.
#include <catch2/catch.hpp>
#include <cmath>
#include <mistakesim/compare.hpp>
#include <mistakesim/study.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "model_builder.hpp"

using namespace mistakesim;
using namespace mistakesim::testing;

namespace {

Intervention scale_probability(const Model& m, std::size_t mistake, Distribution factor, double cost = 0.0) {
  Intervention iv;
  iv.id = "iv-" + m.mistakes[mistake].id;
  iv.name = iv.id;
  iv.cost = cost;
  const std::string target = m.inputs[m.mistakes[mistake].probability].path;
  iv.effects.push_back(Effect{m.mistakes[mistake].probability, EffectOp::scale,
                              amount("intervention." + iv.id + "." + target, std::move(factor))});
  return iv;
}

double sd(const std::vector<double>& v) {
  double mu = 0.0;
  for (double x : v) mu += x;
  mu /= static_cast<double>(v.size());
  double s = 0.0;
  for (double x : v) s += (x - mu) * (x - mu);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

}  // namespace

TEST_CASE("an intervention with scale 1 saves exactly zero in every trial, and nets minus its cost",
          "[compare][crn]") {
  Model m = basic_model(60, 30000, 4000);
  m.inputs[m.close_rate].dist = Distribution::pert(0.3, 0.5, 0.7);
  m.inputs[m.good_fit].dist = Distribution::beta(3, 3);
  m.deal_size.dist = Distribution::lognormal(10, 0.7);
  const std::size_t k = add_mistake(m, "skipped-discovery", 1, 0.3, 0.2, 0.3);
  m.inputs[m.mistakes[k].probability].dist = Distribution::pert(0.1, 0.3, 0.5);
  m.interventions.push_back(scale_probability(m, k, Distribution::constant(1.0), 5000.0));
  const Comparison c = compare(m, all_interventions(m), CompareOptions{});
  REQUIRE(c.candidates.size() == 1);
  const CandidateResult& r = c.candidates[0];
  for (std::uint64_t t = 0; t < r.results.count; ++t) {
    INFO("trial " << t);
    REQUIRE(r.savings[t] == 0.0);
    REQUIRE(r.net[t] == -5000.0);
  }
  REQUIRE(r.p_pays_off == 0.0);
  REQUIRE_FALSE(r.break_even_fraction.has_value());
}

TEST_CASE("halving a mistake's probability saves n v p / 2 on deals that all close",
          "[compare][statistical]") {
  // n deals a year of value v, all good fits that all close; a mistake with probability p loses
  // every deal it hits. Halving p saves, in expectation, n v p / 2 a year.
  const double n = 100, v = 20000, p = 0.3;
  Model m = basic_model(n, v, 20000);
  const std::size_t k = add_mistake(m, "single-threaded", 3, p, 0.0, 1.0);
  m.interventions.push_back(scale_probability(m, k, Distribution::constant(0.5), 100000.0));
  const Comparison c = compare(m, all_interventions(m), CompareOptions{});
  const CandidateResult& r = c.candidates[0];
  const double expected = n * v * p / 2.0;
  const double se = sd(r.savings) / std::sqrt(static_cast<double>(r.savings.size()));
  INFO("expected " << expected << ", simulated " << r.savings_mean << " +- " << se);
  REQUIRE(std::abs(r.savings_mean - expected) < 4.0 * se);
  REQUIRE(se < 0.01 * expected);
  // Common random numbers: a deal lost with the intervention was also lost without it.
  for (std::uint64_t t = 0; t < r.results.count; ++t) REQUIRE(r.savings[t] >= 0.0);
  // Break-even: net(f) = n v p f / 2 - cost is zero at f = cost / (n v p / 2) = 100000 / 300000.
  REQUIRE(r.break_even_fraction.has_value());
  REQUIRE(std::abs(*r.break_even_fraction - 1.0 / 3.0) < 0.02);
  REQUIRE(r.roi_mean == Approx((r.savings_mean - 100000.0) / 100000.0));
}

TEST_CASE("intervention cost is fee + per rep + reps' hours at the team's hourly cost", "[compare]") {
  Model m = basic_model(10, 1000, 10);
  m.reps = 12;
  const std::size_t k = add_mistake(m, "a", 0, 0.1, 0.0, 0.0);
  Intervention iv = scale_probability(m, k, Distribution::constant(0.5), 20000.0);
  iv.cost_per_rep = 1500;
  iv.hours_per_rep = 16;
  m.interventions.push_back(iv);
  const Comparison c = compare(m, all_interventions(m), CompareOptions{});
  // 20,000 + 12 x 1,500 + 16 x 12 x $100/hour
  REQUIRE(c.candidates[0].cost_mean == 20000.0 + 12 * 1500.0 + 16 * 12 * 100.0);
}

TEST_CASE("training options: each intervention's paired variance reduction is at least 20",
          "[compare][cli]") {
  const auto dir = scratch_dir("compare");
  const auto json = dir / "compare.json";
  const CliResult r =
      run_cli("compare configs/training-options.toml --trials 20000 --json '" + json.string() + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(read_text(json));
  REQUIRE(j["schema"] == "mistakesim.compare/1");
  REQUIRE(j["interventions"].size() >= 3);
  double previous_net = INFINITY;
  for (const auto& iv : j["interventions"]) {
    INFO(iv["id"].get<std::string>());
    REQUIRE(iv["variance_reduction"].get<double>() >= 20.0);
    REQUIRE(iv["savings"]["mean"].get<double>() > 0.0);
    const double net = iv["net"]["mean"].get<double>();
    REQUIRE(net <= previous_net);  // ranked by mean net
    previous_net = net;
    REQUIRE(iv["p_pays_off"].get<double>() >= 0.0);
    REQUIRE(iv["p_pays_off"].get<double>() <= 1.0);
  }
  // The terminal table speaks dollars and names every option.
  const CliResult table = run_cli("compare configs/training-options.toml --trials 5000");
  REQUIRE(table.status == 0);
  REQUIRE(table.out.find("Pilot set-up training") != std::string::npos);
  REQUIRE(table.out.find("$") != std::string::npos);
  // A bundle and an unknown id.
  const CliResult bundle = run_cli(
      "compare configs/training-options.toml --trials 2000 --intervention pilot-training "
      "--bundle pilot-training,deal-reviews --json -");
  INFO(bundle.err);
  REQUIRE(bundle.status == 0);
  const auto b = nlohmann::json::parse(bundle.out);
  REQUIRE(b["interventions"].size() == 2);
  const CliResult unknown = run_cli("compare configs/training-options.toml --intervention no-such-thing");
  REQUIRE(unknown.status == 2);
  REQUIRE(unknown.err.find("no-such-thing") != std::string::npos);
  // An intervention named twice would be applied twice (its effect squared, its cost doubled): refused.
  const CliResult twice =
      run_cli("compare configs/training-options.toml --bundle pilot-training,pilot-training");
  REQUIRE(twice.status == 2);
  REQUIRE(twice.err.find("\"pilot-training\" twice") != std::string::npos);
  const CliResult repeated = run_cli(
      "compare configs/training-options.toml --intervention deal-reviews --intervention deal-reviews");
  REQUIRE(repeated.status == 2);
  REQUIRE(repeated.err.find("named twice") != std::string::npos);
  // --max-trials is bounded like --trials (a run holds its trials in memory).
  const CliResult huge = run_cli("run configs/mid-market.toml --precision 1% --max-trials 1000000000000");
  REQUIRE(huge.status == 2);
}

TEST_CASE("effects reach per-deal and per-occurrence amounts: hours, recovery, deal size", "[compare][crn]") {
  // 20 deals a year of $10,000, all closing. "slow-proposal" wastes 8 hours at $100/hour on every
  // deal; "pilot" loses every deal, noticed, and a recovery keeps 40% of it.
  const char* text = R"(
[study]
name = "amount effects"
trials = 200
seed = 3
[team]
hourly_cost = 100
[pipeline]
opportunities = 20
close_rate = 1
deal_size = 10_000
[[mistake]]
id = "slow-proposal"
stage = "discover"      # before the pilot, which loses every deal
probability = 1
wasted_hours = { dist = "triangular", min = 4, mode = 8, max = 12 }
[[mistake]]
id = "pilot"
stage = "pilot"
probability = 1
noticed = 1
lose = 1
recovery = { hours = 10, saved = 0.4 }
[[intervention]]
id = "templates"
name = "Proposal templates"
effect = [ { param = "mistake.slow-proposal.wasted_hours", scale = 0.5 } ]
[[intervention]]
id = "pilot-playbook"
name = "Pilot recovery playbook"
effect = [ { param = "mistake.pilot.recovery.saved", set = 0.9 }, { param = "mistake.pilot.recovery.hours", add = 5 } ]
[[intervention]]
id = "upsell"
name = "Upsell training"
effect = [ { param = "pipeline.deal_size", add = 100_000 } ]
)";
  const Model m = parse_study(text, "amounts.toml", ".");
  // Internal scale/shift inputs are not study inputs: nothing to rank, sweep or list.
  for (InputId id : m.uncertain_inputs()) REQUIRE_FALSE(m.inputs[id].internal);
  const Comparison c = compare(m, all_interventions(m), CompareOptions{});
  REQUIRE(c.candidates.size() == 3);
  for (const CandidateResult& r : c.candidates) {
    INFO(r.candidate.id);
    for (std::uint64_t t = 0; t < r.results.count; ++t) {
      const double base_hours_cost = c.baseline.mistake_cost(0, t) + c.baseline.mistake_cost(1, t);
      REQUIRE(base_hours_cost == c.baseline.cost_total[t]);
      if (r.candidate.id == "templates") {
        // same hours draws, halved: exactly half of the hours mistake's cost is saved
        REQUIRE(m.mistakes[0].id == "slow-proposal");
        REQUIRE(c.baseline.mistake_cost(0, t) > 20 * 4 * 100.0);
        REQUIRE(r.savings[t] == Approx(0.5 * c.baseline.mistake_cost(0, t)).epsilon(1e-12));
      } else if (r.candidate.id == "pilot-playbook") {
        // per deal: kept 40% -> 90% of $10,000 (+$5,000), recovery 10 -> 15 hours (-$500)
        REQUIRE(r.savings[t] == Approx(20 * (5000.0 - 500.0)).epsilon(1e-12));
      } else {
        // deals are 11x larger, so the pilot's 60% loss grows: savings are negative
        REQUIRE(r.savings[t] == Approx(-20 * 0.6 * 100000.0).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("an effect on an amount is checked like any input", "[compare][errors]") {
  const std::string base = R"(
[study]
name = "bad effect"
[pipeline]
opportunities = 1
close_rate = 1
deal_size = 1000
[[mistake]]
id = "pilot"
stage = "pilot"
probability = 1
lose = 1
recovery = { hours = 10, saved = 0.4 }
[[intervention]]
id = "x"
)";
  REQUIRE_THROWS_WITH(
      parse_study(base + "effect = [ { param = \"mistake.pilot.recovery.saved\", set = 1.5 } ]\n", "bad.toml",
                  "."),
      Catch::Contains("bad.toml:") && Catch::Contains("intervention.x.effect[1].set") &&
          Catch::Contains("a fraction lies in [0, 1], got 1.5"));
  REQUIRE_THROWS_WITH(
      parse_study(base + "effect = [ { param = \"mistake.pilot.recovery.typo\", scale = 2 } ]\n", "bad.toml",
                  "."),
      Catch::Contains("mistake.pilot.recovery.typo"));
  // The internal scale of an amount is not a parameter of the study.
  REQUIRE_THROWS_WITH(
      parse_study(
          base + "effect = [ { param = \"pipeline.deal_size\", scale = 2 } ]\n[[intervention]]\nid = \"y\"\n"
                 "effect = [ { param = \"pipeline.deal_size:scale\", scale = 2 } ]\n",
          "bad.toml", "."),
      Catch::Contains("unknown parameter \"pipeline.deal_size:scale\"") && !Catch::Contains(":shift"));
  // A recovery that the mistake does not have cannot be improved.
  const std::string no_recovery = R"(
[pipeline]
opportunities = 1
close_rate = 1
deal_size = 1000
[[mistake]]
id = "late-pricing"
stage = "close"
probability = 1
[[intervention]]
id = "x"
effect = [ { param = "mistake.late-pricing.recovery.saved", set = 0.9 } ]
)";
  REQUIRE_THROWS_WITH(parse_study(no_recovery, "bad.toml", "."),
                      Catch::Contains("mistake \"late-pricing\" has no recovery"));
}
