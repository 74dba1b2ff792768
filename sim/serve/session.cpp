// The serve session: edits -> overlay TOML -> the study reader -> paired re-runs -> the page's JSON.

#include "serve/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif.hpp>
#include <sstream>
#include <thread>

namespace mistakesim::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr std::size_t kCacheRuns = 6;  // edited studies kept (a few MB each at the default trials)
constexpr const char* kSavedMarker = "# Saved by `mistakesim serve`";

std::string number(double x) { return fmt::format("{}", x); }

//! A TOML basic string: quotes, backslashes and control characters escaped.
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

//! What the page typed, as TOML: a finite number as a number (an integer stays an integer), anything
//! else as a string, which the study reader then refuses with its own message.
std::string typed_value(const ordered_json& v) {
  if (v.is_number_integer()) return fmt::format("{}", v.get<std::int64_t>());
  if (v.is_number()) {
    const double x = v.get<double>();
    return std::isfinite(x) ? number(x) : toml_string(v.dump());
  }
  if (!v.is_string())
    throw BadRequest("a value is a number or the text typed, got " + std::string(v.type_name()));
  std::string s = v.get<std::string>();
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t");
  const std::string t = first == std::string::npos ? std::string{} : s.substr(first, last - first + 1);
  if (!t.empty() && t.size() < 40) {
    std::int64_t i = 0;
    const auto [ip, iec] = std::from_chars(t.data(), t.data() + t.size(), i);
    if (iec == std::errc() && ip == t.data() + t.size()) return fmt::format("{}", i);
    double x = 0;
    const auto [dp, dec] = std::from_chars(t.data(), t.data() + t.size(), x);
    if (dec == std::errc() && dp == t.data() + t.size() && std::isfinite(x)) return number(x);
  }
  return toml_string(s);
}

bool is_key(const std::string& k) {
  return !k.empty() && k.size() <= 32 && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

//! An edited value as TOML: what typed_value says, or an inline table of typed values.
std::string edited_toml(const ordered_json& v) {
  if (!v.is_object()) return typed_value(v);
  if (v.size() > 8) throw BadRequest("a distribution has at most 8 keys");
  std::string out = "{ ";
  bool first = true;
  for (const auto& [k, x] : v.items()) {
    if (!is_key(k)) throw BadRequest("a distribution's keys are lowercase words, got \"" + k + "\"");
    out += (first ? "" : ", ") + k + " = " +
           (k == "dist" && x.is_string() ? toml_string(x.get<std::string>()) : typed_value(x));
    first = false;
  }
  return out + " }";
}

const Distribution& input_dist(const Model& m, InputId id) { return m.inputs.at(id).dist; }

struct Field {
  const char* key;
  const char* label;
  const char* unit;
};

}  // namespace

std::vector<EditableParam> editable_params(const Model& m) {
  std::vector<EditableParam> out;
  auto add = [&](std::string section, std::string key, std::string label, std::string unit,
                 const Distribution& d, std::size_t mistake = 0) {
    EditableParam p;
    p.path = section == "mistake" ? "mistake." + m.mistakes[mistake].id + "." + key : section + "." + key;
    p.key = std::move(key);
    p.section = std::move(section);
    p.mistake = mistake;
    p.label = std::move(label);
    p.unit = std::move(unit);
    p.dist = d;
    out.push_back(std::move(p));
  };
  add("team", "reps", "reps on the team", "count", Distribution::constant(m.reps));
  out.back().whole_number = true;
  add("team", "hourly_cost", "hourly cost of the team", "$ per hour", input_dist(m, m.hourly_cost));
  if (m.opportunities_per_rep)
    add("pipeline", "opportunities_per_rep", "opportunities a rep works in a year", "count",
        m.opportunities.dist);
  else
    add("pipeline", "opportunities", "opportunities the team works in a year", "count", m.opportunities.dist);
  add("pipeline", "good_fit", "share of prospects who are a good fit", "share 0 to 1",
      input_dist(m, m.good_fit));
  add("pipeline", "close_rate", "close rate of good-fit deals", "share 0 to 1", input_dist(m, m.close_rate));
  add("pipeline", "deal_size", "revenue of a deal", "$", m.deal_size.dist);
  add("pipeline", "margin", "gross margin", "share 0 to 1", input_dist(m, m.margin));
  add("pipeline", "qualify_hours", "hours spent on a poor fit before dropping it", "hours",
      m.qualify_hours.dist);
  add("pipeline", "pilot_rate", "share of deals with a pilot", "share 0 to 1", input_dist(m, m.pilot_rate));
  add("pipeline", "repeat_customer", "share of deals with existing customers", "share 0 to 1",
      input_dist(m, m.repeat_customer));
  add("pipeline", "customer_value", "future value of a repeat customer", "$", m.customer_value.dist);
  for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
    const Mistake& x = m.mistakes[k];
    add("mistake", "probability", "how often it happens (per deal it applies to)", "share 0 to 1",
        input_dist(m, x.probability), k);
    add("mistake", "noticed", "chance the team notices it", "share 0 to 1", input_dist(m, x.noticed), k);
    add("mistake", "lose", "chance it loses a deal that would have closed", "share 0 to 1",
        input_dist(m, x.lose), k);
    add("mistake", "churn", "chance it loses a repeat customer", "share 0 to 1", input_dist(m, x.churn), k);
    add("mistake", "wasted_hours", "hours wasted each time", "hours", x.wasted_hours.dist, k);
    add("mistake", "direct_cost", "out-of-pocket cost each time", "$", x.direct_cost.dist, k);
    add("mistake", "discount", "discount given when the deal still closes", "share 0 to 1", x.discount.dist,
        k);
    if (x.has_recovery) {
      add("mistake", "recovery.hours", "hours spent recovering a noticed loss", "hours",
          x.recovery_hours.dist, k);
      add("mistake", "recovery.saved", "share of the deal the recovery saves", "share 0 to 1",
          x.recovery_saved.dist, k);
      if (x.recovery_hourly_cost != m.hourly_cost)
        add("mistake", "recovery.hourly_cost", "hourly cost of the recovery team", "$ per hour",
            input_dist(m, x.recovery_hourly_cost), k);
    }
  }
  return out;
}

ordered_json distribution_json(const Distribution& d) {
  const double* p = d.p;
  ordered_json j;
  switch (d.kind) {
    case DistKind::constant:
      return p[0];
    case DistKind::uniform:
      j = {{"dist", "uniform"}, {"min", p[0]}, {"max", p[1]}};
      break;
    case DistKind::triangular:
      j = {{"dist", "triangular"}, {"min", p[0]}, {"mode", p[1]}, {"max", p[2]}};
      break;
    case DistKind::pert:
      j = {{"dist", "pert"}, {"min", p[0]}, {"mode", d.pert_mode}, {"max", p[1]}};
      if (d.pert_lambda != 4.0) j["lambda"] = d.pert_lambda;
      break;
    case DistKind::normal:
      j = {{"dist", "normal"}, {"mean", p[0]}, {"sd", p[1]}};
      if (std::isfinite(p[2])) j["min"] = p[2];
      if (std::isfinite(p[3])) j["max"] = p[3];
      break;
    case DistKind::lognormal:
      j = {{"dist", "lognormal"}, {"mu", p[0]}, {"sigma", p[1]}};
      break;
    case DistKind::beta:
      j = {{"dist", "beta"}, {"alpha", p[0]}, {"beta", p[1]}};
      break;
    case DistKind::gamma:
      j = {{"dist", "gamma"}, {"shape", p[0]}, {"scale", p[1]}};
      break;
    case DistKind::poisson:
      j = {{"dist", "poisson"}, {"mean", p[0]}};
      break;
    case DistKind::negbinomial:
      j = {{"dist", "negbinomial"}, {"mean", p[0]}, {"dispersion", p[1]}};
      break;
    case DistKind::discrete: {
      std::vector<double> weights;
      for (std::size_t i = 0; i < d.cumulative.size(); ++i)
        weights.push_back(d.cumulative[i] - (i == 0 ? 0.0 : d.cumulative[i - 1]));
      j = {{"dist", "discrete"}, {"values", d.values}, {"weights", weights}};
      break;
    }
    case DistKind::empirical:
      j = {{"dist", "empirical"}, {"values", d.values}};
      break;
  }
  return j;
}

ordered_json distribution_page_json(const Distribution& d) {
  if (d.kind != DistKind::lognormal) return distribution_json(d);
  // People give a lognormal by two quantiles; mu and sigma of the underlying normal say little.
  const auto shown = [](double x) { return std::stod(fmt::format("{:.4g}", x)); };
  return {{"dist", "lognormal"}, {"p05", shown(d.quantile(0.05))}, {"p95", shown(d.quantile(0.95))}};
}

std::string distribution_toml(const Distribution& d) {
  const ordered_json j = distribution_json(d);
  if (j.is_number()) return number(j.get<double>());
  std::string out = "{ ";
  bool first = true;
  for (const auto& [k, v] : j.items()) {
    out += (first ? "" : ", ") + k + " = ";
    first = false;
    if (v.is_string()) {
      out += toml_string(v.get<std::string>());
    } else if (v.is_array()) {
      std::string list;
      for (const auto& x : v) list += (list.empty() ? "" : ", ") + number(x.get<double>());
      out += "[" + list + "]";
    } else {
      out += number(v.get<double>());
    }
  }
  return out + " }";
}

ordered_json distribution_preview(const Distribution& d) {
  if (d.is_constant()) return nullptr;
  constexpr int kBars = 32;
  const double lo = d.quantile(0.005), hi = d.quantile(0.995);
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return nullptr;
  std::vector<double> mass(kBars);
  double prev = d.cdf(lo), top = 0;
  for (int i = 0; i < kBars; ++i) {
    const double next = d.cdf(lo + (hi - lo) * (i + 1) / kBars);
    mass[i] = std::max(0.0, next - prev);
    prev = next;
    top = std::max(top, mass[i]);
  }
  if (!(top > 0)) return nullptr;
  for (double& x : mass) x = std::round(x / top * 1000) / 1000;
  return {{"lo", lo}, {"hi", hi}, {"bars", mass}};
}

Edits parse_edits(const ordered_json& body) {
  if (!body.is_object()) throw BadRequest("the request is a JSON object");
  Edits e;
  if (body.contains("edits")) {
    if (!body["edits"].is_object()) throw BadRequest("edits is an object of parameter path -> value");
    e.values = body["edits"];
  }
  if (body.contains("interventions")) {
    if (!body["interventions"].is_array()) throw BadRequest("interventions is a list of intervention ids");
    for (const auto& id : body["interventions"]) {
      if (!id.is_string()) throw BadRequest("interventions is a list of intervention ids");
      e.interventions.push_back(id.get<std::string>());
    }
  }
  if (body.contains("view")) {
    if (!body["view"].is_string()) throw BadRequest("view is a string");
    e.view = body["view"].get<std::string>();
    if (e.view.size() > 40 || !std::all_of(e.view.begin(), e.view.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c));
        }))
      throw BadRequest("view is at most 40 letters and digits");
  }
  return e;
}

void check_save_name(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 100 && name.front() != '.' && name.size() > 5 &&
      name.compare(name.size() - 5, 5, ".toml") == 0 &&
      std::all_of(name.begin(), name.end(),
                  [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                  }) &&
      name.find("..") == std::string::npos;
  if (!ok)
    throw BadRequest(
        "a file name in the study's folder: letters, digits, '-', '_' and '.', ending in .toml (got \"" +
        name.substr(0, 100) + "\")");
}

Session::Session(fs::path study_file, SessionOptions options)
    : study_file_(std::move(study_file)), options_(options) {
  folder_ = study_file_.has_parent_path() ? study_file_.parent_path() : fs::path(".");
  auto base = std::make_shared<Run>();
  base->model = load_study(study_file_);
  base->model.trials = options_.trials;
  params_ = editable_params(base->model);
  base->results = *run_cancellable(base->model, Scenario{}, [] { return false; });
  base_ = std::move(base);
}

ordered_json Session::describe() const {
  const Model& m = model();
  ordered_json j;
  j["study"] = {{"name", m.name},
                {"file", study_file_.filename().string()},
                {"trials", options_.trials},
                {"seed", m.seed},
                {"currency", m.currency}};
  auto param_json = [](const EditableParam& p) {
    return ordered_json{{"path", p.path},
                        {"label", p.label},
                        {"unit", p.unit},
                        {"value", distribution_page_json(p.dist)},
                        {"editable", p.dist.kind != DistKind::discrete && p.dist.kind != DistKind::empirical},
                        {"whole_number", p.whole_number},
                        {"shape", p.dist.is_constant() ? std::string("fixed") : p.dist.describe()},
                        {"preview", distribution_preview(p.dist)}};
  };
  ordered_json sections = ordered_json::array();
  for (const char* s : {"team", "pipeline"}) {
    ordered_json params = ordered_json::array();
    for (const EditableParam& p : params_)
      if (p.section == s) params.push_back(param_json(p));
    sections.push_back(
        {{"id", s}, {"title", std::string(s) == "team" ? "Team" : "Pipeline"}, {"params", params}});
  }
  j["sections"] = sections;
  ordered_json mistakes = ordered_json::array();
  for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
    ordered_json params = ordered_json::array();
    for (const EditableParam& p : params_)
      if (p.section == "mistake" && p.mistake == k) params.push_back(param_json(p));
    mistakes.push_back({{"id", m.mistakes[k].id},
                        {"name", m.mistakes[k].name},
                        {"stage", m.mistakes[k].stage},
                        {"applies_to", applies_to_name(m.mistakes[k].applies_to)},
                        {"params", params}});
  }
  j["mistakes"] = mistakes;
  ordered_json interventions = ordered_json::array();
  for (const Intervention& iv : m.interventions)
    interventions.push_back(
        {{"id", iv.id},
         {"name", iv.name},
         {"effects", iv.effects.size()},
         {"cost_text", format_currency(iv.cost + iv.cost_per_rep * m.reps, m.currency) +
                           (iv.hours_per_rep > 0 ? fmt::format(" + {} h per rep", iv.hours_per_rep) : "")}});
  j["interventions"] = interventions;
  return j;
}

std::string Session::overlay(const Edits& edits) const {
  std::map<std::string, std::string> changed;  // path -> TOML text
  for (const auto& item : edits.values.items()) {
    const std::string& path = item.key();  // a named variable: clang 14 cannot capture a structured binding
    const auto& value = item.value();
    const auto it =
        std::find_if(params_.begin(), params_.end(), [&](const EditableParam& p) { return p.path == path; });
    if (it == params_.end()) throw BadRequest("the page cannot edit \"" + path.substr(0, 200) + "\"");
    changed[path] = edited_toml(value);
  }
  const Model& m = model();
  std::string out = fmt::format(
      "{}: a what-if on {}.\n"
      "# Only what changed is here; the rest comes from the extended file. A changed mistake is\n"
      "# written whole (extends replaces a mistake by its id).\n"
      "extends = {}\n",
      kSavedMarker, study_file_.filename().string(), toml_string(study_file_.filename().string()));
  for (const char* section : {"team", "pipeline"}) {
    std::string lines;
    for (const EditableParam& p : params_)
      if (p.section == section && changed.count(p.path)) lines += p.key + " = " + changed[p.path] + "\n";
    if (!lines.empty()) out += fmt::format("\n[{}]\n{}", section, lines);
  }
  for (std::size_t k = 0; k < m.mistakes.size(); ++k) {
    const Mistake& x = m.mistakes[k];
    const bool touched = std::any_of(params_.begin(), params_.end(), [&](const EditableParam& p) {
      return p.section == "mistake" && p.mistake == k && changed.count(p.path);
    });
    if (!touched) continue;
    out += fmt::format("\n[[mistake]]\nid = {}\nname = {}\nstage = {}\napplies_to = {}\n", toml_string(x.id),
                       toml_string(x.name), toml_string(x.stage), toml_string(applies_to_name(x.applies_to)));
    std::string recovery;
    for (const EditableParam& p : params_) {
      if (p.section != "mistake" || p.mistake != k) continue;
      const std::string text = changed.count(p.path) ? changed[p.path] : distribution_toml(p.dist);
      if (p.key.rfind("recovery.", 0) == 0)
        recovery += (recovery.empty() ? "" : ", ") + p.key.substr(9) + " = " + text;
      else
        out += p.key + " = " + text + (changed.count(p.path) ? "  # changed\n" : "\n");
    }
    if (!recovery.empty()) out += "recovery = { " + recovery + " }\n";
  }
  return out;
}

std::function<bool()> LatestRequests::begin(const std::string& view) {
  if (view.empty()) return [] { return false; };
  std::shared_ptr<std::atomic<std::uint64_t>> latest;
  {
    const std::lock_guard lock(mutex_);
    auto it = std::find_if(views_.begin(), views_.end(), [&](const auto& v) { return v.first == view; });
    if (it != views_.end()) {
      views_.splice(views_.begin(), views_, it);
    } else {
      views_.emplace_front(view, std::make_shared<std::atomic<std::uint64_t>>(0));
      if (views_.size() > capacity_) views_.pop_back();
    }
    latest = views_.front().second;
  }
  const std::uint64_t mine = ++*latest;
  return [latest, mine] { return latest->load() != mine; };
}

std::optional<TrialResults> run_in_chunks(const Model& model, const Scenario& scenario, RunOptions options,
                                          std::uint64_t trials, std::uint64_t chunk,
                                          const std::function<bool()>& cancelled) {
  SIM_CHECK(chunk > 0, << "chunks of no trials");
  TrialResults all;
  for (std::uint64_t first = 0; first < trials; first += chunk) {
    if (cancelled()) return std::nullopt;
    options.first_trial = first;
    options.trials = std::min(chunk, trials - first);
    TrialResults part = run_trials(model, scenario, options);
    if (first == 0)
      all = std::move(part);
    else
      append_results(all, part);
  }
  return all;
}

std::optional<TrialResults> Session::run_cancellable(const Model& model, const Scenario& scenario,
                                                     const std::function<bool()>& cancelled) const {
  RunOptions o;
  o.threads = options_.threads;
  o.record_inputs = false;  // nothing on the page reads per-trial inputs
  return run_in_chunks(model, scenario, o, model.trials, options_.chunk, [&] {
    if (options_.before_chunk) options_.before_chunk();
    return cancelled();
  });
}

std::shared_ptr<const Session::Run> Session::edited_run(const std::string& overlay_text,
                                                        const std::function<bool()>& cancelled) {
  {
    const std::lock_guard lock(mutex_);
    auto it =
        std::find_if(cache_.begin(), cache_.end(), [&](const auto& c) { return c.first == overlay_text; });
    if (it != cache_.end()) {
      cache_.splice(cache_.begin(), cache_, it);
      return cache_.front().second;
    }
  }
  auto run = std::make_shared<Run>();
  run->model = parse_study(overlay_text, "edits to " + study_file_.filename().string(), folder_);
  run->model.trials = options_.trials;
  run->model.seed = model().seed;
  std::optional<TrialResults> results = run_cancellable(run->model, Scenario{}, cancelled);
  if (!results) return nullptr;
  run->results = std::move(*results);
  const std::lock_guard lock(mutex_);
  cache_.emplace_front(overlay_text, run);
  if (cache_.size() > kCacheRuns) cache_.pop_back();
  return run;
}

namespace {

ordered_json money_interval(double mean, double lo, double hi, const std::string& currency) {
  return {{"mean", mean},
          {"lo", lo},
          {"hi", hi},
          {"text", format_currency(mean, currency)},
          {"ci_text",
           fmt::format("95% CI {} to {}", format_currency(lo, currency), format_currency(hi, currency))}};
}

ordered_json input_error_json(const InputError& e) {
  return {
      {"errors", ordered_json::array({{{"path", e.path()}, {"message", e.problem()}, {"full", e.what()}}})}};
}

}  // namespace

std::optional<ordered_json> Session::run(const Edits& edits) {
  const auto start = std::chrono::steady_clock::now();
  const std::function<bool()> cancelled = latest_.begin(edits.view);
  const std::string text = overlay(edits);
  std::shared_ptr<const Run> edited;
  try {
    edited = edited_run(text, cancelled);
  } catch (const InputError& e) {
    return input_error_json(e);
  }
  if (!edited) return std::nullopt;
  const Model& m = edited->model;
  Scenario scenario;
  for (const std::string& id : edits.interventions) {
    const auto it = std::find_if(m.interventions.begin(), m.interventions.end(),
                                 [&](const Intervention& iv) { return iv.id == id; });
    if (it == m.interventions.end())
      throw BadRequest("no intervention \"" + id.substr(0, 100) + "\" in the study");
    const auto k = static_cast<std::size_t>(it - m.interventions.begin());
    if (std::find(scenario.interventions.begin(), scenario.interventions.end(), k) ==
        scenario.interventions.end())
      scenario.interventions.push_back(k);
  }
  std::optional<TrialResults> with;
  if (!scenario.interventions.empty()) {
    with = run_cancellable(m, scenario, cancelled);
    if (!with) return std::nullopt;
  }
  const TrialResults& shown = with ? *with : edited->results;
  const RunSummary s = summarize_run(shown);
  const std::string& cur = m.currency;

  ordered_json j;
  j["trials"] = shown.count;
  j["seed"] = m.seed;
  j["headline"] = {
      {"mean", money_interval(s.cost.total.mean, s.cost.total.mean_ci95_lo, s.cost.total.mean_ci95_hi, cur)},
      {"p95", {{"value", s.cost.total.p95}, {"text", format_currency(s.cost.total.p95, cur)}}},
      {"cvar95", {{"value", s.cost.total.cvar95}, {"text", format_currency(s.cost.total.cvar95, cur)}}},
      {"known", {{"value", s.cost.known.mean}, {"text", format_currency(s.cost.known.mean, cur)}}},
      {"unknown", {{"value", s.cost.unknown.mean}, {"text", format_currency(s.cost.unknown.mean, cur)}}}};
  // The change from the study as loaded, year by year over the same trials.
  const std::vector<double> change = paired_difference(shown.cost_total, base_->results.cost_total);
  const Summary d = summarize(change);
  j["difference"] = money_interval(d.mean, d.mean_ci95_lo, d.mean_ci95_hi, cur);
  j["difference"]["same"] = std::all_of(change.begin(), change.end(), [](double x) { return x == 0.0; });
  const Histogram h = histogram(shown.cost_total, 30);
  j["histogram"] = {{"edges", h.edges}, {"counts", h.counts}};
  ordered_json curve = ordered_json::array();
  for (const auto& [x, p] : exceedance(s.cost.sorted_total, 60)) curve.push_back({x, p});
  j["exceedance"] = curve;
  ordered_json ranking = ordered_json::array();
  for (const MistakeSummary& ms : s.mistakes)
    ranking.push_back({{"id", m.mistakes[ms.index].id},
                       {"name", m.mistakes[ms.index].name},
                       {"mean", ms.cost.mean},
                       {"text", format_currency(ms.cost.mean, cur)},
                       {"share", s.cost.total.mean > 0 ? ms.cost.mean / s.cost.total.mean : 0.0},
                       {"known", ms.known_mean},
                       {"unknown", ms.unknown_mean}});
  j["mistakes"] = ranking;
  if (with) {
    // What the interventions save against the edited study without them, as `compare` computes it.
    const std::vector<double> savings = paired_difference(edited->results.cost_total, with->cost_total);
    const Summary sv = summarize(savings);
    std::vector<double> net(savings.size());
    std::uint64_t pays = 0;
    for (std::size_t t = 0; t < savings.size(); ++t) {
      net[t] = savings[t] - with->intervention_cost_at(t);
      pays += net[t] > 0;
    }
    const double cost = mean(with->intervention_cost);
    j["interventions"] = {
        {"ids", edits.interventions},
        {"savings", money_interval(sv.mean, sv.mean_ci95_lo, sv.mean_ci95_hi, cur)},
        {"cost", {{"value", cost}, {"text", format_currency(cost, cur)}}},
        {"net", {{"value", summarize(net).mean}, {"text", format_currency(summarize(net).mean, cur)}}},
        {"pays_off", static_cast<double>(pays) / static_cast<double>(savings.size())}};
  } else {
    j["interventions"] = nullptr;
  }
  ordered_json previews = ordered_json::object();
  for (const EditableParam& p : editable_params(m))
    if (edits.values.contains(p.path))
      previews[p.path] = {{"shape", p.dist.is_constant() ? std::string("fixed") : p.dist.describe()},
                          {"preview", distribution_preview(p.dist)}};
  j["previews"] = previews;
  j["milliseconds"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return j;
}

std::string Session::report(const Edits& edits) {
  const std::string text = overlay(edits);
  const auto start = std::chrono::steady_clock::now();
  const std::shared_ptr<const Run> edited = edited_run(text, [] { return false; });
  const RunInfo info =
      make_run_info(options_.threads != 0 ? options_.threads : std::thread::hardware_concurrency(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                    edited->model.source_file);
  return run_report_html(edited->model, edited->results, summarize_run(edited->results, SummaryScope::report),
                         info, sha256_hex(text));
}

Session::SaveResult Session::save(const std::string& name, const Edits& edits, bool overwrite) {
  check_save_name(name);
  const fs::path target = folder_ / name;
  std::error_code ec;
  if (fs::equivalent(target, study_file_, ec))
    return {SaveStatus::exists,
            {{"error", "that is the study itself; choose another name"}, {"can_overwrite", false}}};
  const std::string text = overlay(edits);
  // Validated as the file it will be, so a refusal names it as the CLI would.
  try {
    parse_study(text, target.string(), folder_);
  } catch (const InputError& e) {
    return {SaveStatus::invalid, input_error_json(e)};
  }
  if (fs::exists(target, ec)) {
    std::ifstream in(target, std::ios::binary);
    std::ostringstream old;
    old << in.rdbuf();
    const bool ours = old.str().rfind(kSavedMarker, 0) == 0 &&
                      old.str().find("\nextends = " + toml_string(study_file_.filename().string()) + "\n") !=
                          std::string::npos;
    if (!ours)
      return {SaveStatus::exists,
              {{"error", name + " already exists and is not a what-if saved from " +
                             study_file_.filename().string() + "; choose another name"},
               {"can_overwrite", false}}};
    if (!overwrite)
      return {SaveStatus::exists,
              {{"error", name + " already exists: replace it?"}, {"can_overwrite", true}}};
  }
  write_file_atomically(target, text);
  return {SaveStatus::saved,
          {{"saved", name}, {"path", target.string()}, {"command", "mistakesim run " + target.string()}}};
}

}  // namespace mistakesim::serve
