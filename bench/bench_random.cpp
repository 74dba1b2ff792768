// Microbenchmarks of the random-number layer (include/mistakesim/random.hpp): one Philox4x32-10
// block at an address, 256 blocks side by side (philox_blocks), its conversion to uniforms in (0, 1), the
// integer Bernoulli comparison, and the DrawStream that rejection samplers read from. Each iteration moves to
// a new address, as the engine does, so nothing is hoisted out of the loop.
#include <mistakesim/random.hpp>

#include "ars_lanes.hpp"
#include "model/philox_batch.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

using namespace mistakesim;

constexpr std::uint64_t kSeed = 2027;

//! One Philox block (four 32-bit words) per iteration.
void BM_PhiloxBlock(benchmark::State& state) {
  std::uint32_t i = 0;
  for (auto _ : state) {
    auto w = philox_block(kSeed, DrawAddress{7, i++, slot_of("pipeline")}, 0);
    benchmark::DoNotOptimize(w);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PhiloxBlock);

//! Philox block -> two uniforms in (0, 1) (53 bits each).
void BM_PhiloxToUniforms(benchmark::State& state) {
  std::uint32_t i = 0;
  for (auto _ : state) {
    const auto w = philox_block(kSeed, DrawAddress{7, i++, slot_of("pipeline")}, 0);
    double u0 = to_open_unit((std::uint64_t{w.v[0]} << 32) | w.v[1]);
    double u1 = to_open_unit((std::uint64_t{w.v[2]} << 32) | w.v[3]);
    benchmark::DoNotOptimize(u0);
    benchmark::DoNotOptimize(u1);
  }
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_PhiloxToUniforms);

//! Philox block -> four Bernoulli outcomes (integer thresholds), as the opportunity loop does.
void BM_PhiloxToBernoulli4(benchmark::State& state) {
  const std::uint64_t t_fit = bernoulli_threshold(0.35), t_repeat = bernoulli_threshold(0.25);
  const std::uint64_t t_pilot = bernoulli_threshold(0.3), t_close = bernoulli_threshold(0.6);
  std::uint32_t i = 0;
  unsigned count = 0;
  for (auto _ : state) {
    const auto w = philox_block(kSeed, DrawAddress{7, i++, slot_of("pipeline")}, 0);
    count += bernoulli(w.v[0], t_fit) + bernoulli(w.v[1], t_repeat) + bernoulli(w.v[2], t_pilot) +
             (bernoulli(w.v[0], t_fit) & bernoulli(w.v[3], t_close));
    benchmark::DoNotOptimize(count);
  }
  state.SetItemsProcessed(4 * state.iterations());
}
BENCHMARK(BM_PhiloxToBernoulli4);

//! philox_blocks: 256 blocks side by side (Highway lanes), as the engine computes a chunk.
void BM_PhiloxBlocks256(benchmark::State& state) {
  std::vector<std::uint32_t> opp(256), w0(256), w1(256), w2(256), w3(256);
  for (std::uint32_t i = 0; i < 256; ++i) opp[i] = i;
  std::uint64_t trial = 0;
  for (auto _ : state) {
    detail::philox_blocks(kSeed, trial++, slot_of("pipeline"), 0, opp, w0.data(), w1.data(), w2.data(),
                          w3.data());
    benchmark::DoNotOptimize(w3.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(256 * state.iterations());
}
BENCHMARK(BM_PhiloxBlocks256);

//! ARS-1xm128i (AES rounds, Random123's ars.h) for 256 counters in Highway lanes, `range(0)` rounds
//! (Random123's default 7; 5 is the fewest its authors found to pass BigCrush): the alternative
//! generator to Philox4x32-10, measured beside BM_PhiloxBlocks256 (per block: the time / 256).
void BM_ArsBlocks256(benchmark::State& state) {
  std::vector<std::uint32_t> counters(4 * 256), out(4 * 256);
  for (std::uint32_t e = 0; e < 256; ++e) {  // (opportunity, slot, trial 7): laid out once, outside the loop
    counters[4 * e] = e;
    counters[4 * e + 1] = slot_of("pipeline");
    counters[4 * e + 2] = 7;
    counters[4 * e + 3] = 0;
  }
  for (auto _ : state) {
    bench::ars_blocks(counters.data(), 256, kSeed, 0, static_cast<int>(state.range(0)), out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_ArsBlocks256)->Arg(5)->Arg(7);

//! The Bernoulli comparison alone on precomputed words (what it costs beyond the Philox call).
void BM_BernoulliCompare(benchmark::State& state) {
  std::uint32_t words[1024];
  for (std::uint32_t i = 0; i < 1024; ++i) words[i] = philox_block(kSeed, DrawAddress{1, i, 3}, 0).v[0];
  const std::uint64_t t = bernoulli_threshold(0.3);
  for (auto _ : state) {
    unsigned count = 0;
    for (std::uint32_t w : words) count += bernoulli(w, t);
    benchmark::DoNotOptimize(count);
  }
  state.SetItemsProcessed(1024 * state.iterations());
}
BENCHMARK(BM_BernoulliCompare);

//! A fresh DrawStream at a new address and one uniform from it (one Philox block behind it).
void BM_DrawStreamUniform(benchmark::State& state) {
  std::uint32_t i = 0;
  for (auto _ : state) {
    DrawStream s(kSeed, DrawAddress{7, i++, slot_of("pipeline.deal_size")});
    double u = s.next_uniform();
    benchmark::DoNotOptimize(u);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DrawStreamUniform);

//! Sixteen uniforms from one stream: the refill path (four Philox blocks).
void BM_DrawStreamUniform16(benchmark::State& state) {
  std::uint32_t i = 0;
  for (auto _ : state) {
    DrawStream s(kSeed, DrawAddress{7, i++, slot_of("pipeline.deal_size")});
    double sum = 0.0;
    for (int k = 0; k < 16; ++k) sum += s.next_uniform();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(16 * state.iterations());
}
BENCHMARK(BM_DrawStreamUniform16);

}  // namespace
