// The optimised kernel (simulate_trial: chunks of 256 opportunities, mistake by mistake, batched
// Philox blocks and samplers) against a plain reading of docs/model.md (reference_trial.hpp), trial
// by trial: every TrialOutcome and MistakeTally field must be exactly equal (==, not approximately).
// Both sides read the same draws at the same addresses and take every sum in the same order, so any
// difference is a divergence from the model: a draw read at the wrong address or not at all, a
// mistake visited in the wrong order or after a lost deal, an amount changed wrongly...
#include "each_target.hpp"
#include "model_builder.hpp"
#include "engine/trial.hpp"
#include "reference_trial.hpp"

#include <mistakesim/engine.hpp>
#include <mistakesim/study.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

using namespace mistakesim;
using namespace mistakesim::testing;

namespace {

const std::filesystem::path kConfigs = std::filesystem::path(MISTAKESIM_SOURCE_DIR) / "configs";

//! Totals over the trials checked, to show that a case exercises what it claims to.
struct Totals {
  std::uint64_t trials = 0, empty_trials = 0, opportunities = 0, good_fits = 0, wins_done_right = 0, wins = 0,
                should_have_bought = 0;
  std::vector<std::uint64_t> occurrences, deals_lost;  //!< per mistake
  std::vector<double> cost;                            //!< per mistake, known + unknown
};

template <class T>
void differ(std::ostringstream& s, bool& found, const std::string& field, const T& kernel,
            const T& reference) {
  if (kernel == reference) return;
  s << (found ? "\n  " : "") << field << ": kernel " << std::setprecision(17) << kernel << ", reference "
    << reference;
  found = true;
}

//! The fields in which the kernel and the reference differ, the first one first; "" if none.
std::string differences(const Model& m, const TrialOutcome& k, const TrialOutcome& r,
                        const std::vector<MistakeTally>& kt, const std::vector<MistakeTally>& rt) {
  std::ostringstream s;
  bool found = false;
  differ(s, found, "opportunities", k.opportunities, r.opportunities);
  differ(s, found, "good_fits", k.good_fits, r.good_fits);
  differ(s, found, "wins_done_right", k.wins_done_right, r.wins_done_right);
  differ(s, found, "wins", k.wins, r.wins);
  differ(s, found, "should_have_bought", k.should_have_bought, r.should_have_bought);
  differ(s, found, "revenue_done_right", k.revenue_done_right, r.revenue_done_right);
  differ(s, found, "revenue", k.revenue, r.revenue);
  differ(s, found, "nonbuyer_hours", k.nonbuyer_hours, r.nonbuyer_hours);
  differ(s, found, "cost_known", k.cost_known, r.cost_known);
  differ(s, found, "cost_unknown", k.cost_unknown, r.cost_unknown);
  for (std::size_t j = 0; j < m.mistakes.size(); ++j) {
    const std::string p = "mistake " + m.mistakes[j].id + " ";
    differ(s, found, p + "occurrences", kt[j].occurrences, rt[j].occurrences);
    differ(s, found, p + "deals_lost", kt[j].deals_lost, rt[j].deals_lost);
    differ(s, found, p + "known", kt[j].known, rt[j].known);
    differ(s, found, p + "unknown", kt[j].unknown, rt[j].unknown);
  }
  return s.str();
}

//! Plays trials [first, first + trials) of the scenario with the kernel and the reference; fails
//! at the first trial that differs, listing every field that differs in it (the first one first).
Totals check_kernel_here(const Model& m, const Scenario& scenario, std::uint64_t trials,
                         std::uint64_t first) {
  Totals tot;
  tot.occurrences.assign(m.mistakes.size(), 0);
  tot.deals_lost.assign(m.mistakes.size(), 0);
  tot.cost.assign(m.mistakes.size(), 0.0);
  std::vector<double> year(m.inputs.size());
  std::vector<MistakeTally> kt(m.mistakes.size()), rt(m.mistakes.size());
  TrialScratch scratch;
  for (std::uint64_t trial = first; trial < first + trials; ++trial) {
    draw_year(m, scenario, trial, year);
    const TrialOutcome k = simulate_trial(m, year, trial, kt, scratch);
    const TrialOutcome r = reference_trial(m, year, trial, rt);
    const std::string diff = differences(m, k, r, kt, rt);
    if (!diff.empty()) FAIL(m.name << ": trial " << trial << " is the first that differs, in\n  " << diff);
    tot.trials += 1;
    tot.empty_trials += r.opportunities == 0;
    tot.opportunities += r.opportunities;
    tot.good_fits += r.good_fits;
    tot.wins_done_right += r.wins_done_right;
    tot.wins += r.wins;
    tot.should_have_bought += r.should_have_bought;
    for (std::size_t j = 0; j < m.mistakes.size(); ++j) {
      tot.occurrences[j] += rt[j].occurrences;
      tot.deals_lost[j] += rt[j].deals_lost;
      tot.cost[j] += rt[j].known + rt[j].unknown;
    }
  }
  return tot;
}

//! check_kernel_here on every Highway target this CPU runs (each_target.hpp); the totals of the
//! last (all targets give the same, or the comparison with the reference fails).
Totals check_kernel(const Model& m, const Scenario& scenario, std::uint64_t trials, std::uint64_t first = 0) {
  Totals tot;
  testing::on_every_target("kernel = reference, " + m.name,
                           [&](std::int64_t) { tot = check_kernel_here(m, scenario, trials, first); });
  return tot;
}

Scenario with_interventions(std::vector<std::size_t> interventions, double fraction = 1.0) {
  Scenario s;
  s.interventions = std::move(interventions);
  s.effect_fraction = fraction;
  return s;
}

//! Every mistake of the study happened, and every one that can lose a deal lost some.
void require_exercised(const Model& m, const Totals& t) {
  REQUIRE(t.opportunities > 0);
  REQUIRE(t.should_have_bought > 0);
  for (std::size_t j = 0; j < m.mistakes.size(); ++j) {
    INFO("mistake " << m.mistakes[j].id);
    REQUIRE(t.occurrences[j] > 0);
  }
}

//! Five mistakes, one of each applies_to kind, with rates 0 and 1 among them, and `opportunities` a
//! year (constant): poor fits, pilots and repeat customers all occur.
Model applies_to_model(double opportunities) {
  Model m = basic_model(opportunities, 50000.0);
  m.name = "applies-to x " + std::to_string(static_cast<long>(opportunities));
  m.inputs[m.good_fit].dist = Distribution::pert(0.3, 0.5, 0.7);
  m.inputs[m.close_rate].dist = Distribution::beta(6, 4);
  m.inputs[m.pilot_rate].dist = Distribution::constant(0.4);
  m.inputs[m.repeat_customer].dist = Distribution::uniform(0.2, 0.6);
  m.deal_size = amount("pipeline.deal_size", Distribution::lognormal(10.5, 0.9));
  m.qualify_hours = amount("pipeline.qualify_hours", Distribution::triangular(1, 2, 6));
  m.customer_value = amount("pipeline.customer_value", Distribution::gamma(2.0, 20000.0));
  // probability 1, never noticed, never loses: occurs on every opportunity
  const std::size_t all = add_mistake(m, "all", 0, 1.0, 0.0, 0.0, AppliesTo::all);
  m.mistakes[all].wasted_hours.dist = Distribution::gamma(2.0, 1.5);
  const std::size_t poor =
      add_mistake(m, "poor", 0, 0.5, 0.2, 1.0, AppliesTo::poor_fit);  // lose 1: no deal to lose
  m.mistakes[poor].wasted_hours.dist = Distribution::lognormal(2.0, 0.5);
  add_mistake(m, "never", 1, 0.0, 1.0, 1.0, AppliesTo::good_fit);  // probability 0: never happens
  const std::size_t pilot = add_mistake(m, "pilot", 2, 1.0, 1.0, 0.3, AppliesTo::pilot);
  m.mistakes[pilot].has_recovery = true;
  m.mistakes[pilot].recovery_hours.dist = Distribution::uniform(10, 30);
  m.mistakes[pilot].recovery_saved.dist = Distribution::beta(3, 3);
  m.mistakes[pilot].discount.dist = Distribution::pert(0.0, 0.1, 0.3);
  const std::size_t repeat = add_mistake(m, "repeat", 3, 0.7, 0.5, 0.1, AppliesTo::repeat);
  m.inputs[m.mistakes[repeat].churn].dist = Distribution::constant(1.0);
  m.mistakes[repeat].direct_cost.dist = Distribution::uniform(100, 900);
  const std::size_t last = add_mistake(m, "last", 4, 0.2, 1.0, 1.0, AppliesTo::all);  // noticed 1, lose 1
  m.mistakes[last].has_recovery = true;
  m.mistakes[last].recovery_saved.dist = Distribution::constant(0.0);  // recovered with nothing kept
  return m;
}

}  // namespace

TEST_CASE("kernel = reference: mid-market study", "[engine][kernel]") {
  const Model m = load_study(kConfigs / "mid-market.toml");
  const Totals t = check_kernel(m, Scenario{}, 2000);
  require_exercised(m, t);
}

TEST_CASE("kernel = reference: training options, each intervention and all three", "[engine][kernel]") {
  const Model m = load_study(kConfigs / "training-options.toml");
  REQUIRE(m.interventions.size() == 3);
  for (std::size_t k = 0; k < m.interventions.size(); ++k) {
    INFO("intervention " << m.interventions[k].id);
    check_kernel(m, with_interventions({k}), 2000);
  }
  check_kernel(m, with_interventions({0, 1, 2}), 1000, 5000);
  check_kernel(m, with_interventions({0, 1, 2}, 0.4), 500, 9000);
}

TEST_CASE("kernel = reference: interventions that change per-deal and per-occurrence amounts",
          "[engine][kernel]") {
  // Every amount kind of the study made adjustable (model.hpp Amount: scale and shift), including
  // constant ones (direct_cost 0) and changes that push a fraction out of [0, 1] (clamped).
  const std::string text = R"(
extends = "mid-market.toml"
[study]
name = "amounts changed"

[[intervention]]
id = "bigger-deals"
effect = [ { param = "pipeline.deal_size", scale = { dist = "pert", min = 0.9, mode = 1.1, max = 1.4 } },
           { param = "pipeline.qualify_hours", add = 1.5 },
           { param = "pipeline.customer_value", set = { dist = "uniform", min = 10_000, max = 50_000 } } ]

[[intervention]]
id = "occurrences"
effect = [ { param = "mistake.no-disqualify.wasted_hours", scale = 0.5 },
           { param = "mistake.skipped-discovery.recovery.saved", add = 0.7 },
           { param = "mistake.single-threaded.recovery.hours", add = { dist = "uniform", min = -20, max = 5 } },
           { param = "mistake.late-pricing.discount", set = 0.3 },
           { param = "mistake.broken-handoff.direct_cost", add = 250 } ]
)";
  const Model m = parse_study(text, "amounts.toml", kConfigs);
  REQUIRE(m.interventions.size() == 2);
  REQUIRE(m.deal_size.adjustable());
  REQUIRE(m.mistakes[m.mistakes.size() - 1].direct_cost.adjustable());
  for (std::size_t k = 0; k < m.interventions.size(); ++k) {
    INFO("intervention " << m.interventions[k].id);
    check_kernel(m, with_interventions({k}), 2000);
  }
  check_kernel(m, with_interventions({0, 1}, 0.5), 1000, 3000);
  check_kernel(m, Scenario{}, 500, 7000);  // adjustable amounts left at scale 1, shift 0
}

TEST_CASE("kernel = reference: CRM-informed, correlated and seed-case studies", "[engine][kernel]") {
  for (const char* file : {"crm-informed.toml", "correlated.toml", "seed-case.toml"}) {
    INFO(file);
    const Model m = load_study(kConfigs / file);
    const Totals t = check_kernel(m, Scenario{}, 2000);
    REQUIRE(t.opportunities > 0);
    for (std::uint64_t occ : t.occurrences) REQUIRE(occ > 0);
  }
}

TEST_CASE("kernel = reference: every applies_to kind, rates 0 and 1, one to several chunks",
          "[engine][kernel]") {
  // 1 opportunity, a chunk less one, exactly one and two chunks, just over, and over two chunks.
  for (double n : {1.0, 255.0, 256.0, 257.0, 512.0, 700.0}) {
    const Model m = applies_to_model(n);
    const Totals t = check_kernel(m, Scenario{}, n > 300 ? 1000 : 2000);
    INFO(m.name);
    REQUIRE(t.opportunities == t.trials * static_cast<std::uint64_t>(n));
    REQUIRE(t.occurrences[0] == t.opportunities);  // probability 1, first, applies to all
    REQUIRE(t.occurrences[2] == 0);                // probability 0
    REQUIRE(t.cost[2] == 0.0);
    if (n >= 255) {
      REQUIRE(t.occurrences[1] > 0);
      REQUIRE(t.deals_lost[1] == 0);  // poor fits have no deal to lose
      REQUIRE(t.deals_lost[3] > 0);
      REQUIRE(t.occurrences[4] > 0);
      REQUIRE(t.deals_lost[5] > 0);
      REQUIRE(t.should_have_bought > 0);
    }
  }
}

TEST_CASE("kernel = reference: random direct costs, discounts and recoveries out of range",
          "[engine][kernel]") {
  // Every amount random (gamma and normal go through DrawStream; lognormal, triangular, PERT and beta
  // through the batched samplers, PERT and beta's rejected first tries through DrawStream);
  // recovery.saved and discount drawn outside [0, 1]; good fit and close rate 1 (threshold 2^32);
  // margin basis; three reps with a normal per-rep count.
  Model m = basic_model(1.0, 1.0);
  m.name = "random amounts";
  m.value = ValueBasis::margin;
  m.reps = 3;
  m.inputs[m.margin].dist = Distribution::beta(7, 3);
  m.inputs[m.pilot_rate].dist = Distribution::constant(1.0);
  m.inputs[m.repeat_customer].dist = Distribution::beta(2, 2);
  m.inputs[m.hourly_cost].dist = Distribution::pert(80, 120, 200);
  m.opportunities_per_rep = true;
  m.opportunities = amount("pipeline.opportunities_per_rep", Distribution::normal(110, 30));
  m.deal_size = amount("pipeline.deal_size", Distribution::triangular(5000, 20000, 90000));
  m.customer_value = amount("pipeline.customer_value", Distribution::pert(1000, 5000, 30000));
  const std::size_t a = add_mistake(m, "discounts", 1, 0.6, 0.5, 0.1);
  m.mistakes[a].direct_cost.dist = Distribution::pert(0, 200, 2000);
  m.mistakes[a].discount.dist = Distribution::normal(0.3, 0.5);  // below 0 and above 1 both happen
  m.mistakes[a].wasted_hours.dist = Distribution::gamma(1.5, 4.0);
  const std::size_t b = add_mistake(m, "recovers", 2, 0.5, 0.7, 0.6);
  m.inputs[m.mistakes[b].lose].dist = Distribution::beta(5, 3);
  m.mistakes[b].has_recovery = true;
  m.mistakes[b].recovery_hourly_cost =
      add_input(m, "mistake.recovers.recovery.hourly_cost", Distribution::uniform(300, 600), 0.0, 1e300);
  m.mistakes[b].recovery_hours.dist = Distribution::gamma(3.0, 5.0);
  m.mistakes[b].recovery_saved.dist = Distribution::normal(0.5, 0.6);  // clamped to [0, 1]
  m.mistakes[b].direct_cost.dist = Distribution::beta(2, 5);
  m.mistakes[b].discount.dist = Distribution::beta(2, 8);
  const std::size_t c = add_mistake(m, "after", 3, 0.4, 0.3, 0.5);
  m.mistakes[c].discount.dist = Distribution::uniform(0.5, 1.5);  // whole remaining value given away at times
  m.mistakes[c].wasted_hours.dist = Distribution::lognormal(1.0, 0.7);
  m.inputs[m.mistakes[c].churn].dist = Distribution::constant(0.5);
  const Totals t = check_kernel(m, Scenario{}, 2000);
  require_exercised(m, t);
  REQUIRE(t.deals_lost[1] > 0);
  REQUIRE(t.wins < t.wins_done_right);
}

TEST_CASE("kernel = reference: two mistakes that churn a repeat customer, only the first charges",
          "[engine][kernel]") {
  Model m = basic_model(300.0, 20000.0);
  m.name = "churn";
  m.inputs[m.repeat_customer].dist = Distribution::constant(1.0);
  m.inputs[m.close_rate].dist = Distribution::constant(0.5);
  m.customer_value = amount("pipeline.customer_value", Distribution::gamma(2.0, 10000.0));
  const std::size_t first = add_mistake(m, "first", 1, 0.6, 0.5, 0.2);
  m.inputs[m.mistakes[first].churn].dist = Distribution::constant(1.0);
  const std::size_t loses = add_mistake(m, "loses", 2, 0.3, 0.0, 1.0, AppliesTo::repeat);  // stops the rest
  const std::size_t second = add_mistake(m, "second", 3, 0.8, 0.5, 0.0, AppliesTo::repeat);
  m.inputs[m.mistakes[second].churn].dist = Distribution::constant(1.0);
  const Totals t = check_kernel(m, Scenario{}, 2000);
  require_exercised(m, t);
  REQUIRE(t.deals_lost[loses] > 0);
}

TEST_CASE("kernel = reference: years with no opportunities", "[engine][kernel]") {
  SECTION("a constant zero") {
    Model m = applies_to_model(0.0);
    m.name = "no opportunities";
    const Totals t = check_kernel(m, Scenario{}, 2000);
    REQUIRE(t.opportunities == 0);
  }
  SECTION("a small Poisson total: many empty years") {
    Model m = applies_to_model(0.0);
    m.name = "Poisson(0.8) opportunities";
    m.opportunities = amount("pipeline.opportunities", Distribution::poisson(0.8));
    const Totals t = check_kernel(m, Scenario{}, 2000);
    REQUIRE(t.empty_trials > 500);
    REQUIRE(t.empty_trials < t.trials);
  }
  SECTION("a negative-binomial count per rep") {
    Model m = applies_to_model(0.0);
    m.name = "NB(1, 0.3) opportunities per rep x 4";
    m.opportunities_per_rep = true;
    m.reps = 4;
    m.opportunities = amount("pipeline.opportunities_per_rep", Distribution::negbinomial(1.0, 0.3));
    const Totals t = check_kernel(m, Scenario{}, 2000);
    REQUIRE(t.empty_trials > 100);
    REQUIRE(t.empty_trials < t.trials);
  }
}

TEST_CASE("run_trials draws each year as draw_year does, a batch of trials at a time",
          "[engine][kernel][exact]") {
  // run_trials computes the year-level draws of up to 256 trials together (Philox blocks over trials,
  // batched samplers); draw_year draws one trial alone. Every recorded input value and every trial's
  // outcome must be the same bits, across batch boundaries (block sizes that are not multiples of
  // 256) and with interventions and correlations applied after the draws.
  struct Case {
    const char* study;
    Scenario scenario;
  };
  const Case cases[] = {
      {"mid-market.toml", {}},
      {"correlated.toml", {}},
      {"crm-informed.toml", {}},
      {"training-options.toml", {.interventions = {0, 1, 2}, .pinned = {}, .effect_fraction = 0.7}}};
  for (const Case& c : cases) {
    const Model m = load_study((kConfigs / c.study).string());
    INFO(c.study);
    testing::on_every_target(std::string("year batches, ") + c.study, [&](std::int64_t) {
      const RunOptions options{.first_trial = 1000, .trials = 700, .threads = 2, .block_size = 300};
      const TrialResults r = run_trials(m, c.scenario, options);
      REQUIRE(!r.recorded_inputs.empty());
      std::vector<double> year(m.inputs.size());
      std::vector<MistakeTally> tally(m.mistakes.size());
      TrialScratch scratch;
      for (std::uint64_t t = 0; t < r.count; ++t) {
        const std::uint64_t trial = r.first_trial + t;
        draw_year(m, c.scenario, trial, year);
        for (std::size_t j = 0; j < r.recorded_inputs.size(); ++j) {
          INFO("trial " << trial << ", input " << m.inputs[r.recorded_inputs[j]].path);
          REQUIRE(std::bit_cast<std::uint64_t>(r.input_values[j * r.count + t]) ==
                  std::bit_cast<std::uint64_t>(year[r.recorded_inputs[j]]));
        }
        const TrialOutcome o = simulate_trial(m, year, trial, tally, scratch);
        INFO("trial " << trial);
        const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
        REQUIRE(bits(r.cost_total[t]) == bits(o.cost_total()));
        REQUIRE(bits(r.cost_known[t]) == bits(o.cost_known));
        REQUIRE(bits(r.cost_unknown[t]) == bits(o.cost_unknown));
        REQUIRE(bits(r.intervention_cost_at(t)) == bits(intervention_cost(m, c.scenario, year)));
        REQUIRE(r.opportunities[t] == o.opportunities);
        REQUIRE(r.good_fits[t] == o.good_fits);
        REQUIRE(r.wins_done_right[t] == o.wins_done_right);
        REQUIRE(r.wins[t] == o.wins);
        REQUIRE(r.should_have_bought[t] == o.should_have_bought);
        REQUIRE(bits(r.revenue_done_right[t]) == bits(o.revenue_done_right));
        REQUIRE(bits(r.revenue[t]) == bits(o.revenue));
        REQUIRE(bits(r.nonbuyer_hours[t]) == bits(o.nonbuyer_hours));
        for (std::size_t k = 0; k < m.mistakes.size(); ++k)
          REQUIRE(bits(r.mistake_cost(k, t)) == bits(tally[k].known + tally[k].unknown));
      }
    });
  }
}
