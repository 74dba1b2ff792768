// libFuzzer target: the study reader and compiler (TOML text in, a Model or an InputError out).
// Anything else - a crash, a sanitizer report, an InvariantError (a broken invariant is a bug, never
// bad input), any other exception - is a finding. Built by scripts/fuzz and scripts/test with clang
// -fsanitize=fuzzer,address,undefined; seeded with configs/ and tests/bad/ (fuzz/corpus holds what
// the fuzzer found worth keeping).
//
// Relative `extends` and data paths resolve against MISTAKESIM_FUZZ_BASE (default: the current
// folder), so the seeds' `extends = "mid-market.toml"` can reach configs/.

#include <mistakesim/distribution.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/study.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* base = std::getenv("MISTAKESIM_FUZZ_BASE");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const mistakesim::Model model = mistakesim::parse_study(text, "fuzz.toml", base != nullptr ? base : ".");
    (void)model;
  } catch (const mistakesim::InputError&) {
    // bad input, refused with a message: the expected outcome for most inputs
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_study: not an InputError: %s\n", e.what());
    std::abort();
  }
  // The same text as one distribution (`mistakesim dist`), when it is short enough to be one.
  if (size < 512) {
    try {
      const mistakesim::Distribution d = mistakesim::parse_distribution(text);
      (void)d.mean();
    } catch (const mistakesim::InputError&) {
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_study: dist: not an InputError: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
