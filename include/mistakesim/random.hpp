#pragma once
// Counter-based random numbers: every draw has an address.
//
// A draw is a pure function of (seed, trial, opportunity, slot, block): Random123's Philox4x32-10
// keyed by the study seed, with the counter holding the address. No generator state survives from
// one quantity to the next, so a draw that is not needed is not computed and shifts nothing, any
// trial can be computed alone on any thread, and two runs that share a seed see the same numbers for
// the same quantity (common random numbers). The trade-off is one Philox call (~4 ns) per addressed
// quantity instead of a cheaper sequential generator; we buy reproducibility with it.

#include <Random123/philox.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace mistakesim {

//! Opportunity index reserved for year-level draws (rates drawn once per trial).
inline constexpr std::uint32_t kYearLevel = 0xFFFFFFFFu;
//! Opportunity index of rep r's year-level draws: kYearLevel - 1 - r.
constexpr std::uint32_t rep_level(std::uint32_t rep) { return kYearLevel - 1u - rep; }

//! Stable 32-bit slot of a random quantity, derived from its parameter path (FNV-1a).
//! Adding, removing or reordering other quantities never changes it.
constexpr std::uint32_t slot_of(std::string_view path) {
  std::uint32_t h = 2166136261u;
  for (char c : path) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

//! Where a draw happens.
struct DrawAddress {
  std::uint64_t trial = 0;        //!< trial (simulated year) index
  std::uint32_t opportunity = 0;  //!< opportunity index within the trial, or kYearLevel / rep_level(r)
  std::uint32_t slot = 0;         //!< the random quantity (slot_of(parameter path))
};

//! One Philox block: four independent uniform 32-bit words for an address and block number.
inline r123::Philox4x32::ctr_type philox_block(std::uint64_t seed, const DrawAddress& a,
                                               std::uint32_t block) {
  using G = r123::Philox4x32;
  G::ctr_type ctr = {{a.opportunity, a.slot, static_cast<std::uint32_t>(a.trial),
                      static_cast<std::uint32_t>(a.trial >> 32) ^ (block << 16)}};
  G::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  return G{}(ctr, key);
}

//! A double strictly inside (0, 1) from 64 random bits: 52 bits, centred in their cell, so the
//! extremes are 2^-53 and 1 - 2^-53 (both exactly representable; 0 and 1 never occur).
constexpr double to_open_unit(std::uint64_t bits) {
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
}
static_assert(to_open_unit(~std::uint64_t{0}) < 1.0 && to_open_unit(0) > 0.0);

//! Bernoulli threshold: a 32-bit word w is a success iff w < threshold. p = 1 always succeeds,
//! p = 0 never does; the comparison is on integers so it compiles to a branch-free compare.
constexpr std::uint64_t bernoulli_threshold(double p) {
  if (!(p > 0.0)) return 0;
  if (p >= 1.0) return std::uint64_t{1} << 32;
  return static_cast<std::uint64_t>(p * 4294967296.0);
}
constexpr bool bernoulli(std::uint32_t word, std::uint64_t threshold) { return word < threshold; }

//! The stream of uniforms at one address: block 0, 1, 2... each giving four 32-bit words.
//! Samplers that need a variable number of uniforms (rejection methods) read from it.
class DrawStream {
 public:
  DrawStream(std::uint64_t seed, DrawAddress address) : seed_(seed), address_(address) {}
  //! The same stream with its block 0 already computed (by the engine's batched Philox): the words must be
  //! philox_block(seed, address, 0).v[0..3]; the stream then continues with block 1.
  DrawStream(std::uint64_t seed, DrawAddress address, std::uint32_t w0, std::uint32_t w1, std::uint32_t w2,
             std::uint32_t w3)
      : seed_(seed), address_(address), block_(1), words_{w0, w1, w2, w3}, used_(0) {}

  //! Next 32 random bits.
  std::uint32_t next_u32() {
    if (used_ == 4) refill();
    return words_[used_++];
  }
  //! Next uniform in (0, 1), from 64 bits.
  double next_uniform() {
    const std::uint64_t hi = next_u32();
    const std::uint64_t lo = next_u32();
    return to_open_unit((hi << 32) | lo);
  }

 private:
  void refill() {
    const auto r = philox_block(seed_, address_, block_++);
    for (int i = 0; i < 4; ++i) words_[i] = r.v[i];
    used_ = 0;
  }
  std::uint64_t seed_;
  DrawAddress address_;
  std::uint32_t block_ = 0;
  std::uint32_t words_[4] = {0, 0, 0, 0};
  int used_ = 4;
};

}  // namespace mistakesim
