// Command-line front: builds the CLI11 app from the command groups, runs the chosen action under the
// error policy. Data goes to stdout, diagnostics to stderr. Exit: 0 success, 2 bad usage or input,
// 1 runtime failure.

#include "cli/cli.hpp"

#include "cli/commands.hpp"

#include <mistakesim/build_info.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/mpi.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/study.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <new>
#include <thread>

namespace mistakesim::cli {

namespace fs = std::filesystem;

namespace {
//! This process's part in the run (alone, or one MPI rank): made first thing in main, read by the
//! commands through trial_executor() and write_outputs(). Like MPI itself, one per process.
mpi::Session* g_session = nullptr;
}  // namespace

const TrialExecutor* trial_executor() { return g_session ? g_session->executor() : nullptr; }

void add_run_options(CLI::App* cmd, RunArgs& a) {
  cmd->add_option("CONFIG", a.config, "Study file (TOML)")->required();
  cmd->add_option("--trials,-n", a.trials, "Simulated years (overrides study.trials)")->check(CLI::PositiveNumber);
  cmd->add_option("--seed,-s", a.seed, "Random seed (overrides study.seed)");
  cmd->add_option("--threads,-t", a.threads, "Worker threads (default: all cores); never changes results");
  cmd->add_option("--json", a.json_path, "Write the results as JSON to this file ('-' for stdout)");
  cmd->add_option("--csv", a.csv_path, "Write one row per simulated year to this CSV file");
  cmd->add_option("--report", a.report_path, "Write a self-contained HTML report to this file");
  cmd->add_flag("--quiet,-q", a.quiet, "No progress bar or notes on stderr");
}

void check_output_path(const std::string& path, const std::string& option) {
  if (path.empty() || path == "-") return;
  if (g_session && g_session->rank() != 0) return;  // under MPI only rank 0 writes (its folders count)
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw InputError({}, option, fmt::format("cannot write {}: the folder {} does not exist", path, dir.string()));
  if (fs::is_directory(p)) throw InputError({}, option, fmt::format("cannot write {}: it is a folder", path));
}

Model load_for_run(const RunArgs& a) {
  check_output_path(a.json_path, "--json");
  check_output_path(a.csv_path, "--csv");
  check_output_path(a.report_path, "--report");
  Model model = load_study(a.config);
  if (a.trials && *a.trials > kMaxTrials && !a.memory_bounded)
    throw InputError({}, "--trials",
                     fmt::format("at most {} trials in one run (each keeps a few hundred bytes of results), got {}; "
                                 "--precision stops as soon as the answer is precise enough",
                                 kMaxTrials, *a.trials) + "; run --memory-bounded summarizes more in bounded memory");
  if (a.trials) model.trials = *a.trials;
  if (a.seed) model.seed = *a.seed;
  if (!a.quiet)
    for (const std::string& warning : model.warnings) std::cerr << "mistakesim: warning: " << warning << "\n";
  return model;
}

unsigned thread_count(unsigned asked) { return asked != 0 ? asked : std::max(1u, std::thread::hardware_concurrency()); }

int main(int argc, char** argv) {
  mpi::Session session(argc, argv);  // under mpirun: MPI started, ranks other than 0 silenced
  g_session = &session;
  CLI::App app{
      "mistakesim - what your sales team's mistakes cost in a year, including the ones nobody noticed.\n"
      "Simulates the year many times from a study file of uncertain inputs and reports distributions."};
  app.footer(R"(
Examples:
  mistakesim run configs/mid-market.toml
  mistakesim run configs/mid-market.toml --trials 1000000 --json out/summary.json --report out/report.html
  mistakesim compare configs/training-options.toml
  mistakesim sweep configs/mid-market.toml --param pipeline.close_rate --values 0.4,0.5,0.6
  mistakesim sensitivity configs/mid-market.toml
  mistakesim dist '{ dist = "lognormal", p05 = 15000, p95 = 250000 }'
  mistakesim validate configs/seed-case.toml
  mistakesim init > my-study.toml

Run 'mistakesim COMMAND --help' for a command's options.)");
  app.set_version_flag("--version", fmt::format("mistakesim {} ({})", kVersion, kBuildInfo));
  app.require_subcommand(1);

  Action action;
  add_run_commands(app, action);
  add_compare_command(app, action);
  add_whatif_commands(app, action);
  add_dist_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!action) return 2;
  int status = 0;
  std::string error;  // printed by session.finish (under MPI: by rank 0, naming the rank that failed)
  try {
    status = action();
  } catch (const InputError& e) {
    error = e.what();
    status = 2;
  } catch (const std::bad_alloc&) {
    error = "not enough memory for this run; ask for fewer --trials (or use --precision)";
    status = 1;
  } catch (const std::exception& e) {
    error = std::string("internal error: ") + e.what();
    status = 1;
  }
  const int exit_status = session.finish(status, error);
  g_session = nullptr;
  return exit_status;
}

void write_outputs(const RunArgs& a, const std::string& json_text, const std::string& csv_text,
                   const std::string& html_text, const std::string& terminal_text) {
  if (g_session && !g_session->writes_outputs()) return;  // under MPI rank 0 writes, once every rank is well
  std::vector<std::pair<std::filesystem::path, std::string_view>> outputs;
  if (!a.json_path.empty() && a.json_path != "-") outputs.emplace_back(a.json_path, json_text);
  if (!a.csv_path.empty()) outputs.emplace_back(a.csv_path, csv_text);
  if (!a.report_path.empty()) outputs.emplace_back(a.report_path, html_text);
  write_files_atomically(outputs);
  std::cout << (a.json_path == "-" ? json_text : terminal_text);
}

}  // namespace mistakesim::cli
