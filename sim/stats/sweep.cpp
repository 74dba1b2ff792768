// Sweeps: the study run at each value of one (or two) year-level inputs, every point over the same
// trials with the same seed. Pinning an input replaces its year-level draw by the constant after
// the draws are made (engine.cpp draw_year), so every other quantity of a trial keeps its random
// numbers and the points differ only by the parameter's effect.
//
// Each point is summarised as soon as it is run and its per-trial columns are dropped: a sweep of
// many points costs the memory of one run.

#include <mistakesim/errors.hpp>
#include <mistakesim/whatif.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace mistakesim {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

//! The valid range of an input in words, as the config layer says it.
std::string range_words(const YearInput& in) {
  if (in.lower == 0.0 && in.upper == 1.0)
    return ends_with(in.path, ".margin") ? "a fraction lies in [0, 1]" : "a probability lies in [0, 1]";
  if (in.lower == 0.0 && std::isinf(in.upper))
    return ends_with(in.path, "hourly_cost") ? "an hourly cost is >= 0" : "a value is >= 0";
  return fmt::format("a value lies in [{}, {}]", in.lower, in.upper);
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

//! One number; "_" digit separators are dropped (as in TOML). nullopt when it is not a finite number.
std::optional<double> parse_number(const std::string& text) {
  std::string digits;
  for (char c : trim(text))
    if (c != '_') digits += c;
  if (digits.empty()) return std::nullopt;
  const char* first = digits.data();
  if (*first == '+') ++first;
  double x = 0.0;
  const auto [end, ec] = std::from_chars(first, digits.data() + digits.size(), x);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    const auto at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
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

std::vector<double> parse_sweep_values(const std::string& text, const std::string& option) {
  std::vector<double> values;
  for (const std::string& part : split(text, ',')) {
    const auto x = parse_number(part);
    if (!x)
      throw InputError(
          {}, option,
          fmt::format("expected comma-separated numbers such as 0.1,0.2,0.4, got \"{}\" in \"{}\"",
                      trim(part), text));
    values.push_back(*x);
  }
  return values;
}

std::vector<double> parse_sweep_range(const std::string& text, const std::string& option) {
  const std::vector<std::string> parts = split(text, ':');
  const auto fail = [&] {
    throw InputError({}, option,
                     fmt::format("expected lo:hi:n (n >= 1 evenly spaced values, ends included) such as "
                                 "0.4:0.7:4, got \"{}\"",
                                 text));
  };
  if (parts.size() != 3) fail();
  const auto lo = parse_number(parts[0]);
  const auto hi = parse_number(parts[1]);
  const auto n = parse_number(parts[2]);
  if (!lo || !hi || !n || *n < 1.0 || *n != std::floor(*n) || *n > 10'000.0) fail();
  const auto count = static_cast<std::size_t>(*n);
  std::vector<double> values(count);
  for (std::size_t i = 0; i < count; ++i)
    values[i] =
        count == 1 ? *lo : *lo + (*hi - *lo) * static_cast<double>(i) / static_cast<double>(count - 1);
  if (count > 1) values.back() = *hi;  // exactly hi, whatever the rounding
  return values;
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

SweepPoint summarize_point(const TrialResults& r) {
  SweepPoint p;
  p.total = summarize(std::span<const double>(r.cost_total));
  p.known = summarize(std::span<const double>(r.cost_known));
  p.unknown = summarize(std::span<const double>(r.cost_unknown));
  std::vector<double> sorted = r.cost_total;
  std::sort(sorted.begin(), sorted.end());
  p.total_p05 = quantile_ci(sorted, 0.05);
  p.total_p50 = quantile_ci(sorted, 0.50);
  p.total_p95 = quantile_ci(sorted, 0.95);
  p.pipeline = pipeline_means(r);
  p.mistake_cost_mean.resize(r.mistake_count);
  for (std::size_t m = 0; m < r.mistake_count; ++m) p.mistake_cost_mean[m] = mean(r.mistake_cost_column(m));
  return p;
}

Sweep run_sweep(const Model& model, const SweepAxis& axis, const std::optional<SweepAxis>& axis2,
                const RunOptions& options) {
  for (const SweepAxis* a : {&axis, axis2 ? &*axis2 : nullptr}) {
    if (a == nullptr) continue;
    SIM_CHECK(a->input < model.inputs.size(), << a->input);
    for (double v : a->values) check_sweep_value(model, a->input, v);
  }
  if (axis2) SIM_CHECK(axis2->input != axis.input, << "both sweep axes pin " << axis.path);

  Sweep sweep;
  sweep.axis = axis;
  sweep.axis2 = axis2;
  sweep.first_trial = options.first_trial;
  sweep.trials = options.trials != 0 ? options.trials : model.trials;
  const std::vector<double> second = axis2 ? axis2->values : std::vector<double>{0.0};
  std::vector<double> first_cost;  // the first point's per-trial cost, for paired changes
  for (double v : axis.values) {
    for (double v2 : second) {
      Scenario scenario;
      scenario.pinned.emplace_back(axis.input, v);
      if (axis2) scenario.pinned.emplace_back(axis2->input, v2);
      const TrialResults results = run_trials(model, scenario, options);
      SweepPoint point = summarize_point(results);
      if (sweep.points.empty()) first_cost = results.cost_total;
      point.change_from_first = summarize_difference(results.cost_total, first_cost);
      point.value = v;
      if (axis2) point.value2 = v2;
      sweep.points.push_back(std::move(point));
    }
  }
  return sweep;
}

}  // namespace mistakesim
