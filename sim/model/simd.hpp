#pragma once
// Which Highway target (instruction set) the engine's vector kernels run on. The kernels
// (philox_batch.cpp, sample_batch.cpp, engine/lists.cpp) are written once with Google Highway and
// compiled for every x86 target from SSE4 to AVX-512 (and Highway's portable EMU128 fallback);
// each call goes to the best target the CPU supports. Every target gives the same bits (integer
// operations and exactly rounded IEEE operations only), which the tests check target by target.

#include <cstdint>
#include <string>
#include <vector>

namespace mistakesim::detail {

//! Applies the environment variable MISTAKESIM_ISA once per process: a Highway target name
//! ("AVX3" or "avx512", "AVX2", "SSE4", "EMU128" or "scalar"; any case) caps the targets the
//! kernels may use at that one, for measuring a slower CPU's path on a faster one. A name the
//! build or the CPU lacks, or anything else, is ignored. Every dispatching function calls it.
inline void apply_target_choice();

//! The targets compiled into the kernels, best first (Highway's bits), whether this CPU runs them or not.
std::vector<std::int64_t> compiled_targets();
//! The targets compiled into the kernels that this CPU can run, best first (Highway's bits).
std::vector<std::int64_t> runnable_targets();
//! Highway's name of a target ("AVX3", "AVX2", "SSE4", "EMU128", ...).
std::string target_name(std::int64_t target);
//! The target the kernels dispatch to now.
std::int64_t current_target();
//! Makes the kernels dispatch to `target` (one of runnable_targets()) until the next call; 0
//! restores the normal choice. For the tests that run every kernel on every target.
void force_target(std::int64_t target);

//! Reads MISTAKESIM_ISA and disables the targets above the one it names (apply_target_choice).
void choose_target_from_environment();

inline void apply_target_choice() {
  static const bool done = (choose_target_from_environment(), true);  // once, thread-safe
  (void)done;
}

}  // namespace mistakesim::detail
