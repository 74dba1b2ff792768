// Microbenchmarks of the samplers (sim/model/sampling.cpp): one draw of each distribution per
// iteration, each at a new address (so the Philox call behind it is included, as in the engine).
// Gamma is measured at shape 0.5 (the boost-by-one path), 2 and 20; Poisson below and above the
// inversion/PTRS switch at mean 30. The engine's batched lognormal, triangular and PERT amounts (256
// from precomputed Philox words) are measured last.
#include <mistakesim/distribution.hpp>
#include <mistakesim/random.hpp>

#include "model/sample_batch.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

using namespace mistakesim;

void run_sampler(benchmark::State& state, const Distribution& d) {
  std::uint32_t i = 0;
  const std::uint32_t slot = slot_of("bench.sampler");
  for (auto _ : state) {
    DrawStream s(2027, DrawAddress{11, i++, slot});
    double x = sample(d, s);
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Normal(benchmark::State& s) { run_sampler(s, Distribution::normal(10.0, 2.0)); }
void BM_NormalTruncated(benchmark::State& s) { run_sampler(s, Distribution::normal(10.0, 2.0, 9.0, 14.0)); }
void BM_Lognormal(benchmark::State& s) { run_sampler(s, Distribution::lognormal(10.5, 1.2)); }
void BM_Triangular(benchmark::State& s) { run_sampler(s, Distribution::triangular(1.0, 2.0, 6.0)); }
void BM_GammaShape0_5(benchmark::State& s) { run_sampler(s, Distribution::gamma(0.5, 1.0)); }
void BM_GammaShape2(benchmark::State& s) { run_sampler(s, Distribution::gamma(2.0, 1.0)); }
void BM_GammaShape20(benchmark::State& s) { run_sampler(s, Distribution::gamma(20.0, 1.0)); }
void BM_Beta(benchmark::State& s) { run_sampler(s, Distribution::beta(5.4, 3.6)); }
void BM_Pert(benchmark::State& s) { run_sampler(s, Distribution::pert(0.25, 0.35, 0.5)); }
void BM_PoissonSmall(benchmark::State& s) { run_sampler(s, Distribution::poisson(4.0)); }
void BM_PoissonLarge(benchmark::State& s) { run_sampler(s, Distribution::poisson(480.0)); }
void BM_NegBinomial(benchmark::State& s) { run_sampler(s, Distribution::negbinomial(40.0, 5.0)); }

//! The engine's batched amounts (sample_batch.hpp): 256 draws from precomputed block-0 words.
template <bool Lognormal>
void run_batch(benchmark::State& state) {
  std::vector<std::uint32_t> w0(256), w1(256);
  for (std::uint32_t i = 0; i < 256; ++i) {
    const auto b = philox_block(2027, DrawAddress{11, i, 5}, 0);
    w0[i] = b.v[0];
    w1[i] = b.v[1];
  }
  std::vector<double> out(256);
  for (auto _ : state) {
    if constexpr (Lognormal) {
      detail::lognormal_from_words(10.5, 1.2, w0.data(), w1.data(), 256, out.data());
    } else {
      detail::triangular_from_words(1.0, 2.0, 6.0, w0.data(), w1.data(), 256, out.data());
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(256 * state.iterations());
}
void BM_LognormalBatch256(benchmark::State& s) { run_batch<true>(s); }
void BM_TriangularBatch256(benchmark::State& s) { run_batch<false>(s); }

//! PERT(0.05, 0.1, 0.2) as the engine draws it: 256 from precomputed blocks 0 and 1, the draws the
//! batch leaves (~3 %) by sample() from a DrawStream started at block 0 (as AmountBatch::compute).
void BM_PertBatch256(benchmark::State& state) {
  const Distribution d = Distribution::pert(0.05, 0.1, 0.2);
  const std::uint32_t slot = 5;
  std::vector<std::uint32_t> w(8 * 256);
  for (std::uint32_t i = 0; i < 256; ++i)
    for (std::uint32_t block = 0; block < 2; ++block) {
      const auto b = philox_block(2027, DrawAddress{11, i, slot}, block);
      for (std::uint32_t j = 0; j < 4; ++j) w[(4 * block + j) * 256 + i] = b.v[j];
    }
  const std::uint32_t* const b0[4] = {&w[0], &w[256], &w[512], &w[768]};
  const std::uint32_t* const b1[4] = {&w[1024], &w[1280], &w[1536], &w[1792]};
  std::vector<double> out(256);
  std::vector<std::uint32_t> fallback(256);
  for (auto _ : state) {
    const std::size_t nf =
        detail::pert_from_words(d.p[0], d.p[1], d.p[2], d.p[3], b0, b1, 256, out.data(), fallback.data());
    for (std::size_t f = 0; f < nf; ++f) {
      const std::uint32_t e = fallback[f];
      DrawStream s(2027, DrawAddress{11, e, slot}, b0[0][e], b0[1][e], b0[2][e], b0[3][e]);
      out[e] = sample(d, s);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(256 * state.iterations());
}

BENCHMARK(BM_Normal);
BENCHMARK(BM_NormalTruncated);
BENCHMARK(BM_Lognormal);
BENCHMARK(BM_Triangular);
BENCHMARK(BM_GammaShape0_5);
BENCHMARK(BM_GammaShape2);
BENCHMARK(BM_GammaShape20);
BENCHMARK(BM_Beta);
BENCHMARK(BM_Pert);
BENCHMARK(BM_PoissonSmall);
BENCHMARK(BM_PoissonLarge);
BENCHMARK(BM_NegBinomial);
BENCHMARK(BM_LognormalBatch256);
BENCHMARK(BM_TriangularBatch256);
BENCHMARK(BM_PertBatch256);

}  // namespace
