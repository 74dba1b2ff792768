// Compiling a merged StudySpec into a Model: defaults for absent keys, cross-references (stages,
// effect targets, correlations), the visiting order of mistakes, and the random-number slots of
// every quantity (derived from parameter paths; a collision is refused).

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mistakesim/random.hpp>
#include <mistakesim/study.hpp>
#include <set>

#include "config/toml_read.hpp"

namespace mistakesim::detail {
namespace {

const std::vector<std::string> kDefaultStages = {"qualify", "discover", "pilot", "propose", "close"};
constexpr std::int64_t kMaxReps = 1'000'000;
//! The most opportunities a simulated year may hold (the team's, all reps together): the engine
//! keeps a year's deals in memory and visits each one, so more would run out of memory or for days.
constexpr double kMaxYearOpportunities = 1e7;

class Compiler {
 public:
  explicit Compiler(const StudySpec& spec) : spec_(spec) {}

  Model compile() {
    Model& m = model_;
    m.source_file = spec_.file;
    m.name = spec_.name ? spec_.name->value : std::filesystem::path(spec_.file).stem().string();
    m.trials = spec_.trials ? static_cast<std::uint64_t>(spec_.trials->value) : 100'000;
    m.seed = spec_.seed ? static_cast<std::uint64_t>(spec_.seed->value) : 1;
    m.currency = spec_.currency ? spec_.currency->value : "USD";
    m.value = (spec_.value && spec_.value->value == "margin") ? ValueBasis::margin : ValueBasis::revenue;
    if (spec_.reps && spec_.reps->value > kMaxReps)
      throw InputError(spec_.reps->where, "team.reps",
                       fmt::format("expected at most {} reps, got {}", kMaxReps, spec_.reps->value));
    m.reps = spec_.reps ? static_cast<std::uint32_t>(spec_.reps->value) : 1;

    m.hourly_cost = input("team.hourly_cost", Distribution::constant(0), kHourlyCost);
    m.good_fit = input("pipeline.good_fit", Distribution::constant(1), kProbability);
    m.close_rate =
        required_input("pipeline.close_rate",
                       "close_rate = { dist = \"pert\", min = 0.2, mode = 0.3, max = 0.45 }", kProbability);
    m.margin = input("pipeline.margin", Distribution::constant(1), kFraction);
    m.pilot_rate = input("pipeline.pilot_rate", Distribution::constant(0), kProbability);
    m.repeat_customer = input("pipeline.repeat_customer", Distribution::constant(0), kProbability);
    compile_horizon_inputs();

    const bool per_rep = spec_.params.count("pipeline.opportunities_per_rep") > 0;
    if (!per_rep && !spec_.params.count("pipeline.opportunities"))
      throw InputError(
          section("pipeline"), "pipeline.opportunities_per_rep",
          "required: how many opportunities a rep works in a year, e.g. opportunities_per_rep = { dist = "
          "\"poisson\", mean = 40 } (or opportunities = ... for the whole team)");
    m.opportunities_per_rep = per_rep;
    m.opportunities = amount(per_rep ? "pipeline.opportunities_per_rep" : "pipeline.opportunities", {});
    m.opportunity_slot = claim_slot("pipeline", section("pipeline"));
    check_opportunities(m, per_rep ? "pipeline.opportunities_per_rep" : "pipeline.opportunities");
    if (!spec_.params.count("pipeline.deal_size"))
      throw InputError(section("pipeline"), "pipeline.deal_size",
                       "required: the revenue of a deal, e.g. deal_size = { dist = \"lognormal\", p05 = "
                       "15000, p95 = 250000 }");
    m.deal_size = amount("pipeline.deal_size", {});
    m.qualify_hours = amount("pipeline.qualify_hours", Distribution::constant(0));
    m.customer_value = amount("pipeline.customer_value", Distribution::constant(0));
    compile_repeat_value();

    m.stages = spec_.stages ? spec_.stages->value : kDefaultStages;
    compile_mistakes();
    compile_interventions();
    compile_amount_scales();
    compile_correlations();
    compile_capacity();
    for (std::string& w : compile_copula(model_)) model_.warnings.push_back(std::move(w));
    for (const auto& [path, param] : spec_.params)
      if (!param.note.empty()) model_.notes.push_back(path + ": " + param.note);
    for (const MistakeSpec& ms : spec_.mistakes)
      for (const auto& [key, param] : ms.params)
        if (!param.note.empty()) model_.notes.push_back(param.path + ": " + param.note);
    return std::move(model_);
  }

 private:
  SourceLocation section(const std::string& name) const {
    const auto it = spec_.sections.find(name);
    return it != spec_.sections.end() ? it->second : SourceLocation{spec_.file};
  }

  std::uint32_t claim_slot(const std::string& path, const SourceLocation& where) {
    const std::uint32_t slot = slot_of(path);
    const auto [it, fresh] = slots_.emplace(slot, path);
    if (!fresh && it->second != path)
      throw InputError(
          where, path,
          fmt::format("its random-number slot (a 32-bit hash of the path) collides with \"{}\"; rename "
                      "one of the ids",
                      it->second));
    return slot;
  }

  //! A year-level input from params (keyed by `key`, or by `path` when `key` is empty).
  InputId add_input(const std::string& path, const ParamSpec* given, const Distribution& fallback,
                    const ValidRange& range, const SourceLocation& where) {
    YearInput in;
    in.path = path;
    in.dist = given ? given->dist : fallback;
    in.slot = claim_slot(path, given ? given->where : where);
    in.lower = range.lower;
    in.upper = range.upper;
    in.range_words = range.what;
    model_.inputs.push_back(std::move(in));
    ranges_.push_back(range);
    return static_cast<InputId>(model_.inputs.size() - 1);
  }
  InputId input(const std::string& path, const Distribution& fallback, const ValidRange& range) {
    const auto it = spec_.params.find(path);
    return add_input(path, it != spec_.params.end() ? &it->second : nullptr, fallback, range,
                     section(path.substr(0, path.find('.'))));
  }
  InputId required_input(const std::string& path, const char* example, const ValidRange& range) {
    if (!spec_.params.count(path))
      throw InputError(section(path.substr(0, path.find('.'))), path,
                       fmt::format("required, e.g. {}", example));
    return input(path, {}, range);
  }
  Amount amount(const std::string& path, const Distribution& fallback) {
    const auto it = spec_.params.find(path);
    return amount_of(it != spec_.params.end() ? &it->second : nullptr, path, fallback,
                     section(path.substr(0, path.find('.'))));
  }
  //! A per-draw amount from its spec (or the fallback): when its distribution's parameters are
  //! uncertain, they become year-level inputs (their own paths and slots) and the amount's
  //! distribution is solved again each trial from their values (Model::trial_distributions: the
  //! family and numbers from_parameters takes, with the inputs that replace the uncertain ones).
  Amount amount_of(const ParamSpec* given, const std::string& path, const Distribution& fallback,
                   const SourceLocation& where) {
    Amount a{given ? given->dist : fallback, claim_slot(path, given ? given->where : where)};
    if (given == nullptr || given->uncertain.empty()) return a;
    TrialDistribution td{given->family, given->numbers, {}};
    for (const UncertainKey& u : given->uncertain) {
      const std::string& words = range_words_.emplace_back(fmt::format(
          "an uncertain parameter stays within [{}, {}], the range of its {} that was checked",
          number_text(u.dist.support_min()), number_text(u.dist.support_max()), u.dist.describe()));
      const ParamSpec param{
          u.dist,  u.where, ValidRange{u.dist.support_min(), u.dist.support_max(), words.c_str()}, u.path, {},
          nullptr, {}};
      const auto number = std::find_if(td.numbers.begin(), td.numbers.end(),
                                       [&](const DistParameter& p) { return p.key == u.key; });
      SIM_CHECK(number != td.numbers.end(), << u.path << " is not among the numbers of " << path);
      td.uncertain.push_back({static_cast<std::uint32_t>(number - td.numbers.begin()),
                              add_input(u.path, &param, u.dist, param.range, u.where)});
    }
    a.per_trial = static_cast<std::uint32_t>(model_.trial_distributions.size());
    model_.trial_distributions.push_back(std::move(td));
    return a;
  }

  void compile_mistakes() {
    const std::vector<std::string>& stages = model_.stages;
    std::vector<std::pair<int, const MistakeSpec*>> order;
    for (const MistakeSpec& ms : spec_.mistakes) {
      const auto it = std::find(stages.begin(), stages.end(), ms.stage.value);
      if (it == stages.end()) {
        std::string problem = fmt::format("unknown stage \"{}\"", ms.stage.value);
        if (const std::string guess = nearest(ms.stage.value, stages); !guess.empty())
          problem += fmt::format(" (did you mean \"{}\"?)", guess);
        problem += fmt::format("; stages: {}", join(stages));
        throw InputError(ms.stage.where, "mistake." + ms.id.value + ".stage", problem);
      }
      order.emplace_back(static_cast<int>(it - stages.begin()), &ms);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });

    for (const auto& entry : order) {
      const auto* ms = entry.second;  // not a structured binding: clang 14 cannot capture one in a lambda
      const std::string prefix = "mistake." + ms->id.value;
      auto param = [&](const std::string& key) -> const ParamSpec* {
        const auto it = ms->params.find(key);
        return it != ms->params.end() ? &it->second : nullptr;
      };
      auto rate = [&](const std::string& key, double fallback, const ValidRange& range) {
        return add_input(prefix + "." + key, param(key), Distribution::constant(fallback), range, ms->where);
      };
      auto per_occurrence = [&](const std::string& key, double fallback) {
        return amount_of(param(key), prefix + "." + key, Distribution::constant(fallback), ms->where);
      };
      Mistake m;
      m.id = ms->id.value;
      m.name = ms->name ? ms->name->value : ms->id.value;
      m.stage = ms->stage.value;
      m.stage_index = entry.first;
      m.applies_to = applies_to_of(ms->applies_to ? ms->applies_to->value : "all");
      m.event_slot = claim_slot(prefix, ms->id.where);
      m.probability = rate("probability", 0, kProbability);
      m.noticed = rate("noticed", 0, kProbability);
      m.lose = rate("lose", 0, kProbability);
      m.churn = rate("churn", 0, kProbability);
      // the recovery team costs what the seller's team costs unless the study says otherwise
      m.recovery_hourly_cost =
          param("recovery.hourly_cost") ? rate("recovery.hourly_cost", 0, kHourlyCost) : model_.hourly_cost;
      m.wasted_hours = per_occurrence("wasted_hours", 0);
      m.direct_cost = per_occurrence("direct_cost", 0);
      m.discount = per_occurrence("discount", 0);
      m.has_recovery = ms->has_recovery;
      m.recovery_hours = per_occurrence("recovery.hours", 0);
      m.recovery_saved = per_occurrence("recovery.saved", 0);
      model_.mistakes.push_back(std::move(m));
    }
  }

  static AppliesTo applies_to_of(const std::string& name) {
    if (name == "good_fit") return AppliesTo::good_fit;
    if (name == "poor_fit") return AppliesTo::poor_fit;
    if (name == "pilot") return AppliesTo::pilot;
    if (name == "repeat") return AppliesTo::repeat;
    return AppliesTo::all;
  }

  //! The year-level input a path names, or InputError saying what the path is instead.
  InputId target(const Located<std::string>& path, const std::string& key_path, const char* role) {
    const InputId id = model_.find_input(path.value);
    if (id != kNoInput && !model_.inputs[id].internal) return id;
    std::vector<std::string> paths;
    for (const auto& in : model_.inputs)
      if (!in.internal) paths.push_back(in.path);
    std::string problem;
    if (path.value == "pipeline.opportunities" || path.value == "pipeline.opportunities_per_rep")
      problem = fmt::format("{} is the number of opportunities, not a rate; {} a year-level input",
                            path.value, role);
    else if (find_amount(path.value).amount != nullptr)
      problem =
          fmt::format("{} is drawn per opportunity or per occurrence, not once a year; {} a year-level input",
                      path.value, role);
    else {
      problem = fmt::format("unknown parameter \"{}\"", path.value);
      if (const std::string guess = nearest(path.value, paths); !guess.empty())
        problem += fmt::format(" (did you mean \"{}\"?)", guess);
      problem += fmt::format("; {} a year-level input", role);
    }
    problem += fmt::format(": {}", join(paths));
    throw InputError(path.where, key_path, problem);
  }

  //! Refuses a team whose year can hold more than kMaxYearOpportunities opportunities (a likely
  //! year: the mean plus ten standard deviations, or the most the distribution allows if smaller).
  void check_opportunities(const Model& m, const std::string& path) const {
    const Distribution& d = m.opportunities.dist;
    const double likely_max = std::min(d.support_max(), d.mean() + 10 * std::sqrt(d.variance()));
    const double per_year = likely_max * (m.opportunities_per_rep ? m.reps : 1);
    if (per_year > kMaxYearOpportunities)
      throw InputError(
          spec_.params.at(path).where, path,
          fmt::format("a simulated year of this team can hold about {} opportunities{}; at most {} "
                      "fit in memory and finish in reasonable time (simulate a smaller team, or "
                      "fewer, larger opportunities)",
                      number_text(std::round(per_year)),
                      m.opportunities_per_rep ? fmt::format(" ({} reps)", m.reps) : std::string(),
                      number_text(kMaxYearOpportunities)));
  }

  //! A per-opportunity or per-occurrence amount and the range of its values.
  struct AmountRef {
    Amount* amount = nullptr;  //!< nullptr: the path names no such amount
    ValidRange range = kMoney;
  };

  //! The per-opportunity or per-occurrence amount a path names (amount nullptr if none).
  AmountRef find_amount(const std::string& path) {
    if (path == "pipeline.deal_size") return {&model_.deal_size, kMoney};
    if (path == "pipeline.qualify_hours") return {&model_.qualify_hours, kHours};
    if (path == "pipeline.customer_value" || path == "pipeline.repeat_value")
      return {&model_.customer_value, kMoney};
    if (path == "pipeline.pursuit_hours") return {&model_.pursuit_hours, kHours};
    for (Mistake& m : model_.mistakes) {
      const std::string prefix = "mistake." + m.id + ".";
      if (path.rfind(prefix, 0) != 0) continue;
      const std::string leaf = path.substr(prefix.size());
      if (leaf == "wasted_hours") return {&m.wasted_hours, kHours};
      if (leaf == "direct_cost") return {&m.direct_cost, kMoney};
      if (leaf == "discount") return {&m.discount, kFraction};
      if (leaf == "recovery.hours") return {&m.recovery_hours, kHours};
      if (leaf == "recovery.saved") return {&m.recovery_saved, kFraction};
    }
    return {};
  }

  //! Gives an amount its internal scale and shift inputs (once), so effects can change its draws;
  //! a changed draw is clamped to the amount's range.
  void make_adjustable(const AmountRef& ref, const std::string& path) {
    Amount& a = *ref.amount;
    if (a.adjustable()) return;
    const double inf = std::numeric_limits<double>::infinity();
    a.lower = ref.range.lower;
    a.upper = ref.range.upper;
    auto add = [&](const std::string& name, double value, double lower) {
      YearInput in{path + name, Distribution::constant(value), slot_of(path + name), lower, inf, true,
                   "a number"};
      model_.inputs.push_back(std::move(in));
      ranges_.push_back(ValidRange{lower, inf, "a number"});
      return static_cast<InputId>(model_.inputs.size() - 1);
    };
    a.scale = add(":scale", 1.0, 0.0);
    a.shift = add(":shift", 0.0, -inf);
  }

  //! A sweep's `<amount>:scale`: the amount's internal scale input becomes that constant (an
  //! intervention's effect then changes it as it changes 1). A scale of 1 gives the study's draws.
  void compile_amount_scales() {
    for (const auto& [path, scale] : spec_.amount_scales) {
      const AmountRef ref = find_amount(path);
      SIM_CHECK(ref.amount != nullptr, << path << " is not an amount");
      make_adjustable(ref, path);
      model_.inputs[ref.amount->scale].dist = Distribution::constant(scale);
    }
  }

  void compile_interventions() {
    for (const InterventionSpec& is : spec_.interventions) {
      Intervention iv;
      iv.id = is.id.value;
      iv.name = is.name ? is.name->value : is.id.value;
      iv.cost = is.cost ? is.cost->value : 0.0;
      iv.cost_per_rep = is.cost_per_rep ? is.cost_per_rep->value : 0.0;
      iv.hours_per_rep = is.hours_per_rep ? is.hours_per_rep->value : 0.0;
      if (is.effect_by_year) {
        if (is.effect_by_year->value.size() > model_.years)
          throw InputError(is.effect_by_year->where, "intervention." + is.id.value + ".effect_by_year",
                           fmt::format("expected at most one share a year ({} for study.years = {}), got {}",
                                       model_.years, model_.years, is.effect_by_year->value.size()));
        iv.effect_by_year = is.effect_by_year->value;
      }
      std::set<InputId> targets;
      for (const EffectSpec& es : is.effects) {
        const std::string slot_path = "intervention." + is.id.value + "." + es.param.value;
        if (const AmountRef ref = find_amount(es.param.value); ref.amount != nullptr) {
          Amount* amount = ref.amount;
          const auto no_recovery =
              std::find_if(model_.mistakes.begin(), model_.mistakes.end(), [&](const Mistake& m) {
                return !m.has_recovery && es.param.value.rfind("mistake." + m.id + ".recovery.", 0) == 0;
              });
          if (no_recovery != model_.mistakes.end())
            throw InputError(
                es.param.where, es.amount.path.substr(0, es.amount.path.rfind('.')) + ".param",
                fmt::format("mistake \"{}\" has no recovery, so {} never happens; give the mistake a "
                            "recovery = {{ hours = ..., saved = ... }} first",
                            no_recovery->id, es.param.value));
          // A per-opportunity or per-occurrence amount: the effect changes each of its draws.
          make_adjustable(ref, es.param.value);
          if (!targets.insert(amount->scale).second)
            throw InputError(es.param.where, es.amount.path.substr(0, es.amount.path.rfind('.')) + ".param",
                             fmt::format("each intervention changes {} once; combine its effects into one",
                                         es.param.value));
          if (es.op == EffectOp::set)
            check_support(es.amount.dist, ref.range, es.amount.where, es.amount.path);
          const Amount drawn{es.amount.dist, claim_slot(slot_path, es.amount.where)};
          switch (es.op) {
            case EffectOp::scale:
              iv.effects.push_back(Effect{amount->scale, EffectOp::scale, drawn});
              break;
            case EffectOp::add:
              iv.effects.push_back(Effect{amount->shift, EffectOp::add, drawn});
              break;
            case EffectOp::set:  // every draw becomes the amount: scale 0, shift = amount
              iv.effects.push_back(
                  Effect{amount->scale, EffectOp::set, Amount{Distribution::constant(0.0), 0}});
              iv.effects.push_back(Effect{amount->shift, EffectOp::set, drawn});
              break;
          }
          continue;
        }
        Effect e;
        e.target = target(es.param, es.amount.path.substr(0, es.amount.path.rfind('.')) + ".param",
                          "an effect changes a per-deal or per-occurrence amount or");
        if (!targets.insert(e.target).second)
          throw InputError(
              es.param.where, es.amount.path.substr(0, es.amount.path.rfind('.')) + ".param",
              fmt::format("each intervention changes {} once; combine its effects into one", es.param.value));
        e.op = es.op;
        if (es.op == EffectOp::set)
          check_support(es.amount.dist, ranges_[e.target], es.amount.where, es.amount.path);
        e.amount = Amount{es.amount.dist,
                          claim_slot("intervention." + is.id.value + "." + es.param.value, es.amount.where)};
        iv.effects.push_back(std::move(e));
      }
      model_.interventions.push_back(std::move(iv));
    }
  }

  void compile_correlations() {
    std::set<std::pair<InputId, InputId>> pairs;
    for (const CorrelationSpec& cs : spec_.correlations) {
      Correlation c;
      c.a = target(cs.a, "correlation.a", "a correlation links");
      c.b = target(cs.b, "correlation.b", "a correlation links");
      for (const auto& [id, located, key] :
           {std::tuple{c.a, &cs.a, "correlation.a"}, std::tuple{c.b, &cs.b, "correlation.b"}})
        if (model_.inputs[id].dist.is_constant())
          throw InputError(located->where, key,
                           fmt::format("{} is a constant ({}); a correlation links two uncertain inputs",
                                       located->value, number_text(model_.inputs[id].dist.p[0])));
      if (c.a == c.b)
        throw InputError(
            cs.b.where, "correlation.b",
            fmt::format("a and b are the same input \"{}\"; a correlation links two different inputs",
                        cs.a.value));
      if (!pairs.insert(std::minmax(c.a, c.b)).second)
        throw InputError(cs.where, "correlation",
                         fmt::format("the correlation of {} and {} is given twice", cs.a.value, cs.b.value));
      c.rank = cs.rank.value;
      model_.correlations.push_back(c);
    }
  }

  // Rep capacity and the horizon (docs/model.md, "Capacity and the value of time", "A horizon of
  // several years"): year-level inputs only when the study gives them, so other studies keep theirs.
  void compile_horizon_inputs() {
    Model& m = model_;
    m.years = spec_.years ? static_cast<std::uint32_t>(spec_.years->value) : 1;
    m.discount_rate = spec_.discount_rate ? spec_.discount_rate->value : 0.0;
    m.time_value = spec_.time_value && spec_.time_value->value == "opportunity" ? TimeValue::opportunity
                                                                                : TimeValue::wage;
    const auto given = [&](const char* path) { return spec_.params.count(path) > 0; };
    m.capacity = spec_.time_value || given("team.selling_hours_per_rep") || given("pipeline.pursuit_hours") ||
                 given("pipeline.extra_opportunities") || spec_.extra_unlimited;
    m.pursuit_hours = given("pipeline.pursuit_hours") ? amount("pipeline.pursuit_hours", {})
                                                      : Amount{Distribution::constant(0), 0};
    if (given("team.selling_hours_per_rep"))
      m.selling_hours_per_rep = input("team.selling_hours_per_rep", {}, kHours);
    if (given("pipeline.extra_opportunities"))  // else unlimited
      m.extra_opportunities = input("pipeline.extra_opportunities", {},
                                    ValidRange{0.0, kInfinity, "a number of opportunities is >= 0"});
    if (given("pipeline.growth"))
      m.growth = input("pipeline.growth", {}, ValidRange{-1.0, kInfinity, "a growth rate is >= -1"});
    if (m.growth != kNoInput && m.years == 1)
      model_.warnings.push_back(
          "pipeline.growth has no effect in a study of one year (set study.years to see the pipeline grow)");
  }

  void compile_repeat_value() {
    if (!spec_.params.count("pipeline.repeat_value")) return;
    if (spec_.params.count("pipeline.customer_value"))
      throw InputError(
          spec_.params.at("pipeline.repeat_value").where, "pipeline.repeat_value",
          "give either customer_value (a lost repeat customer's whole future value, charged "
          "when it is lost) or repeat_value (its value a year, lost in each later year), not both");
    model_.customer_value = amount("pipeline.repeat_value", {});
    model_.repeat_value_per_year = true;
  }

  //! After the interventions: the extra opportunities' amounts are the pipeline's, changes included,
  //! drawn at slots of their own.
  void compile_capacity() {
    Model& m = model_;
    if (!m.capacity) return;
    const std::string base = "pipeline.extra_opportunities";
    const SourceLocation where = section("pipeline");
    m.extra_slot = claim_slot(base + ".opportunity", where);
    m.extra_deal_size = m.deal_size;
    m.extra_deal_size.slot = claim_slot(base + ".deal_size", where);
    m.extra_pursuit_hours = m.pursuit_hours;
    m.extra_pursuit_hours.slot = claim_slot(base + ".pursuit_hours", where);
    m.extra_qualify_hours = m.qualify_hours;
    m.extra_qualify_hours.slot = claim_slot(base + ".qualify_hours", where);
    // The hours an opportunity takes, on average, and those the pipeline needs in a year.
    const double fit = m.inputs[m.good_fit].dist.mean();
    const double per_opportunity =
        fit * m.pursuit_hours.dist.mean() + (1 - fit) * m.qualify_hours.dist.mean();
    const double supply =
        m.extra_opportunities == kNoInput ? kInfinity : m.inputs[m.extra_opportunities].dist.mean();
    if (!(per_opportunity > 0) && std::isinf(supply))
      throw InputError(where, "pipeline.pursuit_hours",
                       "an opportunity takes no time on average (pursuit_hours and qualify_hours are 0), so "
                       "freed hours would work unlimited opportunities; give pursuit_hours (hours to work a "
                       "good fit) or a number of pipeline.extra_opportunities");
    if (m.selling_hours_per_rep == kNoInput) return;
    const double opportunities = m.opportunities.dist.mean() * (m.opportunities_per_rep ? m.reps : 1);
    const double needed = opportunities * per_opportunity;
    const double budget = m.inputs[m.selling_hours_per_rep].dist.mean() * m.reps;
    if (budget < needed)
      m.warnings.push_back(fmt::format(
          "{}: team.selling_hours_per_rep: the team's selling time ({} hours a year, {} reps) is smaller "
          "than the time its pipeline needs ({} opportunities at {} hours each on average: {} hours); {} "
          "hours are missing",
          located(spec_.params.at("team.selling_hours_per_rep").where), number_text(std::round(budget)),
          m.reps, number_text(std::round(opportunities)), number_text(std::round(per_opportunity * 10) / 10),
          number_text(std::round(needed)), number_text(std::round(needed - budget))));
  }

  static std::string located(const SourceLocation& w) {
    return fmt::format("{}:{}:{}", w.file, w.line, w.column);
  }

  const StudySpec& spec_;
  Model model_;
  std::vector<ValidRange> ranges_;       //!< parallel to model_.inputs
  std::deque<std::string> range_words_;  //!< the words of uncertain parameters' ranges (ValidRange::what)
  std::map<std::uint32_t, std::string> slots_;
};

}  // namespace

Model compile_study(const StudySpec& spec) { return Compiler(spec).compile(); }

}  // namespace mistakesim::detail

namespace mistakesim {

Model load_study(const std::filesystem::path& file) { return load_study(file, StudyAccess{}); }

namespace {

detail::StudySpec read_spec(const std::filesystem::path& file, const StudyAccess& access,
                            std::vector<std::filesystem::path>* files_read) {
  std::vector<std::filesystem::path> dirs{file.parent_path()};
  dirs.insert(dirs.end(), access.allowed_dirs.begin(), access.allowed_dirs.end());
  const detail::FileAccess rules{detail::access_roots(dirs), files_read};
  const std::string shown = file.string();
  const std::string text = detail::read_text_file(file, SourceLocation{}, "", shown, rules);
  std::error_code ec;
  std::vector<std::filesystem::path> chain{std::filesystem::weakly_canonical(file, ec)};
  return detail::read_study(text, shown, file.parent_path(), chain, rules);
}

}  // namespace

Model load_study(const std::filesystem::path& file, const StudyAccess& access,
                 std::vector<std::filesystem::path>* files_read) {
  return detail::compile_study(read_spec(file, access, files_read));
}

Model load_study_with(const std::filesystem::path& file, const StudyAccess& access,
                      const std::vector<std::pair<std::string, double>>& values) {
  detail::StudySpec spec = read_spec(file, access, nullptr);
  for (const auto& [path, value] : values) detail::override_value(spec, path, value);
  try {
    return detail::compile_study(spec);
  } catch (const InputError& e) {  // e.g. too many opportunities for the team
    std::string set;
    for (const auto& [path, value] : values)
      set += fmt::format("{}{} = {}", set.empty() ? "" : ", ", path, detail::number_text(value));
    throw InputError(e.where(), e.path(), fmt::format("with {}: {}", set, e.problem()));
  }
}

std::vector<StudyValue> study_values(const std::filesystem::path& file, const StudyAccess& access) {
  return detail::overridable_values(read_spec(file, access, nullptr));
}

std::string effective_study(const std::filesystem::path& file, const StudyAccess& access) {
  detail::StudySpec spec = read_spec(file, access, nullptr);
  detail::compile_study(spec);  // refuses what the merge leaves invalid
  return detail::effective_toml(spec);
}

std::string suggest_path(const std::string& word, const std::vector<std::string>& paths) {
  for (const std::string& p : paths)  // "close_rate" -> "pipeline.close_rate"
    if (p.size() > word.size() && p.compare(p.size() - word.size(), word.size(), word) == 0 &&
        p[p.size() - word.size() - 1] == '.')
      return p;
  return detail::nearest(word, paths);
}

Model parse_study(std::string_view toml_text, const std::string& file_label,
                  const std::filesystem::path& base_dir) {
  std::vector<std::filesystem::path> chain;
  const detail::FileAccess rules{detail::access_roots({base_dir}), nullptr};
  return detail::compile_study(detail::read_study(toml_text, file_label, base_dir, chain, rules));
}

}  // namespace mistakesim
