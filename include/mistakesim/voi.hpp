#pragma once
// The value of information for a choice among interventions (docs/voi.md): what knowing the
// uncertain year-level inputs before deciding would be worth. EVPI (all of them), EVPPI (one input
// or a group) by nonparametric regression of each option's per-year net benefit on the inputs
// (Strong, Oakley & Brennan 2014), EVSI (a study of n deals) for inputs that are shares of deals.
//
// The estimators are pure functions of the paired per-year net benefits and the input columns
// (VoiData); voi_data() makes those columns from paired runs of a Model.

#include <mistakesim/compare.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mistakesim {

//! One uncertain quantity, one value per simulated year (the same years as the net benefits).
struct VoiParameter {
  std::string path;             //!< parameter path, or "<intervention id>.effect.<target path>"
  std::vector<double> values;   //!< per trial
  bool share_of_deals = false;  //!< a probability in [0, 1] that a study of deals can learn (EVSI)
  bool from_counts = false;     //!< a beta (e.g. from wins/losses): EVSI by default
};

//! The decision's options and what is uncertain about them.
struct VoiData {
  std::vector<std::string> option_ids;  //!< "none" first, then the candidates
  std::vector<std::string> option_names;
  std::vector<std::vector<double>> net;  //!< [$] [option][trial]: savings minus cost; none = 0
  std::vector<VoiParameter> parameters;
  std::uint64_t trials() const { return net.empty() ? 0 : net.front().size(); }
};

//! A regression of every option's net benefit on some inputs: its fitted values and fit.
struct ConditionalMeans {
  std::vector<std::vector<double>> fitted;  //!< [option][trial]: estimate of E(net | inputs)
  std::vector<double> r_squared;            //!< per option (NaN for an option with no variance)
  std::size_t columns = 0;                  //!< basis functions (intercept excluded)
  std::string method;                       //!< "spline", "tensor spline", "additive spline + pairwise"
  //! Regression part of the estimate's variance (delta method), filled by value_of_information().
  double regression_variance = 0.0;
};

//! One value of information figure with its error and the fit it rests on.
struct VoiEstimate {
  double value = 0.0;  //!< [$ per year]
  double se = 0.0;     //!< [$] standard error: Monte Carlo over the years and the regression's coefficients
  std::vector<double>
      r_squared;  //!< per option: R^2 of its fit of E(net | inputs) (NaN: its net is constant)
  //! The largest R^2 over the options (0 if none varies): the fit for the option the inputs matter most to.
  double max_r_squared() const;
  std::size_t columns = 0;
  std::string method;
};

//! Fits E(net_d | x) for every option on the columns xs (docs/voi.md, "Regression"): one input, a
//! natural cubic regression spline with knots at quantiles; two or three, the tensor product of
//! their splines; more, their splines added plus every pairwise product. `extra` bases (e.g. of
//! groups) are added to the design when given as column sets of xs (used so that EVPI's basis
//! holds every group's). Deterministic; no threads.
ConditionalMeans fit_conditional_means(const std::vector<std::vector<double>>& net,
                                       const std::vector<std::span<const double>>& xs,
                                       const std::vector<std::vector<std::size_t>>& extra = {});

//! E_x[max_d m_d(x)] - max_d E_x[m_d(x)] from fitted conditional means, with its standard error
//! (Monte Carlo over the years, plus the fit's regression_variance).
VoiEstimate voi_from_fit(const ConditionalMeans& m);

//! EVPPI of the inputs xs: fit_conditional_means then value_of_information.
VoiEstimate evppi(const std::vector<std::vector<double>>& net, const std::vector<std::span<const double>>& xs,
                  const std::vector<std::vector<std::size_t>>& extra = {});

//! EVPI by a nested design: the trials come in consecutive blocks of `inner` years that share one
//! draw of every input; E(net | inputs) is each block's mean. The standard error is over blocks.
VoiEstimate evpi_nested(const std::vector<std::vector<double>>& net, std::size_t inner);

//! One point of an EVSI curve.
struct EvsiPoint {
  std::uint64_t n = 0;           //!< deals in the study
  double evsi = 0.0;             //!< [$ per year]
  double enbs = 0.0;             //!< [$] evsi minus n x cost per deal
  double effective_years = 0.0;  //!< expected effective sample size of the posterior weights
};

//! EVSI of a study that observes n deals, each showing the event with probability x (x the
//! share): k ~ Binomial(n, x); E(net_d | k) by weighting the years by the likelihood of k
//! (the prior is the years' own sample of x). `fitted` are E(net_d | x) per option (the single
//! input fit). Exact on that sample: 0 <= EVSI(n) <= EVPPI, increasing in n.
std::vector<EvsiPoint> evsi_binomial(const std::vector<std::vector<double>>& fitted,
                                     std::span<const double> x, const std::vector<std::uint64_t>& sizes,
                                     double cost_per_deal);

//! Options of voi().
struct VoiOptions {
  CompareOptions compare;                                                //!< runs (trials, threads, progress)
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;  //!< name, parameter paths
  std::vector<std::string> evsi_paths;  //!< shares of deals to study beside the beta inputs
  std::vector<std::uint64_t> sample_sizes = {10, 25, 50, 100, 250, 500, 1000};
  double cost_per_deal = 0.0;  //!< [$] cost of studying one deal
};

struct ParameterVoi {
  std::string path;
  VoiEstimate evppi;
};
struct GroupVoi {
  std::string name;
  std::vector<std::string> paths;
  VoiEstimate evppi;
};
struct EvsiCurve {
  std::string path;
  bool from_counts = false;
  double evppi = 0.0;
  std::vector<EvsiPoint> points;
  std::size_t best = 0;  //!< index of the point with the largest enbs
};

//! Everything `mistakesim voi` reports.
struct VoiResult {
  std::uint64_t trials = 0;
  std::vector<std::string> option_ids, option_names;
  std::vector<double> option_mean;  //!< [$ per year] mean net benefit
  std::size_t best_option = 0;      //!< decided now: the largest mean net
  VoiEstimate evpi;
  std::vector<ParameterVoi> parameters;  //!< ranked by EVPPI, largest first
  std::vector<GroupVoi> groups;
  std::vector<EvsiCurve> evsi;
  double cost_per_deal = 0.0;
};

//! Paired runs of the baseline and each candidate (common random numbers), the per-year nets and
//! the inputs: every uncertain year-level input and every uncertain effect of a candidate.
VoiData voi_data(const Model& model, const std::vector<Candidate>& candidates, const RunOptions& run);
//! The same from a comparison already made (its candidates in its order, best first), whose
//! baseline recorded its inputs (CompareOptions::run.record_inputs): how compare's HTML report can
//! add the voi section (voi_section_html) without another run.
VoiData voi_data(const Model& model, const Comparison& comparison);

//! The estimates from the data (pure). Throws InputError for a group or EVSI path it does not know.
VoiResult value_of_information(const VoiData& data, const VoiOptions& options);

}  // namespace mistakesim
