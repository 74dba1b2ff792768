// The engine: one trial is one simulated year (docs/model.md states the algorithm this file
// implements). Every random quantity is read at its address (seed, trial, opportunity, slot), so
// the two worlds of an opportunity - done right and as it happened - share their draws, and two
// scenarios (baseline and an intervention) share every draw that their difference does not touch.
//
// Per-trial thresholds are hoisted out of the opportunity loop: probabilities become 32-bit
// integer thresholds compared with Philox words, and constant amounts skip the generator. A chunk
// of opportunities is played mistake by mistake: the lists of what to draw are built without
// branches (lists.hpp, AVX-512 lanes), each list's Philox blocks are computed side by side
// (philox_blocks) and its amounts sampled in batches (sample_batch.hpp); only the occurrences are
// then played one by one. docs/performance.md measures what each step bought.

#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/executor.hpp>
#include <mistakesim/random.hpp>

#include "engine/lists.hpp"
#include "engine/parallel.hpp"
#include "engine/trial.hpp"
#include "model/philox_batch.hpp"
#include "model/sample_batch.hpp"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <mutex>
#include <optional>
#include <thread>

namespace mistakesim {
namespace detail {

//! One draw of an amount at (trial, opportunity); a constant costs nothing.
inline double draw_amount(const Amount& a, std::uint64_t seed, std::uint64_t trial,
                          std::uint32_t opportunity) {
  if (a.dist.kind == DistKind::constant) return a.dist.p[0];
  DrawStream stream(seed, DrawAddress{trial, opportunity, a.slot});
  return sample(a.dist, stream);
}

//! A count from a draw: rounded to the nearest whole number, negatives to zero.
std::uint64_t to_count(double x) {
  if (!(x > 0.0)) return 0;
  return static_cast<std::uint64_t>(std::llround(std::min(x, 4.0e9)));
}

//! The year's opportunity count when it is one draw at (trial, kYearLevel, the count's slot): the
//! distribution drawn there (docs/model.md, "Opportunity count"); nothing when the count is constant
//! or drawn rep by rep.
std::optional<Distribution> count_as_one_draw(const Model& m) {
  const Distribution& d = m.opportunities.dist;
  if (!m.opportunities_per_rep) return d.kind == DistKind::constant ? std::nullopt : std::optional(d);
  const double reps = static_cast<double>(m.reps);
  switch (d.kind) {
    case DistKind::poisson:  // sum of r Poisson(m) is Poisson(r m)
      return Distribution::poisson(d.p[0] * reps);
    case DistKind::negbinomial:  // sum of r NB(m, k) is NB(r m, r k)
      return Distribution::negbinomial(d.p[0] * reps, d.p[1] * reps);
    default:
      return std::nullopt;
  }
}

//! The year's number of opportunities (docs/model.md, "Opportunity count").
std::uint64_t draw_opportunity_count(const Model& m, std::uint64_t trial) {
  const Distribution& d = m.opportunities.dist;
  if (const std::optional<Distribution> one = count_as_one_draw(m)) {
    DrawStream stream(m.seed, DrawAddress{trial, kYearLevel, m.opportunities.slot});
    return to_count(sample(*one, stream));
  }
  if (!m.opportunities_per_rep) return to_count(d.p[0]);  // a constant
  if (d.kind == DistKind::constant)
    return to_count(d.p[0]) * m.reps;  // each rep's count rounded, then summed
  std::uint64_t total = 0;
  for (std::uint32_t r = 0; r < m.reps; ++r) {
    DrawStream stream(m.seed, DrawAddress{trial, rep_level(r), m.opportunities.slot});
    total += to_count(sample(d, stream));
  }
  return total;
}

inline double clamp_to(const YearInput& in, double x) {
  if (std::isnan(x)) return in.lower;
  return std::clamp(x, in.lower, in.upper);
}

//! A year's values after its independent draws: the correlated inputs redrawn through the copula,
//! then the scenario's pins and intervention effects (docs/model.md, step 1).
void finish_year(const Model& m, const Scenario& scenario, std::uint64_t trial, std::span<double> out,
                 std::uint32_t year_index) {
  apply_correlations(m, trial, out);
  for (const auto& [id, value] : scenario.pinned) out[id] = clamp_to(m.inputs[id], value);
  for (std::size_t k : scenario.interventions) {
    const Intervention& iv = m.interventions[k];
    for (const Effect& e : iv.effects) {
      const double amount = draw_amount(e.amount, m.seed, trial, kYearLevel);
      const double f = scenario.effect_fraction * iv.effect_share(year_index);
      double& x = out[e.target];
      switch (e.op) {
        case EffectOp::scale:
          x *= f == 1.0 ? amount : 1.0 + f * (amount - 1.0);
          break;
        case EffectOp::set:
          x = f == 1.0 ? amount : x + f * (amount - x);
          break;
        case EffectOp::add:
          x += f * amount;
          break;
      }
      x = clamp_to(m.inputs[e.target], x);
    }
  }
}

//! Beta and PERT with both shapes >= 1 (sample_beta's Marsaglia-Tsang path) have a batched sampler
//! (sample_batch.hpp, pert_from_words) that needs blocks 0 and 1 of each stream.
inline bool batched_beta(const Distribution& d) {
  if (d.kind == DistKind::pert) return d.p[2] >= 1.0 && d.p[3] >= 1.0;
  return d.kind == DistKind::beta && d.p[0] >= 1.0 && d.p[1] >= 1.0;
}

inline constexpr std::size_t kYearBatch = 256;  //!< trials whose year-level draws are computed together

//! The independent draws of every year-level input for up to kYearBatch consecutive trials, input
//! by input: each input's Philox blocks for the trials side by side (philox_blocks_over_trials),
//! triangular, beta and PERT inputs sampled in vector lanes (sample_batch.hpp), the others by
//! sample() from a stream that starts at the batched block. The same values, bit for bit, as
//! draw_year's own draws.
class YearDraws {
 public:
  void draw(const Model& m, std::uint64_t first_trial, std::size_t n) {
    SIM_CHECK(n <= kYearBatch, << n << " trials in a year batch");
    draw_counts(m, first_trial, n);
    values_.resize(m.inputs.size() * kYearBatch);
    for (std::size_t i = 0; i < m.inputs.size(); ++i) {
      const YearInput& in = m.inputs[i];
      double* v = values_.data() + i * kYearBatch;
      if (in.dist.kind == DistKind::constant) {
        std::fill_n(v, n, in.dist.p[0]);
        continue;
      }
      const Distribution& d = in.dist;
      philox_blocks_over_trials(m.seed, first_trial, n, kYearLevel, in.slot, 0, w_[0], w_[1], w_[2], w_[3]);
      if (d.kind == DistKind::triangular) {
        triangular_from_words(d.p[0], d.p[1], d.p[2], w_[0], w_[1], n, v);
      } else if (batched_beta(d)) {  // block 1 too; the draws the batch leaves come from sample()
        philox_blocks_over_trials(m.seed, first_trial, n, kYearLevel, in.slot, 1, w_[4], w_[5], w_[6], w_[7]);
        const std::uint32_t* const b0[4] = {w_[0], w_[1], w_[2], w_[3]};
        const std::uint32_t* const b1[4] = {w_[4], w_[5], w_[6], w_[7]};
        const std::size_t nf = d.kind == DistKind::pert
                                   ? pert_from_words(d.p[0], d.p[1], d.p[2], d.p[3], b0, b1, n, v, fallback_)
                                   : beta_from_words(d.p[0], d.p[1], b0, b1, n, v, fallback_);
        for (std::size_t f = 0; f < nf; ++f) v[fallback_[f]] = sample_one(m, in, first_trial, fallback_[f]);
      } else {
        for (std::size_t t = 0; t < n; ++t) v[t] = sample_one(m, in, first_trial, t);
      }
    }
  }
  //! Trial t's draw of an input by sample(), from a DrawStream that starts at the batched block 0.
  double sample_one(const Model& m, const YearInput& in, std::uint64_t first_trial, std::size_t t) const {
    DrawStream stream(m.seed, DrawAddress{first_trial + t, kYearLevel, in.slot}, w_[0][t], w_[1][t], w_[2][t],
                      w_[3][t]);
    return sample(in.dist, stream);
  }
  //! The independent draws of the t-th trial of the batch.
  void copy(std::size_t t, std::span<double> out) const {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = values_[i * kYearBatch + t];
  }
  //! The t-th trial's opportunity count (draw_opportunity_count's).
  std::uint64_t opportunities(std::size_t t) const { return counts_[t]; }

 private:
  //! The trials' opportunity counts: a count that is one draw starts from block 0 computed for the
  //! trials side by side, as the year-level inputs do.
  void draw_counts(const Model& m, std::uint64_t first_trial, std::size_t n) {
    const std::optional<Distribution> one = count_as_one_draw(m);
    if (!one) {
      for (std::size_t t = 0; t < n; ++t) counts_[t] = draw_opportunity_count(m, first_trial + t);
      return;
    }
    const std::uint32_t slot = m.opportunities.slot;
    philox_blocks_over_trials(m.seed, first_trial, n, kYearLevel, slot, 0, w_[0], w_[1], w_[2], w_[3]);
    for (std::size_t t = 0; t < n; ++t) {
      DrawStream stream(m.seed, DrawAddress{first_trial + t, kYearLevel, slot}, w_[0][t], w_[1][t], w_[2][t],
                        w_[3][t]);
      counts_[t] = to_count(sample(*one, stream));
    }
  }

  std::uint64_t counts_[kYearBatch];    //!< each trial's opportunity count
  std::vector<double> values_;          //!< [input * kYearBatch + t]
  std::uint32_t w_[8][kYearBatch];      //!< blocks 0 and 1 of the input being drawn
  std::uint32_t fallback_[kYearBatch];  //!< trials the batched beta/PERT leaves to sample()
};

}  // namespace detail

void draw_year(const Model& m, const Scenario& scenario, std::uint64_t trial, std::span<double> out) {
  SIM_CHECK(out.size() == m.inputs.size(),
            << "year values " << out.size() << " vs inputs " << m.inputs.size());
  for (std::size_t i = 0; i < m.inputs.size(); ++i) {
    const YearInput& in = m.inputs[i];
    if (in.dist.kind == DistKind::constant) {
      out[i] = in.dist.p[0];
    } else {
      DrawStream stream(m.seed, DrawAddress{trial, kYearLevel, in.slot});
      out[i] = sample(in.dist, stream);
    }
  }
  detail::finish_year(m, scenario, trial, out);
}

double intervention_cost(const Model& m, const Scenario& scenario, std::span<const double> year) {
  double cost = 0.0;
  const double reps = static_cast<double>(m.reps);
  for (std::size_t k : scenario.interventions) {
    const Intervention& iv = m.interventions[k];
    cost += iv.cost + iv.cost_per_rep * reps + iv.hours_per_rep * reps * year[m.hourly_cost];
  }
  return cost;
}

namespace detail {

//! x if c, else +0.0, by masking its bits: no branch for a coin-flip condition (the compiler turns a
//! ternary into a jump).
inline double keep_if(bool c, double x) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) & (std::uint64_t{0} - std::uint64_t{c}));
}

//! The sum of x[0..n) in a fixed order that does not wait on each addition: eight running sums
//! (x[j] goes to sum j mod 8), then added in a fixed tree. The same bits on every CPU (the order is
//! written out; no -ffast-math), and faster than one running sum, whose additions each wait for the
//! previous one.
inline double chunk_sum(const double* x, std::size_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (std::size_t l = 0; l < 8; ++l) acc[l] += x[j + l];
  for (std::size_t l = 0; j < n; ++j, ++l) acc[l] += x[j];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

//! Block 0 of one random quantity (one slot) for a list of a chunk's opportunities, computed side by
//! side by philox_blocks. Entries are in ascending opportunity order.
struct WordBatch {
  std::uint32_t slot = 0;
  std::size_t size = 0;
  std::uint32_t opportunity[kChunk + kSlack];  //!< room past the end for whole-vector stores (lists.hpp)
  std::uint32_t flags[kChunk + kSlack];        //!< the listed opportunities' flags, when the list keeps them
  std::uint32_t words[4 * kChunk];             //!< word j of entry e at [j * kChunk + e]

  void compute(std::uint64_t seed, std::uint64_t trial) { compute(seed, trial, 0, words); }
  //! Block `block` of the listed entries into out (word j of entry e at [j * kChunk + e]).
  void compute(std::uint64_t seed, std::uint64_t trial, std::uint32_t block, std::uint32_t* out) const {
    if (size == 0) return;
    philox_blocks(seed, trial, slot, block, std::span<const std::uint32_t>(opportunity, size), out,
                  out + kChunk, out + 2 * kChunk, out + 3 * kChunk);
  }
  const std::uint32_t* word(int j) const { return words + static_cast<std::size_t>(j) * kChunk; }
};

//! One amount (model.hpp, Amount) for a list of a chunk's opportunities: its draws, with the
//! scenario's change applied, in list order. A constant amount draws nothing: every entry reads the
//! same value. Lognormal, triangular, and beta and PERT with shapes >= 1 are sampled for the whole
//! list at once (sample_batch.hpp); other distributions, and the beta and PERT draws the batch leaves,
//! from a DrawStream that starts at the batched block 0.
struct AmountBatch {
  const Amount* amount = nullptr;
  const Distribution* dist = nullptr;  //!< the amount's, or this trial's (uncertain parameters)
  bool random = false;
  double constant = 0.0;   //!< the value of a constant amount, changed by the scenario
  FlagTest selected;       //!< the opportunities select() listed
  std::uint32_t base = 0;  //!< the chunk's first opportunity (select())
  WordBatch draws;
  double values[kChunk + kSlack];  //!< readable past the end (expand_values)

  //! Sets the amount for one trial (d: its distribution this trial) and empties the list.
  void prepare(const Amount& a, const Distribution& d, std::span<const double> year) {
    amount = &a;
    dist = &d;
    random = d.kind != DistKind::constant;
    draws.slot = a.slot;
    draws.size = 0;
    constant = d.kind == DistKind::constant ? d.p[0] : 0.0;
    if (a.adjustable()) constant = adjust(a, constant, year);
  }
  //! Lists the chunk's opportunities that pass `test` (none for a constant amount); expand() uses
  //! the same test.
  void select(const std::uint8_t* flags, std::size_t n, FlagTest test, std::uint32_t first) {
    selected = test;
    base = first;
    draws.size = random ? select_opportunities(flags, n, test, first, draws.opportunity, nullptr) : 0;
  }
  //! Draws the listed entries.
  void compute(std::uint64_t seed, std::uint64_t trial, std::span<const double> year) {
    const std::size_t n = draws.size;
    if (n == 0) return;
    draws.compute(seed, trial);
    const Distribution& d = *dist;
    if (d.kind == DistKind::lognormal) {
      lognormal_from_words(d.p[0], d.p[1], draws.word(0), draws.word(1), n, values);
    } else if (d.kind == DistKind::triangular) {
      triangular_from_words(d.p[0], d.p[1], d.p[2], draws.word(0), draws.word(1), n, values);
    } else if (batched_beta(d) && n >= kMinBetaBatch) {
      // Block 1 too (the second gamma's first try); the draws that need more come from sample().
      std::uint32_t block1[4 * kChunk];
      draws.compute(seed, trial, 1, block1);
      const std::uint32_t* const b0[4] = {draws.word(0), draws.word(1), draws.word(2), draws.word(3)};
      const std::uint32_t* const b1[4] = {block1, block1 + kChunk, block1 + 2 * kChunk, block1 + 3 * kChunk};
      std::uint32_t fallback[kChunk];
      const std::size_t nf =
          d.kind == DistKind::pert
              ? pert_from_words(d.p[0], d.p[1], d.p[2], d.p[3], b0, b1, n, values, fallback)
              : beta_from_words(d.p[0], d.p[1], b0, b1, n, values, fallback);
      for (std::size_t f = 0; f < nf; ++f) values[fallback[f]] = sample_one(seed, trial, fallback[f]);
    } else {
      for (std::size_t e = 0; e < n; ++e) values[e] = sample_one(seed, trial, e);
    }
    if (amount->adjustable())
      for (std::size_t e = 0; e < n; ++e) values[e] = adjust(*amount, values[e], year);
  }
  //! Entry e's draw by sample(), from a DrawStream that starts at the batched block 0.
  double sample_one(std::uint64_t seed, std::uint64_t trial, std::size_t e) const {
    DrawStream stream(seed, DrawAddress{trial, draws.opportunity[e], draws.slot}, draws.word(0)[e],
                      draws.word(1)[e], draws.word(2)[e], draws.word(3)[e]);
    return sample(*dist, stream);
  }
  //! Beta and PERT (batched_beta) are batched in lists of kMinBetaBatch entries or more: for one or
  //! two, the vector pass and block 1's Philox cost as much as sample() (measured: 156 vs 108 ns for
  //! one entry, 179 vs 171 ns for two).
  static constexpr std::size_t kMinBetaBatch = 3;
  //! Multiplies every value by x (the constant too).
  void scale(double x) {
    constant *= x;
    for (std::size_t e = 0; e < draws.size; ++e) values[e] *= x;
  }
  //! out[e] = the next value for each of the chunk's opportunities that select() listed (the list's
  //! order), +0.0 for the others.
  void expand(const std::uint8_t* flags, std::size_t n, double* out) const {
    if (random) {
      expand_values(draws.opportunity, draws.size, base, values, n, out);
    } else {
      for (std::size_t e = 0; e < n; ++e) out[e] = keep_if(passes(flags[e], selected), constant);
    }
  }
  //! The value of entry e of the list (any e for a constant amount).
  double operator[](std::size_t e) const { return random ? values[e] : constant; }

  //! An amount's draw as a scenario's interventions change it (model.hpp, Amount): x scale + shift,
  //! clamped to the amount's range.
  static double adjust(const Amount& a, double x, std::span<const double> year) {
    return std::clamp(x * year[a.scale] + year[a.shift], a.lower, a.upper);
  }
};

//! A mistake's applies_to as a flag test (lists.hpp).
inline FlagTest applies_test(AppliesTo a) {
  switch (a) {
    case AppliesTo::all:
      return {0, 0};
    case AppliesTo::good_fit:
      return {kFit, kFit};
    case AppliesTo::poor_fit:
      return {kFit, 0};
    case AppliesTo::pilot:
      return {kPilot, kPilot};
    case AppliesTo::repeat:
      return {kRepeat, kRepeat};
  }
  return {0, 1};  // never
}

}  // namespace detail

struct TrialScratch::Impl {
  // The chunk's opportunities: flags, and each deal's value (0 unless it would close), value still
  // to be earned after discounts, value kept by a recovery, revenue as it happened, and hours spent
  // on it if a poor fit.
  std::uint8_t flags[detail::kChunk + detail::kSlack];
  double value[detail::kChunk], remaining[detail::kChunk], kept[detail::kChunk], revenue[detail::kChunk],
      nonbuyer[detail::kChunk];

  detail::WordBatch pipeline, events;
  detail::AmountBatch deal_size, qualify_hours, customer_value;
  detail::AmountBatch wasted_hours, direct_cost, discount, recovery_hours, recovery_saved;
  std::uint32_t occurrence[detail::kChunk + detail::kSlack];  //!< chunk index of each occurrence
  std::uint32_t what[detail::kChunk + detail::kSlack];        //!< what happens there (lists.hpp)
  std::vector<Distribution> trial_dists;                      //!< this trial's Model::trial_distributions
  std::vector<DistParameter> trial_numbers;                   //!< their numbers in this trial (in_year)

  //! The distribution an amount's draws come from this trial.
  const Distribution& dist(const Amount& a) const {
    return a.per_trial == kFixedDistribution ? a.dist : trial_dists[a.per_trial];
  }
};

TrialScratch::TrialScratch() : impl_(std::make_unique<Impl>()) {}
TrialScratch::~TrialScratch() = default;
TrialScratch::TrialScratch(TrialScratch&&) noexcept = default;
TrialScratch& TrialScratch::operator=(TrialScratch&&) noexcept = default;

// The opportunities are played in chunks of kChunk, and a chunk mistake by mistake, in the order
// docs/model.md visits them; each deal's state (alive, remaining value, kept, churned) lives in the
// chunk's arrays between mistakes. For a chunk:
//   1. the pipeline words of every opportunity (fit, repeat, pilot, close), the deal sizes of the
//      deals that would close and the qualify hours of poor fits;
//   2. for each mistake: the event words (occur, noticed, lose, churn) of the opportunities it
//      visits (it applies, and no earlier mistake lost the deal); the occurrences and what happens
//      at each, and the lists of amounts they need, without branches (lists.hpp); each amount list
//      drawn at once; then the occurrences are played in opportunity order, each one's cost added
//      to the mistake's tally;
//   3. the opportunities' outcomes summed in opportunity order.
// Every draw is the one at its address (seed, trial, opportunity, slot), so the order of this
// computation changes no draw; the sums are taken in a fixed order, so results do not depend on
// threads. Only the draws that are used are computed.
TrialOutcome simulate_trial(const Model& m, std::span<const double> year, std::uint64_t trial,
                            std::span<MistakeTally> per_mistake, TrialScratch& scratch) {
  return simulate_trial(m, year, trial, detail::draw_opportunity_count(m, trial), per_mistake, scratch);
}

namespace detail {

//! simulate_trial's year. kTallies: also tally each mistake's hours and churned customer value
//! (MistakeTally::hours_known...; capacity and repeat_value need them), which a plain year skips.
template <bool kTallies>
TrialOutcome play_year(const Model& m, std::span<const double> year, std::uint64_t trial, std::uint64_t n,
                       std::span<MistakeTally> per_mistake, TrialScratch::Impl& s) {
  const std::uint64_t seed = m.seed;

  // Year-level figures, hoisted out of the opportunity loop.
  const std::uint64_t t_fit = bernoulli_threshold(year[m.good_fit]);
  const std::uint64_t t_repeat = bernoulli_threshold(year[m.repeat_customer]);
  const std::uint64_t t_pilot = bernoulli_threshold(year[m.pilot_rate]);
  const std::uint64_t t_close = bernoulli_threshold(year[m.close_rate]);
  // An hour valued at what it would have produced is charged after the year (horizon.cpp).
  const bool wage = m.time_value == TimeValue::wage;
  const double hourly_cost = wage ? year[m.hourly_cost] : 0.0;
  [[maybe_unused]] const bool churn_lump =
      !m.repeat_value_per_year;  // repeat_value: lost in the later years instead
  const double value_factor = m.value == ValueBasis::margin ? year[m.margin] : 1.0;
  s.pipeline.slot = m.opportunity_slot;
  // Amounts with uncertain parameters: their distributions in this year (model.hpp, TrialDistribution).
  s.trial_dists.resize(m.trial_distributions.size());
  for (std::size_t i = 0; i < m.trial_distributions.size(); ++i)
    s.trial_dists[i] = in_year(m.trial_distributions[i], year, s.trial_numbers);

  TrialOutcome out;
  SIM_CHECK(n < kYearLevel - 1u - m.reps, << "opportunity count " << n << " collides with reserved indices");
  out.opportunities = static_cast<std::uint32_t>(n);

  for (std::uint64_t chunk_begin = 0; chunk_begin < n; chunk_begin += kChunk) {
    const auto i0 = static_cast<std::uint32_t>(chunk_begin);
    const auto size = static_cast<std::uint32_t>(std::min<std::uint64_t>(n - chunk_begin, kChunk));

    // 1. What each opportunity is; deal sizes of deals that would close; qualify hours of poor fits.
    // Rates of 0 or 1 make every opportunity's flags the same: no pipeline word is computed.
    const PipelineRule pipeline_rule{t_fit, t_repeat, t_pilot, t_close};
    if (word_free(pipeline_rule)) {
      std::fill_n(s.flags, size, word_free_flags(pipeline_rule));
    } else {
      s.pipeline.size = size;
      for (std::uint32_t e = 0; e < size; ++e) s.pipeline.opportunity[e] = i0 + e;
      s.pipeline.compute(seed, trial);
      pipeline_flags(s.pipeline.word(0), s.pipeline.word(1), s.pipeline.word(2), s.pipeline.word(3), size,
                     pipeline_rule, s.flags);
    }
    s.deal_size.prepare(m.deal_size, s.dist(m.deal_size), year);
    s.qualify_hours.prepare(m.qualify_hours, s.dist(m.qualify_hours), year);
    s.deal_size.select(s.flags, size, {kCloses, kCloses}, i0);
    s.qualify_hours.select(s.flags, size, {kFit, 0}, i0);
    s.deal_size.compute(seed, trial, year);
    s.qualify_hours.compute(seed, trial, year);
    s.deal_size.scale(value_factor);
    s.deal_size.expand(s.flags, size, s.value);
    s.qualify_hours.expand(s.flags, size, s.nonbuyer);
    std::copy_n(s.value, size, s.remaining);
    std::fill_n(s.kept, size, 0.0);

    // 2. Mistake by mistake.
    for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
      const Mistake& mk = m.mistakes[k];
      // Visited: it applies and no earlier mistake lost the deal (a lost deal would close and is not alive).
      FlagTest visits = applies_test(mk.applies_to);
      visits.mask2 = kCloses | kAlive;
      visits.want2 = kCloses;
      s.events.slot = mk.event_slot;
      s.events.size = select_opportunities(s.flags, size, visits, i0, s.events.opportunity, s.events.flags);
      if (s.events.size == 0) continue;
      const EventRule rule{bernoulli_threshold(year[mk.probability]), bernoulli_threshold(year[mk.noticed]),
                           bernoulli_threshold(year[mk.lose]), bernoulli_threshold(year[mk.churn]),
                           mk.has_recovery};
      // Rates of 0 or 1 decide without the event words (decide_occurrences reads the words of an
      // earlier mistake or chunk, or the scratch's zeros: any words give the same lists).
      if (!word_free(rule)) s.events.compute(seed, trial);
      AmountBatch* const amounts[kAmountLists] = {&s.wasted_hours,   &s.direct_cost,    &s.discount,
                                                  &s.recovery_hours, &s.recovery_saved, &s.customer_value};
      s.wasted_hours.prepare(mk.wasted_hours, s.dist(mk.wasted_hours), year);
      s.direct_cost.prepare(mk.direct_cost, s.dist(mk.direct_cost), year);
      s.discount.prepare(mk.discount, s.dist(mk.discount), year);
      s.recovery_hours.prepare(mk.recovery_hours, s.dist(mk.recovery_hours), year);
      s.recovery_saved.prepare(mk.recovery_saved, s.dist(mk.recovery_saved), year);
      s.customer_value.prepare(m.customer_value, s.dist(m.customer_value), year);
      OccurrenceLists lists;
      lists.e = s.occurrence;
      lists.what = s.what;
      for (std::size_t l = 0; l < kAmountLists; ++l) {
        lists.list[l] = amounts[l]->draws.opportunity;
        lists.size[l] = &amounts[l]->draws.size;
        lists.take[l] = amounts[l]->random;
      }
      const std::size_t n_occ =
          decide_occurrences(s.events.opportunity, s.events.flags, s.events.word(0), s.events.word(1),
                             s.events.word(2), s.events.word(3), s.events.size, i0, rule, lists);
      for (AmountBatch* b : amounts) b->compute(seed, trial, year);

      // The occurrences, in opportunity order (docs/model.md, step 4). The tally is kept in locals
      // (the compiler cannot keep a reference's fields in registers across the stores below).
      const double recovery_hourly_cost = mk.has_recovery && wage ? year[mk.recovery_hourly_cost] : 0.0;
      double known = per_mistake[k].known, unknown = per_mistake[k].unknown;
      [[maybe_unused]] double hours_known = per_mistake[k].hours_known,
                              hours_unknown = per_mistake[k].hours_unknown;
      std::uint32_t deals_lost = 0;
      MistakeTally& funnel = per_mistake[k];  // the funnel's fields: written on losses only (rare)
      std::size_t d = 0, r = 0, c = 0;        // entries of the discount, recovery and customer-value lists
      for (std::size_t o = 0; o < n_occ; ++o) {
        const std::uint32_t e = s.occurrence[o];
        const std::uint32_t what = s.what[o];
        std::uint8_t& f = s.flags[e];
        const double hours = s.wasted_hours[o];
        double cost = hours * hourly_cost + s.direct_cost[o];
        [[maybe_unused]] double hours_lost = hours;
        const bool noticed = (what & kNoticed) != 0;  // a coin flip: added without a branch (+0 to the other)
        s.nonbuyer[e] += keep_if(!(f & kFit), hours);
        if (what & kLoses) {
          f &= static_cast<std::uint8_t>(~kAlive);
          deals_lost += 1;
          const double remaining = s.remaining[e];
          if (what & kRecovers) {
            cost += s.recovery_hours[r] * recovery_hourly_cost;
            if constexpr (kTallies) hours_lost += s.recovery_hours[r];
            const double saved = std::clamp(s.recovery_saved[r], 0.0, 1.0);
            ++r;
            const double kept = saved * remaining;
            s.kept[e] = kept;
            cost += remaining - kept;
            // The funnel: recovered when something was kept (as wins counts it), else lost outright.
            if (kept > 0.0) {
              funnel.value_recovered += s.value[e];
              funnel.value_kept += kept;
            } else {
              funnel.lost_outright += 1;
              funnel.value_lost += s.value[e];
            }
          } else {
            cost += remaining;
            funnel.lost_outright += 1;
            funnel.value_lost += s.value[e];
          }
        } else if (what & kDiscounted) {
          const double discount = std::min(s.discount[d++] * s.value[e], s.remaining[e]);
          if (discount > 0.0) {
            s.remaining[e] -= discount;
            cost += discount;
          }
        }
        if (what & kChurns) {
          f |= kChurned;
          const double churned = s.customer_value[c++];
          if constexpr (kTallies) {
            cost += keep_if(churn_lump, churned);
            (noticed ? per_mistake[k].churned_known : per_mistake[k].churned_unknown) += churned;
          } else {
            cost += churned;
          }
        }
        known += keep_if(noticed, cost);
        unknown += keep_if(!noticed, cost);
        if constexpr (kTallies) {
          hours_known += keep_if(noticed, hours_lost);
          hours_unknown += keep_if(!noticed, hours_lost);
        }
      }
      per_mistake[k].known = known;
      per_mistake[k].unknown = unknown;
      if constexpr (kTallies) {
        per_mistake[k].hours_known = hours_known;
        per_mistake[k].hours_unknown = hours_unknown;
      }
      per_mistake[k].occurrences += static_cast<std::uint32_t>(n_occ);
      per_mistake[k].deals_lost += deals_lost;
    }

    // 3. The opportunities' outcomes: counts, and the chunk's sums of values, revenue as it
    //    happened (what remains if alive, what a recovery kept otherwise) and hours with non-buyers.
    std::uint32_t good_fits = 0, closes_n = 0, wins = 0, should_have_bought = 0;
    for (std::uint32_t e = 0; e < size; ++e) {
      const std::uint8_t f = s.flags[e];
      const bool fit = (f & kFit) != 0, closes = (f & kCloses) != 0, alive = (f & kAlive) != 0;
      const bool kept = s.kept[e] > 0.0;
      good_fits += fit;
      closes_n += closes;
      wins += alive | (closes & kept);
      should_have_bought += closes & !alive & !kept;
      s.revenue[e] = keep_if(alive, s.remaining[e]) + keep_if(!alive, s.kept[e]);  // one of them is +0
    }
    out.good_fits += good_fits;
    out.wins_done_right += closes_n;
    out.wins += wins;
    out.should_have_bought += should_have_bought;
    out.revenue_done_right += chunk_sum(s.value, size);
    out.revenue += chunk_sum(s.revenue, size);
    out.nonbuyer_hours += chunk_sum(s.nonbuyer, size);
  }
  for (const MistakeTally& t : per_mistake) {  // in mistake order: deterministic
    out.cost_known += t.known;
    out.cost_unknown += t.unknown;
  }
  return out;
}

}  // namespace detail

TrialOutcome simulate_trial(const Model& m, std::span<const double> year, std::uint64_t trial,
                            std::uint64_t n, std::span<MistakeTally> per_mistake, TrialScratch& scratch) {
  SIM_CHECK(per_mistake.size() == m.mistakes.size(), << per_mistake.size() << " vs " << m.mistakes.size());
  std::fill(per_mistake.begin(), per_mistake.end(), MistakeTally{});
  if (m.capacity || m.repeat_value_per_year)
    return detail::play_year<true>(m, year, trial, n, per_mistake, *scratch.impl_);
  return detail::play_year<false>(m, year, trial, n, per_mistake, *scratch.impl_);
}

TrialResults run_trials(const Model& m, const Scenario& scenario, const RunOptions& options) {
  if (options.executor) {  // e.g. MPI ranks: each runs its share through here with no executor
    RunOptions share = options;
    share.executor = nullptr;
    return options.executor->run_trials(m, scenario, share);
  }
  TrialResults r;
  r.first_trial = options.first_trial;
  r.count = options.trials != 0 ? options.trials : m.trials;
  r.mistake_count = m.mistakes.size();
  r.recorded_inputs = m.uncertain_inputs();
  // Inputs changed by the scenario are recorded too: their per-trial value is what an analyst asks about.
  for (std::size_t k : scenario.interventions)
    for (const Effect& e : m.interventions[k].effects)
      if (std::find(r.recorded_inputs.begin(), r.recorded_inputs.end(), e.target) ==
              r.recorded_inputs.end() &&
          e.amount.dist.kind != DistKind::constant)
        r.recorded_inputs.push_back(e.target);
  for (const auto& [id, value] : scenario.pinned) std::erase(r.recorded_inputs, id);
  std::sort(r.recorded_inputs.begin(), r.recorded_inputs.end());
  if (!options.record_inputs) r.recorded_inputs.clear();

  const std::size_t n = r.count;
  const std::size_t nm = r.mistake_count;
  const std::size_t ni = r.recorded_inputs.size();
  TrialResults::for_each_column([&](auto column) { (r.*column).assign(n, 0); });
  // No interventions, no cost: the column stays empty (TrialResults::intervention_cost_at).
  if (!scenario.interventions.empty()) r.intervention_cost.assign(n, 0.0);
  r.mistake_costs.assign(nm * n, 0.0);
  r.mistake_totals.assign(nm, MistakeTotals{});
  r.input_values.assign(ni * n, 0.0);
  r.extra_count = ExtraColumns::of(m).count();
  r.extras.assign(r.extra_count * n, 0.0);
  const bool one_plain_year = m.years == 1 && !m.capacity;  // else each trial is played by a HorizonPlayer

  const std::size_t block = std::max<std::uint64_t>(1, options.block_size);
  const std::size_t n_blocks = (n + block - 1) / block;
  std::mutex totals_mutex;  // guards r.mistake_totals; exact sums: the order blocks add in is immaterial
  auto run_block = [&](std::size_t b) {
    std::vector<double> year(m.inputs.size());
    std::vector<MistakeTally> tally(nm);
    std::vector<MistakeTotals> totals(nm);
    TrialScratch scratch;
    auto year_draws = std::make_unique<detail::YearDraws>();
    std::optional<detail::HorizonPlayer> horizon;
    std::vector<double> raw, extra_row(r.extra_count);
    if (!one_plain_year) horizon.emplace(m, scenario);
    const std::size_t end = std::min(n, (b + 1) * block);
    for (std::size_t t = b * block; t < end; ++t) {
      const std::uint64_t trial = r.first_trial + t;
      const std::size_t in_batch =
          (t - b * block) % detail::kYearBatch;  // draw_year, a batch of trials at a time
      if (in_batch == 0) year_draws->draw(m, trial, std::min(detail::kYearBatch, end - t));
      year_draws->copy(in_batch, year);
      if (horizon && horizon->needs_raw()) raw = year;
      detail::finish_year(m, scenario, trial, year);
      const TrialOutcome o =
          horizon ? horizon->play(trial, raw, year, year_draws->opportunities(in_batch), tally, scratch,
                                  extra_row)
                  : simulate_trial(m, year, trial, year_draws->opportunities(in_batch), tally, scratch);
      for (std::size_t c = 0; c < r.extra_count; ++c) r.extras[c * n + t] = extra_row[c];
      r.cost_known[t] = o.cost_known;
      r.cost_unknown[t] = o.cost_unknown;
      r.cost_total[t] = o.cost_total();
      if (!r.intervention_cost.empty()) r.intervention_cost[t] = intervention_cost(m, scenario, year);
      r.opportunities[t] = o.opportunities;
      r.good_fits[t] = o.good_fits;
      r.wins_done_right[t] = o.wins_done_right;
      r.wins[t] = o.wins;
      r.should_have_bought[t] = o.should_have_bought;
      r.revenue_done_right[t] = o.revenue_done_right;
      r.revenue[t] = o.revenue;
      r.nonbuyer_hours[t] = o.nonbuyer_hours;
      for (std::size_t k = 0; k < nm; ++k) {
        r.mistake_costs[k * n + t] = tally[k].known + tally[k].unknown;
        totals[k].add(tally[k]);
      }
      for (std::size_t j = 0; j < ni; ++j) r.input_values[j * n + t] = year[r.recorded_inputs[j]];
    }
    {
      const std::lock_guard<std::mutex> lock(totals_mutex);
      for (std::size_t k = 0; k < nm; ++k) r.mistake_totals[k].add(totals[k]);
    }
    if (options.progress) options.progress->fetch_add(end - b * block, std::memory_order_relaxed);
  };

  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    for (std::size_t b = 0; b < n_blocks; ++b) run_block(b);
  } else {
    // The run's own arena: its worker count is this run's, whatever else the process runs. More
    // threads than oneTBB allows the process (the cores, unless the caller raised the limit) would
    // only be refused with a warning; the results are the same bits on any count.
    const unsigned allowed = static_cast<unsigned>(std::max<std::size_t>(
        1, tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)));
    tbb::task_arena arena(static_cast<int>(std::min(threads, allowed)));
    parallel::execute(arena, [&] {
      parallel::for_each_index(std::size_t{0}, n_blocks, run_block, tbb::simple_partitioner{});
    });
  }
  return r;
}

}  // namespace mistakesim
