// Commands run, validate and init.

#include "cli/commands.hpp"
#include "cli/precision_options.hpp"
#include "cli/progress.hpp"

#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif_report.hpp>

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <sstream>

namespace mistakesim::cli {
namespace {

int cmd_run(const RunArgs& a, const PrecisionArgs& p) {
  if (a.memory_bounded) {
    if (p.enabled()) throw InputError({}, "--memory-bounded", "give either --memory-bounded or --precision, not both");
    return run_memory_bounded(a);
  }
  const std::optional<PrecisionGoal> goal = precision_goal(a, p);
  const Model model = load_for_run(a);
  const auto start = std::chrono::steady_clock::now();
  RunOptions options;
  options.threads = thread_count(a.threads);
  options.executor = trial_executor();
  options.record_inputs = !a.csv_path.empty();  // per-trial inputs only feed the CSV
  std::optional<PrecisionRun> precision;  // set by a --precision run
  // A precision run's length is not known in advance: its bar counts toward --max-trials.
  ProgressBar progress(goal ? goal->max_trials : model.trials, !a.quiet);
  options.progress = progress.counter();
  const TrialResults results = run_with_precision(model, Scenario{}, options, goal, precision);
  progress.finish();
  if (precision) warn_if_max_trials(*precision, a.quiet, "mean yearly cost");

  const RunInfo info = make_run_info(
      options.threads, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), a.config);

  // Render everything first, then write: a failure leaves no half-written set of outputs.
  const RunSummary summary = summarize_run(results);
  const bool json_to_stdout = a.json_path == "-";
  std::string json_text;
  if (!a.json_path.empty()) {
    nlohmann::ordered_json json = run_json(model, results, summary, info);
    if (precision) json["precision"] = precision_json(*precision);
    json_text = json.dump(2) + "\n";
  }
  std::string csv_text;
  if (!a.csv_path.empty()) {
    std::ostringstream csv;
    write_csv(csv, model, results);
    csv_text = csv.str();
  }
  std::string html_text;
  if (!a.report_path.empty()) html_text = run_report_html(model, results, info, sha256_file_hex(a.config));
  write_outputs(a, json_text, csv_text, html_text,
                json_to_stdout ? "" : terminal_summary(model, results, summary, info) +
                                          (precision ? precision_note(*precision) : std::string()));
  return 0;
}

int cmd_validate(const std::string& config) {
  const Model model = load_study(config);
  for (const std::string& warning : model.warnings) std::cerr << "mistakesim: warning: " << warning << "\n";
  std::cout << fmt::format("{}: OK - \"{}\": {} reps, {} mistakes, {} interventions, {} uncertain inputs, {} trials\n",
                           config, model.name, model.reps, model.mistakes.size(), model.interventions.size(),
                           model.uncertain_inputs().size(), model.trials);
  return 0;
}

}  // namespace

void add_run_commands(CLI::App& app, Action& action) {
  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("run", "Simulate the study's year many times and summarise the cost of mistakes");
  add_run_options(run, *run_args);
  auto precision_args = std::make_shared<PrecisionArgs>();
  add_precision_options(run, *precision_args);
  run->add_flag("--memory-bounded", run_args->memory_bounded,
                "Summarize in bounded memory, for more years than fit (percentiles from sketches, error stated; "
                "no --csv or --report)");
  run->footer(R"(
Examples:
  mistakesim run configs/mid-market.toml
  mistakesim run configs/seed-case.toml --trials 1000
  mistakesim run configs/mid-market.toml --trials 1000000 --json out/summary.json --csv out/trials.csv)");
  run->callback([&action, run_args, precision_args] {
    action = [run_args, precision_args] { return cmd_run(*run_args, *precision_args); };
  });

  auto validate_config = std::make_shared<std::string>();
  CLI::App* validate = app.add_subcommand("validate", "Check a study file and say what it describes");
  validate->add_option("CONFIG", *validate_config, "Study file (TOML)")->required();
  validate->footer("\nExample:\n  mistakesim validate configs/mid-market.toml");
  validate->callback([&action, validate_config] { action = [validate_config] { return cmd_validate(*validate_config); }; });

  CLI::App* init = app.add_subcommand("init", "Print an annotated template study to adapt");
  init->footer("\nExample:\n  mistakesim init > my-study.toml && mistakesim validate my-study.toml");
  init->callback([&action] {
    action = [] {
      std::cout << study_template();
      return 0;
    };
  });
}

}  // namespace mistakesim::cli
