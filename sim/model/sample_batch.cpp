// Batched samplers (sample_batch.hpp). Compiled with -ffp-contract=off (CMakeLists.txt): the vector
// and scalar paths must round identically, so no multiply-add may be fused in one and not the other.

#include "model/sample_batch.hpp"

#include <mistakesim/distribution.hpp>
#include <mistakesim/random.hpp>

// GCC 12 warns that the AVX-512 intrinsics' internal "undefined" vectors may be used
// uninitialized (GCC bug 105593, a false positive in avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace mistakesim::detail {
namespace {

constexpr double kLog2e = 1.4426950408889634074;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // fdlibm: k * kLn2Hi is exact for |k| < 2^20
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kExpMin = -745.2;  // below: exp underflows to 0
constexpr double kExpMax = 709.8;   // above: exp overflows to +inf
// 1/j! for j = 13 down to 0: e^r on |r| <= ln2/2, truncation error below 5e-18 relative.
constexpr double kInvFact[14] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                                 1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,      1.0 / 720.0,
                                 1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,         0.5,
                                 1.0,                1.0};

// AS241 central region: numerator and denominator coefficients, highest power first.
constexpr double kNum[8] = {2509.0809287301226727, 33430.575583588128105, 67265.770927008700853,
                            45921.953931549871457, 13731.693765509461125, 1971.5909503065514427,
                            133.14166789178437745, 3.387132872796366608};
constexpr double kDen[8] = {5226.495278852545925, 28729.085735721942674, 39307.89580009271061,
                            21213.794301586595867, 5394.1960214247511077, 687.1870074920579083,
                            42.313330701600911252, 1.0};

// AS241 central region, |u - 0.5| <= 0.425: exactly ppnd16's expression (sampling.cpp).
inline double ppnd16_central(double q) {
  const double r = 0.180625 - q * q;
  return q *
         (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
              45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
           133.14166789178437745) * r + 3.387132872796366608) /
         (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
              21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
           42.313330701600911252) * r + 1.0);
}

inline double standard_normal(double u) {
  const double q = u - 0.5;
  return std::fabs(q) <= 0.425 ? ppnd16_central(q) : sample_standard_normal(u);
}

__attribute__((target("avx512f,avx512dq,avx512vl"))) void lognormal_avx512(double mu, double sigma, const std::uint32_t* w0,
                                                                 const std::uint32_t* w1, std::size_t n,
                                                                 double* out) {
  // to_open_unit (random.hpp), lane by lane: (bits >> 12 + 0.5) 2^-52; the tests compare both.
  const __m512d half = _mm512_set1_pd(0.5), scale = _mm512_set1_pd(0x1.0p-52);
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 mask = n - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (n - i)) - 1u);
    const __m512i hi = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(mask, w0 + i));
    const __m512i lo = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(mask, w1 + i));
    const __m512i bits = _mm512_srli_epi64(_mm512_or_si512(_mm512_slli_epi64(hi, 32), lo), 12);
    const __m512d u = _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepu64_pd(bits), half), scale);
    // central region of AS241 in every lane
    const __m512d q = _mm512_sub_pd(u, half);
    const __m512d r = _mm512_sub_pd(_mm512_set1_pd(0.180625), _mm512_mul_pd(q, q));
    __m512d num = _mm512_add_pd(_mm512_mul_pd(r, _mm512_set1_pd(kNum[0])), _mm512_set1_pd(kNum[1]));
    __m512d den = _mm512_add_pd(_mm512_mul_pd(r, _mm512_set1_pd(kDen[0])), _mm512_set1_pd(kDen[1]));
    for (int j = 2; j < 8; ++j) {
      num = _mm512_add_pd(_mm512_mul_pd(num, r), _mm512_set1_pd(kNum[j]));
      den = _mm512_add_pd(_mm512_mul_pd(den, r), _mm512_set1_pd(kDen[j]));
    }
    __m512d z = _mm512_div_pd(_mm512_mul_pd(q, num), den);
    // tails (|q| > 0.425, about 15% of draws) one by one
    const __mmask8 tail =
        _mm512_mask_cmp_pd_mask(mask, _mm512_abs_pd(q), _mm512_set1_pd(0.425), _CMP_GT_OQ);
    if (tail) {
      alignas(64) double zs[8], us[8];
      _mm512_store_pd(zs, z);
      _mm512_store_pd(us, u);
      for (unsigned j = 0; j < 8; ++j)
        if (tail & (1u << j)) zs[j] = sample_standard_normal(us[j]);
      z = _mm512_load_pd(zs);
    }
    // x = mu + sigma z, clamped; exp(x) = 2^k1 2^k2 e^r
    __m512d x = _mm512_add_pd(_mm512_set1_pd(mu), _mm512_mul_pd(_mm512_set1_pd(sigma), z));
    x = _mm512_min_pd(_mm512_max_pd(x, _mm512_set1_pd(kExpMin)), _mm512_set1_pd(kExpMax));
    const __m512d k = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(kLog2e)), _MM_FROUND_TO_NEAREST_INT);
    const __m512d rr = _mm512_sub_pd(_mm512_sub_pd(x, _mm512_mul_pd(k, _mm512_set1_pd(kLn2Hi))),
                                     _mm512_mul_pd(k, _mm512_set1_pd(kLn2Lo)));
    __m512d p = _mm512_set1_pd(kInvFact[0]);
    for (int j = 1; j < 14; ++j) p = _mm512_add_pd(_mm512_mul_pd(p, rr), _mm512_set1_pd(kInvFact[j]));
    const __m512i ki = _mm512_cvtpd_epi64(k);
    const __m512i k1 = _mm512_srai_epi64(ki, 1);
    const __m512i k2 = _mm512_sub_epi64(ki, k1);
    const __m512i bias = _mm512_set1_epi64(1023);
    const __m512d s1 = _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_add_epi64(k1, bias), 52));
    const __m512d s2 = _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_add_epi64(k2, bias), 52));
    _mm512_mask_storeu_pd(out + i, mask, _mm512_mul_pd(_mm512_mul_pd(p, s1), s2));
  }
}

// The triangular inverse CDF of sample(), both branches in every lane, then a blend: sqrt, division
// and the rest are correctly rounded IEEE operations, so the lanes give exactly the scalar bits.
__attribute__((target("avx512f,avx512dq,avx512vl"))) void triangular_avx512(double lo, double mode, double hi,
                                                                           const std::uint32_t* w0,
                                                                           const std::uint32_t* w1, std::size_t n,
                                                                           double* out) {
  const __m512d half = _mm512_set1_pd(0.5), scale = _mm512_set1_pd(0x1.0p-52);
  const __m512d vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi), one = _mm512_set1_pd(1.0);
  const __m512d width = _mm512_set1_pd(hi - lo), left = _mm512_set1_pd(mode - lo), right = _mm512_set1_pd(hi - mode);
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 mask = n - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (n - i)) - 1u);
    const __m512i hi32 = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(mask, w0 + i));
    const __m512i lo32 = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(mask, w1 + i));
    const __m512i bits = _mm512_srli_epi64(_mm512_or_si512(_mm512_slli_epi64(hi32, 32), lo32), 12);
    const __m512d u = _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepu64_pd(bits), half), scale);
    const __m512d uw = _mm512_mul_pd(u, width);
    const __m512d a = _mm512_add_pd(vlo, _mm512_sqrt_pd(_mm512_mul_pd(uw, left)));
    const __m512d b =
        _mm512_sub_pd(vhi, _mm512_sqrt_pd(_mm512_mul_pd(_mm512_mul_pd(_mm512_sub_pd(one, u), width), right)));
    const __mmask8 use_left = _mm512_cmp_pd_mask(uw, left, _CMP_LT_OQ);
    __m512d x = _mm512_mask_blend_pd(use_left, b, a);
    // std::clamp(x, lo, hi): x < lo ? lo : (hi < x ? hi : x)
    x = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, vlo, _CMP_LT_OQ), x, vlo);
    x = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(vhi, x, _CMP_LT_OQ), x, vhi);
    _mm512_mask_storeu_pd(out + i, mask, x);
  }
}

bool has_avx512dq() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
}

}  // namespace

double uniform_from_words(std::uint32_t w0, std::uint32_t w1) {
  return to_open_unit((std::uint64_t{w0} << 32) | w1);
}

double engine_exp(double x) {
  x = std::min(std::max(x, kExpMin), kExpMax);
  const double k = std::nearbyint(x * kLog2e);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = kInvFact[0];
  for (int j = 1; j < 14; ++j) p = p * r + kInvFact[j];
  const auto ki = static_cast<std::int64_t>(k);
  const std::int64_t k1 = ki >> 1, k2 = ki - k1;
  const double s1 = std::bit_cast<double>(static_cast<std::uint64_t>(k1 + 1023) << 52);
  const double s2 = std::bit_cast<double>(static_cast<std::uint64_t>(k2 + 1023) << 52);
  return p * s1 * s2;
}

double lognormal_from_words(double mu, double sigma, std::uint32_t w0, std::uint32_t w1) {
  return engine_exp(mu + sigma * standard_normal(uniform_from_words(w0, w1)));
}

void lognormal_from_words(double mu, double sigma, const std::uint32_t* w0, const std::uint32_t* w1, std::size_t n,
                          double* out) {
  static const bool vector = has_avx512dq();
  if (vector) {
    lognormal_avx512(mu, sigma, w0, w1, n, out);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = lognormal_from_words(mu, sigma, w0[i], w1[i]);
}

void triangular_from_words(double lo, double mode, double hi, const std::uint32_t* w0, const std::uint32_t* w1,
                           std::size_t n, double* out) {
  static const bool vector = has_avx512dq();
  if (vector) {
    triangular_avx512(lo, mode, hi, w0, w1, n, out);
    return;
  }
  const double width = hi - lo;
  for (std::size_t i = 0; i < n; ++i) {  // sample()'s expression, DistKind::triangular
    const double u = uniform_from_words(w0[i], w1[i]);
    const double x = u * width < mode - lo ? lo + std::sqrt(u * width * (mode - lo))
                                           : hi - std::sqrt((1.0 - u) * width * (hi - mode));
    out[i] = std::clamp(x, lo, hi);
  }
}

}  // namespace mistakesim::detail
