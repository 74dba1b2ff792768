// Philox4x32-10 for many counters side by side (random.hpp, philox_blocks).
//
// The engine needs one Philox block per addressed quantity, and at ~4.5 ns a block on one core the
// scalar generator was most of the cost of an opportunity. The counters of one batch differ only in
// the opportunity word, so the 32x32 -> 64-bit multiplies of sixteen (AVX-512) or eight (AVX2)
// blocks run in vector lanes: even lanes with vpmuludq directly, odd lanes after a 32-bit shift,
// then low and high halves are blended back. Integer arithmetic only: every path, the scalar
// remainder included, gives exactly the bits of r123::Philox4x32 (tested against it). The path is
// chosen once at run time from the CPU's features, so the binary stays portable.

#include <mistakesim/random.hpp>

#include "model/isa.hpp"

// GCC 12 warns that the AVX-512 intrinsics' internal "undefined" vectors may be used
// uninitialized (GCC bug 105593, a false positive in avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

namespace mistakesim {
namespace {

using detail::Isa;

constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // Philox4x32 multipliers
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Weyl key increments
constexpr int kRounds = 10;

struct Counter {  // the lanes-invariant part of the counter, and the key
  std::uint32_t c1, c2, c3, k0, k1;
};

void scalar_blocks(const Counter& c, const std::uint32_t* opp, std::size_t begin, std::size_t n,
                   std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  for (std::size_t i = begin; i < n; ++i) {
    std::uint32_t x0 = opp[i], x1 = c.c1, x2 = c.c2, x3 = c.c3, a = c.k0, b = c.k1;
    for (int r = 0; r < kRounds; ++r) {
      const std::uint64_t p0 = std::uint64_t{kM0} * x0;
      const std::uint64_t p1 = std::uint64_t{kM1} * x2;
      x0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1 ^ a;
      x1 = static_cast<std::uint32_t>(p1);
      x2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3 ^ b;
      x3 = static_cast<std::uint32_t>(p0);
      a += kW0;
      b += kW1;
    }
    w0[i] = x0;
    w1[i] = x1;
    w2[i] = x2;
    w3[i] = x3;
  }
}

//! hi and lo halves of the 32 x 32 -> 64-bit products x * m in sixteen lanes (m broadcast as 64-bit).
//! The even lanes' products e hold (lo, hi) in dword pairs, the odd lanes' o too; a masked swap of
//! each dword pair moves e's hi into even lanes of `hi` and o's lo into odd lanes of `lo`.
__attribute__((target("avx512f"))) inline void mul_hi_lo(__m512i x, __m512i m, __m512i& hi, __m512i& lo) {
  const __m512i e = _mm512_mul_epu32(x, m), o = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), m);
  lo = _mm512_mask_shuffle_epi32(e, 0xAAAA, o, _MM_PERM_CDAB);
  hi = _mm512_mask_shuffle_epi32(o, 0x5555, e, _MM_PERM_CDAB);
}

//! Philox rounds `first` to kRounds - 1 on sixteen counters (key words a, b as of round `first`),
//! then the four words stored in the lanes of `mask`.
__attribute__((target("avx512f"))) inline void finish_avx512(__m512i x0, __m512i x1, __m512i x2, __m512i x3,
                                                             std::uint32_t a, std::uint32_t b, int first,
                                                             __mmask16 mask, std::uint32_t* w0,
                                                             std::uint32_t* w1, std::uint32_t* w2,
                                                             std::uint32_t* w3) {
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  for (int r = first; r < kRounds; ++r) {
    __m512i hi0, lo0, hi1, lo1;
    mul_hi_lo(x0, m0, hi0, lo0);
    mul_hi_lo(x2, m1, hi1, lo1);
    x0 = _mm512_ternarylogic_epi32(hi1, x1, _mm512_set1_epi32(static_cast<int>(a)), 0x96);  // three-way xor
    x2 = _mm512_ternarylogic_epi32(hi0, x3, _mm512_set1_epi32(static_cast<int>(b)), 0x96);
    x1 = lo1;
    x3 = lo0;
    a += kW0;
    b += kW1;
  }
  _mm512_mask_storeu_epi32(w0, mask, x0);
  _mm512_mask_storeu_epi32(w1, mask, x1);
  _mm512_mask_storeu_epi32(w2, mask, x2);
  _mm512_mask_storeu_epi32(w3, mask, x3);
}

// The counters of a batch differ only in word 0 (the opportunity), so in the first round the second
// product (of word 2) is the same in every lane, and in the second round the first one (of word 0):
// those are computed once, in scalar, and only eighteen of the twenty vector products remain.
__attribute__((target("avx512f"))) std::size_t avx512_blocks(const Counter& c, const std::uint32_t* opp,
                                                             std::size_t n, std::uint32_t* w0,
                                                             std::uint32_t* w1, std::uint32_t* w2,
                                                             std::uint32_t* w3) {
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  const auto set1 = [](std::uint32_t v) { return static_cast<int>(v); };
  // Round 1, lane-invariant half: word 2's product.
  const std::uint64_t p1 = std::uint64_t{kM1} * c.c2;
  const std::uint32_t r1_x0 = static_cast<std::uint32_t>(p1 >> 32) ^ c.c1 ^ c.k0;  // word 0 after round 1
  const std::uint32_t r1_x1 = static_cast<std::uint32_t>(p1);                      // word 1 after round 1
  // Round 2, lane-invariant half: word 0's product (word 0 after round 1 is the same in every lane).
  const std::uint64_t p0 = std::uint64_t{kM0} * r1_x0;
  const std::uint32_t a1 = c.k0 + kW0, b1 = c.k1 + kW1;
  std::size_t i = 0;
  for (; i < n; i += 16) {  // the last, partial group with masked loads and stores
    const __mmask16 mask = __mmask16(detail::first_lanes(n - i));
    __m512i hi, lo;
    // Round 1: word 0's product varies by lane.
    mul_hi_lo(_mm512_maskz_loadu_epi32(mask, opp + i), m0, hi, lo);
    const __m512i r1_x2 =
        _mm512_ternarylogic_epi32(hi, _mm512_set1_epi32(set1(c.c3)), _mm512_set1_epi32(set1(c.k1)), 0x96);
    const __m512i r1_x3 = lo;
    // Round 2: word 2's product varies by lane.
    mul_hi_lo(r1_x2, m1, hi, lo);
    const __m512i x0 =
        _mm512_ternarylogic_epi32(hi, _mm512_set1_epi32(set1(r1_x1)), _mm512_set1_epi32(set1(a1)), 0x96);
    const __m512i x1 = lo;
    const __m512i x2 =
        _mm512_ternarylogic_epi32(_mm512_set1_epi32(set1(static_cast<std::uint32_t>(p0 >> 32))), r1_x3,
                                  _mm512_set1_epi32(set1(b1)), 0x96);
    const __m512i x3 = _mm512_set1_epi32(set1(static_cast<std::uint32_t>(p0)));
    finish_avx512(x0, x1, x2, x3, a1 + kW0, b1 + kW1, 2, mask, w0 + i, w1 + i, w2 + i, w3 + i);
  }
  return i;
}

__attribute__((target("avx2"))) std::size_t avx2_blocks(const Counter& c, const std::uint32_t* opp,
                                                        std::size_t n, std::uint32_t* w0, std::uint32_t* w1,
                                                        std::uint32_t* w2, std::uint32_t* w3) {
  const __m256i m0 = _mm256_set1_epi64x(kM0), m1 = _mm256_set1_epi64x(kM1);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(opp + i));
    __m256i x1 = _mm256_set1_epi32(static_cast<int>(c.c1));
    __m256i x2 = _mm256_set1_epi32(static_cast<int>(c.c2));
    __m256i x3 = _mm256_set1_epi32(static_cast<int>(c.c3));
    std::uint32_t a = c.k0, b = c.k1;
    for (int r = 0; r < kRounds; ++r) {
      const __m256i e0 = _mm256_mul_epu32(x0, m0), o0 = _mm256_mul_epu32(_mm256_srli_epi64(x0, 32), m0);
      const __m256i e1 = _mm256_mul_epu32(x2, m1), o1 = _mm256_mul_epu32(_mm256_srli_epi64(x2, 32), m1);
      const __m256i lo0 = _mm256_blend_epi32(e0, _mm256_slli_epi64(o0, 32), 0xAA);
      const __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(e0, 32), o0, 0xAA);
      const __m256i lo1 = _mm256_blend_epi32(e1, _mm256_slli_epi64(o1, 32), 0xAA);
      const __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(e1, 32), o1, 0xAA);
      x0 = _mm256_xor_si256(_mm256_xor_si256(hi1, x1), _mm256_set1_epi32(static_cast<int>(a)));
      x2 = _mm256_xor_si256(_mm256_xor_si256(hi0, x3), _mm256_set1_epi32(static_cast<int>(b)));
      x1 = lo1;
      x3 = lo0;
      a += kW0;
      b += kW1;
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w0 + i), x0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w1 + i), x1);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w2 + i), x2);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w3 + i), x3);
  }
  return i;
}

//! Blocks of consecutive trials at one (opportunity, slot): counter words 0 and 1 are the same in
//! every lane, words 2 and 3 (the trial and the block number) differ; the general ten rounds.
__attribute__((target("avx512f"))) std::size_t avx512_trial_blocks(std::uint64_t seed,
                                                                   std::uint64_t first_trial, std::size_t n,
                                                                   std::uint32_t opportunity,
                                                                   std::uint32_t slot, std::uint32_t block,
                                                                   std::uint32_t* w0, std::uint32_t* w1,
                                                                   std::uint32_t* w2, std::uint32_t* w3) {
  const __m512i iota = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  std::size_t i = 0;
  for (; i < n; i += 16) {
    const __mmask16 mask = __mmask16(detail::first_lanes(n - i));
    // The 64-bit trials of the sixteen lanes, split into low and high words.
    const __m512i t_lo = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(first_trial + i)), iota);
    const __m512i t_hi =
        _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(first_trial + i + 8)), iota);
    const __m512i idx_lo = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i idx_hi = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    __m512i x0 = _mm512_set1_epi32(static_cast<int>(opportunity));
    __m512i x1 = _mm512_set1_epi32(static_cast<int>(slot));
    __m512i x2 = _mm512_permutex2var_epi32(t_lo, idx_lo, t_hi);
    __m512i x3 = _mm512_xor_si512(_mm512_permutex2var_epi32(t_lo, idx_hi, t_hi),
                                  _mm512_set1_epi32(static_cast<int>(block << 16)));
    finish_avx512(x0, x1, x2, x3, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32), 0,
                  mask, w0 + i, w1 + i, w2 + i, w3 + i);
  }
  return i;
}

}  // namespace

void philox_blocks(std::uint64_t seed, std::uint64_t trial, std::uint32_t slot, std::uint32_t block,
                   std::span<const std::uint32_t> opportunities, std::uint32_t* w0, std::uint32_t* w1,
                   std::uint32_t* w2, std::uint32_t* w3) {
  const Isa path = detail::isa();
  const Counter c{slot, static_cast<std::uint32_t>(trial),
                  static_cast<std::uint32_t>(trial >> 32) ^ (block << 16), static_cast<std::uint32_t>(seed),
                  static_cast<std::uint32_t>(seed >> 32)};
  const std::uint32_t* opp = opportunities.data();
  const std::size_t n = opportunities.size();
  std::size_t done = 0;
  if (path == Isa::avx512) {
    done = avx512_blocks(c, opp, n, w0, w1, w2, w3);
  } else if (path == Isa::avx2) {
    done = avx2_blocks(c, opp, n, w0, w1, w2, w3);
  }
  scalar_blocks(c, opp, done, n, w0, w1, w2, w3);
}

void philox_blocks_over_trials(std::uint64_t seed, std::uint64_t first_trial, std::size_t n,
                               std::uint32_t opportunity, std::uint32_t slot, std::uint32_t block,
                               std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  const Isa path = detail::isa();
  std::size_t done = 0;
  if (path == Isa::avx512)
    done = avx512_trial_blocks(seed, first_trial, n, opportunity, slot, block, w0, w1, w2, w3);
  for (std::size_t i = done; i < n; ++i) {
    const auto r = philox_block(seed, DrawAddress{first_trial + i, opportunity, slot}, block);
    w0[i] = r.v[0];
    w1[i] = r.v[1];
    w2[i] = r.v[2];
    w3[i] = r.v[3];
  }
}

}  // namespace mistakesim
