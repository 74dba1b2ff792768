// What-if studies: sweeps (known answers, common random numbers), sensitivity (the dominant input
// ranks first), precision-based stopping (deterministic, equal to a fixed run), and the CLI.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/whatif.hpp>
#include <mistakesim/whatif_report.hpp>
#include <nlohmann/json.hpp>

#include "cli/number_options.hpp"
#include "cli_runner.hpp"
#include "model_builder.hpp"
#include "report/report_detail.hpp"

using namespace mistakesim;
using namespace mistakesim::testing;
using mistakesim::cli::parse_precision;
using mistakesim::cli::parse_sweep_range;
using mistakesim::cli::parse_sweep_values;
using mistakesim::detail::quantile_cis_json;

namespace {

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

bool same_bytes(const Summary& a, const Summary& b) { return std::memcmp(&a, &b, sizeof(Summary)) == 0; }

//! N deals of value v a year, all good fits, close rate c, one unnoticed mistake with probability
//! 0.3 (to be swept) that loses every deal it hits.
Model losing_mistake_model(double deals, double value, double close_rate, std::uint64_t trials) {
  Model m = basic_model(deals, value, trials);
  m.inputs[m.close_rate].dist = Distribution::constant(close_rate);
  add_mistake(m, "lost-deal", 1, 0.3, 0.0, 1.0);
  return m;
}

//! The per-mistake totals, read as the reported means (bits) and the integer sums.
bool same_totals(const TrialResults& a, const TrialResults& b) {
  if (a.mistake_count != b.mistake_count || a.mistake_totals.size() != b.mistake_totals.size()) return false;
  const auto same_bits = [](double x, double y) { return std::memcmp(&x, &y, sizeof(double)) == 0; };
  for (std::size_t m = 0; m < a.mistake_count; ++m) {
    if (!same_bits(a.mistake_known_mean(m), b.mistake_known_mean(m)) ||
        !same_bits(a.mistake_unknown_mean(m), b.mistake_unknown_mean(m)) ||
        a.mistake_totals[m].occurrences != b.mistake_totals[m].occurrences ||
        a.mistake_totals[m].deals_lost != b.mistake_totals[m].deals_lost)
      return false;
  }
  return true;
}

bool results_identical(const TrialResults& a, const TrialResults& b) {
  return a.first_trial == b.first_trial && a.count == b.count && a.recorded_inputs == b.recorded_inputs &&
         same_bytes(a.cost_total, b.cost_total) && same_bytes(a.cost_known, b.cost_known) &&
         same_bytes(a.cost_unknown, b.cost_unknown) && same_bytes(a.intervention_cost, b.intervention_cost) &&
         same_bytes(a.opportunities, b.opportunities) && same_bytes(a.good_fits, b.good_fits) &&
         same_bytes(a.wins_done_right, b.wins_done_right) && same_bytes(a.wins, b.wins) &&
         same_bytes(a.should_have_bought, b.should_have_bought) &&
         same_bytes(a.revenue_done_right, b.revenue_done_right) && same_bytes(a.revenue, b.revenue) &&
         same_bytes(a.nonbuyer_hours, b.nonbuyer_hours) && same_bytes(a.mistake_costs, b.mistake_costs) &&
         same_bytes(a.input_values, b.input_values) && same_totals(a, b);
}

}  // namespace

TEST_CASE("sweep of a closed-form study lands on N c p v at each point", "[whatif][sweep][statistical]") {
  // Each of N deals closes done right with probability c; the mistake hits it with probability p and
  // loses it, costing v. Deals are independent and the rates constant, so the yearly cost is
  // v Binomial(N, c p): E[cost] = N c p v, sd = v sqrt(N c p (1 - c p)). Unnoticed: all unknown.
  const double N = 50, v = 10'000, c = 0.5;
  const Model m = losing_mistake_model(N, v, c, 20'000);
  const SweepAxis axis = make_sweep_axis(m, "mistake.lost-deal.probability", {0.1, 0.2, 0.4});
  const Sweep sweep = run_sweep(m, axis, std::nullopt, RunOptions{.threads = 2});
  REQUIRE(sweep.points.size() == 3);
  REQUIRE(sweep.trials == 20'000);
  for (const SweepPoint& point : sweep.points) {
    const double p = point.value;
    const double expected = N * c * p * v;
    const double sd = v * std::sqrt(N * c * p * (1 - c * p));
    const double se = sd / std::sqrt(20'000.0);
    INFO("p = " << p << ": mean " << point.total.mean << ", expected " << expected << ", se " << se);
    REQUIRE(se < 0.01 * expected);  // the bound is tight: 4 se is under 4% of the answer
    REQUIRE(std::abs(point.total.mean - expected) < 4 * se);
    REQUIRE(std::abs(point.total.sd - sd) < 0.03 * sd);
    REQUIRE(point.known.mean == 0.0);
    REQUIRE(point.unknown.mean == point.total.mean);
    REQUIRE(point.mistake_cost_mean.size() == 1);
    REQUIRE(point.mistake_cost_mean[0] == Approx(point.total.mean).epsilon(1e-12));
    // should have bought = N c p deals a year on average, wins = N c (1 - p)
    REQUIRE(std::abs(point.pipeline.should_have_bought - N * c * p) < 4 * se / v);
    REQUIRE(point.pipeline.wins + point.pipeline.should_have_bought ==
            Approx(point.pipeline.wins_done_right));
    REQUIRE(point.total_p50.lo <= point.total.p50);
    REQUIRE(point.total_p50.hi >= point.total.p50);
  }
}

TEST_CASE("sweep points share their draws: the same value twice gives identical points",
          "[whatif][sweep][exact]") {
  Model m = losing_mistake_model(30, 5'000, 0.6, 3'000);
  m.inputs[m.mistakes[0].probability].dist = Distribution::pert(0.1, 0.3, 0.5);  // pinned away by the sweep
  m.inputs[m.close_rate].dist = Distribution::uniform(0.4, 0.8);                 // stays uncertain
  const SweepAxis axis = make_sweep_axis(m, "mistake.lost-deal.probability", {0.25, 0.35, 0.25});
  const Sweep one_thread = run_sweep(m, axis, std::nullopt, RunOptions{.threads = 1});
  const Sweep three_threads = run_sweep(m, axis, std::nullopt, RunOptions{.threads = 3});
  const SweepPoint& a = one_thread.points[0];
  const SweepPoint& b = one_thread.points[2];
  REQUIRE(same_bytes(a.total, b.total));
  REQUIRE(same_bytes(a.known, b.known));
  REQUIRE(same_bytes(a.unknown, b.unknown));
  REQUIRE(same_bytes(a.mistake_cost_mean, b.mistake_cost_mean));
  REQUIRE(a.pipeline.wins == b.pipeline.wins);
  // A different value does change the answer (the pin is applied).
  REQUIRE(one_thread.points[1].total.mean > a.total.mean);
  // Paired changes from the first point: exactly zero for the repeated value; for the other the
  // per-trial difference is never negative (a higher probability only adds occurrences on the same
  // draws) and its interval is much narrower than that of a difference of two independent runs.
  REQUIRE(b.change_from_first.max == 0.0);
  REQUIRE(b.change_from_first.min == 0.0);
  const Summary& change = one_thread.points[1].change_from_first;
  REQUIRE(change.min >= 0.0);
  REQUIRE(change.mean == Approx(one_thread.points[1].total.mean - a.total.mean).epsilon(1e-9));
  const Summary& other = one_thread.points[1].total;
  const double unpaired_width =
      std::hypot(a.total.mean_ci95_hi - a.total.mean_ci95_lo, other.mean_ci95_hi - other.mean_ci95_lo);
  REQUIRE(change.mean_ci95_hi - change.mean_ci95_lo < 0.6 * unpaired_width);
  // The point is exactly the run with that input pinned, whatever the thread count.
  Scenario pinned;
  pinned.pinned.emplace_back(axis.input, 0.35);
  const SweepPoint direct = summarize_point(run_trials(m, pinned, RunOptions{.threads = 2}));
  REQUIRE(same_bytes(direct.total, one_thread.points[1].total));
  for (std::size_t i = 0; i < 3; ++i)
    REQUIRE(same_bytes(one_thread.points[i].total, three_threads.points[i].total));
}

TEST_CASE("a grid sweep pins both inputs, first parameter outermost", "[whatif][sweep]") {
  // Closed form as above with both c and p pinned: E[cost] = N c p v.
  const Model m = losing_mistake_model(40, 1'000, 0.5, 4'000);
  const SweepAxis p = make_sweep_axis(m, "mistake.lost-deal.probability", {0.1, 0.3});
  const SweepAxis c = make_sweep_axis(m, "pipeline.close_rate", {0.2, 0.6, 1.0}, "--param2");
  const Sweep sweep = run_sweep(m, p, c, RunOptions{.threads = 2});
  REQUIRE(sweep.points.size() == 6);
  REQUIRE(sweep.points[1].value == 0.1);
  REQUIRE(sweep.points[1].value2 == 0.6);
  REQUIRE(sweep.points[3].value == 0.3);
  REQUIRE(sweep.points[3].value2 == 0.2);
  for (const SweepPoint& point : sweep.points) {
    const double cp = *point.value2 * point.value;
    const double se = 1'000 * std::sqrt(40 * cp * (1 - cp) / 4'000.0);
    INFO("p " << point.value << " c " << *point.value2);
    REQUIRE(std::abs(point.total.mean - 40 * cp * 1'000) < 4 * se);
  }
}

TEST_CASE("sweep input and values are checked before any work", "[whatif][sweep][input]") {
  const Model m = losing_mistake_model(10, 1'000, 0.5, 100);
  try {
    make_sweep_axis(m, "pipeline.close_rat", {0.5});
    FAIL("an unknown path was accepted");
  } catch (const InputError& e) {
    const std::string msg = e.what();
    INFO(msg);
    REQUIRE(msg.find("pipeline.close_rat") != std::string::npos);
    REQUIRE(msg.find("pipeline.close_rate") != std::string::npos);  // lists the valid paths
    REQUIRE(msg.find("mistake.lost-deal.probability") != std::string::npos);
  }
  try {
    make_sweep_axis(m, "pipeline.close_rate", {0.5, 1.2});
    FAIL("1.2 was accepted as a close rate");
  } catch (const InputError& e) {
    REQUIRE(std::string(e.what()) == "pipeline.close_rate: a probability lies in [0, 1], got 1.2");
  }
  REQUIRE_THROWS_AS(make_sweep_axis(m, "team.hourly_cost", {-5}), InputError);
  REQUIRE(make_sweep_axis(m, "team.hourly_cost", {1e6}).values.size() == 1);

  REQUIRE(parse_sweep_values("0.1, 0.2,0.4") == std::vector<double>{0.1, 0.2, 0.4});
  REQUIRE(parse_sweep_values("1_000,2500") == std::vector<double>{1000, 2500});
  REQUIRE_THROWS_AS(parse_sweep_values("0.1,abc"), InputError);
  REQUIRE_THROWS_AS(parse_sweep_values("0.1,,0.2"), InputError);
  REQUIRE_THROWS_AS(parse_sweep_values("nan"), InputError);
  const auto range = parse_sweep_range("0.4:0.7:4");
  REQUIRE(range.size() == 4);
  REQUIRE(range.front() == 0.4);
  REQUIRE(range.back() == 0.7);
  REQUIRE(range[1] == Approx(0.5));
  REQUIRE(parse_sweep_range("3:9:1") == std::vector<double>{3});
  REQUIRE_THROWS_AS(parse_sweep_range("0.4:0.7"), InputError);
  REQUIRE_THROWS_AS(parse_sweep_range("0.4:0.7:0"), InputError);
  REQUIRE_THROWS_AS(parse_sweep_range("0.4:0.7:2.5"), InputError);
}

TEST_CASE("average ranks and Spearman's rho on known answers", "[whatif][sensitivity][known]") {
  const std::vector<double> x{5, 1, 5, 3};
  REQUIRE(average_ranks(x) == std::vector<double>{3.5, 1, 3.5, 2});
  const std::vector<double> a{1, 2, 3, 4, 5}, b{1, 8, 27, 64, 125}, rev{9, 7, 5, 3, 1};
  REQUIRE(spearman(a, b) == 1.0);     // monotone transform
  REQUIRE(spearman(a, rev) == -1.0);  // reversed
  // rho = 1 - 6 sum d^2 / (n (n^2 - 1)) without ties: ranks (1,2,3,4,5) vs (2,1,4,3,5): sum d^2 = 4
  const std::vector<double> c{20, 10, 40, 30, 50};
  REQUIRE(spearman(a, c) == Approx(1 - 6.0 * 4 / (5 * 24)).epsilon(1e-12));
  const std::vector<double> flat{2, 2, 2, 2, 2};
  REQUIRE(std::isnan(spearman(a, flat)));
}

TEST_CASE("sensitivity ranks first the input that dominates by construction",
          "[whatif][sensitivity][statistical]") {
  // Cost = v Binomial(N, c p): E[cost | c, p] = N c p v. c spans [0.1, 0.9] (a factor 9), p only
  // [0.29, 0.31] (a factor 1.07), and the pilot rate does not enter the cost at all.
  const double N = 40, v = 1'000;
  Model m = losing_mistake_model(N, v, 0.5, 20'000);
  m.inputs[m.close_rate].dist = Distribution::uniform(0.1, 0.9);
  m.inputs[m.mistakes[0].probability].dist = Distribution::uniform(0.29, 0.31);
  m.inputs[m.pilot_rate].dist = Distribution::uniform(0.0, 1.0);
  const TrialResults r = run_trials(m, Scenario{}, RunOptions{.threads = 2});
  const Sensitivity s = sensitivity(m, r);
  REQUIRE(s.inputs.size() == 3);
  REQUIRE(s.inputs[0].param == "pipeline.close_rate");
  REQUIRE(s.inputs[0].spearman > 0.5);
  REQUIRE(s.inputs[0].src > 0.5);
  REQUIRE(s.inputs[0].tail_shift > 0.5);  // bad years are high-close-rate years (more deals to lose)
  REQUIRE(std::abs(s.inputs[1].spearman) < s.inputs[0].spearman);
  REQUIRE(s.inputs[2].param == "pipeline.pilot_rate");  // |rho| is noise: ~1/sqrt(n) = 0.007
  REQUIRE(std::abs(s.inputs[2].spearman) < 0.03);
  REQUIRE(std::abs(s.inputs[2].src) < 0.03);
  REQUIRE(s.r2 > 0.5);
  REQUIRE(s.r2 <= 1.0);
  // Swing: E[cost | c] = N p v c with p ~ 0.3, so mean(cost | c >= q90) - mean(cost | c <= q10) =
  // N 0.3 v (E[c | c >= 0.82] - E[c | c <= 0.18]) = N 0.3 v (0.86 - 0.14).
  REQUIRE(s.inputs[0].swing_p10_p90 == Approx(N * 0.3 * v * 0.72).epsilon(0.05));
  // Deterministic: the same results give the same bits.
  const Sensitivity again = sensitivity(m, r);
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(std::memcmp(&again.inputs[i].src, &s.inputs[i].src, sizeof(double)) == 0);
    REQUIRE(std::memcmp(&again.inputs[i].spearman, &s.inputs[i].spearman, sizeof(double)) == 0);
  }
}

TEST_CASE("precision goal parsing and checkpoints", "[whatif][precision]") {
  REQUIRE(parse_precision("0.5%") == Approx(0.005).epsilon(1e-12));
  REQUIRE(parse_precision("0.005") == 0.005);
  REQUIRE_THROWS_AS(parse_precision("0"), InputError);
  REQUIRE_THROWS_AS(parse_precision("150%"), InputError);
  REQUIRE_THROWS_AS(parse_precision("half"), InputError);
  REQUIRE(
      precision_checkpoints(PrecisionGoal{.relative = 0.01, .max_trials = 50'000, .first_block = 10'000}) ==
      std::vector<std::uint64_t>{10'000, 20'000, 40'000, 50'000});
  REQUIRE(
      precision_checkpoints(PrecisionGoal{.relative = 0.01, .max_trials = 4'000, .first_block = 10'000}) ==
      std::vector<std::uint64_t>{4'000});
}

TEST_CASE("appended blocks equal one run of all their trials", "[whatif][precision][exact]") {
  Model m = losing_mistake_model(20, 1'000, 0.5, 100);
  m.inputs[m.close_rate].dist = Distribution::uniform(0.3, 0.7);
  add_mistake(m, "second", 3, 0.2, 1.0, 0.5);
  TrialResults r = run_trials(m, Scenario{}, RunOptions{.first_trial = 0, .trials = 1'000, .threads = 2});
  append_results(r,
                 run_trials(m, Scenario{}, RunOptions{.first_trial = 1'000, .trials = 1'500, .threads = 1}));
  const TrialResults whole =
      run_trials(m, Scenario{}, RunOptions{.first_trial = 0, .trials = 2'500, .threads = 2});
  REQUIRE(results_identical(r, whole));
}

TEST_CASE("precision stopping reaches the goal deterministically and equals a fixed run",
          "[whatif][precision][exact]") {
  // cost = v Binomial(N, c p) with c uncertain: relative sd of the yearly cost ~0.6, so a 1% half-width
  // needs about (1.96 * 0.6 / 0.01)^2 ~ 14,000 trials: the run stops at the second checkpoint.
  Model m = losing_mistake_model(20, 1'000, 0.5, 100);
  m.inputs[m.close_rate].dist = Distribution::uniform(0.3, 0.7);
  const PrecisionGoal goal{.relative = 0.01, .max_trials = 200'000, .first_block = 5'000};
  const PrecisionRun run = run_to_precision(m, Scenario{}, goal, RunOptions{.threads = 2});
  INFO("stopped at " << run.trials_used << " with " << run.reached);
  REQUIRE(run.reached_goal);
  REQUIRE(run.reached <= 0.01);
  REQUIRE(run.trials_used == run.results.count);
  const auto checkpoints = precision_checkpoints(goal);
  const auto at = std::find(checkpoints.begin(), checkpoints.end(), run.trials_used);
  REQUIRE(at != checkpoints.end());
  REQUIRE(at != checkpoints.begin());  // the first block was not enough: it is a real stop
  const TrialResults earlier = run_trials(m, Scenario{}, RunOptions{.trials = *(at - 1), .threads = 2});
  REQUIRE(relative_half_width(earlier.cost_total) > 0.01);  // and the earliest checkpoint that suffices
  // Identical to a fixed run of that many trials, and to itself on another thread count.
  const TrialResults fixed = run_trials(m, Scenario{}, RunOptions{.trials = run.trials_used, .threads = 2});
  REQUIRE(results_identical(run.results, fixed));
  const PrecisionRun again = run_to_precision(m, Scenario{}, goal, RunOptions{.threads = 1});
  REQUIRE(again.trials_used == run.trials_used);
  REQUIRE(results_identical(again.results, run.results));
}

TEST_CASE("precision stopping gives up at max trials", "[whatif][precision]") {
  Model m = losing_mistake_model(20, 1'000, 0.5, 100);
  m.inputs[m.close_rate].dist = Distribution::uniform(0.3, 0.7);
  const PrecisionGoal goal{.relative = 0.0001, .max_trials = 7'000, .first_block = 2'000};
  const PrecisionRun run = run_to_precision(m, Scenario{}, goal, RunOptions{.threads = 2});
  REQUIRE_FALSE(run.reached_goal);
  REQUIRE(run.trials_used == 7'000);
  REQUIRE(run.results.count == 7'000);
  REQUIRE(run.reached > 0.0001);
  REQUIRE(run.reached == relative_half_width(run.results.cost_total));
}

TEST_CASE("compare's precision: the savings of every candidate are precise at the count it returns",
          "[whatif][precision]") {
  // An intervention that halves the mistake's probability saves v Binomial-like amounts per year; its
  // mean savings are precise to 3% after a few thousand trials.
  Model m = losing_mistake_model(20, 1'000, 0.5, 100);
  m.inputs[m.close_rate].dist = Distribution::uniform(0.3, 0.7);
  Intervention halve;
  halve.id = "halve";
  halve.effects.push_back(
      Effect{m.mistakes[0].probability, EffectOp::scale,
             amount("intervention.halve.mistake.lost-deal.probability", Distribution::constant(0.5))});
  m.interventions.push_back(halve);
  Scenario with;
  with.interventions = {0};
  const PrecisionGoal goal{.relative = 0.03, .max_trials = 100'000, .first_block = 500};
  const PrecisionRun run = savings_precision(m, {with}, goal, RunOptions{.threads = 2});
  INFO("stopped at " << run.trials_used << " with " << run.reached);
  REQUIRE(run.reached_goal);
  REQUIRE(run.trials_used > 500);
  const RunOptions fixed{.trials = run.trials_used, .threads = 1};
  const std::vector<double> savings =
      paired_difference(run_trials(m, Scenario{}, fixed).cost_total, run_trials(m, with, fixed).cost_total);
  REQUIRE(relative_half_width(savings) == run.reached);  // the same trials, bit for bit
  REQUIRE(run.reached <= 0.03);
  const RunOptions before{.trials = run.trials_used / 2, .threads = 1};
  REQUIRE(relative_half_width(paired_difference(run_trials(m, Scenario{}, before).cost_total,
                                                run_trials(m, with, before).cost_total)) > 0.03);
}

TEST_CASE("quantile_cis_json: order-statistic intervals of p05, p50, p95", "[whatif][report][known]") {
  // Values 1..100 (shuffled): the 95% interval of the median spans ranks 40 and 61 (stats.hpp), and
  // the value of rank k is k. With 10 values the p05's lower end needs rank 0: null (-infinity).
  std::vector<double> values;
  for (int i = 100; i >= 1; --i) values.push_back((i * 37) % 101);  // a permutation of 1..100
  std::sort(values.begin(), values.end());
  const auto j = quantile_cis_json(reported_quantile_cis(values));
  REQUIRE(j["p50"][0].get<double>() == 40.0);
  REQUIRE(j["p50"][1].get<double>() == 61.0);
  REQUIRE(j["p05"][0].get<double>() < 5.05);
  REQUIRE(j["p95"][1].get<double>() > 95.95);
  const std::vector<double> few{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  REQUIRE(quantile_cis_json(reported_quantile_cis(few))["p05"][0].is_null());
  PrecisionRun run;
  run.asked = 0.005;
  run.reached = 0.004;
  run.trials_used = 20'000;
  run.reached_goal = true;
  REQUIRE(precision_json(run).dump() ==
          R"({"asked":0.005,"reached":0.004,"trials_used":20000,"stopped_by":"precision"})");
}

// ---------------------------------------------------------------------------------------------
// End to end: the CLI on the files in configs/.

namespace {

using Json = nlohmann::ordered_json;

//! The JSON without the objects that differ between runs by design (provenance, precision goal).
std::string json_results_only(Json j) {
  j.erase("run");
  j.erase("precision");
  return j.dump(2);
}

}  // namespace

TEST_CASE("CLI sweep: JSON points with shared draws, CSV rows, a table in dollars", "[whatif][cli]") {
  const auto dir = scratch_dir("whatif-sweep");
  const auto json = (dir / "sweep.json").string();
  const auto csv = (dir / "sweep.csv").string();
  const CliResult r = run_cli(
      "sweep configs/mid-market.toml --trials 2000 --param pipeline.close_rate --values "
      "0.5,0.7,0.5 --json '" +
      json + "' --csv '" + csv + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(r.out.find("pipeline.close_rate") != std::string::npos);
  REQUIRE(r.out.find("$") != std::string::npos);
  const Json j = Json::parse(read_text(json));
  REQUIRE(j["schema"] == "mistakesim.sweep/1");
  REQUIRE(j["study"]["trials"] == 2000);
  REQUIRE(j["param"]["path"] == "pipeline.close_rate");
  REQUIRE_FALSE(j.contains("param2"));
  REQUIRE(j["points"].size() == 3);
  for (const Json& point : j["points"]) {
    for (const char* key : {"total", "known", "unknown"}) REQUIRE(point["cost"][key].contains("p50"));
    REQUIRE(point["cost"]["total"]["quantile_ci95"]["p50"].size() == 2);
    REQUIRE(point["cost"]["total"]["quantile_ci95"]["p50"][0].get<double>() <=
            point["cost"]["total"]["p50"].get<double>());
    REQUIRE(point["pipeline"].contains("wins_mean"));
    REQUIRE(point["pipeline"].contains("should_have_bought_mean"));
    REQUIRE(point["mistakes"].size() == 6);
    REQUIRE(point["mistakes"][0].contains("cost_mean"));
  }
  // The same value twice: the same years, the same random numbers, the same bytes.
  REQUIRE(j["points"][0].dump() == j["points"][2].dump());
  // A higher close rate means more deals to lose: the year costs more.
  REQUIRE(j["points"][1]["cost"]["total"]["mean"].get<double>() >
          j["points"][0]["cost"]["total"]["mean"].get<double>());
  // CSV: a header and one row per point.
  std::istringstream lines(read_text(csv));
  std::string line;
  std::getline(lines, line);
  REQUIRE(line.rfind("value:pipeline.close_rate,cost_mean,", 0) == 0);
  REQUIRE(line.find("cost:pilot-no-criteria") != std::string::npos);
  int rows = 0;
  while (std::getline(lines, line)) ++rows;
  REQUIRE(rows == 3);
}

TEST_CASE("CLI sweep on a grid with --range, and the same file gives the same JSON",
          "[whatif][cli][determinism]") {
  const std::string args =
      "sweep configs/what-if.toml --trials 500 --param mistake.skipped-discovery.probability --range "
      "0.1:0.3:3 "
      "--param2 team.hourly_cost --values2 100,200 --json -";
  const CliResult a = run_cli(args + " --threads 1");
  const CliResult b = run_cli(args + " --threads 2");
  INFO(a.err);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  const Json j = Json::parse(a.out);
  REQUIRE(j["param2"]["path"] == "team.hourly_cost");
  REQUIRE(j["points"].size() == 6);
  REQUIRE(j["points"][1]["value"] == 0.1);
  REQUIRE(j["points"][1]["value2"] == 200);
  REQUIRE(json_results_only(j) == json_results_only(Json::parse(b.out)));
}

TEST_CASE("CLI sensitivity: inputs ranked by |rank correlation|, R^2, deterministic", "[whatif][cli]") {
  const std::string args = "sensitivity configs/what-if.toml --trials 4000 --json -";
  const CliResult r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const Json j = Json::parse(r.out);
  REQUIRE(j["schema"] == "mistakesim.sensitivity/1");
  REQUIRE(j["r2"].get<double>() > 0.0);
  REQUIRE(j["r2"].get<double>() <= 1.0);
  REQUIRE(j["cost"]["quantile_ci95"]["p95"].size() == 2);
  const Json& inputs = j["inputs"];
  REQUIRE(inputs.size() >= 10);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (const char* key : {"param", "spearman", "src", "swing_p10_p90", "tail_shift"})
      REQUIRE(inputs[i].contains(key));
    if (i > 0)
      REQUIRE(std::abs(inputs[i]["spearman"].get<double>()) <=
              std::abs(inputs[i - 1]["spearman"].get<double>()));
  }
  const CliResult again = run_cli(args + " --threads 1");
  REQUIRE(json_results_only(Json::parse(again.out)) == json_results_only(j));
  const CliResult table = run_cli("sensitivity configs/what-if.toml --trials 2000");
  REQUIRE(table.status == 0);
  REQUIRE(table.out.find("R^2") != std::string::npos);
  REQUIRE(table.out.find("pipeline.close_rate") != std::string::npos);
}

TEST_CASE("CLI sweep refuses bad parameters and values with exit 2", "[whatif][cli][input]") {
  const CliResult unknown = run_cli("sweep configs/mid-market.toml --param pipeline.close --values 0.5");
  REQUIRE(unknown.status == 2);
  REQUIRE(unknown.err.find("\"pipeline.close\" is not a parameter of the study") != std::string::npos);
  REQUIRE(unknown.err.find("pipeline.close_rate") != std::string::npos);
  REQUIRE(unknown.err.find("mistake.late-pricing.probability") != std::string::npos);
  const CliResult out_of_range =
      run_cli("sweep configs/mid-market.toml --param pipeline.close_rate --values 0.5,1.2");
  REQUIRE(out_of_range.status == 2);
  REQUIRE(out_of_range.err.find("pipeline.close_rate: a probability lies in [0, 1], got 1.2") !=
          std::string::npos);
  const CliResult not_a_number =
      run_cli("sweep configs/mid-market.toml --param pipeline.close_rate --values 0.5,high");
  REQUIRE(not_a_number.status == 2);
  REQUIRE(not_a_number.err.find("\"high\"") != std::string::npos);
  const CliResult negative =
      run_cli("sweep configs/mid-market.toml --param team.hourly_cost --range -10:100:3");
  REQUIRE(negative.status == 2);
  REQUIRE(negative.err.find("team.hourly_cost: an hourly cost is >= 0, got -10") != std::string::npos);
  const CliResult both =
      run_cli("sweep configs/mid-market.toml --param pipeline.close_rate --values 0.5 --range 0:1:3");
  REQUIRE(both.status == 2);
  const CliResult none = run_cli("sweep configs/mid-market.toml --values 0.5");
  REQUIRE(none.status == 2);
}

TEST_CASE(
    "CLI sweep and sensitivity --report: refused before any work when the folder is missing, else written",
    "[whatif][cli][input]") {
  // 10^8 years per point would run for hours: exit 2 at once proves the path is checked first.
  const CliResult sweep = run_cli(
      "sweep configs/mid-market.toml --param pipeline.close_rate --values 0.5 "
      "--trials 100000000 --report no-such-folder/sweep.html");
  REQUIRE(sweep.status == 2);
  REQUIRE(sweep.err.find("--report") != std::string::npos);
  REQUIRE(sweep.err.find("no-such-folder") != std::string::npos);
  const CliResult sens =
      run_cli("sensitivity configs/mid-market.toml --trials 100000000 --report no-such-folder/s.html");
  REQUIRE(sens.status == 2);
  REQUIRE(sens.err.find("--report") != std::string::npos);

  const auto dir = scratch_dir("whatif-report");
  const CliResult ok = run_cli("sensitivity configs/mid-market.toml --trials 500 --quiet --report '" +
                               (dir / "s.html").string() + "'");
  REQUIRE(ok.status == 0);
  const std::string html = read_text(dir / "s.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("id=\"sensitivity-tornado\"") != std::string::npos);
  CHECK(ok.out.find("Which uncertain inputs drive") != std::string::npos);  // the table is still printed
}

TEST_CASE("CLI run --precision: reaches the goal, same count every time, equals a fixed run",
          "[whatif][cli][precision]") {
  const CliResult a = run_cli("run configs/mid-market.toml --precision 0.4% --json - --threads 2");
  INFO(a.err);
  REQUIRE(a.status == 0);
  const Json j = Json::parse(a.out);
  REQUIRE(j["precision"]["asked"] == 0.004);
  REQUIRE(j["precision"]["stopped_by"] == "precision");
  REQUIRE(j["precision"]["reached"].get<double>() <= 0.004);
  const auto used = j["precision"]["trials_used"].get<std::uint64_t>();
  REQUIRE(used >= 20'000);  // the first block of 10,000 was not enough: it stopped on a later check
  REQUIRE(j["study"]["trials"] == used);
  // The precision reported is 1.96 sd / sqrt(n) / mean of the run's own cost summary.
  const double sd = j["cost"]["total"]["sd"].get<double>(), mean = j["cost"]["total"]["mean"].get<double>();
  REQUIRE(j["precision"]["reached"].get<double>() ==
          Approx(1.96 * sd / std::sqrt(double(used)) / mean).epsilon(1e-9));
  const CliResult again = run_cli("run configs/mid-market.toml --precision 0.004 --json - --threads 1");
  REQUIRE(Json::parse(again.out)["precision"]["trials_used"] == used);
  REQUIRE(json_results_only(Json::parse(again.out)) == json_results_only(j));
  const CliResult fixed =
      run_cli("run configs/mid-market.toml --trials " + std::to_string(used) + " --json -");
  REQUIRE(json_results_only(Json::parse(fixed.out)) == json_results_only(j));
  // The table says where it stopped.
  const CliResult table = run_cli("run configs/mid-market.toml --precision 2%");
  REQUIRE(table.out.find("Stopped after") != std::string::npos);
}

TEST_CASE("CLI run --precision stops at --max-trials with a warning and exit 0", "[whatif][cli][precision]") {
  const CliResult r = run_cli("run configs/mid-market.toml --precision 0.01% --max-trials 3000 --json -");
  REQUIRE(r.status == 0);
  REQUIRE(r.err.find("warning: stopped at --max-trials 3000") != std::string::npos);
  const Json j = Json::parse(r.out);
  REQUIRE(j["precision"]["stopped_by"] == "max_trials");
  REQUIRE(j["precision"]["trials_used"] == 3000);
  REQUIRE(j["study"]["trials"] == 3000);
  REQUIRE(j["precision"]["reached"].get<double>() > 0.0001);
  // Bad usage is refused before any work.
  REQUIRE(run_cli("run configs/mid-market.toml --precision 0").status == 2);
  REQUIRE(run_cli("run configs/mid-market.toml --precision 1% --trials 5000").status == 2);
  REQUIRE(run_cli("run configs/mid-market.toml --max-trials 5000").status == 2);
}

TEST_CASE("CLI compare --precision at --max-trials equals a fixed compare of that many trials",
          "[whatif][cli][precision]") {
  const std::string compare = "compare configs/training-options.toml --intervention pilot-training --json -";
  const CliResult r = run_cli(compare + " --precision 0.01% --max-trials 2000");
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(r.err.find("warning: stopped at --max-trials 2000") != std::string::npos);
  const Json j = Json::parse(r.out);
  REQUIRE(j["precision"]["stopped_by"] == "max_trials");
  REQUIRE(j["precision"]["trials_used"] == 2000);
  const CliResult fixed = run_cli(compare + " --trials 2000");
  REQUIRE(fixed.status == 0);
  REQUIRE(json_results_only(Json::parse(fixed.out)) == json_results_only(j));
}
