// Config layer: study files in, validated Model or a located InputError out.
//
// \test Known-answer tests that a full study compiles into the expected Model (inputs, defaults,
// stage order, slots, recovery default), that extends overrides and replaces by id, that
// distribution parametrisations solve to their closed forms; and a catalogue of bad study files
// (tests/bad/) with the exact message each one must produce.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <mistakesim/random.hpp>
#include <mistakesim/study.hpp>
#include <string>

using namespace mistakesim;
namespace fs = std::filesystem;

namespace {

const std::string kSource = MISTAKESIM_SOURCE_DIR;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

//! The message load_study throws for `file`, or "" if it loads.
std::string error_of(const fs::path& file) {
  try {
    load_study(file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string error_of_text(const std::string& text, const fs::path& base_dir = {}) {
  try {
    parse_study(text, "study.toml", base_dir);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const Mistake& mistake(const Model& m, const std::string& id) {
  for (const auto& x : m.mistakes)
    if (x.id == id) return x;
  FAIL("no mistake " << id);
  throw;
}

const std::string kPipeline = "[pipeline]\nopportunities = 100\nclose_rate = 0.3\ndeal_size = 10_000\n";

}  // namespace

TEST_CASE("bad study files are refused with a located, actionable message", "[config][bad]") {
  struct Case {
    const char* file;
    const char* message;  // {bad} and {data} stand for the folders tests/bad and tests/bad/data
  };
  const Case cases[] = {
      {"applies-to-typo",
       "{bad}/applies-to-typo.toml:10:14: mistake.m.applies_to: expected one of all, good_fit, poor_fit, "
       "pilot, repeat, got \"pilots\" (did you mean \"pilot\"?)"},
      {"beta-impossible-sd",
       "{bad}/beta-impossible-sd.toml:5:46: pipeline.good_fit: a beta with mean 0.5 can have sd at most 0.5, "
       "got 0.7"},
      {"both-opportunity-keys",
       "{bad}/both-opportunity-keys.toml:2:17: pipeline.opportunities: give either opportunities_per_rep or "
       "opportunities (the team's total), not both"},
      {"comments-only",
       "{bad}/comments-only.toml: the study file is empty; a study needs at least [pipeline] with "
       "close_rate, deal_size and opportunities_per_rep (run `mistakesim init` for an annotated template)"},
      {"correlation-constant",
       "{bad}/correlation-constant.toml:9:5: correlation.b: pipeline.close_rate is a constant (0.3); a "
       "correlation links two uncertain inputs"},
      {"correlation-rank",
       "{bad}/correlation-rank.toml:9:8: correlation.rank: a rank correlation lies in [-1, 1], got 1.5"},
      {"correlation-same-input",
       "{bad}/correlation-same-input.toml:9:5: correlation.b: a and b are the same input "
       "\"pipeline.good_fit\"; a correlation links two different inputs"},
      {"discrete-weights",
       "{bad}/discrete-weights.toml:5:68: pipeline.qualify_hours: a discrete needs one weight per value: 3 "
       "values, got 2 weights"},
      {"dist-missing-name",
       "{bad}/dist-missing-name.toml:5:17: pipeline.qualify_hours: a distribution table needs dist = "
       "\"...\", one of: constant, uniform, triangular, pert, normal, lognormal, beta, gamma, poisson, "
       "negbinomial, discrete, empirical"},
      {"dist-unknown-key",
       "{bad}/dist-unknown-key.toml:5:43: pipeline.qualify_hours: unknown key \"mdoe\" for a pert "
       "distribution (did you mean \"mode\"?); allowed keys: dist, min, mode, max, lambda"},
      {"duplicate-intervention-id",
       "{bad}/duplicate-intervention-id.toml:10:6: intervention.t.id: each intervention id is used once, got "
       "\"t\" again (first at line 7)"},
      {"duplicate-mistake-id",
       "{bad}/duplicate-mistake-id.toml:12:6: mistake.m.id: each mistake id is used once, got \"m\" again "
       "(first at line 7)"},
      {"effect-per-opportunity",
       "{bad}/effect-per-opportunity.toml:8:22: intervention.t.effect[1].param: pipeline.opportunities is "
       "the "
       "number of opportunities, not a rate; an effect changes a per-deal or per-occurrence amount or a "
       "year-level input: "
       "team.hourly_cost, pipeline.good_fit, pipeline.close_rate, pipeline.margin, pipeline.pilot_rate, "
       "pipeline.repeat_customer"},
      {"effect-set-out-of-range",
       "{bad}/effect-set-out-of-range.toml:8:51: intervention.t.effect[1].set: a probability lies in [0, 1], "
       "got 1.2"},
      {"effect-two-ops",
       "{bad}/effect-two-ops.toml:8:12: intervention.t.effect[1]: an effect has exactly one of scale, set or "
       "add, got several"},
      {"effect-unknown-param",
       "{bad}/effect-unknown-param.toml:13:22: intervention.t.effect[1].param: unknown parameter "
       "\"mistake.m.probabilty\" (did you mean \"mistake.m.probability\"?); an effect changes a per-deal or "
       "per-occurrence amount or a year-level input: team.hourly_cost, pipeline.good_fit, "
       "pipeline.close_rate, pipeline.margin, "
       "pipeline.pilot_rate, pipeline.repeat_customer, mistake.m.probability, mistake.m.noticed, "
       "mistake.m.lose, mistake.m.churn"},
      {"empirical-empty-column",
       "{bad}/empirical-empty-column.toml:4:69: pipeline.deal_size: column \"notes\" in {data}/deals.csv has "
       "no values"},
      {"empirical-missing-column",
       "{bad}/empirical-missing-column.toml:4:69: pipeline.deal_size: no column \"amout\" in the header of "
       "{data}/deals.csv:1:1 (did you mean \"amount\"?); columns found: id, stage, deal size, amount, notes"},
      {"empirical-missing-file",
       "{bad}/empirical-missing-file.toml:4:42: pipeline.deal_size: cannot open the CSV file "
       "{data}/no-such.csv: no such file"},
      {"empirical-non-numeric",
       "{data}/deals.csv:2:7: pipeline.deal_size: column \"deal size\": expected a number, got \"12,000\""},
      {"empty",
       "{bad}/empty.toml: the study file is empty; a study needs at least [pipeline] with close_rate, "
       "deal_size and opportunities_per_rep (run `mistakesim init` for an annotated template)"},
      {"extends-missing", "{bad}/extends-missing.toml:1:11: extends: {bad}/no-such-base.toml: no such file"},
      {"infinite-deal",
       "{bad}/infinite-deal.toml:4:13: pipeline.deal_size: expected a finite number, got inf"},
      {"intervention-negative-cost",
       "{bad}/intervention-negative-cost.toml:8:8: intervention.t.cost: expected a cost >= 0 (a number), got "
       "-5"},
      {"lognormal-for-probability",
       "{bad}/lognormal-for-probability.toml:5:14: pipeline.pilot_rate: a probability lies in [0, 1], got a "
       "lognormal, which has no upper bound; use a beta or a pert for a value in [0, 1]"},
      {"lognormal-mu-and-median",
       "{bad}/lognormal-mu-and-median.toml:5:69: pipeline.customer_value: give a lognormal one way (mu and "
       "sigma, or mean and sd, or two quantiles such as median and p90 or p05 and p95), got both mu and "
       "median"},
      {"lognormal-one-quantile",
       "{bad}/lognormal-one-quantile.toml:5:18: pipeline.customer_value: a lognormal given by quantiles "
       "needs exactly two of them (median, p01 ... p99), got p90"},
      {"lognormal-p05-above-p95",
       "{bad}/lognormal-p05-above-p95.toml:5:61: pipeline.customer_value: p95 must be above p05, got p05 = "
       "300000 and p95 = 20000"},
      {"lognormal-sigma-missing",
       "{bad}/lognormal-sigma-missing.toml:5:18: pipeline.customer_value: a lognormal given by mu also needs "
       "sigma"},
      {"missing-close-rate",
       "{bad}/missing-close-rate.toml:1:1: pipeline.close_rate: required, e.g. close_rate = { dist = "
       "\"pert\", min = 0.2, mode = 0.3, max = 0.45 }"},
      {"missing-opportunities",
       "{bad}/missing-opportunities.toml:1:1: pipeline.opportunities_per_rep: required: how many "
       "opportunities a rep works in a year, e.g. opportunities_per_rep = { dist = \"poisson\", mean = 40 } "
       "(or opportunities = ... for the whole team)"},
      {"mistake-bad-id",
       "{bad}/mistake-bad-id.toml:7:6: mistake[1].id: an id uses only letters, digits, '-' and '_' (it "
       "becomes part of parameter paths), got \"pilot.criteria\""},
      {"mistake-no-id",
       "{bad}/mistake-no-id.toml:6:1: mistake[1]: a mistake needs an id, e.g. id = \"pilot-no-criteria\""},
      {"mistake-no-probability",
       "{bad}/mistake-no-probability.toml:6:1: mistake.m.probability: a mistake needs the probability that "
       "it happens on an opportunity it applies to, e.g. probability = 0.2"},
      {"mistake-single-brackets",
       "{bad}/mistake-single-brackets.toml:6:1: mistake: write each mistake as its own [[mistake]] table "
       "(double brackets), got a table"},
      {"nan", "{bad}/nan.toml:3:14: pipeline.close_rate: expected a finite number, got nan"},
      {"negative-direct-cost",
       "{bad}/negative-direct-cost.toml:10:15: mistake.m.direct_cost: an amount of money is >= 0, got a "
       "uniform that goes down to -100"},
      {"negative-hourly-cost",
       "{bad}/negative-hourly-cost.toml:2:15: team.hourly_cost: an hourly cost is >= 0, got -50"},
      {"negative-hours", "{bad}/negative-hours.toml:5:17: pipeline.qualify_hours: hours are >= 0, got -2"},
      {"normal-for-probability",
       "{bad}/normal-for-probability.toml:5:12: pipeline.good_fit: a probability lies in [0, 1], got a "
       "normal that can go below 0; truncate it with min = 0 and max = 1"},
      {"not-toml",
       "{bad}/not-toml.toml:1:7: not valid TOML: Error while parsing table header: expected ']', saw '\\n'"},
      {"pert-above-one",
       "{bad}/pert-above-one.toml:5:12: pipeline.good_fit: a probability lies in [0, 1], got a pert that "
       "goes up to 1.3"},
      {"pert-min-above-max",
       "{bad}/pert-min-above-max.toml:5:40: pipeline.qualify_hours: min of a pert must not exceed max, got "
       "min 5 and max 3"},
      {"pert-mode-outside",
       "{bad}/pert-mode-outside.toml:5:50: pipeline.qualify_hours: mode of a pert lies between min and max "
       "(1 to 3), got 4"},
      {"poisson-missing-mean",
       "{bad}/poisson-missing-mean.toml:2:37: pipeline.opportunities: unknown key \"average\" for a poisson "
       "distribution; allowed keys: dist, mean"},
      {"poisson-no-mean",
       "{bad}/poisson-no-mean.toml:2:17: pipeline.opportunities: a poisson needs mean, e.g. { dist = "
       "\"poisson\", mean = 40 }"},
      {"probability-above-one",
       "{bad}/probability-above-one.toml:12:15: mistake.pilot-no-criteria.probability: a probability lies in "
       "[0, 1], got 1.3"},
      {"recovery-unknown-key",
       "{bad}/recovery-unknown-key.toml:10:26: mistake.m.recovery.saving: unknown key \"saving\" in a "
       "recovery (did you mean \"saved\"?); allowed keys: hours, hourly_cost, saved"},
      {"reps-not-integer",
       "{bad}/reps-not-integer.toml:2:8: team.reps: expected a whole number of reps >= 1, got 12.5"},
      {"reps-zero", "{bad}/reps-zero.toml:2:8: team.reps: expected a whole number of reps >= 1, got 0"},
      {"seed-negative", "{bad}/seed-negative.toml:2:8: study.seed: expected a whole number >= 0, got -1"},
      {"stages-duplicate",
       "{bad}/stages-duplicate.toml:7:31: process.stages: each stage appears once, got \"qualify\" twice"},
      {"stages-empty", "{bad}/stages-empty.toml:7:10: process.stages: expected at least one stage, got []"},
      {"top-level-key", "{bad}/top-level-key.toml:1:1: trials: \"trials\" belongs in the [study] section"},
      {"trials-decimal",
       "{bad}/trials-decimal.toml:2:10: study.trials: expected a whole number of trials >= 1, got 100000 "
       "written as a decimal number (drop the decimal point or exponent)"},
      {"trials-zero",
       "{bad}/trials-zero.toml:2:10: study.trials: expected a whole number of trials >= 1, got 0"},
      {"truncated",
       "{bad}/truncated.toml:5:39: not valid TOML: Error while parsing inline table: encountered "
       "end-of-file"},
      {"unknown-dist",
       "{bad}/unknown-dist.toml:5:21: pipeline.good_fit: unknown distribution \"lognorm\" (did you mean "
       "\"lognormal\"?); known distributions: constant, uniform, triangular, pert, normal, lognormal, beta, "
       "gamma, poisson, negbinomial, discrete, empirical"},
      {"unknown-key",
       "{bad}/unknown-key.toml:3:1: pipeline.close_rte: unknown key \"close_rte\" in [pipeline] (did you "
       "mean \"close_rate\"?); allowed keys: opportunities_per_rep, opportunities, good_fit, close_rate, "
       "deal_size, margin, qualify_hours, pilot_rate, repeat_customer, customer_value, pursuit_hours, "
       "extra_opportunities, growth, repeat_value"},
      {"unknown-section",
       "{bad}/unknown-section.toml:6:2: pipline: unknown section [pipline] (did you mean [pipeline]?); "
       "sections: extends, study, team, pipeline, process, mistake, intervention, correlation"},
      {"unknown-stage",
       "{bad}/unknown-stage.toml:8:9: mistake.m.stage: unknown stage \"pilto\" (did you mean \"pilot\"?); "
       "stages: qualify, discover, pilot, propose, close"},
      {"value-basis",
       "{bad}/value-basis.toml:2:9: study.value: expected \"revenue\" or \"margin\", got \"profit\""},
      {"normal-truncation-no-mass",
       "{bad}/normal-truncation-no-mass.toml:3:62: pipeline.close_rate: a normal(mean 0.2, sd 0.01) has "
       "almost "
       "no probability in [0.9, 1]; move the mean or widen the truncation"},
      {"too-many-trials",
       "{bad}/too-many-trials.toml:2:10: study.trials: at most 100000000 trials in one run (each keeps a few "
       "hundred bytes of results), got 1000000000; --precision stops as soon as the answer is precise "
       "enough"},
      {"wrong-type",
       "{bad}/wrong-type.toml:3:14: pipeline.close_rate: expected a number or a distribution such as { dist "
       "= \"pert\", min = 1, mode = 2, max = 5 }, got a string \"30%\""},
  };
  std::size_t checked = 0;
  for (const auto& c : cases) {
    const fs::path file = kSource + "/tests/bad/" + c.file + ".toml";
    std::string expected = replace_all(c.message, "{bad}", kSource + "/tests/bad");
    expected = replace_all(expected, "{data}", kSource + "/tests/bad/data");
    INFO("study file " << file.string());
    CHECK(error_of(file) == expected);
    ++checked;
  }
  // every file in tests/bad has a row
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(kSource + "/tests/bad"))
    files += entry.path().extension() == ".toml";
  CHECK(checked == files);
}

TEST_CASE("InputError carries the location, path and problem separately", "[config][bad]") {
  const fs::path file = kSource + "/tests/bad/probability-above-one.toml";
  try {
    load_study(file);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.where().file == file.string());
    CHECK(e.where().line == 12);
    CHECK(e.where().column == 15);
    CHECK(e.path() == "mistake.pilot-no-criteria.probability");
    CHECK(e.problem() == "a probability lies in [0, 1], got 1.3");
  }
}

TEST_CASE("a missing file or a folder is refused as a study", "[config][bad]") {
  const std::string missing = kSource + "/tests/bad/no-such-study.toml";
  CHECK(error_of(missing) == missing + ": no such file");
  const std::string folder = kSource + "/tests/bad";
  CHECK(error_of(folder) == folder + ": is a folder, expected a study file (.toml)");
}

TEST_CASE("a full study compiles into the expected model", "[config]") {
  const Model m = load_study(kSource + "/tests/good/full.toml");
  CHECK(m.name == "Mid-market team FY27");
  CHECK(m.source_file == kSource + "/tests/good/full.toml");
  CHECK(m.trials == 200'000);
  CHECK(m.seed == 2027);
  CHECK(m.currency == "EUR");
  CHECK(m.value == ValueBasis::margin);
  CHECK(m.reps == 12);

  // year-level inputs: path, slot from the path, valid range
  for (const auto& in : m.inputs) {
    INFO(in.path);
    CHECK(in.slot == slot_of(in.path));
  }
  CHECK(m.inputs[m.hourly_cost].path == "team.hourly_cost");
  CHECK(m.inputs[m.hourly_cost].dist.kind == DistKind::constant);
  CHECK(m.inputs[m.hourly_cost].dist.p[0] == 150);
  CHECK(m.inputs[m.hourly_cost].lower == 0);
  CHECK(std::isinf(m.inputs[m.hourly_cost].upper));
  CHECK(m.inputs[m.close_rate].path == "pipeline.close_rate");
  CHECK(m.inputs[m.close_rate].dist.kind == DistKind::pert);
  CHECK(m.inputs[m.close_rate].upper == 1);
  CHECK(m.inputs[m.good_fit].dist.kind == DistKind::pert);
  CHECK(m.inputs[m.margin].dist.p[0] == 0.35);
  CHECK(m.inputs[m.pilot_rate].dist.p[0] == 0.3);
  CHECK(m.inputs[m.repeat_customer].dist.p[0] == 0.25);

  // amounts and their slots
  CHECK(m.opportunities_per_rep);
  CHECK(m.opportunities.dist.kind == DistKind::poisson);
  CHECK(m.opportunities.dist.p[0] == 40);
  CHECK(m.opportunities.slot == slot_of("pipeline.opportunities_per_rep"));
  CHECK(m.opportunity_slot == slot_of("pipeline"));
  CHECK(m.deal_size.dist.kind == DistKind::lognormal);
  CHECK(m.deal_size.slot == slot_of("pipeline.deal_size"));
  CHECK(m.qualify_hours.dist.kind == DistKind::triangular);
  CHECK(m.qualify_hours.slot == slot_of("pipeline.qualify_hours"));
  CHECK(m.customer_value.slot == slot_of("pipeline.customer_value"));

  // visited in stage order, file order within a stage
  REQUIRE(m.mistakes.size() == 4);
  CHECK(m.mistakes[0].id == "no-discovery");
  CHECK(m.mistakes[1].id == "wrong-champion");
  CHECK(m.mistakes[2].id == "pilot-no-criteria");
  CHECK(m.mistakes[3].id == "late-pricing");
  CHECK(m.mistakes[0].stage_index == 1);
  CHECK(m.mistakes[2].stage_index == 2);
  CHECK(m.mistakes[3].stage_index == 3);

  const Mistake& pilot = mistake(m, "pilot-no-criteria");
  CHECK(pilot.name == "Pilot run without agreed success criteria");
  CHECK(pilot.stage == "pilot");
  CHECK(pilot.applies_to == AppliesTo::pilot);
  CHECK(pilot.event_slot == slot_of("mistake.pilot-no-criteria"));
  CHECK(m.inputs[pilot.probability].path == "mistake.pilot-no-criteria.probability");
  CHECK(m.inputs[pilot.noticed].dist.p[0] == 0.9);
  CHECK(m.inputs[pilot.lose].dist.p[0] == 0.6);
  CHECK(m.inputs[pilot.churn].dist.p[0] == 0.3);
  CHECK(pilot.has_recovery);
  CHECK(m.inputs[pilot.recovery_hourly_cost].path == "mistake.pilot-no-criteria.recovery.hourly_cost");
  CHECK(m.inputs[pilot.recovery_hourly_cost].dist.p[0] == 500);
  CHECK(pilot.recovery_hours.slot == slot_of("mistake.pilot-no-criteria.recovery.hours"));
  CHECK(pilot.recovery_saved.slot == slot_of("mistake.pilot-no-criteria.recovery.saved"));
  // beta from mean 0.5, sd 0.15: alpha + beta = 0.25 / 0.0225 - 1, split by the mean
  CHECK(pilot.recovery_saved.dist.kind == DistKind::beta);
  CHECK(pilot.recovery_saved.dist.p[0] == Approx(0.5 * (0.25 / 0.0225 - 1)));
  CHECK(pilot.recovery_saved.dist.p[1] == Approx(0.5 * (0.25 / 0.0225 - 1)));
  // lognormal from median 30, p90 80: mu = ln 30, sigma = ln(80/30) / z(0.9)
  CHECK(pilot.recovery_hours.dist.p[0] == Approx(std::log(30.0)));
  CHECK(pilot.recovery_hours.dist.p[1] == Approx(std::log(80.0 / 30.0) / 1.2815515655446004));

  // defaults: recovery at the team's hourly cost (same input), zero amounts, applies to all
  const Mistake& discovery = mistake(m, "no-discovery");
  CHECK(discovery.name == "no-discovery");
  CHECK(discovery.applies_to == AppliesTo::good_fit);
  CHECK(discovery.recovery_hourly_cost == m.hourly_cost);
  CHECK(discovery.has_recovery);
  CHECK(discovery.recovery_hours.dist.p[0] == 10);
  CHECK(discovery.recovery_saved.dist.p[0] == 0);
  CHECK(discovery.probability != kNoInput);
  CHECK(m.inputs[discovery.probability].dist.kind == DistKind::beta);
  CHECK(m.inputs[discovery.probability].dist.p[0] == 4);  // wins 3 -> alpha 4
  CHECK(m.inputs[discovery.probability].dist.p[1] == 8);  // losses 7 -> beta 8
  CHECK(discovery.wasted_hours.dist.p[0] == 5);
  CHECK(discovery.wasted_hours.slot == slot_of("mistake.no-discovery.wasted_hours"));
  const Mistake& late = mistake(m, "late-pricing");
  CHECK(late.applies_to == AppliesTo::all);
  CHECK(!late.has_recovery);
  CHECK(m.inputs[late.noticed].dist.p[0] == 0);
  CHECK(m.inputs[late.lose].dist.p[0] == 0);
  CHECK(late.discount.dist.p[0] == 0.05);
  CHECK(late.discount.slot == slot_of("mistake.late-pricing.discount"));
  CHECK(mistake(m, "wrong-champion").direct_cost.dist.p[0] == 250);

  REQUIRE(m.interventions.size() == 1);
  const Intervention& iv = m.interventions[0];
  CHECK(iv.id == "pilot-training");
  CHECK(iv.name == "Pilot set-up training");
  CHECK(iv.cost == 20'000);
  CHECK(iv.cost_per_rep == 1'500);
  CHECK(iv.hours_per_rep == 16);
  REQUIRE(iv.effects.size() == 2);
  CHECK(iv.effects[0].target == pilot.probability);
  CHECK(iv.effects[0].op == EffectOp::scale);
  CHECK(iv.effects[0].amount.dist.kind == DistKind::pert);
  CHECK(iv.effects[0].amount.slot ==
        slot_of("intervention.pilot-training.mistake.pilot-no-criteria.probability"));
  CHECK(iv.effects[1].target == m.close_rate);
  CHECK(iv.effects[1].op == EffectOp::add);
  CHECK(iv.effects[1].amount.dist.p[0] == 0.02);

  REQUIRE(m.correlations.size() == 1);
  CHECK(m.correlations[0].a == m.good_fit);
  CHECK(m.correlations[0].b == m.close_rate);
  CHECK(m.correlations[0].rank == 0.4);

  const auto uncertain = m.uncertain_inputs();
  const auto is_uncertain = [&](InputId id) {
    return std::find(uncertain.begin(), uncertain.end(), id) != uncertain.end();
  };
  CHECK(is_uncertain(m.good_fit));
  CHECK(is_uncertain(m.close_rate));
  CHECK(is_uncertain(pilot.probability));
  CHECK_FALSE(is_uncertain(m.margin));
  CHECK_FALSE(is_uncertain(m.hourly_cost));
  CHECK(m.find_input("pipeline.deal_size") == kNoInput);  // per opportunity, not year-level
}

TEST_CASE("absent keys take their documented defaults and zero is valid", "[config]") {
  const Model m = parse_study(kPipeline + "\n[[mistake]]\nid = \"m\"\nstage = \"close\"\nprobability = 0.1\n",
                              "minimal.toml", {});
  CHECK(m.name == "minimal");
  CHECK(m.trials == 100'000);
  CHECK(m.seed == 1);
  CHECK(m.currency == "USD");
  CHECK(m.value == ValueBasis::revenue);
  CHECK(m.reps == 1);
  CHECK(m.inputs[m.hourly_cost].dist.p[0] == 0);
  CHECK(m.inputs[m.good_fit].dist.p[0] == 1);
  CHECK(m.inputs[m.margin].dist.p[0] == 1);
  CHECK(m.inputs[m.pilot_rate].dist.p[0] == 0);
  CHECK(m.inputs[m.repeat_customer].dist.p[0] == 0);
  CHECK_FALSE(m.opportunities_per_rep);
  CHECK(m.opportunities.slot == slot_of("pipeline.opportunities"));
  CHECK(m.qualify_hours.dist.p[0] == 0);
  CHECK(m.customer_value.dist.p[0] == 0);
  CHECK(m.stages == std::vector<std::string>{"qualify", "discover", "pilot", "propose", "close"});
  REQUIRE(m.mistakes.size() == 1);
  CHECK(m.mistakes[0].name == "m");
  CHECK(m.mistakes[0].stage_index == 4);
  CHECK(m.mistakes[0].applies_to == AppliesTo::all);
  CHECK(m.mistakes[0].recovery_hourly_cost == m.hourly_cost);
  CHECK_FALSE(m.mistakes[0].has_recovery);

  // zero where it means something: no hourly cost, no pilots, no opportunities, a free intervention
  const Model zeros = parse_study(
      "[team]\nhourly_cost = 0\n[pipeline]\nopportunities_per_rep = { dist = \"poisson\", mean = 0 }\n"
      "close_rate = 0\ndeal_size = 0\npilot_rate = 0\n[[intervention]]\nid = \"free\"\ncost = 0\n",
      "zeros.toml", {});
  CHECK(zeros.inputs[zeros.pilot_rate].dist.p[0] == 0);
  CHECK(zeros.opportunities.dist.p[0] == 0);
  CHECK(zeros.interventions.at(0).cost == 0);

  // A discrete value with no weight is never drawn, so it may lie outside the valid range.
  const Model weighted =
      parse_study(kPipeline +
                      "\n[[mistake]]\nid = \"m\"\nstage = \"close\"\nprobability = 0.1\n"
                      "noticed = { dist = \"discrete\", values = [-1, 0.5, 0.7], weights = [0, 1, 1] }\n",
                  "weights.toml", {});
  CHECK(weighted.inputs[weighted.mistakes[0].noticed].dist.support_min() == 0.5);
}

TEST_CASE("the template from `mistakesim init` validates as is", "[config]") {
  const Model m = parse_study(study_template(), "template.toml", {});
  CHECK(m.mistakes.size() == 2);
  CHECK(m.interventions.size() == 1);
  CHECK(m.correlations.size() == 1);
  CHECK(m.uncertain_inputs().size() >= 4);
}

TEST_CASE("extends: override key by key, merge mistakes by id, add new ones", "[config][extends]") {
  const Model m = load_study(kSource + "/tests/extends/child.toml");
  CHECK(m.name == "Child team");  // overridden
  CHECK(m.trials == 1000);        // from the base
  CHECK(m.seed == 7);
  CHECK(m.reps == 5);
  CHECK(m.inputs[m.hourly_cost].dist.p[0] == 100);
  CHECK(m.inputs[m.close_rate].dist.p[0] == 0.4);  // overridden key
  CHECK(m.inputs[m.good_fit].dist.p[0] == 0.5);    // other keys of [pipeline] kept
  CHECK_FALSE(m.opportunities_per_rep);            // `opportunities` replaces `opportunities_per_rep`
  CHECK(m.opportunities.dist.p[0] == 90);
  REQUIRE(m.mistakes.size() == 3);
  CHECK(m.mistakes[0].id == "c");  // discover
  CHECK(m.mistakes[1].id == "a");  // merged: now at propose, and its base `lose` is kept
  CHECK(m.mistakes[2].id == "b");  // close
  CHECK(m.inputs[m.mistakes[1].probability].dist.p[0] == 0.3);
  CHECK(m.inputs[m.mistakes[1].lose].dist.p[0] == 0.5);
  REQUIRE(m.interventions.size() == 1);
  CHECK(m.interventions[0].effects.at(0).target == m.mistakes[1].probability);
  CHECK(m.source_file == kSource + "/tests/extends/child.toml");
}

TEST_CASE("extends: errors point into the file that holds the bad value and cycles are refused",
          "[config][extends]") {
  const std::string dir = kSource + "/tests/extends/";
  CHECK(error_of(dir + "child-bad.toml") ==
        dir + "child-bad.toml:4:12: pipeline.good_fit: a probability lies in [0, 1], got 1.5");
  CHECK(error_of(dir + "child-of-bad.toml") ==
        dir + "base-bad.toml:10:8: mistake.a.lose: a probability lies in [0, 1], got 2");
  CHECK(error_of(dir + "cycle-a.toml") == dir +
                                              "cycle-b.toml:2:11: extends: a study cannot extend itself, got "
                                              "the cycle cycle-a.toml -> cycle-b.toml -> cycle-a.toml");
  CHECK(error_of(dir + "self.toml") ==
        dir + "self.toml:1:11: extends: a study cannot extend itself, got the cycle self.toml -> self.toml");
}

TEST_CASE("empirical distributions read a CSV column relative to the study file", "[config][empirical]") {
  const Model m = parse_study(
      "[pipeline]\nopportunities = 10\nclose_rate = 0.3\n"
      "deal_size = { dist = \"empirical\", file = \"deals.csv\", column = \"amount\" }\n",
      "crm.toml", kSource + "/tests/bad/data");
  CHECK(m.deal_size.dist.kind == DistKind::empirical);
  CHECK(m.deal_size.dist.values == std::vector<double>{12000, 30000, 45000.5});  // blank lines skipped
  const Distribution inline_values = parse_distribution("{ dist = \"empirical\", values = [3, 1, 2] }");
  CHECK(inline_values.values == std::vector<double>{1, 2, 3});
}

TEST_CASE("parse_distribution solves every parametrisation into canonical form", "[config][dist]") {
  const Distribution constant = parse_distribution("0.3");
  CHECK(constant.kind == DistKind::constant);
  CHECK(constant.p[0] == 0.3);

  const Distribution pert = parse_distribution("{ dist = \"pert\", min = 1, mode = 2, max = 5 }");
  CHECK(pert.kind == DistKind::pert);
  CHECK(pert.p[0] == 1);
  CHECK(pert.p[1] == 5);
  CHECK(pert.p[2] == Approx(1 + 4.0 * (2 - 1) / 4));  // alpha = 1 + lambda (mode - min) / (max - min)
  CHECK(pert.p[3] == Approx(1 + 4.0 * (5 - 2) / 4));
  CHECK(parse_distribution("{ dist = \"pert\", min = 1, mode = 2, max = 5, lambda = 0 }").p[2] == Approx(1));

  const Distribution triangular = parse_distribution("{ dist = \"triangular\", min = 1, mode = 2, max = 6 }");
  CHECK(triangular.kind == DistKind::triangular);
  CHECK(triangular.p[1] == 2);
  CHECK(parse_distribution("{ dist = \"uniform\", min = 2, max = 3 }").p[1] == 3);

  const Distribution normal =
      parse_distribution("{ dist = \"normal\", mean = 0.3, sd = 0.1, min = 0, max = 1 }");
  CHECK(normal.kind == DistKind::normal);
  CHECK(normal.p[2] == 0);
  CHECK(normal.p[3] == 1);
  CHECK(std::isinf(parse_distribution("{ dist = \"normal\", mean = 5, sd = 1 }").p[3]));

  // lognormal by moments: sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2 / 2
  const Distribution by_moments = parse_distribution("{ dist = \"lognormal\", mean = 100, sd = 50 }");
  CHECK(by_moments.p[1] == Approx(std::sqrt(std::log(1.25))));
  CHECK(by_moments.p[0] == Approx(std::log(100.0) - std::log(1.25) / 2));
  CHECK(parse_distribution("{ dist = \"lognormal\", mu = 2, sigma = 0.5 }").p[1] == 0.5);

  // gamma by moments: shape = mean^2 / sd^2, scale = sd^2 / mean
  const Distribution gamma = parse_distribution("{ dist = \"gamma\", mean = 10, sd = 5 }");
  CHECK(gamma.p[0] == Approx(4));
  CHECK(gamma.p[1] == Approx(2.5));
  CHECK(parse_distribution("{ dist = \"gamma\", shape = 2, scale = 3 }").p[1] == 3);

  const Distribution beta = parse_distribution("{ dist = \"beta\", alpha = 2, beta = 5 }");
  CHECK(beta.p[0] == 2);
  CHECK(beta.p[1] == 5);
  CHECK(parse_distribution("{ dist = \"poisson\", mean = 40 }").p[0] == 40);
  const Distribution nb = parse_distribution("{ dist = \"negbinomial\", mean = 40, dispersion = 5 }");
  CHECK(nb.kind == DistKind::negbinomial);
  CHECK(nb.p[1] == 5);
  const Distribution discrete =
      parse_distribution("{ dist = \"discrete\", values = [1, 2, 3], weights = [1, 1, 2] }");
  CHECK(discrete.cumulative.back() == Approx(1));
  CHECK(discrete.cumulative[0] == Approx(0.25));
  CHECK(parse_distribution("{ dist = \"constant\", value = 7 }").p[0] == 7);
}

TEST_CASE("lognormal from two quantiles reproduces both within 0.5%", "[config][dist]") {
  // closed form: sigma = (ln q95 - ln q05) / (z95 - z05), mu = (ln q05 + ln q95) / 2
  const Distribution d = parse_distribution("{ dist = \"lognormal\", p05 = 15_000, p95 = 250_000 }");
  CHECK(d.p[1] == Approx((std::log(250'000.0) - std::log(15'000.0)) / (2 * 1.6448536269514722)));
  CHECK(d.p[0] == Approx((std::log(250'000.0) + std::log(15'000.0)) / 2));
  CHECK(d.quantile(0.05) == Approx(15'000).epsilon(0.005));
  CHECK(d.quantile(0.95) == Approx(250'000).epsilon(0.005));
  // asymmetric levels, and the median alias
  const Distribution e = parse_distribution("{ dist = \"lognormal\", p10 = 20, p99 = 400 }");
  CHECK(e.quantile(0.10) == Approx(20).epsilon(0.005));
  CHECK(e.quantile(0.99) == Approx(400).epsilon(0.005));
  const Distribution f = parse_distribution("{ dist = \"lognormal\", median = 80_000, p90 = 300_000 }");
  CHECK(f.quantile(0.5) == Approx(80'000).epsilon(0.005));
  CHECK(f.quantile(0.9) == Approx(300'000).epsilon(0.005));
}

TEST_CASE("parse_distribution errors point into the command line text", "[config][dist]") {
  const auto error = [](const char* text) -> std::string {
    try {
      parse_distribution(text);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error("{ dist = \"pert\", min = 5, mode = 1, max = 3 }") ==
        "<command line>:1:24: min of a pert must not exceed max, got min 5 and max 3");
  CHECK(error("{ dist = \"beta\", mean = 0.5, sd = 0.7 }") ==
        "<command line>:1:35: a beta with mean 0.5 can have sd at most 0.5, got 0.7");
  CHECK(
      error("{ dist = \"lognormal\", mu = 1, sigma = 2, median = 3 }") ==
      "<command line>:1:51: give a lognormal one way (mu and sigma, or mean and sd, or two quantiles such as "
      "median and p90 or p05 and p95), got both mu and median");
  CHECK(error("{ dist = \"poisson\" }") ==
        "<command line>:1:1: a poisson needs mean, e.g. { dist = \"poisson\", mean = 40 }");
  CHECK(error("{ dist = \"pert\", min = 1,").rfind("<command line>:1:", 0) == 0);
  CHECK(error("{ dist = \"pert\", min = 1,").find("expected a number or an inline table") !=
        std::string::npos);
}

TEST_CASE("two quantities whose slots collide are refused", "[config][bad]") {
  // FNV-1a("mistake.m348778") == FNV-1a("mistake.m1269830"), found by search
  static_assert(slot_of("mistake.m348778") == slot_of("mistake.m1269830"));
  const std::string text = kPipeline +
                           "[[mistake]]\nid = \"m348778\"\nstage = \"close\"\nprobability = 0.1\n"
                           "[[mistake]]\nid = \"m1269830\"\nstage = \"close\"\nprobability = 0.1\n";
  CHECK(error_of_text(text) ==
        "study.toml:10:6: mistake.m1269830: its random-number slot (a 32-bit hash of the path) collides with "
        "\"mistake.m348778\"; rename one of the ids");
}

TEST_CASE("applies_to_name names every target group", "[config]") {
  CHECK(std::string(applies_to_name(AppliesTo::all)) == "all");
  CHECK(std::string(applies_to_name(AppliesTo::good_fit)) == "good_fit");
  CHECK(std::string(applies_to_name(AppliesTo::poor_fit)) == "poor_fit");
  CHECK(std::string(applies_to_name(AppliesTo::pilot)) == "pilot");
  CHECK(std::string(applies_to_name(AppliesTo::repeat)) == "repeat");
}

TEST_CASE("an effect's target is known by the amount it names, not guessed from its path", "[config][bad]") {
  // A mistake whose id contains "hours": setting its direct cost is checked as money.
  const std::string hours_named =
      kPipeline +
      "[[mistake]]\nid = \"hours-padding\"\nstage = \"close\"\nprobability = 0.1\ndirect_cost = 100\n"
      "[[intervention]]\nid = \"t\"\neffect = [ { param = \"mistake.hours-padding.direct_cost\", set = -5 } "
      "]\n";
  const std::string e1 = error_of_text(hours_named);
  INFO(e1);
  CHECK(e1.find("an amount of money is >= 0") != std::string::npos);
  // A per-occurrence leaf of a mistake that does not exist is an unknown parameter, not "drawn per
  // occurrence".
  const std::string no_such_mistake =
      kPipeline +
      "[[intervention]]\nid = \"t\"\neffect = [ { param = \"mistake.nope.discount\", scale = 0.5 } ]\n";
  const std::string e2 = error_of_text(no_such_mistake);
  INFO(e2);
  CHECK(e2.find("unknown parameter \"mistake.nope.discount\"") != std::string::npos);
  // A real per-occurrence amount named where a year-level input is needed is still told so.
  const std::string correlation =
      kPipeline +
      "[[mistake]]\nid = \"m\"\nstage = \"close\"\nprobability = 0.1\nwasted_hours = 2\n"
      "[[correlation]]\na = \"mistake.m.wasted_hours\"\nb = \"pipeline.close_rate\"\nrank = 0.5\n";
  const std::string e3 = error_of_text(correlation);
  INFO(e3);
  CHECK(e3.find("is drawn per opportunity or per occurrence") != std::string::npos);
}
