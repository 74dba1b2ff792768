// Inputs people can trust: correlations as asked, inputs from data, frequency x magnitude.
#include "cli_runner.hpp"

#include <mistakesim/engine.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mistakesim;
using namespace mistakesim::testing;
namespace fs = std::filesystem;

namespace {

//! Spearman's rho from the library (known-answer tested in test_whatif.cpp).
double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  return mistakesim::spearman(a, b);
}

std::vector<double> input_column(const Model& m, const TrialResults& r, const std::string& path) {
  const InputId id = m.find_input(path);
  const auto it = std::find(r.recorded_inputs.begin(), r.recorded_inputs.end(), id);
  REQUIRE(it != r.recorded_inputs.end());
  const std::size_t k = static_cast<std::size_t>(it - r.recorded_inputs.begin());
  return {r.input_values.begin() + static_cast<std::ptrdiff_t>(k * r.count),
          r.input_values.begin() + static_cast<std::ptrdiff_t>((k + 1) * r.count)};
}

const char* kSmallStudy = R"(
[study]
name = "correlation check"
trials = 20000
seed = 99
[team]
reps = 1
hourly_cost = 100
[pipeline]
opportunities = 5
good_fit = { dist = "beta", alpha = 2, beta = 5 }
close_rate = { dist = "pert", min = 0.2, mode = 0.5, max = 0.9 }
pilot_rate = { dist = "uniform", min = 0.1, max = 0.4 }
repeat_customer = { dist = "triangular", min = 0.1, mode = 0.2, max = 0.5 }
deal_size = 1000
)";

}  // namespace

TEST_CASE("achieved rank correlations are within 0.03 of those asked for", "[inputs][correlation]") {
  const std::string text = std::string(kSmallStudy) + R"(
[[correlation]]
a = "pipeline.good_fit"
b = "pipeline.close_rate"
rank = 0.6
[[correlation]]
a = "pipeline.pilot_rate"
b = "pipeline.close_rate"
rank = -0.4
)";
  const Model m = parse_study(text, "correlation.toml", ".");
  REQUIRE(m.warnings.empty());
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{});
  const auto fit = input_column(m, r, "pipeline.good_fit");
  const auto close = input_column(m, r, "pipeline.close_rate");
  const auto pilot = input_column(m, r, "pipeline.pilot_rate");
  const auto repeat = input_column(m, r, "pipeline.repeat_customer");
  // With n = 20,000 the standard error of Spearman's rho is below 0.007, so 0.03 is > 4 SE.
  CHECK(std::abs(spearman(fit, close) - 0.6) < 0.03);
  CHECK(std::abs(spearman(pilot, close) + 0.4) < 0.03);
  CHECK(std::abs(spearman(fit, repeat)) < 0.03);  // not asked for: independent
  // Each input keeps its own distribution: the copula changes the joint law, not the marginals.
  const double mean_close =
      std::accumulate(close.begin(), close.end(), 0.0) / static_cast<double>(close.size());
  CHECK(std::abs(mean_close - (0.2 + 4 * 0.5 + 0.9) / 6.0) < 0.005);
}

TEST_CASE("inconsistent correlations are repaired to the nearest valid ones, with a warning",
          "[inputs][correlation]") {
  const std::string text = std::string(kSmallStudy) + R"(
[[correlation]]
a = "pipeline.good_fit"
b = "pipeline.close_rate"
rank = 0.9
[[correlation]]
a = "pipeline.close_rate"
b = "pipeline.pilot_rate"
rank = 0.9
[[correlation]]
a = "pipeline.good_fit"
b = "pipeline.pilot_rate"
rank = -0.9
)";
  const Model m = parse_study(text, "inconsistent.toml", ".");
  REQUIRE(m.warnings.size() == 1);
  CHECK(m.warnings[0].find("pipeline.good_fit ~ pipeline.pilot_rate: -0.9 ->") != std::string::npos);
  REQUIRE_FALSE(m.copula.cholesky.empty());
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.trials = 5000});
  for (double x : r.cost_total) REQUIRE(std::isfinite(x));
}

TEST_CASE("correlating an input with itself or with a constant is refused", "[inputs][correlation]") {
  const std::string self =
      std::string(kSmallStudy) +
      "[[correlation]]\na = \"pipeline.good_fit\"\nb = \"pipeline.good_fit\"\nrank = 0.5\n";
  REQUIRE_THROWS_AS(parse_study(self, "self.toml", "."), InputError);
  const std::string constant =
      std::string(kSmallStudy) +
      "[[correlation]]\na = \"pipeline.good_fit\"\nb = \"team.hourly_cost\"\nrank = 0.5\n";
  REQUIRE_THROWS_WITH(parse_study(constant, "constant.toml", "."), Catch::Contains("constant"));
}

TEST_CASE("frequency times magnitude: mean yearly cost is lambda x E[cost per event]",
          "[inputs][statistical]") {
  // The classic risk model: a Poisson(lambda) number of events a year, each costing a lognormal
  // amount given by its 90% interval [a, b]: mu = (ln a + ln b) / 2, sigma = (ln b - ln a) / (2 z95)
  // with z95 = 1.6448536. E[yearly cost] = lambda exp(mu + sigma^2 / 2).
  const double lambda = 12.0, a = 5000.0, b = 80000.0;
  const std::string text = R"(
[study]
name = "incidents"
trials = 40000
seed = 5
[pipeline]
opportunities = { dist = "poisson", mean = 12 }   # events a year
close_rate = 0
deal_size = 0
[[mistake]]
id = "incident"
stage = "qualify"
probability = 1
direct_cost = { dist = "lognormal", p05 = 5000, p95 = 80000 }
)";
  const Model m = parse_study(text, "incidents.toml", ".");
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{});
  const double mu = 0.5 * (std::log(a) + std::log(b));
  const double sigma = (std::log(b) - std::log(a)) / (2.0 * 1.6448536269514722);
  const double expected = lambda * std::exp(mu + 0.5 * sigma * sigma);
  double sum = 0.0, sq = 0.0;
  for (double x : r.cost_total) sum += x;
  const double mean = sum / static_cast<double>(r.count);
  for (double x : r.cost_total) sq += (x - mean) * (x - mean);
  const double se = std::sqrt(sq / static_cast<double>(r.count - 1) / static_cast<double>(r.count));
  INFO("expected " << expected << ", simulated " << mean << " +- " << se);
  REQUIRE(std::abs(mean - expected) < 4.0 * se);
  REQUIRE(se < 0.01 * expected);
}

TEST_CASE("a CRM export feeds deal sizes and counts feed a close rate", "[inputs][data]") {
  const Model m = load_study(fs::path(MISTAKESIM_SOURCE_DIR) / "configs/crm-informed.toml");
  // Beta(wins + 1, losses + 1) = Beta(57, 65)
  const Distribution& close = m.inputs[m.close_rate].dist;
  REQUIRE(close.kind == DistKind::beta);
  REQUIRE(close.p[0] == 57.0);
  REQUIRE(close.p[1] == 65.0);
  REQUIRE(m.deal_size.dist.kind == DistKind::empirical);
  REQUIRE(m.deal_size.dist.values.size() == 120);
  // Every simulated deal is one of the export's amounts.
  const std::string csv = read_text(fs::path(MISTAKESIM_SOURCE_DIR) / "configs/data/crm-deals-fy26.csv");
  REQUIRE(csv.find(",87600,") != std::string::npos);
  REQUIRE(std::count(m.deal_size.dist.values.begin(), m.deal_size.dist.values.end(), 87600.0) >= 1);
}

TEST_CASE("mistakesim dist previews an input exactly", "[inputs][cli]") {
  const CliResult r = run_cli("dist '{ dist = \"lognormal\", p05 = 10, p95 = 200 }' --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"mean", "sd", "p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99"})
    REQUIRE(j.contains(key));
  CHECK(j["p05"].get<double>() == Approx(10.0).epsilon(0.005));
  CHECK(j["p95"].get<double>() == Approx(200.0).epsilon(0.005));
  CHECK(j["p50"].get<double>() == Approx(std::sqrt(10.0 * 200.0)).epsilon(1e-9));
  const CliResult wl = run_cli("dist '{ dist = \"beta\", wins = 30, losses = 70 }' --json");
  REQUIRE(wl.status == 0);
  CHECK(nlohmann::json::parse(wl.out)["mean"].get<double>() == Approx(31.0 / 102.0));
  const CliResult text = run_cli("dist '{ dist = \"pert\", min = 0.45, mode = 0.6, max = 0.75 }'");
  REQUIRE(text.status == 0);
  REQUIRE(text.out.find("PERT") != std::string::npos);
  REQUIRE(text.out.find("#") != std::string::npos);  // the histogram
  // A whole-number distribution: one bar per value here, the lowest (0, P(X = 0) = e^-3 = 5.0%) included.
  const CliResult counts = run_cli("dist '{ dist = \"poisson\", mean = 3 }'");
  REQUIRE(counts.status == 0);
  INFO(counts.out);
  REQUIRE(counts.out.find("                        0   5.0% ") != std::string::npos);
  REQUIRE(counts.out.find("                        1  14.9% ") != std::string::npos);
  REQUIRE(counts.out.find("0.5 - 0.5") == std::string::npos);  // no empty bar between whole values
  const CliResult bad = run_cli("dist '{ dist = \"pert\", min = 0.8, mode = 0.6, max = 0.75 }'");
  REQUIRE(bad.status == 2);
  REQUIRE(bad.err.find("<command line>") != std::string::npos);
}
