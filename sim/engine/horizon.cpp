// A trial that is more than one plain year (docs/model.md, "Capacity and the value of time" and "A
// horizon of several years"): the years of a horizon, each played by simulate_trial at its own
// trial index (year_trial), with the organisation's year-level values drawn once per horizon; the
// hours mistakes took, and the extra opportunities those hours would have worked; the repeat value
// of customers lost in earlier years; discounting. Sums are taken in year order, then mistake
// order, so the results are the same bits on any thread count. A one-year study that models
// capacity with time_value = "wage" gets exactly the costs of a plain year.

#include <mistakesim/errors.hpp>
#include <mistakesim/random.hpp>

#include "engine/trial.hpp"

#include <algorithm>
#include <cmath>

namespace mistakesim::detail {

namespace {

//! Most extra opportunities a year's freed hours may work (a bound on the loop when each takes
//! almost no time and the supply is unlimited).
constexpr double kMaxExtraOpportunities = 1e7;

//! An amount's draw at (trial, opportunity), changed by the scenario's interventions (model.hpp).
double draw_changed(const Amount& a, std::uint64_t seed, std::uint64_t trial, std::uint32_t opportunity,
                    std::span<const double> year) {
  double x = a.dist.p[0];
  if (a.dist.kind != DistKind::constant) {
    DrawStream stream(seed, DrawAddress{trial, opportunity, a.slot});
    x = sample(a.dist, stream);
  }
  if (a.adjustable()) x = std::clamp(x * year[a.scale] + year[a.shift], a.lower, a.upper);
  return x;
}

}  // namespace

FreedHours work_freed_hours(const Model& m, std::span<const double> year, std::uint64_t trial, double hours) {
  FreedHours w;
  const double supply = m.extra_opportunities == kNoInput
                            ? kMaxExtraOpportunities
                            : std::min(year[m.extra_opportunities], kMaxExtraOpportunities);
  if (!(hours > 0.0) || !(supply > 0.0)) return w;
  const std::uint64_t t_fit = bernoulli_threshold(year[m.good_fit]);
  const std::uint64_t t_close = bernoulli_threshold(year[m.close_rate]);
  const double value_factor = m.value == ValueBasis::margin ? year[m.margin] : 1.0;
  double left = hours;
  for (std::uint32_t j = 0; left > 0.0 && j < supply; ++j) {
    // Drawn like an opportunity of the pipeline: fit, then its hours, close rate and deal size.
    const auto words = philox_block(m.seed, DrawAddress{trial, j, m.extra_slot}, 0);
    const bool fit = bernoulli(words.v[0], t_fit);
    const bool closes = fit && bernoulli(words.v[1], t_close);
    const double h =
        draw_changed(fit ? m.extra_pursuit_hours : m.extra_qualify_hours, m.seed, trial, j, year);
    double share = h > left ? left / h : 1.0;  // the last opportunity the hours reach is worked in part
    share = std::min(share, supply - j);       // and the supply may end within one
    left = h > left ? 0.0 : left - h;
    w.opportunities += share;
    if (closes) {
      w.wins += share;
      w.value += share * draw_changed(m.extra_deal_size, m.seed, trial, j, year) * value_factor;
    }
  }
  return w;
}

HorizonPlayer::HorizonPlayer(const Model& m, const Scenario& scenario)
    : m_(m),
      scenario_(scenario),
      tally_(m.mistakes.size()),
      carried_known_(m.mistakes.size()),
      carried_unknown_(m.mistakes.size()) {
  if (m.years > 1)
    for (std::size_t k : scenario.interventions)
      if (!m.interventions[k].effect_by_year.empty()) ramps_ = true;
}

TrialOutcome HorizonPlayer::play(std::uint64_t trial, std::span<const double> raw,
                                 std::span<const double> year, std::uint64_t count,
                                 std::span<MistakeTally> per_mistake, TrialScratch& scratch,
                                 std::span<double> extra_row) {
  const Model& m = m_;
  const ExtraColumns layout = ExtraColumns::of(m);
  SIM_CHECK(per_mistake.size() == m.mistakes.size() && extra_row.size() == layout.count(),
            << per_mistake.size() << " tallies, " << extra_row.size() << " extra columns");
  SIM_CHECK(m.years == 1 || trial < (std::uint64_t{1} << 32), << "trial " << trial << " of a horizon");
  std::fill(per_mistake.begin(), per_mistake.end(), MistakeTally{});
  std::fill(carried_known_.begin(), carried_known_.end(), 0.0);
  std::fill(carried_unknown_.begin(), carried_unknown_.end(), 0.0);
  const double growth = m.growth != kNoInput ? year[m.growth] : 0.0;
  TrialOutcome total;
  double hours_lost = 0.0, extra_opportunities = 0.0, extra_wins = 0.0, opportunity_value = 0.0;

  for (std::uint32_t y = 0; y < m.years; ++y) {
    const std::uint64_t at = year_trial(trial, y);
    std::span<const double> values = year;
    if (ramps_ && y > 0) {  // the organisation's draws, with the interventions' effects of year y
      year_values_.assign(raw.begin(), raw.end());
      finish_year(m, scenario_, trial, year_values_, y);
      values = year_values_;
    }
    std::uint64_t n = y == 0 ? count : draw_opportunity_count(m, at);
    if (y > 0 && growth != 0.0) n = to_count(static_cast<double>(n) * std::pow(1.0 + growth, y));
    const TrialOutcome o = simulate_trial(m, values, at, n, tally_, scratch);

    double hours = 0.0;  // the year's hours lost to mistakes, in mistake order
    for (const MistakeTally& t : tally_) hours += t.hours_known + t.hours_unknown;
    if (m.capacity) {
      const FreedHours w = work_freed_hours(m, values, at, hours);
      if (m.time_value == TimeValue::opportunity && hours > 0.0) {
        // Every lost hour is worth the same share of what the hours would have produced.
        const double per_hour = w.value / hours;
        for (MistakeTally& t : tally_) {
          t.known += t.hours_known * per_hour;
          t.unknown += t.hours_unknown * per_hour;
        }
      }
      hours_lost += hours;
      extra_opportunities += w.opportunities;
      extra_wins += w.wins;
      opportunity_value +=
          w.value * (y == 0 ? 1.0 : std::pow(1.0 + m.discount_rate, -static_cast<double>(y)));
    }
    // Repeat customers lost in earlier years: their value in this year.
    for (std::size_t k = 0; k < tally_.size(); ++k) {
      MistakeTally& t = tally_[k];
      if (m.repeat_value_per_year) {
        t.known += carried_known_[k];
        t.unknown += carried_unknown_[k];
        carried_known_[k] += t.churned_known;
        carried_unknown_[k] += t.churned_unknown;
      }
    }
    const double discount = y == 0 ? 1.0 : std::pow(1.0 + m.discount_rate, -static_cast<double>(y));
    double known = 0.0, unknown = 0.0;
    for (std::size_t k = 0; k < tally_.size(); ++k) {
      const MistakeTally& t = tally_[k];
      MistakeTally& h = per_mistake[k];
      const double k_known = discount * t.known, k_unknown = discount * t.unknown;
      known += k_known;
      unknown += k_unknown;
      h.known += k_known;
      h.unknown += k_unknown;
      h.occurrences += t.occurrences;
      h.deals_lost += t.deals_lost;
      h.lost_outright += t.lost_outright;  // the funnel's tallies, discounted like the revenue
      h.value_lost += discount * t.value_lost;
      h.value_recovered += discount * t.value_recovered;
      h.value_kept += discount * t.value_kept;
      h.hours_known += t.hours_known;
      h.hours_unknown += t.hours_unknown;
      h.churned_known += t.churned_known;
      h.churned_unknown += t.churned_unknown;
    }
    if (layout.years > 0) {
      extra_row[layout.year_column(y, 0)] = known + unknown;
      extra_row[layout.year_column(y, 1)] = known;
      extra_row[layout.year_column(y, 2)] = unknown;
    }
    total.cost_known += known;
    total.cost_unknown += unknown;
    total.opportunities += o.opportunities;
    total.good_fits += o.good_fits;
    total.wins_done_right += o.wins_done_right;
    total.wins += o.wins;
    total.should_have_bought += o.should_have_bought;
    total.revenue_done_right += discount * o.revenue_done_right;
    total.revenue += discount * o.revenue;
    total.nonbuyer_hours += o.nonbuyer_hours;
  }
  if (layout.capacity) {
    extra_row[ExtraColumns::hours_lost] = hours_lost;
    extra_row[ExtraColumns::selling_hours] =
        m.selling_hours_per_rep == kNoInput
            ? 0.0
            : year[m.selling_hours_per_rep] * static_cast<double>(m.reps) * static_cast<double>(m.years);
    extra_row[ExtraColumns::extra_opportunities] = extra_opportunities;
    extra_row[ExtraColumns::extra_wins] = extra_wins;
    extra_row[ExtraColumns::opportunity_value] = opportunity_value;
  }
  return total;
}

}  // namespace mistakesim::detail
