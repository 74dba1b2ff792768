// The engine: one trial is one simulated year (docs/model.md states the algorithm this file
// implements). Every random quantity is read at its address (seed, trial, opportunity, slot), so
// the two worlds of an opportunity - done right and as it happened - share their draws, and two
// scenarios (baseline and an intervention) share every draw that their difference does not touch.
//
// Per-trial thresholds are hoisted out of the opportunity loop: probabilities become 32-bit
// integer thresholds compared with Philox words, and constant amounts skip the generator.

#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/random.hpp>

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
    case DistKind::constant:
      return to_count(d.p[0] * reps);
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

inline bool applies(AppliesTo a, bool fit, bool repeat, bool pilot) {
  switch (a) {
    case AppliesTo::all: return true;
    case AppliesTo::good_fit: return fit;
    case AppliesTo::poor_fit: return !fit;
    case AppliesTo::pilot: return pilot;
    case AppliesTo::repeat: return repeat;
  }
  return false;
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

TrialOutcome simulate_trial(const Model& m, std::span<const double> year, std::uint64_t trial,
                            std::span<MistakeTally> per_mistake) {
  using detail::draw_amount;
  SIM_CHECK(per_mistake.size() == m.mistakes.size(), << per_mistake.size() << " vs " << m.mistakes.size());
  std::fill(per_mistake.begin(), per_mistake.end(), MistakeTally{});
  const std::uint64_t seed = m.seed;

  // Year-level figures, hoisted out of the opportunity loop.
  const std::uint64_t t_fit = bernoulli_threshold(year[m.good_fit]);
  const std::uint64_t t_repeat = bernoulli_threshold(year[m.repeat_customer]);
  const std::uint64_t t_pilot = bernoulli_threshold(year[m.pilot_rate]);
  const std::uint64_t t_close = bernoulli_threshold(year[m.close_rate]);
  const double hourly_cost = year[m.hourly_cost];
  const double value_factor = m.value == ValueBasis::margin ? year[m.margin] : 1.0;

  const std::size_t n_mistakes = m.mistakes.size();
  std::vector<detail::MistakeYear> my(n_mistakes);
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

  for (std::uint32_t i = 0; i < n; ++i) {
    const auto w = philox_block(seed, DrawAddress{trial, i, m.opportunity_slot}, 0);
    const bool fit = bernoulli(w.v[0], t_fit);
    const bool repeat = bernoulli(w.v[1], t_repeat);
    const bool pilot = bernoulli(w.v[2], t_pilot);
    const bool closes = fit && bernoulli(w.v[3], t_close);
    out.good_fits += fit;

    double value = 0.0;  // [$] value basis of the deal, drawn only if it would close
    if (closes) {
      value = draw_amount(m.deal_size, seed, trial, i) * value_factor;
      out.wins_done_right += 1;
      out.revenue_done_right += value;
    }
    if (!fit) out.nonbuyer_hours += draw_amount(m.qualify_hours, seed, trial, i);

    bool alive = closes;  // would have closed and still will
    bool lost = false;
    bool churned = false;
    double remaining = value;  // value still to be earned after discounts
    double kept = 0.0;         // value kept by a recovery
    for (std::size_t k = 0; k < n_mistakes && !lost; ++k) {
      const Mistake& mk = m.mistakes[k];
      if (!detail::applies(mk.applies_to, fit, repeat, pilot)) continue;
      const auto e = philox_block(seed, DrawAddress{trial, i, mk.event_slot}, 0);
      if (!bernoulli(e.v[0], my[k].occur)) continue;
      const bool noticed = bernoulli(e.v[1], my[k].noticed);

      const double hours = draw_amount(mk.wasted_hours, seed, trial, i);
      double cost = hours * hourly_cost + draw_amount(mk.direct_cost, seed, trial, i);
      if (!fit) out.nonbuyer_hours += hours;
      if (alive) {
        if (bernoulli(e.v[2], my[k].lose)) {
          lost = true;
          alive = false;
          per_mistake[k].deals_lost += 1;
          if (noticed && mk.has_recovery) {
            cost += draw_amount(mk.recovery_hours, seed, trial, i) * my[k].recovery_hourly_cost;
            const double saved = std::clamp(draw_amount(mk.recovery_saved, seed, trial, i), 0.0, 1.0);
            kept = saved * remaining;
            cost += remaining - kept;
          } else {
            cost += remaining;
          }
        } else {
          const double d = std::min(draw_amount(mk.discount, seed, trial, i) * value, remaining);
          if (d > 0.0) {
            remaining -= d;
            cost += d;
          }
        }
      }
      if (repeat && !churned && bernoulli(e.v[3], my[k].churn)) {
        churned = true;
        cost += draw_amount(m.customer_value, seed, trial, i);
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
    const std::size_t end = std::min(n, (b + 1) * block);
    for (std::size_t t = b * block; t < end; ++t) {
      const std::uint64_t trial = r.first_trial + t;
      draw_year(m, scenario, trial, year);
      const TrialOutcome o = simulate_trial(m, year, trial, tally);
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
