// Prints the Highway target the engine's kernels dispatch to on this CPU (after MISTAKESIM_ISA),
// and every target compiled in, for scripts/bench.
#include "model/simd.hpp"

#include <cstdio>

int main() {
  using namespace mistakesim::detail;
  std::printf("%s", target_name(current_target()).c_str());
  std::printf(" (compiled:");
  for (auto t : compiled_targets()) std::printf(" %s", target_name(t).c_str());
  std::printf("; this CPU runs:");
  for (auto t : runnable_targets()) std::printf(" %s", target_name(t).c_str());
  std::printf(")\n");
}
