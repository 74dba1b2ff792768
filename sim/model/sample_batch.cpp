// Batched samplers (sample_batch.hpp). Compiled with -ffp-contract=off (CMakeLists.txt): the vector
// and scalar paths must round identically, so no multiply-add may be fused in one and not the other.

#include "model/sample_batch.hpp"

#include "model/as241.hpp"

#include "model/isa.hpp"

#include <mistakesim/distribution.hpp>
#include <mistakesim/random.hpp>

// GCC 12 warns that the AVX-512 intrinsics' internal "undefined" vectors may be used
// uninitialized (GCC bug 105593, a false positive in avx512fintrin.h; -Wuninitialized when inlined).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace mistakesim::detail {
namespace {

using namespace as241;

constexpr double kLog2e = 1.4426950408889634074;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // fdlibm: k * kLn2Hi is exact for |k| < 2^20
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kExpMin = -745.2;  // below: exp underflows to 0
constexpr double kExpMax = 709.8;   // above: exp overflows to +inf
// 1/j! for j = 13 down to 0: e^r on |r| <= ln2/2, truncation error below 5e-18 relative.
constexpr double kInvFact[14] = {1.0 / 6227020800.0,
                                 1.0 / 479001600.0,
                                 1.0 / 39916800.0,
                                 1.0 / 3628800.0,
                                 1.0 / 362880.0,
                                 1.0 / 40320.0,
                                 1.0 / 5040.0,
                                 1.0 / 720.0,
                                 1.0 / 120.0,
                                 1.0 / 24.0,
                                 1.0 / 6.0,
                                 0.5,
                                 1.0,
                                 1.0};

// engine_log: fdlibm's e_log.c (Sun, 1993) without its branches. x = 2^k m with m in [sqrt(2)/2,
// sqrt(2)), f = m - 1, s = f / (2 + f); log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), R the Remez
// polynomial below (|error| < 2^-58.45 on the interval).
constexpr double kLg[7] = {6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
                           2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
                           1.479819860511658591e-01};
constexpr std::uint64_t kMantissa = (std::uint64_t{1} << 52) - 1;
// Added to the mantissa field, carries into bit 52 iff m >= 0x1.6a09cp0 (just under sqrt(2)).
constexpr std::uint64_t kSqrt2Carry = std::uint64_t{0x95f64} << 32;
constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

// Horner's rule in lanes, the same operations as sampling.cpp's horner: ((c0 x + c1) x + c2)...
__attribute__((target("avx512f,avx512dq,avx512vl"))) inline __m512d horner8_avx512(const std::array<double, 8>& c,
                                                                                   __m512d x) {
  __m512d acc = _mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(c[0]), x), _mm512_set1_pd(c[1]));
  for (int j = 2; j < 8; ++j) acc = _mm512_add_pd(_mm512_mul_pd(acc, x), _mm512_set1_pd(c[j]));
  return acc;
}

// engine_log in lanes: the same operations in the same order as the scalar engine_log.
__attribute__((target("avx512f,avx512dq,avx512vl"))) inline __m512d engine_log_avx512(__m512d x) {
  const __m512i bits = _mm512_castpd_si512(x);
  const __m512i mant = _mm512_and_si512(bits, _mm512_set1_epi64(static_cast<long long>(kMantissa)));
  const __m512i i = _mm512_and_si512(
      _mm512_srli_epi64(_mm512_add_epi64(mant, _mm512_set1_epi64(static_cast<long long>(kSqrt2Carry))), 52),
      _mm512_set1_epi64(1));
  const __m512d k = _mm512_cvtepi64_pd(
      _mm512_sub_epi64(_mm512_add_epi64(_mm512_srli_epi64(bits, 52), i), _mm512_set1_epi64(1023)));
  const __m512d m = _mm512_castsi512_pd(
      _mm512_or_si512(mant, _mm512_slli_epi64(_mm512_sub_epi64(_mm512_set1_epi64(0x3ff), i), 52)));
  const __m512d f = _mm512_sub_pd(m, _mm512_set1_pd(1.0));
  const __m512d s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
  const __m512d z = _mm512_mul_pd(s, s);
  const __m512d w = _mm512_mul_pd(z, z);
  __m512d lg[7];
  for (int j = 0; j < 7; ++j) lg[j] = _mm512_set1_pd(kLg[j]);
  // t1 = w (Lg2 + w (Lg4 + w Lg6)), t2 = z (Lg1 + w (Lg3 + w (Lg5 + w Lg7)))
  const __m512d t1 =
      _mm512_mul_pd(w, _mm512_add_pd(lg[1], _mm512_mul_pd(w, _mm512_add_pd(lg[3], _mm512_mul_pd(w, lg[5])))));
  __m512d t2 = _mm512_add_pd(lg[4], _mm512_mul_pd(w, lg[6]));
  t2 = _mm512_add_pd(lg[2], _mm512_mul_pd(w, t2));
  t2 = _mm512_mul_pd(z, _mm512_add_pd(lg[0], _mm512_mul_pd(w, t2)));
  const __m512d R = _mm512_add_pd(t2, t1);
  const __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), f), f);
  // k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
  const __m512d inner =
      _mm512_add_pd(_mm512_mul_pd(s, _mm512_add_pd(hfsq, R)), _mm512_mul_pd(k, _mm512_set1_pd(kLn2Lo)));
  return _mm512_sub_pd(_mm512_mul_pd(k, _mm512_set1_pd(kLn2Hi)),
                       _mm512_sub_pd(_mm512_sub_pd(hfsq, inner), f));
}

// The AS241 tails in lanes (ppnd16_tail): both rational functions, blended by r <= 5, sign by q.
// The far one (r > 5, u below 1.4e-11 from 0 or 1) only when a lane needs it.
__attribute__((target("avx512f,avx512dq,avx512vl"))) inline __m512d ppnd16_tail_avx512(__m512d q, __m512d u) {
  const __m512i sign = _mm512_set1_epi64(static_cast<long long>(kSignBit));
  const __mmask8 lower = _mm512_cmp_pd_mask(q, _mm512_setzero_pd(), _CMP_LT_OQ);
  const __m512d p = _mm512_mask_blend_pd(lower, _mm512_sub_pd(_mm512_set1_pd(1.0), u), u);
  const __m512d neg_log =
      _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(engine_log_avx512(p)), sign));
  const __m512d r = _mm512_sqrt_pd(neg_log);
  const __m512d tn = _mm512_sub_pd(r, _mm512_set1_pd(1.6));
  __m512d val = _mm512_div_pd(horner8_avx512(kNearNum, tn), horner8_avx512(kNearDen, tn));
  const __mmask8 far = _mm512_cmp_pd_mask(r, _mm512_set1_pd(5.0), _CMP_NLE_UQ);
  if (far) {
    const __m512d tf = _mm512_sub_pd(r, _mm512_set1_pd(5.0));
    val = _mm512_mask_blend_pd(far, val,
                               _mm512_div_pd(horner8_avx512(kFarNum, tf), horner8_avx512(kFarDen, tf)));
  }
  return _mm512_mask_blend_pd(lower, val,
                              _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(val), sign)));
}


// u in lanes from words w0, w1 (to_open_unit, as uniform_from_words); lanes off in mask read zeros.
__attribute__((target("avx512f,avx512dq,avx512vl"))) inline __m512d uniform_avx512(__mmask8 mask,
                                                                                   const std::uint32_t* w0,
                                                                                   const std::uint32_t* w1) {
  const __m512i hi = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(mask, w0));
  const __m512i lo = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(mask, w1));
  const __m512i bits = _mm512_srli_epi64(_mm512_or_si512(_mm512_slli_epi64(hi, 32), lo), 12);
  return _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepu64_pd(bits), _mm512_set1_pd(0.5)),
                       _mm512_set1_pd(0x1.0p-52));
}

// z[i] = sample_standard_normal(u(w0[i], w1[i])) for i < m <= 256, whole vectors stored (z up to the next
// multiple of 8). The tail draws are packed eight to a vector, in three passes.
__attribute__((target("avx512f,avx512dq,avx512vl"))) void normal_avx512(const std::uint32_t* w0,
                                                                        const std::uint32_t* w1,
                                                                        std::size_t m, double* z) {
  alignas(64) double tail_u[256 + 8];  // a full vector is stored at the packed count
  alignas(64) double tail_z[256 + 8];
  __mmask8 tails[256 / 8];
  const __m512d half = _mm512_set1_pd(0.5);
  std::size_t t = 0;  // tail draws packed so far
  for (std::size_t i = 0; i < m; i += 8) {
    const __mmask8 mask = m - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (m - i)) - 1u);
    const __m512d u = uniform_avx512(mask, w0 + i, w1 + i);
    const __m512d q = _mm512_sub_pd(u, half);
    const __m512d r = _mm512_sub_pd(_mm512_set1_pd(0.180625), _mm512_mul_pd(q, q));
    _mm512_store_pd(z + i, _mm512_div_pd(_mm512_mul_pd(q, horner8_avx512(kCentralNum, r)),
                                         horner8_avx512(kCentralDen, r)));
    const __mmask8 tail = _mm512_mask_cmp_pd_mask(mask, _mm512_abs_pd(q), _mm512_set1_pd(0.425), _CMP_GT_OQ);
    tails[i / 8] = tail;
    _mm512_storeu_pd(tail_u + t, _mm512_maskz_compress_pd(tail, u));
    t += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(tail)));
  }
  for (std::size_t j = 0; j < t; j += 8) {  // past the packed draws: u = 0.5, a harmless value
    const __mmask8 mask = t - j >= 8 ? __mmask8(0xFF) : __mmask8((1u << (t - j)) - 1u);
    const __m512d u = _mm512_mask_loadu_pd(half, mask, tail_u + j);
    _mm512_store_pd(tail_z + j, ppnd16_tail_avx512(_mm512_sub_pd(u, half), u));
  }
  t = 0;
  for (std::size_t i = 0; i < m; i += 8) {
    const __mmask8 tail = tails[i / 8];
    const unsigned count = static_cast<unsigned>(std::popcount(static_cast<unsigned>(tail)));
    const __m512d packed = _mm512_maskz_loadu_pd(__mmask8((1u << count) - 1u), tail_z + t);
    _mm512_store_pd(z + i, _mm512_mask_expand_pd(_mm512_load_pd(z + i), tail, packed));
    t += count;
  }
}

//! exp(x) in eight lanes, as engine_exp: x clamped to [kExpMin, kExpMax] (a NaN becomes kExpMin), then
//! 2^k1 2^k2 e^r with the same reduction and polynomial.
__attribute__((target("avx512f,avx512dq,avx512vl"))) inline __m512d engine_exp_avx512(__m512d x) {
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
  return _mm512_mul_pd(_mm512_mul_pd(p, s1), s2);
}

// The normals of up to 256 draws at a time (normal_avx512), then exp(mu + sigma z) in lanes.
__attribute__((target("avx512f,avx512dq,avx512vl"))) void lognormal_avx512(double mu, double sigma,
                                                                           const std::uint32_t* w0,
                                                                           const std::uint32_t* w1,
                                                                           std::size_t n, double* out) {
  constexpr std::size_t kBlock = 256;
  alignas(64) double z[kBlock];
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    normal_avx512(w0 + b, w1 + b, m, z);
    for (std::size_t i = 0; i < m; i += 8) {
      const __mmask8 mask = m - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (m - i)) - 1u);
      const __m512d x =
          _mm512_add_pd(_mm512_set1_pd(mu), _mm512_mul_pd(_mm512_set1_pd(sigma), _mm512_load_pd(z + i)));
      _mm512_mask_storeu_pd(out + b + i, mask, engine_exp_avx512(x));
    }
  }
}

// The triangular inverse CDF of sample(), both branches in every lane, then a blend: sqrt, division
// and the rest are correctly rounded IEEE operations, so the lanes give exactly the scalar bits.
__attribute__((target("avx512f,avx512dq,avx512vl"))) void triangular_avx512(double lo, double mode, double hi,
                                                                            const std::uint32_t* w0,
                                                                            const std::uint32_t* w1,
                                                                            std::size_t n, double* out) {
  const __m512d half = _mm512_set1_pd(0.5), scale = _mm512_set1_pd(0x1.0p-52);
  const __m512d vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi), one = _mm512_set1_pd(1.0);
  const __m512d width = _mm512_set1_pd(hi - lo), left = _mm512_set1_pd(mode - lo),
                right = _mm512_set1_pd(hi - mode);
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

// Beta and PERT (both shapes >= 1): the first try of sampling.cpp's marsaglia_tsang for each of the
// two gammas, x from block 0 (words 0, 1: the normal; 2, 3: the acceptance test's u) and y from block 1.
// The normals' AS241 tails run in lanes too (ppnd16 in sampling.cpp takes the same engine_log).

//! d = shape - 1/3 and c = 1/sqrt(9 d), computed once per batch (marsaglia_tsang's bits).
struct GammaShape {
  double d, c;
  explicit GammaShape(double shape) : d(shape - 1.0 / 3.0), c(1.0 / std::sqrt(9.0 * d)) {}
};

// The log test of marsaglia_tsang, log(u) < 0.5 x^2 + d (1 - v + log(v)), is taken with engine_log
// where sample() takes the C library's log, and accepted only if it holds by a margin of
// kLogTestMargin times the size of its terms (`scale` below): both logs are within 1 ulp of the
// truth, so the two evaluations of the test differ by less than 8 ulp of scale (2e-15 scale; the
// margin is 500 times that), and whatever passes here passes in sample(). The rest (rejected, or
// within the margin: about one draw in 10^12) is left to sample().
constexpr double kLogTestMargin = 1e-12;
constexpr double kMinNormal = 0x1.0p-1022;  // engine_log's domain starts here

// marsaglia_tsang's first try: true and g = d v if v > 0 and the squeeze test accepts, or the log
// test accepts by the margin.
inline bool gamma_first_try(const GammaShape& s, std::uint32_t w0, std::uint32_t w1, std::uint32_t w2,
                            std::uint32_t w3, double& g) {
  const double x = sample_standard_normal(uniform_from_words(w0, w1));
  double v = 1.0 + s.c * x;
  if (!(v > 0.0)) return false;
  v = v * v * v;
  const double u = uniform_from_words(w2, w3);
  const double x2 = x * x;
  if (!(u < 1.0 - 0.0331 * x2 * x2)) {
    if (!(v >= kMinNormal)) return false;
    const double lu = engine_log(u), lv = engine_log(v);
    const double rhs = 0.5 * x2 + s.d * (1.0 - v + lv);
    const double scale = std::fabs(lu) + 0.5 * x2 + s.d * (std::fabs(1.0 - v) + std::fabs(lv));
    if (!(lu < rhs - kLogTestMargin * scale)) return false;
  }
  g = s.d * v;
  return true;
}

// gamma_first_try in lanes: d v, and `ok` cleared in the lanes that gamma_first_try would reject.
// The log test only when a lane needs it (about 8 % of lanes fail the squeeze).
__attribute__((target("avx512f,avx512dq,avx512vl"))) inline __m512d gamma_first_try_avx512(
    const GammaShape& s, __m512d x, __m512d u, __mmask8& ok) {
  const __m512d one = _mm512_set1_pd(1.0), d = _mm512_set1_pd(s.d);
  __m512d v = _mm512_add_pd(one, _mm512_mul_pd(_mm512_set1_pd(s.c), x));
  const __mmask8 positive = _mm512_mask_cmp_pd_mask(ok, v, _mm512_setzero_pd(), _CMP_GT_OQ);
  v = _mm512_mul_pd(_mm512_mul_pd(v, v), v);
  const __m512d x2 = _mm512_mul_pd(x, x);
  const __m512d bound = _mm512_sub_pd(one, _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.0331), x2), x2));
  const __mmask8 squeeze = _mm512_mask_cmp_pd_mask(positive, u, bound, _CMP_LT_OQ);
  ok = squeeze;
  const __mmask8 log_test = _mm512_mask_cmp_pd_mask(positive & static_cast<__mmask8>(~squeeze), v,
                                                    _mm512_set1_pd(kMinNormal), _CMP_GE_OQ);
  if (log_test) {
    const __m512d lu = engine_log_avx512(u), lv = engine_log_avx512(v);
    const __m512d half_x2 = _mm512_mul_pd(_mm512_set1_pd(0.5), x2);
    const __m512d one_minus_v = _mm512_sub_pd(one, v);
    const __m512d rhs = _mm512_add_pd(half_x2, _mm512_mul_pd(d, _mm512_add_pd(one_minus_v, lv)));
    const __m512d scale =
        _mm512_add_pd(_mm512_add_pd(_mm512_abs_pd(lu), half_x2),
                      _mm512_mul_pd(d, _mm512_add_pd(_mm512_abs_pd(one_minus_v), _mm512_abs_pd(lv))));
    const __m512d limit = _mm512_sub_pd(rhs, _mm512_mul_pd(_mm512_set1_pd(kLogTestMargin), scale));
    ok |= _mm512_mask_cmp_pd_mask(log_test, lu, limit, _CMP_LT_OQ);
  }
  return _mm512_mul_pd(d, v);
}

// Up to 256 entries at a time: both normals (normal_avx512), then both gammas' first tries, the
// ratio and PERT's scaling in lanes; the lanes that fail are listed for sample().
__attribute__((target("avx512f,avx512dq,avx512vl"))) std::size_t pert_avx512(
    double lo, double hi, const GammaShape& ga, const GammaShape& gb, const std::uint32_t* const b0[4],
    const std::uint32_t* const b1[4], std::size_t n, double* out, std::uint32_t* fallback) {
  constexpr std::size_t kBlock = 256;
  alignas(64) double zx[kBlock], zy[kBlock];
  const __m512d vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi), width = _mm512_set1_pd(hi - lo);
  std::size_t nf = 0;
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    normal_avx512(b0[0] + b, b0[1] + b, m, zx);
    normal_avx512(b1[0] + b, b1[1] + b, m, zy);
    for (std::size_t i = 0; i < m; i += 8) {
      const __mmask8 mask = m - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (m - i)) - 1u);
      __mmask8 ok = mask;
      const std::size_t at = b + i;
      const __m512d x = gamma_first_try_avx512(ga, _mm512_load_pd(zx + i),
                                               uniform_avx512(mask, b0[2] + at, b0[3] + at), ok);
      const __m512d y = gamma_first_try_avx512(gb, _mm512_load_pd(zy + i),
                                               uniform_avx512(mask, b1[2] + at, b1[3] + at), ok);
      const __m512d beta = _mm512_div_pd(x, _mm512_add_pd(x, y));
      __m512d v = _mm512_add_pd(vlo, _mm512_mul_pd(width, beta));
      // std::clamp(v, lo, hi): v < lo ? lo : (hi < v ? hi : v)
      v = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(v, vlo, _CMP_LT_OQ), v, vlo);
      v = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(vhi, v, _CMP_LT_OQ), v, vhi);
      _mm512_mask_storeu_pd(out + at, mask, v);
      // the lanes that fail, in order (rare: a loop over the mask, not a compressing store)
      for (unsigned bad = mask & static_cast<unsigned>(static_cast<__mmask8>(~ok)); bad != 0; bad &= bad - 1)
        fallback[nf++] = static_cast<std::uint32_t>(at + static_cast<std::size_t>(std::countr_zero(bad)));
    }
  }
  return nf;
}

bool has_avx512() { return isa() == Isa::avx512; }

}  // namespace

double uniform_from_words(std::uint32_t w0, std::uint32_t w1) {
  return to_open_unit((std::uint64_t{w0} << 32) | w1);
}

double engine_log(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const std::uint64_t mant = bits & kMantissa;
  const std::uint64_t i = ((mant + kSqrt2Carry) >> 52) & 1;  // 1: m >= sqrt(2), halve it
  const double k = static_cast<double>(static_cast<std::int64_t>((bits >> 52) + i) - 1023);
  const double m = std::bit_cast<double>(mant | ((0x3ff - i) << 52));
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg[1] + w * (kLg[3] + w * kLg[5]));
  const double t2 = z * (kLg[0] + w * (kLg[2] + w * (kLg[4] + w * kLg[6])));
  const double R = t2 + t1;
  const double hfsq = 0.5 * f * f;
  return k * kLn2Hi - ((hfsq - (s * (hfsq + R) + k * kLn2Lo)) - f);
}


double engine_exp(double x) {
  x = x > kExpMin ? x : kExpMin;  // as vmaxpd/vminpd in the lanes: a NaN becomes kExpMin
  x = x < kExpMax ? x : kExpMax;
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
  return engine_exp(mu + sigma * sample_standard_normal(uniform_from_words(w0, w1)));
}

void normal_from_words(const std::uint32_t* w0, const std::uint32_t* w1, std::size_t n, double* out) {
  if (!has_avx512()) {
    for (std::size_t i = 0; i < n; ++i) out[i] = sample_standard_normal(uniform_from_words(w0[i], w1[i]));
    return;
  }
  alignas(64) double z[256];  // normal_avx512 stores whole vectors
  for (std::size_t b = 0; b < n; b += 256) {
    const std::size_t m = std::min<std::size_t>(256, n - b);
    normal_avx512(w0 + b, w1 + b, m, z);
    std::copy_n(z, m, out + b);
  }
}

void lognormal_from_words(double mu, double sigma, const std::uint32_t* w0, const std::uint32_t* w1,
                          std::size_t n, double* out) {
  const bool vector = has_avx512();
  if (vector) {
    lognormal_avx512(mu, sigma, w0, w1, n, out);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = lognormal_from_words(mu, sigma, w0[i], w1[i]);
}

void triangular_from_words(double lo, double mode, double hi, const std::uint32_t* w0,
                           const std::uint32_t* w1, std::size_t n, double* out) {
  const bool vector = has_avx512();
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

std::size_t pert_from_words_scalar(double lo, double hi, double alpha, double beta,
                                   const std::uint32_t* const b0[4], const std::uint32_t* const b1[4],
                                   std::size_t n, double* out, std::uint32_t* fallback) {
  const GammaShape ga(alpha), gb(beta);
  std::size_t nf = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double x, y;
    if (gamma_first_try(ga, b0[0][i], b0[1][i], b0[2][i], b0[3][i], x) &&
        gamma_first_try(gb, b1[0][i], b1[1][i], b1[2][i], b1[3][i], y)) {
      out[i] = std::clamp(lo + (hi - lo) * (x / (x + y)), lo, hi);  // sample(), DistKind::pert
    } else {
      fallback[nf++] = static_cast<std::uint32_t>(i);
    }
  }
  return nf;
}

std::size_t pert_from_words(double lo, double hi, double alpha, double beta, const std::uint32_t* const b0[4],
                            const std::uint32_t* const b1[4], std::size_t n, double* out,
                            std::uint32_t* fallback) {
  const bool vector = has_avx512();
  if (vector) return pert_avx512(lo, hi, GammaShape(alpha), GammaShape(beta), b0, b1, n, out, fallback);
  return pert_from_words_scalar(lo, hi, alpha, beta, b0, b1, n, out, fallback);
}

// Beta is PERT on [0, 1]: 0 + 1 b is b and b is in [0, 1], so the clamp changes no bit.
std::size_t beta_from_words(double alpha, double beta, const std::uint32_t* const b0[4],
                            const std::uint32_t* const b1[4], std::size_t n, double* out,
                            std::uint32_t* fallback) {
  return pert_from_words(0.0, 1.0, alpha, beta, b0, b1, n, out, fallback);
}

}  // namespace mistakesim::detail
