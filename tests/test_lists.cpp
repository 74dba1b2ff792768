// The engine kernel's list building (sim/engine/lists.hpp): on every Highway target this CPU runs
// (each_target.hpp), the lists equal a plain reading of each function's contract, for every chunk
// length 0..256 (full vectors, the padded last vector), edge thresholds (probability 0 and 1, a
// threshold of 2^32 - 1) and every flag combination.
#include <mistakesim/random.hpp>

#include "each_target.hpp"
#include "engine/lists.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

using namespace mistakesim;
using namespace mistakesim::detail;

namespace {

constexpr std::size_t kRoom = kChunk + kSlack;

//! Random flags of a chunk, every bit pattern the kernel can produce (alive implies closes implies fit).
std::vector<std::uint8_t> random_flags(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> f(kRoom, 0xEE);
  for (std::size_t e = 0; e < n; ++e) {
    const auto r = static_cast<std::uint32_t>(rng());
    std::uint32_t x = r & (kFit | kRepeat | kPilot | kChurned);
    if ((x & kFit) && (r & 0x100)) x |= kCloses | ((r & 0x200) ? kAlive : 0u);
    f[e] = static_cast<std::uint8_t>(x);
  }
  return f;
}

std::vector<std::uint32_t> random_words(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint32_t> w(kRoom, 0xDEADBEEF);
  for (std::size_t e = 0; e < n; ++e) {
    const auto r = static_cast<std::uint32_t>(rng());
    // A few words at the extremes, where an off-by-one threshold would show.
    w[e] = (r % 17 == 0) ? 0xFFFFFFFFu : (r % 19 == 0) ? 0u : (r % 23 == 0) ? 0x80000000u : r;
  }
  return w;
}

const std::uint64_t kThresholds[] = {0,
                                     1,
                                     bernoulli_threshold(0.25),
                                     std::uint64_t{0x80000000},
                                     std::uint64_t{0xFFFFFFFF},
                                     std::uint64_t{1} << 32};

const FlagTest kTests[] = {
    {0, 0},                                   // all
    {kFit, kFit},                             // good fits
    {kFit, 0},                                // poor fits
    {kPilot, kPilot},                         // pilots
    {kRepeat, kRepeat},                       // repeat customers
    {kCloses, kCloses},                       // deals that would close
    {kFit, kFit, kCloses | kAlive, kCloses},  // good fits not lost
    {0, 0, kCloses | kAlive, kCloses},        // any opportunity not lost
    {0, 1},                                   // none
};

}  // namespace

TEST_CASE("select_opportunities: every target equals the plain filter", "[engine][lists][exact]") {
  testing::on_every_target("select_opportunities", [](std::int64_t) {
    std::mt19937_64 rng(7);
    for (std::size_t n = 0; n <= kChunk; ++n) {
      const auto flags = random_flags(rng, n);
      const std::uint32_t base = static_cast<std::uint32_t>(rng() % 100000) * 256;
      for (const FlagTest& t : kTests) {
        std::vector<std::uint32_t> want_index, want_flags;
        for (std::size_t e = 0; e < n; ++e)
          if (((flags[e] & t.mask) == t.want) && ((flags[e] & t.mask2) != t.want2)) {
            want_index.push_back(base + static_cast<std::uint32_t>(e));
            want_flags.push_back(flags[e]);
          }
        for (bool keep_flags : {true, false}) {
          std::vector<std::uint32_t> index(kRoom), out_flags(kRoom);
          const std::size_t count = select_opportunities(flags.data(), n, t, base, index.data(),
                                                         keep_flags ? out_flags.data() : nullptr);
          INFO("n " << n << ", test " << t.mask << "/" << t.want << "/" << t.mask2 << "/" << t.want2
                    << ", flags kept " << keep_flags);
          REQUIRE(count == want_index.size());
          REQUIRE(std::vector<std::uint32_t>(index.begin(), index.begin() + count) == want_index);
          if (keep_flags)
            REQUIRE(std::vector<std::uint32_t>(out_flags.begin(), out_flags.begin() + count) == want_flags);
        }
      }
    }
  });
}

TEST_CASE("pipeline_flags: every target equals the model's pipeline", "[engine][lists][exact]") {
  testing::on_every_target("pipeline_flags", [](std::int64_t) {
    std::mt19937_64 rng(11);
    for (std::size_t n = 0; n <= kChunk; ++n) {
      const auto fit = random_words(rng, n), repeat = random_words(rng, n), pilot = random_words(rng, n),
                 close = random_words(rng, n);
      const auto pick = [&] { return kThresholds[rng() % std::size(kThresholds)]; };
      const PipelineRule rule{pick(), pick(), pick(), pick()};
      std::vector<std::uint8_t> a(kRoom, 0xEE);
      pipeline_flags(fit.data(), repeat.data(), pilot.data(), close.data(), n, rule, a.data());
      for (std::size_t e = 0; e < n; ++e) {
        const bool f = fit[e] < rule.fit, c = f && close[e] < rule.close;
        const std::uint8_t want =
            static_cast<std::uint8_t>((f ? kFit : 0u) | (repeat[e] < rule.repeat ? kRepeat : 0u) |
                                      (pilot[e] < rule.pilot ? kPilot : 0u) | (c ? kCloses | kAlive : 0u));
        INFO("n " << n << ", e " << e);
        REQUIRE(a[e] == want);
      }
      for (std::size_t e = n; e < kRoom; ++e) REQUIRE(a[e] == 0xEE);  // nothing written past the chunk
    }
  });
}

TEST_CASE("word_free_flags equals pipeline_flags for rates of 0 and 1 whatever the words",
          "[engine][lists][exact]") {
  testing::on_every_target("word_free_flags", [](std::int64_t) {
    std::mt19937_64 rng(17);
    constexpr std::uint64_t kNever = 0, kAlways = std::uint64_t{1} << 32;
    for (unsigned bits = 0; bits < 16; ++bits) {
      const auto pick = [&](unsigned b) { return (bits >> b) & 1u ? kAlways : kNever; };
      const PipelineRule rule{pick(0), pick(1), pick(2), pick(3)};
      REQUIRE(word_free(rule));
      const std::size_t n = 1 + rng() % kChunk;
      const auto fit = random_words(rng, n), repeat = random_words(rng, n), pilot = random_words(rng, n),
                 close = random_words(rng, n);
      std::vector<std::uint8_t> a(kRoom, 0xEE);
      pipeline_flags(fit.data(), repeat.data(), pilot.data(), close.data(), n, rule, a.data());
      INFO("rates " << bits);
      for (std::size_t e = 0; e < n; ++e) REQUIRE(a[e] == word_free_flags(rule));
    }
    REQUIRE_FALSE(word_free(PipelineRule{kAlways, kNever, kAlways - 1, kNever}));
    REQUIRE_FALSE(word_free(EventRule{kAlways, 1, kNever, kNever, false}));
    REQUIRE(word_free(EventRule{kAlways, kAlways, kNever, kNever, true}));
  });
}

TEST_CASE("expand_values puts each listed value at its opportunity and +0 elsewhere",
          "[engine][lists][exact]") {
  std::mt19937_64 rng(13);
  std::vector<double> values(kRoom);
  for (std::size_t k = 0; k < kRoom; ++k) values[k] = 1000.0 + static_cast<double>(k);
  for (std::size_t n = 0; n <= kChunk; ++n) {
    const auto flags = random_flags(rng, n);
    const std::uint32_t base = 256u * static_cast<std::uint32_t>(rng() % 1000);
    for (const FlagTest& t : kTests) {
      std::vector<std::uint32_t> index(kRoom);
      const std::size_t count = select_opportunities(flags.data(), n, t, base, index.data(), nullptr);
      std::vector<double> a(kRoom, -1.0);
      expand_values(index.data(), count, base, values.data(), n, a.data());
      std::size_t k = 0;
      for (std::size_t e = 0; e < n; ++e) {
        const bool take = ((flags[e] & t.mask) == t.want) && ((flags[e] & t.mask2) != t.want2);
        const double want = take ? values[k++] : 0.0;
        INFO("n " << n << ", e " << e);
        REQUIRE(a[e] == want);
        REQUIRE(!std::signbit(a[e]));
      }
      REQUIRE(k == count);
      for (std::size_t e = n; e < kRoom; ++e) REQUIRE(a[e] == -1.0);  // nothing written past the chunk
    }
  }
}

TEST_CASE("decide_occurrences: every target equals the model's rules", "[engine][lists][exact]") {
  testing::on_every_target("decide_occurrences", [](std::int64_t) {
    std::mt19937_64 rng(17);
    for (std::size_t n = 0; n <= kChunk; ++n) {
      for (int variant = 0; variant < 4; ++variant) {
        const auto chunk_flags = random_flags(rng, kChunk);
        // The visited opportunities: a random ascending subset of the chunk, at least n of them.
        std::vector<std::uint32_t> index(kRoom, 0), flags(kRoom, 0);
        const std::uint32_t base = 256u * static_cast<std::uint32_t>(rng() % 1000);
        std::size_t count = 0;
        for (std::size_t e = 0; e < kChunk && count < n; ++e)
          if (kChunk - e <= n - count || rng() % 2) {
            index[count] = base + static_cast<std::uint32_t>(e);
            flags[count] = chunk_flags[e];
            ++count;
          }
        REQUIRE(count == n);
        const auto w0 = random_words(rng, n), w1 = random_words(rng, n), w2 = random_words(rng, n),
                   w3 = random_words(rng, n);
        const auto pick = [&] { return kThresholds[rng() % std::size(kThresholds)]; };
        const EventRule rule{pick(), pick(), pick(), pick(), variant % 2 == 0};
        std::array<bool, kAmountLists> take{};
        for (bool& t : take) t = rng() % 4 != 0;

        struct Result {
          std::vector<std::uint32_t> e, what;
          std::array<std::vector<std::uint32_t>, kAmountLists> lists;
        };
        const auto run = [&] {
          Result r;
          r.e.assign(kRoom, 0);
          r.what.assign(kRoom, 0);
          std::array<std::size_t, kAmountLists> sizes{};
          OccurrenceLists out;
          out.e = r.e.data();
          out.what = r.what.data();
          for (std::size_t l = 0; l < kAmountLists; ++l) {
            r.lists[l].assign(kRoom, 0);
            out.list[l] = r.lists[l].data();
            out.size[l] = &sizes[l];
            out.take[l] = take[l];
          }
          const std::size_t occurrences = decide_occurrences(index.data(), flags.data(), w0.data(), w1.data(),
                                                             w2.data(), w3.data(), n, base, rule, out);
          r.e.resize(occurrences);
          r.what.resize(occurrences);
          for (std::size_t l = 0; l < kAmountLists; ++l) r.lists[l].resize(sizes[l]);
          return r;
        };

        // The plain reading of lists.hpp's contract.
        Result want;
        for (std::size_t j = 0; j < n; ++j) {
          if (!(w0[j] < rule.occur)) continue;
          const std::uint32_t f = flags[j];
          const bool noticed = w1[j] < rule.noticed;
          const bool alive = (f & kAlive) != 0;
          const bool loses = alive && w2[j] < rule.lose;
          const bool recovers = loses && noticed && rule.has_recovery;
          const bool discounted = alive && !loses;
          const bool churns = (f & kRepeat) && !(f & kChurned) && w3[j] < rule.churn;
          want.e.push_back(index[j] - base);
          want.what.push_back((noticed ? kNoticed : 0u) | (loses ? kLoses : 0u) |
                              (recovers ? kRecovers : 0u) | (discounted ? kDiscounted : 0u) |
                              (churns ? kChurns : 0u));
          const bool need[kAmountLists] = {true, true, discounted, recovers, recovers, churns};
          for (std::size_t l = 0; l < kAmountLists; ++l)
            if (take[l] && need[l]) want.lists[l].push_back(index[j]);
        }
        const Result got = run();
        INFO("n " << n << ", variant " << variant);
        REQUIRE(got.e == want.e);
        REQUIRE(got.what == want.what);
        for (std::size_t l = 0; l < kAmountLists; ++l) {
          INFO("amount list " << l);
          REQUIRE(got.lists[l] == want.lists[l]);
        }
      }
    }
  });
}
