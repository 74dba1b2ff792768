// Microbenchmark of the per-opportunity kernel: simulate_trial on the mid-market study
// (configs/mid-market.toml, ~480 opportunities a year, six mistakes). Year-level values are drawn
// beforehand for a ring of trials, so BM_SimulateTrial times the opportunity loop alone;
// BM_FullTrial adds draw_year (what one trial of a run costs on one core). The counter
// `per_opportunity` is CPU time divided by the number of opportunities simulated (printed "9.5ns").
#include <mistakesim/engine.hpp>
#include <mistakesim/study.hpp>

#include "engine/trial.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

using namespace mistakesim;

const Model& mid_market() {
  static const Model m = load_study(MISTAKESIM_SOURCE_DIR "/configs/mid-market.toml");
  return m;
}

constexpr std::uint64_t kRing = 4096;  // distinct trials cycled through

void BM_SimulateTrial(benchmark::State& state) {
  const Model& m = mid_market();
  const std::size_t ni = m.inputs.size();
  std::vector<double> years(kRing * ni);
  for (std::uint64_t t = 0; t < kRing; ++t) draw_year(m, Scenario{}, t, std::span(years).subspan(t * ni, ni));
  std::vector<MistakeTally> tally(m.mistakes.size());
  TrialScratch scratch;
  std::uint64_t t = 0, opportunities = 0;
  for (auto _ : state) {
    const std::uint64_t k = t++ % kRing;
    const TrialOutcome o =
        simulate_trial(m, std::span<const double>(years).subspan(k * ni, ni), k, tally, scratch);
    opportunities += o.opportunities;
    benchmark::DoNotOptimize(o);
  }
  state.counters["per_opportunity"] = benchmark::Counter(
      static_cast<double>(opportunities), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["opportunities_per_trial"] =
      static_cast<double>(opportunities) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SimulateTrial)->Unit(benchmark::kMicrosecond);

void BM_FullTrial(benchmark::State& state) {
  const Model& m = mid_market();
  std::vector<double> year(m.inputs.size());
  std::vector<MistakeTally> tally(m.mistakes.size());
  TrialScratch scratch;
  std::uint64_t t = 0, opportunities = 0;
  for (auto _ : state) {
    draw_year(m, Scenario{}, t, year);
    const TrialOutcome o = simulate_trial(m, year, t, tally, scratch);
    ++t;
    opportunities += o.opportunities;
    benchmark::DoNotOptimize(o);
  }
  state.counters["per_opportunity"] = benchmark::Counter(
      static_cast<double>(opportunities), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FullTrial)->Unit(benchmark::kMicrosecond);

//! A block of 1024 trials through run_trials on one thread: kernel, draw_year and column writes.
void BM_RunTrials1024(benchmark::State& state) {
  const Model& m = mid_market();
  std::uint64_t first = 0, opportunities = 0;
  for (auto _ : state) {
    const TrialResults r =
        run_trials(m, Scenario{}, RunOptions{.first_trial = first, .trials = 1024, .threads = 1});
    first += 1024;
    for (std::uint32_t n : r.opportunities) opportunities += n;
    benchmark::DoNotOptimize(r.cost_total.data());
  }
  state.counters["per_opportunity"] = benchmark::Counter(
      static_cast<double>(opportunities), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_RunTrials1024)->Unit(benchmark::kMillisecond);

}  // namespace
