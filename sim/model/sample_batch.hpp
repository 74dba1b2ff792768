#pragma once
// Amounts sampled many at a time from Philox block-0 words (the engine's batched draws).
//
// lognormal: z is the standard normal quantile of u by AS241 (sample_standard_normal, whose tails
// take the log with engine_log; model/as241.hpp holds the coefficients), then exp(mu + sigma z) by our own
// exp (Cody-Waite reduction, degree-13 Taylor polynomial, within 2 ulp of the correctly rounded
// value). Both regions of AS241, the log and the exp run in vector lanes (Highway kernels for every
// target, model/simd.hpp). Every target, whatever a draw's position in the batch, performs the same
// IEEE operations (compiled with -ffp-contract=off), so a draw is a function of its address only. triangular:
// the inverse CDF of sample(), bit for bit. beta and PERT (both shapes >= 1): the first try of sample()'s two
// Marsaglia-Tsang gammas in lanes, bit for bit; the few draws that need more are left to sample().
#include <cstddef>
#include <cstdint>

namespace mistakesim::detail {

//! u in (0, 1) from the first two words of a block, as DrawStream::next_uniform reads them.
double uniform_from_words(std::uint32_t w0, std::uint32_t w1);
//! exp(x) by the engine's own function (see above); x is clamped to [-745.2, 709.8] first (a NaN
//! becomes -745.2, as in the vector lanes), so the result is 0 or +inf beyond.
double engine_exp(double x);
//! log(x) by the engine's own function: fdlibm's e_log.c reduction and polynomial with one
//! branch-free formula, within 1 ulp of the correctly rounded value (tests/test_random.cpp).
//! Domain: x positive, normal and finite (the engine calls it with the normal quantile's tail
//! probabilities in [2^-53, 0.5], and in the gamma log test with uniforms in (0, 1) and
//! v = (1 + c x)^3 > 0); anything else gives an unspecified value.
double engine_log(double x);
//! exp(mu + sigma z(u)), u from (w0, w1), z = sample_standard_normal(u). One draw.
double lognormal_from_words(double mu, double sigma, std::uint32_t w0, std::uint32_t w1);
//! out[i] = lognormal_from_words(mu, sigma, w0[i], w1[i]) for i < n, bit for bit: AS241's central
//! region in every lane, the tail draws packed into whole vectors.
void lognormal_from_words(double mu, double sigma, const std::uint32_t* w0, const std::uint32_t* w1,
                          std::size_t n, double* out);
//! out[i] = the triangular(lo, mode, hi) draw of sample() from u(w0[i], w1[i]).
void triangular_from_words(double lo, double mode, double hi, const std::uint32_t* w0,
                           const std::uint32_t* w1, std::size_t n, double* out);

//! Beta(alpha, beta) draws, alpha, beta >= 1 (sample_beta's Marsaglia-Tsang path), from blocks 0
//! and 1 of each entry's stream: b0[j][i] and b1[j][i] are word j of blocks 0 and 1 of entry i. A
//! draw whose two gammas both accept at their first try (v > 0, and u < 1 - 0.0331 x^4 or the log
//! test, the latter with engine_log and a margin that makes sample()'s verdict certain) is written
//! to out[i], sample()'s bits. The others (a gamma rejected at its first try: 2 to 10 % of draws,
//! depending on the shapes) are listed in `fallback` (ascending; room for n entries; out[i]
//! unspecified) for the caller to draw with sample() from a DrawStream. Returns how many were listed.
std::size_t beta_from_words(double alpha, double beta, const std::uint32_t* const b0[4],
                            const std::uint32_t* const b1[4], std::size_t n, double* out,
                            std::uint32_t* fallback);
//! The same for PERT(lo, hi, alpha, beta): clamp(lo + (hi - lo) Beta(alpha, beta), lo, hi), as sample().
std::size_t pert_from_words(double lo, double hi, double alpha, double beta, const std::uint32_t* const b0[4],
                            const std::uint32_t* const b1[4], std::size_t n, double* out,
                            std::uint32_t* fallback);

}  // namespace mistakesim::detail
