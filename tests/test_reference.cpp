// The NumPy reference (bench/reference/mistakesim_ref.py) as an independent check of the engine.
//
// Both programs run configs/mid-market.toml; the reference uses NumPy's generator, not Philox, so
// individual trials differ and only the distributions must agree. Statistical test (a bound
// on a sampling error, not an exact answer), fixed seeds, stated bounds:
//  - every mean (yearly cost total/known/unknown, each mistake's cost and occurrences, the pipeline
//    counts, revenue and hours) within 4 combined standard errors, sqrt(sd^2/n_engine +
//    sd^2/n_reference), with sd taken from the engine's trials (under the hypothesis that the two
//    agree, both columns share one distribution);
//  - P50 and P95 of the yearly cost total/known/unknown within 4 combined standard errors, the
//    engine's quantile standard error read off its distribution-free 95% interval (width / 3.92)
//    and scaled to the reference's sample size in the same way.
// The bound is checked to be tight (4 SE below 1% of the total cost's mean and P50), so a model
// difference of a few percent in any of the main figures fails the test.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <mistakesim/engine.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "model_builder.hpp"

using namespace mistakesim;
using namespace mistakesim::testing;

namespace {

constexpr std::uint64_t kTrials = 100'000;  // each program; ~5 s engine (1 core), ~10-15 s NumPy

//! Runs the reference on a study; returns its JSON summary.
nlohmann::json run_reference(const std::string& study, std::uint64_t trials, std::uint64_t seed) {
  const auto dir = scratch_dir("reference-" + std::to_string(::getpid()));
  const auto out = dir / "ref.json";
  const std::string cmd = std::string("cd '") + MISTAKESIM_SOURCE_DIR +
                          "' && OMP_NUM_THREADS=1 /usr/bin/python3 bench/reference/mistakesim_ref.py '" +
                          study + "' --trials " + std::to_string(trials) + " --seed " + std::to_string(seed) +
                          " --json '" + out.string() + "' > '" + (dir / "stdout").string() + "' 2> '" +
                          (dir / "stderr").string() + "'";
  const int raw = std::system(cmd.c_str());
  INFO("command: " << cmd << "\nstderr: " << read_text(dir / "stderr"));
  REQUIRE(WIFEXITED(raw));
  REQUIRE(WEXITSTATUS(raw) == 0);
  std::ifstream in(out);
  nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::remove_all(dir);
  return j;
}

struct Column {
  std::vector<double> values;
  double mean = 0.0, sd = 0.0;
};

Column column(const std::vector<double>& v) {
  Column c{v};
  const Summary s = summarize(std::span<const double>(v));
  c.mean = s.mean;
  c.sd = s.sd;
  return c;
}
template <class T>
Column column(const std::vector<T>& v) {
  return column(std::vector<double>(v.begin(), v.end()));
}

//! Means agree within 4 combined standard errors; returns the bound used.
double check_mean(const std::string& what, const Column& engine, double reference, double n_engine,
                  double n_ref) {
  const double se = engine.sd * std::sqrt(1.0 / n_engine + 1.0 / n_ref);
  INFO(what << ": engine mean " << engine.mean << ", reference mean " << reference << ", difference "
            << engine.mean - reference << ", bound 4 x " << se);
  CHECK(std::abs(engine.mean - reference) <= 4.0 * se);
  return 4.0 * se;
}

//! A quantile agrees within 4 combined standard errors; returns the bound used.
double check_quantile(const std::string& what, std::vector<double> engine, double p, double reference,
                      double n_ref) {
  std::sort(engine.begin(), engine.end());
  const QuantileInterval ci = quantile_ci(engine, p, 0.95);
  const double n_engine = static_cast<double>(engine.size());
  const double se_engine = (ci.hi - ci.lo) / (2.0 * 1.959963984540054);
  const double se = se_engine * std::sqrt(1.0 + n_engine / n_ref);
  INFO(what << " P" << p * 100 << ": engine " << ci.estimate << " [" << ci.lo << ", " << ci.hi
            << "], reference " << reference << ", difference " << ci.estimate - reference << ", bound 4 x "
            << se);
  CHECK(std::abs(ci.estimate - reference) <= 4.0 * se);
  return 4.0 * se;
}

}  // namespace

TEST_CASE("engine and NumPy reference agree on mid-market: means and quantiles within 4 SE",
          "[reference][statistical]") {
  const std::string study = "configs/mid-market.toml";
  const Model model = load_study(std::string(MISTAKESIM_SOURCE_DIR) + "/" + study);
  const TrialResults r = run_trials(model, Scenario{}, RunOptions{.trials = kTrials, .threads = 2});
  const nlohmann::json ref = run_reference(study, kTrials, 7);  // another seed: the generators differ anyway
  const double ne = static_cast<double>(r.count);
  const double nr = ref["trials"].get<double>();
  REQUIRE(nr == static_cast<double>(kTrials));

  // Yearly cost: means and quantiles.
  const std::vector<std::pair<std::string, const std::vector<double>*>> costs = {
      {"total", &r.cost_total}, {"known", &r.cost_known}, {"unknown", &r.cost_unknown}};
  for (const auto& [name, col] : costs) {
    const Column c = column(*col);
    const auto& s = ref["cost"][name];
    const double bound = check_mean("cost." + name, c, s["mean"].get<double>(), ne, nr);
    const double b50 = check_quantile("cost." + name, *col, 0.50, s["p50"].get<double>(), nr);
    check_quantile("cost." + name, *col, 0.95, s["p95"].get<double>(), nr);
    if (name == "total") {  // the test has power: 4 SE is below 1% of the figure
      INFO("bound on the mean " << bound << ", on P50 " << b50 << ", mean " << c.mean);
      REQUIRE(bound < 0.01 * c.mean);
      REQUIRE(b50 < 0.01 * c.mean);
    }
  }

  // Each mistake: cost (known, unknown) and occurrences.
  const std::size_t n = r.count;
  const std::vector<MistakeTally> tallies = replay_tallies(model, Scenario{}, r.first_trial, n);
  REQUIRE(ref["mistakes"].size() == model.mistakes.size());
  for (std::size_t k = 0; k < model.mistakes.size(); ++k) {
    const auto& m = ref["mistakes"][k];
    const std::string id = model.mistakes[k].id;
    REQUIRE(m["id"].get<std::string>() == id);
    // Per-trial tallies replayed (the run keeps totals); the engine's means are the reported ones.
    std::vector<double> known(n), unknown(n), cost(n), occ(n);
    for (std::size_t t = 0; t < n; ++t) {
      const MistakeTally& tally = tallies[k * n + t];
      known[t] = tally.known;
      unknown[t] = tally.unknown;
      cost[t] = r.mistake_cost(k, t);
      occ[t] = tally.occurrences;
    }
    Column known_column = column(known), unknown_column = column(unknown), occ_column = column(occ);
    REQUIRE(known_column.mean == Approx(r.mistake_known_mean(k)).epsilon(1e-12));  // rounding only
    REQUIRE(unknown_column.mean == Approx(r.mistake_unknown_mean(k)).epsilon(1e-12));
    REQUIRE(occ_column.mean == Approx(r.mistake_occurrences_mean(k)).epsilon(1e-12));
    known_column.mean = r.mistake_known_mean(k);
    unknown_column.mean = r.mistake_unknown_mean(k);
    occ_column.mean = r.mistake_occurrences_mean(k);
    check_mean(id + ".cost", column(cost), m["cost_mean"].get<double>(), ne, nr);
    check_mean(id + ".known", known_column, m["known_mean"].get<double>(), ne, nr);
    check_mean(id + ".unknown", unknown_column, m["unknown_mean"].get<double>(), ne, nr);
    check_mean(id + ".occurrences", occ_column, m["occurrences_mean"].get<double>(), ne, nr);
  }

  // The pipeline: how many start, buy, should have bought; revenue; hours with non-buyers.
  const auto& p = ref["pipeline"];
  check_mean("opportunities", column(r.opportunities), p["opportunities_mean"].get<double>(), ne, nr);
  check_mean("good_fits", column(r.good_fits), p["good_fits_mean"].get<double>(), ne, nr);
  check_mean("wins_done_right", column(r.wins_done_right), p["wins_done_right_mean"].get<double>(), ne, nr);
  check_mean("wins", column(r.wins), p["wins_mean"].get<double>(), ne, nr);
  check_mean("should_have_bought", column(r.should_have_bought), p["should_have_bought_mean"].get<double>(),
             ne, nr);
  check_mean("nonbuyer_hours", column(r.nonbuyer_hours), p["nonbuyer_hours_mean"].get<double>(), ne, nr);
  check_mean("revenue_done_right", column(r.revenue_done_right), p["revenue_done_right_mean"].get<double>(),
             ne, nr);
  check_mean("revenue", column(r.revenue), p["revenue_mean"].get<double>(), ne, nr);
}
