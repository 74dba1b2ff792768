// Batched beta and PERT amounts (sample_batch.hpp, pert_from_words / beta_from_words): every draw the
// batch gives is sample()'s at its address, bit for bit (whether its gammas passed the squeeze or the
// log test); the draws it leaves are listed for the caller; every Highway target this CPU runs
// (each_target.hpp) gives the same values and the same list.
#include <mistakesim/distribution.hpp>
#include <mistakesim/random.hpp>

#include "each_target.hpp"
#include "model/philox_batch.hpp"
#include "model/sample_batch.hpp"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

using namespace mistakesim;
using detail::philox_blocks;

namespace {

constexpr std::uint64_t kSeed = 2027;
constexpr std::uint64_t kTrial = 41;
const std::uint32_t kSlot = slot_of("mistake.late-pricing.discount");

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

//! Blocks 0 and 1 of a list of opportunities, word j of entry i at w[j][i].
struct Blocks {
  std::vector<std::uint32_t> opp;
  std::vector<std::uint32_t> w0[4], w1[4];
  explicit Blocks(std::vector<std::uint32_t> opportunities) : opp(std::move(opportunities)) {
    for (auto* w : {w0, w1})
      for (int j = 0; j < 4; ++j) w[j].assign(opp.size(), 0);
    philox_blocks(kSeed, kTrial, kSlot, 0, opp, w0[0].data(), w0[1].data(), w0[2].data(), w0[3].data());
    philox_blocks(kSeed, kTrial, kSlot, 1, opp, w1[0].data(), w1[1].data(), w1[2].data(), w1[3].data());
  }
  //! sample() at entry i, from a DrawStream that starts at (this) block 0.
  double sample_at(const Distribution& d, std::size_t i) const {
    DrawStream s(kSeed, DrawAddress{kTrial, opp[i], kSlot}, w0[0][i], w0[1][i], w0[2][i], w0[3][i]);
    return sample(d, s);
  }
};

//! The first `n` entries from `offset` through the batched sampler, the fallback entries by
//! sample(); each must equal sample() at its address. Returns the fallback count.
std::size_t check_batch(const Distribution& d, const Blocks& b, std::size_t offset, std::size_t n) {
  const std::uint32_t* const b0[4] = {b.w0[0].data() + offset, b.w0[1].data() + offset,
                                      b.w0[2].data() + offset, b.w0[3].data() + offset};
  const std::uint32_t* const b1[4] = {b.w1[0].data() + offset, b.w1[1].data() + offset,
                                      b.w1[2].data() + offset, b.w1[3].data() + offset};
  std::vector<double> out(n + 16, -7.0);  // sixteen canaries: a whole vector written past the end shows
  std::vector<std::uint32_t> fallback(n + 16, 0xDEADBEEF);
  std::size_t nf;
  if (d.kind == DistKind::beta) {
    nf = detail::beta_from_words(d.p[0], d.p[1], b0, b1, n, out.data(), fallback.data());
  } else {
    nf = detail::pert_from_words(d.p[0], d.p[1], d.p[2], d.p[3], b0, b1, n, out.data(), fallback.data());
  }
  REQUIRE(nf <= n);
  for (std::size_t i = n; i < n + 16; ++i) REQUIRE(out[i] == -7.0);  // nothing written past the batch
  for (std::size_t i = nf; i < n + 16; ++i) REQUIRE(fallback[i] == 0xDEADBEEF);  // nor past the list
  std::vector<bool> listed(n, false);
  for (std::size_t f = 0; f < nf; ++f) {
    REQUIRE(fallback[f] < n);
    if (f > 0) REQUIRE(fallback[f] > fallback[f - 1]);  // ascending
    listed[fallback[f]] = true;
  }
  for (std::size_t i = 0; i < n; ++i) {
    INFO("batch of " << n << " from " << offset << ", entry " << i);
    const double expected = b.sample_at(d, offset + i);
    if (!listed[i]) REQUIRE(bits(out[i]) == bits(expected));
  }
  return nf;
}

//! Opportunities 0, 1, 2, ... with a few far ones (the counter's high bits used).
std::vector<std::uint32_t> opportunities(std::size_t n) {
  std::vector<std::uint32_t> opp(n);
  for (std::size_t i = 0; i < n; ++i)
    opp[i] = static_cast<std::uint32_t>(i % 5 ? i : i * 7919u + 0xFFFF0000u);
  return opp;
}

}  // namespace

TEST_CASE("batched PERT and beta equal sample() bit for bit, every batch length, offset and target",
          "[random][exact]") {
  const Distribution dists[] = {
      Distribution::pert(0.05, 0.1, 0.2),          // late pricing's discount: alpha 2.33, beta 3.67
      Distribution::pert(0.25, 0.25, 0.5),         // mode at min: alpha = 1 exactly
      Distribution::pert(10.0, 30.0, 90.0, 2.0),   // lambda != 4
      Distribution::pert(0.0, 0.5, 1.0, 78.0),     // alpha = beta = 40
      Distribution::pert(-3.0, -2.99, 5.0, 60.0),  // very different shapes
      Distribution::beta(1.0, 1.0),
      Distribution::beta(1.0, 40.0),
      Distribution::beta(5.4, 3.6),
      Distribution::beta(40.0, 40.0),
  };
  // Entries 3 and 5 of block 0 at u's extremes (2^-53, 1 - 2^-53): the deep tails, where a gamma's
  // first try fails the squeeze (or v <= 0) and sample() goes on.
  Blocks b(opportunities(300));
  b.w0[0][3] = b.w0[1][3] = 0;
  b.w0[0][5] = b.w0[1][5] = 0xFFFFFFFFu;
  testing::on_every_target("batched PERT and beta", [&](std::int64_t) {
    for (const Distribution& d : dists) {
      INFO(d.describe());
      if (d.kind == DistKind::pert) {
        REQUIRE(d.p[2] >= 1.0);
        REQUIRE(d.p[3] >= 1.0);
      }
      std::size_t fallbacks = 0;
      for (std::size_t n = 0; n <= 256; ++n) fallbacks += check_batch(d, b, 0, n);
      for (std::size_t offset : {1u, 3u, 7u, 8u, 13u})
        for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 100u, 256u}) fallbacks += check_batch(d, b, offset, n);
      INFO("fallbacks " << fallbacks);
      REQUIRE(fallbacks > 0);  // the fallback path was exercised (for each distribution)
    }
  });
}

TEST_CASE("batched PERT: every target gives the same values and the same fallback list", "[random][exact]") {
  const Blocks b(opportunities(1003));  // several 256-entry blocks and a partial last vector
  const Distribution d = Distribution::pert(0.1, 0.3, 0.9, 2.0);
  const std::uint32_t* const b0[4] = {b.w0[0].data(), b.w0[1].data(), b.w0[2].data(), b.w0[3].data()};
  const std::uint32_t* const b1[4] = {b.w1[0].data(), b.w1[1].data(), b.w1[2].data(), b.w1[3].data()};
  const std::size_t n = b.opp.size();
  std::vector<double> first(n);
  std::vector<std::uint32_t> first_fallback(n);
  std::size_t first_count = 0;
  bool have_first = false;
  testing::on_every_target("batched PERT, long batch", [&](std::int64_t) {
    std::vector<double> v(n);
    std::vector<std::uint32_t> fv(n);
    const std::size_t nv =
        detail::pert_from_words(d.p[0], d.p[1], d.p[2], d.p[3], b0, b1, n, v.data(), fv.data());
    REQUIRE(nv > 0);
    if (!have_first) {  // the best target's answer: the others must give it
      first = v;
      first_fallback = fv;
      first_count = nv;
      have_first = true;
    }
    REQUIRE(nv == first_count);
    for (std::size_t f = 0; f < nv; ++f) REQUIRE(fv[f] == first_fallback[f]);
    std::size_t f = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (f < nv && fv[f] == i) {
        ++f;
        continue;
      }
      INFO("entry " << i);
      REQUIRE(bits(v[i]) == bits(first[i]));
      REQUIRE(bits(v[i]) == bits(b.sample_at(d, i)));
    }
  });
}

TEST_CASE("batched PERT: draws whose first tries surely accept all take the vector path", "[random][exact]") {
  // Addresses where, in both blocks, the normal's u is within 0.3 of 0.5 (|x| < 0.85, so v > 0 for any
  // shape >= 1: c <= 1/sqrt(6)) and the squeeze's u is below 0.9 (its bound 1 - 0.0331 x^4 is above
  // 0.98): chosen by this test's own reading of the words, not by the sampler.
  std::vector<std::uint32_t> chosen;
  {
    const Blocks scan(opportunities(4000));
    const auto sure = [&](const std::vector<std::uint32_t>* w, std::size_t i) {
      const double un = detail::uniform_from_words(w[0][i], w[1][i]);
      const double us = detail::uniform_from_words(w[2][i], w[3][i]);
      return std::fabs(un - 0.5) <= 0.3 && us < 0.9;
    };
    for (std::size_t i = 0; i < scan.opp.size() && chosen.size() < 256; ++i)
      if (sure(scan.w0, i) && sure(scan.w1, i)) chosen.push_back(scan.opp[i]);
  }
  REQUIRE(chosen.size() == 256);
  const Blocks b(chosen);
  testing::on_every_target("batched PERT, sure first tries", [&](std::int64_t) {
    for (const Distribution& d : {Distribution::pert(0.05, 0.1, 0.2), Distribution::pert(0.0, 0.5, 1.0, 78.0),
                                  Distribution::beta(1.0, 1.0)})
      for (std::size_t n = 0; n <= 256; ++n) REQUIRE(check_batch(d, b, 0, n) == 0);
  });
}

TEST_CASE("batched beta: gammas accepted by the log test (engine_log, with a margin) are sample()'s",
          "[random][exact]") {
  // sample() takes the log test with the C library's log, the batch with engine_log and a margin:
  // over many draws, every draw the batch gives is sample()'s, and many of them passed a gamma by
  // the log test (the squeeze failed, as this test reads the words).
  const Blocks b(opportunities(60000));
  const std::size_t n = b.opp.size();
  const std::uint32_t* const b0[4] = {b.w0[0].data(), b.w0[1].data(), b.w0[2].data(), b.w0[3].data()};
  const std::uint32_t* const b1[4] = {b.w1[0].data(), b.w1[1].data(), b.w1[2].data(), b.w1[3].data()};
  const auto squeeze = [](double shape, const std::vector<std::uint32_t>* w, std::size_t i) {
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    const double x = sample_standard_normal(detail::uniform_from_words(w[0][i], w[1][i]));
    double v = 1.0 + c * x;
    v = v * v * v;
    return detail::uniform_from_words(w[2][i], w[3][i]) < 1.0 - 0.0331 * x * x * x * x && v > 0.0;
  };
  testing::on_every_target("batched beta, log test", [&](std::int64_t) {
    for (const auto& [alpha, beta] : {std::pair{1.0, 1.0}, std::pair{2.3, 3.7}, std::pair{1.0, 40.0}}) {
      std::vector<double> out(n);
      std::vector<std::uint32_t> fallback(n);
      const std::size_t nf = detail::beta_from_words(alpha, beta, b0, b1, n, out.data(), fallback.data());
      const Distribution d = Distribution::beta(alpha, beta);
      std::size_t f = 0, by_log_test = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (f < nf && fallback[f] == i) {
          ++f;
          continue;
        }
        INFO("Beta(" << alpha << ", " << beta << "), entry " << i);
        REQUIRE(bits(out[i]) == bits(b.sample_at(d, i)));
        by_log_test += !(squeeze(alpha, b.w0, i) && squeeze(beta, b.w1, i));
      }
      INFO("Beta(" << alpha << ", " << beta << "): " << by_log_test << " by the log test, " << nf << " left");
      REQUIRE(by_log_test > n / 50);
      REQUIRE(nf < n / 5);
    }
  });
}
