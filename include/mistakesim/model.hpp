#pragma once
// The compiled, immutable model the engine runs. Built by the config layer from a validated study
// file (or by hand in tests). Flat arrays indexed by integers; the hot loop never touches a string.
// Labels (names, ids, parameter paths) live beside the numbers for reporting only.

#include <mistakesim/dist_parameters.hpp>
#include <mistakesim/distribution.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace mistakesim {

using InputId = std::uint32_t;  //!< index into Model::inputs

//! Most trials one run holds: per-trial results take a few hundred bytes a trial in memory.
inline constexpr std::uint64_t kMaxTrials = 100'000'000;
inline constexpr InputId kNoInput = std::numeric_limits<InputId>::max();

//! A year-level input: drawn once per trial (or held constant), with its valid range for clamping
//! interventions and sweeps.
struct YearInput {
  std::string path;        //!< parameter path, e.g. "mistake.pilot-no-criteria.probability"
  Distribution dist;       //!< its uncertainty
  std::uint32_t slot = 0;  //!< slot_of(path)
  double lower = 0.0;      //!< valid range [lower, upper]
  double upper = std::numeric_limits<double>::infinity();
  bool internal = false;    //!< an amount's scale/shift for interventions: not an input of the study
  std::string range_words;  //!< the valid range in the study file's words: "a probability lies in [0, 1]"
};

inline constexpr std::uint32_t kFixedDistribution = std::numeric_limits<std::uint32_t>::max();

//! The distribution of an amount whose distribution's parameters are themselves uncertain
//! (`median = { dist = "pert", ... }`): they are year-level inputs, and each trial's distribution
//! is from_parameters(family, numbers) with that trial's values of the inputs in their place
//! (in_year). Every value the parameters can take was checked to give a valid distribution.
struct TrialDistribution {
  //! One uncertain parameter: numbers[number] takes the year's value of `input`.
  struct Uncertain {
    std::uint32_t number = 0;
    InputId input = 0;
  };
  DistKind family = DistKind::constant;  //!< as the study names it ("lognormal")
  std::vector<DistParameter> numbers;    //!< as the study gives them; the uncertain ones at their means
  std::vector<Uncertain> uncertain;      //!< the year-level inputs among them
};

//! The distribution of `td` in a year: from_parameters with `year`'s values of its uncertain
//! parameters. `scratch` holds the year's numbers (kept by the caller: no allocation once grown).
Distribution in_year(const TrialDistribution& td, std::span<const double> year,
                     std::vector<DistParameter>& scratch);

//! A per-opportunity or per-occurrence amount: a distribution and the slot its draws come from.
//! An intervention can change an amount: each draw x becomes clamp(x * year[scale] + year[shift],
//! lower, upper), where scale and shift are internal year-level inputs (constants 1 and 0 that
//! effects modify); kNoInput when no intervention of the study targets the amount.
struct Amount {
  Distribution dist;
  std::uint32_t slot = 0;    //!< slot_of(parameter path)
  InputId scale = kNoInput;  //!< internal input "<path>:scale", or kNoInput
  InputId shift = kNoInput;  //!< internal input "<path>:shift", or kNoInput
  double lower = 0.0;        //!< valid range of a draw after an intervention's change
  double upper = std::numeric_limits<double>::infinity();
  //! Index into Model::trial_distributions when its parameters are uncertain (dist is then the
  //! distribution at their means, for previews); kFixedDistribution otherwise.
  std::uint32_t per_trial = kFixedDistribution;
  bool adjustable() const { return scale != kNoInput; }
};

enum class AppliesTo : std::uint8_t { all, good_fit, poor_fit, pilot, repeat };
enum class ValueBasis : std::uint8_t { revenue, margin };

const char* applies_to_name(AppliesTo a);

//! A typical mistake, compiled.
struct Mistake {
  std::string id;       //!< label: "pilot-no-criteria"
  std::string name;     //!< label: "Pilot run without agreed success criteria"
  std::string stage;    //!< label: stage name
  int stage_index = 0;  //!< position of its stage in the process
  AppliesTo applies_to = AppliesTo::all;
  std::uint32_t event_slot = 0;  //!< slot_of("mistake.<id>"): words occur, noticed, lose, churn

  // year-level inputs (indices into Model::inputs)
  InputId probability = kNoInput;           //!< chance it happens on an opportunity it applies to
  InputId noticed = kNoInput;               //!< chance the team notices it (known mistake)
  InputId lose = kNoInput;                  //!< chance it loses a deal that would have closed
  InputId churn = kNoInput;                 //!< chance a repeat customer's future value is lost
  InputId recovery_hourly_cost = kNoInput;  //!< [$/hour] of the recovery team

  // per occurrence
  Amount wasted_hours;  //!< [hours] charged at the team's hourly cost
  Amount direct_cost;   //!< [$] out of pocket
  Amount discount;      //!< fraction of the deal's value given away when the deal still closes
  bool has_recovery = false;
  Amount recovery_hours;  //!< [hours] spent on a noticed loss
  Amount recovery_saved;  //!< fraction of the remaining value kept by the recovery
};

enum class EffectOp : std::uint8_t { scale, set, add };

//! One effect of an intervention on a year-level input.
struct Effect {
  InputId target = kNoInput;
  EffectOp op = EffectOp::scale;
  Amount amount;  //!< drawn per trial at the year level from the intervention's own slot
};

//! A training programme or process change.
struct Intervention {
  std::string id;
  std::string name;
  double cost = 0.0;           //!< [$] one-off for the year
  double cost_per_rep = 0.0;   //!< [$ per rep]
  double hours_per_rep = 0.0;  //!< [hours per rep] of selling time, at the team's hourly cost
  std::vector<Effect> effects;
  //! Share of the effects in year y of a horizon (effect_by_year; the last share holds for later
  //! years); empty: the full effect every year.
  std::vector<double> effect_by_year;
  double effect_share(std::uint32_t year) const {
    if (effect_by_year.empty()) return 1.0;
    return effect_by_year[std::min<std::size_t>(year, effect_by_year.size() - 1)];
  }
};

enum class TimeValue : std::uint8_t { wage, opportunity };

//! A rank correlation between two year-level inputs (Gaussian copula).
struct Correlation {
  InputId a = kNoInput;
  InputId b = kNoInput;
  double rank = 0.0;  //!< Spearman's rho asked for
};

//! The Gaussian copula realising the rank correlations: the correlated inputs and the lower
//! Cholesky factor (row-major, k x k) of their normal-scale correlation matrix.
struct Copula {
  std::vector<InputId> inputs;
  std::vector<double> cholesky;
};

//! Everything the engine needs, validated.
struct Model {
  // study
  std::string name;
  std::string source_file;  //!< study file it came from (label)
  std::uint64_t trials = 0;
  std::uint64_t seed = 0;
  std::string currency = "USD";
  ValueBasis value = ValueBasis::revenue;

  // team
  std::uint32_t reps = 1;

  // year-level inputs, including the pipeline rates and every mistake's rates
  std::vector<YearInput> inputs;
  InputId hourly_cost = kNoInput;      //!< team.hourly_cost [$/hour]
  InputId good_fit = kNoInput;         //!< pipeline.good_fit
  InputId close_rate = kNoInput;       //!< pipeline.close_rate
  InputId margin = kNoInput;           //!< pipeline.margin (fraction of revenue)
  InputId pilot_rate = kNoInput;       //!< pipeline.pilot_rate
  InputId repeat_customer = kNoInput;  //!< pipeline.repeat_customer

  // opportunity count: per rep (summed over reps) or one total
  bool opportunities_per_rep = true;
  Amount opportunities;  //!< slot of "pipeline.opportunities_per_rep" or "pipeline.opportunities"

  // per opportunity
  std::uint32_t opportunity_slot = 0;  //!< slot_of("pipeline"): words fit, repeat, pilot, close
  Amount deal_size;                    //!< [$] revenue of the deal
  Amount qualify_hours;                //!< [hours] spent on a poor fit before disqualifying it
  Amount customer_value;  //!< [$] future value of a repeat customer (pipeline.repeat_value: per year)

  // Rep capacity and the value of time (docs/model.md, "Capacity and the value of time"). Off unless
  // the study gives one of its keys; off, the engine does no capacity work at all.
  bool capacity = false;
  TimeValue time_value = TimeValue::wage;
  InputId selling_hours_per_rep = kNoInput;  //!< team.selling_hours_per_rep [hours a rep a year], or none
  InputId extra_opportunities = kNoInput;    //!< pipeline.extra_opportunities [a year]; kNoInput: unlimited
  Amount pursuit_hours;                      //!< [hours] to work a good fit (pipeline.pursuit_hours)
  //! The opportunities the lost hours would have worked: their words (fit, close) at this slot, and
  //! their hours and deal sizes drawn like the pipeline's at slots of their own.
  std::uint32_t extra_slot = 0;
  Amount extra_deal_size, extra_pursuit_hours, extra_qualify_hours;

  // A horizon of several years (docs/model.md, "A horizon of several years").
  std::uint32_t years = 1;
  double discount_rate = 0.0;          //!< year y (1-based) weighted by (1 + rate)^-(y-1)
  InputId growth = kNoInput;           //!< pipeline.growth: yearly growth of the opportunity count, or none
  bool repeat_value_per_year = false;  //!< customer_value is pipeline.repeat_value, lost in later years

  std::vector<std::string> stages;
  std::vector<Mistake> mistakes;  //!< in the order they are visited: stage order, then file order
  std::vector<Intervention> interventions;
  std::vector<Correlation> correlations;
  Copula copula;                      //!< compiled from correlations by the config layer (compile_copula)
  std::vector<std::string> warnings;  //!< accepted but worth saying (e.g. a repaired correlation matrix)
  std::vector<std::string> notes;     //!< what validate says of inputs read from data (CRM counts)
  std::vector<TrialDistribution> trial_distributions;  //!< amounts with uncertain parameters

  //! Index of the input with this path, or kNoInput.
  InputId find_input(const std::string& path) const;
  //! Indices of inputs that are uncertain (not constant): the ones sensitivity ranks and the CSV lists.
  std::vector<InputId> uncertain_inputs() const;
};

}  // namespace mistakesim
