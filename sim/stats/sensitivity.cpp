// Sensitivity of the yearly cost of mistakes to the uncertain year-level inputs.
//
// Four measures, because each answers a different question and they disagree in instructive ways:
// - Spearman's rank correlation: does the cost tend to rise with the input (monotone, any shape)?
//   It is the ranking key: robust to skewed costs and nonlinear effects.
// - The standardised regression coefficient (SRC): the linear effect of the input with the others
//   held fixed, in sds of cost per sd of input; sum(SRC^2) ~ R^2 when inputs are independent, and R^2
//   says how much of the cost's variance a linear model of the year-level inputs explains (the rest
//   is per-deal randomness and interactions).
// - The P10-P90 swing: dollars, for a sales leader: how much higher is the mean cost in years when
//   the input is at its high end than at its low end.
// - The tail shift: is the input unusual in the worst 10% of years (what drives the bad years)?
//
// Determinism: ranks break ties by averaging, sums run in trial order with Neumaier compensation
// (stats.hpp), and the regression's normal equations are accumulated in trial order and solved with
// Eigen's LDLT, so the same results give the same bits on every run and thread count.

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/whatif.hpp>
#include <numeric>

namespace mistakesim {
namespace {

//! Mean and sample sd (n - 1): the stats layer's mean and variance.
std::pair<double, double> mean_sd(std::span<const double> x) {
  return {mean(x), x.size() > 1 ? std::sqrt(variance(x)) : 0.0};
}

//! Mean of cost over the trials where keep(input) holds; NaN if none does.
template <class Keep>
double conditional_mean(std::span<const double> input, std::span<const double> cost, Keep keep) {
  std::vector<double> kept;
  for (std::size_t t = 0; t < input.size(); ++t)
    if (keep(input[t])) kept.push_back(cost[t]);
  return kept.empty() ? std::nan("") : mean(kept);
}

}  // namespace

std::vector<double> average_ranks(std::span<const double> values) {
  const std::size_t n = values.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(n);
  std::size_t i = 0;
  while (i < n) {
    SIM_CHECK(!std::isnan(values[order[i]]), << "NaN at index " << order[i]);
    std::size_t j = i + 1;
    while (j < n && values[order[j]] == values[order[i]]) ++j;
    // positions i..j-1 hold equal values: ranks i+1..j, average (i + 1 + j) / 2
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

double pearson(std::span<const double> a, std::span<const double> b) {
  SIM_CHECK(a.size() == b.size(), << a.size() << " vs " << b.size());
  if (a.size() < 2) return std::nan("");
  const double ma = mean(a), mb = mean(b);
  std::vector<double> ab(a.size()), aa(a.size()), bb(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - ma, db = b[i] - mb;
    ab[i] = da * db;
    aa[i] = da * da;
    bb[i] = db * db;
  }
  const double saa = compensated_sum(aa), sbb = compensated_sum(bb);
  if (saa <= 0.0 || sbb <= 0.0) return std::nan("");
  return std::clamp(compensated_sum(ab) / std::sqrt(saa * sbb), -1.0, 1.0);
}

double spearman(std::span<const double> a, std::span<const double> b) {
  const std::vector<double> ra = average_ranks(a), rb = average_ranks(b);
  return pearson(ra, rb);
}

Sensitivity sensitivity(const Model& model, const TrialResults& r) {
  const std::size_t n = r.count;
  const std::size_t k = r.recorded_inputs.size();
  SIM_CHECK(r.input_values.size() == k * n, << r.input_values.size() << " values for " << k << " x " << n);
  const std::span<const double> cost(r.cost_total);

  Sensitivity s;
  s.trials = n;
  std::tie(s.cost_mean, s.cost_sd) = mean_sd(cost);
  {
    const SortedSummary sorted = summarize_sorted(cost);
    s.cost = sorted.summary;
    s.cost_ci95 = reported_quantile_cis(sorted.sorted);
  }
  const TailWeights worst = tail_weights(cost, 0.90);

  std::vector<std::size_t> varying;  // positions in recorded_inputs that enter the regression
  for (std::size_t j = 0; j < k; ++j) {
    const std::span<const double> x(r.input_values.data() + j * n, n);
    InputInfluence in;
    in.input = r.recorded_inputs[j];
    in.param = model.inputs.at(in.input).path;
    std::tie(in.mean, in.sd) = mean_sd(x);
    if (in.sd > 0.0 && n > 1) {
      varying.push_back(j);
      in.spearman = spearman(x, cost);
      std::vector<double> sorted(x.begin(), x.end());
      sort_values(sorted);
      const double q10 = quantile_sorted(sorted, 0.10), q90 = quantile_sorted(sorted, 0.90);
      in.p10 = q10;
      in.p90 = q90;
      in.cost_high = conditional_mean(x, cost, [&](double v) { return v >= q90; });
      in.cost_low = conditional_mean(x, cost, [&](double v) { return v <= q10; });
      in.swing_p10_p90 = in.cost_high - in.cost_low;
      in.tail_shift = (tail_mean(worst, x) - in.mean) / in.sd;
    } else {
      in.spearman = std::nan("");
      in.tail_shift = std::nan("");
      in.swing_p10_p90 = 0.0;
      in.cost_low = in.cost_high = s.cost_mean;
      in.p10 = in.p90 = in.mean;
    }
    s.inputs.push_back(std::move(in));
  }

  // Standardised regression: z_cost = sum_j src_j z_j + e, normal equations (Z'Z) b = Z'y.
  s.r2 = std::nan("");
  const std::size_t p = varying.size();
  if (p > 0 && s.cost_sd > 0.0 && n > p + 1) {
    Eigen::MatrixXd ztz = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(p));
    Eigen::VectorXd zty = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(p));
    Eigen::VectorXd z(static_cast<Eigen::Index>(p));
    double yty = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
      for (std::size_t a = 0; a < p; ++a) {
        const InputInfluence& in = s.inputs[varying[a]];
        z(static_cast<Eigen::Index>(a)) = (r.input_values[varying[a] * n + t] - in.mean) / in.sd;
      }
      const double y = (cost[t] - s.cost_mean) / s.cost_sd;
      ztz.selfadjointView<Eigen::Lower>().rankUpdate(z);
      zty += y * z;
      yty += y * y;
    }
    const Eigen::LDLT<Eigen::MatrixXd, Eigen::Lower> ldlt(ztz);  // reads the lower triangle only
    if (ldlt.info() == Eigen::Success) {
      const Eigen::VectorXd b = ldlt.solve(zty);
      for (std::size_t a = 0; a < p; ++a) s.inputs[varying[a]].src = b(static_cast<Eigen::Index>(a));
      // Residual sum of squares of the least-squares fit: y'y - b'Z'y.
      const double explained = b.dot(zty);
      s.r2 = std::clamp(explained / yty, 0.0, 1.0);
    }
  }

  std::stable_sort(s.inputs.begin(), s.inputs.end(), [](const InputInfluence& a, const InputInfluence& b) {
    const bool a_nan = std::isnan(a.spearman), b_nan = std::isnan(b.spearman);
    if (a_nan != b_nan) return b_nan;
    if (a_nan) return false;
    return std::abs(a.spearman) > std::abs(b.spearman);
  });
  return s;
}

}  // namespace mistakesim
