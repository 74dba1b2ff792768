// Sweeps: the study run at each value of one (or two) year-level inputs, every point over the same
// trials with the same seed. Pinning an input replaces its year-level draw by the constant after
// the draws are made (engine.cpp draw_year), so every other quantity of a trial keeps its random
// numbers and the points differ only by the parameter's effect.
//
// Each point is summarised as soon as it is run and its per-trial columns are dropped: a sweep of
// many points costs the memory of one run.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <mistakesim/random.hpp>
#include <mistakesim/whatif.hpp>

namespace mistakesim {
namespace {

//! The valid range of an input in words: as the study file's checks say it (the compiler sets it),
//! or the bounds themselves for an input built without it.
std::string range_words(const YearInput& in) {
  if (!in.range_words.empty()) return in.range_words;
  return fmt::format("a value lies in [{}, {}]", in.lower, in.upper);
}

}  // namespace

InputId sweep_input(const Model& model, const std::string& path, const std::string& option) {
  const InputId id = model.find_input(path);
  if (id != kNoInput && !model.inputs[id].internal) return id;
  std::string valid;
  for (const YearInput& in : model.inputs)
    if (!in.internal) valid += (valid.empty() ? "" : ", ") + in.path;
  throw InputError(
      {}, option,
      fmt::format("\"{}\" is not a year-level input of the study; a sweep can set one of: {}", path, valid));
}

void check_sweep_value(const Model& model, InputId input, double value) {
  SIM_CHECK(input < model.inputs.size(), << input);
  const YearInput& in = model.inputs[input];
  if (!(value >= in.lower && value <= in.upper))
    throw InputError({}, in.path, fmt::format("{}, got {}", range_words(in), value));
}

SweepAxis make_sweep_axis(const Model& model, const std::string& path, std::vector<double> values,
                          const std::string& option) {
  SweepAxis axis;
  axis.input = sweep_input(model, path, option);
  axis.path = path;
  if (values.empty()) throw InputError({}, option, "a sweep needs at least one value, got none");
  for (double v : values) check_sweep_value(model, axis.input, v);
  axis.values = std::move(values);
  return axis;
}

const StudyVariants::Value* StudyVariants::find(const std::string& path) const {
  for (const Value& v : values)
    if (v.path == path) return &v;
  return nullptr;
}

SweepAxis make_variant_axis(Model& model, const StudyVariants& variants, const std::string& path,
                            std::vector<double> values) {
  const StudyVariants::Value* v = variants.find(path);
  SIM_CHECK(v != nullptr && variants.compile, << path << " is not a value the study variants set");
  if (values.empty()) throw InputError({}, path, "a sweep needs at least one value, got none");
  for (double x : values) (void)variants.compile({{path, x}});  // refuses a value the study cannot take
  SweepAxis axis;
  axis.path = path;
  axis.values = std::move(values);
  axis.compiled = true;
  YearInput shown{path, v->dist, slot_of(path), v->lower, v->upper, false, v->range_words};
  model.inputs.push_back(std::move(shown));
  axis.input = static_cast<InputId>(model.inputs.size() - 1);
  return axis;
}

SweepPoint summarize_point(const TrialResults& r) {
  SweepPoint p;
  const SortedSummary total = summarize_sorted(r.cost_total);
  p.total = total.summary;
  p.known = summarize(std::span<const double>(r.cost_known));
  p.unknown = summarize(std::span<const double>(r.cost_unknown));
  p.total_p05 = quantile_ci(total.sorted, 0.05);
  p.total_p50 = quantile_ci(total.sorted, 0.50);
  p.total_p95 = quantile_ci(total.sorted, 0.95);
  p.pipeline = pipeline_means(r);
  p.mistake_cost_mean.resize(r.mistake_count);
  for (std::size_t m = 0; m < r.mistake_count; ++m) p.mistake_cost_mean[m] = mean(r.mistake_cost_column(m));
  return p;
}

Sweep run_sweep(const Model& model, const SweepAxis& axis, const std::optional<SweepAxis>& axis2,
                const RunOptions& options, const StudyVariants* variants,
                const std::vector<std::string>& interventions) {
  for (const SweepAxis* a : {&axis, axis2 ? &*axis2 : nullptr}) {
    if (a == nullptr) continue;
    SIM_CHECK(a->input < model.inputs.size(), << a->input);
    SIM_CHECK(!a->compiled || (variants != nullptr && variants->compile),
              << a->path << " needs the study variants");
    if (!a->compiled)
      for (double v : a->values) check_sweep_value(model, a->input, v);
  }
  if (axis2) SIM_CHECK(axis2->input != axis.input, << "both sweep axes pin " << axis.path);

  Sweep sweep;
  sweep.axis = axis;
  sweep.axis2 = axis2;
  sweep.first_trial = options.first_trial;
  sweep.trials = options.trials != 0 ? options.trials : model.trials;
  sweep.interventions = interventions;
  const std::vector<double> second = axis2 ? axis2->values : std::vector<double>{0.0};
  std::vector<double> first_cost, first_net;  // the first point's per-trial costs, for paired changes
  for (double v : axis.values) {
    for (double v2 : second) {
      // Values that are not year-level inputs compile the study again; year-level ones are pinned.
      std::vector<std::pair<std::string, double>> set;
      if (axis.compiled) set.emplace_back(axis.path, v);
      if (axis2 && axis2->compiled) set.emplace_back(axis2->path, v2);
      const std::optional<Model> compiled =
          set.empty() ? std::nullopt : std::optional(variants->compile(set));
      const Model& at = compiled ? *compiled : model;
      Scenario scenario;
      if (!axis.compiled) scenario.pinned.emplace_back(at.find_input(axis.path), v);
      if (axis2 && !axis2->compiled) scenario.pinned.emplace_back(at.find_input(axis2->path), v2);
      for (const auto& pin : scenario.pinned) SIM_CHECK(pin.first != kNoInput, << "a swept input vanished");
      for (const std::string& id : interventions) {
        const auto it = std::find_if(at.interventions.begin(), at.interventions.end(),
                                     [&](const Intervention& iv) { return iv.id == id; });
        SIM_CHECK(it != at.interventions.end(), << "no intervention " << id);
        scenario.interventions.push_back(static_cast<std::size_t>(it - at.interventions.begin()));
      }
      const TrialResults results = run_trials(at, scenario, options);
      SweepPoint point = summarize_point(results);
      if (sweep.points.empty()) first_cost = results.cost_total;
      point.change_from_first = summarize_difference(results.cost_total, first_cost);
      if (!interventions.empty()) {
        std::vector<double> cost(results.count), net(results.count);
        for (std::uint64_t t = 0; t < results.count; ++t) {
          cost[t] = results.intervention_cost_at(t);
          net[t] = results.cost_total[t] + cost[t];
        }
        if (sweep.points.empty()) first_net = net;
        point.intervention_cost = summarize(std::span<const double>(cost));
        point.net_change_from_first = summarize_difference(net, first_net);
        point.net = summarize(std::span<const double>(net));
      }
      point.value = v;
      if (axis2) point.value2 = v2;
      sweep.points.push_back(std::move(point));
    }
  }
  return sweep;
}

}  // namespace mistakesim
