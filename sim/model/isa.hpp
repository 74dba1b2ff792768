#pragma once
// Which vector instructions the engine's batched code may use. The binary is built for any x86-64
// (no -march); each batched routine has an AVX-512 path (and Philox an AVX2 one) chosen at run time,
// and a scalar path that gives the same bits. All of them ask isa().

namespace mistakesim::detail {

enum class Isa { scalar, avx2, avx512 };

//! The best the CPU offers (AVX-512 means F, BW, DQ and VL), or less if the environment variable
//! MISTAKESIM_ISA says so: "scalar" or "avx2" (to test and measure the other paths; a value the CPU
//! cannot run, or anything else, is ignored). Decided once per process.
Isa isa();

}  // namespace mistakesim::detail
