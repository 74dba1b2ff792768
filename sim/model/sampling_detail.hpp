#pragma once
// Internals shared by the samplers (sampling.cpp) and the exact functions of Distribution
// (distribution.cpp): the truncated standard normal's quantile and CDF must be the same function in
// both places, so that sample() is exactly quantile() of its uniform.

#include <mistakesim/random.hpp>

namespace mistakesim::detail {

//! Upper tail of the standard normal, Q(x) = P(Z > x) = erfc(x / sqrt 2) / 2.
double normal_upper_tail(double x);
//! Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), for x >= 0 (no underflow).
double erfcx(double x);
//! z in [a, b] with P(Z <= z | a <= Z <= b) = u, Z standard normal, a < b (either may be infinite).
//! Accurate in both tails; truncations far out in a tail (a > 35, Q(a) below 1e-280) are solved in
//! scaled form by safeguarded Newton steps; never loops more than a fixed number of times.
double truncated_standard_normal_quantile(double a, double b, double u);
//! P(Z <= x | a <= Z <= b).
double truncated_standard_normal_cdf(double a, double b, double x);
//! Mean and variance of the standard normal truncated to [a, b].
void truncated_standard_normal_moments(double a, double b, double& mean, double& variance);
//! log of a Gamma(shape, 1) variate; finite even when the variate itself underflows (tiny shapes).
double sample_log_gamma(double shape, DrawStream& stream);
//! ln(k!) for a whole number k >= 0 (table below 30, Stirling series above: ~1e-16 relative).
double log_factorial(double k);

}  // namespace mistakesim::detail
