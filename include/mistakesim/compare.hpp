#pragma once
// Paired comparison of interventions: the baseline and each intervention (or bundle) are run over
// the same trials with the same seed, so every quantity an intervention does not touch gets the
// same random numbers (common random numbers) and the per-trial savings are exact differences.

#include <mistakesim/engine.hpp>
#include <mistakesim/stats.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mistakesim {

//! An intervention or bundle to compare: labels and the interventions it applies.
struct Candidate {
  std::string id;                          //!< intervention id, or "a+b" for a bundle
  std::string name;                        //!< intervention name, or the names joined for a bundle
  std::vector<std::size_t> interventions;  //!< indices into Model::interventions
};

//! One candidate against the baseline, trial by trial.
struct CandidateResult {
  Candidate candidate;
  TrialResults results;         //!< the year with the intervention in place
  std::vector<double> savings;  //!< [$] baseline cost minus cost with it, per trial
  std::vector<double> net;      //!< [$] savings minus the intervention's cost, per trial
  double savings_mean = 0.0;
  double cost_mean = 0.0;  //!< [$] mean yearly cost of the intervention
  double net_mean = 0.0;
  double roi_mean = 0.0;    //!< mean net / mean cost (0 cost: +inf if net > 0)
  double p_pays_off = 0.0;  //!< share of trials with net > 0
  //! Smallest fraction of the effect whose mean net is >= 0 (within 0.001), or none if the full
  //! effect does not pay off on average. 0 when it pays off with no effect at all.
  std::optional<double> break_even_fraction;
  //! Var(difference of two independent runs) / Var(paired difference) = (Var b + Var w) / Var(b - w).
  double variance_reduction = 0.0;
  Summary savings_summary{};  //!< summarize(savings)
  Summary net_summary{};      //!< summarize(net)
  Summary cost_with{};        //!< summarize(results.cost_total)
  double savings_p25 = 0.0;   //!< type-7 quartiles of savings (NaNs left out), for the box plot
  double savings_p75 = 0.0;
};

struct Comparison {
  TrialResults baseline;
  CostSummary baseline_cost;                //!< summarize_cost(baseline)
  PipelineMeans baseline_pipeline;          //!< pipeline_means(baseline)
  std::vector<CandidateResult> candidates;  //!< ranked by mean net, best first
};

struct CompareOptions {
  RunOptions run;
  //! Trials used by the break-even search (a prefix of the run's trials; 0 = all).
  std::uint64_t break_even_trials = 20000;
};

//! Runs the baseline and every candidate over the same trials.
Comparison compare(const Model& model, const std::vector<Candidate>& candidates,
                   const CompareOptions& options);

//! Candidates for every intervention of the model, in file order.
std::vector<Candidate> all_interventions(const Model& model);

}  // namespace mistakesim
