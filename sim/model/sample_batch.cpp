// Batched samplers (sample_batch.hpp), written once with Highway for every target (model/simd.hpp).
// Compiled with -ffp-contract=off (CMakeLists.txt) and built from exactly rounded IEEE operations
// only (add, subtract, multiply, divide, square root, round to nearest even, comparisons and bit
// operations; no multiply-add, no approximate reciprocal, no library approximation), in the order
// of the one-draw functions: every target gives every draw the bits of sample().
//
// Workarounds for what Highway 1.0.3 lacks: the last, partial vector of a batch is read and written
// by model/partial-inl.h (masked loads and stores, or a padded copy; no LoadN/StoreN); the AS241 tail draws
// are packed with Compress and put back with one scalar store each (no Expand); the integer <-> double
// conversions of the uniforms, of log's exponent and of exp's scale are done with the exact
// 2^52 magic-number identities (no 64-bit conversions before AVX-512).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/sample_batch.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "model/compress-inl.h"
#include "model/partial-inl.h"

#include "model/as241.hpp"
#include "model/sample_batch.hpp"

#include <mistakesim/distribution.hpp>
#include <mistakesim/random.hpp>

#include <algorithm>
#include <bit>
#include <cmath>

#ifndef MISTAKESIM_SAMPLE_BATCH_CONSTANTS
#define MISTAKESIM_SAMPLE_BATCH_CONSTANTS
namespace mistakesim::detail::batch {

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

// 1.5 * 2^52: an integer k with |k| < 2^51 added to it is exact, and its bits are this one's plus k.
constexpr double kMagic = 0x1.8p52;
constexpr std::uint64_t kMagicBits = 0x4338000000000000u;
// 2^52: a 52-bit integer b or'ed into its mantissa gives the double 2^52 + b exactly.
constexpr double kTwo52 = 0x1.0p52;
constexpr std::uint64_t kTwo52Bits = 0x4330000000000000u;

// The log test of marsaglia_tsang, log(u) < 0.5 x^2 + d (1 - v + log(v)), is taken with engine_log
// where sample() takes the C library's log, and accepted only if it holds by a margin of
// kLogTestMargin times the size of its terms (`scale` below): both logs are within 1 ulp of the
// truth, so the two evaluations of the test differ by less than 8 ulp of scale (2e-15 scale; the
// margin is 500 times that), and whatever passes here passes in sample(). The rest (rejected, or
// within the margin: about one draw in 10^12) is left to sample().
constexpr double kLogTestMargin = 1e-12;
constexpr double kMinNormal = 0x1.0p-1022;  // engine_log's domain starts here

constexpr std::size_t kBlock = 256;  // draws whose normals are computed together

//! d = shape - 1/3 and c = 1/sqrt(9 d), computed once per batch (marsaglia_tsang's bits).
struct GammaShape {
  double d, c;
  explicit GammaShape(double shape) : d(shape - 1.0 / 3.0), c(1.0 / std::sqrt(9.0 * d)) {}
};

}  // namespace mistakesim::detail::batch
#endif

HWY_BEFORE_NAMESPACE();
namespace mistakesim::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using namespace batch;
using namespace as241;

using DF = hn::ScalableTag<double>;
using DU = hn::RebindToUnsigned<DF>;
using DW = hn::Rebind<std::uint32_t, DF>;  // the Philox words of a vector of draws
using VF = hn::Vec<DF>;
using VU = hn::Vec<DU>;
using MF = hn::Mask<DF>;
constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(double);

// Horner's rule in lanes, the same operations as sampling.cpp's horner: ((c0 x + c1) x + c2)...
template <std::size_t K>
HWY_INLINE VF Horner(const std::array<double, K>& c, VF x) {
  const DF d;
  VF acc = hn::Set(d, c[0]);
  for (std::size_t j = 1; j < K; ++j) acc = hn::Add(hn::Mul(acc, x), hn::Set(d, c[j]));
  return acc;
}

//! u of draws [i, i + N) of a batch of n from words w0, w1 (zeros past n: u = 2^-53).
HWY_INLINE VF UniformAt(const std::uint32_t* w0, const std::uint32_t* w1, std::size_t i, std::size_t n) {
  const DF d;
  const DU du;
  const DW dw;
  const VU hi = hn::PromoteTo(du, LoadUpTo(dw, w0 + i, n - i));
  const VU lo = hn::PromoteTo(du, LoadUpTo(dw, w1 + i, n - i));
  const VU bits = hn::ShiftRight<12>(hn::Or(hn::ShiftLeft<32>(hi), lo));
  const VF value = hn::Sub(hn::BitCast(d, hn::Or(bits, hn::Set(du, kTwo52Bits))), hn::Set(d, kTwo52));
  return hn::Mul(hn::Add(value, hn::Set(d, 0.5)), hn::Set(d, 0x1.0p-52));
}

// engine_log in lanes: the same operations in the same order as the scalar engine_log.
HWY_INLINE VF Log(VF x) {
  const DF d;
  const DU du;
  const VU bits = hn::BitCast(du, x);
  const VU mant = hn::And(bits, hn::Set(du, kMantissa));
  const VU i = hn::And(hn::ShiftRight<52>(hn::Add(mant, hn::Set(du, kSqrt2Carry))), hn::Set(du, 1));
  // k = exponent + i - 1023 as a double: the integer added to 1.5 * 2^52's bits, then 1.5 * 2^52 off.
  const VU k_bits =
      hn::Sub(hn::Add(hn::Add(hn::ShiftRight<52>(bits), i), hn::Set(du, kMagicBits)), hn::Set(du, 1023));
  const VF k = hn::Sub(hn::BitCast(d, k_bits), hn::Set(d, kMagic));
  const VF m = hn::BitCast(d, hn::Or(mant, hn::ShiftLeft<52>(hn::Sub(hn::Set(du, 0x3ff), i))));
  const VF f = hn::Sub(m, hn::Set(d, 1.0));
  const VF s = hn::Div(f, hn::Add(hn::Set(d, 2.0), f));
  const VF z = hn::Mul(s, s);
  const VF w = hn::Mul(z, z);
  const auto lg = [&](int j) { return hn::Set(d, kLg[j]); };
  // t1 = w (Lg2 + w (Lg4 + w Lg6)), t2 = z (Lg1 + w (Lg3 + w (Lg5 + w Lg7)))
  const VF t1 = hn::Mul(w, hn::Add(lg(1), hn::Mul(w, hn::Add(lg(3), hn::Mul(w, lg(5))))));
  const VF t2 =
      hn::Mul(z, hn::Add(lg(0), hn::Mul(w, hn::Add(lg(2), hn::Mul(w, hn::Add(lg(4), hn::Mul(w, lg(6))))))));
  const VF R = hn::Add(t2, t1);
  const VF hfsq = hn::Mul(hn::Mul(hn::Set(d, 0.5), f), f);
  // k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
  const VF inner = hn::Add(hn::Mul(s, hn::Add(hfsq, R)), hn::Mul(k, hn::Set(d, kLn2Lo)));
  return hn::Sub(hn::Mul(k, hn::Set(d, kLn2Hi)), hn::Sub(hn::Sub(hfsq, inner), f));
}

//! exp(x) in lanes, as engine_exp: x clamped to [kExpMin, kExpMax] (a NaN becomes kExpMin), then
//! 2^k1 2^k2 e^r with the same reduction and polynomial.
HWY_INLINE VF Exp(VF x) {
  const DF d;
  const DU du;
  const hn::RebindToSigned<DF> di;
  x = hn::IfThenElse(hn::Gt(x, hn::Set(d, kExpMin)), x, hn::Set(d, kExpMin));
  x = hn::IfThenElse(hn::Lt(x, hn::Set(d, kExpMax)), x, hn::Set(d, kExpMax));
  const VF k = hn::Round(hn::Mul(x, hn::Set(d, kLog2e)));
  const VF r = hn::Sub(hn::Sub(x, hn::Mul(k, hn::Set(d, kLn2Hi))), hn::Mul(k, hn::Set(d, kLn2Lo)));
  VF p = hn::Set(d, kInvFact[0]);
  for (int j = 1; j < 14; ++j) p = hn::Add(hn::Mul(p, r), hn::Set(d, kInvFact[j]));
  // k as a 64-bit integer: k + 1.5 * 2^52 is exact, and its bits are 1.5 * 2^52's plus k.
  const auto ki =
      hn::BitCast(di, hn::Sub(hn::BitCast(du, hn::Add(k, hn::Set(d, kMagic))), hn::Set(du, kMagicBits)));
  const auto k1 = hn::ShiftRight<1>(ki);
  const auto k2 = hn::Sub(ki, k1);
  const auto bias = hn::Set(di, 1023);
  const VF s1 = hn::BitCast(d, hn::ShiftLeft<52>(hn::Add(k1, bias)));
  const VF s2 = hn::BitCast(d, hn::ShiftLeft<52>(hn::Add(k2, bias)));
  return hn::Mul(hn::Mul(p, s1), s2);
}

// The AS241 tails in lanes (ppnd16's): both rational functions, chosen by r <= 5, sign by q. The
// far one (r > 5, u below 1.4e-11 from 0 or 1) only when a lane needs it.
HWY_INLINE VF NormalTail(VF u) {
  const DF d;
  const VF q = hn::Sub(u, hn::Set(d, 0.5));
  const MF lower = hn::Lt(q, hn::Zero(d));
  const VF p = hn::IfThenElse(lower, u, hn::Sub(hn::Set(d, 1.0), u));
  const VF r = hn::Sqrt(hn::Neg(Log(p)));
  const VF tn = hn::Sub(r, hn::Set(d, 1.6));
  VF val = hn::Div(Horner(kNearNum, tn), Horner(kNearDen, tn));
  const MF far = hn::Gt(r, hn::Set(d, 5.0));
  if (!hn::AllFalse(d, far)) {
    const VF tf = hn::Sub(r, hn::Set(d, 5.0));
    val = hn::IfThenElse(far, hn::Div(Horner(kFarNum, tf), Horner(kFarDen, tf)), val);
  }
  return hn::IfThenElse(lower, hn::Neg(val), val);
}

// z[i] = sample_standard_normal(u(w0[i], w1[i])) for i < m <= kBlock; z has room for whole vectors
// past m. The central region in every lane; the tail draws (15 % of them) packed with Compress into
// whole vectors, computed, and stored back one by one.
void Normals(const std::uint32_t* w0, const std::uint32_t* w1, std::size_t m, double* z) {
  const DF d;
  const DU du;
  const std::size_t N = hn::Lanes(d);
  HWY_ALIGN double tail_u[kBlock + kMaxLanes];
  HWY_ALIGN double tail_z[kBlock + kMaxLanes];
  HWY_ALIGN std::uint64_t tail_at[kBlock + kMaxLanes];
  std::size_t t = 0;  // tail draws packed so far
  for (std::size_t i = 0; i < m; i += N) {
    const VF u = UniformAt(w0, w1, i, m);
    const VF q = hn::Sub(u, hn::Set(d, 0.5));
    const VF r = hn::Sub(hn::Set(d, 0.180625), hn::Mul(q, q));
    hn::StoreU(hn::Div(hn::Mul(q, Horner(kCentralNum, r)), Horner(kCentralDen, r)), d, z + i);
    const MF tail = hn::And(hn::FirstN(d, m - i), hn::Gt(hn::Abs(q), hn::Set(d, 0.425)));
    hn::StoreU(CompressLanes(d, u, tail), d, tail_u + t);
    hn::StoreU(CompressLanes(du, hn::Add(hn::Iota(du, 0), hn::Set(du, i)), hn::RebindMask(du, tail)), du,
               tail_at + t);
    t += hn::CountTrue(d, tail);
  }
  std::fill_n(tail_u + t, N, 0.25);  // past the packed draws: a harmless value
  for (std::size_t j = 0; j < t; j += N) hn::StoreU(NormalTail(hn::LoadU(d, tail_u + j)), d, tail_z + j);
  for (std::size_t j = 0; j < t; ++j) z[tail_at[j]] = tail_z[j];
}

void Lognormal(double mu, double sigma, const std::uint32_t* w0, const std::uint32_t* w1, std::size_t n,
               double* out) {
  const DF d;
  const std::size_t N = hn::Lanes(d);
  HWY_ALIGN double z[kBlock + kMaxLanes];
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    Normals(w0 + b, w1 + b, m, z);
    for (std::size_t i = 0; i < m; i += N) {
      const VF x = hn::Add(hn::Set(d, mu), hn::Mul(hn::Set(d, sigma), hn::LoadU(d, z + i)));
      StoreUpTo(d, Exp(x), out + b + i, m - i);
    }
  }
}

// The triangular inverse CDF of sample(), both branches in every lane, then a choice: sqrt,
// division and the rest are exactly rounded, so the lanes give exactly sample()'s bits.
void Triangular(double lo, double mode, double hi, const std::uint32_t* w0, const std::uint32_t* w1,
                std::size_t n, double* out) {
  const DF d;
  const std::size_t N = hn::Lanes(d);
  const VF vlo = hn::Set(d, lo), vhi = hn::Set(d, hi), one = hn::Set(d, 1.0);
  const VF width = hn::Set(d, hi - lo), left = hn::Set(d, mode - lo), right = hn::Set(d, hi - mode);
  for (std::size_t i = 0; i < n; i += N) {
    const VF u = UniformAt(w0, w1, i, n);
    const VF uw = hn::Mul(u, width);
    const VF a = hn::Add(vlo, hn::Sqrt(hn::Mul(uw, left)));
    const VF b = hn::Sub(vhi, hn::Sqrt(hn::Mul(hn::Mul(hn::Sub(one, u), width), right)));
    VF x = hn::IfThenElse(hn::Lt(uw, left), a, b);
    // std::clamp(x, lo, hi): x < lo ? lo : (hi < x ? hi : x)
    x = hn::IfThenElse(hn::Lt(x, vlo), vlo, x);
    x = hn::IfThenElse(hn::Lt(vhi, x), vhi, x);
    StoreUpTo(d, x, out + i, n - i);
  }
}

// Marsaglia-Tsang's first try in lanes: d v, and `ok` cleared in the lanes that sample() would not
// accept at its first try (or accepts only by less than the log test's margin). The log test only
// when a lane needs it (about 8 % of lanes fail the squeeze).
HWY_INLINE VF GammaFirstTry(const GammaShape& s, VF x, VF u, MF& ok) {
  const DF df;
  const VF one = hn::Set(df, 1.0), d = hn::Set(df, s.d);
  VF v = hn::Add(one, hn::Mul(hn::Set(df, s.c), x));
  const MF positive = hn::And(ok, hn::Gt(v, hn::Zero(df)));
  v = hn::Mul(hn::Mul(v, v), v);
  const VF x2 = hn::Mul(x, x);
  const VF bound = hn::Sub(one, hn::Mul(hn::Mul(hn::Set(df, 0.0331), x2), x2));
  const MF squeeze = hn::And(positive, hn::Lt(u, bound));
  ok = squeeze;
  const MF log_test = hn::And(hn::AndNot(squeeze, positive), hn::Ge(v, hn::Set(df, kMinNormal)));
  if (!hn::AllFalse(df, log_test)) {
    const VF lu = Log(u), lv = Log(v);
    const VF half_x2 = hn::Mul(hn::Set(df, 0.5), x2);
    const VF one_minus_v = hn::Sub(one, v);
    const VF rhs = hn::Add(half_x2, hn::Mul(d, hn::Add(one_minus_v, lv)));
    const VF scale =
        hn::Add(hn::Add(hn::Abs(lu), half_x2), hn::Mul(d, hn::Add(hn::Abs(one_minus_v), hn::Abs(lv))));
    const VF limit = hn::Sub(rhs, hn::Mul(hn::Set(df, kLogTestMargin), scale));
    ok = hn::Or(ok, hn::And(log_test, hn::Lt(lu, limit)));
  }
  return hn::Mul(d, v);
}

// Both normals (Normals), then both gammas' first tries, the ratio and PERT's scaling in lanes,
// kBlock entries at a time; the entries that fail are listed for sample().
std::size_t Pert(double lo, double hi, double alpha, double beta, const std::uint32_t* const* b0,
                 const std::uint32_t* const* b1, std::size_t n, double* out, std::uint32_t* fallback) {
  const DF d;
  const std::size_t N = hn::Lanes(d);
  const GammaShape ga(alpha), gb(beta);
  HWY_ALIGN double zx[kBlock + kMaxLanes], zy[kBlock + kMaxLanes];
  const VF vlo = hn::Set(d, lo), vhi = hn::Set(d, hi), width = hn::Set(d, hi - lo);
  std::size_t nf = 0;
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    Normals(b0[0] + b, b0[1] + b, m, zx);
    Normals(b1[0] + b, b1[1] + b, m, zy);
    for (std::size_t i = 0; i < m; i += N) {
      const MF in = hn::FirstN(d, m - i);
      MF ok = in;
      const VF x = GammaFirstTry(ga, hn::LoadU(d, zx + i), UniformAt(b0[2] + b, b0[3] + b, i, m), ok);
      const VF y = GammaFirstTry(gb, hn::LoadU(d, zy + i), UniformAt(b1[2] + b, b1[3] + b, i, m), ok);
      VF v = hn::Add(vlo, hn::Mul(width, hn::Div(x, hn::Add(x, y))));
      // std::clamp(v, lo, hi): v < lo ? lo : (hi < v ? hi : v)
      v = hn::IfThenElse(hn::Lt(v, vlo), vlo, v);
      v = hn::IfThenElse(hn::Lt(vhi, v), vhi, v);
      StoreUpTo(d, v, out + b + i, m - i);
      const MF bad = hn::AndNot(ok, in);
      if (hn::AllFalse(d, bad)) continue;
      // the lanes that fail, in order (rare: a loop over the mask bits)
      std::uint8_t bits[(kMaxLanes + 7) / 8] = {};
      hn::StoreMaskBits(d, bad, bits);
      for (std::size_t lane = 0; lane < N; ++lane)
        if ((bits[lane / 8] >> (lane % 8)) & 1) fallback[nf++] = static_cast<std::uint32_t>(b + i + lane);
    }
  }
  return nf;
}

}  // namespace mistakesim::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "model/simd.hpp"

namespace mistakesim::detail {

HWY_EXPORT(Lognormal);
HWY_EXPORT(Triangular);
HWY_EXPORT(Pert);

using namespace batch;

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
  x = x > kExpMin ? x : kExpMin;  // as in the lanes: a NaN becomes kExpMin
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

void lognormal_from_words(double mu, double sigma, const std::uint32_t* w0, const std::uint32_t* w1,
                          std::size_t n, double* out) {
  apply_target_choice();
  HWY_DYNAMIC_DISPATCH(Lognormal)(mu, sigma, w0, w1, n, out);
}

void triangular_from_words(double lo, double mode, double hi, const std::uint32_t* w0,
                           const std::uint32_t* w1, std::size_t n, double* out) {
  apply_target_choice();
  HWY_DYNAMIC_DISPATCH(Triangular)(lo, mode, hi, w0, w1, n, out);
}

std::size_t pert_from_words(double lo, double hi, double alpha, double beta, const std::uint32_t* const b0[4],
                            const std::uint32_t* const b1[4], std::size_t n, double* out,
                            std::uint32_t* fallback) {
  apply_target_choice();
  return HWY_DYNAMIC_DISPATCH(Pert)(lo, hi, alpha, beta, b0, b1, n, out, fallback);
}

// Beta is PERT on [0, 1]: 0 + 1 b is b and b is in [0, 1], so the clamp changes no bit.
std::size_t beta_from_words(double alpha, double beta, const std::uint32_t* const b0[4],
                            const std::uint32_t* const b1[4], std::size_t n, double* out,
                            std::uint32_t* fallback) {
  return pert_from_words(0.0, 1.0, alpha, beta, b0, b1, n, out, fallback);
}

}  // namespace mistakesim::detail
#endif  // HWY_ONCE
