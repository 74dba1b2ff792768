#pragma once
// ARS-1xm128i in Highway lanes (ars_lanes.cpp): bench_random's alternative to Philox, measured only.
#include <cstddef>
#include <cstdint>

namespace mistakesim::bench {
//! out[4 b .. 4 b + 4) = ARS-`rounds` of the 128-bit counter counters[4 b .. 4 b + 4) under the key,
//! for every b < n (n a multiple of 4, the blocks of a 512-bit vector).
void ars_blocks(const std::uint32_t* counters, std::size_t n, std::uint64_t key_lo, std::uint64_t key_hi,
                int rounds, std::uint32_t* out);
}  // namespace mistakesim::bench
