// The terminal summary: what a sales leader reads after `mistakesim run`. Plain words (deals,
// hours, money), the statistical name only as a short note beside each number.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>

#include "report/horizon_report.hpp"
#include "report/report_detail.hpp"

namespace mistakesim {

std::string terminal_summary(const Model& model, const TrialResults& results, const RunSummary& s,
                             const RunInfo& info) {
  SIM_CHECK(results.mistake_count == model.mistakes.size() && s.mistakes.size() == model.mistakes.size(),
            << results.mistake_count << " mistake columns and " << s.mistakes.size() << " summaries for "
            << model.mistakes.size() << " mistakes");
  const auto money = [&](double x) { return format_currency(x, model.currency); };
  const auto share_of_total = [&](double x) {
    return format_percent(s.cost.total.mean != 0.0 ? x / s.cost.total.mean : NAN);
  };

  std::string out;
  out += (model.name.empty() ? std::string("Study") : model.name) + "\n";
  out += fmt::format("{} simulated year{}, seed {}, {} rep{}, amounts in {} ({} basis)\n",
                     format_count(static_cast<double>(results.count)), results.count == 1 ? "" : "s",
                     model.seed, model.reps, model.reps == 1 ? "" : "s", model.currency,
                     model.value == ValueBasis::margin ? "margin" : "revenue");
  out += detail::horizon_note(model);
  if (!info.study_file.empty() || info.threads > 0) {
    out += fmt::format("{}{} threads, {:.1f} s\n", info.study_file.empty() ? "" : info.study_file + ", ",
                       info.threads, info.seconds);
  }

  out += "\nThe pipeline in an average year\n";
  {
    detail::TextTable t({false, true});
    t.add({"Opportunities worked", format_count(s.pipeline.opportunities)});
    t.add({"Good fits (would buy if done right)", format_count(s.pipeline.good_fits)});
    t.add({"Wins if everything is done right", format_count(s.pipeline.wins_done_right)});
    t.add({"Wins as it happened", format_count(s.pipeline.wins)});
    t.add({"Deals that should have been won", format_count(s.pipeline.should_have_bought)});
    t.add({"Hours spent with non-buyers", format_hours(s.pipeline.nonbuyer_hours)});
    t.add({"Revenue if everything is done right", money(s.pipeline.revenue_done_right)});
    t.add({"Revenue as it happened", money(s.pipeline.revenue)});
    out += t.render("  ");
  }

  if (s.funnel) {
    const Funnel& f = *s.funnel;
    out += "\nWhy didn't they buy? (deals in an average year, stage order)\n";
    detail::TextTable t({false, true, true});
    t.add({"", "Deals", "Value done right"});
    t.add({"Opportunities worked", format_count(f.opportunities), ""});
    t.add({"  Poor fits (would never buy)", format_count(f.poor_fits), ""});
    t.add({"  Good fits lost on their merits", format_count(f.lost_on_merit), ""});
    double value_lost = 0.0;
    for (const FunnelMistake& k : f.mistakes) {
      value_lost += k.value_lost;
      if (k.lost <= 0.0) continue;
      const Mistake& m = model.mistakes[k.index];
      t.add({"  Lost to: " + detail::truncate(m.name.empty() ? m.id : m.name, 40), format_count(k.lost),
             money(k.value_lost)});
    }
    t.add({"  = Should have bought (lost outright)", format_count(f.should_have_bought), money(value_lost)});
    t.add({"  Lost, then partly recovered", format_count(f.recovered),
           money(f.value_recovered) + ", kept " + money(f.value_kept)});
    t.add({"  Won", format_count(f.won), ""});
    out += t.render("  ");
    out += fmt::format(
        "  Value: {} done right - {} lost outright - {} given up on recovered deals\n"
        "         - {} discounts on deals won = {} as it happened.\n",
        money(f.revenue_done_right), money(value_lost), money(f.value_recovered - f.value_kept),
        money(f.discounts_on_won), money(f.revenue));
  }

  out += "\nWhat mistakes cost in a year\n";
  {
    detail::TextTable t({false, true, false});
    t.add({"Average year", money(s.cost.total.mean),
           fmt::format("mean, 95% CI {} to {}", money(s.cost.total.mean_ci95_lo),
                       money(s.cost.total.mean_ci95_hi))});
    t.add({"Good year (1 in 20 costs less)", money(s.cost.total.p05), "P05"});
    t.add({"Typical year (half cost more)", money(s.cost.total.p50), "median"});
    t.add({"Bad year (1 in 20 costs more)", money(s.cost.total.p95), "P95"});
    t.add({"Worst 5% of years, on average", money(s.cost.total.cvar95), "CVaR95"});
    t.add({"", "", ""});
    t.add({"Known mistakes (the team notices)", money(s.cost.known.mean),
           share_of_total(s.cost.known.mean) + " of the cost"});
    t.add({"Unknown mistakes (nobody notices)", money(s.cost.unknown.mean),
           share_of_total(s.cost.unknown.mean) + " of the cost"});
    out += t.render("  ");
  }
  out += detail::horizon_terminal(model, results);  // capacity and the years of a horizon, if any

  out += "\nMistakes ranked by what they cost (average per year)\n";
  if (s.mistakes.empty()) {
    out += "  The study lists no mistakes.\n";
    return out;
  }
  detail::TextTable t({true, false, false, true, true, true, true, true, true});
  t.add({"#", "Mistake", "Stage", "Cost", "Share", "Known", "Times", "Deals lost", "Worst 5%"});
  std::size_t rank = 0;
  for (const MistakeSummary& ms : s.mistakes) {
    const Mistake& m = model.mistakes[ms.index];
    const double known_share = ms.cost.mean != 0.0 ? ms.known_mean / ms.cost.mean : NAN;
    t.add({std::to_string(++rank), detail::truncate(m.name.empty() ? m.id : m.name, 44), m.stage,
           money(ms.cost.mean), share_of_total(ms.cost.mean), format_percent(known_share),
           format_count(ms.occurrences_mean), format_count(ms.deals_lost_mean),
           money(ms.cvar95_contribution)});
  }
  out += t.render("  ");
  out +=
      "  Share: of the average yearly cost. Known: share of its cost the team notices. Times and deals\n"
      "  lost: per year on average. Worst 5%: its average cost in the worst 5% of years.\n";
  if (s.cost.total.nan_count > 0)
    out += fmt::format(
        "\nWARNING: {} simulated years gave a cost that is not a number (numerical trouble); they are\n"
        "left out of every figure above. Please report the study file.\n",
        s.cost.total.nan_count);
  return out;
}

}  // namespace mistakesim
