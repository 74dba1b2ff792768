// Reading a study file into a StudySpec: TOML parsing, section and key checks, typed values with
// their positions, `extends` (load the base, then override key by key and replace mistakes and
// interventions by id). Cross-references that need the whole merged study are checked by
// compile_study().

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include "config/read_horizon.hpp"
#include "config/toml_read.hpp"

namespace mistakesim::detail {
namespace {

namespace fs = std::filesystem;

struct KeyRange {
  const char* key;
  ValidRange range;
  bool per_draw = false;  //!< drawn per deal or occurrence: its distribution's parameters may be uncertain
};

const std::vector<std::string> kSections = {"extends", "study",   "team",         "pipeline",
                                            "process", "mistake", "intervention", "correlation"};
const std::vector<std::string> kStudyKeys = {"name", "trials", "seed", "currency", "value"};
const std::vector<std::string> kTeamKeys = {"reps", "hourly_cost"};
const std::vector<KeyRange> kPipelineParams = {
    {"opportunities_per_rep", kCount}, {"opportunities", kCount},    {"good_fit", kProbability},
    {"close_rate", kProbability},      {"deal_size", kMoney, true},  {"margin", kFraction},
    {"qualify_hours", kHours, true},   {"pilot_rate", kProbability}, {"repeat_customer", kProbability},
    {"customer_value", kMoney, true}};
const std::vector<std::string> kProcessKeys = {"stages"};
const std::vector<KeyRange> kMistakeParams = {{"probability", kProbability},  {"noticed", kProbability},
                                              {"lose", kProbability},         {"churn", kProbability},
                                              {"wasted_hours", kHours, true}, {"direct_cost", kMoney, true},
                                              {"discount", kFraction, true}};
const std::vector<KeyRange> kRecoveryParams = {
    {"hours", kHours, true}, {"hourly_cost", kHourlyCost}, {"saved", kFraction, true}};
const std::vector<std::string> kAppliesTo = {"all", "good_fit", "poor_fit", "pilot", "repeat"};
const std::vector<std::string> kInterventionKeys = {
    "id", "name", "cost", "cost_per_rep", "hours_per_rep", "effect", "remove"};
const std::vector<std::string> kEffectKeys = {"param", "scale", "set", "add"};
const std::vector<std::string> kCorrelationKeys = {"a", "b", "rank"};

std::vector<std::string> names_of(const std::vector<KeyRange>& keys, std::vector<std::string> extra = {}) {
  std::vector<std::string> out;
  for (const auto& k : keys) out.emplace_back(k.key);
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

//! Which section a key belongs to, for a key written at the top level by mistake.
std::string section_of_key(const std::string& key) {
  auto in = [&](const std::vector<std::string>& keys) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  if (in(kStudyKeys)) return "study";
  if (in(kTeamKeys)) return "team";
  if (in(names_of(kPipelineParams))) return "pipeline";
  if (in(kProcessKeys)) return "process";
  return {};
}

class StudyReader {
 public:
  //! `base`: the study this one extends (its mistakes and interventions may be redefined), or null.
  StudyReader(const FileContext& ctx, const StudySpec* base) : ctx_(ctx), base_(base) {}

  StudySpec read(const toml::table& root) {
    StudySpec spec;
    spec.file = ctx_.label;
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      if (std::find(kSections.begin(), kSections.end(), name) != kSections.end()) continue;
      std::string problem;
      if (const std::string section = section_of_key(name); !section.empty())
        problem = fmt::format("\"{}\" belongs in the [{}] section", name, section);
      else {
        problem = fmt::format("unknown section [{}]", name);
        if (const std::string guess = nearest(name, kSections); !guess.empty())
          problem += fmt::format(" (did you mean [{}]?)", guess);
        problem += fmt::format("; sections: {}", join(kSections));
      }
      throw InputError(location(ctx_, key.source()), name, problem);
    }
    if (const toml::node* n = root.get("study")) read_study_section(table(*n, "study", "[study]"), spec);
    if (const toml::node* n = root.get("team")) read_team(table(*n, "team", "[team]"), spec);
    if (const toml::node* n = root.get("pipeline")) read_pipeline(table(*n, "pipeline", "[pipeline]"), spec);
    if (const toml::node* n = root.get("process")) read_process(table(*n, "process", "[process]"), spec);
    if (const toml::node* n = root.get("mistake"))
      for (const toml::table* t : table_array(*n, "mistake")) spec.mistakes.push_back(read_mistake(*t, spec));
    if (const toml::node* n = root.get("intervention"))
      for (const toml::table* t : table_array(*n, "intervention"))
        spec.interventions.push_back(read_intervention(*t, spec));
    if (const toml::node* n = root.get("correlation"))
      for (const toml::table* t : table_array(*n, "correlation"))
        spec.correlations.push_back(read_correlation(*t));
    return spec;
  }

 private:
  const toml::table& table(const toml::node& node, const std::string& path, const std::string& what) {
    const toml::table* t = node.as_table();
    if (!t)
      throw InputError(location(ctx_, node), path,
                       fmt::format("expected the section {} (a table), got {}", what, describe_node(node)));
    return *t;
  }

  std::vector<const toml::table*> table_array(const toml::node& node, const std::string& path) {
    const toml::array* array = node.as_array();
    if (!array)
      throw InputError(location(ctx_, node), path,
                       fmt::format("write each {0} as its own [[{0}]] table (double brackets), got {1}", path,
                                   describe_node(node)));
    std::vector<const toml::table*> out;
    for (const toml::node& element : *array) {
      const toml::table* t = element.as_table();
      if (!t)
        throw InputError(
            location(ctx_, element), path,
            fmt::format("write each {0} as its own [[{0}]] table, got {1}", path, describe_node(element)));
      out.push_back(t);
    }
    return out;
  }

  Located<std::string> text(const toml::node& node, const std::string& path,
                            const char* expected = "a string") {
    return {read_string(ctx_, node, path, expected), location(ctx_, node)};
  }

  Located<std::int64_t> integer(const toml::node& node, const std::string& path, std::int64_t min,
                                const char* expected) {
    if (node.is_floating_point()) {
      const double x = node.as_floating_point()->get();
      const std::string got =
          (std::isfinite(x) && x == std::floor(x))
              ? fmt::format("{} written as a decimal number (drop the decimal point or exponent)",
                            number_text(x))
              : number_text(x);
      throw InputError(location(ctx_, node), path, fmt::format("expected {}, got {}", expected, got));
    }
    if (!node.is_integer())
      throw InputError(location(ctx_, node), path,
                       fmt::format("expected {}, got {}", expected, describe_node(node)));
    const std::int64_t x = node.as_integer()->get();
    if (x < min)
      throw InputError(location(ctx_, node), path, fmt::format("expected {}, got {}", expected, x));
    return {x, location(ctx_, node)};
  }

  Located<std::string> id(const toml::table& t, const std::string& what, std::size_t index) {
    const std::string fallback = fmt::format("{}[{}]", what, index);
    const toml::node* node = t.get("id");
    if (!node)
      throw InputError(location(ctx_, t), fallback,
                       fmt::format("a {} needs an id, e.g. id = \"{}\"", what,
                                   what == "mistake" ? "pilot-no-criteria" : "pilot-training"));
    Located<std::string> out = text(*node, fallback + ".id", "an id (a string)");
    const bool valid = !out.value.empty() && std::all_of(out.value.begin(), out.value.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!valid)
      throw InputError(
          out.where, fallback + ".id",
          fmt::format("an id uses only letters, digits, '-' and '_' (it becomes part of parameter "
                      "paths), got \"{}\"",
                      out.value));
    return out;
  }

  void read_study_section(const toml::table& t, StudySpec& spec) {
    spec.sections["study"] = location(ctx_, t);
    check_keys(ctx_, t, with_horizon_keys(kStudyKeys, "study"), "study", "[study]");
    read_horizon_keys(ctx_, t, "study", spec);
    if (const toml::node* n = t.get("name")) spec.name = text(*n, "study.name");
    if (const toml::node* n = t.get("trials")) {
      spec.trials = integer(*n, "study.trials", 1, "a whole number of trials >= 1");
      if (static_cast<std::uint64_t>(spec.trials->value) > kMaxTrials)
        throw InputError(
            spec.trials->where, "study.trials",
            fmt::format("at most {} trials in one run (each keeps a few hundred bytes of results), "
                        "got {}; --precision stops as soon as the answer is precise enough",
                        kMaxTrials, spec.trials->value));
    }
    if (const toml::node* n = t.get("seed")) spec.seed = integer(*n, "study.seed", 0, "a whole number >= 0");
    if (const toml::node* n = t.get("currency")) {
      spec.currency = text(*n, "study.currency", "a currency code such as \"USD\"");
      if (spec.currency->value.empty())
        throw InputError(spec.currency->where, "study.currency",
                         "expected a currency code such as \"USD\", got \"\"");
    }
    if (const toml::node* n = t.get("value")) {
      spec.value = text(*n, "study.value", "\"revenue\" or \"margin\"");
      if (spec.value->value != "revenue" && spec.value->value != "margin")
        throw InputError(spec.value->where, "study.value",
                         fmt::format("expected \"revenue\" or \"margin\", got \"{}\"", spec.value->value));
    }
  }

  void read_team(const toml::table& t, StudySpec& spec) {
    spec.sections["team"] = location(ctx_, t);
    check_keys(ctx_, t, with_horizon_keys(kTeamKeys, "team"), "team", "[team]");
    read_horizon_keys(ctx_, t, "team", spec);
    if (const toml::node* n = t.get("reps"))
      spec.reps = integer(*n, "team.reps", 1, "a whole number of reps >= 1");
    if (const toml::node* n = t.get("hourly_cost"))
      spec.params["team.hourly_cost"] = read_param(ctx_, *n, "team.hourly_cost", kHourlyCost);
  }

  void read_pipeline(const toml::table& t, StudySpec& spec) {
    spec.sections["pipeline"] = location(ctx_, t);
    check_keys(ctx_, t, with_horizon_keys(names_of(kPipelineParams), "pipeline"), "pipeline", "[pipeline]");
    read_horizon_keys(ctx_, t, "pipeline", spec);
    if (t.contains("opportunities_per_rep") && t.contains("opportunities"))
      throw InputError(location(ctx_, *t.get("opportunities")), "pipeline.opportunities",
                       "give either opportunities_per_rep or opportunities (the team's total), not both");
    for (const auto& [key, range, per_draw] : kPipelineParams)
      if (const toml::node* n = t.get(key)) {
        const std::string path = std::string("pipeline.") + key;
        spec.params[path] = read_param(ctx_, *n, path, range, per_draw);
      }
  }

  void read_process(const toml::table& t, StudySpec& spec) {
    spec.sections["process"] = location(ctx_, t);
    check_keys(ctx_, t, kProcessKeys, "process", "[process]");
    const toml::node* n = t.get("stages");
    if (!n) return;
    const toml::array* array = n->as_array();
    if (!array)
      throw InputError(
          location(ctx_, *n), "process.stages",
          fmt::format("expected an array of stage names such as [\"qualify\", \"propose\"], got {}",
                      describe_node(*n)));
    if (array->empty())
      throw InputError(location(ctx_, *n), "process.stages", "expected at least one stage, got []");
    Located<std::vector<std::string>> stages{{}, location(ctx_, *n)};
    for (const toml::node& element : *array) {
      const std::string stage = read_string(ctx_, element, "process.stages", "a stage name (a string)");
      if (stage.empty())
        throw InputError(location(ctx_, element), "process.stages", "expected a stage name, got \"\"");
      if (std::find(stages.value.begin(), stages.value.end(), stage) != stages.value.end())
        throw InputError(location(ctx_, element), "process.stages",
                         fmt::format("each stage appears once, got \"{}\" twice", stage));
      stages.value.push_back(stage);
    }
    spec.stages = std::move(stages);
  }

  //! Refuses an id that an earlier item of the same kind already has.
  template <class ItemSpec>
  static void unique_id(const Located<std::string>& id, const std::vector<ItemSpec>& earlier,
                        const std::string& path, const char* what) {
    for (const ItemSpec& other : earlier)
      if (other.id.value == id.value)
        throw InputError(id.where, path,
                         fmt::format("each {} id is used once, got \"{}\" again (first at line {})", what,
                                     id.value, other.id.where.line));
  }

  //! True if the base study has an item with this id (this file then redefines it, key by key).
  template <class ItemSpec>
  static bool in_base(const std::vector<ItemSpec>* base, const std::string& id) {
    return base != nullptr &&
           std::any_of(base->begin(), base->end(), [&](const ItemSpec& b) { return b.id.value == id; });
  }

  //! `remove = true`: drops the base's item of this id; refused for an id the base lacks, with
  //! other keys, or with a value other than true. Returns whether the table removes.
  template <class ItemSpec>
  bool read_remove(const toml::table& t, const std::string& prefix, const Located<std::string>& id,
                   const std::vector<ItemSpec>* base, const char* what) {
    const toml::node* n = t.get("remove");
    if (!n) return false;
    if (!n->is_boolean() || !n->as_boolean()->get())
      throw InputError(
          location(ctx_, *n), prefix + ".remove",
          fmt::format("remove = true drops the base study's {}; got {}", what, describe_node(*n)));
    if (!in_base(base, id.value))
      throw InputError(
          location(ctx_, *n), prefix + ".remove",
          fmt::format("remove = true drops a {} of the study this one extends, and {} has no {} "
                      "\"{}\"",
                      what, base_ ? "the base study" : "this study extends none, so it", what, id.value));
    for (auto&& [key, node] : t)
      if (key.str() != "id" && key.str() != "remove")
        throw InputError(location(ctx_, key.source()), prefix + "." + std::string(key.str()),
                         fmt::format("a {} with remove = true says nothing else (it is dropped), got {}",
                                     what, std::string(key.str())));
    return true;
  }

  MistakeSpec read_mistake(const toml::table& t, const StudySpec& spec) {
    MistakeSpec m;
    m.where = location(ctx_, t);
    m.id = id(t, "mistake", spec.mistakes.size() + 1);
    const std::string prefix = "mistake." + m.id.value;
    unique_id(m.id, spec.mistakes, prefix + ".id", "mistake");
    check_keys(ctx_, t, names_of(kMistakeParams, {"id", "name", "stage", "applies_to", "recovery", "remove"}),
               prefix, "a [[mistake]]");
    const bool redefines = in_base(base_ ? &base_->mistakes : nullptr, m.id.value);
    m.remove = read_remove(t, prefix, m.id, base_ ? &base_->mistakes : nullptr, "mistake");
    if (m.remove) return m;
    if (const toml::node* n = t.get("name")) m.name = text(*n, prefix + ".name");
    const toml::node* stage = t.get("stage");
    if (!stage && !redefines)
      throw InputError(m.where, prefix + ".stage",
                       "a mistake needs the stage where it happens, e.g. stage = \"pilot\"");
    if (stage) m.stage = text(*stage, prefix + ".stage", "a stage name (a string)");
    if (const toml::node* n = t.get("applies_to")) {
      m.applies_to = text(*n, prefix + ".applies_to", "one of all, good_fit, poor_fit, pilot, repeat");
      if (std::find(kAppliesTo.begin(), kAppliesTo.end(), m.applies_to->value) == kAppliesTo.end()) {
        std::string problem =
            fmt::format("expected one of {}, got \"{}\"", join(kAppliesTo), m.applies_to->value);
        if (const std::string guess = nearest(m.applies_to->value, kAppliesTo); !guess.empty())
          problem += fmt::format(" (did you mean \"{}\"?)", guess);
        throw InputError(m.applies_to->where, prefix + ".applies_to", problem);
      }
    }
    if (!t.contains("probability") && !redefines)
      throw InputError(
          m.where, prefix + ".probability",
          "a mistake needs the probability that it happens on an opportunity it applies to, e.g. "
          "probability = 0.2");
    for (const auto& [key, range, per_draw] : kMistakeParams)
      if (const toml::node* n = t.get(key))
        m.params[key] = read_param(ctx_, *n, prefix + "." + key, range, per_draw);
    if (const toml::node* n = t.get("recovery")) {
      const toml::table* r = n->as_table();
      if (!r)
        throw InputError(
            location(ctx_, *n), prefix + ".recovery",
            fmt::format("expected a table such as {{ hours = 40, hourly_cost = 500, saved = 0.5 }}, got {}",
                        describe_node(*n)));
      check_keys(ctx_, *r, names_of(kRecoveryParams), prefix + ".recovery", "a recovery");
      m.has_recovery = true;
      for (const auto& [key, range, per_draw] : kRecoveryParams)
        if (const toml::node* v = r->get(key))
          m.params[std::string("recovery.") + key] =
              read_param(ctx_, *v, prefix + ".recovery." + key, range, per_draw);
    }
    return m;
  }

  InterventionSpec read_intervention(const toml::table& t, const StudySpec& spec) {
    InterventionSpec iv;
    iv.where = location(ctx_, t);
    iv.id = id(t, "intervention", spec.interventions.size() + 1);
    const std::string prefix = "intervention." + iv.id.value;
    unique_id(iv.id, spec.interventions, prefix + ".id", "intervention");
    check_keys(ctx_, t, with_horizon_keys(kInterventionKeys, "intervention"), prefix, "an [[intervention]]");
    iv.remove = read_remove(t, prefix, iv.id, base_ ? &base_->interventions : nullptr, "intervention");
    if (iv.remove) return iv;
    read_effect_by_year(ctx_, t, prefix, iv);
    if (const toml::node* n = t.get("name")) iv.name = text(*n, prefix + ".name");
    auto money = [&](const char* key, const char* expected) -> std::optional<Located<double>> {
      const toml::node* n = t.get(key);
      if (!n) return std::nullopt;
      const std::string path = prefix + "." + key;
      const double x = read_number(ctx_, *n, path, expected);
      if (x < 0)
        throw InputError(location(ctx_, *n), path,
                         fmt::format("expected {}, got {}", expected, number_text(x)));
      return Located<double>{x, location(ctx_, *n)};
    };
    iv.cost = money("cost", "a cost >= 0 (a number)");
    iv.cost_per_rep = money("cost_per_rep", "a cost per rep >= 0 (a number)");
    iv.hours_per_rep = money("hours_per_rep", "hours per rep >= 0 (a number)");
    if (const toml::node* n = t.get("effect")) {
      const toml::array* array = n->as_array();
      if (!array)
        throw InputError(
            location(ctx_, *n), prefix + ".effect",
            fmt::format("expected an array of effects such as [ {{ param = \"pipeline.close_rate\", "
                        "scale = 1.1 }} ], got {}",
                        describe_node(*n)));
      for (const toml::node& element : *array)
        iv.effects.push_back(read_effect(element, prefix, iv.effects.size() + 1));
    }
    return iv;
  }

  EffectSpec read_effect(const toml::node& node, const std::string& prefix, std::size_t index) {
    const std::string path = fmt::format("{}.effect[{}]", prefix, index);
    const toml::table* t = node.as_table();
    if (!t)
      throw InputError(
          location(ctx_, node), path,
          fmt::format("expected an effect such as {{ param = \"pipeline.close_rate\", scale = 1.1 }}, got {}",
                      describe_node(node)));
    check_keys(ctx_, *t, kEffectKeys, path, "an effect");
    EffectSpec e;
    e.where = location(ctx_, *t);
    const toml::node* param = t->get("param");
    if (!param)
      throw InputError(e.where, path,
                       "an effect needs param, the path of the year-level input it changes, e.g. "
                       "param = \"mistake.pilot-no-criteria.probability\"");
    e.param = text(*param, path + ".param", "a parameter path (a string)");
    int ops = 0;
    for (const char* op : {"scale", "set", "add"})
      if (t->contains(op)) ++ops;
    if (ops != 1)
      throw InputError(e.where, path,
                       fmt::format("an effect has exactly one of scale, set or add, got {}",
                                   ops == 0 ? "none" : "several"));
    if (const toml::node* n = t->get("scale")) {
      e.op = EffectOp::scale;
      e.amount = read_param(ctx_, *n, path + ".scale", kScale);
    } else if (const toml::node* s = t->get("set")) {
      e.op = EffectOp::set;
      e.amount = read_param(ctx_, *s, path + ".set", kAnyNumber);  // range checked against the target
    } else {
      e.op = EffectOp::add;
      e.amount = read_param(ctx_, *t->get("add"), path + ".add", kAnyNumber);
    }
    return e;
  }

  CorrelationSpec read_correlation(const toml::table& t) {
    CorrelationSpec c;
    c.where = location(ctx_, t);
    check_keys(ctx_, t, kCorrelationKeys, "correlation", "a [[correlation]]");
    for (const char* key : {"a", "b", "rank"})
      if (!t.contains(key))
        throw InputError(
            c.where, std::string("correlation.") + key,
            "a correlation needs a, b (two uncertain year-level parameter paths) and rank (in [-1, 1])");
    c.a = text(*t.get("a"), "correlation.a", "a parameter path (a string)");
    c.b = text(*t.get("b"), "correlation.b", "a parameter path (a string)");
    const toml::node& rank = *t.get("rank");
    c.rank = {read_number(ctx_, rank, "correlation.rank", "a rank correlation in [-1, 1]"),
              location(ctx_, rank)};
    if (c.rank.value < -1 || c.rank.value > 1)
      throw InputError(c.rank.where, "correlation.rank",
                       fmt::format("a rank correlation lies in [-1, 1], got {}", number_text(c.rank.value)));
    return c;
  }

  const FileContext& ctx_;
  const StudySpec* base_;
};

//! A redefined mistake: what `own` says replaces the base's key by key (a recovery's keys too).
void merge_mistake(MistakeSpec& base, MistakeSpec own) {
  if (own.name) base.name = std::move(own.name);
  if (!own.stage.value.empty()) base.stage = std::move(own.stage);
  if (own.applies_to) base.applies_to = std::move(own.applies_to);
  for (auto& [key, param] : own.params) base.params[key] = std::move(param);
  base.has_recovery = base.has_recovery || own.has_recovery;
  base.id = std::move(own.id);  // errors about the mistake point at the file that says the most of it
  base.where = own.where;
}

//! A redefined intervention: costs key by key, effects by the parameter they change (a new one added).
void merge_intervention(InterventionSpec& base, InterventionSpec own) {
  if (own.name) base.name = std::move(own.name);
  if (own.cost) base.cost = own.cost;
  if (own.cost_per_rep) base.cost_per_rep = own.cost_per_rep;
  if (own.hours_per_rep) base.hours_per_rep = own.hours_per_rep;
  if (own.effect_by_year) base.effect_by_year = std::move(own.effect_by_year);
  for (EffectSpec& e : own.effects) {
    const auto it = std::find_if(base.effects.begin(), base.effects.end(),
                                 [&](const EffectSpec& b) { return b.param.value == e.param.value; });
    if (it != base.effects.end())
      *it = std::move(e);
    else
      base.effects.push_back(std::move(e));
  }
  base.id = std::move(own.id);
  base.where = own.where;
}

//! Mistakes or interventions of a study that extends another: an id the base has is merged into
//! the base's (or dropped, with remove = true); a new one is added after the base's.
template <class ItemSpec, class Merge>
void merge_items(std::vector<ItemSpec>& into, std::vector<ItemSpec> from, Merge merge) {
  for (ItemSpec& item : from) {
    const auto it = std::find_if(into.begin(), into.end(),
                                 [&](const ItemSpec& b) { return b.id.value == item.id.value; });
    if (it == into.end())
      into.push_back(std::move(item));
    else if (item.remove)
      into.erase(it);
    else
      merge(*it, std::move(item));
  }
}

//! Overrides `base` with what `own` says: key by key for the sections and for the mistakes and
//! interventions it names again (by id), by pair for correlations.
void merge_into(StudySpec& base, StudySpec own) {
  base.file = own.file;
  for (auto& [name, where] : own.sections) base.sections[name] = where;
  if (own.name) base.name = own.name;
  if (own.currency) base.currency = own.currency;
  if (own.value) base.value = own.value;
  if (own.trials) base.trials = own.trials;
  if (own.seed) base.seed = own.seed;
  if (own.reps) base.reps = own.reps;
  merge_horizon(base, own);
  // the opportunity count is one setting written one of two ways
  if (own.params.count("pipeline.opportunities") || own.params.count("pipeline.opportunities_per_rep")) {
    base.params.erase("pipeline.opportunities");
    base.params.erase("pipeline.opportunities_per_rep");
  }
  for (auto& [path, param] : own.params) base.params[path] = std::move(param);
  if (own.stages) base.stages = std::move(own.stages);
  // Items the study names again replace the base's; new ones are added after them.
  const auto upsert = [](auto& into, auto& from, auto same) {
    for (auto& item : from) {
      const auto it = std::find_if(into.begin(), into.end(), [&](const auto& b) { return same(b, item); });
      if (it != into.end())
        *it = std::move(item);
      else
        into.push_back(std::move(item));
    }
  };
  merge_items(base.mistakes, std::move(own.mistakes), merge_mistake);
  merge_items(base.interventions, std::move(own.interventions), merge_intervention);
  upsert(base.correlations, own.correlations, [](const CorrelationSpec& a, const CorrelationSpec& b) {
    return (a.a.value == b.a.value && a.b.value == b.b.value) ||
           (a.a.value == b.b.value && a.b.value == b.a.value);
  });
}

//! The TOML parser's message in the words of a study file, with a hint where a common slip is
//! recognised: a percent sign (55%), an unclosed string, a word without quotes.
std::string plain_toml_error(std::string_view text, const toml::parse_error& e) {
  const std::string_view what = e.description();
  // The line the parser stopped on, for the hints (never shown: it may not be ours to show).
  std::string_view line = text;
  for (std::size_t n = 1; n < e.source().begin.line && !line.empty(); ++n) {
    const std::size_t next = line.find('\n');
    line = next == std::string_view::npos ? std::string_view{} : line.substr(next + 1);
  }
  line = line.substr(0, line.find('\n'));
  const auto has = [&](std::string_view part) { return what.find(part) != std::string_view::npos; };
  if (line.find('%') != std::string_view::npos && (has("saw '%'") || has("'%'")))
    return "a share is written as a decimal, not with %: write 0.55 for 55%";
  if (has("unescaped control characters") || has("unterminated"))
    return "a string is not closed: a quote (\") is missing before the end of the line";
  if (has("expected 'true' or 'false'"))
    return fmt::format("expected a number, a \"quoted text\", true or false, or a {{ table }}: {}", what);
  if (has("decimal integer") || has("expected digit") || has("expected decimal digit"))
    return fmt::format("expected a number here, written with digits (e.g. 0.55, 12000 or 12_000): {}", what);
  return fmt::format("not valid TOML: {}", what);
}

}  // namespace

std::vector<fs::path> access_roots(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> roots;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    fs::path root = fs::canonical(dir.empty() ? fs::path(".") : dir, ec);
    if (!ec) roots.push_back(std::move(root));
  }
  return roots;
}

FileProblem read_input_file(const fs::path& file, const FileAccess* access, std::size_t max_bytes,
                            std::string& text) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return errno == EACCES ? FileProblem::unreadable : FileProblem::missing;
  if (S_ISDIR(st.st_mode)) return FileProblem::folder;
  if (!S_ISREG(st.st_mode)) return FileProblem::not_regular;
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) return FileProblem::too_large;
  std::error_code ec;
  const fs::path canonical = fs::canonical(file, ec);
  if (ec) return FileProblem::unreadable;
  if (access != nullptr && !access->roots.empty()) {
    const bool inside = std::any_of(access->roots.begin(), access->roots.end(), [&](const fs::path& root) {
      const auto [r, c] = std::mismatch(root.begin(), root.end(), canonical.begin(), canonical.end());
      return r == root.end();
    });
    if (!inside) return FileProblem::outside;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return FileProblem::unreadable;
  text.assign(max_bytes + 1 < static_cast<std::size_t>(st.st_size) + 1 ? max_bytes + 1
                                                                       : static_cast<std::size_t>(st.st_size),
              '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return FileProblem::unreadable;
  if (access != nullptr && access->read != nullptr) access->read->push_back(canonical);
  return FileProblem::none;
}

std::string describe(FileProblem problem, const FileAccess* access, std::size_t max_bytes,
                     const char* expected) {
  switch (problem) {
    case FileProblem::none:
      return {};
    case FileProblem::missing:
      return "no such file";
    case FileProblem::folder:
      return fmt::format("is a folder, expected {}", expected);
    case FileProblem::not_regular:
      return fmt::format("is not a regular file (a device, a FIFO or a socket), expected {}", expected);
    case FileProblem::too_large:
      return fmt::format("is larger than the {} MB {} may have", max_bytes >> 20, expected);
    case FileProblem::outside: {
      std::vector<std::string> roots;
      if (access != nullptr)
        for (const fs::path& root : access->roots) roots.push_back(root.string());
      return fmt::format(
          "is outside the folders a study may read from ({}); move it there, or name its folder with "
          "--allow-dir",
          join(roots));
    }
    case FileProblem::unreadable:
      return "cannot be read (permissions?)";
  }
  return {};
}

std::string read_text_file(const fs::path& file, const SourceLocation& referred_from, const std::string& path,
                           const std::string& shown, const FileAccess& access) {
  const bool itself = referred_from.file.empty();  // the study named on the command line
  const SourceLocation where = itself ? SourceLocation{shown} : referred_from;
  const std::string what = itself ? std::string{} : shown + ": ";
  std::string text;
  const FileProblem problem = read_input_file(file, itself ? nullptr : &access, kMaxStudyBytes, text);
  if (problem != FileProblem::none)
    throw InputError(where, path, what + describe(problem, &access, kMaxStudyBytes, "a study file (.toml)"));
  if (itself && access.read != nullptr) {
    std::error_code ec;
    access.read->push_back(fs::canonical(file, ec));
  }
  return text;
}

StudySpec read_study(std::string_view text, const std::string& label, const fs::path& base_dir,
                     std::vector<fs::path>& chain, const FileAccess& access) {
  FileContext ctx{label, base_dir, 0, &access, nullptr};
  auto document = std::make_shared<toml::table>();
  try {
    *document = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    throw InputError(location(ctx, e.source()), "", plain_toml_error(text, e));
  }
  ctx.document = document;
  const toml::table& root = *document;
  if (root.empty())
    throw InputError(
        SourceLocation{label}, "",
        "the study file is empty; a study needs at least [pipeline] with close_rate, deal_size and "
        "opportunities_per_rep (run `mistakesim init` for an annotated template)");

  StudySpec base;
  bool has_base = false;
  if (const toml::node* ext = root.get("extends")) {
    const std::string name = read_string(ctx, *ext, "extends", "the path of a base study file (a string)");
    const fs::path file = base_dir.empty() ? fs::path(name) : base_dir / name;
    const std::string shown = (fs::path(label).parent_path() / name).lexically_normal().string();
    const SourceLocation where = location(ctx, *ext);
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(file, ec);
    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
      std::vector<std::string> names;
      for (const auto& f : chain) names.push_back(f.filename().string());
      names.push_back(canonical.filename().string());
      throw InputError(where, "extends",
                       fmt::format("a study cannot extend itself, got the cycle {}", join(names, " -> ")));
    }
    const std::string base_text = read_text_file(file, where, "extends", shown, access);
    chain.push_back(canonical);
    base = read_study(base_text, shown, file.parent_path(), chain, access);
    chain.pop_back();
    has_base = true;
  }
  StudySpec own = StudyReader(ctx, has_base ? &base : nullptr).read(root);
  if (!has_base) return own;
  merge_into(base, std::move(own));
  return base;
}

}  // namespace mistakesim::detail

namespace mistakesim::detail {
namespace {

const KeyRange* find_key(const std::vector<KeyRange>& keys, const std::string& key) {
  for (const KeyRange& k : keys)
    if (key == k.key) return &k;
  return nullptr;
}

//! The spec of a parameter `path` names, with its valid range: a [team]/[pipeline] number or a
//! mistake's, created (absent: the study's default) when `create`. nullptr if the path names none.
ParamSpec* param_at(StudySpec& spec, const std::string& path, ValidRange& range) {
  if (path == "team.hourly_cost") {
    range = kHourlyCost;
    return &spec.params[path];
  }
  if (path.rfind("pipeline.", 0) == 0)
    if (const KeyRange* k = find_key(kPipelineParams, path.substr(9))) {
      range = k->range;
      if (!spec.params.count(path)) return nullptr;  // the opportunity count written the other way
      return &spec.params[path];
    }
  for (MistakeSpec& m : spec.mistakes) {
    const std::string prefix = "mistake." + m.id.value + ".";
    if (path.rfind(prefix, 0) != 0) continue;
    const std::string key = path.substr(prefix.size());
    const KeyRange* k = key.rfind("recovery.", 0) == 0 && m.has_recovery
                            ? find_key(kRecoveryParams, key.substr(9))
                            : find_key(kMistakeParams, key);
    if (k == nullptr) return nullptr;
    range = k->range;
    return &m.params[key];
  }
  return nullptr;
}

//! A basic TOML string: quotes, backslashes and control characters escaped.
std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    else
      out += c;
  }
  return out + "\"";
}

//! A number in its shortest form that reads back exactly.
std::string toml_number(double x) { return number_text(x); }

//! A key as TOML writes it: bare when it can be, quoted otherwise.
std::string toml_key(const std::string& key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  if (bare) return key;
  return toml_string(key);
}

//! A value as the study wrote it, on one line: numbers in their shortest exact form (0.45, not
//! 0.45000000000000001), tables inline with `dist` first.
std::string toml_value(const toml::node& node) {
  if (const toml::table* t = node.as_table()) {  // keys in the order the file writes them
    std::vector<std::pair<const toml::key*, const toml::node*>> keys;
    for (auto&& [key, value] : *t) keys.emplace_back(&key, &value);
    std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
      const auto& x = a.first->source().begin;
      const auto& y = b.first->source().begin;
      return x.line != y.line ? x.line < y.line : x.column < y.column;
    });
    std::vector<std::string> parts;
    for (const auto& [key, value] : keys)
      parts.push_back(toml_key(std::string(key->str())) + " = " + toml_value(*value));
    return parts.empty() ? "{}" : "{ " + join(parts) + " }";
  }
  if (const toml::array* a = node.as_array()) {
    std::vector<std::string> parts;
    for (const toml::node& element : *a) parts.push_back(toml_value(element));
    return "[" + join(parts) + "]";
  }
  if (node.is_integer()) return fmt::format("{}", node.as_integer()->get());
  if (node.is_floating_point()) return toml_number(node.as_floating_point()->get());
  if (node.is_string()) return toml_string(node.as_string()->get());
  if (node.is_boolean()) return node.as_boolean()->get() ? "true" : "false";
  return "\"\"";
}

std::string param_value(const ParamSpec& p) {
  if (p.source && p.source->node) return toml_value(*p.source->node);
  return toml_number(p.dist.is_constant() ? p.dist.p[0] : p.dist.mean());
}

}  // namespace

std::vector<StudyValue> overridable_values(const StudySpec& spec) {
  std::vector<StudyValue> out;
  const auto add = [&](const std::string& path, const ParamSpec* p, const ValidRange& range,
                       double fallback) {
    out.push_back({path, p == nullptr ? Distribution::constant(fallback) : p->dist, range.lower, range.upper,
                   range.what});
    if (p == nullptr || !p->source || !p->source->node || !p->uncertain.empty()) return;
    if (const toml::table* t = p->source->node->as_table())  // one number of its distribution
      for (auto&& [key, node] : *t)
        if (node.is_number())
          out.push_back({path + "." + std::string(key.str()), Distribution::constant(*node.value<double>()),
                         -kInfinity, kInfinity, "a number of the distribution"});
  };
  out.push_back({"team.reps", Distribution::constant(spec.reps ? static_cast<double>(spec.reps->value) : 1.0),
                 1, 1e6, "a whole number of reps >= 1"});
  const auto find = [](const Params& params, const std::string& key) -> const ParamSpec* {
    const auto it = params.find(key);
    return it != params.end() ? &it->second : nullptr;
  };
  add("team.hourly_cost", find(spec.params, "team.hourly_cost"), kHourlyCost, 0);
  for (const KeyRange& k : kPipelineParams) {
    const std::string path = std::string("pipeline.") + k.key;
    const ParamSpec* p = find(spec.params, path);
    if (p == nullptr && (path == "pipeline.opportunities" || path == "pipeline.opportunities_per_rep"))
      continue;
    add(path, p, k.range, path == "pipeline.good_fit" || path == "pipeline.margin" ? 1 : 0);
  }
  for (const MistakeSpec& m : spec.mistakes) {
    const std::string prefix = "mistake." + m.id.value + ".";
    for (const KeyRange& k : kMistakeParams) add(prefix + k.key, find(m.params, k.key), k.range, 0);
    if (m.has_recovery)
      for (const KeyRange& k : kRecoveryParams)
        add(prefix + "recovery." + k.key, find(m.params, std::string("recovery.") + k.key), k.range, 0);
  }
  for (const InterventionSpec& iv : spec.interventions) {
    const std::string prefix = "intervention." + iv.id.value + ".";
    const auto number = [](const std::optional<Located<double>>& x) { return x ? x->value : 0.0; };
    out.push_back({prefix + "cost", Distribution::constant(number(iv.cost)), 0, kInfinity, kMoney.what});
    out.push_back({prefix + "cost_per_rep", Distribution::constant(number(iv.cost_per_rep)), 0, kInfinity,
                   kMoney.what});
    out.push_back({prefix + "hours_per_rep", Distribution::constant(number(iv.hours_per_rep)), 0, kInfinity,
                   kHours.what});
    for (const EffectSpec& e : iv.effects)
      out.push_back({prefix + e.param.value, e.amount.dist, e.amount.range.lower, e.amount.range.upper,
                     e.amount.range.what});
  }
  for (const std::string& path : scalable_amounts(spec))
    out.push_back({path + ":scale", Distribution::constant(1), 0, kInfinity, kScale.what});
  return out;
}

std::vector<std::string> scalable_amounts(const StudySpec& spec) {
  std::vector<std::string> out;
  for (const KeyRange& k : kPipelineParams)
    if (k.per_draw) out.push_back(std::string("pipeline.") + k.key);
  for (const MistakeSpec& m : spec.mistakes) {
    const std::string prefix = "mistake." + m.id.value + ".";
    for (const KeyRange& k : kMistakeParams)
      if (k.per_draw) out.push_back(prefix + k.key);
    if (m.has_recovery)
      for (const KeyRange& k : kRecoveryParams)
        if (k.per_draw) out.push_back(prefix + "recovery." + k.key);
  }
  return out;
}

void override_value(StudySpec& spec, const std::string& path, double value) {
  if (path == "team.reps") {
    if (!(value >= 1 && value == std::floor(value) && value <= 1e6))
      throw InputError({}, path,
                       fmt::format("expected a whole number of reps >= 1, got {}", number_text(value)));
    spec.reps = Located<std::int64_t>{static_cast<std::int64_t>(value),
                                      spec.reps ? spec.reps->where : SourceLocation{spec.file}};
    return;
  }
  if (const std::size_t colon = path.rfind(":scale");
      colon != std::string::npos && colon + 6 == path.size()) {  // every draw of an amount, scaled
    const std::string amount = path.substr(0, colon);
    const std::vector<std::string> amounts = scalable_amounts(spec);
    if (std::find(amounts.begin(), amounts.end(), amount) == amounts.end())
      throw InputError({}, path,
                       fmt::format("\"{}\" is not a per-deal or per-occurrence amount of the study; a scale "
                                   "multiplies the draws of one of: {}",
                                   amount, join(amounts)));
    if (!(value >= 0 && std::isfinite(value)))
      throw InputError({}, path, fmt::format("{}, got {}", kScale.what, number_text(value)));
    spec.amount_scales[amount] = value;
    return;
  }
  for (InterventionSpec& iv : spec.interventions) {  // an intervention's cost, or an effect's amount
    const std::string prefix = "intervention." + iv.id.value + ".";
    if (path.rfind(prefix, 0) != 0) continue;
    const std::string key = path.substr(prefix.size());
    if (key == "cost" || key == "cost_per_rep" || key == "hours_per_rep") {
      if (!(value >= 0 && std::isfinite(value)))
        throw InputError({}, path,
                         fmt::format("{}, got {}", key == "hours_per_rep" ? kHours.what : kMoney.what,
                                     number_text(value)));
      auto& field = key == "cost" ? iv.cost : key == "cost_per_rep" ? iv.cost_per_rep : iv.hours_per_rep;
      field = Located<double>{value, field ? field->where : iv.where};
      return;
    }
    for (EffectSpec& e : iv.effects)
      if (e.param.value == key) {
        const Distribution d = Distribution::constant(value);
        try {
          check_support(d, e.amount.range, e.amount.where, path);
        } catch (const InputError& err) {
          throw InputError({}, path, err.problem());
        }
        e.amount.dist = d;
        e.amount.uncertain.clear();
        e.amount.source = nullptr;
        return;
      }
  }
  ValidRange range;
  if (ParamSpec* p = param_at(spec, path, range)) {  // the parameter becomes that constant
    const SourceLocation where = p->source ? p->where : SourceLocation{spec.file};
    const Distribution d = Distribution::constant(value);
    try {
      check_support(d, range, where, path);
    } catch (const InputError& e) {
      throw InputError({}, path, e.problem());
    }
    *p = ParamSpec{d, where, range, path, {}, nullptr, {}};
    return;
  }
  // One number of a distribution: `pipeline.deal_size.median`.
  const std::size_t dot = path.rfind('.');
  if (dot != std::string::npos) {
    ParamSpec* p = param_at(spec, path.substr(0, dot), range);
    const std::string key = path.substr(dot + 1);
    const toml::table* t = p && p->source && p->source->node ? p->source->node->as_table() : nullptr;
    if (t != nullptr && t->get(key) != nullptr && t->get(key)->is_number()) {
      if (!p->uncertain.empty())
        throw InputError({}, path,
                         fmt::format("{} has uncertain parameters; set one of them ({}) or the whole amount",
                                     p->path, p->uncertain.front().path));
      try {
        const Distribution d = solve_with(*p->source, {{key, value}});
        check_support(d, range, p->where, p->path);
        p->dist = d;
        p->source = nullptr;  // no longer what the file says
      } catch (const InputError& e) {
        throw InputError({}, path, fmt::format("with {} = {}: {}", key, number_text(value), e.problem()));
      }
      return;
    }
  }
  throw InputError({}, path, "not a value of the study that can be set");
}

std::string effective_toml(const StudySpec& spec) {
  std::string out = fmt::format(
      "# The effective study of {}: what it says once every file it extends is merged in.\n"
      "# Keys it does not give take their defaults (docs/study-file.md); data files are named as\n"
      "# written, relative to the file that names them.\n",
      spec.file);
  const auto line = [&](const std::string& key, const std::string& value) {
    out += toml_key(key) + " = " + value + "\n";
  };
  out += "\n[study]\n";
  if (spec.name) line("name", toml_string(spec.name->value));
  if (spec.trials) line("trials", std::to_string(spec.trials->value));
  if (spec.seed) line("seed", std::to_string(spec.seed->value));
  if (spec.currency) line("currency", toml_string(spec.currency->value));
  if (spec.value) line("value", toml_string(spec.value->value));
  if (spec.years) line("years", std::to_string(spec.years->value));
  if (spec.discount_rate) line("discount_rate", toml_number(spec.discount_rate->value));
  if (spec.time_value) line("time_value", toml_string(spec.time_value->value));
  // Keys of a section kept in StudySpec::params under "<section>.<key>", in the given order.
  const auto params = [&](const std::string& section, const std::vector<std::string>& keys) {
    for (const std::string& key : keys)
      if (const auto it = spec.params.find(section + "." + key); it != spec.params.end())
        line(key, param_value(it->second));
  };
  out += "\n[team]\n";
  if (spec.reps) line("reps", std::to_string(spec.reps->value));
  params("team", {"hourly_cost", "selling_hours_per_rep"});
  out += "\n[pipeline]\n";
  params("pipeline", names_of(kPipelineParams));
  params("pipeline", {"pursuit_hours", "extra_opportunities", "growth", "repeat_value"});
  if (spec.extra_unlimited) line("extra_opportunities", toml_string("unlimited"));
  if (spec.stages) {
    std::vector<std::string> stages;
    for (const std::string& stage : spec.stages->value) stages.push_back(toml_string(stage));
    out += "\n[process]\n";
    line("stages", "[" + join(stages) + "]");
  }
  for (const MistakeSpec& m : spec.mistakes) {
    out += "\n[[mistake]]\n";
    line("id", toml_string(m.id.value));
    if (m.name) line("name", toml_string(m.name->value));
    line("stage", toml_string(m.stage.value));
    if (m.applies_to) line("applies_to", toml_string(m.applies_to->value));
    std::vector<std::string> recovery;
    for (const KeyRange& k : kMistakeParams)
      if (const auto it = m.params.find(k.key); it != m.params.end()) line(k.key, param_value(it->second));
    for (const KeyRange& k : kRecoveryParams)
      if (const auto it = m.params.find(std::string("recovery.") + k.key); it != m.params.end())
        recovery.push_back(std::string(k.key) + " = " + param_value(it->second));
    if (m.has_recovery) line("recovery", recovery.empty() ? "{}" : "{ " + join(recovery) + " }");
  }
  for (const InterventionSpec& iv : spec.interventions) {
    out += "\n[[intervention]]\n";
    line("id", toml_string(iv.id.value));
    if (iv.name) line("name", toml_string(iv.name->value));
    if (iv.cost) line("cost", toml_number(iv.cost->value));
    if (iv.cost_per_rep) line("cost_per_rep", toml_number(iv.cost_per_rep->value));
    if (iv.hours_per_rep) line("hours_per_rep", toml_number(iv.hours_per_rep->value));
    if (iv.effect_by_year) {
      std::vector<std::string> shares;
      for (double x : iv.effect_by_year->value) shares.push_back(toml_number(x));
      line("effect_by_year", "[" + join(shares) + "]");
    }
    std::vector<std::string> effects;
    for (const EffectSpec& e : iv.effects)
      effects.push_back(fmt::format("{{ param = {}, {} = {} }}", toml_string(e.param.value),
                                    e.op == EffectOp::scale ? "scale"
                                    : e.op == EffectOp::set ? "set"
                                                            : "add",
                                    param_value(e.amount)));
    if (!effects.empty()) line("effect", "[\n  " + join(effects, ",\n  ") + ",\n]");
  }
  for (const CorrelationSpec& c : spec.correlations) {
    out += "\n[[correlation]]\n";
    line("a", toml_string(c.a.value));
    line("b", toml_string(c.b.value));
    line("rank", toml_number(c.rank.value));
  }
  return out;
}

}  // namespace mistakesim::detail
