// Philox4x32-10 for many counters side by side (philox_batch.hpp), written once with Highway.
//
// The engine needs one Philox block per addressed quantity. The counters of one batch differ only
// in the opportunity word (or, over trials, in the trial words), so the 32 x 32 -> 64-bit products
// of a whole vector of blocks are computed at once: the even lanes' products with MulEven, the odd
// lanes' after a 32-bit shift, then the low and high halves interleaved back (OddEven). Integer
// arithmetic only: every target gives exactly the bits of r123::Philox4x32.
//
// Highway 1.0.3 has no LoadN/StoreN: the last, partial vector of a batch is read and written by
// model/partial-inl.h (masked loads and stores where the CPU has them, a padded copy elsewhere).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/philox_batch.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "model/partial-inl.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#ifndef MISTAKESIM_PHILOX_CONSTANTS
#define MISTAKESIM_PHILOX_CONSTANTS
namespace mistakesim::detail::philox {
constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // Philox4x32 multipliers
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Weyl key increments
constexpr int kRounds = 10;
//! The lanes-invariant part of a batch's counters, and the key.
struct Counter {
  std::uint32_t c1, c2, c3, k0, k1;
};
}  // namespace mistakesim::detail::philox
#endif

HWY_BEFORE_NAMESPACE();
namespace mistakesim::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using namespace philox;

using D = hn::ScalableTag<std::uint32_t>;
using D4 = hn::CappedTag<std::uint32_t, 4>;  // a short batch's (or the last few entries') vector

//! hi and lo halves of the 32 x 32 -> 64-bit products x * m, lane by lane.
template <class V>
HWY_INLINE void MulHiLo(V x, V m, V& hi, V& lo) {
  const hn::DFromV<V> d;
#if HWY_TARGET == HWY_SCALAR  // one lane (Highway's fallback when GCC's EMU128 is unusable)
  const std::uint64_t p = std::uint64_t{hn::GetLane(x)} * hn::GetLane(m);
  hi = hn::Set(d, static_cast<std::uint32_t>(p >> 32));
  lo = hn::Set(d, static_cast<std::uint32_t>(p));
#else
  const hn::Repartition<std::uint64_t, decltype(d)> d64;
  const V even = hn::BitCast(d, hn::MulEven(x, m));  // (lo, hi) of each even lane's product
  const V odd = hn::BitCast(d, hn::MulEven(hn::BitCast(d, hn::ShiftRight<32>(hn::BitCast(d64, x))), m));
  lo = hn::OddEven(hn::Shuffle2301(odd), even);  // swapping each pair of words: one shuffle
  hi = hn::OddEven(odd, hn::Shuffle2301(even));
#endif
}

//! Philox rounds `first` to kRounds - 1 (key words a, b as of round `first`), then the four words
//! stored.
template <class V>
HWY_INLINE void Finish(V x0, V x1, V x2, V x3, std::uint32_t a, std::uint32_t b, int first, std::size_t left,
                       std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  const hn::DFromV<V> d;
  const V m0 = hn::Set(d, kM0), m1 = hn::Set(d, kM1);
  for (int r = first; r < kRounds; ++r) {
    V hi0, lo0, hi1, lo1;
    MulHiLo(x0, m0, hi0, lo0);
    MulHiLo(x2, m1, hi1, lo1);
    x0 = hn::Xor3(hi1, x1, hn::Set(d, a));
    x2 = hn::Xor3(hi0, x3, hn::Set(d, b));
    x1 = lo1;
    x3 = lo0;
    a += kW0;
    b += kW1;
  }
  StoreUpTo(d, x0, w0, left);
  StoreUpTo(d, x1, w1, left);
  StoreUpTo(d, x2, w2, left);
  StoreUpTo(d, x3, w3, left);
}

// The counters differ only in word 0 (the opportunity), so in the first round the product of word
// 2 is the same in every lane, and in the second round that of word 0: those two are computed once,
// in scalar, and eighteen of the twenty vector products remain.
template <class DU>
HWY_INLINE void OpportunityGroup(DU d, const Counter& c, const std::uint32_t* opp, std::size_t left,
                                 std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  using V = hn::Vec<DU>;
  const std::uint64_t p1 = std::uint64_t{kM1} * c.c2;
  const std::uint32_t r1_x0 = static_cast<std::uint32_t>(p1 >> 32) ^ c.c1 ^ c.k0;  // word 0 after round 1
  const std::uint32_t r1_x1 = static_cast<std::uint32_t>(p1);                      // word 1 after round 1
  const std::uint64_t p0 = std::uint64_t{kM0} * r1_x0;
  const std::uint32_t a1 = c.k0 + kW0, b1 = c.k1 + kW1;
  V hi, lo;
  MulHiLo(LoadUpTo(d, opp, left), hn::Set(d, kM0), hi, lo);  // round 1: word 0's product varies by lane
  const V r1_x2 = hn::Xor3(hi, hn::Set(d, c.c3), hn::Set(d, c.k1));
  const V r1_x3 = lo;
  MulHiLo(r1_x2, hn::Set(d, kM1), hi, lo);  // round 2: word 2's product varies by lane
  const V x0 = hn::Xor3(hi, hn::Set(d, r1_x1), hn::Set(d, a1));
  const V x1 = lo;
  const V x2 = hn::Xor3(hn::Set(d, static_cast<std::uint32_t>(p0 >> 32)), r1_x3, hn::Set(d, b1));
  const V x3 = hn::Set(d, static_cast<std::uint32_t>(p0));
  Finish(x0, x1, x2, x3, a1 + kW0, b1 + kW1, 2, left, w0, w1, w2, w3);
}

void OpportunityBlocks(const Counter& counter, const std::uint32_t* opp, std::size_t n, std::uint32_t* w0,
                       std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  // A local copy: the stores to w0..w3 could alias the caller's counter, which would make the
  // compiler reload it and redo its scalar products and round keys for every vector.
  const Counter c = counter;
  const D d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + N <= n; i += N) OpportunityGroup(d, c, opp + i, N, w0 + i, w1 + i, w2 + i, w3 + i);
  if (i == n) return;
  // A few entries left (short lists: a year of three opportunities) take a 4-lane vector.
  if (n - i <= hn::Lanes(D4()))
    OpportunityGroup(D4(), c, opp + i, n - i, w0 + i, w1 + i, w2 + i, w3 + i);
  else
    OpportunityGroup(d, c, opp + i, n - i, w0 + i, w1 + i, w2 + i, w3 + i);
}

// Consecutive trials at one (opportunity, slot): words 0 and 1 are the same in every lane, words 2
// and 3 (the trial's low word; its high word xor the block number) differ; the general ten rounds.
template <class DU>
HWY_INLINE void TrialGroup(DU d, std::uint64_t seed, std::uint64_t first, std::uint32_t opportunity,
                           std::uint32_t slot, std::uint32_t block, std::size_t left, std::uint32_t* w0,
                           std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  using V = hn::Vec<DU>;
  const auto lo0 = static_cast<std::uint32_t>(first), hi0 = static_cast<std::uint32_t>(first >> 32);
  const V lo = hn::Add(hn::Iota(d, 0), hn::Set(d, lo0));  // wraps where the high word carries
  const V hi = hn::IfThenElse(hn::Lt(lo, hn::Set(d, lo0)), hn::Set(d, hi0 + 1u), hn::Set(d, hi0));
  Finish(hn::Set(d, opportunity), hn::Set(d, slot), lo, hn::Xor(hi, hn::Set(d, block << 16)),
         static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32), 0, left, w0, w1, w2, w3);
}

void TrialBlocks(std::uint64_t seed, std::uint64_t first_trial, std::size_t n, std::uint32_t opportunity,
                 std::uint32_t slot, std::uint32_t block, std::uint32_t* w0, std::uint32_t* w1,
                 std::uint32_t* w2, std::uint32_t* w3) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  for (std::size_t i = 0; i < n; i += N)
    TrialGroup(d, seed, first_trial + i, opportunity, slot, block, n - i, w0 + i, w1 + i, w2 + i, w3 + i);
}

}  // namespace mistakesim::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "model/philox_batch.hpp"
#include "model/simd.hpp"

namespace mistakesim::detail {

HWY_EXPORT(OpportunityBlocks);
HWY_EXPORT(TrialBlocks);

void philox_blocks(std::uint64_t seed, std::uint64_t trial, std::uint32_t slot, std::uint32_t block,
                   std::span<const std::uint32_t> opportunities, std::uint32_t* w0, std::uint32_t* w1,
                   std::uint32_t* w2, std::uint32_t* w3) {
  apply_target_choice();
  const philox::Counter c{slot, static_cast<std::uint32_t>(trial),
                          static_cast<std::uint32_t>(trial >> 32) ^ (block << 16),
                          static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
  HWY_DYNAMIC_DISPATCH(OpportunityBlocks)(c, opportunities.data(), opportunities.size(), w0, w1, w2, w3);
}

void philox_blocks_over_trials(std::uint64_t seed, std::uint64_t first_trial, std::size_t n,
                               std::uint32_t opportunity, std::uint32_t slot, std::uint32_t block,
                               std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  apply_target_choice();
  HWY_DYNAMIC_DISPATCH(TrialBlocks)(seed, first_trial, n, opportunity, slot, block, w0, w1, w2, w3);
}

}  // namespace mistakesim::detail
#endif  // HWY_ONCE
