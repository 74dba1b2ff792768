// Known-answer tests for the statistics layer: each expected value is derived in a comment.

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mistakesim/errors.hpp>
#include <mistakesim/exact_sum.hpp>
#include <mistakesim/stats.hpp>
#include <string>
#include <vector>

using namespace mistakesim;

namespace {

std::vector<double> one_to(int n) {
  std::vector<double> v;
  for (int i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

// 1..n in a scrambled but fixed order (i * 37 mod 101 is a permutation of 1..100 for n = 100).
std::vector<double> scrambled_one_to_100() {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back((i * 37) % 101);
  return v;
}

}  // namespace

TEST_CASE("summarize: type-7 quantiles, mean, sd and CI of 1..100", "[stats][summary]") {
  const std::vector<double> values = scrambled_one_to_100();
  const Summary s = summarize(values);
  CHECK(s.n == 100);
  CHECK(s.nan_count == 0);
  CHECK(s.min == 1.0);
  CHECK(s.max == 100.0);
  CHECK(s.mean == 50.5);
  // Type 7: h = 99 p, q = x[floor h] + frac(h) (x[floor h + 1] - x[floor h]) with x[i] = i + 1.
  CHECK(s.p05 == Approx(5.95).epsilon(1e-12));   // h = 4.95
  CHECK(s.p10 == Approx(10.9).epsilon(1e-12));   // h = 9.9
  CHECK(s.p50 == Approx(50.5).epsilon(1e-12));   // h = 49.5
  CHECK(s.p90 == Approx(90.1).epsilon(1e-12));   // h = 89.1
  CHECK(s.p95 == Approx(95.05).epsilon(1e-12));  // h = 94.05
  CHECK(s.p99 == Approx(99.01).epsilon(1e-12));  // h = 98.01
  // Sample variance of 1..n is n (n + 1) / 12.
  const double sd = std::sqrt(100.0 * 101.0 / 12.0);
  CHECK(s.sd == Approx(sd).epsilon(1e-14));
  // CI = mean -+ 1.96 sd / sqrt(n).
  CHECK(s.mean_ci95_lo == Approx(50.5 - 1.96 * sd / 10.0).epsilon(1e-14));
  CHECK(s.mean_ci95_hi == Approx(50.5 + 1.96 * sd / 10.0).epsilon(1e-14));
  // Worst 5% of 100 values: 96..100, mean 98.
  CHECK(s.cvar95 == Approx(98.0).epsilon(1e-14));
}

TEST_CASE("summarize: order of the input does not change the summary", "[stats][summary]") {
  const Summary a = summarize(one_to(100));
  const Summary b = summarize(scrambled_one_to_100());
  CHECK(a.p05 == b.p05);
  CHECK(a.p99 == b.p99);
  CHECK(a.cvar95 == b.cvar95);
  CHECK(a.sd == b.sd);
}

TEST_CASE("cvar95: fractional boundary weight for non-integer tail counts", "[stats][cvar]") {
  // n = 30: k = 1.5, so the worst value (30) with weight 1 and the next (29) with weight 0.5:
  // (30 + 0.5 * 29) / 1.5 = 29.666...  (a floor rule would give 30, a ceiling rule 29.5).
  CHECK(cvar(one_to(30)) == Approx(44.5 / 1.5).epsilon(1e-14));
  CHECK(summarize(one_to(30)).cvar95 == Approx(44.5 / 1.5).epsilon(1e-14));
  // n = 40: k = 2, exactly the two worst: (40 + 39) / 2.
  CHECK(cvar(one_to(40)) == Approx(39.5).epsilon(1e-14));
  // n < 20: k < 1, the tail is the single worst value.
  CHECK(cvar(one_to(7)) == 7.0);
  // Other levels: 1..100 at 0.9 is the mean of 91..100.
  CHECK(cvar(one_to(100), 0.90) == Approx(95.5).epsilon(1e-14));
}

TEST_CASE("cvar95: summarize agrees bit for bit with tail_mean(tail_weights)", "[stats][cvar]") {
  // 730 values with many ties (k = 36.5, a fractional boundary inside a run of equal values).
  std::vector<double> v;
  for (int i = 0; i < 730; ++i) v.push_back(static_cast<double>((i * 7919) % 97) * 1.1);
  const double from_summary = summarize(v).cvar95;
  CHECK(from_summary == tail_mean(tail_weights(v), v));
  CHECK(from_summary == cvar(v));
  // Worst first: 96 x7, 95 x8, 94 x7, 93 x8, then 92 x8 of which 6 fully and the 37th value (92)
  // with weight 0.5: (672 + 760 + 658 + 744 + 552 + 46) / 36.5 = 3432 / 36.5, times 1.1.
  CHECK(from_summary == Approx(3432.0 / 36.5 * 1.1).epsilon(1e-14));
}

TEST_CASE("tail_weights: worst first, ties broken by lower trial index", "[stats][cvar]") {
  // 40 values, k = 2: three trials share the maximum 9 at indices 3, 10 and 25.
  std::vector<double> total(40, 1.0);
  total[3] = total[10] = total[25] = 9.0;
  const TailWeights tail = tail_weights(total);
  REQUIRE(tail.trials.size() == 2);
  CHECK(tail.trials[0] == std::pair<std::uint64_t, double>{3, 1.0});
  CHECK(tail.trials[1] == std::pair<std::uint64_t, double>{10, 1.0});
  CHECK(tail.total_weight == 2.0);

  // n = 30, k = 1.5: largest at index 7 (weight 1), second largest at index 2 (weight 0.5).
  std::vector<double> v(30, 0.0);
  v[7] = 5.0;
  v[2] = 4.0;
  const TailWeights t30 = tail_weights(v);
  REQUIRE(t30.trials.size() == 2);
  CHECK(t30.trials[0].first == 7);
  CHECK(t30.trials[1].first == 2);
  CHECK(t30.trials[1].second == Approx(0.5).epsilon(1e-12));
  CHECK(t30.total_weight == Approx(1.5).epsilon(1e-12));
}

TEST_CASE("tail_mean: per-mistake contributions add up to the total's CVaR", "[stats][cvar]") {
  // Two mistakes; total = a + b. The tail is cut on the total, so a mistake that is large only in
  // good years contributes little.
  std::vector<double> a, b, total;
  for (int t = 0; t < 60; ++t) {
    a.push_back(t % 2 == 0 ? 100.0 + t : 1.0);               // big in even trials, 2 apart
    b.push_back(static_cast<double>((t * 7) % 13) / 100.0);  // at most 0.12: cannot reorder a
    total.push_back(a.back() + b.back());
  }
  const TailWeights tail = tail_weights(total);  // n = 60, k = 3
  const double ca = tail_mean(tail, a);
  const double cb = tail_mean(tail, b);
  CHECK(ca + cb == Approx(cvar(total)).epsilon(1e-13));
  // The three worst totals are trials 58, 56, 54: a = 158, 156, 154 and b = 406 % 13 = 3,
  // 392 % 13 = 2, 378 % 13 = 1 hundredths.
  REQUIRE(tail.trials.size() == 3);
  CHECK(tail.trials[0].first == 58);
  CHECK(tail.trials[1].first == 56);
  CHECK(tail.trials[2].first == 54);
  CHECK(ca == Approx((158.0 + 156.0 + 154.0) / 3.0).epsilon(1e-14));
  CHECK(cb == Approx((0.03 + 0.02 + 0.01) / 3.0).epsilon(1e-12));
}

TEST_CASE("quantile_ci: binomial order-statistic interval", "[stats][quantile]") {
  const std::vector<double> sorted = one_to(100);
  // Median of 100: P(Y <= 39) = 0.0176 <= 0.025 < P(Y <= 40) = 0.0284 -> l = 40;
  // P(Y <= 59) = 0.9716 < 0.975 <= P(Y <= 60) = 0.9824 -> u = 61; coverage 0.9824 - 0.0176.
  const QuantileInterval median = quantile_ci(sorted, 0.5, 0.95);
  CHECK(median.estimate == 50.5);
  CHECK(median.lo_rank == 40);
  CHECK(median.hi_rank == 61);
  CHECK(median.lo == 40.0);
  CHECK(median.hi == 61.0);
  CHECK(median.coverage == Approx(0.9647997997822952).epsilon(1e-9));
  // p = 0.9: ranks 84 and 96 (computed from the binomial(100, 0.9) CDF), coverage 0.95569.
  const QuantileInterval p90 = quantile_ci(sorted, 0.9, 0.95);
  CHECK(p90.lo_rank == 84);
  CHECK(p90.hi_rank == 96);
  CHECK(p90.coverage == Approx(0.955690107191223).epsilon(1e-9));
  // Too few values for the 99th percentile: no order statistic bounds it from above.
  const QuantileInterval p99 = quantile_ci(one_to(10), 0.99, 0.95);
  CHECK(p99.hi_rank == 11);
  CHECK(std::isinf(p99.hi));
  CHECK(p99.coverage >= 0.95);
}

TEST_CASE("summarize over integer columns", "[stats][summary]") {
  const std::vector<std::uint32_t> counts = {4, 1, 3, 2};
  const Summary s = summarize(counts);
  CHECK(s.n == 4);
  CHECK(s.mean == 2.5);
  CHECK(s.p50 == 2.5);
  CHECK(s.min == 1.0);
  CHECK(s.max == 4.0);
  CHECK(mean(std::span<const std::uint32_t>(counts)) == 2.5);
  // Counts near 2^32 do not overflow the integer mean.
  const std::vector<std::uint32_t> big = {4294967295u, 4294967295u};
  CHECK(mean(std::span<const std::uint32_t>(big)) == 4294967295.0);
}

TEST_CASE("paired differences", "[stats][paired]") {
  const std::vector<double> baseline = {10.0, 20.0, 30.0};
  const std::vector<double> trained = {1.0, 2.0, 3.0};
  const Summary d = summarize_difference(baseline, trained);
  // Differences 9, 18, 27: mean 18, sd 9.
  CHECK(d.mean == 18.0);
  CHECK(d.sd == Approx(9.0).epsilon(1e-14));
  CHECK(d.min == 9.0);
  CHECK(d.max == 27.0);
  // Identical columns (an intervention that changes nothing) give exactly zero.
  const Summary zero = summarize_difference(baseline, baseline);
  CHECK(zero.mean == 0.0);
  CHECK(zero.sd == 0.0);
  CHECK(zero.max == 0.0);
  CHECK_THROWS_AS(summarize_difference(baseline, std::vector<double>{1.0}), InvariantError);
}

TEST_CASE("compensated sums, NaN policy, empty and single columns", "[stats][summary]") {
  // Naive left-to-right summation loses the 1 entirely.
  const std::vector<double> cancel = {1e16, 1.0, -1e16};
  CHECK(compensated_sum(cancel) == 1.0);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Summary with_nan = summarize(std::vector<double>{1.0, nan, 3.0});
  CHECK(with_nan.n == 2);
  CHECK(with_nan.nan_count == 1);
  CHECK(with_nan.mean == 2.0);
  CHECK(with_nan.max == 3.0);

  const Summary empty = summarize(std::vector<double>{});
  CHECK(empty.n == 0);
  CHECK(std::isnan(empty.mean));
  CHECK(std::isnan(empty.p50));

  // The seed case: every trial costs exactly 80,000.
  const Summary constant = summarize(std::vector<double>(1000, 80000.0));
  CHECK(constant.mean == 80000.0);
  CHECK(constant.sd == 0.0);
  CHECK(constant.mean_ci95_lo == 80000.0);
  CHECK(constant.p05 == 80000.0);
  CHECK(constant.cvar95 == 80000.0);

  const Summary single = summarize(std::vector<double>{42.0});
  CHECK(single.sd == 0.0);
  CHECK(single.p99 == 42.0);
  CHECK(single.cvar95 == 42.0);
}

TEST_CASE("exceedance curve of 1..100", "[stats][exceedance]") {
  const auto curve = exceedance(one_to(100), 100);
  REQUIRE(curve.size() == 100);
  // x evenly spaced from 1 to 100 (step 1); P(X > x) = (100 - x) / 100.
  CHECK(curve.front() == std::pair<double, double>{1.0, 0.99});
  CHECK(curve[49].first == 50.0);
  CHECK(curve[49].second == 0.5);
  CHECK(curve.back() == std::pair<double, double>{100.0, 0.0});
  for (std::size_t i = 1; i < curve.size(); ++i) CHECK(curve[i].second <= curve[i - 1].second);

  const auto flat = exceedance(std::vector<double>(5, 3.0), 10);
  REQUIRE(flat.size() == 1);
  CHECK(flat[0] == std::pair<double, double>{3.0, 0.0});
  CHECK(exceedance(std::vector<double>{}, 10).empty());
}

TEST_CASE("nice_ceil rounds up to 1, 2, 2.5, 5 x 10^k", "[stats][histogram]") {
  CHECK(nice_ceil(0.7) == 1.0);
  CHECK(nice_ceil(1.0) == 1.0);
  CHECK(nice_ceil(2.35) == 2.5);
  CHECK(nice_ceil(3.0) == 5.0);
  CHECK(nice_ceil(10.0) == 10.0);
  CHECK(nice_ceil(11.0) == 20.0);
  CHECK(nice_ceil(0.021) == Approx(0.025).epsilon(1e-15));
  CHECK(nice_ceil(36000.0) == 50000.0);
}

TEST_CASE("histogram on nice edges", "[stats][histogram]") {
  // 0..100 in 10 bins: width 10, edges 0, 10, ..., 100; 10 values per bin, the closed last bin
  // [90, 100] holds 11.
  std::vector<double> values;
  for (int i = 0; i <= 100; ++i) values.push_back(i);
  const Histogram h = histogram(values, 10);
  CHECK(h.width == 10.0);
  REQUIRE(h.counts.size() == 10);
  REQUIRE(h.edges.size() == 11);
  CHECK(h.edges.front() == 0.0);
  CHECK(h.edges.back() == 100.0);
  CHECK(h.counts.front() == 10);
  CHECK(h.counts.back() == 11);

  // Range 9.4 in 4 bins: 2.35 rounds up to 2.5; edges 0, 2.5, 5, 7.5, 10.
  const Histogram g = histogram(std::vector<double>{0.3, 2.6, 9.7}, 4);
  CHECK(g.width == 2.5);
  CHECK(g.edges == std::vector<double>{0.0, 2.5, 5.0, 7.5, 10.0});
  CHECK(g.counts == std::vector<std::uint64_t>{1, 1, 0, 1});

  // Aligning the first edge down would need 5 bins of 2.5 for [1, 11]: widen to 5.
  const Histogram w = histogram(std::vector<double>{1.0, 11.0}, 4);
  CHECK(w.width == 5.0);
  CHECK(w.edges == std::vector<double>{0.0, 5.0, 10.0, 15.0});
  CHECK(w.counts == std::vector<std::uint64_t>{1, 0, 1});

  // A constant column: one bin holding every value; infinities are skipped and counted.
  const Histogram c =
      histogram(std::vector<double>{80000.0, 80000.0, std::numeric_limits<double>::infinity()}, 20);
  REQUIRE(c.counts.size() == 1);
  CHECK(c.counts[0] == 2);
  CHECK(c.skipped == 1);
  CHECK(c.edges[0] <= 80000.0);
  CHECK(c.edges[1] > 80000.0);
}

namespace {

double exact_sum(std::initializer_list<double> values) {
  ExactSum s;
  for (double v : values) s.add(v);
  return s.value();
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

}  // namespace

TEST_CASE("ExactSum: exact, rounded once to nearest even", "[stats][exact]") {
  const double ulp_half = std::ldexp(1.0, -53);  // half an ulp of 1
  const double tiny = std::numeric_limits<double>::denorm_min();
  const double max = std::numeric_limits<double>::max();
  const double inf = std::numeric_limits<double>::infinity();
  REQUIRE(same_bits(ExactSum{}.value(), 0.0));
  REQUIRE(exact_sum({1e100, 1.0, -1e100}) == 1.0);                           // no cancellation error
  REQUIRE(exact_sum({1.0, ulp_half}) == 1.0);                                // a tie: to the even neighbour
  REQUIRE(exact_sum({1.0, ulp_half, tiny}) == 1.0 + 2 * ulp_half);           // above the tie by 2^-1074
  REQUIRE(exact_sum({1.0 + 2 * ulp_half, ulp_half}) == 1.0 + 4 * ulp_half);  // tie, odd below: up
  REQUIRE(exact_sum({-1.0, -ulp_half, -tiny}) == -(1.0 + 2 * ulp_half));
  REQUIRE(exact_sum({-3.5, 1.0}) == -2.5);
  REQUIRE(exact_sum({tiny, tiny, tiny}) == 3 * tiny);  // subnormals, exactly
  REQUIRE(exact_sum({std::ldexp(1.0, -1022), -tiny}) == std::ldexp(1.0, -1022) - tiny);
  REQUIRE(exact_sum({max, max}) == inf);  // overflow of the result only
  REQUIRE(exact_sum({max, max, -max}) == max);
  REQUIRE(exact_sum({-max, -max}) == -inf);
  REQUIRE(exact_sum({1.0, inf}) == inf);
  REQUIRE(exact_sum({1.0, -inf}) == -inf);
  REQUIRE(std::isnan(exact_sum({inf, -inf})));
  REQUIRE(std::isnan(exact_sum({1.0, std::nan("")})));
  REQUIRE(exact_sum({0.1, 0.2}) == 0.1 + 0.2);  // one rounding, as the hardware's
}

TEST_CASE("ExactSum: order and grouping do not change the bits", "[stats][exact]") {
  // Mixed signs and magnitudes from 1e-15 to 1e14: a floating-point sum depends on the order here.
  std::vector<double> values;
  for (int i = 0; i < 10'000; ++i)
    values.push_back(static_cast<double>((i * 7919) % 1000 - 500) * std::pow(10.0, (i % 30) - 15) / 3.0);
  ExactSum forward, backward;
  for (double v : values) forward.add(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward.add(*it);
  // Chunks of 7, merged last chunk first.
  std::vector<ExactSum> chunks((values.size() + 6) / 7);
  for (std::size_t i = 0; i < values.size(); ++i) chunks[i / 7].add(values[i]);
  ExactSum merged;
  for (auto it = chunks.rbegin(); it != chunks.rend(); ++it) merged.add(*it);
  REQUIRE(same_bits(forward.value(), backward.value()));
  REQUIRE(same_bits(forward.value(), merged.value()));
  double naive = 0.0, naive_back = 0.0;
  for (double v : values) naive += v;
  for (auto it = values.rbegin(); it != values.rend(); ++it) naive_back += *it;
  REQUIRE(naive != naive_back);  // the test has power: plain sums of these values differ by order
  // Positive terms: a compensated sum is within a few ulps of the exact one.
  std::vector<double> positive;
  for (double v : values) positive.push_back(std::abs(v));
  ExactSum p;
  for (double v : positive) p.add(v);
  REQUIRE(p.value() == Approx(compensated_sum(positive)).epsilon(1e-15));
}

TEST_CASE("ExactSum: past the points where add() propagates carries", "[stats][exact]") {
  // 2^21 + 3 terms pass twice the point where carries are propagated during add (every 2^20 parts).
  // (The limbs could hold 2^31 parts before overflowing; that bound is argued in exact_sum.cpp, not
  // tested: it would take billions of additions.)
  const std::uint64_t n = (std::uint64_t{1} << 21) + 3;
  ExactSum s;
  for (std::uint64_t i = 0; i < n; ++i) s.add(1.5 + std::ldexp(1.0, -52));
  ExactSum t;
  t.add(s);
  t.add(s);  // and merges of such sums
  const double expected_each = static_cast<double>(n) * 1.5 + static_cast<double>(n) * std::ldexp(1.0, -52);
  REQUIRE(s.value() == expected_each);
  REQUIRE(t.value() == 2 * expected_each);
}

TEST_CASE("ExactSum: mixed signs past the carry points stay exact", "[stats][exact]") {
  // +big, +tiny, -big, 2^20 + 2 times (3 x 2^20 + 6 additions: past the carry points at every 2^20),
  // then -0.25. tiny is far below big's last bit, so a plain double sum loses every tiny (it ends at
  // -0.25); the exact sum is (2^20 + 2) tiny - 0.25. Negative limbs go through the carries many times.
  const double big = 0x1.123456789abcdp+40, tiny = 0x1p-30;
  const std::uint64_t n = (std::uint64_t{1} << 20) + 2;
  ExactSum s;
  double plain = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) {
    for (double x : {big, tiny, -big}) {
      s.add(x);
      plain += x;
    }
  }
  s.add(-0.25);
  plain += -0.25;
  const double expected = static_cast<double>(n) * tiny - 0.25;  // exact: n < 2^53, tiny a power of 2
  REQUIRE(s.value() == expected);
  REQUIRE(plain == -0.25);  // the case is one a plain sum gets wrong
}

TEST_CASE("summarize_sorted: the summary of summarize() and the sorted copy it came from", "[stats]") {
  std::vector<double> v = scrambled_one_to_100();
  v.insert(v.begin() + 10, std::nan(""));
  const SortedSummary s = summarize_sorted(v);
  const Summary plain = summarize(v);
  CHECK(std::memcmp(&s.summary, &plain, sizeof(Summary)) == 0);
  REQUIRE(s.sorted == one_to(100));  // ascending, the NaN left out
  const QuantileIntervals cis = reported_quantile_cis(s.sorted);
  // The median's 95% interval of 1..100 spans ranks 40 and 61 (stats.hpp).
  CHECK(std::string(kReportedQuantiles[2].first) == "p50");
  CHECK(cis[2].lo == 40.0);
  CHECK(cis[2].hi == 61.0);
}

namespace {

//! A run's columns filled from a fixed pseudo-random sequence: two mistakes whose costs add up to
//! the total, known + unknown = total.
TrialResults synthetic_run(std::uint64_t n) {
  TrialResults r;
  r.count = n;
  r.mistake_count = 2;
  TrialResults::for_each_column([&](auto column) { (r.*column).resize(n); });
  r.mistake_costs.resize(2 * n);
  r.mistake_totals.resize(2);
  std::uint64_t x = 88172645463325252ull;
  const auto next = [&x] {  // xorshift64: a fixed sequence, not a random number generator of the model
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return static_cast<double>(x >> 11) / 9007199254740992.0;
  };
  for (std::uint64_t t = 0; t < n; ++t) {
    const double a = std::floor(1e6 * next() * next()), b = std::floor(3e5 * next());
    r.mistake_costs[t] = a;
    r.mistake_costs[n + t] = b;
    r.cost_total[t] = a + b;
    r.cost_known[t] = a;
    r.cost_unknown[t] = b;
    r.opportunities[t] = static_cast<std::uint32_t>(40 * next());
    r.good_fits[t] = r.opportunities[t] / 2;
    r.wins_done_right[t] = r.good_fits[t] / 2;
    r.wins[t] = r.wins_done_right[t] / 2;
    r.should_have_bought[t] = r.wins_done_right[t] - r.wins[t];
    r.nonbuyer_hours[t] = 10.0 * next();
    r.revenue_done_right[t] = 1e5 * next();
    r.revenue[t] = r.revenue_done_right[t] / 2;
  }
  return r;
}

bool same_bits(const Summary& a, const Summary& b) { return std::memcmp(&a, &b, sizeof(Summary)) == 0; }

}  // namespace

TEST_CASE("summarize_run: the same bits on one thread and on many", "[stats][determinism]") {
  const TrialResults r = synthetic_run(50'000);
  RunSummary one, many;
  tbb::task_arena(1).execute([&] { one = summarize_run(r, SummaryScope::report); });
  tbb::task_arena(4).execute([&] { many = summarize_run(r, SummaryScope::report); });
  CHECK(same_bits(one.cost.total, many.cost.total));
  CHECK(same_bits(one.cost.known, many.cost.known));
  CHECK(same_bits(one.cost.unknown, many.cost.unknown));
  CHECK(std::memcmp(one.cost.total_ci95.data(), many.cost.total_ci95.data(), sizeof(QuantileIntervals)) == 0);
  CHECK(one.cost.sorted_total == many.cost.sorted_total);
  CHECK(one.cost.tail_known == many.cost.tail_known);
  REQUIRE(one.mistakes.size() == 2);
  for (std::size_t m = 0; m < 2; ++m) {
    CHECK(one.mistakes[m].index == many.mistakes[m].index);
    CHECK(same_bits(one.mistakes[m].cost, many.mistakes[m].cost));
    CHECK(one.mistakes[m].cvar95_contribution == many.mistakes[m].cvar95_contribution);
  }
  REQUIRE(one.pipeline_ranges.has_value());
  REQUIRE(many.pipeline_ranges.has_value());
  CHECK(same_bits(one.pipeline_ranges->nonbuyer_hours, many.pipeline_ranges->nonbuyer_hours));
  // And the figures are those of the column-by-column statistics.
  CHECK(same_bits(one.cost.total, summarize(r.cost_total)));
  CHECK(one.cost.sorted_total.size() == r.count);
  CHECK(std::is_sorted(one.cost.sorted_total.begin(), one.cost.sorted_total.end()));
  CHECK(one.mistakes[0].cost.mean >= one.mistakes[1].cost.mean);  // ranked by mean cost
  CHECK(one.mistakes[0].cvar95_contribution + one.mistakes[1].cvar95_contribution ==
        Approx(one.cost.total.cvar95).epsilon(1e-12));
  CHECK_FALSE(summarize_run(r).pipeline_ranges.has_value());  // only the report asks for them
}

TEST_CASE("summarize_run: a column equal to the total shares its sort and its figures", "[stats][summary]") {
  // Every mistake noticed and only one mistake (the frequency x magnitude study): the known cost and
  // the mistake's cost are the total's bits, and their figures are summarised once.
  TrialResults r = synthetic_run(20'000);
  r.mistake_count = 1;
  r.mistake_costs.assign(r.cost_total.begin(), r.cost_total.end());
  r.mistake_totals.resize(1);
  r.cost_known = r.cost_total;
  std::fill(r.cost_unknown.begin(), r.cost_unknown.end(), 0.0);
  const RunSummary s = summarize_run(r);
  CHECK(same_bits(s.cost.known, summarize(r.cost_known)));
  CHECK(same_bits(s.cost.unknown, summarize(r.cost_unknown)));
  CHECK(s.cost.unknown.max == 0.0);
  CHECK(std::memcmp(s.cost.known_ci95.data(), reported_quantile_cis(s.cost.sorted_total).data(),
                    sizeof(QuantileIntervals)) == 0);
  REQUIRE(s.mistakes.size() == 1);
  CHECK(same_bits(s.mistakes[0].cost, summarize(r.mistake_cost_column(0))));
  // A column that differs from the total in one trial only is summarised on its own.
  r.cost_known[7] += 1.0;
  const RunSummary t = summarize_run(r);
  CHECK(same_bits(t.cost.known, summarize(r.cost_known)));
  CHECK_FALSE(same_bits(t.cost.known, t.cost.total));
}

TEST_CASE("sort_values: the ascending order std::sort gives, ties and signed zeros included",
          "[stats][summary]") {
  std::vector<double> v = scrambled_one_to_100();
  for (int i = 0; i < 50; ++i) v.push_back(static_cast<double>(i % 7));  // ties
  v.push_back(-0.0);
  v.push_back(-1e300);
  v.push_back(std::numeric_limits<double>::infinity());
  std::vector<double> expected = v;
  std::sort(expected.begin(), expected.end());
  sort_values(v);
  CHECK(std::is_sorted(v.begin(), v.end()));
  CHECK(v == expected);  // equal values: -0.0 == 0.0 compare equal, so either order is this array
  CHECK(v.front() == -1e300);
  CHECK(v.back() == std::numeric_limits<double>::infinity());
}

TEST_CASE("TrialResults: a new per-trial column cannot be left out of for_each_column", "[stats][engine]") {
  // for_each_column is the one list the engine sizes and appends the columns by and well_formed()
  // checks: a column missing from it is never sized, and the statistics read an empty column.
  // TrialResults holds four 8-byte counts and vectors only (every std::vector has the same size),
  // so its size gives the number of vector members; all but the five named here must be listed.
  std::size_t listed = 0;
  TrialResults::for_each_column([&](auto) { ++listed; });
  const std::size_t others =
      6;  // recorded_inputs, intervention_cost, mistake_costs, mistake_totals, input_values, extras
  const std::size_t counts = sizeof(TrialResults::first_trial) + sizeof(TrialResults::count) +
                             sizeof(TrialResults::mistake_count) + sizeof(TrialResults::extra_count);
  INFO("TrialResults has a member that is neither in for_each_column nor one of the others named here");
  REQUIRE(sizeof(TrialResults) == counts + (listed + others) * sizeof(std::vector<double>));
  static_assert(sizeof(std::vector<double>) == sizeof(std::vector<std::uint32_t>) &&
                sizeof(std::vector<double>) == sizeof(std::vector<MistakeTotals>));
}
