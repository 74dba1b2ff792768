// The engine's choice of Highway target (simd.hpp).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace mistakesim::detail::HWY_NAMESPACE {

std::int64_t ThisTarget() { return HWY_TARGET; }

}  // namespace mistakesim::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "model/simd.hpp"

#include <hwy/targets.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace mistakesim::detail {

HWY_EXPORT(ThisTarget);

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void choose_target_from_environment() {
  const char* asked = std::getenv("MISTAKESIM_ISA");
  if (asked == nullptr) return;
  std::string name = upper(asked);
  if (name == "AVX512") name = "AVX3";
  if (name == "SCALAR") name = "EMU128";
  for (std::int64_t t : runnable_targets()) {
    if (target_name(t) != name) continue;
    // Every target better than the one asked for (Highway: a lower bit is a better target).
    std::int64_t better = 0;
    for (std::int64_t u : runnable_targets())
      if (u < t) better |= u;
    hwy::DisableTargets(better);
    return;
  }
}

std::vector<std::int64_t> compiled_targets() {
  std::vector<std::int64_t> out;
  for (std::int64_t t = HWY_TARGETS; t != 0; t &= t - 1) out.push_back(t & -t);
  return out;
}

std::vector<std::int64_t> runnable_targets() { return hwy::SupportedAndGeneratedTargets(); }

std::string target_name(std::int64_t target) { return hwy::TargetName(target); }

std::int64_t current_target() {
  apply_target_choice();
  return HWY_DYNAMIC_DISPATCH(ThisTarget)();
}

void force_target(std::int64_t target) {
  apply_target_choice();
  hwy::SetSupportedTargetsForTest(target);
}

}  // namespace mistakesim::detail
#endif  // HWY_ONCE
