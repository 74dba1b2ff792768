// Rep capacity, the value of time and the multi-year horizon: closed forms (each formula is written
// in its test), bit-for-bit equalities with the one-year model, and refused inputs.

#include <mistakesim/compare.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/horizon.hpp>
#include <mistakesim/study.hpp>

#include "report/horizon_report.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>

using namespace mistakesim;

namespace {

//! 100 opportunities a year, all good fits that close at `close_rate` for $10,000, and one mistake
//! on every opportunity wasting 5 hours (noticed, never losing the deal): 500 hours lost a year.
std::string constant_study(const std::string& close_rate, const std::string& extra) {
  return "[study]\ntrials = 2000\nseed = 7\n" + extra.substr(0, extra.find("#pipeline")) +
         "[team]\nreps = 1\nhourly_cost = 100\nselling_hours_per_rep = 1500\n"
         "[pipeline]\nopportunities = 100\ngood_fit = 1\nclose_rate = " +
         close_rate + "\ndeal_size = 10000\npursuit_hours = 20\n" +
         (extra.find("#pipeline") != std::string::npos ? extra.substr(extra.find("#pipeline") + 9) : "") +
         "\n[[mistake]]\nid = \"waste\"\nstage = \"qualify\"\nprobability = 1\nnoticed = 1\nwasted_hours = "
         "5\n";
}

Model parse(const std::string& text) { return parse_study(text, "horizon-test.toml", MISTAKESIM_SOURCE_DIR); }

double mean_of(std::span<const double> v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace

TEST_CASE(
    "capacity: wasted hours work hours / pursuit_hours extra opportunities worth close_rate x value each",
    "[horizon][capacity]") {
  // hours H = 100 opportunities x 5 h = 500 h; extra = H / pursuit_hours = 500 / 20 = 25;
  // foregone value = close_rate x deal_size x extra = 1 x 10,000 x 25 = $250,000.
  const Model wage = parse(constant_study("1", ""));
  const TrialResults w = run_trials(wage, Scenario{}, RunOptions{.trials = 50, .threads = 2});
  const auto cw = summarize_capacity(wage, w);
  REQUIRE(cw);
  CHECK(cw->hours_lost_mean == 500.0);
  CHECK(cw->share_of_selling_time == 500.0 / 1500.0);
  CHECK(cw->extra_opportunities_mean == 25.0);
  CHECK(cw->extra_wins_mean == 25.0);
  CHECK(cw->opportunity_value_mean == 250000.0);
  CHECK(cw->mistake_hours_mean.at(0) == 500.0);
  // time_value = "wage": the hours cost 500 x $100 = $50,000, as without capacity.
  CHECK(w.cost_total[0] == 50000.0);

  const Model opp = parse(constant_study("1", "time_value = \"opportunity\"\n"));
  const TrialResults o = run_trials(opp, Scenario{}, RunOptions{.trials = 50, .threads = 2});
  for (std::uint64_t t = 0; t < o.count; ++t) REQUIRE(o.cost_total[t] == 250000.0);  // never the wage too

  // Capped by the supply: min(25, 10) = 10 opportunities, $100,000; a supply of 2.5 works 2.5.
  const Model capped =
      parse(constant_study("1", "time_value = \"opportunity\"\n#pipeline\nextra_opportunities = 10\n"));
  const TrialResults c = run_trials(capped, Scenario{}, RunOptions{.trials = 20, .threads = 2});
  CHECK(summarize_capacity(capped, c)->extra_opportunities_mean == 10.0);
  CHECK(c.cost_total[3] == 100000.0);
  const Model half = parse(constant_study("1", "#pipeline\nextra_opportunities = 2.5\n"));
  CHECK(summarize_capacity(half, run_trials(half, Scenario{}, RunOptions{.trials = 5}))
            ->extra_opportunities_mean == 2.5);
  // Supply 0: the hours would have found no work, so they are worth nothing.
  const Model none =
      parse(constant_study("1", "time_value = \"opportunity\"\n#pipeline\nextra_opportunities = 0\n"));
  const TrialResults z = run_trials(none, Scenario{}, RunOptions{.trials = 20, .threads = 2});
  CHECK(summarize_capacity(none, z)->opportunity_value_mean == 0.0);
  CHECK(z.cost_total[0] == 0.0);
}

TEST_CASE("capacity: with a close rate the extra wins average close_rate x extra opportunities",
          "[horizon][capacity]") {
  // E[extra wins] = 0.4 x 25 = 10 a year; each is Binomial-like with sd <= sqrt(25 x 0.4 x 0.6)
  // = 2.45, so the mean of 2000 years lies within 4 x 2.45 / sqrt(2000) = 0.22 of 10.
  const Model m = parse(constant_study("0.4", "time_value = \"opportunity\"\n"));
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 2});
  const auto c = summarize_capacity(m, r);
  CHECK(c->extra_opportunities_mean == 25.0);
  CHECK(std::abs(c->extra_wins_mean - 10.0) < 0.22);
  CHECK(std::abs(c->opportunity_value_mean - 100000.0) < 2200.0);
  CHECK(std::abs(mean_of(r.cost_total) - 100000.0) < 2200.0);
}

TEST_CASE("capacity in wage terms leaves a one-year study's figures bit for bit", "[horizon][capacity]") {
  const std::string dir = std::string(MISTAKESIM_SOURCE_DIR) + "/configs";
  const Model plain = parse_study("extends = \"mid-market.toml\"\n", "plain.toml", dir);
  const Model with = parse_study(
      "extends = \"mid-market.toml\"\n[team]\nselling_hours_per_rep = 1200\n[pipeline]\npursuit_hours = 30\n",
      "with.toml", dir);
  REQUIRE(with.capacity);
  for (unsigned threads : {1u, 2u}) {
    const RunOptions run{.trials = 3000, .threads = threads};
    const TrialResults a = run_trials(plain, Scenario{}, run), b = run_trials(with, Scenario{}, run);
    CHECK(same_bytes(a.cost_total, b.cost_total));
    CHECK(same_bytes(a.cost_known, b.cost_known));
    CHECK(same_bytes(a.mistake_costs, b.mistake_costs));
    CHECK(same_bytes(a.revenue, b.revenue));
    CHECK(b.extra_count == ExtraColumns::capacity_columns);
  }
}

TEST_CASE("horizon: discounted years add up to the geometric sum", "[horizon][years]") {
  // The seed case costs exactly $80,000 a year; over 3 years at 10 %:
  // 80,000 x (1 + 1.1^-1 + 1.1^-2) = 80,000 x (1 - q^3) / (1 - q), q = 1 / 1.1.
  const std::string dir = std::string(MISTAKESIM_SOURCE_DIR) + "/configs";
  const Model m = parse_study("extends = \"seed-case.toml\"\n[study]\nyears = 3\ndiscount_rate = 0.1\n",
                              "three.toml", dir);
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.trials = 100, .threads = 2});
  const double q = 1 / 1.1;
  const double expected = 80000.0 * (1 - q * q * q) / (1 - q);
  for (std::uint64_t t = 0; t < r.count; ++t) REQUIRE(std::abs(r.cost_total[t] - expected) < 1e-6);
  const auto h = summarize_horizon(m, r);
  REQUIRE(h);
  REQUIRE(h->by_year.size() == 3);
  CHECK(h->by_year[0].mean == 80000.0);  // year 1 is not discounted
  CHECK(std::abs(h->by_year[2].mean - 80000.0 * q * q) < 1e-6);
  CHECK(std::abs(h->cumulative.mean - expected) < 1e-6);
}

TEST_CASE("horizon: a customer lost in year 1 loses its repeat value in every later year",
          "[horizon][years]") {
  // One repeat customer a year churns (value v = $12,000 a year). With the intervention, churn is
  // set to 0 from year 2 on (effect_by_year = [0, 1]): only year 1's customer is lost, and it costs
  // v q^(j-1) in years j = 2..N, q = 1 / (1 + r): in all v (q - q^N) / (1 - q).
  const std::string text =
      "[study]\ntrials = 50\nyears = 5\ndiscount_rate = 0.05\n[pipeline]\nopportunities = 1\nclose_rate = 1\n"
      "deal_size = 1000\nrepeat_customer = 1\nrepeat_value = 12000\n"
      "[[mistake]]\nid = \"ghosted\"\nstage = \"close\"\nprobability = 1\nchurn = 1\n"
      "[[intervention]]\nid = \"care\"\neffect_by_year = [0, 1]\n"
      "effect = [ { param = \"mistake.ghosted.churn\", set = 0 } ]\n";
  const Model m = parse(text);
  const double v = 12000, q = 1 / 1.05;
  const TrialResults once = run_trials(m, Scenario{.interventions = {0}}, RunOptions{.threads = 2});
  const double geometric = v * (q - std::pow(q, 5)) / (1 - q);
  for (std::uint64_t t = 0; t < once.count; ++t) REQUIRE(std::abs(once.cost_total[t] - geometric) < 1e-6);
  // Without it, year j pays for the j - 1 customers lost before it: v (j - 1) q^(j-1).
  const TrialResults every = run_trials(m, Scenario{}, RunOptions{.threads = 2});
  const ExtraColumns layout = ExtraColumns::of(m);
  for (std::uint32_t y = 0; y < 5; ++y)
    CHECK(std::abs(every.extra(layout.year_column(y, 0))[0] - v * y * std::pow(q, y)) < 1e-6);
}

TEST_CASE("horizon: the pipeline grows by its rate and each year draws its own deals", "[horizon][years]") {
  // 100 opportunities growing 10 % a year: 100 + 110 + 121 = 331 over three years.
  const Model m = parse(
      "[study]\ntrials = 200\nyears = 3\n[pipeline]\nopportunities = 100\ngrowth = 0.1\nclose_rate = 0.5\n"
      "deal_size = { dist = \"lognormal\", median = 20000, p90 = 60000 }\n"
      "[[mistake]]\nid = \"late\"\nstage = \"close\"\nprobability = 0.3\nlose = 0.5\n");
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 2});
  CHECK(r.opportunities[0] == 331);
  // Year 1 draws what the one-year study draws; years 2 and 3 draw at their own addresses.
  const Model one = parse(
      "[study]\ntrials = 200\n[pipeline]\nopportunities = 100\nclose_rate = 0.5\n"
      "deal_size = { dist = \"lognormal\", median = 20000, p90 = 60000 }\n"
      "[[mistake]]\nid = \"late\"\nstage = \"close\"\nprobability = 0.3\nlose = 0.5\n");
  const TrialResults r1 = run_trials(one, Scenario{}, RunOptions{.threads = 2});
  const ExtraColumns layout = ExtraColumns::of(m);
  std::size_t same_as_year1 = 0;
  for (std::uint64_t t = 0; t < r.count; ++t) {
    REQUIRE(r.extra(layout.year_column(0, 0))[t] == r1.cost_total[t]);
    same_as_year1 += r.extra(layout.year_column(1, 0))[t] == r1.cost_total[t];
  }
  CHECK(same_as_year1 < 5);
  // The same bits on one thread and on two.
  const TrialResults single = run_trials(m, Scenario{}, RunOptions{.threads = 1, .block_size = 7});
  CHECK(same_bytes(single.cost_total, r.cost_total));
  CHECK(same_bytes(single.extras, r.extras));
}

TEST_CASE("horizon: compare says in which year an intervention has paid for itself", "[horizon][years]") {
  // The seed case's mistake ($80,000 a year) removed by a $100,000 training: the savings so far
  // are 80,000 y - 100,000, negative in year 1 and positive from year 2 in every horizon.
  const std::string dir = std::string(MISTAKESIM_SOURCE_DIR) + "/configs";
  const Model m = parse_study(
      "extends = \"seed-case.toml\"\n[study]\nyears = 3\n[[intervention]]\nid = \"fix\"\ncost = 100000\n"
      "effect = [ { param = \"mistake.pilot-no-criteria.probability\", set = 0 } ]\n",
      "payoff.toml", dir);
  const Comparison c = compare(m, all_interventions(m), CompareOptions{.run = RunOptions{.trials = 100}});
  const auto p = pay_off(m, c.baseline, c.candidates.at(0).results);
  REQUIRE(p);
  CHECK(p->paid_off_by_year == std::vector<double>{0.0, 1.0, 1.0});
  CHECK(p->year == 2);
  CHECK(p->probability == 1.0);
  CHECK(c.candidates[0].savings_mean == 240000.0);  // over the horizon
  // The compare report says it too.
  const std::string html = detail::pay_off_html(m, c);
  CHECK(html.find("in year <strong>2</strong> (100% of horizons)") != std::string::npos);
  CHECK(html.find("By year 3") != std::string::npos);
  CHECK(detail::pay_off_terminal(m, c).find("in year 2 (100%)") != std::string::npos);
}

TEST_CASE("capacity and horizon keys: bad values are refused where they are written", "[horizon][config]") {
  const auto refused = [](const std::string& text, const std::string& path, const std::string& words) {
    try {
      parse(text);
      FAIL("accepted: " << text);
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(e.path() == path);
      CHECK(std::string(e.what()).find(words) != std::string::npos);
      CHECK(std::string(e.what()).rfind("horizon-test.toml:", 0) == 0);
    }
  };
  const std::string pipeline = "[pipeline]\nopportunities = 10\nclose_rate = 0.5\ndeal_size = 1000\n";
  refused("[study]\nyears = 0\n" + pipeline, "study.years", "[1, 50]");
  refused("[study]\ntime_value = \"hours\"\n" + pipeline, "study.time_value", "\"opportunity\"");
  refused("[study]\ndiscount_rate = -0.1\n" + pipeline, "study.discount_rate", "[0, 10]");
  refused(pipeline + "extra_opportunities = \"lots\"\n", "pipeline.extra_opportunities", "\"unlimited\"");
  refused(pipeline + "pursuit_hours = -3\n", "pipeline.pursuit_hours", ">= 0");
  refused(pipeline + "growth = -2\n", "pipeline.growth", ">= -1");
  refused(pipeline + "customer_value = 5\nrepeat_value = 5\n", "pipeline.repeat_value", "not both");
  refused(pipeline + "[[intervention]]\nid = \"x\"\neffect_by_year = [1.5]\n",
          "intervention.x.effect_by_year", "[0, 1]");
  refused("[study]\ntime_value = \"opportunity\"\n" + pipeline, "pipeline.pursuit_hours", "no time");
  refused(pipeline + "[[intervention]]\nid = \"x\"\neffect_by_year = [1, 0.5]\n",
          "intervention.x.effect_by_year", "at most one share a year");
}

TEST_CASE(
    "capacity: a selling-time budget smaller than the pipeline needs is a warning with the hours missing",
    "[horizon][config]") {
  // 100 opportunities x 20 hours = 2,000 hours needed; 1 rep x 1,500 hours: 500 hours missing.
  const Model m = parse(constant_study("1", ""));
  REQUIRE(m.warnings.size() == 1);
  CHECK(m.warnings[0].find("500 hours are missing") != std::string::npos);
  CHECK(m.warnings[0].find("horizon-test.toml:") == 0);
}
