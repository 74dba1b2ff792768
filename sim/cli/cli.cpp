// Command-line front. Each subcommand: parse options into a struct, load and validate the study
// (bad input -> InputError -> exit 2 before any work), run the library, then write every output
// whole (temporary file + rename). Data goes to stdout, diagnostics to stderr.

#include "cli/cli.hpp"

#include <mistakesim/build_info.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/study.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace mistakesim::cli {
namespace {

namespace fs = std::filesystem;

//! Options shared by the commands that run trials.
struct RunArgs {
  std::string config;
  std::optional<std::uint64_t> trials;
  std::optional<std::uint64_t> seed;
  unsigned threads = 0;
  std::string json_path;
  std::string csv_path;
  std::string report_path;
  bool quiet = false;
};

void add_run_options(CLI::App* cmd, RunArgs& a) {
  cmd->add_option("CONFIG", a.config, "Study file (TOML)")->required();
  cmd->add_option("--trials,-n", a.trials, "Simulated years (overrides study.trials)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed,-s", a.seed, "Random seed (overrides study.seed)");
  cmd->add_option("--threads,-t", a.threads, "Worker threads (default: all cores); never changes results");
  cmd->add_option("--json", a.json_path, "Write the summary as JSON to this file ('-' for stdout)");
  cmd->add_option("--csv", a.csv_path, "Write one row per simulated year to this CSV file");
  cmd->add_flag("--quiet,-q", a.quiet, "No progress or notes on stderr");
}

//! Refuses an output path whose folder does not exist, before any work is done.
void check_output_path(const std::string& path, const std::string& option) {
  if (path.empty() || path == "-") return;
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw InputError({}, option, fmt::format("cannot write {}: the folder {} does not exist", path, dir.string()));
  if (fs::is_directory(p)) throw InputError({}, option, fmt::format("cannot write {}: it is a folder", path));
}

Model load(const RunArgs& a) {
  Model model = load_study(a.config);
  if (a.trials) model.trials = *a.trials;
  if (a.seed) model.seed = *a.seed;
  check_output_path(a.json_path, "--json");
  check_output_path(a.csv_path, "--csv");
  check_output_path(a.report_path, "--report");
  return model;
}

unsigned thread_count(unsigned asked) {
  return asked != 0 ? asked : std::max(1u, std::thread::hardware_concurrency());
}

int cmd_run(const RunArgs& a) {
  const Model model = load(a);
  const auto start = std::chrono::steady_clock::now();
  RunOptions options;
  options.threads = thread_count(a.threads);
  const TrialResults results = run_trials(model, Scenario{}, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  RunInfo info;
  info.threads = options.threads;
  info.seconds = seconds;
  info.version = kVersion;
  info.build = kBuildInfo;
  info.study_file = a.config;

  // Render everything first, then write: a failure leaves no half-written set of outputs.
  const bool json_to_stdout = a.json_path == "-";
  std::string json_text;
  if (!a.json_path.empty()) json_text = run_json(model, results, info).dump(2) + "\n";
  std::string csv_text;
  if (!a.csv_path.empty()) {
    std::ostringstream csv;
    write_csv(csv, model, results);
    csv_text = csv.str();
  }
  if (!a.json_path.empty() && !json_to_stdout) write_file_atomically(a.json_path, json_text);
  if (!a.csv_path.empty()) write_file_atomically(a.csv_path, csv_text);

  if (json_to_stdout) {
    std::cout << json_text;
  } else {
    std::cout << terminal_summary(model, results, info);
  }
  return 0;
}

int cmd_validate(const std::string& config) {
  const Model model = load_study(config);
  std::size_t uncertain = model.uncertain_inputs().size();
  std::cout << fmt::format("{}: OK - \"{}\": {} reps, {} mistakes, {} interventions, {} uncertain inputs, {} trials\n",
                           config, model.name, model.reps, model.mistakes.size(), model.interventions.size(),
                           uncertain, model.trials);
  return 0;
}

const char* kExamples = R"(
Examples:
  mistakesim run configs/mid-market.toml
  mistakesim run configs/mid-market.toml --trials 1000000 --threads 2 --json out/summary.json --csv out/trials.csv
  mistakesim validate configs/seed-case.toml
  mistakesim init > my-study.toml
)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mistakesim - what your sales team's mistakes cost in a year, including the ones nobody noticed.\n"
      "Simulates the year many times from a study file of uncertain inputs and reports distributions."};
  app.footer(kExamples);
  app.set_version_flag("--version", fmt::format("mistakesim {} ({})", kVersion, kBuildInfo));
  app.require_subcommand(1);

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Simulate the study's year many times and summarise the cost of mistakes");
  add_run_options(run, run_args);
  run->footer(R"(
Examples:
  mistakesim run configs/mid-market.toml
  mistakesim run configs/seed-case.toml --trials 1000
  mistakesim run configs/mid-market.toml --trials 1000000 --json out/summary.json --csv out/trials.csv)");

  std::string validate_config;
  CLI::App* validate = app.add_subcommand("validate", "Check a study file and say what it describes");
  validate->add_option("CONFIG", validate_config, "Study file (TOML)")->required();
  validate->footer("\nExample:\n  mistakesim validate configs/mid-market.toml");

  CLI::App* init = app.add_subcommand("init", "Print an annotated template study to adapt");
  init->footer("\nExample:\n  mistakesim init > my-study.toml && mistakesim validate my-study.toml");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (run->parsed()) return cmd_run(run_args);
    if (validate->parsed()) return cmd_validate(validate_config);
    if (init->parsed()) {
      std::cout << study_template();
      return 0;
    }
  } catch (const InputError& e) {
    std::cerr << "mistakesim: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "mistakesim: internal error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace mistakesim::cli
