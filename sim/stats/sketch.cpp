// KLL quantile sketch (sketch.hpp): compactors whose capacities shrink by 2/3 below the top level,
// coins from a hash of (seed, compaction count), and the Azuma-Hoeffding bound of the rank error.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mistakesim/errors.hpp>
#include <mistakesim/executor.hpp>
#include <mistakesim/sketch.hpp>
#include <type_traits>
#include <utility>

namespace mistakesim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

//! SplitMix64's finalizer: a well-mixed 64-bit hash (the coin is its lowest bit).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

//! Appends a trivially copyable value's bytes as doubles (the state of exact sums and counts; read
//! back by read_bytes on a machine of the same kind - the ranks of one job).
template <class T>
void append_bytes(std::vector<double>& out, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  constexpr std::size_t words = (sizeof(T) + sizeof(double) - 1) / sizeof(double);
  double buffer[words] = {};
  std::memcpy(buffer, &value, sizeof(T));
  for (double w : buffer) out.push_back(w);  // (insert() trips GCC 12's false -Wstringop-overflow)
}

template <class T>
T read_bytes(std::span<const double> in, std::size_t& at) {
  constexpr std::size_t words = (sizeof(T) + sizeof(double) - 1) / sizeof(double);
  SIM_CHECK(at + words <= in.size(), << "truncated summary");
  T value;
  std::memcpy(static_cast<void*>(&value), in.data() + at, sizeof(T));
  at += words;
  return value;
}

}  // namespace

QuantileSketch::QuantileSketch(std::uint32_t k, std::uint64_t seed)
    : k_(std::max<std::uint32_t>(k, 8)), seed_(seed), min_(kNaN), max_(kNaN), levels_(1) {}

std::uint32_t QuantileSketch::capacity(std::size_t level) const {
  const std::size_t depth = levels_.size() - 1 - level;  // 0 at the top level
  const double c = std::ceil(static_cast<double>(k_) * std::pow(2.0 / 3.0, static_cast<double>(depth)));
  return std::max<std::uint32_t>(2, static_cast<std::uint32_t>(c));
}

void QuantileSketch::add(double x) {
  if (std::isnan(x)) return;
  if (n_ == 0) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  ++n_;
  levels_[0].push_back(x);
  if (levels_[0].size() >= capacity(0)) compress();
}

void QuantileSketch::compact(std::size_t level) {
  if (level + 1 == levels_.size()) levels_.emplace_back();
  std::vector<double>& values = levels_[level];
  std::sort(values.begin(), values.end());
  // An odd count leaves its largest value behind (it keeps its weight): only pairs are compacted.
  const std::size_t pairs = values.size() / 2;
  const std::size_t offset = mix(seed_ ^ mix(compactions_++)) & 1u;
  std::vector<double>& up = levels_[level + 1];
  for (std::size_t i = 0; i < pairs; ++i) up.push_back(values[2 * i + offset]);
  const double w = std::ldexp(1.0, static_cast<int>(level));
  variance_ += w * w;
  const bool odd = values.size() % 2 != 0;
  const double leftover = odd ? values.back() : 0.0;
  values.clear();
  if (odd) values.push_back(leftover);
}

void QuantileSketch::compress() {
  // The lowest level at capacity is compacted; the next may then be over, and so on upward.
  for (std::size_t level = 0; level < levels_.size(); ++level)
    if (levels_[level].size() >= capacity(level)) compact(level);
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  n_ += other.n_;
  variance_ += other.variance_;
  if (other.levels_.size() > levels_.size()) levels_.resize(other.levels_.size());
  for (std::size_t h = 0; h < other.levels_.size(); ++h)
    levels_[h].insert(levels_[h].end(), other.levels_[h].begin(), other.levels_[h].end());
  // Compact until every level fits (a level may need more than one pass after a merge).
  bool over = true;
  while (over) {
    over = false;
    for (std::size_t h = 0; h < levels_.size(); ++h)
      if (levels_[h].size() >= capacity(h)) {
        compact(h);
        over = true;
      }
  }
}

std::size_t QuantileSketch::retained() const {
  std::size_t total = 0;
  for (const auto& level : levels_) total += level.size();
  return total;
}

double QuantileSketch::rank(double x) const {
  double r = 0.0;
  for (std::size_t h = 0; h < levels_.size(); ++h) {
    const auto below = std::count_if(levels_[h].begin(), levels_[h].end(), [x](double v) { return v <= x; });
    r += std::ldexp(static_cast<double>(below), static_cast<int>(h));
  }
  return r;
}

double QuantileSketch::quantile(double p) const {
  SIM_CHECK(p >= 0.0 && p <= 1.0, << "p = " << p);
  if (n_ == 0) return kNaN;
  // The retained values with their weights, ascending; value i stands for the ranks
  // [cumulative before it, cumulative through it). Type 7 on the full sample reads ranks h = (n-1) p
  // and h + 1 (0-based); here each is the value whose weight covers that rank.
  std::vector<std::pair<double, double>> weighted;
  weighted.reserve(retained());
  for (std::size_t h = 0; h < levels_.size(); ++h)
    for (double v : levels_[h]) weighted.emplace_back(v, std::ldexp(1.0, static_cast<int>(h)));
  std::sort(weighted.begin(), weighted.end());
  const auto at_rank = [&](double r) {  // the value covering 0-based rank r
    double cumulative = 0.0;
    for (const auto& [v, w] : weighted) {
      cumulative += w;
      if (r < cumulative) return v;
    }
    return weighted.back().first;
  };
  const double h = static_cast<double>(n_ - 1) * p;
  const double lo = std::floor(h);
  const double a = at_rank(lo);
  if (h == lo) return p == 0.0 ? min_ : (p == 1.0 ? max_ : a);
  const double b = at_rank(lo + 1.0);
  return a + (h - lo) * (b - a);
}

double QuantileSketch::tail_mean(double level) const {
  SIM_CHECK(level >= 0.0 && level < 1.0, << "level = " << level);
  if (n_ == 0) return kNaN;
  std::vector<std::pair<double, double>> weighted;
  weighted.reserve(retained());
  for (std::size_t h = 0; h < levels_.size(); ++h)
    for (double v : levels_[h]) weighted.emplace_back(v, std::ldexp(1.0, static_cast<int>(h)));
  std::sort(weighted.begin(), weighted.end(), std::greater<>());
  const double n = static_cast<double>(n_);
  const double k = std::max(n - level * n, 1.0);  // the tail's weight, as stats.cpp's tail_cut
  double taken = 0.0, sum = 0.0;
  for (const auto& [v, w] : weighted) {
    const double take = std::min(w, k - taken);
    if (take <= 0.0) break;
    sum += take * v;
    taken += take;
  }
  return sum / taken;
}

double QuantileSketch::rank_error_bound(double delta) const {
  SIM_CHECK(delta > 0.0 && delta < 1.0, << "delta = " << delta);
  if (n_ == 0 || variance_ == 0.0) return 0.0;
  return std::sqrt(2.0 * variance_ * std::log(2.0 / delta)) / static_cast<double>(n_);
}

std::vector<double> QuantileSketch::serialize() const {
  // Counts below 2^53 and bit patterns travel exactly as doubles; the seed and coin count as two
  // 32-bit halves each.
  std::vector<double> out = {static_cast<double>(k_),
                             static_cast<double>(seed_ >> 32),
                             static_cast<double>(seed_ & 0xffffffffu),
                             static_cast<double>(compactions_ >> 32),
                             static_cast<double>(compactions_ & 0xffffffffu),
                             static_cast<double>(n_),
                             variance_,
                             min_,
                             max_,
                             static_cast<double>(levels_.size())};
  for (const auto& level : levels_) {
    out.push_back(static_cast<double>(level.size()));
    out.insert(out.end(), level.begin(), level.end());
  }
  return out;
}

QuantileSketch QuantileSketch::deserialize(std::span<const double> w) {
  SIM_CHECK(w.size() >= 10, << w.size() << " words");
  const auto u64 = [](double hi, double lo) {
    return (static_cast<std::uint64_t>(hi) << 32) | static_cast<std::uint64_t>(lo);
  };
  QuantileSketch s(static_cast<std::uint32_t>(w[0]), u64(w[1], w[2]));
  s.compactions_ = u64(w[3], w[4]);
  s.n_ = static_cast<std::uint64_t>(w[5]);
  s.variance_ = w[6];
  s.min_ = w[7];
  s.max_ = w[8];
  s.levels_.assign(static_cast<std::size_t>(w[9]), {});
  std::size_t at = 10;
  for (auto& level : s.levels_) {
    SIM_CHECK(at < w.size(), << "truncated sketch");
    const auto size = static_cast<std::size_t>(w[at++]);
    SIM_CHECK(at + size <= w.size(), << "truncated sketch");
    level.assign(w.begin() + static_cast<std::ptrdiff_t>(at),
                 w.begin() + static_cast<std::ptrdiff_t>(at + size));
    at += size;
  }
  return s;
}

void ColumnSketch::add(double x) {
  if (std::isnan(x)) {
    ++nans_;
    return;
  }
  sketch_.add(x);
  sum_.add(x);
  squares_.add(x * x);
}

void ColumnSketch::merge(const ColumnSketch& other) {
  sketch_.merge(other.sketch_);
  sum_.add(other.sum_);
  squares_.add(other.squares_);
  nans_ += other.nans_;
}

Summary ColumnSketch::summary() const {
  Summary s{};
  s.n = sketch_.count();
  s.nan_count = nans_;
  if (s.n == 0) {
    s.mean = s.mean_ci95_lo = s.mean_ci95_hi = s.sd = s.min = s.max = s.cvar95 = kNaN;
    s.p05 = s.p10 = s.p50 = s.p90 = s.p95 = s.p99 = kNaN;
    return s;
  }
  const auto n = static_cast<long double>(s.n);
  const long double sum = sum_.value(), squares = squares_.value();
  s.mean = sum_.value() / static_cast<double>(s.n);
  const long double var = s.n > 1 ? std::max<long double>(squares - sum * sum / n, 0.0L) / (n - 1.0L) : 0.0L;
  s.sd = static_cast<double>(std::sqrt(var));
  const double half = 1.96 * s.sd / std::sqrt(static_cast<double>(s.n));
  s.mean_ci95_lo = s.mean - half;
  s.mean_ci95_hi = s.mean + half;
  s.min = sketch_.min();
  s.max = sketch_.max();
  s.p05 = sketch_.quantile(0.05);
  s.p10 = sketch_.quantile(0.10);
  s.p50 = sketch_.quantile(0.50);
  s.p90 = sketch_.quantile(0.90);
  s.p95 = sketch_.quantile(0.95);
  s.p99 = sketch_.quantile(0.99);
  s.cvar95 = sketch_.tail_mean(0.95);
  return s;
}

void ColumnSketch::write(std::vector<double>& out) const {
  const std::vector<double> sketch = sketch_.serialize();
  out.push_back(static_cast<double>(sketch.size()));
  out.insert(out.end(), sketch.begin(), sketch.end());
  append_bytes(out, sum_);
  append_bytes(out, squares_);
  append_bytes(out, nans_);
}

ColumnSketch ColumnSketch::read(std::span<const double> in, std::size_t& at) {
  SIM_CHECK(at < in.size(), << "truncated summary");
  const auto size = static_cast<std::size_t>(in[at++]);
  SIM_CHECK(at + size <= in.size(), << "truncated summary");
  ColumnSketch c(8, 0);
  c.sketch_ = QuantileSketch::deserialize(in.subspan(at, size));
  at += size;
  c.sum_ = read_bytes<ExactSum>(in, at);
  c.squares_ = read_bytes<ExactSum>(in, at);
  c.nans_ = read_bytes<std::uint64_t>(in, at);
  return c;
}

double BoundedRun::rank_error_bound(double delta) const {
  double bound = std::max({total.sketch().rank_error_bound(delta), known.sketch().rank_error_bound(delta),
                           unknown.sketch().rank_error_bound(delta)});
  for (const ColumnSketch& m : mistakes) bound = std::max(bound, m.sketch().rank_error_bound(delta));
  return bound;
}

PipelineMeans BoundedRun::pipeline_means() const {
  const double n = count == 0 ? kNaN : static_cast<double>(count);
  PipelineMeans p;
  p.opportunities = pipeline[0].value() / n;
  p.good_fits = pipeline[1].value() / n;
  p.wins_done_right = pipeline[2].value() / n;
  p.wins = pipeline[3].value() / n;
  p.should_have_bought = pipeline[4].value() / n;
  p.nonbuyer_hours = pipeline[5].value() / n;
  p.revenue_done_right = pipeline[6].value() / n;
  p.revenue = pipeline[7].value() / n;
  return p;
}

MistakeSummary BoundedRun::mistake_summary(std::size_t m) const {
  const double n = count == 0 ? kNaN : static_cast<double>(count);
  MistakeSummary s;
  s.index = m;
  s.cost = mistakes.at(m).summary();
  s.known_mean = mistake_totals.at(m).known.value() / n;
  s.unknown_mean = mistake_totals[m].unknown.value() / n;
  s.occurrences_mean = static_cast<double>(mistake_totals[m].occurrences) / n;
  s.deals_lost_mean = static_cast<double>(mistake_totals[m].deals_lost) / n;
  s.cvar95_contribution = kNaN;  // needs every year's total next to the mistake's: not kept
  return s;
}

RunSummary BoundedRun::summary() const {
  RunSummary s;
  // Only the three summaries: the quantile intervals, sorted column and tail need every year.
  s.cost.total = total.summary();
  s.cost.known = known.summary();
  s.cost.unknown = unknown.summary();
  s.pipeline = pipeline_means();
  for (std::size_t m = 0; m < mistakes.size(); ++m) s.mistakes.push_back(mistake_summary(m));
  std::stable_sort(
      s.mistakes.begin(), s.mistakes.end(),
      [](const MistakeSummary& a, const MistakeSummary& b) { return a.cost.mean > b.cost.mean; });
  return s;
}

void BoundedRun::merge(const BoundedRun& other) {
  SIM_CHECK(other.first_trial == first_trial + count && other.mistakes.size() == mistakes.size(),
            << "trials " << other.first_trial << " do not follow " << first_trial << " + " << count);
  count += other.count;
  total.merge(other.total);
  known.merge(other.known);
  unknown.merge(other.unknown);
  for (std::size_t m = 0; m < mistakes.size(); ++m) {
    mistakes[m].merge(other.mistakes[m]);
    mistake_totals[m].add(other.mistake_totals[m]);
  }
  for (std::size_t i = 0; i < pipeline.size(); ++i) pipeline[i].add(other.pipeline[i]);
}

std::vector<double> BoundedRun::serialize() const {
  std::vector<double> out;
  append_bytes(out, first_trial);
  append_bytes(out, count);
  append_bytes(out, mistakes.size());
  total.write(out);
  known.write(out);
  unknown.write(out);
  for (const ColumnSketch& m : mistakes) m.write(out);
  for (const MistakeTotals& t : mistake_totals) append_bytes(out, t);
  for (const ExactSum& p : pipeline) append_bytes(out, p);
  return out;
}

BoundedRun BoundedRun::deserialize(std::span<const double> in) {
  std::size_t at = 0;
  BoundedRun r;
  r.first_trial = read_bytes<std::uint64_t>(in, at);
  r.count = read_bytes<std::uint64_t>(in, at);
  const auto nm = read_bytes<std::size_t>(in, at);
  r.total = ColumnSketch::read(in, at);
  r.known = ColumnSketch::read(in, at);
  r.unknown = ColumnSketch::read(in, at);
  for (std::size_t m = 0; m < nm; ++m) r.mistakes.push_back(ColumnSketch::read(in, at));
  for (std::size_t m = 0; m < nm; ++m) r.mistake_totals.push_back(read_bytes<MistakeTotals>(in, at));
  for (ExactSum& p : r.pipeline) p = read_bytes<ExactSum>(in, at);
  SIM_CHECK(at == in.size(), << "summary of " << in.size() << " words read to " << at);
  return r;
}

BoundedRun run_bounded(const Model& model, const Scenario& scenario, const RunOptions& options) {
  const std::uint64_t n = options.trials != 0 ? options.trials : model.trials;
  const std::uint64_t chunks = (n + kBoundedChunk - 1) / kBoundedChunk;
  const std::size_t nm = model.mistakes.size();
  const auto chunk_summary = [&](std::uint64_t c) {
    RunOptions local = options;
    local.executor = nullptr;  // this chunk runs here (under MPI: on the rank given it)
    local.record_inputs = false;
    local.first_trial = options.first_trial + c * kBoundedChunk;
    local.trials = std::min(kBoundedChunk, n - c * kBoundedChunk);
    const TrialResults r = run_trials(model, scenario, local);
    // Each chunk's sketches have their own coins (seeded by chunk and column): a chunk's summary
    // is the same whichever rank computes it.
    const auto seed = [c](std::uint64_t column) { return mix(c * 0x10000u + column); };
    BoundedRun b;
    b.first_trial = local.first_trial;
    b.count = r.count;
    b.total = ColumnSketch(kBoundedSketchK, seed(0));
    b.known = ColumnSketch(kBoundedSketchK, seed(1));
    b.unknown = ColumnSketch(kBoundedSketchK, seed(2));
    for (std::size_t m = 0; m < nm; ++m) b.mistakes.emplace_back(kBoundedSketchK, seed(3 + m));
    b.mistake_totals = r.mistake_totals;
    for (std::uint64_t t = 0; t < r.count; ++t) {
      b.total.add(r.cost_total[t]);
      b.known.add(r.cost_known[t]);
      b.unknown.add(r.cost_unknown[t]);
      b.pipeline[0].add(r.opportunities[t]);
      b.pipeline[1].add(r.good_fits[t]);
      b.pipeline[2].add(r.wins_done_right[t]);
      b.pipeline[3].add(r.wins[t]);
      b.pipeline[4].add(r.should_have_bought[t]);
      b.pipeline[5].add(r.nonbuyer_hours[t]);
      b.pipeline[6].add(r.revenue_done_right[t]);
      b.pipeline[7].add(r.revenue[t]);
    }
    for (std::size_t m = 0; m < nm; ++m)
      for (double x : r.mistake_cost_column(m)) b.mistakes[m].add(x);
    return b.serialize();
  };
  SIM_CHECK(chunks > 0, << "a bounded run of no trials");
  // Merged in chunk order whatever the ranks: the sketches' bits depend on the order of merges.
  const auto combine = [](std::vector<double> so_far, std::vector<double> next) {
    BoundedRun all = BoundedRun::deserialize(so_far);
    all.merge(BoundedRun::deserialize(next));
    return all.serialize();
  };
  const BoundedRun all =
      BoundedRun::deserialize(fold_chunks(options.executor, chunks, chunk_summary, combine));
  return all;
}

}  // namespace mistakesim
