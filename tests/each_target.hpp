#pragma once
// Runs a test's body once on every Highway target the kernels were compiled for and this CPU can
// run (model/simd.hpp), forcing each in turn, and names them in the output: a CPU without AVX-512
// says that it did not run that target instead of comparing one path with itself.

#include "model/simd.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>

namespace mistakesim::testing {

//! Restores the normal target choice when a test ends, passed or failed.
struct TargetGuard {
  ~TargetGuard() { detail::force_target(0); }
};

//! body(target) once per runnable target, best first; prints which ran and which did not.
template <class F>
void on_every_target(const std::string& what, F&& body) {
  const auto runnable = detail::runnable_targets();
  REQUIRE(!runnable.empty());
  std::string ran, skipped;
  for (std::int64_t t : detail::compiled_targets()) {
    const bool runs = std::find(runnable.begin(), runnable.end(), t) != runnable.end();
    (runs ? ran : skipped) += " " + detail::target_name(t);
  }
  std::cout << what << ": on Highway targets" << ran
            << (skipped.empty() ? std::string() : ";  not run (this CPU lacks them):" + skipped) << "\n";
  TargetGuard guard;
  for (std::int64_t t : runnable) {
    detail::force_target(t);
    REQUIRE(detail::current_target() == t);
    INFO("Highway target " << detail::target_name(t));
    body(t);
  }
}

}  // namespace mistakesim::testing
