// ARS-1xm128i (Random123's AES-round counter-based generator, ars.h) in Highway lanes, for
// bench_random's comparison with Philox4x32-10: a measurement only, not used by the engine.
// A block is one 128-bit counter (opportunity, slot, trial low, trial high words) through
// `rounds` AES rounds with a Weyl-incremented key: v = ctr ^ k; R - 1 times k += weyl,
// v = AESRound(v, k); then k += weyl, v = AESLastRound(v, k). Every 16-byte part of a vector is one
// block (Highway's AESRound works on each 128-bit block of a vector).

// AVX3_DL (AVX-512 with VAES: one AES round on four blocks at once) is compiled here too: Highway
// 1.0.3 builds it only on request, and its plain AVX3 and AVX2 targets split AESRound into 128-bit
// halves. (The engine's kernels do not build it: their AVX3 code is the same on either.)
#ifndef HWY_WANT_AVX3_DL
#define HWY_WANT_AVX3_DL
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ars_lanes.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "ars_lanes.hpp"

HWY_BEFORE_NAMESPACE();
namespace mistakesim::bench::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void ArsBlocks(const std::uint32_t* counters, std::size_t n, std::uint64_t key_lo, std::uint64_t key_hi,
               int rounds, std::uint32_t* out) {
#if HWY_TARGET == HWY_SCALAR  // one lane of bytes holds no block, and the target has no AESRound
  (void)counters, (void)n, (void)key_lo, (void)key_hi, (void)rounds, (void)out;
  HWY_ABORT("ARS in lanes needs a vector target");
#else
  const hn::ScalableTag<std::uint8_t> d8;
  const hn::Repartition<std::uint64_t, decltype(d8)> d64;
  const std::size_t blocks_per_vector = hn::Lanes(d8) / 16;
  // The key and Weyl increment (Random123: 0xBB67AE8584CAA73B high, 0x9E3779B97F4A7C15 low) in every block.
  const auto key = hn::BitCast(d8, hn::OddEven(hn::Set(d64, key_hi), hn::Set(d64, key_lo)));
  const auto weyl = hn::OddEven(hn::Set(d64, 0xBB67AE8584CAA73Bull), hn::Set(d64, 0x9E3779B97F4A7C15ull));
  for (std::size_t b = 0; b + blocks_per_vector <= n; b += blocks_per_vector) {
    auto k = key;
    auto v = hn::Xor(hn::LoadU(d8, reinterpret_cast<const std::uint8_t*>(counters + 4 * b)), k);
    for (int r = 1; r < rounds; ++r) {
      k = hn::BitCast(d8, hn::Add(hn::BitCast(d64, k), weyl));
      v = hn::AESRound(v, k);
    }
    k = hn::BitCast(d8, hn::Add(hn::BitCast(d64, k), weyl));
    v = hn::AESLastRound(v, k);
    hn::StoreU(v, d8, reinterpret_cast<std::uint8_t*>(out + 4 * b));
  }
#endif
}

}  // namespace mistakesim::bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace mistakesim::bench {
HWY_EXPORT(ArsBlocks);
void ars_blocks(const std::uint32_t* counters, std::size_t n, std::uint64_t key_lo, std::uint64_t key_hi,
                int rounds, std::uint32_t* out) {
  HWY_DYNAMIC_DISPATCH(ArsBlocks)(counters, n, key_lo, key_hi, rounds, out);
}
}  // namespace mistakesim::bench
#endif
