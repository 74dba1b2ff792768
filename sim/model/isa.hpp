#pragma once
// Which vector instructions the engine's batched code may use. The binary is built for any x86-64
// (no -march); each batched routine has an AVX-512 path (and Philox an AVX2 one) chosen at run time,
// and a scalar path that gives the same bits. All of them ask isa().

#include <cstddef>

namespace mistakesim::detail {

enum class Isa { scalar, avx2, avx512 };

//! The lanes of a 16-lane group starting `left` entries before the end of a batch: all sixteen, or
//! the first `left` (a vector's mask for its last, partial group).
constexpr unsigned short first_lanes(std::size_t left) {
  return left >= 16 ? 0xFFFFu : static_cast<unsigned short>((1u << left) - 1u);
}

//! The best the CPU offers (AVX-512 means F, BW, DQ and VL), or less if the environment variable
//! MISTAKESIM_ISA says so: "scalar" or "avx2" (to test and measure the other paths; a value the CPU
//! cannot run, or anything else, is ignored). Decided once per process.
Isa isa();

}  // namespace mistakesim::detail
