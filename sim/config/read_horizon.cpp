// Reading the keys of rep capacity and of the multi-year horizon (docs/study-file.md, "Capacity and
// the value of time", "A horizon of several years"): study.years, study.discount_rate,
// study.time_value, team.selling_hours_per_rep, pipeline.pursuit_hours,
// pipeline.extra_opportunities, pipeline.growth, pipeline.repeat_value and
// intervention.<id>.effect_by_year. Kept apart from read_study.cpp, which calls these.

#include <fmt/format.h>

#include <cmath>

#include "config/read_horizon.hpp"

namespace mistakesim::detail {

namespace {

inline constexpr ValidRange kGrowth{-1.0, kInfinity,
                                    "a growth rate is >= -1 (a yearly change of -100 % or more)"};
inline constexpr ValidRange kSupply{0.0, kInfinity, "a number of opportunities is >= 0"};

}  // namespace

std::vector<std::string> with_horizon_keys(std::vector<std::string> keys, const std::string& section) {
  if (section == "study") keys.insert(keys.end(), {"years", "discount_rate", "time_value"});
  if (section == "team") keys.insert(keys.end(), {"selling_hours_per_rep"});
  if (section == "pipeline")
    keys.insert(keys.end(), {"pursuit_hours", "extra_opportunities", "growth", "repeat_value"});
  if (section == "intervention") keys.insert(keys.end(), {"effect_by_year"});
  return keys;
}

void read_horizon_keys(const FileContext& ctx, const toml::table& t, const std::string& section,
                       StudySpec& spec) {
  if (section == "study") {
    if (const toml::node* n = t.get("years")) {
      const char* expected = "a whole number of years in [1, 50]";
      if (!n->is_integer() || n->as_integer()->get() < 1 || n->as_integer()->get() > 50)
        throw InputError(location(ctx, *n), "study.years",
                         fmt::format("expected {}, got {}", expected, describe_node(*n)));
      spec.years = Located<std::int64_t>{n->as_integer()->get(), location(ctx, *n)};
    }
    if (const toml::node* n = t.get("discount_rate")) {
      const double x = read_number(ctx, *n, "study.discount_rate", "a yearly discount rate (a number >= 0)");
      if (x < 0 || x > 10)
        throw InputError(
            location(ctx, *n), "study.discount_rate",
            fmt::format("expected a yearly discount rate in [0, 10] (0.08 for 8 %), got {}", number_text(x)));
      spec.discount_rate = Located<double>{x, location(ctx, *n)};
    }
    if (const toml::node* n = t.get("time_value")) {
      const std::string v = read_string(ctx, *n, "study.time_value", "\"wage\" or \"opportunity\"");
      if (v != "wage" && v != "opportunity")
        throw InputError(
            location(ctx, *n), "study.time_value",
            fmt::format("expected \"wage\" (an hour costs the team's hourly cost) or "
                        "\"opportunity\" (an hour costs the wins it would have produced), got \"{}\"",
                        v));
      spec.time_value = Located<std::string>{v, location(ctx, *n)};
    }
  } else if (section == "team") {
    if (const toml::node* n = t.get("selling_hours_per_rep"))
      spec.params["team.selling_hours_per_rep"] = read_param(ctx, *n, "team.selling_hours_per_rep", kHours);
  } else if (section == "pipeline") {
    if (const toml::node* n = t.get("pursuit_hours"))
      spec.params["pipeline.pursuit_hours"] = read_param(ctx, *n, "pipeline.pursuit_hours", kHours);
    if (const toml::node* n = t.get("repeat_value"))
      spec.params["pipeline.repeat_value"] = read_param(ctx, *n, "pipeline.repeat_value", kMoney);
    if (const toml::node* n = t.get("growth"))
      spec.params["pipeline.growth"] = read_param(ctx, *n, "pipeline.growth", kGrowth);
    if (const toml::node* n = t.get("extra_opportunities")) {
      const std::string path = "pipeline.extra_opportunities";
      if (n->is_string()) {
        if (n->as_string()->get() != "unlimited")
          throw InputError(location(ctx, *n), path,
                           fmt::format("expected a number of opportunities a year or \"unlimited\", got {}",
                                       describe_node(*n)));
        spec.extra_unlimited = location(ctx, *n);
      } else {
        spec.params[path] = read_param(ctx, *n, path, kSupply);
        spec.extra_unlimited.reset();
      }
    }
  }
}

void read_effect_by_year(const FileContext& ctx, const toml::table& t, const std::string& prefix,
                         InterventionSpec& iv) {
  const toml::node* n = t.get("effect_by_year");
  if (!n) return;
  const std::string path = prefix + ".effect_by_year";
  const toml::array* array = n->as_array();
  if (!array || array->empty())
    throw InputError(location(ctx, *n), path,
                     fmt::format("expected the share of the effect in each year, e.g. [0.5, 1, 0.8], got {}",
                                 describe_node(*n)));
  Located<std::vector<double>> shares{{}, location(ctx, *n)};
  for (const toml::node& element : *array) {
    const double x = read_number(ctx, element, path, "a share of the effect in [0, 1]");
    if (x < 0 || x > 1)
      throw InputError(location(ctx, element), path,
                       fmt::format("a share of the effect lies in [0, 1], got {}", number_text(x)));
    shares.value.push_back(x);
  }
  iv.effect_by_year = std::move(shares);
}

void merge_horizon(StudySpec& base, const StudySpec& own) {
  if (own.years) base.years = own.years;
  if (own.discount_rate) base.discount_rate = own.discount_rate;
  if (own.time_value) base.time_value = own.time_value;
  // A repeat customer's value is one setting written one of two ways (a lump, or a value a year).
  if (own.params.count("pipeline.repeat_value")) base.params.erase("pipeline.customer_value");
  if (own.params.count("pipeline.customer_value")) base.params.erase("pipeline.repeat_value");
  if (own.extra_unlimited) base.params.erase("pipeline.extra_opportunities");
  if (own.params.count("pipeline.extra_opportunities")) base.extra_unlimited.reset();
  if (own.extra_unlimited) base.extra_unlimited = own.extra_unlimited;
}

}  // namespace mistakesim::detail
