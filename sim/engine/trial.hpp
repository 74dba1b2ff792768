#pragma once
// One simulated year, played by the engine's kernel (engine.cpp): the engine's internals, used by
// run_trials, the tests (against a plain reading of docs/model.md) and the benchmarks.

#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace mistakesim {

//! Outcome of one simulated year.
struct TrialOutcome {
  std::uint32_t opportunities = 0;
  std::uint32_t good_fits = 0;
  std::uint32_t wins_done_right = 0;     //!< deals closed had nothing gone wrong
  std::uint32_t wins = 0;                //!< deals closed as it happened (recovered ones included)
  std::uint32_t should_have_bought = 0;  //!< deals that would have closed and were lost outright
  double revenue_done_right = 0.0;       //!< [$] value basis (revenue or margin)
  double revenue = 0.0;                  //!< [$] as it happened
  double nonbuyer_hours = 0.0;           //!< [hours] spent on poor fits
  double cost_known = 0.0;               //!< [$]
  double cost_unknown = 0.0;             //!< [$]
  double cost_total() const { return cost_known + cost_unknown; }
};

//! Working memory of simulate_trial, reused from one trial to the next (one per thread), so that a
//! trial allocates nothing. Holds no results: any scratch gives the same outcome.
class TrialScratch {
 public:
  TrialScratch();
  ~TrialScratch();
  TrialScratch(TrialScratch&&) noexcept;
  TrialScratch& operator=(TrialScratch&&) noexcept;
  struct Impl;  //!< defined in engine.cpp

 private:
  friend TrialOutcome simulate_trial(const Model&, std::span<const double>, std::uint64_t, std::uint64_t,
                                     std::span<MistakeTally>, TrialScratch&);
  std::unique_ptr<Impl> impl_;
};

namespace detail {

//! A count from a draw: rounded to the nearest whole number, negatives to zero.
std::uint64_t to_count(double x);
//! The year's number of opportunities (docs/model.md, "Opportunity count") at this trial index.
std::uint64_t draw_opportunity_count(const Model& m, std::uint64_t trial);
//! A year's values after its independent draws (docs/model.md, step 1): the correlated inputs
//! redrawn through the copula, then the scenario's pins and intervention effects, each effect by its
//! share in year `year_index` (0-based) of the horizon.
void finish_year(const Model& m, const Scenario& scenario, std::uint64_t trial, std::span<double> out,
                 std::uint32_t year_index = 0);

//! The trial index at which year y (0-based) of trial `trial`'s horizon draws its opportunities,
//! deals and occurrences: trial + y * 2^32 (docs/model.md, "Random-number addresses"). Year 0 is the
//! trial itself, so a one-year study draws what it always drew.
constexpr std::uint64_t year_trial(std::uint64_t trial, std::uint32_t y) {
  return trial + (static_cast<std::uint64_t>(y) << 32);
}

//! What the hours mistakes took would have worked (docs/model.md, "Capacity and the value of time").
struct FreedHours {
  double opportunities = 0.0;  //!< worked, the last one in part
  double wins = 0.0;
  double value = 0.0;  //!< [$] value basis
};
//! The extra opportunities `hours` work in the year with these values at trial index `trial`.
FreedHours work_freed_hours(const Model& m, std::span<const double> year, std::uint64_t trial, double hours);

//! Plays a trial that is more than one plain year: a horizon of several years, or a year whose
//! hours are priced by capacity (horizon.cpp). One per thread.
class HorizonPlayer {
 public:
  HorizonPlayer(const Model& m, const Scenario& scenario);
  //! Whether play() needs the trial's independent draws (an intervention's effect changes by year).
  bool needs_raw() const { return ramps_; }
  //! Plays trial `trial`: `year` holds year 1's finished values, `raw` the independent draws (when
  //! needs_raw()), `count` year 1's opportunity count. per_mistake receives the horizon's totals
  //! (discounted), extra_row the run's extra columns (ExtraColumns) of this trial.
  TrialOutcome play(std::uint64_t trial, std::span<const double> raw, std::span<const double> year,
                    std::uint64_t count, std::span<MistakeTally> per_mistake, TrialScratch& scratch,
                    std::span<double> extra_row);

 private:
  const Model& m_;
  const Scenario& scenario_;
  bool ramps_ = false;
  std::vector<double> year_values_;
  std::vector<MistakeTally> tally_;
  std::vector<double> carried_known_, carried_unknown_;
};

}  // namespace detail

//! Plays one year. per_mistake.size() == model.mistakes.size(); it is overwritten.
TrialOutcome simulate_trial(const Model& model, std::span<const double> year, std::uint64_t trial,
                            std::span<MistakeTally> per_mistake, TrialScratch& scratch);
//! The same with the year's opportunity count drawn beforehand (run_trials draws a batch of years'
//! counts together; it must be the count the year draws).
TrialOutcome simulate_trial(const Model& model, std::span<const double> year, std::uint64_t trial,
                            std::uint64_t opportunities, std::span<MistakeTally> per_mistake,
                            TrialScratch& scratch);

}  // namespace mistakesim
