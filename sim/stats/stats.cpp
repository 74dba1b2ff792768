// Deterministic statistics over per-trial columns. See include/mistakesim/stats.hpp for the
// conventions (type-7 quantiles, upper-tail CVaR with a fractional boundary, NaN policy).

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/sort/pdqsort/pdqsort.hpp>
#include <cmath>
#include <limits>
#include <mistakesim/errors.hpp>
#include <mistakesim/stats.hpp>
#include <numeric>

namespace mistakesim {

namespace detail {

//! Neumaier's improved Kahan summation: exact-ish and order-defined.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (std::abs(sum_) >= std::abs(x)) {
      compensation_ += (sum_ - t) + x;
    } else {
      compensation_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0.0;
  double compensation_ = 0.0;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kZ95 = 1.96;  // two-sided 95% normal quantile, as documented for mean_ci95

//! How many of n values form the worst (1 - level) share: `whole` values with weight 1, then one
//! with weight `fraction` (0 if none); total_weight = whole + fraction. See tail_weights().
struct TailCut {
  std::size_t whole = 0;
  double fraction = 0.0;
  double total_weight = 0.0;
};

TailCut tail_cut(std::size_t n, double level) {
  SIM_CHECK(level >= 0.0 && level < 1.0, << "level = " << level);
  TailCut cut;
  if (n == 0) return cut;
  // n - level n rather than (1 - level) n: 1 - 0.95 is not 0.05 in binary, while 0.95 n usually
  // rounds to the exact product (k = 1.5 exactly for n = 30).
  const double k = static_cast<double>(n) - level * static_cast<double>(n);
  if (k <= 1.0) {
    cut.whole = 1;
    cut.total_weight = 1.0;
    return cut;
  }
  // Snap a fractional part within rounding of 0 or 1: k is an integer in exact decimal arithmetic.
  double whole = std::floor(k);
  if (k - whole > 1.0 - 1e-9) whole += 1.0;
  double fraction = k - whole;
  if (fraction < 1e-9) fraction = 0.0;
  cut.whole = std::min<std::size_t>(static_cast<std::size_t>(whole), n);
  cut.fraction = cut.whole < n ? fraction : 0.0;
  cut.total_weight = static_cast<double>(cut.whole) + cut.fraction;
  return cut;
}

//! The `count` worst non-NaN values' indices, worst first: larger value first, then lower index.
//! A partial selection (nth_element) then a sort of the selected part: O(n + count log count).
std::vector<std::uint64_t> worst_first(std::span<const double> values, std::size_t count) {
  std::vector<std::uint64_t> order;
  order.reserve(values.size());
  for (std::uint64_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) order.push_back(i);
  }
  const auto worse = [&](std::uint64_t a, std::uint64_t b) {
    if (values[a] != values[b]) return values[a] > values[b];
    return a < b;
  };
  count = std::min(count, order.size());
  if (count < order.size()) {
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(), worse);
  }
  order.resize(count);
  std::sort(order.begin(), order.end(), worse);
  return order;
}

}  // namespace detail

double compensated_sum(std::span<const double> values) {
  detail::CompensatedSum sum;
  for (double v : values) sum.add(v);
  return sum.value();
}

double mean(std::span<const double> values) {
  if (values.empty()) return detail::kNaN;
  return compensated_sum(values) / static_cast<double>(values.size());
}

double variance(std::span<const double> values) {
  if (values.empty()) return detail::kNaN;
  if (values.size() == 1) return 0.0;
  // Corrected two-pass formula: var = (sum d^2 - (sum d)^2 / n) / (n - 1), d = x - mean.
  const double n = static_cast<double>(values.size());
  const double mu = mean(values);
  detail::CompensatedSum d_sum, d2_sum;
  for (double v : values) {
    const double d = v - mu;
    d_sum.add(d);
    d2_sum.add(d * d);
  }
  return std::max(d2_sum.value() - d_sum.value() * d_sum.value() / n, 0.0) / (n - 1.0);
}

double mean(std::span<const std::uint32_t> values) {
  if (values.empty()) return detail::kNaN;
  // A uint64 cannot overflow: 2^32 values of at most 2^32 - 1 each.
  const std::uint64_t sum = std::accumulate(values.begin(), values.end(), std::uint64_t{0});
  return static_cast<double>(sum) / static_cast<double>(values.size());
}

double quantile_sorted(std::span<const double> sorted, double p) {
  SIM_CHECK(p >= 0.0 && p <= 1.0, << "p = " << p);
  const std::size_t n = sorted.size();
  if (n == 0) return detail::kNaN;
  const double h = static_cast<double>(n - 1) * p;
  const double lower = std::floor(h);
  const auto i = static_cast<std::size_t>(lower);
  if (i + 1 >= n) return sorted[n - 1];
  const double a = sorted[i];
  const double b = sorted[i + 1];
  if (a == b) return a;  // also keeps infinities out of inf - inf
  return a + (h - lower) * (b - a);
}

TailWeights tail_weights(std::span<const double> values, double level) {
  const auto finite = static_cast<std::size_t>(
      std::count_if(values.begin(), values.end(), [](double v) { return !std::isnan(v); }));
  const detail::TailCut cut = detail::tail_cut(finite, level);
  TailWeights tail;
  if (cut.whole == 0) return tail;
  const std::vector<std::uint64_t> order =
      detail::worst_first(values, cut.whole + (cut.fraction > 0.0 ? 1 : 0));
  tail.trials.reserve(order.size());
  for (std::size_t i = 0; i < cut.whole; ++i) tail.trials.emplace_back(order[i], 1.0);
  if (cut.fraction > 0.0) tail.trials.emplace_back(order[cut.whole], cut.fraction);
  tail.total_weight = cut.total_weight;
  return tail;
}

double tail_mean(const TailWeights& tail, std::span<const double> column) {
  if (tail.trials.empty()) return detail::kNaN;
  detail::CompensatedSum sum;
  for (const auto& [index, weight] : tail.trials) {
    SIM_CHECK(index < column.size(), << "index " << index << " column size " << column.size());
    sum.add(weight == 1.0 ? column[index] : weight * column[index]);
  }
  return sum.value() / tail.total_weight;
}

double cvar(std::span<const double> values, double level) {
  return tail_mean(tail_weights(values, level), values);
}

void sort_values(std::span<double> values) { boost::sort::pdqsort_branchless(values.begin(), values.end()); }

Summary summarize(std::span<const double> values) { return summarize_sorted(values).summary; }

SortedSummary summarize_sorted(std::span<const double> values) {
  SortedSummary out;
  std::vector<double>& sorted = out.sorted;
  sorted.reserve(values.size());
  std::uint64_t nan_count = 0;
  for (double v : values) {
    if (std::isnan(v)) {
      ++nan_count;
    } else {
      sorted.push_back(v);
    }
  }
  Summary& s = out.summary;
  s.nan_count = nan_count;
  s.n = sorted.size();
  if (sorted.empty()) {
    s.mean = s.mean_ci95_lo = s.mean_ci95_hi = s.sd = detail::kNaN;
    s.min = s.p05 = s.p10 = s.p50 = s.p90 = s.p95 = s.p99 = s.max = s.cvar95 = detail::kNaN;
    return out;
  }
  const double n = static_cast<double>(sorted.size());

  // Mean and variance in index order (the order of `values`, NaNs left out).
  s.mean = mean(sorted);
  s.sd = std::sqrt(variance(sorted));
  const double half_width = detail::kZ95 * s.sd / std::sqrt(n);
  s.mean_ci95_lo = s.mean - half_width;
  s.mean_ci95_hi = s.mean + half_width;

  sort_values(sorted);
  // CVaR from the sorted copy, summed largest first with the same weights and in the same order as
  // tail_mean(tail_weights(values), values) (ties have equal values), so the two agree bit for bit.
  {
    const detail::TailCut cut = detail::tail_cut(sorted.size(), 0.95);
    detail::CompensatedSum tail_sum;
    for (std::size_t i = 0; i < cut.whole; ++i) tail_sum.add(sorted[sorted.size() - 1 - i]);
    if (cut.fraction > 0.0) tail_sum.add(cut.fraction * sorted[sorted.size() - 1 - cut.whole]);
    s.cvar95 = tail_sum.value() / cut.total_weight;
  }
  s.min = sorted.front();
  s.max = sorted.back();
  s.p05 = quantile_sorted(sorted, 0.05);
  s.p10 = quantile_sorted(sorted, 0.10);
  s.p50 = quantile_sorted(sorted, 0.50);
  s.p90 = quantile_sorted(sorted, 0.90);
  s.p95 = quantile_sorted(sorted, 0.95);
  s.p99 = quantile_sorted(sorted, 0.99);
  return out;
}

std::vector<double> paired_difference(std::span<const double> a, std::span<const double> b) {
  SIM_CHECK(a.size() == b.size(), << "sizes " << a.size() << " and " << b.size());
  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return d;
}

Summary summarize_difference(std::span<const double> a, std::span<const double> b) {
  const std::vector<double> d = paired_difference(a, b);
  return summarize(std::span<const double>(d));
}

QuantileInterval quantile_ci(std::span<const double> sorted, double p, double confidence) {
  SIM_CHECK(p >= 0.0 && p <= 1.0, << "p = " << p);
  SIM_CHECK(confidence > 0.0 && confidence < 1.0, << "confidence = " << confidence);
  QuantileInterval ci{};
  const std::uint64_t n = sorted.size();
  ci.estimate = quantile_sorted(sorted, p);
  if (n == 0) {
    ci.lo = -detail::kInf;
    ci.hi = detail::kInf;
    ci.lo_rank = 0;
    ci.hi_rank = 1;
    ci.coverage = 1.0;
    return ci;
  }
  const double alpha_half = (1.0 - confidence) / 2.0;
  const boost::math::binomial_distribution<double> y(static_cast<double>(n), p);
  // F(r - 1) = P(Y <= r - 1) = P(Y < r), nondecreasing in r; F(-1) = 0, F(n) = 1.
  const auto below = [&](std::uint64_t rank) -> double {
    if (rank == 0) return 0.0;
    if (rank - 1 >= n) return 1.0;
    return boost::math::cdf(y, static_cast<double>(rank - 1));
  };
  // l: largest rank in [0, n] with below(l) <= alpha/2 (below(0) = 0 always qualifies).
  std::uint64_t lo = 0, hi = n;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo + 1) / 2;
    if (below(mid) <= alpha_half) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  const std::uint64_t l = lo;
  // u: smallest rank in [1, n + 1] with below(u) >= 1 - alpha/2 (below(n + 1) = 1 always qualifies).
  lo = 1;
  hi = n + 1;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (below(mid) >= 1.0 - alpha_half) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  const std::uint64_t u = lo;
  ci.lo_rank = l;
  ci.hi_rank = u;
  ci.lo = l == 0 ? -detail::kInf : sorted[l - 1];
  ci.hi = u == n + 1 ? detail::kInf : sorted[u - 1];
  ci.coverage = below(u) - below(l);
  return ci;
}

QuantileIntervals reported_quantile_cis(std::span<const double> sorted) {
  QuantileIntervals cis{};
  for (std::size_t i = 0; i < kReportedQuantiles.size(); ++i)
    cis[i] = quantile_ci(sorted, kReportedQuantiles[i].second);
  return cis;
}

std::vector<std::pair<double, double>> exceedance(std::span<const double> sorted, std::size_t points) {
  std::vector<std::pair<double, double>> curve;
  if (sorted.empty() || points == 0) return curve;
  const double lo = sorted.front();
  const double hi = sorted.back();
  const double n = static_cast<double>(sorted.size());
  const auto share_above = [&](double x) {
    const auto above = sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), x);
    return static_cast<double>(above) / n;
  };
  if (points == 1 || lo == hi) {
    curve.emplace_back(lo, share_above(lo));
    return curve;
  }
  curve.reserve(points);
  const double step = (hi - lo) / static_cast<double>(points - 1);
  for (std::size_t i = 0; i < points; ++i) {
    // The last point is exactly max, not lo + (points - 1) step, which may round below it.
    const double x = i + 1 == points ? hi : lo + static_cast<double>(i) * step;
    curve.emplace_back(x, share_above(x));
  }
  return curve;
}

double nice_ceil(double x) {
  SIM_CHECK(x > 0.0 && std::isfinite(x), << "x = " << x);
  const double power = std::pow(10.0, std::floor(std::log10(x)));
  for (double mantissa : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    const double candidate = mantissa * power;
    // log10/pow may land a hair off; accept a candidate within rounding of x.
    if (candidate >= x * (1.0 - 1e-12)) return candidate;
  }
  return 10.0 * power;
}

Histogram histogram(std::span<const double> values, std::size_t bins) {
  Histogram h;
  SIM_CHECK(bins > 0, << "bins = " << bins);
  double lo = detail::kInf, hi = -detail::kInf;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++h.skipped;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) return h;  // nothing finite to bin

  double width;
  if (hi > lo) {
    width = nice_ceil((hi - lo) / static_cast<double>(bins));
  } else {
    width = nice_ceil(std::max(std::abs(lo), 1.0) / 10.0);  // one bin around a constant column
  }
  // Widen until the nice grid (edges at multiples of width) covers [lo, hi] in at most `bins` bins:
  // aligning the first edge down to a multiple can add one bin.
  std::int64_t first = 0, count = 0;
  for (;;) {
    first = static_cast<std::int64_t>(std::floor(lo / width));
    const auto last = static_cast<std::int64_t>(std::floor(hi / width));  // bin holding hi
    count = last - first + 1;
    // hi exactly on an edge belongs to the closed last bin below it.
    if (count > 1 && static_cast<double>(last) * width == hi) --count;
    if (count <= static_cast<std::int64_t>(bins)) break;
    width = nice_ceil(width * 1.000001);
  }
  h.width = width;
  h.edges.resize(static_cast<std::size_t>(count) + 1);
  for (std::int64_t i = 0; i <= count; ++i) {
    h.edges[static_cast<std::size_t>(i)] = static_cast<double>(first + i) * width;
  }
  h.counts.assign(static_cast<std::size_t>(count), 0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    auto bin = static_cast<std::int64_t>(std::floor(v / width)) - first;
    bin = std::clamp<std::int64_t>(bin, 0, count - 1);
    ++h.counts[static_cast<std::size_t>(bin)];
  }
  return h;
}

}  // namespace mistakesim
