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
#include <mutex>
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

//! A mistake's year-level figures, as thresholds for the opportunity loop.
struct MistakeYear {
  std::uint64_t occur, noticed, lose, churn;
  double recovery_hourly_cost;
};

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
inline constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

//! Block 0 of one random quantity (one slot) for a list of a chunk's opportunities, computed side by
//! side by philox_blocks and read back in opportunity order. The lists are supersets of what the
//! opportunity loop reads (a draw computed and not used changes nothing: it has its own address);
//! a draw that is missing from the list is computed on the spot, so a list can never change a result.
struct BatchedDraws {
  std::uint32_t slot = 0;
  bool random = false;  //!< false: a constant amount, nothing to draw
  //! Lognormal and triangular amounts are sampled for the whole list at once (sample_batch.hpp).
  enum class Values : std::uint8_t { none, lognormal, triangular } values_kind = Values::none;
  const Distribution* dist = nullptr;
  bool adjustable = false;  //!< interventions may change the draws (Amount::adjustable)
  std::size_t size = 0;
  std::size_t cursor = 0;
  std::vector<std::uint32_t> opportunity;  //!< ascending; capacity kChunk
  std::vector<std::uint32_t> words;        //!< 4 x kChunk: word j of entry e at [j * kChunk + e]
  std::vector<double> values;              //!< the amounts, when values_kind != none

  //! Sets the quantity; allocates only the first time.
  void init(std::uint32_t quantity_slot, bool is_random, const Distribution* d = nullptr, bool is_adjustable = false) {
    slot = quantity_slot;
    random = is_random;
    dist = d;
    adjustable = is_adjustable;
    values_kind = Values::none;
    if (random && d != nullptr && d->kind == DistKind::lognormal) values_kind = Values::lognormal;
    if (random && d != nullptr && d->kind == DistKind::triangular) values_kind = Values::triangular;
    if (opportunity.size() != kChunk + 1) {
      opportunity.assign(kChunk + 1, 0);
      words.assign(4 * kChunk, 0);
      values.assign(kChunk, 0.0);
    }
  }
  void clear() { size = cursor = 0; }
  void add(std::uint32_t i) { opportunity[size++] = i; }
  //! Adds i if `take`, without a branch (the slot past the end is always writable: capacity kChunk + 1).
  void add_if(std::uint32_t i, bool take) {
    opportunity[size] = i;
    size += take;
  }
  void compute(std::uint64_t seed, std::uint64_t trial) {
    if (size == 0) return;
    std::uint32_t* w = words.data();
    philox_blocks(seed, trial, slot, 0, std::span<const std::uint32_t>(opportunity.data(), size), w, w + kChunk,
                  w + 2 * kChunk, w + 3 * kChunk);
    if (values_kind == Values::lognormal) {
      lognormal_from_words(dist->p[0], dist->p[1], w, w + kChunk, size, values.data());
    } else if (values_kind == Values::triangular) {
      triangular_from_words(dist->p[0], dist->p[1], dist->p[2], w, w + kChunk, size, values.data());
    }
  }
  //! Entry of opportunity i, or kNotFound. Calls come in ascending i (the cursor only moves forward).
  std::size_t find(std::uint32_t i) {
    while (cursor < size && opportunity[cursor] < i) ++cursor;
    return cursor < size && opportunity[cursor] == i ? cursor : kNotFound;
  }
  std::uint32_t word(std::size_t e, int j) const { return words[static_cast<std::size_t>(j) * kChunk + e]; }
};

//! Per opportunity of a chunk: what it is (bits of TrialScratch::Impl::flags).
enum : std::uint8_t { kFit = 1, kRepeat = 2, kPilot = 4, kCloses = 8, kChurnCandidate = 16 };

struct ApplyTest {
  std::uint8_t mask, want;
  bool operator()(std::uint8_t flags) const { return (flags & mask) == want; }
};

//! A mistake's batched draws: its event words and its per-occurrence amounts.
struct MistakeDraws {
  ApplyTest applies{0, 0};
  BatchedDraws events, wasted_hours, direct_cost, discount, recovery_hours, recovery_saved;
};

//! An opportunity's applies_to test as a bit test: a mistake applies iff (flags & mask) == want.
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

}  // namespace detail

struct TrialScratch::Impl {
  std::vector<detail::MistakeYear> year;
  detail::BatchedDraws pipeline, deal_size, qualify_hours, customer_value;
  std::vector<detail::MistakeDraws> mistakes;
  std::uint8_t flags[detail::kChunk];  //!< per opportunity of the chunk: fit 1, repeat 2, pilot 4, closes 8, churn 16

  //! Sets the batches up for a model (cheap: allocates only when the model has more mistakes).
  void prepare(const Model& m) {
    if (year.size() != m.mistakes.size()) year.resize(m.mistakes.size());
    if (mistakes.size() != m.mistakes.size()) mistakes.resize(m.mistakes.size());
    const auto random = [](const Amount& a) { return a.dist.kind != DistKind::constant; };
    pipeline.init(m.opportunity_slot, true);
    deal_size.init(m.deal_size.slot, random(m.deal_size), &m.deal_size.dist, m.deal_size.adjustable());
    qualify_hours.init(m.qualify_hours.slot, random(m.qualify_hours), &m.qualify_hours.dist,
                       m.qualify_hours.adjustable());
    customer_value.init(m.customer_value.slot, random(m.customer_value), &m.customer_value.dist,
                        m.customer_value.adjustable());
    for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
      const Mistake& mk = m.mistakes[k];
      detail::MistakeDraws& d = mistakes[k];
      d.applies = detail::apply_test(mk.applies_to);
      d.events.init(mk.event_slot, true);
      d.wasted_hours.init(mk.wasted_hours.slot, random(mk.wasted_hours), &mk.wasted_hours.dist,
                          mk.wasted_hours.adjustable());
      d.direct_cost.init(mk.direct_cost.slot, random(mk.direct_cost), &mk.direct_cost.dist,
                         mk.direct_cost.adjustable());
      d.discount.init(mk.discount.slot, random(mk.discount), &mk.discount.dist, mk.discount.adjustable());
      d.recovery_hours.init(mk.recovery_hours.slot, mk.has_recovery && random(mk.recovery_hours),
                            &mk.recovery_hours.dist, mk.recovery_hours.adjustable());
      d.recovery_saved.init(mk.recovery_saved.slot, mk.has_recovery && random(mk.recovery_saved),
                            &mk.recovery_saved.dist, mk.recovery_saved.adjustable());
    }
  }
};

TrialScratch::TrialScratch() : impl_(std::make_unique<Impl>()) {}
TrialScratch::~TrialScratch() = default;
TrialScratch::TrialScratch(TrialScratch&&) noexcept = default;
TrialScratch& TrialScratch::operator=(TrialScratch&&) noexcept = default;

namespace detail {

//! An amount's draw as a scenario's interventions change it (model.hpp, Amount): x scale + shift,
//! clamped to the amount's range. An amount no intervention targets is returned as drawn.
inline double adjust(const Amount& a, double x, std::span<const double> year) {
  return std::clamp(x * year[a.scale] + year[a.shift], a.lower, a.upper);
}

//! An amount at (trial, i), as drawn: from its batch when the batch has it, computed here otherwise
//! (the same value: a lognormal amount goes through the same lognormal_from_words either way).
inline double draw_unadjusted(const Amount& a, BatchedDraws& b, std::uint64_t seed, std::uint64_t trial,
                              std::uint32_t i) {
  if (a.dist.kind == DistKind::constant) return a.dist.p[0];
  const std::size_t e = b.find(i);
  if (e == kNotFound) {
    if (a.dist.kind != DistKind::lognormal) return draw_amount(a, seed, trial, i);
    const auto w = philox_block(seed, DrawAddress{trial, i, a.slot}, 0);
    return lognormal_from_words(a.dist.p[0], a.dist.p[1], w.v[0], w.v[1]);
  }
  if (b.values_kind != BatchedDraws::Values::none) return b.values[e];
  DrawStream stream(seed, DrawAddress{trial, i, a.slot}, b.word(e, 0), b.word(e, 1), b.word(e, 2), b.word(e, 3));
  return sample(a.dist, stream);
}

//! An amount at (trial, i) with the scenario's changes applied.
inline double draw_batched(const Amount& a, BatchedDraws& b, std::span<const double> year, std::uint64_t seed,
                           std::uint64_t trial, std::uint32_t i) {
  const double x = draw_unadjusted(a, b, seed, trial, i);
  return b.adjustable ? adjust(a, x, year) : x;  // b's copy of a.adjustable(): a hotter cache line
}

}  // namespace detail

// The opportunities are played in chunks of kChunk. For a chunk, the Philox blocks are computed
// first, side by side, quantity by quantity: the pipeline words of every opportunity; each mistake's
// event words for the opportunities it applies to; then the block 0 of every amount that may be
// needed (deal sizes of deals that would close, qualify hours of poor fits, per-occurrence amounts of
// occurrences, customer value of repeat customers who may churn). The opportunity loop then plays
// both worlds exactly as docs/model.md states, reading those blocks. Every draw is still the one at
// its address, so the results are bit for bit those of drawing each quantity when it is needed.
TrialOutcome simulate_trial(const Model& m, std::span<const double> year, std::uint64_t trial,
                            std::span<MistakeTally> per_mistake, TrialScratch& scratch) {
  using detail::draw_batched;
  using detail::kChurnCandidate;
  using detail::kCloses;
  using detail::kFit;
  using detail::kPilot;
  using detail::kRepeat;
  SIM_CHECK(per_mistake.size() == m.mistakes.size(), << per_mistake.size() << " vs " << m.mistakes.size());
  std::fill(per_mistake.begin(), per_mistake.end(), MistakeTally{});
  TrialScratch::Impl& s = *scratch.impl_;
  s.prepare(m);
  const std::uint64_t seed = m.seed;

  // Year-level figures, hoisted out of the opportunity loop.
  const std::uint64_t t_fit = bernoulli_threshold(year[m.good_fit]);
  const std::uint64_t t_repeat = bernoulli_threshold(year[m.repeat_customer]);
  const std::uint64_t t_pilot = bernoulli_threshold(year[m.pilot_rate]);
  const std::uint64_t t_close = bernoulli_threshold(year[m.close_rate]);
  const double hourly_cost = year[m.hourly_cost];
  const double value_factor = m.value == ValueBasis::margin ? year[m.margin] : 1.0;

  const std::size_t n_mistakes = m.mistakes.size();
  std::vector<detail::MistakeYear>& my = s.year;
  for (std::size_t k = 0; k < n_mistakes; ++k) {
    const Mistake& mk = m.mistakes[k];
    my[k] = {bernoulli_threshold(year[mk.probability]), bernoulli_threshold(year[mk.noticed]),
             bernoulli_threshold(year[mk.lose]), bernoulli_threshold(year[mk.churn]),
             mk.has_recovery ? year[mk.recovery_hourly_cost] : 0.0};
  }

  TrialOutcome out;
  const std::uint64_t n = detail::draw_opportunity_count(m, trial);
  SIM_CHECK(n < kYearLevel - 1u - m.reps, << "opportunity count " << n << " collides with reserved indices");
  out.opportunities = static_cast<std::uint32_t>(n);

  for (std::uint64_t chunk_begin = 0; chunk_begin < n; chunk_begin += detail::kChunk) {
    const auto i0 = static_cast<std::uint32_t>(chunk_begin);
    const auto i1 = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, chunk_begin + detail::kChunk));

    // 1. Pipeline words of every opportunity: fit, repeat, pilot, close.
    s.pipeline.clear();
    for (std::uint32_t i = i0; i < i1; ++i) s.pipeline.add(i);
    s.pipeline.compute(seed, trial);
    for (std::uint32_t i = i0; i < i1; ++i) {
      const std::size_t e = i - i0;
      const unsigned fit = bernoulli(s.pipeline.word(e, 0), t_fit);
      const unsigned repeat = bernoulli(s.pipeline.word(e, 1), t_repeat);
      const unsigned pilot = bernoulli(s.pipeline.word(e, 2), t_pilot);
      const unsigned closes = fit & static_cast<unsigned>(bernoulli(s.pipeline.word(e, 3), t_close));
      s.flags[e] = static_cast<std::uint8_t>(fit * kFit | repeat * kRepeat | pilot * kPilot | closes * kCloses);
    }

    // 2. Each mistake's event words, for the opportunities it applies to.
    for (std::size_t k = 0; k < n_mistakes; ++k) {
      detail::BatchedDraws& ev = s.mistakes[k].events;
      const detail::ApplyTest applies = s.mistakes[k].applies;
      ev.clear();
      for (std::uint32_t i = i0; i < i1; ++i) ev.add_if(i, applies(s.flags[i - i0]));
      ev.compute(seed, trial);
    }

    // 3. Block 0 of every amount that may be needed.
    s.deal_size.clear();
    s.qualify_hours.clear();
    s.customer_value.clear();
    for (std::uint32_t i = i0; i < i1; ++i) {
      const std::uint8_t f = s.flags[i - i0];
      s.deal_size.add_if(i, s.deal_size.random & ((f & kCloses) != 0));
      s.qualify_hours.add_if(i, s.qualify_hours.random & ((f & kFit) == 0));
    }
    for (std::size_t k = 0; k < n_mistakes; ++k) {
      detail::MistakeDraws& d = s.mistakes[k];
      const detail::MistakeYear& y = my[k];
      for (auto* b : {&d.wasted_hours, &d.direct_cost, &d.discount, &d.recovery_hours, &d.recovery_saved}) b->clear();
      for (std::size_t e = 0; e < d.events.size; ++e) {  // branch-free: these outcomes are coin flips
        const std::uint32_t i = d.events.opportunity[e];
        std::uint8_t& f = s.flags[i - i0];
        const bool occurs = bernoulli(d.events.word(e, 0), y.occur);
        const bool closes = occurs & ((f & kCloses) != 0);
        const bool loses = closes & bernoulli(d.events.word(e, 2), y.lose);
        const bool recovers = loses & bernoulli(d.events.word(e, 1), y.noticed);
        d.wasted_hours.add_if(i, d.wasted_hours.random & occurs);
        d.direct_cost.add_if(i, d.direct_cost.random & occurs);
        d.discount.add_if(i, d.discount.random & closes & !loses);
        d.recovery_hours.add_if(i, d.recovery_hours.random & recovers);
        d.recovery_saved.add_if(i, d.recovery_saved.random & recovers);
        const bool churns = occurs & ((f & kRepeat) != 0) & bernoulli(d.events.word(e, 3), y.churn);
        f = static_cast<std::uint8_t>(f | (churns ? kChurnCandidate : 0));
      }
      for (auto* b : {&d.wasted_hours, &d.direct_cost, &d.discount, &d.recovery_hours, &d.recovery_saved})
        b->compute(seed, trial);
    }
    if (s.customer_value.random)
      for (std::uint32_t i = i0; i < i1; ++i)
        s.customer_value.add_if(i, (s.flags[i - i0] & kChurnCandidate) != 0);
    s.deal_size.compute(seed, trial);
    s.qualify_hours.compute(seed, trial);
    s.customer_value.compute(seed, trial);

    // 4. Both worlds of each opportunity (docs/model.md), reading the blocks above.
    for (std::uint32_t i = i0; i < i1; ++i) {
      const std::uint8_t f = s.flags[i - i0];
      const bool fit = f & kFit;
      const bool repeat = f & kRepeat;
      const bool closes = f & kCloses;
      out.good_fits += fit;

      double value = 0.0;  // [$] value basis of the deal, drawn only if it would close
      if (closes) {
        value = draw_batched(m.deal_size, s.deal_size, year, seed, trial, i) * value_factor;
        out.wins_done_right += 1;
        out.revenue_done_right += value;
      }
      if (!fit) out.nonbuyer_hours += draw_batched(m.qualify_hours, s.qualify_hours, year, seed, trial, i);

      bool alive = closes;  // would have closed and still will
      bool lost = false;
      bool churned = false;
      double remaining = value;  // value still to be earned after discounts
      double kept = 0.0;         // value kept by a recovery
      for (std::size_t k = 0; k < n_mistakes && !lost; ++k) {
        detail::MistakeDraws& d = s.mistakes[k];
        if (!d.applies(f)) continue;
        const Mistake& mk = m.mistakes[k];
        const std::size_t ev = d.events.find(i);
        SIM_CHECK(ev != detail::kNotFound, << "event words of mistake " << k << " missing for opportunity " << i);
        if (!bernoulli(d.events.word(ev, 0), my[k].occur)) continue;
        const bool noticed = bernoulli(d.events.word(ev, 1), my[k].noticed);

        const double hours = draw_batched(mk.wasted_hours, d.wasted_hours, year, seed, trial, i);
        double cost = hours * hourly_cost + draw_batched(mk.direct_cost, d.direct_cost, year, seed, trial, i);
        if (!fit) out.nonbuyer_hours += hours;
        if (alive) {
          if (bernoulli(d.events.word(ev, 2), my[k].lose)) {
            lost = true;
            alive = false;
            per_mistake[k].deals_lost += 1;
            if (noticed && mk.has_recovery) {
              cost += draw_batched(mk.recovery_hours, d.recovery_hours, year, seed, trial, i) * my[k].recovery_hourly_cost;
              const double saved =
                  std::clamp(draw_batched(mk.recovery_saved, d.recovery_saved, year, seed, trial, i), 0.0, 1.0);
              kept = saved * remaining;
              cost += remaining - kept;
            } else {
              cost += remaining;
            }
          } else {
            const double discount = std::min(draw_batched(mk.discount, d.discount, year, seed, trial, i) * value, remaining);
            if (discount > 0.0) {
              remaining -= discount;
              cost += discount;
            }
          }
        }
        if (repeat && !churned && bernoulli(d.events.word(ev, 3), my[k].churn)) {
          churned = true;
          cost += draw_batched(m.customer_value, s.customer_value, year, seed, trial, i);
        }
        per_mistake[k].occurrences += 1;
        if (noticed) {
          per_mistake[k].known += cost;
        } else {
          per_mistake[k].unknown += cost;
        }
      }
      if (closes) {
        if (alive) {
          out.wins += 1;
          out.revenue += remaining;
        } else if (kept > 0.0) {
          out.wins += 1;
          out.revenue += kept;
        } else {
          out.should_have_bought += 1;
        }
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
  for (auto* col : {&r.cost_total, &r.cost_known, &r.cost_unknown, &r.revenue_done_right, &r.revenue,
                    &r.nonbuyer_hours})
    col->assign(n, 0.0);
  // No interventions, no cost: the column stays empty (TrialResults::intervention_cost_at).
  if (!scenario.interventions.empty()) r.intervention_cost.assign(n, 0.0);
  for (auto* col : {&r.opportunities, &r.good_fits, &r.wins_done_right, &r.wins, &r.should_have_bought})
    col->assign(n, 0u);
  r.mistake_costs.assign(nm * n, 0.0);
  r.mistake_totals.assign(nm, MistakeTotals{});
  r.input_values.assign(ni * n, 0.0);

  const std::size_t block = std::max<std::uint64_t>(1, options.block_size);
  const std::size_t n_blocks = (n + block - 1) / block;
  std::mutex totals_mutex;  // guards r.mistake_totals; exact sums: the order blocks add in is immaterial
  auto run_block = [&](std::size_t b) {
    std::vector<double> year(m.inputs.size());
    std::vector<MistakeTally> tally(nm);
    std::vector<MistakeTotals> totals(nm);
    TrialScratch scratch;
    const std::size_t end = std::min(n, (b + 1) * block);
    for (std::size_t t = b * block; t < end; ++t) {
      const std::uint64_t trial = r.first_trial + t;
      draw_year(m, scenario, trial, year);
      const TrialOutcome o = simulate_trial(m, year, trial, tally, scratch);
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
