// The engine's choice of Highway target (model/simd.hpp): the best the CPU runs, or the one
// MISTAKESIM_ISA names (ctest runs this test again with MISTAKESIM_ISA=SSE4).
#include "model/simd.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <string>

using namespace mistakesim::detail;

TEST_CASE("the kernels dispatch to the best runnable target, or to the one MISTAKESIM_ISA names", "[simd]") {
  const auto runnable = runnable_targets();
  REQUIRE(!runnable.empty());
  for (auto t : runnable)
    REQUIRE(std::find(compiled_targets().begin(), compiled_targets().end(), t) != compiled_targets().end());
  const std::int64_t now = current_target();
  std::cout << "kernels dispatch to " << target_name(now) << "\n";
  const char* asked = std::getenv("MISTAKESIM_ISA");
  std::string name = asked ? asked : "";
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool can =
      std::any_of(runnable.begin(), runnable.end(), [&](auto t) { return target_name(t) == name; });
  if (can) {
    REQUIRE(target_name(now) == name);
  } else {
    REQUIRE(now == runnable.front());  // the best (Highway lists the best first)
  }
}
