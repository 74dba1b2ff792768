// Samplers: every draw is a pure function of the uniforms read from a DrawStream.
//
// No std:: distributions (their algorithms differ between standard libraries) and no Boost.Random
// gamma/beta (80-160 ns a draw). Continuous one-parameter shapes use inverse CDFs of one uniform,
// so that a draw is also the distribution's quantile function of that uniform; gamma, beta and PERT
// use Marsaglia-Tsang rejection (~95% acceptance, each try one Philox block), and Poisson uses
// inversion for small means and Hoermann's PTRS transformed rejection for large ones. The rejection
// loops are capped at a number of tries whose probability of being reached is far below 1e-100, so
// a draw always finishes; nothing here allocates or throws.

#include <algorithm>
#include <array>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <mistakesim/distribution.hpp>
#include <mistakesim/random.hpp>

#include "model/as241.hpp"
#include "model/sample_batch.hpp"
#include "model/sampling_detail.hpp"

namespace mistakesim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxTries = 1000;  // rejection tries before giving up; unreachable in practice
// Boost.Math special functions in double, not promoted to long double (several times faster).
using NoPromotion = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

// Polynomial with coefficients from the highest degree down, by Horner's rule.
template <std::size_t N>
double horner(const std::array<double, N>& c, double x) {
  double acc = c[0];
  for (std::size_t i = 1; i < N; ++i) acc = acc * x + c[i];
  return acc;
}

using namespace detail::as241;  // the AS241 coefficients (model/as241.hpp)

// Wichura (1988), algorithm AS241 PPND16: the standard normal quantile to about 1e-16 relative.
// p outside (0, 1) (a uniform of exactly 0 or 1) is clamped to the smallest positive double, so
// the result stays finite (|z| < 38.5). The tails take the log with the engine's own function
// (detail::engine_log, fdlibm's, within 1 ulp), so that the engine's batched draws, which compute
// this quantile in vector lanes, give exactly these bits; the C library's log only below the
// smallest normal double, outside engine_log's domain (reached by p = 0 and the truncated normal's
// extremes, never by a uniform).
double ppnd16(double p) {
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * horner(kCentralNum, r) / horner(kCentralDen, r);
  }
  double r = q < 0.0 ? p : 1.0 - p;
  if (!(r > 0.0)) r = std::numeric_limits<double>::denorm_min();
  r = std::sqrt(-(r >= std::numeric_limits<double>::min() ? detail::engine_log(r) : std::log(r)));
  const double val = r <= 5.0 ? horner(kNearNum, r - 1.6) / horner(kNearDen, r - 1.6)
                              : horner(kFarNum, r - 5.0) / horner(kFarDen, r - 5.0);
  return q < 0.0 ? -val : val;
}

// Marsaglia & Tsang (2000), "A simple method for generating gamma variables", shape >= 1.
double marsaglia_tsang(double shape, DrawStream& stream) {
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (int tries = 0; tries < kMaxTries; ++tries) {
    const double x = ppnd16(stream.next_uniform());
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = stream.next_uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
  return d;  // unreachable in practice: the acceptance rate is above 95%
}

// Inversion by sequential search from 0, for mean < 30 (about mean + 1 steps).
double poisson_inversion(double mean, DrawStream& stream) {
  const double u = stream.next_uniform();
  double pmf = std::exp(-mean);
  double cdf = pmf;
  double k = 0.0;
  while (u > cdf) {
    k += 1.0;
    pmf *= mean / k;
    if (pmf < cdf * 1e-17) break;  // later terms cannot move the sum: u was within rounding of 1
    cdf += pmf;
  }
  return k;
}

// Hoermann (1993), "The transformed rejection method for generating Poisson random variables",
// algorithm PTRS, valid for mean >= 10.
double poisson_ptrs(double mean, DrawStream& stream) {
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = std::log(1.1239 + 1.1328 / (b - 3.4));
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (int tries = 0; tries < kMaxTries; ++tries) {
    const double u = stream.next_uniform() - 0.5;
    const double v = stream.next_uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (!(k >= 0.0) || (us < 0.013 && v > us)) continue;
    if (std::log(v) + log_inv_alpha - std::log(a / (us * us) + b) <=
        -mean + k * loglam - detail::log_factorial(k))
      return k;
  }
  return std::floor(mean);  // unreachable in practice
}

}  // namespace

double sample_standard_normal(double u) { return ppnd16(u); }

double sample_gamma(double shape, DrawStream& stream) {
  if (shape >= 1.0) return marsaglia_tsang(shape, stream);
  return std::exp(detail::sample_log_gamma(shape, stream));
}

double sample_beta(double alpha, double beta, DrawStream& stream) {
  if (alpha >= 1.0 && beta >= 1.0) {
    const double x = marsaglia_tsang(alpha, stream);
    const double y = marsaglia_tsang(beta, stream);
    return x / (x + y);
  }
  // A shape below 1 can give gamma variates that underflow to 0 (0/0): take the ratio in logs.
  const double lx = detail::sample_log_gamma(alpha, stream);
  const double ly = detail::sample_log_gamma(beta, stream);
  return 1.0 / (1.0 + std::exp(ly - lx));
}

double sample_poisson(double mean, DrawStream& stream) {
  if (!(mean > 0.0)) return 0.0;
  if (mean < 30.0) return poisson_inversion(mean, stream);
  return poisson_ptrs(mean, stream);
}

double sample(const Distribution& d, DrawStream& stream) {
  switch (d.kind) {
    case DistKind::constant:
      return d.p[0];
    case DistKind::uniform:
      return d.p[0] + stream.next_uniform() * (d.p[1] - d.p[0]);
    case DistKind::triangular: {
      const double lo = d.p[0], mode = d.p[1], hi = d.p[2];
      const double u = stream.next_uniform();
      const double width = hi - lo;
      const double x = u * width < mode - lo ? lo + std::sqrt(u * width * (mode - lo))
                                             : hi - std::sqrt((1.0 - u) * width * (hi - mode));
      return std::clamp(x, lo, hi);
    }
    case DistKind::pert: {
      const double x = d.p[0] + (d.p[1] - d.p[0]) * sample_beta(d.p[2], d.p[3], stream);
      return std::clamp(x, d.p[0], d.p[1]);
    }
    case DistKind::normal: {
      const double u = stream.next_uniform();
      if (d.p[2] == -kInf && d.p[3] == kInf) return d.p[0] + d.p[1] * ppnd16(u);
      const double a = (d.p[2] - d.p[0]) / d.p[1];
      const double b = (d.p[3] - d.p[0]) / d.p[1];
      return std::clamp(d.p[0] + d.p[1] * detail::truncated_standard_normal_quantile(a, b, u), d.p[2],
                        d.p[3]);
    }
    case DistKind::lognormal:
      return std::exp(d.p[0] + d.p[1] * ppnd16(stream.next_uniform()));
    case DistKind::beta:
      return sample_beta(d.p[0], d.p[1], stream);
    case DistKind::gamma:
      return d.p[1] * sample_gamma(d.p[0], stream);
    case DistKind::poisson:
      return sample_poisson(d.p[0], stream);
    case DistKind::negbinomial: {
      if (!(d.p[0] > 0.0)) return 0.0;
      const double rate = sample_gamma(d.p[1], stream) * (d.p[0] / d.p[1]);
      return sample_poisson(rate, stream);
    }
    case DistKind::discrete: {
      const double u = stream.next_uniform();
      const auto it = std::upper_bound(d.cumulative.begin(), d.cumulative.end(), u);
      const auto i =
          std::min<std::size_t>(static_cast<std::size_t>(it - d.cumulative.begin()), d.values.size() - 1);
      return d.values[i];
    }
    case DistKind::empirical: {
      const double u = stream.next_uniform();
      const auto i = std::min<std::size_t>(static_cast<std::size_t>(u * static_cast<double>(d.values.size())),
                                           d.values.size() - 1);
      return d.values[i];
    }
  }
  return std::numeric_limits<double>::quiet_NaN();  // unreachable: every kind is handled above
}

namespace detail {

double normal_upper_tail(double x) {
  return 0.5 * boost::math::erfc(x * 0.70710678118654752440, NoPromotion());
}

double erfcx(double x) {
  if (x < 26.0) return std::exp(x * x) * boost::math::erfc(x, NoPromotion());
  // Asymptotic series erfcx(x) = 1/(x sqrt(pi)) sum_n (-1)^n (2n-1)!! / (2x^2)^n; at x >= 26 the
  // ninth term is below 1e-17 of the first.
  const double t = 1.0 / (2.0 * x * x);
  double term = 1.0, sum = 1.0;
  for (int n = 1; n <= 8; ++n) {
    term *= -(2.0 * n - 1.0) * t;
    sum += term;
  }
  return sum / (x * 1.7724538509055160273);
}

namespace {

// R(x) = 2 Q(x) exp(a^2 / 2): the upper tail scaled so that it does not underflow for x >= a > 0.
double scaled_upper_tail(double a, double x) {
  if (x == kInf) return 0.0;
  return erfcx(x * 0.70710678118654752440) * std::exp(-0.5 * (x - a) * (x + a));
}

// Deep upper tail (a > 35): solve R(z) = target on [a, b] by Newton steps from the left. R is convex
// and decreasing, so the iterates increase monotonically to the root and never overshoot it.
double deep_tail_quantile(double a, double b, double u) {
  const double ra = scaled_upper_tail(a, a);
  const double target = ra - u * (ra - scaled_upper_tail(a, b));
  double z = a;
  for (int i = 0; i < 100; ++i) {
    const double f = scaled_upper_tail(a, z) - target;
    const double slope =
        -0.79788456080286535588 * std::exp(-0.5 * (z - a) * (z + a));  // R'(z) = -2 phi(z) e^{a^2/2}
    const double step = -f / slope;
    if (!(step > 0.0)) break;
    z = std::min(z + step, b);
    if (step <= 1e-16 * z) break;
  }
  return z;
}

}  // namespace

double truncated_standard_normal_quantile(double a, double b, double u) {
  double z;
  if (a > 0.0) {  // upper tail: work with Q, which is accurate there
    const double qa = normal_upper_tail(a);
    if (qa < 1e-280) return std::clamp(deep_tail_quantile(a, b, u), a, b);
    const double qb = normal_upper_tail(b);
    z = -ppnd16(qa - u * (qa - qb));
  } else if (b < 0.0) {  // lower tail: mirror image
    return -truncated_standard_normal_quantile(-b, -a, 1.0 - u);
  } else {
    const double pa = normal_upper_tail(-a);  // Phi(a)
    const double qb = normal_upper_tail(b);   // 1 - Phi(b)
    const double mass = 1.0 - pa - qb;
    const double p = pa + u * mass;
    z = p <= 0.5 ? ppnd16(p) : -ppnd16(qb + (1.0 - u) * mass);  // invert the smaller tail
  }
  return std::clamp(z, a, b);
}

double truncated_standard_normal_cdf(double a, double b, double x) {
  if (!(x > a)) return 0.0;
  if (!(x < b)) return 1.0;
  if (a > 0.0) {
    const double ra = scaled_upper_tail(a, a);
    return (ra - scaled_upper_tail(a, x)) / (ra - scaled_upper_tail(a, b));
  }
  if (b < 0.0) return 1.0 - truncated_standard_normal_cdf(-b, -a, -x);
  const double pa = normal_upper_tail(-a);
  const double qb = normal_upper_tail(b);
  const double mass = 1.0 - pa - qb;
  return x <= 0.0 ? (normal_upper_tail(-x) - pa) / mass : 1.0 - (normal_upper_tail(x) - qb) / mass;
}

void truncated_standard_normal_moments(double a, double b, double& mean, double& variance) {
  if (b < 0.0) {
    truncated_standard_normal_moments(-b, -a, mean, variance);
    mean = -mean;
    return;
  }
  const double width = b - a;
  const double reach = std::max(std::fabs(a), std::fabs(b));
  if (width * std::max(reach, 1.0) <= 1.0) {
    // Narrow interval: the closed form cancels catastrophically; the density varies by at most a
    // factor e over it, so 20-point Gauss-Legendre integrates it to rounding error. Moments are taken
    // about the midpoint c with the density scaled by exp(c^2 / 2).
    const double c = 0.5 * (a + b);
    using G = boost::math::quadrature::gauss<double, 20>;
    const auto w = [c](double x) { return std::exp(-0.5 * (x - c) * (x + c)); };
    const double m0 = G::integrate(w, a, b);
    const double m1 = G::integrate([&](double x) { return w(x) * (x - c); }, a, b) / m0;
    const double m2 = G::integrate([&](double x) { return w(x) * (x - c) * (x - c); }, a, b) / m0;
    mean = c + m1;
    variance = std::max(0.0, m2 - m1 * m1);
    return;
  }
  double ratio_a, ratio_b;  // phi(a) / Z and phi(b) / Z, Z = Phi(b) - Phi(a)
  if (a > 0.0) {
    // scaled by exp(a^2 / 2): phi(x) -> exp(-(x-a)(x+a)/2) / sqrt(2 pi), Z -> (R(a) - R(b)) / 2
    const double z = 0.5 * (scaled_upper_tail(a, a) - scaled_upper_tail(a, b));
    ratio_a = 0.39894228040143267794 / z;
    ratio_b = b == kInf ? 0.0 : 0.39894228040143267794 * std::exp(-0.5 * (b - a) * (b + a)) / z;
  } else {
    const double z = 1.0 - normal_upper_tail(-a) - normal_upper_tail(b);
    ratio_a = a == -kInf ? 0.0 : 0.39894228040143267794 * std::exp(-0.5 * a * a) / z;
    ratio_b = b == kInf ? 0.0 : 0.39894228040143267794 * std::exp(-0.5 * b * b) / z;
  }
  const double m = ratio_a - ratio_b;
  const double a_term = a == -kInf ? 0.0 : a * ratio_a;
  const double b_term = b == kInf ? 0.0 : b * ratio_b;
  mean = m;
  variance = std::max(0.0, 1.0 + a_term - b_term - m * m);
}

double sample_log_gamma(double shape, DrawStream& stream) {
  if (shape >= 1.0) return std::log(marsaglia_tsang(shape, stream));
  // Gamma(a) = Gamma(a + 1) U^(1/a) (Marsaglia & Tsang, section 6), in logs: for tiny a the power
  // underflows to 0 while its log stays finite.
  const double g = marsaglia_tsang(shape + 1.0, stream);
  return std::log(g) + std::log(stream.next_uniform()) / shape;
}

double log_factorial(double k) {
  static const std::array<double, 30> table = [] {
    std::array<double, 30> t{};
    double acc = 0.0;
    for (int i = 0; i < 30; ++i) {
      if (i > 1) acc += std::log(static_cast<double>(i));
      t[static_cast<std::size_t>(i)] = acc;
    }
    return t;
  }();
  if (k < 30.0) return table[static_cast<std::size_t>(k)];
  // Stirling series; the first omitted term, 1/(1188 k^9), is below 1e-16 of the result at k = 30.
  const double r = 1.0 / k, r2 = r * r;
  return (k + 0.5) * std::log(k) - k + 0.91893853320467274178 +
         r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0))));
}

}  // namespace detail

}  // namespace mistakesim
