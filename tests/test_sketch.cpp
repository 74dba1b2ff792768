// The bounded-memory quantile sketch (sketch.hpp): its stated rank error holds (statistical), it
// is deterministic, and merging and serializing keep it whole (exact).

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <mistakesim/sketch.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli_runner.hpp"

using mistakesim::ColumnSketch;
using mistakesim::QuantileSketch;

namespace {

//! Deterministic test values: a lognormal-ish skewed column, like yearly costs (SplitMix64 uniforms).
std::vector<double> costs(std::size_t n, std::uint64_t seed) {
  std::vector<double> out(n);
  std::uint64_t s = seed;
  for (double& x : out) {
    s += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    const double u = (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
    x = std::exp(3.0 * u * u) * 1000.0;  // skewed, with ties only by chance
  }
  return out;
}

//! The number of values <= x in ascending `sorted`.
double true_rank(const std::vector<double>& sorted, double x) {
  return static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
}

}  // namespace

TEST_CASE("sketch: estimated ranks stay within the stated error bound at least 99% of the time", "[sketch]") {
  // Statistical: 20 seeds x 19 quantiles (p = 0.05 ... 0.95) of 200,000 values, k = 200. Each rank
  // estimate exceeds rank_error_bound(0.01) with probability <= 0.01 (Azuma-Hoeffding, sketch.hpp),
  // so the violations are at most Binomial(380, 0.01): P(11 or more) < 0.001. The bound must also
  // be useful (below 3%) and the sketch small (it really compacts).
  const std::size_t n = 200'000;
  int violations = 0, queries = 0;
  double worst_error = 0.0, bound = 0.0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<double> values = costs(n, seed);
    QuantileSketch sketch(200, seed);
    for (double v : values) sketch.add(v);
    std::sort(values.begin(), values.end());
    bound = sketch.rank_error_bound(0.01);
    REQUIRE(sketch.count() == n);
    REQUIRE(sketch.retained() < n / 200);
    for (int i = 1; i <= 19; ++i) {
      const double x = values[static_cast<std::size_t>(0.05 * i * (n - 1))];
      const double error = std::abs(sketch.rank(x) - true_rank(values, x)) / static_cast<double>(n);
      worst_error = std::max(worst_error, error);
      violations += error > bound;
      ++queries;
    }
  }
  INFO("worst normalized rank error " << worst_error << ", bound at 99% " << bound << ", violations "
                                      << violations << " of " << queries);
  REQUIRE(violations <= 10);
  REQUIRE(bound < 0.03);
  REQUIRE(worst_error > 0.0);  // the sketch is approximate at this size (else the test checks nothing)
}

TEST_CASE("sketch: a quantile's true rank is within the bound of p n", "[sketch]") {
  const std::size_t n = 300'000;
  std::vector<double> values = costs(n, 77);
  QuantileSketch sketch(200, 77);
  for (double v : values) sketch.add(v);
  std::sort(values.begin(), values.end());
  const double bound = sketch.rank_error_bound(0.01);
  for (double p : {0.05, 0.5, 0.9, 0.95, 0.99}) {
    const double q = sketch.quantile(p);
    const double r = true_rank(values, q) / static_cast<double>(n);
    INFO("p " << p << ": sketch " << q << " has rank " << r << " (bound " << bound << ")");
    REQUIRE(std::abs(r - p) <= bound + 2.0 / static_cast<double>(n));
  }
  REQUIRE(sketch.quantile(0.0) == values.front());
  REQUIRE(sketch.quantile(1.0) == values.back());
}

TEST_CASE("sketch: exact while it holds every value", "[sketch]") {
  QuantileSketch sketch(200);
  for (double v : {5.0, 1.0, 4.0, 2.0, 3.0}) sketch.add(v);
  REQUIRE(sketch.rank_error_bound() == 0.0);
  REQUIRE(sketch.quantile(0.5) == 3.0);
  REQUIRE(sketch.quantile(0.25) == 2.0);
  REQUIRE(sketch.quantile(0.1) == Approx(1.4));  // type 7: h = 0.4 between 1 and 2
  REQUIRE(sketch.rank(3.5) == 3.0);
  sketch.add(std::nan(""));
  REQUIRE(sketch.count() == 5);
}

TEST_CASE("sketch: merged chunk sketches keep the bound and are the same bits every time", "[sketch]") {
  // Exact (determinism) and statistical (the merged bound at 99%, 19 quantiles: at most 3 above it,
  // P(4 or more of 19 at <= 1%) < 4e-5).
  const std::size_t n = 400'000, chunks = 8;
  std::vector<double> values = costs(n, 5);
  const auto merged = [&] {
    QuantileSketch all(200, 0);
    for (std::size_t c = 0; c < chunks; ++c) {
      QuantileSketch part(200, c + 1);
      for (std::size_t i = c * n / chunks; i < (c + 1) * n / chunks; ++i) part.add(values[i]);
      all.merge(part);
    }
    return all;
  };
  const QuantileSketch a = merged(), b = merged();
  REQUIRE(a.serialize() == b.serialize());
  REQUIRE(QuantileSketch::deserialize(a.serialize()).serialize() == a.serialize());
  REQUIRE(a.count() == n);
  std::sort(values.begin(), values.end());
  const double bound = a.rank_error_bound(0.01);
  int violations = 0;
  for (int i = 1; i <= 19; ++i) {
    const double x = values[static_cast<std::size_t>(0.05 * i * (n - 1))];
    violations += std::abs(a.rank(x) - true_rank(values, x)) / static_cast<double>(n) > bound;
  }
  INFO("bound " << bound << ", violations " << violations);
  REQUIRE(violations <= 3);
  REQUIRE(bound < 0.03);
}

TEST_CASE("sketch: a memory-bounded run has the exact run's exact figures and percentiles within the bound",
          "[sketch]") {
  // End to end on the engine: 300,000 years of mid-market (two chunks), bounded and kept whole.
  // Exact figures: count, min, max, the per-mistake means from exact totals (same bits), the mean
  // (exact sum rounded once vs a compensated sum: within 1e-12). Approximate ones: each sketched
  // percentile's exact rank within the stated 99% bound of p (6 x 3 checks: P(any beyond) < 0.18 by
  // the union bound; the observed errors are far below).
  using namespace mistakesim;
  const Model model = load_study(std::string(MISTAKESIM_SOURCE_DIR) + "/configs/mid-market.toml");
  RunOptions options{.first_trial = 0, .trials = 300'000, .threads = 2};
  options.record_inputs = false;
  const BoundedRun bounded = run_bounded(model, Scenario{}, options);
  const TrialResults exact = run_trials(model, Scenario{}, options);
  REQUIRE(bounded.count == exact.count);
  const RunSummary b = bounded.summary(), e = summarize_run(exact);
  const double bound = bounded.rank_error_bound(0.01);
  REQUIRE(bound > 0.0);
  REQUIRE(bound < 0.01);
  const std::vector<std::pair<const Summary*, const std::vector<double>*>> columns = {
      {&b.cost.total, &exact.cost_total},
      {&b.cost.known, &exact.cost_known},
      {&b.cost.unknown, &exact.cost_unknown}};
  const std::vector<const Summary*> exact_summaries = {&e.cost.total, &e.cost.known, &e.cost.unknown};
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const Summary& s = *columns[c].first;
    const Summary& x = *exact_summaries[c];
    std::vector<double> sorted = *columns[c].second;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(s.n == x.n);
    REQUIRE(s.min == x.min);
    REQUIRE(s.max == x.max);
    REQUIRE(s.mean == Approx(x.mean).epsilon(1e-12));
    REQUIRE(s.sd == Approx(x.sd).epsilon(1e-9));
    for (const auto& [p, q] : {std::pair{0.05, s.p05},
                               {0.10, s.p10},
                               {0.50, s.p50},
                               {0.90, s.p90},
                               {0.95, s.p95},
                               {0.99, s.p99}}) {
      const double r = true_rank(sorted, q) / static_cast<double>(sorted.size());
      INFO("column " << c << " p " << p << ": sketch " << q << " has exact rank " << r << ", bound "
                     << bound);
      REQUIRE(std::abs(r - p) <= bound + 1.0 / static_cast<double>(sorted.size()));
    }
    // The tail mean is read off the sketch's estimated quantile function Q^, and Q(u - e) <= Q^(u) <=
    // Q(u + e) wherever the rank bound holds: so the sketch's CVaR95 lies between the exact means of
    // the window of years shifted down by e and up by e (beyond the top: the maximum). e at
    // delta = 1e-6 per rank, so that it holds at all ~3,000 retained values at once (union: 0.3%).
    const ColumnSketch* sketches[] = {&bounded.total, &bounded.known, &bounded.unknown};
    const double shift = sketches[c]->sketch().rank_error_bound(1e-6);
    const auto n = static_cast<double>(sorted.size());
    const auto window_sum = [&](double from, double to) {  // sum of sorted[floor(from n), floor(to n))
      double sum = 0.0;
      const auto lo = static_cast<std::size_t>(std::max(0.0, std::floor(from * n)));
      const auto hi = std::min(sorted.size(), static_cast<std::size_t>(std::floor(to * n)));
      for (std::size_t i = lo; i < hi; ++i) sum += sorted[i];
      return sum;
    };
    const double lower = window_sum(0.95 - shift - 1.0 / n, 1.0 - shift - 1.0 / n) / (0.05 * n);
    const double upper = (window_sum(0.95 + shift, 1.0) + (shift * n + 2.0) * sorted.back()) / (0.05 * n);
    INFO("column " << c << ": sketch CVaR95 " << s.cvar95 << ", exact " << x.cvar95 << ", bracket [" << lower
                   << ", " << upper << "] for a rank shift of " << shift);
    REQUIRE(s.cvar95 >= lower);
    REQUIRE(s.cvar95 <= upper);
  }
  for (std::size_t m = 0; m < model.mistakes.size(); ++m) {
    REQUIRE(bounded.mistake_summary(m).known_mean == exact.mistake_known_mean(m));
    REQUIRE(bounded.mistake_summary(m).deals_lost_mean == exact.mistake_deals_lost_mean(m));
  }
  REQUIRE(b.pipeline.opportunities == e.pipeline.opportunities);
}

TEST_CASE("sketch: run --memory-bounded on the command line states its error and refuses per-year outputs",
          "[sketch][cli]") {
  // End to end: the JSON names the approximate figures and their rank error, its mean is the exact
  // run's (exact sums vs a compensated sum: to 1e-12), and --csv, --report, --precision are refused
  // with exit 2 and a message naming the option.
  using mistakesim::testing::run_cli;
  const auto bounded =
      run_cli("run configs/seed-case-uncertain.toml --memory-bounded --trials 30000 --json - --quiet");
  const auto exact = run_cli("run configs/seed-case-uncertain.toml --trials 30000 --json - --quiet");
  REQUIRE(bounded.status == 0);
  REQUIRE(exact.status == 0);
  const auto b = nlohmann::json::parse(bounded.out), e = nlohmann::json::parse(exact.out);
  REQUIRE(b["memory_bounded"]["approximate"].size() == 7);
  REQUIRE(b["memory_bounded"]["rank_error"].get<double>() >= 0.0);
  REQUIRE(b["memory_bounded"]["rank_error"].get<double>() < 0.01);
  REQUIRE(b["cost"]["total"]["mean"].get<double>() ==
          Approx(e["cost"]["total"]["mean"].get<double>()).epsilon(1e-12));
  REQUIRE(b["cost"]["total"]["max"] == e["cost"]["total"]["max"]);
  REQUIRE(b["study"]["trials"] == 30000);
  const auto text = run_cli("run configs/seed-case-uncertain.toml --memory-bounded --trials 30000 --quiet");
  REQUIRE(text.status == 0);
  REQUIRE(text.out.find("Memory-bounded run: the percentiles") != std::string::npos);
  for (const std::string& option :
       {std::string("--csv out.csv"), std::string("--report out.html"), std::string("--precision 1%")}) {
    const auto refused = run_cli("run configs/seed-case-uncertain.toml --memory-bounded " + option);
    INFO(option << ": " << refused.err);
    REQUIRE(refused.status == 2);
    REQUIRE(refused.err.find(option.substr(0, option.find(' '))) != std::string::npos);
  }
}
