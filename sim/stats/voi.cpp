// The value of information (voi.hpp, docs/voi.md).
//
// E(net_d | inputs) is estimated by least squares on a spline basis of the inputs (Strong, Oakley &
// Brennan 2014): each input gets a natural (restricted) cubic regression spline with five knots at
// its 5/27.5/50/72.5/95% quantiles, linear beyond the outer knots; two or three inputs get the
// tensor product of their splines; more get their splines added plus every pairwise product of
// the inputs. The design is built a chunk of years at a time (memory stays small at 10^6 years),
// centred and scaled, and the normal equations are solved by a complete orthogonal decomposition
// (rank-deficient designs, e.g. an input with three values, are fine). Sums run in trial order and
// nothing here is threaded except the EVSI's per-outcome loop, which writes each outcome's figures
// at its own index: the results have the same bits whatever the thread count.

#include <mistakesim/errors.hpp>
#include <mistakesim/random.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/voi.hpp>

#include "engine/parallel.hpp"

#include <Eigen/Dense>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace mistakesim {
namespace {

using Key =
    std::vector<std::pair<std::size_t, std::size_t>>;  //!< (input, basis function) factors of a column

constexpr std::size_t kChunk = 4096;  //!< years per block of the design matrix

//! One input's spline: knots, and its basis functions at a value (x first, then the cubic terms).
struct Spline {
  std::vector<double> knots;  //!< ascending, distinct; empty: linear only
  double scale = 1.0;         //!< (t_K - t_1)^2, Harrell's normalisation
  std::size_t size() const { return knots.size() >= 3 ? knots.size() - 1 : 1; }
  double operator()(std::size_t j, double x) const {
    if (j == 0) return x;
    const std::size_t K = knots.size();
    const double tj = knots[j - 1], tk1 = knots[K - 2], tk = knots[K - 1];
    const auto cube = [](double v) { return v > 0.0 ? v * v * v : 0.0; };
    return (cube(x - tj) - cube(x - tk1) * (tk - tj) / (tk - tk1) + cube(x - tk) * (tk1 - tj) / (tk - tk1)) /
           scale;
  }
};

Spline make_spline(std::span<const double> x) {
  std::vector<double> sorted(x.begin(), x.end());
  sort_values(sorted);
  Spline s;
  for (double p : {0.05, 0.275, 0.5, 0.725, 0.95}) {
    const double q = quantile_sorted(sorted, p);
    if (s.knots.empty() || q > s.knots.back()) s.knots.push_back(q);
  }
  if (s.knots.size() < 3)
    s.knots.clear();
  else
    s.scale = std::pow(s.knots.back() - s.knots.front(), 2);
  return s;
}

//! The columns of the design for these inputs (positions into xs), added to `keys`.
void add_basis(const std::vector<std::size_t>& inputs, const std::vector<Spline>& splines,
               std::set<Key>& keys) {
  if (inputs.size() <= 3) {  // tensor product of (1, b_1, ..., b_q) per input, the all-ones product left out
    std::vector<Key> partial = {{}};
    for (std::size_t i : inputs) {
      std::vector<Key> next;
      for (const Key& k : partial) {
        next.push_back(k);
        for (std::size_t j = 0; j < splines[i].size(); ++j) {
          Key more = k;
          more.emplace_back(i, j);
          next.push_back(std::move(more));
        }
      }
      partial = std::move(next);
    }
    for (Key& k : partial)
      if (!k.empty()) keys.insert(std::move(k));
    return;
  }
  for (std::size_t a = 0; a < inputs.size(); ++a) {
    for (std::size_t j = 0; j < splines[inputs[a]].size(); ++j) keys.insert(Key{{inputs[a], j}});
    for (std::size_t b = a + 1; b < inputs.size(); ++b) keys.insert(Key{{inputs[a], 0}, {inputs[b], 0}});
  }
}

//! The design's raw (uncentred) rows [first, first + rows) into out (rows x keys).
void design_rows(const std::vector<Key>& keys, const std::vector<Spline>& splines,
                 const std::vector<std::span<const double>>& xs, std::size_t first, std::size_t rows,
                 Eigen::MatrixXd& out) {
  out.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(keys.size()));
  for (std::size_t c = 0; c < keys.size(); ++c)
    for (std::size_t r = 0; r < rows; ++r) {
      double v = 1.0;
      for (const auto& [i, j] : keys[c]) v *= splines[i](j, xs[i][first + r]);
      out(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = v;
    }
}

//! Options whose net varies (the others, e.g. "none", are their own conditional mean).
std::vector<std::size_t> varying_options(const std::vector<std::vector<double>>& net) {
  std::vector<std::size_t> out;
  for (std::size_t d = 0; d < net.size(); ++d)
    if (std::any_of(net[d].begin(), net[d].end(), [&](double v) { return v != net[d].front(); }))
      out.push_back(d);
  return out;
}

//! Index of the largest value, the first of ties.
std::size_t argmax(const std::vector<double>& v) {
  return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

//! The design of a fit, with what the delta method needs.
struct Fit {
  ConditionalMeans means;
  std::vector<Key> keys;
  std::vector<Spline> splines;
  Eigen::VectorXd centre, scale;
  Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> gram;  //!< of X'X (centred, scaled)
  Eigen::MatrixXd residual_cov;  //!< [varying option pairs], divided by n - p - 1
  std::vector<std::size_t> varying;
};

Fit fit(const std::vector<std::vector<double>>& net, const std::vector<std::span<const double>>& xs,
        const std::vector<std::vector<std::size_t>>& extra) {
  Fit f;
  const std::size_t n = net.empty() ? 0 : net.front().size();
  SIM_CHECK(n > 1, << n << " years");
  for (const auto& x : xs) SIM_CHECK(x.size() == n, << x.size() << " values for " << n << " years");
  for (const auto& column : net)
    SIM_CHECK(column.size() == n, << column.size() << " nets for " << n << " years");
  for (const auto& x : xs) f.splines.push_back(make_spline(x));
  std::set<Key> keys;
  std::vector<std::size_t> all(xs.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  add_basis(all, f.splines, keys);
  for (const auto& group : extra) add_basis(group, f.splines, keys);
  f.keys.assign(keys.begin(), keys.end());
  f.means.method = xs.size() == 1   ? "spline"
                   : xs.size() <= 3 ? "tensor spline"
                                    : "additive spline + pairwise";
  f.means.columns = f.keys.size();
  f.varying = varying_options(net);
  const auto p = static_cast<Eigen::Index>(f.keys.size());
  const auto nv = static_cast<Eigen::Index>(f.varying.size());

  // Pass 1: column means and sds; pass 2: X'X and X'y of the centred, scaled design; pass 3: fits.
  Eigen::MatrixXd block;
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(p), sum2 = Eigen::VectorXd::Zero(p);
  for (std::size_t first = 0; first < n; first += kChunk) {
    design_rows(f.keys, f.splines, xs, first, std::min(kChunk, n - first), block);
    sum += block.colwise().sum().transpose();
    sum2 += block.array().square().colwise().sum().matrix().transpose();
  }
  const double dn = static_cast<double>(n);
  f.centre = sum / dn;
  f.scale = ((sum2 / dn).array() - f.centre.array().square()).max(0.0).sqrt().matrix();
  for (Eigen::Index c = 0; c < p; ++c)
    if (!(f.scale(c) > 1e-12 * std::max(1.0, std::abs(f.centre(c))))) f.scale(c) = 0.0;  // constant: dropped
  std::vector<double> y_mean(net.size(), 0.0);
  for (std::size_t d = 0; d < net.size(); ++d) y_mean[d] = mean(net[d]);

  auto standardise = [&](Eigen::MatrixXd& b) {
    for (Eigen::Index c = 0; c < p; ++c)
      if (f.scale(c) > 0.0)
        b.col(c) = ((b.col(c).array() - f.centre(c)) / f.scale(c)).matrix();
      else
        b.col(c).setZero();
  };
  Eigen::MatrixXd xtx = Eigen::MatrixXd::Zero(p, p), xty = Eigen::MatrixXd::Zero(p, nv);
  for (std::size_t first = 0; first < n; first += kChunk) {
    const std::size_t rows = std::min(kChunk, n - first);
    design_rows(f.keys, f.splines, xs, first, rows, block);
    standardise(block);
    Eigen::MatrixXd y(static_cast<Eigen::Index>(rows), nv);
    for (Eigen::Index v = 0; v < nv; ++v)
      for (std::size_t r = 0; r < rows; ++r)
        y(static_cast<Eigen::Index>(r), v) = net[f.varying[v]][first + r] - y_mean[f.varying[v]];
    xtx.noalias() += block.transpose() * block;
    xty.noalias() += block.transpose() * y;
  }
  for (Eigen::Index c = 0; c < p; ++c)
    if (f.scale(c) == 0.0) xtx(c, c) = 1.0;  // a dropped column: coefficient 0
  f.gram.compute(xtx);
  const Eigen::MatrixXd beta = p > 0 ? Eigen::MatrixXd(f.gram.solve(xty)) : Eigen::MatrixXd::Zero(0, nv);

  f.means.fitted.assign(net.size(), {});
  f.means.r_squared.assign(net.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t d = 0; d < net.size(); ++d) f.means.fitted[d].assign(n, y_mean[d]);
  Eigen::MatrixXd cross = Eigen::MatrixXd::Zero(nv, nv);
  std::vector<double> ss_res(f.varying.size(), 0.0), ss_tot(f.varying.size(), 0.0);
  for (std::size_t first = 0; first < n; first += kChunk) {
    const std::size_t rows = std::min(kChunk, n - first);
    design_rows(f.keys, f.splines, xs, first, rows, block);
    standardise(block);
    const Eigen::MatrixXd fitted = block * beta;
    Eigen::MatrixXd res(static_cast<Eigen::Index>(rows), nv);
    for (Eigen::Index v = 0; v < nv; ++v) {
      const std::size_t d = f.varying[v];
      for (std::size_t r = 0; r < rows; ++r) {
        const auto ri = static_cast<Eigen::Index>(r);
        const double m = y_mean[d] + (p > 0 ? fitted(ri, v) : 0.0);
        f.means.fitted[d][first + r] = m;
        res(ri, v) = net[d][first + r] - m;
        ss_res[v] += res(ri, v) * res(ri, v);
        ss_tot[v] += (net[d][first + r] - y_mean[d]) * (net[d][first + r] - y_mean[d]);
      }
    }
    cross.noalias() += res.transpose() * res;
  }
  for (std::size_t v = 0; v < f.varying.size(); ++v)
    f.means.r_squared[f.varying[v]] = ss_tot[v] > 0.0 ? 1.0 - ss_res[v] / ss_tot[v] : 0.0;
  f.residual_cov = cross / std::max(1.0, dn - static_cast<double>(p) - 1.0);

  // Delta method: the estimate's gradient in each option's coefficients (intercept, then the
  // standardised columns) is the share of years the option is best times the mean of its columns
  // there, minus the same for the option best on average.
  std::vector<double> means_now(net.size());
  for (std::size_t d = 0; d < net.size(); ++d) means_now[d] = y_mean[d];
  const std::size_t now = argmax(means_now);
  Eigen::MatrixXd grad = Eigen::MatrixXd::Zero(p, nv);
  Eigen::VectorXd share = Eigen::VectorXd::Zero(nv);
  std::vector<double> at(net.size());
  for (std::size_t first = 0; first < n; first += kChunk) {
    const std::size_t rows = std::min(kChunk, n - first);
    design_rows(f.keys, f.splines, xs, first, rows, block);
    standardise(block);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t d = 0; d < net.size(); ++d) at[d] = f.means.fitted[d][first + r];
      const std::size_t best = argmax(at);
      for (Eigen::Index v = 0; v < nv; ++v)
        if (f.varying[v] == best) {
          share(v) += 1.0;
          if (p > 0) grad.col(v) += block.row(static_cast<Eigen::Index>(r)).transpose();
        }
    }
  }
  share /= dn;
  grad /= dn;  // the columns are centred: the option best on average adds nothing but its intercept
  for (Eigen::Index v = 0; v < nv; ++v)
    if (f.varying[v] == now) share(v) -= 1.0;
  const Eigen::MatrixXd h = p > 0 ? Eigen::MatrixXd(f.gram.solve(grad)) : Eigen::MatrixXd::Zero(0, nv);
  const Eigen::MatrixXd gh = grad.transpose() * h;
  double var = 0.0;
  for (Eigen::Index a = 0; a < nv; ++a)
    for (Eigen::Index b = 0; b < nv; ++b) var += f.residual_cov(a, b) * (gh(a, b) + share(a) * share(b) / dn);
  f.means.regression_variance = std::max(0.0, var);
  return f;
}

}  // namespace

ConditionalMeans fit_conditional_means(const std::vector<std::vector<double>>& net,
                                       const std::vector<std::span<const double>>& xs,
                                       const std::vector<std::vector<std::size_t>>& extra) {
  return fit(net, xs, extra).means;
}

double VoiEstimate::max_r_squared() const {
  double best = 0.0;
  for (double r2 : r_squared)
    if (!std::isnan(r2)) best = std::max(best, r2);
  return best;
}

VoiEstimate voi_from_fit(const ConditionalMeans& m) {
  VoiEstimate e;
  const std::size_t options = m.fitted.size();
  const std::size_t n = options == 0 ? 0 : m.fitted.front().size();
  SIM_CHECK(n > 1, << n << " years");
  std::vector<double> means(options);
  for (std::size_t d = 0; d < options; ++d) means[d] = mean(m.fitted[d]);
  const std::size_t now = argmax(means);
  // The loss of deciding now, year by year: what the best option given the inputs beats it by.
  std::vector<double> loss(n), at(options);
  for (std::size_t t = 0; t < n; ++t) {
    for (std::size_t d = 0; d < options; ++d) at[d] = m.fitted[d][t];
    loss[t] = at[argmax(at)] - at[now];
  }
  e.value = mean(loss);
  e.se = std::sqrt(variance(loss) / static_cast<double>(n) + m.regression_variance);
  e.r_squared = m.r_squared;
  e.columns = m.columns;
  e.method = m.method;
  return e;
}

VoiEstimate evppi(const std::vector<std::vector<double>>& net, const std::vector<std::span<const double>>& xs,
                  const std::vector<std::vector<std::size_t>>& extra) {
  return voi_from_fit(fit_conditional_means(net, xs, extra));
}

VoiEstimate evpi_nested(const std::vector<std::vector<double>>& net, std::size_t inner) {
  const std::size_t options = net.size();
  const std::size_t n = options == 0 ? 0 : net.front().size();
  SIM_CHECK(inner > 0 && n % inner == 0 && n / inner > 1, << n << " years in blocks of " << inner);
  ConditionalMeans m;
  m.method = "nested";
  m.fitted.assign(options, std::vector<double>(n / inner));
  for (std::size_t d = 0; d < options; ++d)
    for (std::size_t j = 0; j < n / inner; ++j)
      m.fitted[d][j] = mean(std::span<const double>(net[d]).subspan(j * inner, inner));
  m.r_squared.assign(options, std::numeric_limits<double>::quiet_NaN());
  return voi_from_fit(m);
}

std::vector<EvsiPoint> evsi_binomial(const std::vector<std::vector<double>>& fitted,
                                     std::span<const double> x, const std::vector<std::uint64_t>& sizes,
                                     double cost_per_deal) {
  const std::size_t options = fitted.size();
  const std::size_t n = x.size();
  SIM_CHECK(n > 0 && options > 0, << n << " years, " << options << " options");
  std::vector<double> log_x(n), log_1mx(n);
  for (std::size_t t = 0; t < n; ++t) {
    SIM_CHECK(x[t] >= 0.0 && x[t] <= 1.0, << "a share of deals out of [0, 1]: " << x[t]);
    log_x[t] = std::log(x[t]);
    log_1mx[t] = std::log1p(-x[t]);
  }
  std::vector<double> prior(options);
  for (std::size_t d = 0; d < options; ++d) prior[d] = mean(fitted[d]);
  const double decide_now = prior[argmax(prior)];

  std::vector<EvsiPoint> out;
  for (std::uint64_t size : sizes) {
    // Per outcome k of the study: its probability P(k) = mean over years of the binomial pmf, the
    // posterior means of each option's net (the years weighted by the pmf), and the weights'
    // effective sample size. Each k is written at its own index: the sum below runs in k order.
    std::vector<double> p_k(size + 1), best_k(size + 1), ess_k(size + 1);
    parallel::for_each_index(std::uint64_t{0}, size + 1, [&](std::uint64_t k) {
      const double dk = static_cast<double>(k), dl = static_cast<double>(size - k);
      const double log_choose = boost::math::lgamma(static_cast<double>(size) + 1.0) -
                                boost::math::lgamma(dk + 1.0) - boost::math::lgamma(dl + 1.0);
      std::vector<double> lw(n);
      double top = -std::numeric_limits<double>::infinity();
      for (std::size_t t = 0; t < n; ++t) {
        lw[t] = (k > 0 ? dk * log_x[t] : 0.0) + (k < size ? dl * log_1mx[t] : 0.0);
        top = std::max(top, lw[t]);
      }
      std::vector<double> posterior(options, 0.0);
      double s = 0.0, s2 = 0.0;
      for (std::size_t t = 0; t < n; ++t) {
        const double w = std::isfinite(top) ? std::exp(lw[t] - top) : 0.0;
        s += w;
        s2 += w * w;
        for (std::size_t d = 0; d < options; ++d) posterior[d] += w * fitted[d][t];
      }
      if (!(s > 0.0)) {  // no year makes this outcome possible
        p_k[k] = 0.0;
        best_k[k] = 0.0;
        ess_k[k] = 0.0;
        return;
      }
      p_k[k] = std::exp(top + log_choose) * s / static_cast<double>(n);
      for (double& v : posterior) v /= s;
      best_k[k] = *std::max_element(posterior.begin(), posterior.end());
      ess_k[k] = s * s / s2;
    });
    EvsiPoint pt;
    pt.n = size;
    double value = 0.0, total = 0.0, ess = 0.0;
    for (std::uint64_t k = 0; k <= size; ++k) {
      value += p_k[k] * best_k[k];
      total += p_k[k];
      ess += p_k[k] * ess_k[k];
    }
    SIM_CHECK(std::abs(total - 1.0) < 1e-6,
              << "outcome probabilities of a study of " << size << " sum to " << total);
    pt.evsi = std::max(0.0, value / total - decide_now);
    pt.enbs = pt.evsi - static_cast<double>(size) * cost_per_deal;
    pt.effective_years = ess / total;
    out.push_back(pt);
  }
  return out;
}

namespace {

//! The inputs of the decision: the baseline's recorded uncertain inputs, then every uncertain effect
//! of the candidates, drawn as the engine draws them (the effect's own slot at the year level;
//! tests/test_voi.cpp checks they match).
void add_parameters(const Model& model, const std::vector<Candidate>& candidates, const TrialResults& base,
                    VoiData& data) {
  const std::size_t n = base.count;
  SIM_CHECK(!base.recorded_inputs.empty() || model.uncertain_inputs().empty(),
            << "the baseline run did not record its inputs (RunOptions::record_inputs)");
  for (std::size_t j = 0; j < base.recorded_inputs.size(); ++j) {
    const YearInput& in = model.inputs[base.recorded_inputs[j]];
    VoiParameter p;
    p.path = in.path;
    p.values.assign(base.input_values.begin() + static_cast<std::ptrdiff_t>(j * n),
                    base.input_values.begin() + static_cast<std::ptrdiff_t>((j + 1) * n));
    p.share_of_deals = in.lower >= 0.0 && in.upper <= 1.0;
    p.from_counts = in.dist.kind == DistKind::beta;
    data.parameters.push_back(std::move(p));
  }
  std::set<std::pair<std::size_t, std::size_t>> seen;
  for (const Candidate& c : candidates)
    for (std::size_t k : c.interventions) {
      const Intervention& iv = model.interventions[k];
      for (std::size_t e = 0; e < iv.effects.size(); ++e) {
        const Effect& effect = iv.effects[e];
        if (effect.amount.dist.is_constant() || !seen.insert({k, e}).second) continue;
        VoiParameter p;
        p.path = "effect." + iv.id + "." + model.inputs[effect.target].path;
        p.values.resize(n);
        for (std::size_t t = 0; t < n; ++t) {
          DrawStream stream(model.seed, DrawAddress{base.first_trial + t, kYearLevel, effect.amount.slot});
          p.values[t] = sample(effect.amount.dist, stream);
        }
        data.parameters.push_back(std::move(p));
      }
    }
}

VoiData options_none_first() {
  VoiData data;
  data.option_ids.push_back("none");
  data.option_names.push_back("No intervention");
  return data;
}

}  // namespace

VoiData voi_data(const Model& model, const std::vector<Candidate>& candidates, const RunOptions& run) {
  RunOptions with_inputs = run;
  with_inputs.record_inputs = true;
  const TrialResults base = run_trials(model, Scenario{}, with_inputs);
  const std::size_t n = base.count;
  VoiData data = options_none_first();
  data.net.emplace_back(n, 0.0);
  RunOptions plain = run;
  plain.record_inputs = false;
  for (const Candidate& c : candidates) {
    Scenario with;
    with.interventions = c.interventions;
    const TrialResults r = run_trials(model, with, plain);
    SIM_CHECK(r.count == n, << r.count << " vs " << n);
    std::vector<double> net(n);
    for (std::size_t t = 0; t < n; ++t)
      net[t] = (base.cost_total[t] - r.cost_total[t]) - r.intervention_cost_at(t);
    data.option_ids.push_back(c.id);
    data.option_names.push_back(c.name);
    data.net.push_back(std::move(net));
  }
  add_parameters(model, candidates, base, data);
  return data;
}

VoiData voi_data(const Model& model, const Comparison& comparison) {
  VoiData data = options_none_first();
  data.net.emplace_back(comparison.baseline.count, 0.0);
  std::vector<Candidate> candidates;
  for (const CandidateResult& c : comparison.candidates) {
    data.option_ids.push_back(c.candidate.id);
    data.option_names.push_back(c.candidate.name);
    data.net.push_back(c.net);
    candidates.push_back(c.candidate);
  }
  add_parameters(model, candidates, comparison.baseline, data);
  return data;
}

VoiResult value_of_information(const VoiData& data, const VoiOptions& options) {
  VoiResult r;
  r.trials = data.trials();
  r.option_ids = data.option_ids;
  r.option_names = data.option_names;
  for (const auto& column : data.net) r.option_mean.push_back(mean(column));
  r.best_option = argmax(r.option_mean);
  r.cost_per_deal = options.cost_per_deal;

  std::map<std::string, std::size_t> index;
  std::vector<std::span<const double>> xs;
  for (std::size_t i = 0; i < data.parameters.size(); ++i) {
    index[data.parameters[i].path] = i;
    xs.emplace_back(data.parameters[i].values);
  }
  auto find = [&](const std::string& path, const std::string& option) {
    const auto it = index.find(path);
    if (it != index.end()) return it->second;
    std::string known;
    for (const VoiParameter& p : data.parameters) known += (known.empty() ? "" : ", ") + p.path;
    throw InputError({}, option,
                     "\"" + path + "\" is not an uncertain input of this decision (uncertain: " +
                         (known.empty() ? std::string("none") : known) + ")");
  };

  std::vector<std::vector<std::size_t>> group_columns;
  for (const auto& [name, paths] : options.groups) {
    if (paths.empty()) throw InputError({}, "--group", "group \"" + name + "\" names no input");
    std::vector<std::size_t> cols;
    for (const std::string& path : paths) {
      const std::size_t i = find(path, "--group");
      if (std::find(cols.begin(), cols.end(), i) != cols.end())
        throw InputError({}, "--group", "group \"" + name + "\" names \"" + path + "\" twice");
      cols.push_back(i);
    }
    group_columns.push_back(std::move(cols));
  }
  std::vector<std::size_t> evsi_inputs;
  for (std::size_t i = 0; i < data.parameters.size(); ++i)
    if (data.parameters[i].from_counts && data.parameters[i].share_of_deals) evsi_inputs.push_back(i);
  for (const std::string& path : options.evsi_paths) {
    const std::size_t i = find(path, "--evsi");
    if (!data.parameters[i].share_of_deals)
      throw InputError({}, "--evsi",
                       "\"" + path +
                           "\" is not a share of deals (a value from 0 to 1), so a study of deals cannot "
                           "measure it");
    if (std::find(evsi_inputs.begin(), evsi_inputs.end(), i) == evsi_inputs.end()) evsi_inputs.push_back(i);
  }

  if (xs.empty()) {
    r.evpi = VoiEstimate{0.0, 0.0, {}, 0, "none"};
  } else {
    r.evpi = evppi(data.net, xs, group_columns);
  }
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const ConditionalMeans m = fit_conditional_means(data.net, {xs[i]});
    r.parameters.push_back({data.parameters[i].path, voi_from_fit(m)});
    if (std::find(evsi_inputs.begin(), evsi_inputs.end(), i) != evsi_inputs.end()) {
      EvsiCurve curve;
      curve.path = data.parameters[i].path;
      curve.from_counts = data.parameters[i].from_counts;
      curve.evppi = r.parameters.back().evppi.value;
      curve.points = evsi_binomial(m.fitted, xs[i], options.sample_sizes, options.cost_per_deal);
      for (std::size_t k = 1; k < curve.points.size(); ++k)
        if (curve.points[k].enbs > curve.points[curve.best].enbs) curve.best = k;
      r.evsi.push_back(std::move(curve));
    }
  }
  std::stable_sort(
      r.parameters.begin(), r.parameters.end(),
      [](const ParameterVoi& a, const ParameterVoi& b) { return a.evppi.value > b.evppi.value; });
  for (std::size_t g = 0; g < group_columns.size(); ++g) {
    std::vector<std::span<const double>> gx;
    for (std::size_t i : group_columns[g]) gx.push_back(xs[i]);
    r.groups.push_back({options.groups[g].first, options.groups[g].second, evppi(data.net, gx)});
  }
  return r;
}

}  // namespace mistakesim
