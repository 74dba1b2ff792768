// Commands run, validate and init.

#include "cli/commands.hpp"
#include "cli/output_plan.hpp"
#include "cli/precision_options.hpp"
#include "cli/progress.hpp"

#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/sip.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif_report.hpp>
#include <mistakesim/xlsx.hpp>

#include <fmt/format.h>

#include <chrono>
#include <iostream>

namespace mistakesim::cli {
namespace {

int cmd_run(const RunArgs& a, const PrecisionArgs& p) {
  if (a.memory_bounded) {
    if (p.enabled())
      throw InputError({}, "--memory-bounded", "give either --memory-bounded or --precision, not both");
    return run_memory_bounded(a);
  }
  const std::optional<PrecisionGoal> goal = precision_goal(a, p);
  std::vector<std::filesystem::path> inputs;
  const Model model = load_for_run(a, &inputs);

  // Filled by the run below; the outputs render them once it is done.
  TrialResults results;
  RunSummary summary;
  RunInfo info;
  std::optional<PrecisionRun> precision;  // set by a --precision run
  OutputPlan plan(inputs,
                  {
                      {"--json", a.json_path,
                       [&](std::ostream& out) {
                         nlohmann::ordered_json json = run_json(model, results, summary, info);
                         if (precision) json["precision"] = precision_json(*precision);
                         write_json(out, std::move(json), model);
                       }},
                      {"--csv", a.csv_path, [&](std::ostream& out) { write_csv(out, model, results); }},
                      {"--report", a.report_path,
                       [&](std::ostream& out) {
                         out << run_report_html(model, results, summary, info, sha256_file_hex(a.config));
                       }},
                      {"--xlsx", a.xlsx_path,
                       [&](std::ostream& out) {
                         out << run_workbook(model, results, summary, info, sha256_file_hex(a.config));
                       }},
                      {"--sip", a.sip_path,
                       [&](std::ostream& out) {
                         write_sip_library(out, model, results, info, sha256_file_hex(a.config));
                       }},
                  });

  const auto start = std::chrono::steady_clock::now();
  RunOptions options;
  options.threads = thread_count(a.threads);
  options.executor = trial_executor();
  // per-trial inputs only feed the CSV, the workbook's Years sheet and the SIP library
  options.record_inputs = !a.csv_path.empty() || !a.xlsx_path.empty() || !a.sip_path.empty();
  // A precision run's length is not known in advance: its bar counts toward --max-trials.
  ProgressBar progress(goal ? goal->max_trials : model.trials, !a.quiet);
  options.progress = progress.counter();
  results = run_with_precision(model, Scenario{}, options, goal, precision);
  progress.finish();
  if (precision) warn_if_max_trials(*precision, a.quiet, "mean yearly cost");
  info = make_run_info(options.threads,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                       a.config);
  summary = summarize_run(results, a.report_path.empty() ? SummaryScope::tables : SummaryScope::report);
  plan.write([&] {
    return terminal_summary(model, results, summary, info) +
           (precision ? precision_note(*precision) : std::string());
  });
  return 0;
}

struct ValidateArgs {
  std::string config;
  bool effective = false;
  std::vector<std::string> allow_dirs;
};

int cmd_validate(const ValidateArgs& a) {
  StudyAccess access;
  for (const std::string& dir : a.allow_dirs) access.allowed_dirs.emplace_back(dir);
  const std::string& config = a.config;
  const Model model = load_study(config, access);
  for (const std::string& warning : model.warnings) std::cerr << "mistakesim: warning: " << warning << "\n";
  if (a.effective) {  // the study as one file on stdout, nothing else: it can be saved and run
    std::cout << effective_study(config, access);
    return 0;
  }
  for (const std::string& note : model.notes) std::cout << note << "\n";
  std::cout << fmt::format(
      "{}: OK - \"{}\": {} reps, {} mistakes, {} interventions, {} uncertain inputs, {} trials\n", config,
      model.name, model.reps, model.mistakes.size(), model.interventions.size(),
      model.uncertain_inputs().size(), model.trials);
  return 0;
}

}  // namespace

void add_run_commands(CLI::App& app, Action& action) {
  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run =
      app.add_subcommand("run", "Simulate the study's year many times and summarise the cost of mistakes");
  add_run_options(run, *run_args);
  add_xlsx_option(run, *run_args);
  run->add_option("--sip", run_args->sip_path,
                  "Write the yearly costs and uncertain inputs as a SIPmath 3.0 library (JSON)")
      ->check(output_path());
  auto precision_args = std::make_shared<PrecisionArgs>();
  add_precision_options(run, *precision_args);
  run->add_flag(
      "--memory-bounded", run_args->memory_bounded,
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

  auto validate_args = std::make_shared<ValidateArgs>();
  CLI::App* validate = app.add_subcommand("validate", "Check a study file and say what it describes");
  validate->add_option("CONFIG", validate_args->config, "Study file (TOML)")->required();
  validate->add_flag("--effective", validate_args->effective,
                     "Print the study as one TOML file, with every file it extends merged in");
  validate->add_option("--allow-dir", validate_args->allow_dirs,
                       "Also read base studies and data files from this folder (repeatable)");
  validate->footer(
      "\nExamples:\n  mistakesim validate configs/mid-market.toml\n"
      "  mistakesim validate --effective configs/crm-informed.toml");
  validate->callback(
      [&action, validate_args] { action = [validate_args] { return cmd_validate(*validate_args); }; });

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
