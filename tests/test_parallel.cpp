// sim/engine/parallel.hpp: the oneTBB wrappers do what the oneTBB calls do - every index once,
// every function once, an exception reaching the caller - on any thread count. Under
// ThreadSanitizer (scripts/sanitize) the same tests check the fork and join edges: each task writes
// its own slot, the caller reads them all after the call, and TSan must see no race.

#include <catch2/catch.hpp>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "engine/parallel.hpp"

namespace {

using mistakesim::parallel::execute;
using mistakesim::parallel::for_each_index;
using mistakesim::parallel::invoke;

//! Some work for index i (microseconds), so that oneTBB's workers take part of even a short loop.
double work(std::size_t i) {
  double sum = 0.0;
  for (std::size_t k = 1; k <= 200'000; ++k) sum += std::sqrt(static_cast<double>(i + k));
  return sum;
}

//! How often f was called for each of [0, size), indices [first, last) run by for_each_index.
template <class... Partitioner>
std::vector<int> calls_per_index(std::size_t size, std::size_t first, std::size_t last, int threads,
                                 const Partitioner&... partitioner) {
  std::vector<int> calls(size, 0);
  std::vector<double> written(size, 0.0);  // each task's own work, read by the caller after the join
  tbb::task_arena arena(threads);
  execute(arena, [&] {
    for_each_index(
        first, last,
        [&](std::size_t i) {
          ++calls[i];
          written[i] = work(i);
        },
        partitioner...);
  });
  for (std::size_t i = first; i < last; ++i) REQUIRE(written[i] == work(i));
  return calls;
}

}  // namespace

TEST_CASE("parallel::for_each_index calls f once for every index of the range and no other",
          "[engine][determinism][parallel]") {
  for (int threads : {1, 2, 4}) {
    for (std::size_t last : {0, 1, 2, 7, 200}) {
      INFO(threads << " threads, [3, " << 3 + last << ")");
      const std::vector<int> auto_calls = calls_per_index(last + 10, 3, 3 + last, threads);
      const std::vector<int> simple_calls =
          calls_per_index(last + 10, 3, 3 + last, threads, tbb::simple_partitioner{});
      for (std::size_t i = 0; i < last + 10; ++i) {
        INFO("index " << i);
        const int want = (i >= 3 && i < 3 + last) ? 1 : 0;
        REQUIRE(auto_calls[i] == want);
        REQUIRE(simple_calls[i] == want);
      }
    }
  }
}

TEST_CASE("parallel::invoke calls each function once and returns after all of them",
          "[engine][determinism][parallel]") {
  for (int threads : {1, 2, 4}) {
    INFO(threads << " threads");
    std::vector<double> slot(6, 0.0);
    tbb::task_arena arena(threads);
    execute(arena, [&] {
      invoke([&] { slot[0] += work(0); }, [&] { slot[1] += work(1); }, [&] { slot[2] += work(2); },
             [&] { slot[3] += work(3); }, [&] { slot[4] += work(4); }, [&] { slot[5] += work(5); });
    });
    for (std::size_t k = 0; k < slot.size(); ++k) REQUIRE(slot[k] == work(k));
    std::vector<int> two(2, 0);
    invoke([&] { two[0] = 7; }, [&] { two[1] = 8; });
    REQUIRE(two == std::vector<int>{7, 8});
  }
}

TEST_CASE("parallel: an exception in a task reaches the caller", "[engine][parallel]") {
  for (int threads : {1, 2, 4}) {
    INFO(threads << " threads");
    tbb::task_arena arena(threads);
    std::vector<int> done(1000, 0);
    REQUIRE_THROWS_AS(execute(arena,
                              [&] {
                                for_each_index(std::size_t{0}, done.size(), [&](std::size_t i) {
                                  if (i == 500) throw std::runtime_error("index 500");
                                  done[i] = 1;
                                });
                              }),
                      std::runtime_error);
    REQUIRE(done[500] == 0);
    REQUIRE_THROWS_AS(invoke([] {}, [] { throw std::invalid_argument("second"); }), std::invalid_argument);
  }
}
