#pragma once
// Distributions as value types: a kind and canonical parameters. How a study file spells a
// distribution (p05/p95, mean/sd, wins/losses...) is solved into these canonical parameters by the
// config layer; the model and engine only ever see the canonical form.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace mistakesim {

class DrawStream;

enum class DistKind : std::uint8_t {
  constant,     //!< p[0] = value
  uniform,      //!< p[0] = min, p[1] = max
  triangular,   //!< p[0] = min, p[1] = mode, p[2] = max
  pert,         //!< p[0] = min, p[1] = max, p[2] = alpha, p[3] = beta (a Beta(alpha, beta) on [min, max])
  normal,       //!< p[0] = mean, p[1] = sd, p[2] = lower truncation (-inf if none), p[3] = upper (+inf)
  lognormal,    //!< p[0] = mu, p[1] = sigma (of the underlying normal)
  beta,         //!< p[0] = alpha, p[1] = beta
  gamma,        //!< p[0] = shape, p[1] = scale
  poisson,      //!< p[0] = mean
  negbinomial,  //!< p[0] = mean, p[1] = dispersion k (variance = mean + mean^2 / k)
  discrete,     //!< values with cumulative probabilities
  empirical,    //!< values resampled with equal weights
};

//! Name of a kind as written in a study file ("pert", "lognormal", ...).
const char* dist_name(DistKind kind);

//! A probability distribution in canonical form. Value type; cheap to copy except for the
//! discrete/empirical tables.
struct Distribution {
  DistKind kind = DistKind::constant;
  double p[4] = {0.0, 0.0, 0.0, 0.0};
  std::vector<double> values;      //!< discrete / empirical support
  std::vector<double> cumulative;  //!< discrete: cumulative probabilities, last = 1
  double pert_mode = 0.0;    //!< pert only: the mode as given (alpha/beta alone lose it when lambda = 0)
  double pert_lambda = 4.0;  //!< pert only: the shape parameter lambda (describe() prints it if not 4)

  static Distribution constant(double value);
  static Distribution uniform(double min, double max);
  static Distribution triangular(double min, double mode, double max);
  static Distribution pert(double min, double mode, double max, double lambda = 4.0);
  static Distribution normal(double mean, double sd, double lower = -std::numeric_limits<double>::infinity(),
                             double upper = std::numeric_limits<double>::infinity());
  static Distribution lognormal(double mu, double sigma);
  static Distribution beta(double alpha, double beta);
  static Distribution gamma(double shape, double scale);
  static Distribution poisson(double mean);
  static Distribution negbinomial(double mean, double dispersion);
  //! Values are sorted (weights follow them) and their weights normalised into `cumulative`, so that
  //! sampling is the quantile function of one uniform.
  static Distribution discrete(std::vector<double> values, const std::vector<double>& weights);
  //! Values are sorted, so that sampling is the quantile function of one uniform.
  static Distribution empirical(std::vector<double> values);

  //! True if every draw gives the same value (a constant, or a degenerate PERT/uniform...).
  bool is_constant() const { return kind == DistKind::constant; }
  //! Exact mean and variance (closed forms; truncated normal included).
  double mean() const;
  double variance() const;
  //! Smallest and largest possible values (may be +-infinity).
  double support_min() const;
  double support_max() const;
  //! Exact CDF and quantile function (Boost.Math). Used by tests, previews and the copula; the
  //! engine samples with the faster sample() below.
  double cdf(double x) const;
  double quantile(double probability) const;
  //! Plain-words description, e.g. "PERT(min 0.1, mode 0.25, max 0.5)".
  std::string describe() const;
};

//! One draw from d, consuming uniforms from the stream at the draw's address.
double sample(const Distribution& d, DrawStream& stream);

//! Samplers on explicit uniforms / streams (pure functions, pbrt sampling.h style).
double sample_standard_normal(double u);                //!< inverse normal CDF (AS241), one uniform
double sample_gamma(double shape, DrawStream& stream);  //!< Marsaglia-Tsang, scale 1
double sample_beta(double alpha, double beta, DrawStream& stream);
double sample_poisson(double mean, DrawStream& stream);  //!< inversion below 30, PTRS above

}  // namespace mistakesim
