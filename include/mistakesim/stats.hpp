#pragma once
// Statistics over per-trial columns: summaries, quantile intervals, tail (CVaR) and its allocation
// to mistakes, exceedance curves and histograms.
//
// Everything here is deterministic: sums run in index order (or in a stated sorted order) with
// Neumaier compensation, quantiles come from a sorted copy, ties are broken by trial index. The same
// column therefore gives the same bits on every machine and thread count, which is what lets the
// JSON report be compared byte for byte.
//
// Conventions used throughout:
// - quantiles are Hyndman-Fan type 7 (the default of R, NumPy and Excel's PERCENTILE.INC): for
//   ascending x[0..n-1], h = (n-1) p, q(p) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]);
// - the tail is the upper tail: values are costs, larger is worse;
// - cvar at level a (0.95) is the mean of the worst (1 - a) n values, with the boundary value
//   weighted by the fractional part (see tail_weights()).
// - NaN values are not statistics: they are excluded and counted in Summary::nan_count.

#include <array>
#include <cstdint>
#include <mistakesim/engine.hpp>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>
#include <mistakesim/funnel.hpp>

namespace mistakesim {

//! Summary of one column of per-trial values.
struct Summary {
  double mean;          //!< arithmetic mean
  double mean_ci95_lo;  //!< mean - 1.96 sd / sqrt(n)
  double mean_ci95_hi;  //!< mean + 1.96 sd / sqrt(n)
  double sd;            //!< sample standard deviation (n - 1 denominator); 0 when n == 1
  double min;
  double p05, p10, p50, p90, p95, p99;  //!< type-7 quantiles
  double max;
  double cvar95;                //!< mean of the worst (largest) 5% of values, fractional boundary weight
  std::uint64_t n;              //!< number of values summarized (NaNs excluded)
  std::uint64_t nan_count = 0;  //!< NaN values found and excluded
};

//! Sorts NaN-free values ascending (pattern-defeating quicksort, Boost.Sort's branchless form: about
//! three times std::sort on a column of 10^6 yearly costs). Equal values are interchangeable, so the
//! result is the same array whatever the algorithm: only the time differs.
void sort_values(std::span<double> values);

//! Summary of values (any order). All fields are NaN when no value is left; n == 0 then.
Summary summarize(std::span<const double> values);

//! A column's summary with the ascending, NaN-free copy it was computed from, for whatever else
//! needs order statistics (quantile intervals, charts): the column is sorted once.
struct SortedSummary {
  Summary summary{};
  std::vector<double> sorted;  //!< the values ascending, NaNs left out
};
SortedSummary summarize_sorted(std::span<const double> values);

//! Summary of an integer or other arithmetic column (counts per trial), converted to double.
// clang-format 14 would put the requires-clause on the declaration's line.
// clang-format off
template <class T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, double>)
Summary summarize(std::span<const T> values) {
  std::vector<double> converted(values.begin(), values.end());
  return summarize(std::span<const double>(converted));
}
// clang-format on
inline Summary summarize(const std::vector<std::uint32_t>& values) {
  return summarize(std::span<const std::uint32_t>(values));
}

//! Paired differences a[i] - b[i] (same trial index, common random numbers). Sizes must match.
std::vector<double> paired_difference(std::span<const double> a, std::span<const double> b);
//! summarize(a - b): the distribution of what b saves relative to a, trial by trial.
Summary summarize_difference(std::span<const double> a, std::span<const double> b);

//! Neumaier-compensated sum in index order.
double compensated_sum(std::span<const double> values);
//! Mean with compensated sum; NaN for an empty span.
double mean(std::span<const double> values);
//! Sample variance (n - 1 denominator), corrected two-pass with compensated sums in index order;
//! 0 for one value, NaN for none. NaN values are not skipped here (summarize() skips them).
double variance(std::span<const double> values);
//! Mean of an integer column (exact integer sum, then one division).
double mean(std::span<const std::uint32_t> values);

//! Type-7 quantile of ascending, NaN-free values; p in [0, 1]. NaN for an empty span.
double quantile_sorted(std::span<const double> sorted, double p);

//! Distribution-free confidence interval for the p-quantile from order statistics.
//! With Y ~ Binomial(n, p) the number of values below the true quantile, the interval
//! [x_(l), x_(u)] (1-based ranks) covers it with probability F(u-1) - F(l-1). We take the
//! equal-tailed conservative choice: l = the largest rank with F(l-1) <= (1-confidence)/2 and
//! u = the smallest rank with F(u-1) >= 1 - (1-confidence)/2. When n is too small, l = 0 (lo =
//! -inf) or u = n + 1 (hi = +inf). Example: n = 100, p = 0.5, 95% gives ranks 40 and 61, coverage
//! 0.9648.
struct QuantileInterval {
  double estimate;        //!< the type-7 quantile itself
  double lo;              //!< x_(lo_rank), or -inf when lo_rank == 0
  double hi;              //!< x_(hi_rank), or +inf when hi_rank == n + 1
  std::uint64_t lo_rank;  //!< 1-based
  std::uint64_t hi_rank;  //!< 1-based
  double coverage;        //!< exact binomial coverage probability of [lo, hi] (>= confidence unless capped)
};
QuantileInterval quantile_ci(std::span<const double> sorted, double p, double confidence = 0.95);

//! The quantiles every output reports an interval for, with their JSON keys, in output order.
inline constexpr std::array<std::pair<const char*, double>, 6> kReportedQuantiles{
    {{"p05", 0.05}, {"p10", 0.10}, {"p50", 0.50}, {"p90", 0.90}, {"p95", 0.95}, {"p99", 0.99}}};
//! quantile_ci(sorted, p) for each p of kReportedQuantiles, in that order.
using QuantileIntervals = std::array<QuantileInterval, kReportedQuantiles.size()>;
QuantileIntervals reported_quantile_cis(std::span<const double> sorted);

//! Which trials form the worst (1 - level) share of a column, and with what weight.
//! Trials are ordered by value descending, ties by trial index ascending (lower index first). With
//! k = (1 - level) n, m = floor(k) and f = k - m, the first m trials have weight 1 and the next has
//! weight f (omitted when f == 0). When k < 1 the single worst trial has weight 1 (the tail is the
//! maximum). The tail mean is sum(weight * value) / total_weight.
struct TailWeights {
  std::vector<std::pair<std::uint64_t, double>> trials;  //!< (index into the column, weight), worst first
  double total_weight = 0.0;                             //!< = max(k, 1) if n > 0, else 0
};
TailWeights tail_weights(std::span<const double> values, double level = 0.95);

//! Weighted mean of column over the tail trials (sum in tail order, compensated). With column ==
//! the column the tail was cut from, this is the CVaR; with a mistake's cost column it is the
//! mistake's contribution, and the contributions of columns that add up to the total add up to the
//! total's CVaR (Euler allocation) up to rounding.
double tail_mean(const TailWeights& tail, std::span<const double> column);

//! CVaR at level: mean of the worst (1 - level) share of values (see tail_weights()).
double cvar(std::span<const double> values, double level = 0.95);

//! Exceedance curve: `points` x values evenly spaced from min to max of the (ascending) values,
//! each with P(X > x), the share of values strictly greater. First point (min, share above min),
//! last point (max, 0). Empty for empty input or points == 0; a single point (min, 0) if points == 1
//! or all values are equal.
std::vector<std::pair<double, double>> exceedance(std::span<const double> sorted, std::size_t points);

//! Histogram on "nice" bin edges: width is 1, 2, 2.5 or 5 times a power of ten, the smallest such
//! width giving at most `bins` bins over [min, max]; edges are integer multiples of the width. Bins
//! are [edge_i, edge_{i+1}), the last one closed. Non-finite values are not binned: they are counted
//! in `skipped`.
struct Histogram {
  std::vector<double> edges;          //!< counts.size() + 1 ascending edges
  std::vector<std::uint64_t> counts;  //!< values per bin
  double width = 0.0;                 //!< edges[i+1] - edges[i]
  std::uint64_t skipped = 0;          //!< non-finite values
};
Histogram histogram(std::span<const double> values, std::size_t bins);

//! The smallest "nice" number (1, 2, 2.5 or 5 x 10^k) >= x, for x > 0.
double nice_ceil(double x);

//! One mistake's share of a run, from its per-trial columns.
struct MistakeSummary {
  std::size_t index = 0;             //!< into Model::mistakes and the TrialResults mistake columns
  Summary cost{};                    //!< [$ per year] known + unknown
  double known_mean = 0.0;           //!< [$ per year] cost of noticed occurrences
  double unknown_mean = 0.0;         //!< [$ per year] cost of unnoticed occurrences
  double occurrences_mean = 0.0;     //!< [per year]
  double deals_lost_mean = 0.0;      //!< [deals per year]
  double cvar95_contribution = 0.0;  //!< [$ per year] its mean cost over the worst 5% of total-cost years
};

//! Means of the pipeline counts per year.
struct PipelineMeans {
  double opportunities = 0.0;
  double good_fits = 0.0;
  double wins_done_right = 0.0;
  double wins = 0.0;
  double should_have_bought = 0.0;
  double nonbuyer_hours = 0.0;      //!< [hours]
  double revenue_done_right = 0.0;  //!< [$] value basis
  double revenue = 0.0;             //!< [$] value basis
};

//! The pipeline means of a run's columns (mean of each count, hours and revenue column).
PipelineMeans pipeline_means(const TrialResults& results);

//! The yearly cost of mistakes over a run, as every output shows it: computed once, then only
//! formatted by the table, the JSON and the HTML report.
struct CostSummary {
  Summary total{}, known{}, unknown{};                           //!< [$ per year]
  QuantileIntervals total_ci95{}, known_ci95{}, unknown_ci95{};  //!< of kReportedQuantiles
  std::vector<double> sorted_total;  //!< cost_total ascending, NaNs left out (charts)
  TailWeights tail;                  //!< the worst 5% of years by total cost
  double tail_known = 0.0;           //!< [$] mean known cost over those years
  double tail_unknown = 0.0;         //!< [$] mean unknown cost over those years
};

//! The cost summary of a run's columns (total, known and unknown in parallel, each sorted once).
CostSummary summarize_cost(const TrialResults& results);

//! The spread of the pipeline counts per year (the HTML report's "9 years in 10" column).
struct PipelineRanges {
  Summary opportunities{}, good_fits{}, wins{}, wins_done_right{}, should_have_bought{}, nonbuyer_hours{};
};

//! How much of a run to summarise: the tables and the JSON, or also what only the HTML report shows.
enum class SummaryScope { tables, report };

//! Everything the outputs show about one run, computed once.
struct RunSummary {
  CostSummary cost;
  std::vector<MistakeSummary> mistakes;  //!< ranked by mean cost, descending; ties in model order
  PipelineMeans pipeline;
  std::optional<PipelineRanges> pipeline_ranges;  //!< with SummaryScope::report
  std::optional<Funnel> funnel;  //!< "why didn't they buy" (funnel.hpp); not for bounded runs
};

//! Summaries of a run's columns, the columns in parallel (same bits on any thread count). The CVaR
//! contributions use tail_weights(results.cost_total), so they add up to cost.total.cvar95 (up to
//! rounding) when every cost is attributed to a mistake.
RunSummary summarize_run(const TrialResults& results, SummaryScope scope = SummaryScope::tables);

}  // namespace mistakesim
