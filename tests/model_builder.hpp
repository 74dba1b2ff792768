#pragma once
// Builds small Models by hand for engine tests, without a study file: the engine is tested on its
// own, the config layer separately.
#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/random.hpp>

#include "engine/trial.hpp"

#include <string>
#include <vector>

namespace mistakesim::testing {

//! A year-level input; its range in words is the probability's unless `range_words` says otherwise
//! (an input of another range and no words is described by its bounds, see check_sweep_value).
inline InputId add_input(Model& m, const std::string& path, Distribution d, double lower = 0.0,
                         double upper = 1.0, std::string range_words = {}) {
  if (range_words.empty() && lower == 0.0 && upper == 1.0) range_words = "a probability lies in [0, 1]";
  m.inputs.push_back(
      YearInput{path, std::move(d), slot_of(path), lower, upper, false, std::move(range_words)});
  return static_cast<InputId>(m.inputs.size() - 1);
}

inline Amount amount(const std::string& path, Distribution d) { return Amount{std::move(d), slot_of(path)}; }

//! A one-rep team with `opportunities` deals a year, all good fits that all close, constant deal size.
inline Model basic_model(double opportunities, double deal_size, std::uint64_t trials = 1000) {
  Model m;
  m.name = "test";
  m.trials = trials;
  m.seed = 12345;
  m.reps = 1;
  const double inf = std::numeric_limits<double>::infinity();
  m.hourly_cost = add_input(m, "team.hourly_cost", Distribution::constant(100.0), 0.0, inf);
  m.good_fit = add_input(m, "pipeline.good_fit", Distribution::constant(1.0));
  m.close_rate = add_input(m, "pipeline.close_rate", Distribution::constant(1.0));
  m.margin = add_input(m, "pipeline.margin", Distribution::constant(1.0));
  m.pilot_rate = add_input(m, "pipeline.pilot_rate", Distribution::constant(0.0));
  m.repeat_customer = add_input(m, "pipeline.repeat_customer", Distribution::constant(0.0));
  m.opportunities_per_rep = false;
  m.opportunities = amount("pipeline.opportunities", Distribution::constant(opportunities));
  m.opportunity_slot = slot_of("pipeline");
  m.deal_size = amount("pipeline.deal_size", Distribution::constant(deal_size));
  m.qualify_hours = amount("pipeline.qualify_hours", Distribution::constant(0.0));
  m.customer_value = amount("pipeline.customer_value", Distribution::constant(0.0));
  m.stages = {"qualify", "discover", "pilot", "propose", "close"};
  return m;
}

//! Adds a mistake with constant rates; returns its index.
inline std::size_t add_mistake(Model& m, const std::string& id, int stage, double probability, double noticed,
                               double lose, AppliesTo applies = AppliesTo::all) {
  Mistake k;
  k.id = id;
  k.name = id;
  k.stage = m.stages[static_cast<std::size_t>(stage)];
  k.stage_index = stage;
  k.applies_to = applies;
  k.event_slot = slot_of("mistake." + id);
  const std::string p = "mistake." + id + ".";
  k.probability = add_input(m, p + "probability", Distribution::constant(probability));
  k.noticed = add_input(m, p + "noticed", Distribution::constant(noticed));
  k.lose = add_input(m, p + "lose", Distribution::constant(lose));
  k.churn = add_input(m, p + "churn", Distribution::constant(0.0));
  k.recovery_hourly_cost = m.hourly_cost;
  k.wasted_hours = amount(p + "wasted_hours", Distribution::constant(0.0));
  k.direct_cost = amount(p + "direct_cost", Distribution::constant(0.0));
  k.discount = amount(p + "discount", Distribution::constant(0.0));
  k.recovery_hours = amount(p + "recovery.hours", Distribution::constant(0.0));
  k.recovery_saved = amount(p + "recovery.saved", Distribution::constant(0.0));
  m.mistakes.push_back(std::move(k));
  return m.mistakes.size() - 1;
}

//! Every mistake's tally in trials [first_trial, first_trial + count), replayed one trial at a time
//! with draw_year and simulate_trial (TrialResults keeps only their totals): [m * count + t].
inline std::vector<MistakeTally> replay_tallies(const Model& m, const Scenario& scenario,
                                                std::uint64_t first_trial, std::uint64_t count) {
  const std::size_t nm = m.mistakes.size();
  std::vector<MistakeTally> out(nm * count);
  std::vector<double> year(m.inputs.size());
  std::vector<MistakeTally> tally(nm);
  TrialScratch scratch;
  for (std::uint64_t t = 0; t < count; ++t) {
    draw_year(m, scenario, first_trial + t, year);
    simulate_trial(m, year, first_trial + t, tally, scratch);
    for (std::size_t k = 0; k < nm; ++k) out[k * count + t] = tally[k];
  }
  return out;
}

}  // namespace mistakesim::testing
