#pragma once
// Amounts sampled many at a time from Philox block-0 words (the engine's batched draws).
//
// lognormal: z is the standard normal quantile of u by AS241 (engine_normal_quantile: sample()'s
// ppnd16 with our own log in the tails, so the central region gives sample()'s bits and a tail
// value can differ from it in its last bits), then exp(mu + sigma z) by our own exp (Cody-Waite
// reduction, degree-13 Taylor polynomial, within 2 ulp of the correctly rounded value). Both
// regions of AS241, the log and the exp run in vector lanes. Every path - AVX-512 or scalar, whatever a
// draw's position in the batch - performs the same IEEE operations (this file is compiled with
// -ffp-contract=off), so a draw is a function of its address only. triangular: the inverse CDF of sample(),
// bit for bit.
#include <cstddef>
#include <cstdint>

namespace mistakesim::detail {

//! u in (0, 1) from the first two words of a block, as DrawStream::next_uniform reads them.
double uniform_from_words(std::uint32_t w0, std::uint32_t w1);
//! exp(x) by the engine's own function (see above).
double engine_exp(double x);
//! log(x) by the engine's own function: fdlibm's e_log.c reduction and polynomial with one
//! branch-free formula, within 1 ulp of the correctly rounded value (tests/test_random.cpp).
//! Domain: x positive, normal and finite (the engine calls it with x in [2^-53, 0.5]); anything
//! else gives an unspecified value.
double engine_log(double x);
//! The standard normal quantile of u by AS241, as the engine computes it: equal to
//! sample_standard_normal(u) bit for bit where |u - 0.5| <= 0.425, engine_log instead of std::log
//! in the tails. Domain: u in [2^-53, 1 - 2^-53], what uniform_from_words returns.
double engine_normal_quantile(double u);
//! exp(mu + sigma z(u)), u from (w0, w1). One draw.
double lognormal_from_words(double mu, double sigma, std::uint32_t w0, std::uint32_t w1);
//! out[i] = lognormal_from_words(mu, sigma, w0[i], w1[i]) for i < n.
void lognormal_from_words(double mu, double sigma, const std::uint32_t* w0, const std::uint32_t* w1, std::size_t n,
                          double* out);
//! out[i] = the triangular(lo, mode, hi) draw of sample() from u(w0[i], w1[i]).
void triangular_from_words(double lo, double mode, double hi, const std::uint32_t* w0, const std::uint32_t* w1,
                           std::size_t n, double* out);

}  // namespace mistakesim::detail
