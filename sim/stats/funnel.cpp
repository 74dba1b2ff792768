// The funnel of a run (see funnel.hpp): integer totals for the counts, exact sums for the values.

#include <mistakesim/errors.hpp>
#include <mistakesim/exact_sum.hpp>
#include <mistakesim/funnel.hpp>

namespace mistakesim {

std::optional<Funnel> funnel(const TrialResults& r) {
  SIM_CHECK(r.well_formed(), << "columns do not have " << r.count << " trials");
  Funnel f;
  const double n = static_cast<double>(r.count);
  std::uint64_t opportunities = 0, good_fits = 0, closes = 0, wins = 0, should = 0;
  ExactSum done_right, revenue;
  for (std::uint64_t t = 0; t < r.count; ++t) {
    opportunities += r.opportunities[t];
    good_fits += r.good_fits[t];
    closes += r.wins_done_right[t];
    wins += r.wins[t];
    should += r.should_have_bought[t];
    done_right.add(r.revenue_done_right[t]);
    revenue.add(r.revenue[t]);
  }
  std::uint64_t lost = 0, recovered = 0;
  ExactSum discounts = done_right;  // the remainder: done right - revenue - lost - (recovered - kept)
  for (const MistakeTotals& k : r.mistake_totals) {
    lost += k.lost_outright;
    recovered += k.deals_lost - k.lost_outright;
  }
  // The engine's tallies always agree with its pipeline counts (tests/test_funnel.cpp).
  if (lost != should || closes < lost + recovered || wins != closes - lost) return std::nullopt;
  const auto per_year = [&](double x) { return r.count == 0 ? 0.0 : x / n; };
  const auto count = [&](std::uint64_t x) { return per_year(static_cast<double>(x)); };
  ExactSum value_recovered, value_kept;
  for (std::size_t m = 0; m < r.mistake_totals.size(); ++m) {
    const MistakeTotals& k = r.mistake_totals[m];
    f.mistakes.push_back({m, count(k.lost_outright), count(k.deals_lost - k.lost_outright),
                          per_year(k.value_lost.value()), per_year(k.value_recovered.value()),
                          per_year(k.value_kept.value())});
    value_recovered.add(k.value_recovered);
    value_kept.add(k.value_kept);
  }
  f.opportunities = count(opportunities);
  f.poor_fits = count(opportunities - good_fits);
  f.lost_on_merit = count(good_fits - closes);
  f.should_have_bought = count(lost);
  f.recovered = count(recovered);
  f.won = count(closes - lost - recovered);
  f.revenue_done_right = per_year(done_right.value());
  f.revenue = per_year(revenue.value());
  f.value_recovered = per_year(value_recovered.value());
  f.value_kept = per_year(value_kept.value());
  // discounts = done right - revenue - sum(value lost) - value recovered + value kept, exactly,
  // rounded once.
  discounts.subtract(revenue);
  for (const MistakeTotals& k : r.mistake_totals) {
    discounts.subtract(k.value_lost);
    discounts.subtract(k.value_recovered);
  }
  discounts.add(value_kept);
  f.discounts_on_won = per_year(discounts.value());
  return f;
}

}  // namespace mistakesim
