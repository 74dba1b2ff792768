// The engine: one trial is one simulated year (docs/model.md states the algorithm this file
// implements). Every random quantity is read at its address (seed, trial, opportunity, slot), so
// the two worlds of an opportunity - done right and as it happened - share their draws, and two
// scenarios (baseline and an intervention) share every draw that their difference does not touch.
//
// Per-trial thresholds are hoisted out of the opportunity loop: probabilities become 32-bit
// integer thresholds compared with Philox words, and constant amounts skip the generator. The
// Philox blocks themselves are computed a chunk of opportunities at a time, quantity by quantity,
// in vector lanes (philox_blocks); the opportunity loop only reads them. docs/performance.md
// measures what each step bought.

#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/random.hpp>

#include "model/sample_batch.hpp"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <thread>

namespace mistakesim {
namespace detail {

//! One draw of an amount at (trial, opportunity); a constant costs nothing.
inline double draw_amount(const Amount& a, std::uint64_t seed, std::uint64_t trial, std::uint32_t opportunity) {
  if (a.dist.kind == DistKind::constant) return a.dist.p[0];
  DrawStream stream(seed, DrawAddress{trial, opportunity, a.slot});
  return sample(a.dist, stream);
}

//! A count from a draw: rounded to the nearest whole number, negatives to zero.
inline std::uint64_t to_count(double x) {
  if (!(x > 0.0)) return 0;
  return static_cast<std::uint64_t>(std::llround(std::min(x, 4.0e9)));
}

//! The year's number of opportunities (docs/model.md, "Opportunity count").
std::uint64_t draw_opportunity_count(const Model& m, std::uint64_t trial) {
  const Distribution& d = m.opportunities.dist;
  if (!m.opportunities_per_rep) return to_count(draw_amount(m.opportunities, m.seed, trial, kYearLevel));
  const double reps = static_cast<double>(m.reps);
  switch (d.kind) {
    case DistKind::constant:  // each rep's count rounded, then summed (docs/model.md)
      return to_count(d.p[0]) * m.reps;
    case DistKind::poisson: {  // sum of r Poisson(m) is Poisson(r m)
      DrawStream stream(m.seed, DrawAddress{trial, kYearLevel, m.opportunities.slot});
      return to_count(sample(Distribution::poisson(d.p[0] * reps), stream));
    }
    case DistKind::negbinomial: {  // sum of r NB(m, k) is NB(r m, r k)
      DrawStream stream(m.seed, DrawAddress{trial, kYearLevel, m.opportunities.slot});
      return to_count(sample(Distribution::negbinomial(d.p[0] * reps, d.p[1] * reps), stream));
    }
    default: {
      std::uint64_t total = 0;
      for (std::uint32_t r = 0; r < m.reps; ++r) {
        DrawStream stream(m.seed, DrawAddress{trial, rep_level(r), m.opportunities.slot});
        total += to_count(sample(d, stream));
      }
      return total;
    }
  }
}

inline double clamp_to(const YearInput& in, double x) {
  if (std::isnan(x)) return in.lower;
  return std::clamp(x, in.lower, in.upper);
}

}  // namespace detail

void draw_year(const Model& m, const Scenario& scenario, std::uint64_t trial, std::span<double> out) {
  SIM_CHECK(out.size() == m.inputs.size(), << "year values " << out.size() << " vs inputs " << m.inputs.size());
  for (std::size_t i = 0; i < m.inputs.size(); ++i) {
    const YearInput& in = m.inputs[i];
    if (in.dist.kind == DistKind::constant) {
      out[i] = in.dist.p[0];
    } else {
      DrawStream stream(m.seed, DrawAddress{trial, kYearLevel, in.slot});
      out[i] = sample(in.dist, stream);
    }
  }
  apply_correlations(m, trial, out);
  for (const auto& [id, value] : scenario.pinned) out[id] = detail::clamp_to(m.inputs[id], value);
  for (std::size_t k : scenario.interventions) {
    const Intervention& iv = m.interventions[k];
    for (const Effect& e : iv.effects) {
      const double amount = detail::draw_amount(e.amount, m.seed, trial, kYearLevel);
      const double f = scenario.effect_fraction;
      double& x = out[e.target];
      switch (e.op) {
        case EffectOp::scale: x *= f == 1.0 ? amount : 1.0 + f * (amount - 1.0); break;
        case EffectOp::set: x = f == 1.0 ? amount : x + f * (amount - x); break;
        case EffectOp::add: x += f * amount; break;
      }
      x = detail::clamp_to(m.inputs[e.target], x);
    }
  }
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

inline constexpr std::size_t kChunk = 256;  //!< opportunities whose draws are computed together

//! Block 0 of one random quantity (one slot) for a list of a chunk's opportunities, computed side by
//! side by philox_blocks. Entries are in ascending opportunity order.
struct WordBatch {
  std::uint32_t slot = 0;
  std::size_t size = 0;
  std::uint32_t opportunity[kChunk + 1];     //!< capacity kChunk + 1: add_if may write one past the end
  std::uint32_t words[4 * kChunk];           //!< word j of entry e at [j * kChunk + e]

  void clear() { size = 0; }
  //! Adds i if `take`, without a branch.
  void add_if(std::uint32_t i, bool take) {
    opportunity[size] = i;
    size += take;
  }
  void compute(std::uint64_t seed, std::uint64_t trial) {
    if (size == 0) return;
    philox_blocks(seed, trial, slot, 0, std::span<const std::uint32_t>(opportunity, size), words, words + kChunk,
                  words + 2 * kChunk, words + 3 * kChunk);
  }
  std::uint32_t word(std::size_t e, int j) const { return words[static_cast<std::size_t>(j) * kChunk + e]; }
};

//! One amount (model.hpp, Amount) for a list of a chunk's opportunities: its draws, with the
//! scenario's change applied, in list order. A constant amount draws nothing: every entry reads the
//! same value. Lognormal and triangular amounts are sampled for the whole list at once
//! (sample_batch.hpp); other distributions from a DrawStream that starts at the batched block 0.
struct AmountBatch {
  const Amount* amount = nullptr;
  bool random = false;
  double constant = 0.0;  //!< the value of a constant amount, changed by the scenario
  WordBatch draws;
  double values[kChunk];

  //! Sets the amount for one trial.
  void prepare(const Amount& a, std::span<const double> year) {
    amount = &a;
    random = a.dist.kind != DistKind::constant;
    draws.slot = a.slot;
    constant = a.dist.kind == DistKind::constant ? a.dist.p[0] : 0.0;
    if (a.adjustable()) constant = adjust(a, constant, year);
  }
  void clear() { draws.clear(); }
  //! Lists opportunity i if `take` and the amount is random.
  void add_if(std::uint32_t i, bool take) { draws.add_if(i, take & random); }
  //! Draws the listed entries.
  void compute(std::uint64_t seed, std::uint64_t trial, std::span<const double> year) {
    const std::size_t n = draws.size;
    if (n == 0) return;
    draws.compute(seed, trial);
    const Distribution& d = amount->dist;
    const std::uint32_t* w = draws.words;
    if (d.kind == DistKind::lognormal) {
      lognormal_from_words(d.p[0], d.p[1], w, w + kChunk, n, values);
    } else if (d.kind == DistKind::triangular) {
      triangular_from_words(d.p[0], d.p[1], d.p[2], w, w + kChunk, n, values);
    } else {
      for (std::size_t e = 0; e < n; ++e) {
        DrawStream stream(seed, DrawAddress{trial, draws.opportunity[e], draws.slot}, draws.word(e, 0),
                          draws.word(e, 1), draws.word(e, 2), draws.word(e, 3));
        values[e] = sample(d, stream);
      }
    }
    if (amount->adjustable())
      for (std::size_t e = 0; e < n; ++e) values[e] = adjust(*amount, values[e], year);
  }
  //! The value of entry e of the list (any e for a constant amount).
  double operator[](std::size_t e) const { return random ? values[e] : constant; }

  //! An amount's draw as a scenario's interventions change it (model.hpp, Amount): x scale + shift,
  //! clamped to the amount's range.
  static double adjust(const Amount& a, double x, std::span<const double> year) {
    return std::clamp(x * year[a.scale] + year[a.shift], a.lower, a.upper);
  }
};

//! Per opportunity of a chunk: what it is and where its deal stands (bits of ChunkState::flags).
enum : std::uint8_t { kFit = 1, kRepeat = 2, kPilot = 4, kCloses = 8, kAlive = 16, kChurned = 32 };

//! An opportunity's applies_to test as a bit test: a mistake applies iff (flags & mask) == want.
struct ApplyTest {
  std::uint8_t mask, want;
  bool operator()(std::uint8_t flags) const { return (flags & mask) == want; }
};

inline ApplyTest apply_test(AppliesTo a) {
  switch (a) {
    case AppliesTo::all: return {0, 0};
    case AppliesTo::good_fit: return {kFit, kFit};
    case AppliesTo::poor_fit: return {kFit, 0};
    case AppliesTo::pilot: return {kPilot, kPilot};
    case AppliesTo::repeat: return {kRepeat, kRepeat};
  }
  return {0, 1};  // never
}

//! What happened at one occurrence of a mistake (bits of Occurrence::what).
enum : std::uint8_t { kNoticed = 1, kLoses = 2, kRecovers = 4, kDiscounted = 8, kChurns = 16 };

struct Occurrence {
  std::uint8_t e;     //!< opportunity's index in the chunk
  std::uint8_t what;  //!< kNoticed | kLoses | ...
};

}  // namespace detail

struct TrialScratch::Impl {
  // The chunk's opportunities: flags, and each deal's value (0 unless it would close), value still
  // to be earned after discounts, value kept by a recovery, and hours spent on it if a poor fit.
  std::uint8_t flags[detail::kChunk];
  double value[detail::kChunk], remaining[detail::kChunk], kept[detail::kChunk], nonbuyer[detail::kChunk];

  detail::WordBatch pipeline, events;
  detail::AmountBatch deal_size, qualify_hours, customer_value;
  detail::AmountBatch wasted_hours, direct_cost, discount, recovery_hours, recovery_saved;
  detail::Occurrence occurrences[detail::kChunk + 1];
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
//      at each, without branches; the amounts those need, each a list drawn at once; then the
//      occurrences are played in opportunity order, adding each one's cost to the mistake's tally;
//   3. the opportunities' outcomes summed in opportunity order.
// Every draw is the one at its address (seed, trial, opportunity, slot), so the order of this
// computation changes no draw; the sums are taken in a fixed order, so results do not depend on
// threads. Only the draws that are used are computed.
TrialOutcome simulate_trial(const Model& m, std::span<const double> year, std::uint64_t trial,
                            std::span<MistakeTally> per_mistake, TrialScratch& scratch) {
  using namespace detail;
  SIM_CHECK(per_mistake.size() == m.mistakes.size(), << per_mistake.size() << " vs " << m.mistakes.size());
  std::fill(per_mistake.begin(), per_mistake.end(), MistakeTally{});
  TrialScratch::Impl& s = *scratch.impl_;
  const std::uint64_t seed = m.seed;

  // Year-level figures, hoisted out of the opportunity loop.
  const std::uint64_t t_fit = bernoulli_threshold(year[m.good_fit]);
  const std::uint64_t t_repeat = bernoulli_threshold(year[m.repeat_customer]);
  const std::uint64_t t_pilot = bernoulli_threshold(year[m.pilot_rate]);
  const std::uint64_t t_close = bernoulli_threshold(year[m.close_rate]);
  const double hourly_cost = year[m.hourly_cost];
  const double value_factor = m.value == ValueBasis::margin ? year[m.margin] : 1.0;
  s.pipeline.slot = m.opportunity_slot;
  s.deal_size.prepare(m.deal_size, year);
  s.qualify_hours.prepare(m.qualify_hours, year);
  s.customer_value.prepare(m.customer_value, year);

  TrialOutcome out;
  const std::uint64_t n = draw_opportunity_count(m, trial);
  SIM_CHECK(n < kYearLevel - 1u - m.reps, << "opportunity count " << n << " collides with reserved indices");
  out.opportunities = static_cast<std::uint32_t>(n);

  for (std::uint64_t chunk_begin = 0; chunk_begin < n; chunk_begin += kChunk) {
    const auto i0 = static_cast<std::uint32_t>(chunk_begin);
    const auto size = static_cast<std::uint32_t>(std::min<std::uint64_t>(n - chunk_begin, kChunk));

    // 1. What each opportunity is; deal sizes of deals that would close; qualify hours of poor fits.
    s.pipeline.clear();
    for (std::uint32_t e = 0; e < size; ++e) s.pipeline.add_if(i0 + e, true);
    s.pipeline.compute(seed, trial);
    s.deal_size.clear();
    s.qualify_hours.clear();
    for (std::uint32_t e = 0; e < size; ++e) {
      const unsigned fit = bernoulli(s.pipeline.word(e, 0), t_fit);
      const unsigned repeat = bernoulli(s.pipeline.word(e, 1), t_repeat);
      const unsigned pilot = bernoulli(s.pipeline.word(e, 2), t_pilot);
      const unsigned closes = fit & static_cast<unsigned>(bernoulli(s.pipeline.word(e, 3), t_close));
      s.flags[e] = static_cast<std::uint8_t>(fit * kFit | repeat * kRepeat | pilot * kPilot | closes * (kCloses | kAlive));
      s.deal_size.add_if(i0 + e, closes);
      s.qualify_hours.add_if(i0 + e, !fit);
    }
    s.deal_size.compute(seed, trial, year);
    s.qualify_hours.compute(seed, trial, year);
    for (std::uint32_t e = 0, d = 0, q = 0; e < size; ++e) {
      const std::uint8_t f = s.flags[e];
      const double v = (f & kCloses) ? s.deal_size[d++] * value_factor : 0.0;
      s.value[e] = s.remaining[e] = v;
      s.kept[e] = 0.0;
      s.nonbuyer[e] = (f & kFit) ? 0.0 : s.qualify_hours[q++];
    }

    // 2. Mistake by mistake.
    for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
      const Mistake& mk = m.mistakes[k];
      const ApplyTest applies = apply_test(mk.applies_to);
      // Visited: it applies and no earlier mistake lost the deal (a lost deal would close and is not alive).
      s.events.slot = mk.event_slot;
      s.events.clear();
      for (std::uint32_t e = 0; e < size; ++e) {
        const std::uint8_t f = s.flags[e];
        s.events.add_if(i0 + e, applies(f) & ((f & (kCloses | kAlive)) != kCloses));
      }
      if (s.events.size == 0) continue;
      s.events.compute(seed, trial);

      const std::uint64_t t_occur = bernoulli_threshold(year[mk.probability]);
      const std::uint64_t t_noticed = bernoulli_threshold(year[mk.noticed]);
      const std::uint64_t t_lose = bernoulli_threshold(year[mk.lose]);
      const std::uint64_t t_churn = bernoulli_threshold(year[mk.churn]);
      s.wasted_hours.prepare(mk.wasted_hours, year);
      s.direct_cost.prepare(mk.direct_cost, year);
      s.discount.prepare(mk.discount, year);
      s.recovery_hours.prepare(mk.recovery_hours, year);
      s.recovery_saved.prepare(mk.recovery_saved, year);
      for (AmountBatch* b : {&s.wasted_hours, &s.direct_cost, &s.discount, &s.recovery_hours, &s.recovery_saved,
                             &s.customer_value})
        b->clear();

      // Occurrences and what happens at each; the lists of amounts they need. No branches: these
      // outcomes are coin flips. A churn needs the customer's value only once per opportunity.
      std::size_t n_occ = 0;
      for (std::size_t j = 0; j < s.events.size; ++j) {
        const std::uint32_t i = s.events.opportunity[j];
        const std::uint32_t e = i - i0;
        const std::uint8_t f = s.flags[e];
        const bool occurs = bernoulli(s.events.word(j, 0), t_occur);
        const bool noticed = bernoulli(s.events.word(j, 1), t_noticed);
        const bool alive = (f & kAlive) != 0;
        const bool loses = alive & bernoulli(s.events.word(j, 2), t_lose);
        const bool recovers = loses & noticed & mk.has_recovery;
        const bool discounted = alive & !loses;
        const bool churns = ((f & (kRepeat | kChurned)) == kRepeat) & bernoulli(s.events.word(j, 3), t_churn);
        s.occurrences[n_occ] = {static_cast<std::uint8_t>(e),
                                static_cast<std::uint8_t>(noticed * kNoticed | loses * kLoses | recovers * kRecovers |
                                                          discounted * kDiscounted | churns * kChurns)};
        n_occ += occurs;
        s.wasted_hours.add_if(i, occurs);
        s.direct_cost.add_if(i, occurs);
        s.discount.add_if(i, occurs & discounted);
        s.recovery_hours.add_if(i, occurs & recovers);
        s.recovery_saved.add_if(i, occurs & recovers);
        s.customer_value.add_if(i, occurs & churns);
      }
      for (AmountBatch* b : {&s.wasted_hours, &s.direct_cost, &s.discount, &s.recovery_hours, &s.recovery_saved,
                             &s.customer_value})
        b->compute(seed, trial, year);

      // The occurrences, in opportunity order (docs/model.md, step 4).
      MistakeTally& tally = per_mistake[k];
      const double recovery_hourly_cost = mk.has_recovery ? year[mk.recovery_hourly_cost] : 0.0;
      std::size_t d = 0, r = 0, c = 0;  // entries of the discount, recovery and customer-value lists
      for (std::size_t o = 0; o < n_occ; ++o) {
        const std::uint32_t e = s.occurrences[o].e;
        const std::uint8_t what = s.occurrences[o].what;
        std::uint8_t& f = s.flags[e];
        const double hours = s.wasted_hours[o];
        double cost = hours * hourly_cost + s.direct_cost[o];
        if (!(f & kFit)) s.nonbuyer[e] += hours;
        if (what & kLoses) {
          f &= static_cast<std::uint8_t>(~kAlive);
          tally.deals_lost += 1;
          const double remaining = s.remaining[e];
          if (what & kRecovers) {
            cost += s.recovery_hours[r] * recovery_hourly_cost;
            const double saved = std::clamp(s.recovery_saved[r], 0.0, 1.0);
            ++r;
            const double kept = saved * remaining;
            s.kept[e] = kept;
            cost += remaining - kept;
          } else {
            cost += remaining;
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
          cost += s.customer_value[c++];
        }
        tally.occurrences += 1;
        if (what & kNoticed) {
          tally.known += cost;
        } else {
          tally.unknown += cost;
        }
      }
    }

    // 3. The opportunities' outcomes, in opportunity order.
    for (std::uint32_t e = 0; e < size; ++e) {
      const std::uint8_t f = s.flags[e];
      out.good_fits += (f & kFit) != 0;
      if (!(f & kFit)) out.nonbuyer_hours += s.nonbuyer[e];
      if (!(f & kCloses)) continue;
      out.wins_done_right += 1;
      out.revenue_done_right += s.value[e];
      if (f & kAlive) {
        out.wins += 1;
        out.revenue += s.remaining[e];
      } else if (s.kept[e] > 0.0) {
        out.wins += 1;
        out.revenue += s.kept[e];
      } else {
        out.should_have_bought += 1;
      }
    }
  }
  for (const MistakeTally& t : per_mistake) {  // in mistake order: deterministic
    out.cost_known += t.known;
    out.cost_unknown += t.unknown;
  }
  return out;
}

TrialResults run_trials(const Model& m, const Scenario& scenario, const RunOptions& options) {
  TrialResults r;
  r.first_trial = options.first_trial;
  r.count = options.trials != 0 ? options.trials : m.trials;
  r.mistake_count = m.mistakes.size();
  r.recorded_inputs = m.uncertain_inputs();
  // Inputs changed by the scenario are recorded too: their per-trial value is what an analyst asks about.
  for (std::size_t k : scenario.interventions)
    for (const Effect& e : m.interventions[k].effects)
      if (std::find(r.recorded_inputs.begin(), r.recorded_inputs.end(), e.target) == r.recorded_inputs.end() &&
          e.amount.dist.kind != DistKind::constant)
        r.recorded_inputs.push_back(e.target);
  for (const auto& [id, value] : scenario.pinned) std::erase(r.recorded_inputs, id);
  std::sort(r.recorded_inputs.begin(), r.recorded_inputs.end());
  if (!options.record_inputs) r.recorded_inputs.clear();

  const std::size_t n = r.count;
  const std::size_t nm = r.mistake_count;
  const std::size_t ni = r.recorded_inputs.size();
  for (auto* col : {&r.cost_total, &r.cost_known, &r.cost_unknown, &r.intervention_cost, &r.revenue_done_right,
                    &r.revenue, &r.nonbuyer_hours})
    col->assign(n, 0.0);
  for (auto* col : {&r.opportunities, &r.good_fits, &r.wins_done_right, &r.wins, &r.should_have_bought})
    col->assign(n, 0u);
  r.mistake_known.assign(nm * n, 0.0);
  r.mistake_unknown.assign(nm * n, 0.0);
  r.mistake_occurrences.assign(nm * n, 0u);
  r.mistake_deals_lost.assign(nm * n, 0u);
  r.input_values.assign(ni * n, 0.0);

  const std::size_t block = std::max<std::uint64_t>(1, options.block_size);
  const std::size_t n_blocks = (n + block - 1) / block;
  auto run_block = [&](std::size_t b) {
    std::vector<double> year(m.inputs.size());
    std::vector<MistakeTally> tally(nm);
    TrialScratch scratch;
    const std::size_t end = std::min(n, (b + 1) * block);
    for (std::size_t t = b * block; t < end; ++t) {
      const std::uint64_t trial = r.first_trial + t;
      draw_year(m, scenario, trial, year);
      const TrialOutcome o = simulate_trial(m, year, trial, tally, scratch);
      r.cost_known[t] = o.cost_known;
      r.cost_unknown[t] = o.cost_unknown;
      r.cost_total[t] = o.cost_total();
      r.intervention_cost[t] = intervention_cost(m, scenario, year);
      r.opportunities[t] = o.opportunities;
      r.good_fits[t] = o.good_fits;
      r.wins_done_right[t] = o.wins_done_right;
      r.wins[t] = o.wins;
      r.should_have_bought[t] = o.should_have_bought;
      r.revenue_done_right[t] = o.revenue_done_right;
      r.revenue[t] = o.revenue;
      r.nonbuyer_hours[t] = o.nonbuyer_hours;
      for (std::size_t k = 0; k < nm; ++k) {
        r.mistake_known[k * n + t] = tally[k].known;
        r.mistake_unknown[k * n + t] = tally[k].unknown;
        r.mistake_occurrences[k * n + t] = tally[k].occurrences;
        r.mistake_deals_lost[k * n + t] = tally[k].deals_lost;
      }
      for (std::size_t j = 0; j < ni; ++j) r.input_values[j * n + t] = year[r.recorded_inputs[j]];
    }
    if (options.progress) options.progress->fetch_add(end - b * block, std::memory_order_relaxed);
  };

  const unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    for (std::size_t b = 0; b < n_blocks; ++b) run_block(b);
  } else {
    // Allow more workers than cores when asked (e.g. to test that 3 threads on 2 cores give the
    // same bytes); scoped to this run.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(static_cast<int>(threads));
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n_blocks, 1),
                        [&](const tbb::blocked_range<std::size_t>& range) {
                          for (std::size_t b = range.begin(); b != range.end(); ++b) run_block(b);
                        },
                        tbb::simple_partitioner{});
    });
  }
  return r;
}

}  // namespace mistakesim
