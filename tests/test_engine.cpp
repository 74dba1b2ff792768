// Engine tests: golden values, closed-form expectations, and exact determinism.
#include "model_builder.hpp"

#include <mistakesim/engine.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <numeric>

using namespace mistakesim;
using namespace mistakesim::testing;

namespace {

//! The worked example of configs/seed-case.toml (the $80,000 pilot story), built by hand.
Model seed_case_model() {
  Model m = basic_model(1.0, 120000.0, 500);
  m.inputs[m.pilot_rate].dist = Distribution::constant(1.0);
  m.inputs[m.repeat_customer].dist = Distribution::constant(1.0);
  const std::size_t k = add_mistake(m, "pilot-no-criteria", 2, 1.0, 1.0, 1.0, AppliesTo::pilot);
  Mistake& mk = m.mistakes[k];
  mk.has_recovery = true;
  mk.recovery_hourly_cost = add_input(m, "mistake.pilot-no-criteria.recovery.hourly_cost",
                                      Distribution::constant(500.0), 0.0, 1e300);
  mk.recovery_hours.dist = Distribution::constant(40.0);
  mk.recovery_saved.dist = Distribution::constant(0.5);
  return m;
}

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double sd_of(const std::vector<double>& v) {
  const double mu = mean_of(v);
  double s = 0.0;
  for (double x : v) s += (x - mu) * (x - mu);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

}  // namespace

TEST_CASE("seed case: every year costs exactly $80,000, all of it known", "[engine][golden]") {
  const Model m = seed_case_model();
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 2});
  REQUIRE(r.count == 500);
  for (std::uint64_t t = 0; t < r.count; ++t) {
    INFO("trial " << t);
    REQUIRE(r.cost_total[t] == 80000.0);
    REQUIRE(r.cost_known[t] == 80000.0);
    REQUIRE(r.cost_unknown[t] == 0.0);
    REQUIRE(r.revenue_done_right[t] == 120000.0);
    REQUIRE(r.revenue[t] == 60000.0);  // half the deal saved
    REQUIRE(r.wins[t] == 1);           // a recovered deal is still a win
    REQUIRE(r.should_have_bought[t] == 0);
    REQUIRE(r.mistake_cost(0, t) == 80000.0);
  }
  REQUIRE(r.mistake_totals[0].occurrences == r.count);  // once a year
  REQUIRE(r.mistake_totals[0].deals_lost == r.count);
  REQUIRE(r.mistake_known_mean(0) == 80000.0);
  REQUIRE(r.mistake_unknown_mean(0) == 0.0);
}

TEST_CASE("seed case unnoticed: the whole deal is lost and counted as should-have-bought",
          "[engine][golden]") {
  Model m = seed_case_model();
  m.inputs[m.mistakes[0].noticed].dist = Distribution::constant(0.0);
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.trials = 50, .threads = 1});
  for (std::uint64_t t = 0; t < r.count; ++t) {
    REQUIRE(r.cost_unknown[t] == 120000.0);
    REQUIRE(r.cost_known[t] == 0.0);
    REQUIRE(r.should_have_bought[t] == 1);
    REQUIRE(r.wins[t] == 0);
  }
}

TEST_CASE("closed form: mean cost of a deal-losing mistake is N g c p v + N p h w", "[engine][statistical]") {
  // N opportunities a year, share g good fits, close rate c, deal value v; one mistake that applies
  // to every opportunity with probability p, loses every deal it hits (lose = 1) and wastes h hours
  // at w $/hour. Expected yearly cost: E = N g c p v + N p h w.
  const double N = 200, g = 0.4, c = 0.5, p = 0.2, v = 10000, h = 3, w = 100;
  Model m = basic_model(N, v, 20000);
  m.inputs[m.good_fit].dist = Distribution::constant(g);
  m.inputs[m.close_rate].dist = Distribution::constant(c);
  const std::size_t k = add_mistake(m, "skipped-discovery", 1, p, 0.0, 1.0);
  m.mistakes[k].wasted_hours.dist = Distribution::constant(h);
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{});
  const double expected = N * g * c * p * v + N * p * h * w;
  const double mean = mean_of(r.cost_total);
  const double se = sd_of(r.cost_total) / std::sqrt(static_cast<double>(r.count));
  INFO("expected " << expected << ", simulated " << mean << " +- " << se);
  REQUIRE(std::abs(mean - expected) < 4.0 * se);
  REQUIRE(se < 0.01 * expected);  // the bound is tight: 4 SE is within 4% of the answer
  // Everything unnoticed; the lost deals are exactly the should-have-bought ones.
  REQUIRE(mean_of(r.cost_known) == 0.0);
  const std::vector<MistakeTally> tally = replay_tallies(m, Scenario{}, r.first_trial, r.count);
  std::uint64_t lost = 0, shb = 0;
  for (std::uint64_t t = 0; t < r.count; ++t) {
    lost += tally[t].deals_lost;
    shb += r.should_have_bought[t];
    REQUIRE(r.revenue_done_right[t] - r.revenue[t] == Approx(tally[t].deals_lost * v));
  }
  REQUIRE(lost == shb);
  REQUIRE(r.mistake_totals[0].deals_lost == lost);
}

TEST_CASE("1, 2 and 3 threads give byte-identical per-trial results", "[engine][determinism]") {
  Model m = basic_model(40, 50000, 3000);
  m.opportunities = amount("pipeline.opportunities", Distribution::poisson(40));
  m.deal_size = amount("pipeline.deal_size", Distribution::lognormal(10.5, 0.8));
  m.inputs[m.close_rate].dist = Distribution::pert(0.3, 0.5, 0.7);
  m.inputs[m.good_fit].dist = Distribution::beta(4, 6);
  add_mistake(m, "a", 0, 0.2, 0.3, 0.5);
  add_mistake(m, "b", 3, 0.3, 0.8, 0.2);
  m.mistakes[1].discount.dist = Distribution::uniform(0.05, 0.2);
  m.mistakes[1].wasted_hours.dist = Distribution::gamma(2, 3);
  RunOptions one{.threads = 1, .block_size = 97};
  const TrialResults r1 = run_trials(m, Scenario{}, one);
  for (unsigned threads : {2u, 3u}) {
    for (std::uint64_t block : {97u, 1024u}) {
      INFO(threads << " threads, blocks of " << block);
      const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = threads, .block_size = block});
      REQUIRE(same_bytes(r.cost_total, r1.cost_total));
      REQUIRE(same_bytes(r.cost_known, r1.cost_known));
      REQUIRE(same_bytes(r.mistake_costs, r1.mistake_costs));
      for (std::size_t k = 0; k < r.mistake_count; ++k) {  // exact sums: not even the block size matters
        REQUIRE(same_bits(r.mistake_known_mean(k), r1.mistake_known_mean(k)));
        REQUIRE(same_bits(r.mistake_unknown_mean(k), r1.mistake_unknown_mean(k)));
        REQUIRE(r.mistake_totals[k].occurrences == r1.mistake_totals[k].occurrences);
        REQUIRE(r.mistake_totals[k].deals_lost == r1.mistake_totals[k].deals_lost);
      }
      REQUIRE(same_bytes(r.opportunities, r1.opportunities));
      REQUIRE(same_bytes(r.input_values, r1.input_values));
    }
  }
  // A trial computed alone equals the same trial inside a run.
  const TrialResults alone =
      run_trials(m, Scenario{}, RunOptions{.first_trial = 1234, .trials = 1, .threads = 1});
  REQUIRE(alone.cost_total[0] == r1.cost_total[1234]);
}

TEST_CASE("adding a mistake at a later stage leaves the others' per-trial costs unchanged", "[engine][crn]") {
  Model m = basic_model(30, 20000, 2000);
  m.inputs[m.close_rate].dist = Distribution::pert(0.3, 0.5, 0.7);
  add_mistake(m, "early", 0, 0.2, 0.5, 0.3);
  add_mistake(m, "middle", 2, 0.1, 0.5, 0.0);
  m.mistakes[1].wasted_hours.dist = Distribution::triangular(1, 2, 6);
  const TrialResults before = run_trials(m, Scenario{}, RunOptions{});
  Model m2 = m;
  add_mistake(m2, "late-unrelated", 4, 0.3, 0.0, 0.0);  // wastes hours only, loses nothing
  m2.mistakes[2].wasted_hours.dist = Distribution::constant(2.0);
  const TrialResults after = run_trials(m2, Scenario{}, RunOptions{});
  for (std::size_t k = 0; k < 2; ++k)
    for (std::uint64_t t = 0; t < before.count; ++t) {
      INFO("mistake " << k << " trial " << t);
      REQUIRE(after.mistake_cost(k, t) == before.mistake_cost(k, t));
    }
  REQUIRE(mean_of(after.cost_total) > mean_of(before.cost_total));
}

TEST_CASE("a lost deal stops later stages and discounts never exceed the deal", "[engine][model]") {
  Model m = basic_model(10, 1000, 20);
  add_mistake(m, "loses", 1, 1.0, 0.0, 1.0);
  add_mistake(m, "later", 3, 1.0, 0.0, 0.0);
  TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 1});
  for (std::uint64_t t = 0; t < r.count; ++t) REQUIRE(r.cost_total[t] == 10000.0);
  REQUIRE(r.mistake_totals[0].occurrences == 10 * r.count);
  REQUIRE(r.mistake_totals[1].occurrences == 0);  // never reached: every deal was lost
  Model d = basic_model(10, 1000, 20);
  add_mistake(d, "discount-1", 3, 1.0, 1.0, 0.0);
  add_mistake(d, "discount-2", 4, 1.0, 1.0, 0.0);
  d.mistakes[0].discount.dist = Distribution::constant(0.7);
  d.mistakes[1].discount.dist = Distribution::constant(0.7);
  r = run_trials(d, Scenario{}, RunOptions{.threads = 1});
  for (std::uint64_t t = 0; t < r.count; ++t) {
    REQUIRE(r.mistake_cost(0, t) == 7000.0);  // 10 deals x 0.7 x 1000
    REQUIRE(r.mistake_cost(1, t) == 3000.0);  // capped at what remained
    REQUIRE(r.revenue[t] == 0.0);
    REQUIRE(r.wins[t] == 10);
  }
  REQUIRE(r.mistake_known_mean(0) == 7000.0);  // all noticed
  REQUIRE(r.mistake_known_mean(1) == 3000.0);
  REQUIRE(r.mistake_unknown_mean(1) == 0.0);
}

TEST_CASE("hours with non-buyers are qualify hours plus the wasted hours of their mistakes",
          "[engine][model]") {
  Model m = basic_model(50, 1000, 200);
  m.inputs[m.good_fit].dist = Distribution::constant(0.0);  // every prospect is a poor fit
  m.qualify_hours.dist = Distribution::constant(2.0);
  const std::size_t k = add_mistake(m, "no-disqualify", 0, 1.0, 0.0, 1.0, AppliesTo::poor_fit);
  m.mistakes[k].wasted_hours.dist = Distribution::constant(5.0);
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 1});
  for (std::uint64_t t = 0; t < r.count; ++t) {
    REQUIRE(r.nonbuyer_hours[t] == 50 * (2.0 + 5.0));
    REQUIRE(r.cost_unknown[t] == 50 * 5.0 * 100.0);  // hours x hourly cost; a poor fit is never "lost"
    REQUIRE(r.wins_done_right[t] == 0);
    REQUIRE(r.should_have_bought[t] == 0);
  }
}

TEST_CASE("an intervention that changes nothing saves exactly zero in every trial", "[engine][crn]") {
  Model m = basic_model(40, 20000, 2000);
  m.inputs[m.close_rate].dist = Distribution::pert(0.3, 0.5, 0.7);
  const std::size_t k = add_mistake(m, "a", 1, 0.3, 0.5, 0.4);
  m.mistakes[k].wasted_hours.dist = Distribution::lognormal(1.0, 0.5);
  Intervention iv;
  iv.id = "nothing";
  iv.effects.push_back(
      Effect{m.mistakes[k].probability, EffectOp::scale,
             amount("intervention.nothing.mistake.a.probability", Distribution::constant(1.0))});
  m.interventions.push_back(iv);
  const TrialResults base = run_trials(m, Scenario{}, RunOptions{});
  const TrialResults with =
      run_trials(m, Scenario{.interventions = {0}, .pinned = {}, .effect_fraction = 1.0}, RunOptions{});
  REQUIRE(same_bytes(base.cost_total, with.cost_total));
}

TEST_CASE("mistake totals are the sums of the per-trial tallies, on any thread count and block size",
          "[engine][determinism][exact]") {
  // The run keeps each mistake's cost per trial and its known/unknown/occurrence/deal totals; replay
  // every trial alone (draw_year + simulate_trial) and compare. Known and unknown means are read from
  // exact sums rounded once, so they agree with a compensated mean of the same values up to its
  // rounding (1e-12 relative: Neumaier's error over 5,000 terms of one sign is about 1e-16).
  Model m = basic_model(40, 50000, 5000);
  m.opportunities = amount("pipeline.opportunities", Distribution::poisson(40));
  m.deal_size = amount("pipeline.deal_size", Distribution::lognormal(10.5, 0.8));
  m.inputs[m.close_rate].dist = Distribution::pert(0.3, 0.5, 0.7);
  add_mistake(m, "a", 0, 0.2, 0.3, 0.5);
  add_mistake(m, "b", 3, 0.3, 0.8, 0.2);
  m.mistakes[1].discount.dist = Distribution::uniform(0.05, 0.2);
  m.mistakes[1].wasted_hours.dist = Distribution::gamma(2, 3);
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 2, .block_size = 333});
  const std::vector<MistakeTally> tally = replay_tallies(m, Scenario{}, r.first_trial, r.count);
  const std::size_t n = r.count;
  for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
    INFO("mistake " << k);
    std::vector<double> known(n), unknown(n);
    std::uint64_t occurrences = 0, deals_lost = 0;
    for (std::size_t t = 0; t < n; ++t) {
      const MistakeTally& x = tally[k * n + t];
      REQUIRE(same_bits(r.mistake_cost(k, t), x.known + x.unknown));
      known[t] = x.known;
      unknown[t] = x.unknown;
      occurrences += x.occurrences;
      deals_lost += x.deals_lost;
    }
    REQUIRE(r.mistake_totals[k].occurrences == occurrences);
    REQUIRE(r.mistake_totals[k].deals_lost == deals_lost);
    REQUIRE(occurrences > 0);
    REQUIRE(r.mistake_occurrences_mean(k) == static_cast<double>(occurrences) / static_cast<double>(n));
    REQUIRE(r.mistake_known_mean(k) > 0.0);
    REQUIRE(r.mistake_unknown_mean(k) > 0.0);
    REQUIRE(r.mistake_known_mean(k) == Approx(mean_of(known)).epsilon(1e-12));
    REQUIRE(r.mistake_unknown_mean(k) == Approx(mean_of(unknown)).epsilon(1e-12));
  }
  // Another grouping of the same trials gives the same bits: 1 thread, one block per trial or one block.
  for (std::uint64_t block : {1u, 5000u}) {
    const TrialResults other = run_trials(m, Scenario{}, RunOptions{.threads = 1, .block_size = block});
    for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
      REQUIRE(same_bits(other.mistake_known_mean(k), r.mistake_known_mean(k)));
      REQUIRE(same_bits(other.mistake_unknown_mean(k), r.mistake_unknown_mean(k)));
      REQUIRE(other.mistake_totals[k].occurrences == r.mistake_totals[k].occurrences);
      REQUIRE(other.mistake_totals[k].deals_lost == r.mistake_totals[k].deals_lost);
    }
  }
}

TEST_CASE("no interventions: no intervention cost column, and a zero cost every year", "[engine]") {
  Model m = basic_model(10, 1000, 50);
  add_mistake(m, "a", 1, 0.3, 0.5, 0.4);
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 1});
  REQUIRE(r.intervention_cost.empty());
  for (std::uint64_t t = 0; t < r.count; ++t) REQUIRE(r.intervention_cost_at(t) == 0.0);
}

TEST_CASE("TrialResults: every per-trial column is in the one list that sizes and checks them", "[engine]") {
  Model m = basic_model(10, 1000, 40);
  add_mistake(m, "a", 1, 0.3, 0.5, 0.4);
  TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 1});
  REQUIRE(r.well_formed());
  std::size_t columns = 0;
  TrialResults::for_each_column([&](auto column) {
    ++columns;
    REQUIRE((r.*column).size() == r.count);  // run_trials sized it
    TrialResults broken = r;
    (broken.*column).pop_back();
    REQUIRE_FALSE(broken.well_formed());  // and a short one is caught
  });
  REQUIRE(columns > 0);  // that no column is left out of the list: test_stats.cpp, sizeof(TrialResults)
  r.mistake_totals.pop_back();
  REQUIRE_FALSE(r.well_formed());
}
