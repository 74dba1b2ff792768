#pragma once
// Philox4x32-10 blocks of many addresses side by side (the engine's batched draws). Same numbers,
// same addresses as philox_block (mistakesim/random.hpp), only computed in vector lanes: Highway
// kernels for every target (model/simd.hpp), integer arithmetic only, so every target gives the
// same bits (tests/test_random.cpp checks each against Random123 and the published vectors).

#include <cstddef>
#include <cstdint>
#include <span>

namespace mistakesim::detail {

//! For each i, words w0[i], w1[i], w2[i], w3[i] are exactly
//! philox_block(seed, {trial, opportunities[i], slot}, block).v[0..3]. Outputs hold
//! opportunities.size() words; nothing is written past them.
void philox_blocks(std::uint64_t seed, std::uint64_t trial, std::uint32_t slot, std::uint32_t block,
                   std::span<const std::uint32_t> opportunities, std::uint32_t* w0, std::uint32_t* w1,
                   std::uint32_t* w2, std::uint32_t* w3);

//! For each i < n, words w0[i]..w3[i] are exactly philox_block(seed, {first_trial + i, opportunity,
//! slot}, block).v[0..3] (the year-level draws of a block of trials).
void philox_blocks_over_trials(std::uint64_t seed, std::uint64_t first_trial, std::size_t n,
                               std::uint32_t opportunity, std::uint32_t slot, std::uint32_t block,
                               std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3);

}  // namespace mistakesim::detail
