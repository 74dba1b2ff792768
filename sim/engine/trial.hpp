#pragma once
// One simulated year, played by the engine's kernel (engine.cpp): the engine's internals, used by
// run_trials, the tests (against a plain reading of docs/model.md) and the benchmarks.

#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>

#include <cstdint>
#include <memory>
#include <span>

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

//! Plays one year. per_mistake.size() == model.mistakes.size(); it is overwritten.
TrialOutcome simulate_trial(const Model& model, std::span<const double> year, std::uint64_t trial,
                            std::span<MistakeTally> per_mistake, TrialScratch& scratch);
//! The same with the year's opportunity count drawn beforehand (run_trials draws a batch of years'
//! counts together; it must be the count the year draws).
TrialOutcome simulate_trial(const Model& model, std::span<const double> year, std::uint64_t trial,
                            std::uint64_t opportunities, std::span<MistakeTally> per_mistake,
                            TrialScratch& scratch);

}  // namespace mistakesim
