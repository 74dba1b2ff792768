// Distributions: known-answer tests of the exact functions (moments, CDF, quantile, AS241) and
// statistical tests of the samplers.
//
// Statistical tests draw n values, each at its own address DrawAddress{trial 0, opportunity i,
// slot s} as the engine does, with a fixed seed, and assert for every case:
//   (a) |sample mean - exact mean| < 4 standard errors, SE = sqrt(exact variance / n);
//   (b) |sample variance - exact variance| < 4 standard errors, SE = sqrt((mu4 - sigma^4) / n) with
//       the fourth central moment mu4 estimated from the sample;
//   (c) the Kolmogorov-Smirnov statistic against the exact CDF below its 0.001 critical value
//       1.9495 / sqrt(n). For discrete distributions the same bound is used on the discrete CDF
//       (checked at every observed value and just below it); it is conservative there, since the
//       KS statistic of a discrete distribution is stochastically smaller than for a continuous one.
// With ~35 cases × 3 checks, the chance of any false alarm is below ~0.2%; the seed is fixed, so a
// failure is reproducible and means a bug, never bad luck to be fixed by loosening a bound.

#include <algorithm>
#include <boost/math/constants/constants.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <mistakesim/dist_parameters.hpp>
#include <mistakesim/distribution.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/random.hpp>
#include <mistakesim/study.hpp>
#include <string>
#include <vector>

using namespace mistakesim;

namespace {

constexpr std::uint64_t kSeed = 20270101;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr bool kContinuous = true;
constexpr bool kDiscrete = false;

std::vector<double> draw_many(const Distribution& d, std::size_t n, std::uint32_t slot) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    DrawStream stream(kSeed, DrawAddress{0, static_cast<std::uint32_t>(i), slot});
    x[i] = sample(d, stream);
  }
  return x;
}

// Kolmogorov-Smirnov statistic of a sorted sample against d's CDF.
double ks_continuous(const Distribution& d, const std::vector<double>& sorted) {
  const double n = static_cast<double>(sorted.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double f = d.cdf(sorted[i]);
    worst = std::max({worst, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return worst;
}

// KS statistic on a discrete CDF: at each distinct observed value v, compare the empirical and exact
// CDFs at v and just below v. Between observed values the empirical CDF is flat, so these points
// cover the supremum.
double ks_discrete(const Distribution& d, const std::vector<double>& sorted) {
  const double n = static_cast<double>(sorted.size());
  double worst = 0.0;
  std::size_t i = 0;
  while (i < sorted.size()) {
    const double v = sorted[i];
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == v) ++j;
    const double below = static_cast<double>(i) / n, at = static_cast<double>(j) / n;
    worst = std::max({worst, std::fabs(at - d.cdf(v)), std::fabs(below - d.cdf(std::nextafter(v, -kInf)))});
    i = j;
  }
  return worst;
}

// The statistical checks (a), (b), (c) above.
void check_sampler(const Distribution& d, bool continuous, std::size_t n = 1'000'000) {
  const std::string label = d.describe();
  INFO("distribution: " << label << ", n = " << n << ", seed " << kSeed);
  std::vector<double> x = draw_many(d, n, slot_of(label));
  const double nd = static_cast<double>(n);

  for (double v : x) {
    if (!(std::isfinite(v) && v >= d.support_min() && v <= d.support_max())) {
      FAIL("draw " << v << " outside the support [" << d.support_min() << ", " << d.support_max() << "]");
    }
  }

  double sum = 0.0;
  for (double v : x) sum += v;
  const double mean = sum / nd;
  double m2 = 0.0, m4 = 0.0;
  for (double v : x) {
    const double dev = (v - mean) * (v - mean);
    m2 += dev;
    m4 += dev * dev;
  }
  const double sample_variance = m2 / (nd - 1.0);
  m4 /= nd;

  const double exact_mean = d.mean(), exact_variance = d.variance();
  const double mean_se = std::sqrt(exact_variance / nd);
  const double variance_se = std::sqrt(std::max(0.0, m4 - exact_variance * exact_variance) / nd);
  CAPTURE(exact_mean, mean, mean_se, exact_variance, sample_variance, variance_se);
  CHECK(std::fabs(mean - exact_mean) <= 4.0 * mean_se);
  CHECK(std::fabs(sample_variance - exact_variance) <= 4.0 * variance_se);

  std::sort(x.begin(), x.end());
  const double ks = continuous ? ks_continuous(d, x) : ks_discrete(d, x);
  const double ks_critical = 1.9495 / std::sqrt(nd);
  CAPTURE(ks, ks_critical);
  CHECK(ks < ks_critical);
}

double draw_at(const Distribution& d, DrawAddress address) {
  DrawStream stream(kSeed, address);
  return sample(d, stream);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Known-answer tests of the exact functions

TEST_CASE("AS241 normal quantile matches Boost.Math to 1e-15 relative", "[distributions][normal]") {
  const boost::math::normal_distribution<double> standard;
  for (double p : {1e-300, 1e-100, 1e-20, 1e-8, 1e-3, 0.02425, 0.07, 0.2, 0.4999, 0.5, 0.6, 0.9, 0.975, 0.999,
                   1.0 - 1e-9}) {
    const double z = sample_standard_normal(p);
    const double expected = boost::math::quantile(standard, p);
    INFO("p = " << p << ": AS241 gives " << z << ", Boost gives " << expected);
    CHECK(std::fabs(z - expected) <= 1e-15 * std::max(1.0, std::fabs(expected)));
  }
  // A uniform of exactly 0 or 1 still gives a finite value.
  CHECK(std::isfinite(sample_standard_normal(0.0)));
  CHECK(std::isfinite(sample_standard_normal(1.0)));
}

TEST_CASE("Closed-form means and variances", "[distributions][moments]") {
  SECTION("PERT lambda 4: mean = (min + 4 mode + max) / 6") {
    for (auto [lo, mode, hi] : {std::array<double, 3>{0.1, 0.25, 0.5}, {0, 1, 10}, {-5, 7, 8}, {2, 2, 3}}) {
      const auto d = Distribution::pert(lo, mode, hi);
      INFO(d.describe() << ": mean " << d.mean() << ", closed form " << (lo + 4 * mode + hi) / 6);
      CHECK(d.mean() == Approx((lo + 4 * mode + hi) / 6).epsilon(1e-14));
    }
  }
  SECTION("PERT lambda 2: alpha = 1 + lambda (mode-min)/(max-min)") {
    const auto d = Distribution::pert(0, 8, 10, 2.0);
    CHECK(d.p[2] == Approx(2.6));
    CHECK(d.p[3] == Approx(1.4));
    CHECK(d.mean() == Approx(10 * 2.6 / 4.0));  // min + (max - min) alpha / (alpha + beta)
  }
  SECTION("triangular") {
    const auto d = Distribution::triangular(1, 2, 6);
    CHECK(d.mean() == Approx(3.0));
    CHECK(d.variance() == Approx((1 + 4 + 36 - 2 - 6 - 12) / 18.0));  // (a²+b²+c²-ab-ac-bc)/18
  }
  SECTION("half normal: mean sqrt(2/pi), variance 1 - 2/pi") {
    const auto d = Distribution::normal(0, 1, 0);
    CHECK(d.mean() == Approx(std::sqrt(2 / boost::math::constants::pi<double>())).epsilon(1e-14));
    CHECK(d.variance() == Approx(1 - 2 / boost::math::constants::pi<double>()).epsilon(1e-14));
  }
  SECTION("lognormal, gamma, beta, poisson, negative binomial") {
    CHECK(Distribution::lognormal(1, 0.5).mean() == Approx(std::exp(1.125)));
    CHECK(Distribution::lognormal(1, 0.5).variance() == Approx(std::expm1(0.25) * std::exp(2.25)));
    CHECK(Distribution::gamma(3, 2).variance() == Approx(12));
    CHECK(Distribution::beta(2, 5).variance() == Approx(10.0 / (49 * 8)));
    CHECK(Distribution::poisson(7).variance() == 7);
    CHECK(Distribution::negbinomial(40, 5).variance() == Approx(40 + 1600 / 5.0));  // mean + mean²/k
  }
  SECTION("discrete: weights are normalised") {
    const auto d = Distribution::discrete({5, 1, 2}, {3, 2, 5});
    CHECK(d.values == std::vector<double>{1, 2, 5});
    CHECK(d.cumulative.back() == 1.0);
    CHECK(d.mean() == Approx(0.2 * 1 + 0.5 * 2 + 0.3 * 5));
  }
}

TEST_CASE("Truncated normal moments agree with numerical integration", "[distributions][normal]") {
  // Reference: adaptive Gauss-Kronrod integration of the truncated density about the interval's
  // lower end (scaled by exp(a²/2) so that it does not underflow in the tail).
  for (auto [a, b] : {std::array<double, 2>{-1, 0.5},
                      {2, 3},
                      {6, kInf},
                      {-kInf, -3},
                      {0.3, 0.30001},
                      {40, 41},
                      {-2, 2},
                      {-kInf, 1.5},
                      {1e-3, 2e-3},
                      {100, 100.5}}) {
    const double lo = std::isfinite(a) ? a : b - 40, hi = std::isfinite(b) ? b : a + 40;
    const double shift = std::fabs(lo) < std::fabs(hi) ? lo : hi;  // point of largest density
    const auto w = [&](double x) { return std::exp(-0.5 * (x - shift) * (x + shift)); };
    using GK = boost::math::quadrature::gauss_kronrod<double, 61>;
    const double m0 = GK::integrate(w, lo, hi, 15, 1e-15);
    const double m1 = GK::integrate([&](double x) { return w(x) * (x - shift); }, lo, hi, 15, 1e-15) / m0;
    const double m2 =
        GK::integrate([&](double x) { return w(x) * (x - shift) * (x - shift); }, lo, hi, 15, 1e-15) / m0;
    const auto d = Distribution::normal(0, 1, a, b);
    INFO(d.describe() << ": mean " << d.mean() << " vs " << shift + m1 << ", variance " << d.variance()
                      << " vs " << m2 - m1 * m1);
    CHECK(d.mean() == Approx(shift + m1).epsilon(1e-9).margin(1e-12));
    CHECK(d.variance() == Approx(m2 - m1 * m1).epsilon(1e-7));
  }
}

TEST_CASE("quantile inverts cdf", "[distributions][cdf]") {
  const std::vector<Distribution> continuous = {Distribution::uniform(2, 5),
                                                Distribution::triangular(1, 2, 6),
                                                Distribution::pert(0.1, 0.25, 0.5),
                                                Distribution::normal(10, 3),
                                                Distribution::normal(5, 2, 6, 7),
                                                Distribution::normal(0, 1, 40, 41),
                                                Distribution::normal(0, 1, -kInf, -3),
                                                Distribution::lognormal(10, 1),
                                                Distribution::beta(0.5, 0.5),
                                                Distribution::gamma(0.05, 1),
                                                Distribution::gamma(3, 2)};
  for (const auto& d : continuous) {
    for (double p : {1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 1 - 1e-6}) {
      const double x = d.quantile(p);
      INFO(d.describe() << ": quantile(" << p << ") = " << x << ", cdf of it = " << d.cdf(x));
      CHECK(d.cdf(x) == Approx(p).epsilon(1e-9).margin(1e-12));
    }
    CHECK(d.quantile(0.0) == d.support_min());
    CHECK(d.quantile(1.0) == d.support_max());
  }
  const std::vector<Distribution> discrete = {
      Distribution::poisson(5), Distribution::poisson(1000), Distribution::negbinomial(40, 5),
      Distribution::discrete({1, 2, 5}, {2, 5, 3}), Distribution::empirical({3, 1, 4, 1, 5, 9, 2, 6})};
  for (const auto& d : discrete) {
    for (double p : {1e-6, 0.01, 0.2, 0.5, 0.7, 0.99, 1 - 1e-6}) {
      const double k = d.quantile(p);
      INFO(d.describe() << ": quantile(" << p << ") = " << k << ", cdf " << d.cdf(k) << ", cdf just below "
                        << d.cdf(std::nextafter(k, -kInf)));
      CHECK(d.cdf(k) >= p * (1 - 1e-12));
      CHECK(d.cdf(std::nextafter(k, -kInf)) < p);
    }
  }
  CHECK(Distribution::poisson(3).cdf(2.7) == Distribution::poisson(3).cdf(2.0));  // CDF of floor(x)
  CHECK(Distribution::poisson(0).cdf(0) == 1.0);
  CHECK(Distribution::discrete({1, 2, 5}, {2, 5, 3}).cdf(4.9) == Approx(0.7));
  CHECK(Distribution::empirical({3, 1, 4, 1}).cdf(1) == 0.5);
}

TEST_CASE("describe() says it in plain words", "[distributions][describe]") {
  CHECK(Distribution::pert(0.1, 0.25, 0.5).describe() == "PERT(min 0.1, mode 0.25, max 0.5)");
  CHECK(Distribution::pert(0, 8, 10, 2).describe() == "PERT(min 0, mode 8, max 10, lambda 2)");
  CHECK(Distribution::pert(0, 8, 10, 0).describe() == "PERT(min 0, mode 8, max 10, lambda 0)");
  CHECK(Distribution::normal(0, 1, 0).describe() == "Normal(mean 0, sd 1, truncated below 0)");
  CHECK(Distribution::poisson(40).describe() == "Poisson(mean 40)");
  CHECK(Distribution::constant(80000).describe() == "80000");
  CHECK(std::string(dist_name(DistKind::negbinomial)) == "negbinomial");
}

TEST_CASE("Degenerate parameters give constants, never NaN", "[distributions][edge]") {
  for (const auto& d :
       {Distribution::pert(3, 3, 3), Distribution::uniform(2, 2), Distribution::triangular(4, 4, 4),
        Distribution::normal(1, 0), Distribution::normal(0, 1, 0.5, 0.5), Distribution::lognormal(0, 0),
        Distribution::discrete({7, 7}, {1, 2}), Distribution::empirical({9, 9, 9})}) {
    INFO(d.describe());
    CHECK(d.is_constant());
    CHECK(d.variance() == 0.0);
    CHECK(draw_at(d, {0, 1, 2}) == d.p[0]);
  }
  CHECK(draw_at(Distribution::pert(3, 3, 3), {5, 6, 7}) == 3.0);
  CHECK(Distribution::normal(5, 0, 6, 7).p[0] == 6.0);  // sd 0: the mean clamped into the truncation
  CHECK_THROWS_AS(Distribution::pert(0, 5, 1), InvariantError);
  CHECK_THROWS_AS(Distribution::discrete({1, 2}, {0, 0}), InvariantError);
}

TEST_CASE("Tiny shapes give no NaN and nothing out of range", "[distributions][edge]") {
  // 10^5 draws each: this checks validity only, not the distribution.
  const std::vector<Distribution> tiny = {Distribution::gamma(0.05, 1), Distribution::gamma(0.001, 1),
                                          Distribution::beta(0.05, 0.05), Distribution::beta(0.01, 2),
                                          Distribution::negbinomial(10, 0.01)};
  for (const auto& d : tiny) {
    INFO(d.describe());
    std::size_t bad = 0;
    for (std::uint32_t i = 0; i < 100'000; ++i) {
      const double x = draw_at(d, {3, i, 11});
      if (!(x >= d.support_min() && x <= d.support_max())) ++bad;
    }
    CHECK(bad == 0);
  }
  // A far-tail truncation leaving almost no mass (Q(1e4) ~ 1e-21714871) still samples inside it.
  const auto far = Distribution::normal(0, 1, 1e4, 1e4 + 1);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const double x = draw_at(far, {0, i, 3});
    INFO("draw " << x);
    REQUIRE((x >= 1e4 && x <= 1e4 + 1));
  }
  CHECK(far.mean() == Approx(1e4 + 1e-4).epsilon(1e-9));  // ~ a + 1/a in the far tail
}

TEST_CASE("Poisson and negative binomial means from 0 to 1e7: finite, whole, unbiased",
          "[distributions][poisson]") {
  // A hang would hit ctest's timeout; speed itself is measured in bench/bench_samplers.cpp.
  for (double mean : {0.0, 1e-3, 0.5, 29.9, 30.0, 1e3, 1e5, 1e7}) {
    for (const Distribution& d : {Distribution::poisson(mean), Distribution::negbinomial(mean, 2.0)}) {
      INFO(d.describe());
      const std::uint32_t n = 20'000;
      double sum = 0.0;
      for (std::uint32_t i = 0; i < n; ++i) {
        const double x = draw_at(d, {0, i, 11});
        REQUIRE(std::isfinite(x));
        REQUIRE(x >= 0.0);
        REQUIRE(x == std::floor(x));
        sum += x;
      }
      const double se = std::sqrt(d.variance() / n);
      CHECK(std::fabs(sum / n - mean) <= 4.0 * se + 1e-12);
    }
  }
}

TEST_CASE("sample() is a pure function of the address", "[distributions][determinism]") {
  const std::vector<Distribution> all = {Distribution::uniform(0, 1),
                                         Distribution::triangular(0, 1, 3),
                                         Distribution::pert(0, 1, 3),
                                         Distribution::normal(0, 1),
                                         Distribution::normal(0, 1, 1, 2),
                                         Distribution::lognormal(0, 1),
                                         Distribution::beta(0.5, 2),
                                         Distribution::gamma(0.5, 1),
                                         Distribution::gamma(4, 1),
                                         Distribution::poisson(3),
                                         Distribution::poisson(300),
                                         Distribution::negbinomial(30, 2),
                                         Distribution::discrete({1, 2, 3}, {1, 1, 1}),
                                         Distribution::empirical({1, 2, 3, 4})};
  for (const auto& d : all) {
    INFO(d.describe());
    for (std::uint32_t i = 0; i < 100; ++i) {
      const DrawAddress address{i * 7919ull, i, slot_of("test.purity")};
      // The same address twice gives the same bits. (A draw has no state to disturb: DrawStream is
      // a value made from the address, so "unrelated draws in between" could change nothing; the
      // engine's batch scratch, which does keep state, is tested by test_kernel.cpp: every trial of
      // a batched run equals the same trial played alone by the reference, and test_engine.cpp: any
      // block size and thread count gives the same bits.)
      CHECK(draw_at(d, address) == draw_at(d, address));
    }
    // Different addresses give different draws (continuous kinds: equal values would be a bug).
    if (d.kind != DistKind::poisson && d.kind != DistKind::negbinomial && d.kind != DistKind::discrete &&
        d.kind != DistKind::empirical) {
      CHECK(draw_at(d, {0, 0, 1}) != draw_at(d, {0, 0, 2}));
      CHECK(draw_at(d, {0, 0, 1}) != draw_at(d, {0, 1, 1}));
      CHECK(draw_at(d, {0, 0, 1}) != draw_at(d, {1, 0, 1}));
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Statistical tests of the samplers (10^6 draws per case unless stated)

TEST_CASE("Uniform, triangular and PERT samplers", "[distributions][statistical]") {
  check_sampler(Distribution::uniform(2, 5), kContinuous);
  check_sampler(Distribution::triangular(1, 2, 6), kContinuous);
  check_sampler(Distribution::triangular(0, 0, 1), kContinuous);
  check_sampler(Distribution::pert(0.1, 0.25, 0.5), kContinuous);
  check_sampler(Distribution::pert(0, 8, 10, 2.0), kContinuous);
  check_sampler(Distribution::pert(0, 1, 100, 10.0), kContinuous);
}

TEST_CASE("Normal samplers, truncated included", "[distributions][statistical][normal]") {
  check_sampler(Distribution::normal(10, 3), kContinuous);
  check_sampler(Distribution::normal(0, 1, 0), kContinuous);          // half normal
  check_sampler(Distribution::normal(5, 2, 6, 7), kContinuous);       // both ends above the mean
  check_sampler(Distribution::normal(0, 1, -1, 0.5), kContinuous);    // straddling the mean
  check_sampler(Distribution::normal(0, 1, -kInf, -3), kContinuous);  // lower tail
  check_sampler(Distribution::normal(0, 1, 6), kContinuous);          // upper tail, mass 1e-9
  check_sampler(Distribution::normal(0, 1, 40, 41), kContinuous);     // deep tail, mass 1e-350
}

TEST_CASE("Lognormal samplers", "[distributions][statistical]") {
  check_sampler(Distribution::lognormal(0, 0.25), kContinuous);
  check_sampler(Distribution::lognormal(10, 1), kContinuous);
}

TEST_CASE("Beta and gamma samplers, shapes below 1 included", "[distributions][statistical]") {
  check_sampler(Distribution::beta(2, 5), kContinuous);
  check_sampler(Distribution::beta(0.5, 0.5), kContinuous);
  check_sampler(Distribution::beta(0.2, 3), kContinuous);
  check_sampler(Distribution::gamma(3, 2), kContinuous);
  check_sampler(Distribution::gamma(1, 1), kContinuous);
  check_sampler(Distribution::gamma(0.5, 1), kContinuous);
  check_sampler(Distribution::gamma(0.05, 1), kContinuous);
  check_sampler(Distribution::gamma(100, 0.1), kContinuous);
}

TEST_CASE("Poisson sampler: inversion below 30, PTRS above", "[distributions][statistical][poisson]") {
  // Mean 0 has no variance: every draw is exactly 0.
  for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(draw_at(Distribution::poisson(0), {0, i, 5}) == 0.0);
  check_sampler(Distribution::poisson(0.5), kDiscrete);
  check_sampler(Distribution::poisson(5), kDiscrete);
  check_sampler(Distribution::poisson(29), kDiscrete);
  check_sampler(Distribution::poisson(31), kDiscrete);
  check_sampler(Distribution::poisson(1000), kDiscrete);
  check_sampler(Distribution::poisson(1e7), kDiscrete);
}

TEST_CASE("Negative binomial sampler (gamma-Poisson mixture)", "[distributions][statistical]") {
  for (std::uint32_t i = 0; i < 1000; ++i)
    REQUIRE(draw_at(Distribution::negbinomial(0, 2), {0, i, 5}) == 0.0);
  check_sampler(Distribution::negbinomial(40, 5), kDiscrete);
  check_sampler(Distribution::negbinomial(0.5, 0.3), kDiscrete);
  check_sampler(Distribution::negbinomial(1000, 2), kDiscrete);
}

TEST_CASE("Discrete and empirical samplers", "[distributions][statistical]") {
  check_sampler(Distribution::discrete({1, 2, 5, 10}, {0.2, 0.5, 0.3, 0.0}), kDiscrete);
  check_sampler(Distribution::empirical({12000, 15000, 15000, 22000, 40000, 95000, 250000}), kDiscrete);
}

namespace {

bool same_distribution(const Distribution& a, const Distribution& b) {
  return a.kind == b.kind && std::memcmp(a.p, b.p, sizeof a.p) == 0 && a.pert_mode == b.pert_mode &&
         a.pert_lambda == b.pert_lambda;
}

}  // namespace

TEST_CASE("from_parameters is the study reader's solver: the same bits for every parametrisation",
          "[distribution][parameters]") {
  // Each study text and the numbers it gives: the study reader solves the text through
  // from_parameters, and an uncertain parameter's year is solved by calling it directly.
  const struct {
    const char* text;
    DistKind kind;
    std::vector<DistParameter> numbers;
  } cases[] = {
      {"{ dist = \"constant\", value = 3 }", DistKind::constant, {{"value", 3}}},
      {"{ dist = \"uniform\", min = 1, max = 5 }", DistKind::uniform, {{"min", 1}, {"max", 5}}},
      {"{ dist = \"triangular\", min = 1, mode = 2, max = 5 }",
       DistKind::triangular,
       {{"min", 1}, {"mode", 2}, {"max", 5}}},
      {"{ dist = \"pert\", min = 1, mode = 2, max = 5, lambda = 3 }",
       DistKind::pert,
       {{"min", 1}, {"mode", 2}, {"max", 5}, {"lambda", 3}}},
      {"{ dist = \"normal\", mean = 10, sd = 2, min = 5 }",
       DistKind::normal,
       {{"mean", 10}, {"sd", 2}, {"min", 5}}},
      {"{ dist = \"lognormal\", p95 = 180_000, p05 = 80_000 }",
       DistKind::lognormal,
       {{"p95", 180'000}, {"p05", 80'000}}},
      {"{ dist = \"lognormal\", mean = 100, sd = 30 }", DistKind::lognormal, {{"mean", 100}, {"sd", 30}}},
      {"{ dist = \"beta\", mean = 0.5, sd = 0.15 }", DistKind::beta, {{"mean", 0.5}, {"sd", 0.15}}},
      {"{ dist = \"beta\", wins = 12, losses = 30 }", DistKind::beta, {{"wins", 12}, {"losses", 30}}},
      {"{ dist = \"gamma\", mean = 7.5, sd = 3 }", DistKind::gamma, {{"mean", 7.5}, {"sd", 3}}},
      {"{ dist = \"poisson\", mean = 40 }", DistKind::poisson, {{"mean", 40}}},
      {"{ dist = \"negbinomial\", mean = 40, dispersion = 5 }",
       DistKind::negbinomial,
       {{"mean", 40}, {"dispersion", 5}}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const Distribution read = parse_distribution(c.text, "d.toml");
    const Distribution solved = from_parameters(c.kind, c.numbers);
    CHECK(same_distribution(read, solved));
  }
  // Known answer: a lognormal's median is exp(mu).
  const Distribution median =
      from_parameters(DistKind::lognormal, std::vector<DistParameter>{{"median", 45'000}, {"p90", 180'000}});
  CHECK(std::exp(median.p[0]) == Approx(45'000).epsilon(1e-14));
}

TEST_CASE("from_parameters names the number at fault and the study reader locates it",
          "[distribution][parameters]") {
  try {
    from_parameters(DistKind::pert, std::vector<DistParameter>{{"min", 5}, {"mode", 7}, {"max", 6}});
    FAIL("a pert with its mode above its max was accepted");
  } catch (const DistParameterError& e) {
    CHECK(e.key == "mode");
    CHECK(std::string(e.what()) == "mode of a pert lies between min and max (5 to 6), got 7");
  }
  try {
    from_parameters(DistKind::gamma, std::vector<DistParameter>{{"mean", 1}, {"sd", 1e-200}});
    FAIL("a gamma too extreme to simulate was accepted");
  } catch (const DistParameterError& e) {
    CHECK(e.key == "sd");
  }
  CHECK_THROWS_AS(from_parameters(DistKind::uniform, std::vector<DistParameter>{{"min", 1}}),
                  DistParameterError);
  // The same refusal through the study reader: at the key's line and column, with the message.
  try {
    parse_distribution("{ dist = \"pert\", min = 5, mode = 7, max = 6 }", "d.toml");
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("d.toml:1:") != std::string::npos);
    CHECK(what.find("mode of a pert lies between min and max (5 to 6), got 7") != std::string::npos);
    CHECK(e.where().column == 34);  // the 7 of "mode = 7"
  }
}
