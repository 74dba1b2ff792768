// Commands sweep and sensitivity, and the --precision / --max-trials options of run (what-if
// studies). docs/what-if.md shows each with its output.

#include "cli/commands.hpp"
#include "cli/output_plan.hpp"
#include "cli/number_options.hpp"
#include "cli/precision_options.hpp"
#include "cli/progress.hpp"

#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif.hpp>
#include <mistakesim/whatif_report.hpp>
#include <mistakesim/xlsx.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>

namespace mistakesim::cli {
namespace {

struct SweepArgs {
  RunArgs run;
  std::string param, values, range;
  std::string param2, values2, range2;
  std::vector<std::string> interventions;  //!< --intervention ID (repeatable): applied at every point
};

struct SensitivityArgs {
  RunArgs run;
};

//! The values of one axis from --values or --range (exactly one of them).
std::vector<double> axis_values(const std::string& values, const std::string& range,
                                const std::string& values_option, const std::string& range_option,
                                const std::string& param_option) {
  if (values.empty() == range.empty())
    throw InputError({}, param_option,
                     fmt::format("give the values to try with either {} a,b,c or {} lo:hi:n (not both)",
                                 values_option, range_option));
  return values.empty() ? parse_sweep_range(range, range_option) : parse_sweep_values(values, values_option);
}

//! The study compiled again with values set, as load_for_run loads it (--trials, --seed).
StudyVariants study_variants(const RunArgs& run, const Model& loaded) {
  StudyAccess access;
  for (const std::string& dir : run.allow_dirs) access.allowed_dirs.emplace_back(dir);
  StudyVariants variants;
  for (StudyValue& v : study_values(run.config, access))
    variants.values.push_back(
        {std::move(v.path), std::move(v.dist), v.lower, v.upper, std::move(v.range_words)});
  variants.compile = [access, config = run.config, trials = loaded.trials,
                      seed = loaded.seed](const std::vector<std::pair<std::string, double>>& values) {
    Model m = load_study_with(config, access, values);
    m.trials = trials;
    m.seed = seed;
    return m;
  };
  return variants;
}

//! The axis of `path`: a year-level input is pinned, another value of the study compiles it again;
//! an unknown path is refused with the likely one ("did you mean pipeline.close_rate?").
SweepAxis sweep_axis(Model& model, const StudyVariants& variants, const std::string& path,
                     std::vector<double> values, const std::string& option) {
  const InputId id = model.find_input(path);
  if (id != kNoInput && !model.inputs[id].internal)
    return make_sweep_axis(model, path, std::move(values), option);
  if (variants.find(path) != nullptr) return make_variant_axis(model, variants, path, std::move(values));
  std::vector<std::string> paths;
  for (const YearInput& in : model.inputs)
    if (!in.internal) paths.push_back(in.path);
  for (const StudyVariants::Value& v : variants.values)
    if (std::find(paths.begin(), paths.end(), v.path) == paths.end()) paths.push_back(v.path);
  if (path.size() > 6 && path.compare(path.size() - 6, 6, ":scale") == 0) {  // only amounts have a scale
    std::vector<std::string> scales;
    for (const std::string& p : paths)
      if (p.size() > 6 && p.compare(p.size() - 6, 6, ":scale") == 0) scales.push_back(p);
    paths = std::move(scales);
  }
  if (path.size() > 6 && path.compare(path.size() - 6, 6, ":scale") == 0) {  // only amounts have a scale
    std::vector<std::string> scales;
    for (const std::string& p : paths)
      if (p.size() > 6 && p.compare(p.size() - 6, 6, ":scale") == 0) scales.push_back(p);
    paths = std::move(scales);
  }
  if (const std::string guess = suggest_path(path, paths); !guess.empty())
    throw InputError({}, option,
                     fmt::format("\"{}\" is not a parameter of the study (did you mean {}?)", path, guess));
  throw InputError({}, option,
                   fmt::format("\"{}\" is not a parameter of the study; a sweep can set one of: {}", path,
                               fmt::join(paths, ", ")));
}

//! The interventions a sweep applies: known ids, each once ("did you mean" for a misspelt one).
void check_sweep_interventions(const Model& model, const std::vector<std::string>& ids) {
  std::vector<std::string> known;
  for (const Intervention& iv : model.interventions) known.push_back(iv.id);
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (std::find(known.begin(), known.end(), ids[k]) == known.end()) {
      if (known.empty())
        throw InputError({}, "--intervention",
                         fmt::format("the study has no interventions, got \"{}\"", ids[k]));
      const std::string guess = suggest_path(ids[k], known);
      throw InputError({}, "--intervention",
                       fmt::format("\"{}\" is not an intervention of the study ({}: {})", ids[k],
                                   guess.empty() ? "its interventions are"
                                                 : "did you mean " + guess + "? its interventions are",
                                   fmt::join(known, ", ")));
    }
    if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids[k]) !=
        ids.begin() + static_cast<std::ptrdiff_t>(k))
      throw InputError({}, "--intervention", fmt::format("intervention \"{}\" is given twice", ids[k]));
  }
}

//! Refuses sweeping a number of an intervention the sweep does not apply (it would change nothing).
void check_intervention_path(const Model& model, const std::vector<std::string>& ids, const std::string& path,
                             const std::string& option) {
  for (const Intervention& iv : model.interventions) {
    const std::string prefix = "intervention." + iv.id + ".";
    if (path.rfind(prefix, 0) != 0) continue;
    if (std::find(ids.begin(), ids.end(), iv.id) == ids.end())
      throw InputError({}, option,
                       fmt::format("{} belongs to intervention \"{}\", which this sweep does not apply, so "
                                   "no figure would move; add --intervention {}",
                                   path, iv.id, iv.id));
  }
}

int cmd_sweep(const SweepArgs& a) {
  std::vector<std::filesystem::path> inputs;
  Model model = load_for_run(a.run, &inputs);  // the reports' model: gains an input per compiled axis
  check_sweep_interventions(model, a.interventions);
  check_intervention_path(model, a.interventions, a.param, "--param");
  if (!a.param2.empty()) check_intervention_path(model, a.interventions, a.param2, "--param2");
  const StudyVariants variants = study_variants(a.run, model);
  const SweepAxis axis = sweep_axis(
      model, variants, a.param, axis_values(a.values, a.range, "--values", "--range", "--param"), "--param");
  std::optional<SweepAxis> axis2;
  if (!a.param2.empty()) {
    if (a.param2 == a.param)
      throw InputError({}, "--param2",
                       fmt::format("a grid needs two different parameters, got {} twice", a.param));
    axis2 = sweep_axis(model, variants, a.param2,
                       axis_values(a.values2, a.range2, "--values2", "--range2", "--param2"), "--param2");
  } else if (!a.values2.empty() || !a.range2.empty()) {
    throw InputError({}, "--param2",
                     "--values2 and --range2 need --param2 PATH, the second parameter of the grid");
  }

  Sweep sweep;  // filled by the run below; the outputs render it once it is done
  RunInfo info;
  OutputPlan plan(
      inputs, {
                  {"--json", a.run.json_path,
                   [&](std::ostream& out) { write_json(out, sweep_json(model, sweep, info), model); }},
                  {"--csv", a.run.csv_path, [&](std::ostream& out) { write_sweep_csv(out, model, sweep); }},
                  {"--report", a.run.report_path,
                   [&](std::ostream& out) {
                     out << sweep_report_html(model, sweep, info, sha256_file_hex(a.run.config));
                   }},
                  {"--xlsx", a.run.xlsx_path,
                   [&](std::ostream& out) {
                     out << sweep_workbook(model, sweep, info, sha256_file_hex(a.run.config));
                   }},
              });

  const auto start = std::chrono::steady_clock::now();
  RunOptions options;
  options.threads = thread_count(a.run.threads);
  options.executor = trial_executor();
  if (!a.run.quiet)
    std::cerr << fmt::format("mistakesim: sweeping {} point{} of {} simulated years each\n",
                             axis.values.size() * (axis2 ? axis2->values.size() : 1),
                             axis.values.size() * (axis2 ? axis2->values.size() : 1) == 1 ? "" : "s",
                             model.trials);
  ProgressBar progress(model.trials * axis.values.size() * (axis2 ? axis2->values.size() : 1), !a.run.quiet);
  options.progress = progress.counter();
  sweep = run_sweep(model, axis, axis2, options, &variants, a.interventions);
  progress.finish();
  info = make_run_info(options.threads,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                       a.run.config);
  plan.write([&] { return sweep_terminal(model, sweep, info); });
  return 0;
}

int cmd_sensitivity(const SensitivityArgs& a) {
  std::vector<std::filesystem::path> inputs;
  const Model model = load_for_run(a.run, &inputs);
  TrialResults results;  // filled by the run below; the outputs render them once it is done
  Sensitivity s;
  RunInfo info;
  OutputPlan plan(
      inputs,
      {
          {"--json", a.run.json_path,
           [&](std::ostream& out) { write_json(out, sensitivity_json(model, s, results, info), model); }},
          {"--report", a.run.report_path,
           [&](std::ostream& out) {
             out << sensitivity_report_html(model, s, info, sha256_file_hex(a.run.config));
           }},
          {"--xlsx", a.run.xlsx_path,
           [&](std::ostream& out) {
             out << sensitivity_workbook(model, s, results, info, sha256_file_hex(a.run.config));
           }},
      });
  const auto start = std::chrono::steady_clock::now();
  RunOptions options;
  options.threads = thread_count(a.run.threads);
  options.executor = trial_executor();
  ProgressBar progress(model.trials, !a.run.quiet);
  options.progress = progress.counter();
  results = run_trials(model, Scenario{}, options);
  progress.finish();
  s = sensitivity(model, results);
  info = make_run_info(options.threads,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                       a.run.config);
  plan.write([&] { return sensitivity_terminal(model, s, info); });
  return 0;
}

}  // namespace

void add_precision_options(CLI::App* cmd, PrecisionArgs& args) {
  cmd->add_option(
      "--precision", args.precision,
      "Run until the 95% CI of the mean (run: yearly cost; compare: each intervention's savings) is "
      "within this share of it: 0.5% or 0.005. The trial count is chosen among 10,000, 20,000, "
      "40,000, ... and is the same every time");
  cmd->add_option("--max-trials", args.max_trials,
                  "With --precision: stop at this many years at most (default 1,000,000)")
      ->check(whole_number(1, kMaxTrials, "a whole number of simulated years"));
}

std::optional<PrecisionGoal> precision_goal(const RunArgs& run, const PrecisionArgs& args) {
  if (!args.enabled()) {
    if (args.max_trials)
      throw InputError({}, "--max-trials",
                       "--max-trials bounds a --precision run; give --precision too, or use --trials");
    return std::nullopt;
  }
  if (run.trials)
    throw InputError({}, "--trials",
                     "with --precision the run chooses its trial count; bound it with --max-trials instead");
  PrecisionGoal goal;
  goal.relative = parse_precision(args.precision, "--precision");
  if (args.max_trials) goal.max_trials = *args.max_trials;
  return goal;
}

TrialResults run_with_precision(const Model& model, const Scenario& scenario, const RunOptions& options,
                                const std::optional<PrecisionGoal>& goal,
                                std::optional<PrecisionRun>& outcome) {
  outcome.reset();
  if (!goal) return run_trials(model, scenario, options);
  PrecisionRun run = run_to_precision(model, scenario, *goal, options);
  TrialResults results = std::move(run.results);
  run.results = TrialResults{};
  outcome = std::move(run);
  return results;
}

void warn_if_max_trials(const PrecisionRun& run, bool quiet, const std::string& what) {
  if (run.reached_goal || quiet) return;
  std::cerr << fmt::format(
      "mistakesim: warning: stopped at --max-trials {} years with the {} known to ±{:.3g}% (asked ±{:.3g}%); "
      "raise --max-trials for more precision\n",
      run.trials_used, what, 100.0 * run.reached, 100.0 * run.asked);
}

std::string precision_note(const PrecisionRun& run, const std::string& what) {
  return fmt::format(
      "\nStopped after {} simulated years: {} is known to ±{:.3g}% (95% confidence; asked ±{:.3g}%){}.\n",
      format_count(static_cast<double>(run.trials_used)), what, 100.0 * run.reached, 100.0 * run.asked,
      run.reached_goal ? "" : ", the most --max-trials allows");
}

void add_whatif_commands(CLI::App& app, Action& action) {
  auto sweep = std::make_shared<SweepArgs>();
  CLI::App* cmd =
      app.add_subcommand("sweep", "What if one input (or two) were different? The study at each value");
  add_run_options(cmd, sweep->run,
                  {.trials = "Simulated years per point (overrides study.trials)",
                   .csv = "Write one row per point to this CSV file ('-' for stdout)",
                   .quiet = "No progress bar or notes on stderr (warnings still show)"});
  add_xlsx_option(cmd, sweep->run);
  cmd->add_option("--param,-p", sweep->param,
                  "Parameter path to set, e.g. pipeline.close_rate, team.reps, pipeline.deal_size.median")
      ->required();
  cmd->add_option("--values", sweep->values, "Comma-separated values to try, e.g. 0.4,0.5,0.6");
  cmd->add_option("--range", sweep->range, "lo:hi:n - n evenly spaced values from lo to hi, e.g. 0.4:0.7:4");
  cmd->add_option("--param2", sweep->param2, "A second parameter: every pair of values (a grid)");
  cmd->add_option("--values2", sweep->values2, "Values of the second parameter");
  cmd->add_option("--range2", sweep->range2, "lo:hi:n for the second parameter");
  cmd->add_option("--intervention,-i", sweep->interventions,
                  "Apply this intervention at every point (repeat for several, applied together): the "
                  "sweep then shows its cost and the net cost, mistakes + intervention, per year");
  cmd->footer(R"(
Each point sets the parameter to that value in every simulated year (instead of drawing it) and
plays the same years with the same random numbers, so the differences between points are the
parameter's effect, not noise. A year-level rate is set in place; anything else with a parameter
path - team.reps, the opportunity volume, a per-deal or per-occurrence amount (which becomes that
constant), one number of a distribution such as pipeline.deal_size.median, a scale that
multiplies every draw of an amount (pipeline.deal_size:scale = 1.2: deals 20% bigger) - compiles
the study again with the value. Values the study cannot take are refused.

With --intervention ID the intervention is applied at every point, and the sweep shows its cost
and the net cost (mistakes + intervention); its numbers can then be swept too:
intervention.ID.cost, .cost_per_rep, .hours_per_rep, and intervention.ID.<path an effect changes>.

Examples:
  mistakesim sweep configs/mid-market.toml --param pipeline.close_rate --values 0.45,0.6,0.75
  mistakesim sweep configs/mid-market.toml --param mistake.skipped-discovery.probability --range 0:0.4:5
  mistakesim sweep configs/mid-market.toml --param team.reps --values 8,10,12
  mistakesim sweep configs/mid-market.toml --param pipeline.deal_size.p95 --values 150000,200000
  mistakesim sweep configs/mid-market.toml --param pipeline.deal_size:scale --values 0.8,1,1.2
  mistakesim sweep configs/training-options.toml --intervention discovery-coaching \
      --param intervention.pilot-training.cost_per_rep --values 1000,1500,3000
  mistakesim sweep configs/mid-market.toml --param pipeline.close_rate --range 0.5:0.7:3 \
      --param2 mistake.late-pricing.probability --values2 0.1,0.3 --csv out/grid.csv
  mistakesim sweep configs/mid-market.toml --param pipeline.close_rate --range 0.4:0.8:5 --report out/sweep.html)");
  cmd->callback([&action, sweep] { action = [sweep] { return cmd_sweep(*sweep); }; });

  auto sens = std::make_shared<SensitivityArgs>();
  CLI::App* sc =
      app.add_subcommand("sensitivity", "Which uncertain inputs drive the yearly cost of mistakes?");
  add_run_options(sc, sens->run, {.csv = nullptr});
  add_xlsx_option(sc, sens->run);
  sc->footer(R"(
Ranks every uncertain year-level input (rates and probabilities drawn once per simulated year) by
its rank correlation with the yearly cost, with standardised regression coefficients, the swing of
the average cost between the input's low (P10) and high (P90) years, and how unusual the input is
in the worst 10% of years.

Examples:
  mistakesim sensitivity configs/mid-market.toml
  mistakesim sensitivity configs/mid-market.toml --trials 50000 --json out/sensitivity.json
  mistakesim sensitivity configs/mid-market.toml --report out/sensitivity.html)");
  sc->callback([&action, sens] { action = [sens] { return cmd_sensitivity(*sens); }; });
}

}  // namespace mistakesim::cli
