#pragma once
// Summaries of rep capacity (the hours mistakes take from the team's selling time and what the team
// would have done with them) and of a multi-year horizon (cost year by year and cumulative, and when
// an intervention has paid for itself). docs/model.md, "Capacity and the value of time" and "A
// horizon of several years"; the JSON keys in docs/json-schema.md.

#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/stats.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace mistakesim {

//! What mistakes cost in hours, per trial (a year, or a horizon of several), as means.
struct CapacitySummary {
  double hours_lost_mean = 0.0;            //!< [hours] wasted and recovery hours of every mistake
  double selling_hours_mean = 0.0;         //!< [hours] the team's selling time (NaN when the study has none)
  double share_of_selling_time = 0.0;      //!< hours_lost_mean / selling_hours_mean (NaN without a budget)
  double extra_opportunities_mean = 0.0;   //!< opportunities the lost hours would have worked
  double extra_wins_mean = 0.0;            //!< wins among them
  double opportunity_value_mean = 0.0;     //!< [$] value of those wins (value basis)
  Summary hours_lost{};                    //!< summarize() of the hours lost
  std::vector<double> mistake_hours_mean;  //!< [hours] per mistake, model order
};

//! The horizon's cost year by year and cumulative (discounted when the study has a rate).
struct HorizonSummary {
  std::uint32_t years = 1;
  double discount_rate = 0.0;
  std::vector<Summary> by_year, by_year_known, by_year_unknown;  //!< [$] year y's (discounted) cost
  std::vector<std::vector<double>> by_year_sorted;               //!< year y's costs ascending (fan chart)
  std::vector<Summary> cumulative_by_year;  //!< [$] the (discounted) cost of years 1..y together
  Summary cumulative{};                     //!< = the run's cost.total (the last of cumulative_by_year)
};

//! When an intervention has paid for itself: the cumulative savings through year y minus its cost.
struct PayOffSummary {
  std::vector<double>
      paid_off_by_year;      //!< share of horizons in which it has paid off by year y (1-based: [y-1])
  std::uint32_t year = 0;    //!< first year by which it has paid off in at least half the horizons; 0 none
  double probability = 0.0;  //!< paid_off_by_year[year - 1], or the last year's share when year == 0
};

//! The capacity summary of a run, or none when the study does not model capacity.
std::optional<CapacitySummary> summarize_capacity(const Model& model, const TrialResults& results);

//! The horizon summary of a run, or none for a one-year study.
std::optional<HorizonSummary> summarize_horizon(const Model& model, const TrialResults& results);

//! When a candidate's interventions pay for themselves over the horizon (baseline and the run with
//! them over the same trials); none for a one-year study.
std::optional<PayOffSummary> pay_off(const Model& model, const TrialResults& baseline,
                                     const TrialResults& with);

}  // namespace mistakesim
