// The engine's choice of vector instructions (isa.hpp).

#include "model/isa.hpp"

#include <cstdlib>
#include <string_view>

namespace mistakesim::detail {
namespace {

Isa detect() {
  __builtin_cpu_init();
  Isa best = Isa::scalar;
  if (__builtin_cpu_supports("avx2")) best = Isa::avx2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    best = Isa::avx512;
  const char* asked = std::getenv("MISTAKESIM_ISA");
  if (asked == nullptr) return best;
  const std::string_view a(asked);
  if (a == "scalar") return Isa::scalar;
  if (a == "avx2" && best != Isa::scalar) return Isa::avx2;
  return best;
}

}  // namespace

Isa isa() {
  static const Isa chosen = detect();  // thread-safe initialisation, immutable afterwards
  return chosen;
}

}  // namespace mistakesim::detail
