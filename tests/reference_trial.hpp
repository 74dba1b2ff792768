#pragma once
// A plain reading of one trial of docs/model.md, for checking the optimised kernel (simulate_trial,
// sim/engine/engine.cpp) against the model's definition. Nothing here is fast: opportunities are
// played one at a time, each random quantity is read at its address when it is needed, mistakes in
// m.mistakes order, every sum in the order docs/model.md states (per-mistake costs in opportunity
// order; revenue and hours per chunk of 256 by documented_sum; per-trial costs as the sum of the
// per-mistake tallies in mistake order), so that the kernel must agree with it bit for bit.
#include <mistakesim/distribution.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/random.hpp>

#include "engine/trial.hpp"
#include "model/sample_batch.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace mistakesim::testing {

//! A count from a draw (docs/model.md step 2): rounded to the nearest whole number, negatives to 0.
inline std::uint64_t reference_count(double x) {
  return x > 0.0 ? static_cast<std::uint64_t>(std::llround(x)) : 0;
}

//! The year's number of opportunities, docs/model.md step 2 and the addressing table.
//! The engine's own draw (detail::draw_opportunity_count) is internal to engine.cpp, so it is read
//! here from the model's text; the check compares it with simulate_trial's out.opportunities first.
//! The page does not give the address of a per-rep Poisson/NB count summed exactly (one draw for
//! the whole team): it is read at the year level, opportunity 0xFFFFFFFF, as the engine does.
inline std::uint64_t reference_opportunity_count(const Model& m, std::uint64_t trial) {
  const Distribution& d = m.opportunities.dist;
  const std::uint32_t slot = m.opportunities.slot;
  auto draw = [&](const Distribution& dist, std::uint32_t opportunity) {
    if (dist.kind == DistKind::constant) return dist.p[0];
    DrawStream stream(m.seed, DrawAddress{trial, opportunity, slot});
    return sample(dist, stream);
  };
  if (!m.opportunities_per_rep) return reference_count(draw(d, kYearLevel));
  const double reps = static_cast<double>(m.reps);
  if (d.kind == DistKind::poisson)
    return reference_count(draw(Distribution::poisson(d.p[0] * reps), kYearLevel));
  if (d.kind == DistKind::negbinomial)
    return reference_count(draw(Distribution::negbinomial(d.p[0] * reps, d.p[1] * reps), kYearLevel));
  std::uint64_t total = 0;  // drawn once per rep at 0xFFFFFFFE - r, each rounded, summed
  for (std::uint32_t r = 0; r < m.reps; ++r) total += reference_count(draw(d, rep_level(r)));
  return total;
}

//! One draw of a per-opportunity or per-occurrence amount at (trial, opportunity i, a.slot), as an
//! intervention changes it (model.hpp Amount; docs/model.md on amounts changed by interventions).
inline double reference_amount(const Model& m, const Amount& a, std::span<const double> year,
                               std::uint64_t trial, std::uint32_t i) {
  double x = 0.0;
  if (a.dist.kind == DistKind::constant) {
    x = a.dist.p[0];
  } else if (a.dist.kind == DistKind::lognormal) {
    // exp(mu + sigma z) with the engine's own exp (docs/model.md, precision note), z from block 0's
    // words 0 and 1 as DrawStream::next_uniform reads them.
    const auto b = philox_block(m.seed, DrawAddress{trial, i, a.slot}, 0);
    x = detail::lognormal_from_words(a.dist.p[0], a.dist.p[1], b.v[0], b.v[1]);
  } else {
    DrawStream stream(m.seed, DrawAddress{trial, i, a.slot});
    x = sample(a.dist, stream);
  }
  if (a.adjustable()) x = std::clamp(x * year[a.scale] + year[a.shift], a.lower, a.upper);
  return x;
}

//! A year's sum of per-opportunity figures in the order docs/model.md states: per chunk of 256
//! opportunities, eight running sums (opportunity j of the chunk to sum j mod 8) added as
//! ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), then the chunks' sums in order.
inline double documented_sum(const std::vector<double>& x) {
  double total = 0.0;
  for (std::size_t begin = 0; begin < x.size(); begin += 256) {
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (std::size_t j = begin; j < std::min(x.size(), begin + 256); ++j) s[(j - begin) % 8] += x[j];
    total += ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  }
  return total;
}

//! One trial played as docs/model.md states it ("One opportunity, both worlds"). per_mistake is
//! overwritten, like simulate_trial's.
inline TrialOutcome reference_trial(const Model& m, std::span<const double> year, std::uint64_t trial,
                                    std::span<MistakeTally> per_mistake) {
  std::fill(per_mistake.begin(), per_mistake.end(), MistakeTally{});
  TrialOutcome out;
  const std::uint64_t n = reference_opportunity_count(m, trial);
  out.opportunities = static_cast<std::uint32_t>(n);
  const double hourly_cost = year[m.hourly_cost];
  const double value_factor = m.value == ValueBasis::margin ? year[m.margin] : 1.0;
  std::vector<double> values, revenues,
      nonbuyers;  // per opportunity: deal value, revenue as it happened, hours

  for (std::uint64_t i64 = 0; i64 < n; ++i64) {
    const auto i = static_cast<std::uint32_t>(i64);
    const auto w = philox_block(m.seed, DrawAddress{trial, i, m.opportunity_slot}, 0);
    const bool fit = bernoulli(w.v[0], bernoulli_threshold(year[m.good_fit]));
    const bool repeat = bernoulli(w.v[1], bernoulli_threshold(year[m.repeat_customer]));
    const bool pilot = bernoulli(w.v[2], bernoulli_threshold(year[m.pilot_rate]));
    const bool closes = fit && bernoulli(w.v[3], bernoulli_threshold(year[m.close_rate]));
    const double value = closes ? reference_amount(m, m.deal_size, year, trial, i) * value_factor : 0.0;

    // done right
    if (fit) out.good_fits += 1;
    if (closes) {
      out.wins_done_right += 1;
    }
    values.push_back(value);
    double nonbuyer = fit ? 0.0 : reference_amount(m, m.qualify_hours, year, trial, i);

    // as it happens
    bool alive = closes, lost = false, recovered = false, churned = false;
    double remaining = value, kept = 0.0;
    for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
      if (lost) break;  // later stages do not happen
      const Mistake& mk = m.mistakes[k];
      bool applies = false;
      switch (mk.applies_to) {
        case AppliesTo::all:
          applies = true;
          break;
        case AppliesTo::good_fit:
          applies = fit;
          break;
        case AppliesTo::poor_fit:
          applies = !fit;
          break;
        case AppliesTo::pilot:
          applies = pilot;
          break;
        case AppliesTo::repeat:
          applies = repeat;
          break;
      }
      if (!applies) continue;
      const auto ev =
          philox_block(m.seed, DrawAddress{trial, i, mk.event_slot}, 0);  // occur, noticed, lose, churn
      if (!bernoulli(ev.v[0], bernoulli_threshold(year[mk.probability]))) continue;
      const bool noticed = bernoulli(ev.v[1], bernoulli_threshold(year[mk.noticed]));
      MistakeTally& tally = per_mistake[k];
      tally.occurrences += 1;
      const double hours = reference_amount(m, mk.wasted_hours, year, trial, i);
      double cost = hours * hourly_cost + reference_amount(m, mk.direct_cost, year, trial, i);
      if (!fit) nonbuyer += hours;
      if (alive) {
        if (bernoulli(ev.v[2], bernoulli_threshold(year[mk.lose]))) {
          lost = true;
          alive = false;
          tally.deals_lost += 1;
          if (noticed && mk.has_recovery) {
            cost += reference_amount(m, mk.recovery_hours, year, trial, i) * year[mk.recovery_hourly_cost];
            // a fraction: its valid range is [0, 1] (docs/model.md, "Which inputs are drawn when")
            const double saved = std::clamp(reference_amount(m, mk.recovery_saved, year, trial, i), 0.0, 1.0);
            kept = saved * remaining;
            recovered = true;
            cost += remaining - kept;
          } else {
            cost += remaining;  // lost outright
          }
        } else {
          const double discount = std::clamp(reference_amount(m, mk.discount, year, trial, i), 0.0, 1.0);
          const double d = std::min(discount * value, remaining);
          remaining -= d;
          cost += d;
        }
      }
      if (repeat && !churned && bernoulli(ev.v[3], bernoulli_threshold(year[mk.churn]))) {
        churned = true;
        cost += reference_amount(m, m.customer_value, year, trial, i);  // drawn per opportunity
      }
      if (noticed) {
        tally.known += cost;
      } else {
        tally.unknown += cost;
      }
    }
    nonbuyers.push_back(fit ? 0.0 : nonbuyer);  // each opportunity's hours summed first
    if (alive) {
      revenues.push_back(remaining);
      out.wins += 1;
    } else if (recovered && kept > 0.0) {
      revenues.push_back(kept);
      out.wins += 1;
    } else {
      revenues.push_back(0.0);
      if (closes) out.should_have_bought += 1;
    }
  }
  out.revenue_done_right = documented_sum(values);
  out.revenue = documented_sum(revenues);
  out.nonbuyer_hours = documented_sum(nonbuyers);
  for (const MistakeTally& t : per_mistake) {  // mistake order
    out.cost_known += t.known;
    out.cost_unknown += t.unknown;
  }
  return out;
}

}  // namespace mistakesim::testing
