#pragma once
// Amounts sampled many at a time from Philox block-0 words (the engine's batched draws).
//
// lognormal: z is the standard normal quantile of u (AS241, as sample() computes it: the central
// region in vector lanes with the same operations in the same order, so the same bits; the tails
// through sample_standard_normal), then exp(mu + sigma z) by our own exp (Cody-Waite reduction,
// degree-13 Taylor polynomial, within 2 ulp of the correctly rounded value), which runs in vector
// lanes. Every path - AVX-512 or scalar, whatever a draw's position in the batch - performs the same
// IEEE operations (this file is compiled with -ffp-contract=off), so a draw is a function of its
// address only. triangular: the inverse CDF of sample(), bit for bit.
#include <cstddef>
#include <cstdint>

namespace mistakesim::detail {

//! u in (0, 1) from the first two words of a block, as DrawStream::next_uniform reads them.
double uniform_from_words(std::uint32_t w0, std::uint32_t w1);
//! exp(x) by the engine's own function (see above).
double engine_exp(double x);
//! exp(mu + sigma z(u)), u from (w0, w1). One draw.
double lognormal_from_words(double mu, double sigma, std::uint32_t w0, std::uint32_t w1);
//! out[i] = lognormal_from_words(mu, sigma, w0[i], w1[i]) for i < n.
void lognormal_from_words(double mu, double sigma, const std::uint32_t* w0, const std::uint32_t* w1, std::size_t n,
                          double* out);
//! out[i] = the triangular(lo, mode, hi) draw of sample() from u(w0[i], w1[i]).
void triangular_from_words(double lo, double mode, double hi, const std::uint32_t* w0, const std::uint32_t* w1,
                           std::size_t n, double* out);

}  // namespace mistakesim::detail
