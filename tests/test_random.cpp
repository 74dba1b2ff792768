// Random-number layer: the batched Philox (philox_blocks, vector lanes) gives exactly the bits of
// the scalar philox_block at every address, whatever the batch length (full vectors, partial last
// vectors, the scalar remainder); a DrawStream started from a batched block 0 continues exactly as
// one that computed it; the batched samplers give the same bits on every path.
#include <mistakesim/distribution.hpp>
#include <mistakesim/random.hpp>

#include "model/sample_batch.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace mistakesim;

TEST_CASE("philox_blocks equals philox_block at every address, for every batch length", "[random][exact]") {
  const std::uint64_t seeds[] = {0, 2027, 0xFFFFFFFFFFFFFFFFull, 0x123456789ABCDEFull};
  const std::uint64_t trials[] = {0, 1, 199999, 0x500000007ull};
  for (std::uint64_t seed : seeds)
    for (std::uint64_t trial : trials)
      for (std::uint32_t block : {0u, 1u, 7u})
        for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 33u, 256u}) {
          std::vector<std::uint32_t> opp(n);
          for (std::size_t i = 0; i < n; ++i) opp[i] = static_cast<std::uint32_t>(i * 37u + (i % 3 ? 0u : 0xFFFFFF00u));
          std::vector<std::uint32_t> w0(n + 1, 0xDEADBEEF), w1(n + 1, 0xDEADBEEF), w2(n + 1, 0xDEADBEEF),
              w3(n + 1, 0xDEADBEEF);
          const std::uint32_t slot = slot_of("mistake.pilot-no-criteria");
          philox_blocks(seed, trial, slot, block, opp, w0.data(), w1.data(), w2.data(), w3.data());
          for (std::size_t i = 0; i < n; ++i) {
            const auto r = philox_block(seed, DrawAddress{trial, opp[i], slot}, block);
            INFO("seed " << seed << " trial " << trial << " block " << block << " batch of " << n << ", entry " << i);
            REQUIRE(w0[i] == r.v[0]);
            REQUIRE(w1[i] == r.v[1]);
            REQUIRE(w2[i] == r.v[2]);
            REQUIRE(w3[i] == r.v[3]);
          }
          // Nothing written past the batch.
          REQUIRE(w0[n] == 0xDEADBEEF);
          REQUIRE(w3[n] == 0xDEADBEEF);
        }
}

TEST_CASE("a DrawStream from a precomputed block 0 continues like one that computed it", "[random][exact]") {
  const DrawAddress a{12345, 17, slot_of("pipeline.deal_size")};
  const auto b0 = philox_block(2027, a, 0);
  DrawStream fresh(2027, a);
  DrawStream primed(2027, a, b0.v[0], b0.v[1], b0.v[2], b0.v[3]);
  for (int k = 0; k < 40; ++k) REQUIRE(fresh.next_u32() == primed.next_u32());
}

TEST_CASE("batched lognormal: same bits on every path, within 2 ulp of exp(mu + sigma z)", "[random][exact]") {
  // The vector path (AVX-512 when present) against the one-draw scalar path, for a batch length
  // with a partial last vector; and both against std::exp of sample()'s normal quantile.
  const std::size_t n = 1003;
  std::vector<std::uint32_t> w0(n), w1(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto b = philox_block(2027, DrawAddress{3, i, slot_of("pipeline.deal_size")}, 0);
    w0[i] = b.v[0];
    w1[i] = b.v[1];
  }
  w0[0] = 0;            // u at its smallest: the deep lower tail
  w0[1] = 0xFFFFFFFFu;  // and its largest
  w1[1] = 0xFFFFFFFFu;
  std::vector<double> batch(n);
  detail::lognormal_from_words(10.3, 1.6, w0.data(), w1.data(), n, batch.data());
  for (std::size_t i = 0; i < n; ++i) {
    INFO("entry " << i);
    REQUIRE(batch[i] == detail::lognormal_from_words(10.3, 1.6, w0[i], w1[i]));
    const double u = detail::uniform_from_words(w0[i], w1[i]);
    REQUIRE(u == to_open_unit((std::uint64_t{w0[i]} << 32) | w1[i]));
    const double expected = std::exp(10.3 + 1.6 * sample_standard_normal(u));
    REQUIRE(std::abs(batch[i] - expected) <= 4.5e-16 * expected);
  }
  // The engine's exp at the edges: overflow to +inf, underflow to 0, exact at 0.
  REQUIRE(detail::engine_exp(0.0) == 1.0);
  REQUIRE(std::isinf(detail::engine_exp(710.0)));
  REQUIRE(detail::engine_exp(-800.0) == 0.0);
  for (double x = -700.0; x < 700.0; x += 0.731) REQUIRE(std::abs(detail::engine_exp(x) - std::exp(x)) <= 4.5e-16 * std::exp(x));
}

TEST_CASE("batched triangular equals sample() bit for bit", "[random][exact]") {
  const std::size_t n = 257;
  std::vector<std::uint32_t> w0(n), w1(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto b = philox_block(7, DrawAddress{11, i, slot_of("pipeline.qualify_hours")}, 0);
    w0[i] = b.v[0];
    w1[i] = b.v[1];
  }
  const Distribution d = Distribution::triangular(1.0, 2.0, 6.0);
  std::vector<double> batch(n);
  detail::triangular_from_words(1.0, 2.0, 6.0, w0.data(), w1.data(), n, batch.data());
  for (std::uint32_t i = 0; i < n; ++i) {
    DrawStream s(7, DrawAddress{11, i, slot_of("pipeline.qualify_hours")});
    REQUIRE(batch[i] == sample(d, s));
  }
}
