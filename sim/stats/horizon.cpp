// Capacity and horizon summaries of a run's extra columns (horizon.hpp). Each figure is a function
// of its columns alone, taken in trial order, so the bits do not depend on the thread count.

#include <algorithm>
#include <cmath>
#include <limits>
#include <mistakesim/errors.hpp>
#include <mistakesim/horizon.hpp>

namespace mistakesim {

std::optional<CapacitySummary> summarize_capacity(const Model& model, const TrialResults& r) {
  const ExtraColumns layout = ExtraColumns::of(model);
  if (!layout.capacity) return std::nullopt;
  SIM_CHECK(r.extra_count == layout.count() && r.well_formed(),
            << "capacity columns of " << r.count << " trials");
  CapacitySummary c;
  c.hours_lost = summarize(r.extra(ExtraColumns::hours_lost));
  c.hours_lost_mean = c.hours_lost.mean;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  c.selling_hours_mean =
      model.selling_hours_per_rep == kNoInput ? nan : mean(r.extra(ExtraColumns::selling_hours));
  c.share_of_selling_time = std::isnan(c.selling_hours_mean) || !(c.selling_hours_mean > 0)
                                ? nan
                                : c.hours_lost_mean / c.selling_hours_mean;
  c.extra_opportunities_mean = mean(r.extra(ExtraColumns::extra_opportunities));
  c.extra_wins_mean = mean(r.extra(ExtraColumns::extra_wins));
  c.opportunity_value_mean = mean(r.extra(ExtraColumns::opportunity_value));
  for (std::size_t m = 0; m < r.mistake_count; ++m)
    c.mistake_hours_mean.push_back(
        r.count == 0 ? nan : r.mistake_totals[m].hours.value() / static_cast<double>(r.count));
  return c;
}

std::optional<HorizonSummary> summarize_horizon(const Model& model, const TrialResults& r) {
  const ExtraColumns layout = ExtraColumns::of(model);
  if (layout.years == 0) return std::nullopt;
  SIM_CHECK(r.extra_count == layout.count() && r.well_formed(),
            << "year columns of " << r.count << " trials");
  HorizonSummary h;
  h.years = model.years;
  h.discount_rate = model.discount_rate;
  std::vector<double> so_far(r.count, 0.0);
  for (std::uint32_t y = 0; y < layout.years; ++y) {
    const std::span<const double> year = r.extra(layout.year_column(y, 0));
    for (std::uint64_t t = 0; t < r.count; ++t) so_far[t] += year[t];
    h.cumulative_by_year.push_back(summarize(std::span<const double>(so_far)));
    SortedSummary total = summarize_sorted(r.extra(layout.year_column(y, 0)));
    h.by_year.push_back(total.summary);
    h.by_year_sorted.push_back(std::move(total.sorted));
    h.by_year_known.push_back(summarize(r.extra(layout.year_column(y, 1))));
    h.by_year_unknown.push_back(summarize(r.extra(layout.year_column(y, 2))));
  }
  h.cumulative = summarize(std::span<const double>(r.cost_total));
  return h;
}

std::optional<PayOffSummary> pay_off(const Model& model, const TrialResults& base, const TrialResults& with) {
  const ExtraColumns layout = ExtraColumns::of(model);
  if (layout.years == 0) return std::nullopt;
  SIM_CHECK(
      base.count == with.count && base.extra_count == layout.count() && with.extra_count == layout.count(),
      << "pay-off of runs of " << base.count << " and " << with.count << " trials");
  PayOffSummary p;
  const std::uint64_t n = base.count;
  // Savings so far per trial, year by year; the intervention's cost is paid in year 1.
  std::vector<double> net(n);
  for (std::uint64_t t = 0; t < n; ++t) net[t] = -with.intervention_cost_at(t);
  for (std::uint32_t y = 0; y < layout.years; ++y) {
    const std::span<const double> b = base.extra(layout.year_column(y, 0));
    const std::span<const double> w = with.extra(layout.year_column(y, 0));
    std::uint64_t paid = 0;
    for (std::uint64_t t = 0; t < n; ++t) {
      net[t] += b[t] - w[t];
      paid += net[t] >= 0.0;
    }
    p.paid_off_by_year.push_back(n == 0 ? std::numeric_limits<double>::quiet_NaN()
                                        : static_cast<double>(paid) / static_cast<double>(n));
  }
  for (std::uint32_t y = 0; y < layout.years; ++y)
    if (p.paid_off_by_year[y] >= 0.5) {
      p.year = y + 1;
      p.probability = p.paid_off_by_year[y];
      break;
    }
  if (p.year == 0 && !p.paid_off_by_year.empty()) p.probability = p.paid_off_by_year.back();
  return p;
}

}  // namespace mistakesim
