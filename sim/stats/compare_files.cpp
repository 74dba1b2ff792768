// Paired comparison of study files over common random numbers (see compare_files.hpp).

#include <fmt/format.h>

#include "engine/parallel.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <mistakesim/compare_files.hpp>
#include <mistakesim/errors.hpp>

namespace mistakesim {
namespace {

void add_amount(std::vector<DrawSite>& out, const std::string& path, const Amount& a, DrawLevel level) {
  if (a.dist.kind != DistKind::constant) out.push_back({path, a.slot, level, dist_name(a.dist.kind)});
}

//! (scenario - baseline) of two columns, as doubles.
template <class T>
std::vector<double> difference(const std::vector<T>& scenario, const std::vector<T>& baseline) {
  SIM_CHECK(scenario.size() == baseline.size(), << scenario.size() << " vs " << baseline.size());
  std::vector<double> d(scenario.size());
  for (std::size_t t = 0; t < d.size(); ++t)
    d[t] = static_cast<double>(scenario[t]) - static_cast<double>(baseline[t]);
  return d;
}

template <class T>
PipelineDifference pipeline_difference(std::string key, std::string label, bool dollars,
                                       const std::vector<T>& scenario, const std::vector<T>& baseline) {
  PipelineDifference p{std::move(key), std::move(label), dollars, 0.0, {}};
  p.mean = mean(std::span<const T>(scenario));
  const std::vector<double> d = difference(scenario, baseline);
  p.difference = summarize(std::span<const double>(d));
  return p;
}

std::vector<PipelineDifference> pipeline_differences(const TrialResults& s, const TrialResults& b) {
  return {pipeline_difference("opportunities", "Opportunities", false, s.opportunities, b.opportunities),
          pipeline_difference("good_fits", "Good fits", false, s.good_fits, b.good_fits),
          pipeline_difference("wins_done_right", "Deals won had nothing gone wrong", false, s.wins_done_right,
                              b.wins_done_right),
          pipeline_difference("wins", "Deals won", false, s.wins, b.wins),
          pipeline_difference("should_have_bought", "Deals that should have been won", false,
                              s.should_have_bought, b.should_have_bought),
          pipeline_difference("revenue_done_right", "Revenue had nothing gone wrong", true,
                              s.revenue_done_right, b.revenue_done_right),
          pipeline_difference("revenue", "Revenue as it happened", true, s.revenue, b.revenue),
          pipeline_difference("nonbuyer_hours", "Hours spent on poor fits", false, s.nonbuyer_hours,
                              b.nonbuyer_hours)};
}

std::vector<MistakeDifference> mistake_differences(const Model& base_model, const TrialResults& base,
                                                   const Model& model, const TrialResults& r) {
  std::vector<MistakeDifference> out;
  const std::vector<double> zeros(r.count, 0.0);
  auto column = [&](const Model& m, const TrialResults& res,
                    const std::string& id) -> std::span<const double> {
    for (std::size_t k = 0; k < m.mistakes.size(); ++k)
      if (m.mistakes[k].id == id) return res.mistake_cost_column(k);
    return zeros;
  };
  auto has = [](const Model& m, const std::string& id) {
    return std::any_of(m.mistakes.begin(), m.mistakes.end(), [&](const Mistake& k) { return k.id == id; });
  };
  for (const Mistake& k : base_model.mistakes) out.push_back({k.id, k.name, true, has(model, k.id), {}, {}});
  for (const Mistake& k : model.mistakes)
    if (!has(base_model, k.id)) out.push_back({k.id, k.name, false, true, {}, {}});
  parallel::for_each_index(std::size_t{0}, out.size(), [&](std::size_t i) {
    MistakeDifference& d = out[i];
    const std::span<const double> mine = column(model, r, d.id);
    d.cost = summarize(mine);
    d.difference = summarize_difference(mine, column(base_model, base, d.id));
  });
  return out;
}

}  // namespace

std::vector<DrawSite> draw_sites(const Model& m) {
  std::vector<DrawSite> out;
  for (const YearInput& in : m.inputs)
    if (!in.internal && in.dist.kind != DistKind::constant)
      out.push_back({in.path, in.slot, DrawLevel::year, dist_name(in.dist.kind)});
  add_amount(out, m.opportunities_per_rep ? "pipeline.opportunities_per_rep" : "pipeline.opportunities",
             m.opportunities, DrawLevel::year);
  out.push_back({"pipeline (fit, repeat, pilot and close of each opportunity)", m.opportunity_slot,
                 DrawLevel::opportunity, "words"});
  add_amount(out, "pipeline.deal_size", m.deal_size, DrawLevel::opportunity);
  add_amount(out, "pipeline.qualify_hours", m.qualify_hours, DrawLevel::opportunity);
  add_amount(out, "pipeline.customer_value", m.customer_value, DrawLevel::opportunity);
  for (const Mistake& k : m.mistakes) {
    const std::string p = "mistake." + k.id;
    out.push_back({p + " (whether it happens, is noticed, loses the deal, churns the customer)", k.event_slot,
                   DrawLevel::occurrence, "words"});
    add_amount(out, p + ".wasted_hours", k.wasted_hours, DrawLevel::occurrence);
    add_amount(out, p + ".direct_cost", k.direct_cost, DrawLevel::occurrence);
    add_amount(out, p + ".discount", k.discount, DrawLevel::occurrence);
    if (k.has_recovery) {
      add_amount(out, p + ".recovery.hours", k.recovery_hours, DrawLevel::occurrence);
      add_amount(out, p + ".recovery.saved", k.recovery_saved, DrawLevel::occurrence);
    }
  }
  return out;
}

DrawSharing draw_sharing(const Model& baseline, const Model& scenario) {
  DrawSharing s;
  const std::vector<DrawSite> a = draw_sites(baseline), b = draw_sites(scenario);
  // A site is matched by its slot (the hash of its path) and level: the address its draws come from.
  auto find = [](const std::vector<DrawSite>& sites, const DrawSite& x) {
    return std::find_if(sites.begin(), sites.end(),
                        [&](const DrawSite& y) { return y.slot == x.slot && y.level == x.level; });
  };
  for (const DrawSite& x : a) {
    const auto y = find(b, x);
    if (y == b.end())
      s.only_baseline.push_back(x.path);
    else if (y->family == x.family)
      s.shared.push_back(x.path);
    else
      s.other_family.push_back(fmt::format("{} ({} in the baseline, {} here)", x.path, x.family, y->family));
  }
  for (const DrawSite& y : b)
    if (find(a, y) == a.end()) s.only_scenario.push_back(y.path);
  return s;
}

void check_comparable(const std::vector<StudyFile>& studies, bool seed_given, bool trials_given) {
  SIM_CHECK(!studies.empty(), << "no study");
  const StudyFile& first = studies.front();
  for (std::size_t i = 1; i < studies.size(); ++i) {
    const StudyFile& s = studies[i];
    const SourceLocation where{s.file, 0, 0};
    if (!seed_given && s.model.seed != first.model.seed)
      throw InputError(where, "study.seed",
                       fmt::format("files are compared over the same simulated years, so they need the same "
                                   "seed: this one has {}, the baseline {} has {}; set the same study.seed "
                                   "in both or pass --seed for all",
                                   s.model.seed, first.file, first.model.seed));
    if (!trials_given && s.model.trials != first.model.trials)
      throw InputError(where, "study.trials",
                       fmt::format("files are compared over the same simulated years, so they need the same "
                                   "number of them: this one has {}, the baseline {} has {}; set the same "
                                   "study.trials in both or pass --trials for all",
                                   s.model.trials, first.file, first.model.trials));
    if (s.model.currency != first.model.currency)
      throw InputError(where, "study.currency",
                       fmt::format("costs in {} cannot be compared with the baseline {}'s costs in {}",
                                   s.model.currency, first.file, first.model.currency));
    if (s.model.value != first.model.value)
      throw InputError(where, "study.value",
                       fmt::format("this study values deals by their {}, the baseline {} by their {}: "
                                   "the figures would not be comparable",
                                   s.model.value == ValueBasis::margin ? "margin" : "revenue", first.file,
                                   first.model.value == ValueBasis::margin ? "margin" : "revenue"));
  }
}

FileComparison compare_files(const std::vector<StudyFile>& studies, const RunOptions& options) {
  SIM_CHECK(!studies.empty(), << "no study");
  FileComparison out;
  out.first_trial = options.first_trial;
  out.seed = studies.front().model.seed;
  for (const StudyFile& s : studies) {
    FileScenario f;
    f.file = s.file;
    f.name = s.model.name;
    f.results = run_trials(s.model, Scenario{}, options);
    out.scenarios.push_back(std::move(f));
  }
  out.trials = out.scenarios.front().results.count;
  const TrialResults& base = out.scenarios.front().results;
  const double var_base = variance(base.cost_total);
  for (std::size_t i = 0; i < out.scenarios.size(); ++i) {
    FileScenario& f = out.scenarios[i];
    const TrialResults& r = f.results;
    SIM_CHECK(r.count == base.count, << r.count << " vs " << base.count << " trials");
    f.cost = summarize_cost(r);
    f.difference_total = difference(r.cost_total, base.cost_total);
    f.difference_known = difference(r.cost_known, base.cost_known);
    f.difference_unknown = difference(r.cost_unknown, base.cost_unknown);
    f.difference_total_summary = summarize(std::span<const double>(f.difference_total));
    f.difference_known_summary = summarize(std::span<const double>(f.difference_known));
    f.difference_unknown_summary = summarize(std::span<const double>(f.difference_unknown));
    std::uint64_t cheaper = 0, costlier = 0;
    for (double d : f.difference_total) {
      cheaper += d < 0.0;
      costlier += d > 0.0;
    }
    const double n = static_cast<double>(std::max<std::uint64_t>(1, r.count));
    f.p_cheaper = static_cast<double>(cheaper) / n;
    f.p_costlier = static_cast<double>(costlier) / n;
    const double var_paired = variance(f.difference_total);
    f.variance_reduction = var_paired > 0.0 ? (var_base + variance(r.cost_total)) / var_paired
                                            : std::numeric_limits<double>::infinity();
    const Model& model = studies[i].model;
    f.mistakes = mistake_differences(studies.front().model, base, model, r);
    f.pipeline = pipeline_differences(r, base);
    f.sharing = draw_sharing(studies.front().model, model);
  }
  return out;
}

}  // namespace mistakesim
