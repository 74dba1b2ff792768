#pragma once
// The funnel, "why didn't they buy": every opportunity of a year in exactly one place (poor fit,
// good fit lost on its merits, lost outright to a mistake, lost and recovered, won), and the value
// done right walked down to the value as it happened (docs/model.md, "The funnel").

#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mistakesim {

//! One mistake's share of the funnel, per year on average.
struct FunnelMistake {
  std::size_t index = 0;         //!< into Model::mistakes
  double lost = 0.0;             //!< deals it lost outright (nothing kept)
  double recovered = 0.0;        //!< deals it lost that a recovery partly saved
  double value_lost = 0.0;       //!< [$] done-right value of the deals it lost outright
  double value_recovered = 0.0;  //!< [$] done-right value of the deals it lost and partly saved
  double value_kept = 0.0;       //!< [$] what the recoveries kept of those
};

//! The funnel of a run, per year on average. The counts add up exactly on the run's totals:
//! opportunities = poor_fits + lost_on_merit + sum(lost) + recovered + won, and should_have_bought =
//! sum(lost). The values: revenue_done_right - sum(value_lost) - (value_recovered - value_kept) -
//! discounts_on_won = revenue, with discounts_on_won the remainder taken in exact arithmetic
//! (ExactSum) over the run's per-trial figures.
struct Funnel {
  double opportunities = 0.0;
  double poor_fits = 0.0;               //!< would never buy
  double lost_on_merit = 0.0;           //!< good fits that would not have closed even done right
  double should_have_bought = 0.0;      //!< = sum of mistakes' lost
  double recovered = 0.0;               //!< deals lost to a mistake and partly saved
  double won = 0.0;                     //!< deals won with no mistake losing them (discounts possible)
  double revenue_done_right = 0.0;      //!< [$] value basis
  double value_recovered = 0.0;         //!< [$] done-right value of the recovered deals
  double value_kept = 0.0;              //!< [$] what recoveries kept
  double discounts_on_won = 0.0;        //!< [$] value given away on the deals won
  double revenue = 0.0;                 //!< [$] as it happened
  std::vector<FunnelMistake> mistakes;  //!< model order
};

//! The funnel of a run's totals (TrialResults::mistake_totals and the pipeline columns); none when
//! the mistakes' tallies do not account for the deals lost (results put together by hand, not by
//! the engine).
std::optional<Funnel> funnel(const TrialResults& results);

}  // namespace mistakesim
