// Command-line front: builds the CLI11 app from the command groups, runs the chosen action under the
// error policy. Data goes to stdout, diagnostics to stderr. Exit status (docs/cli.md): 0 success,
// 2 bad usage or input, 1 runtime failure (full disk, not enough memory, a bug), 130/143 interrupted
// by SIGINT/SIGTERM.

#include "cli/cli.hpp"

#include "cli/commands.hpp"
#include "cli/output_plan.hpp"
#include "config/study_spec.hpp"

#include <mistakesim/build_info.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/output_files.hpp>
#include <mistakesim/mpi.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/sketch.hpp>
#include <mistakesim/study.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <charconv>
#include <csignal>
#include <cstring>
#include <iostream>
#include <new>
#include <thread>
#include <unistd.h>

namespace mistakesim::cli {

namespace fs = std::filesystem;

namespace {
//! This process's part in the run (alone, or one MPI rank): made first thing in main, read by the
//! commands through trial_executor() and write_outputs(). Like MPI itself, one per process.
mpi::Session* g_session = nullptr;
}  // namespace

const TrialExecutor* trial_executor() { return g_session ? g_session->executor() : nullptr; }
bool is_output_process() { return g_session == nullptr || g_session->rank() == 0; }
bool ready_to_write_outputs() { return g_session == nullptr || g_session->writes_outputs(); }

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, const std::string& what) {
  return CLI::Validator(
      [min, max, what](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        const std::string range = fmt::format("from {} to {}", min, max);
        if (!digits || error != std::errc{} || end != text.data() + text.size() || value < min || value > max)
          return fmt::format("expected {}, {} (digits only), got '{}'", what, range, text);
        return {};
      },
      "N");
}

void add_run_options(CLI::App* cmd, RunArgs& a, const RunOptionsHelp& help) {
  cmd->add_option("CONFIG", a.config, "Study file (TOML)")->required();
  cmd->add_option("--trials,-n", a.trials, help.trials)
      ->check(whole_number(1, kMaxBoundedTrials, "a whole number of simulated years"));
  cmd->add_option("--seed,-s", a.seed, "Random seed, a whole number from 0 to 2^64-1 (overrides study.seed)")
      ->check(whole_number(0, std::numeric_limits<std::uint64_t>::max(), "a seed"));
  cmd->add_option("--threads,-t", a.threads,
                  "Worker threads, 1 to 1024 (default, or 0: all cores); never changes results")
      ->check(whole_number(0, kMaxThreads, "a number of threads"));
  cmd->add_option("--allow-dir", a.allow_dirs,
                  "Also let the study read data files and base studies from this folder (repeatable; "
                  "by default only the study's own folder and those below it)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--json", a.json_path, "Write the results as JSON to this file ('-' for stdout)")
      ->check(output_path());
  if (help.csv != nullptr) cmd->add_option("--csv", a.csv_path, help.csv)->check(output_path());
  cmd->add_option("--report", a.report_path,
                  "Write a self-contained HTML report to this file ('-' for stdout)")
      ->check(output_path());
  cmd->add_flag("--quiet,-q", a.quiet, help.quiet);
}

void add_xlsx_option(CLI::App* cmd, RunArgs& a) {
  cmd->add_option("--xlsx", a.xlsx_path,
                  "Write an Excel workbook (summary, charts, one row per year) to this file")
      ->check(output_path());
}

Model load_for_run(const RunArgs& a, std::vector<fs::path>* inputs) {
  StudyAccess access;
  for (const std::string& dir : a.allow_dirs) access.allowed_dirs.emplace_back(dir);
  Model model = load_study(a.config, access, inputs);
  if (a.trials && *a.trials > kMaxTrials && !a.memory_bounded)
    throw InputError(
        {}, "--trials",
        fmt::format("at most {} simulated years in one run (each keeps a few hundred bytes of results), "
                    "got {}; --precision stops as soon as the answer is precise enough, and "
                    "run --memory-bounded summarizes more years in bounded memory",
                    kMaxTrials, *a.trials));
  if (a.trials) model.trials = *a.trials;
  if (a.seed) model.seed = *a.seed;
  for (const std::string& warning : model.warnings) std::cerr << "mistakesim: warning: " << warning << "\n";
  return model;
}

unsigned thread_count(unsigned asked) {
  return asked != 0 ? asked : std::max(1u, std::thread::hardware_concurrency());
}

namespace {

//! SIGINT/SIGTERM: remove the outputs' temporaries, say so, exit 128 + signal (130, 143). Only
//! async-signal-safe calls.
extern "C" void on_interrupt(int signal) {
  remove_staged_outputs_on_signal();
  const char message[] = "\nmistakesim: interrupted; no output was written\n";
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  ::_exit(128 + signal);
}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

//! The first word when it is not an option and names no command: "unknown command 'runn' (did you
//! mean 'run'?)". Empty when the first word is fine (CLI11 then parses as usual).
std::string unknown_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return {};
  const std::string word = argv[1];
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == word) return {};
    names.push_back(sub->get_name());
  }
  // The same "likely typo" rule as a misspelt key in a study file.
  const std::string guess = detail::nearest(word, names);
  return fmt::format("unknown command '{}'{}; the commands are: {}", word,
                     guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess), detail::join(names));
}

}  // namespace

int main(int argc, char** argv) {
  mpi::Session session(argc, argv);  // under mpirun: MPI started, ranks other than 0 silenced
  g_session = &session;
  CLI::App app{
      "mistakesim - what your sales team's mistakes cost in a year, including the ones nobody noticed.\n"
      "Simulates the year many times from a study file of uncertain inputs and reports distributions.",
      "mistakesim"};
  app.footer(R"(
Examples:
  mistakesim run configs/mid-market.toml
  mistakesim run configs/mid-market.toml --trials 1000000 --json out/summary.json --report out/report.html
  mistakesim compare configs/training-options.toml
  mistakesim voi configs/training-options.toml
  mistakesim sweep configs/mid-market.toml --param pipeline.close_rate --values 0.4,0.5,0.6
  mistakesim sensitivity configs/mid-market.toml
  mistakesim dist '{ dist = "lognormal", p05 = 15000, p95 = 250000 }'
  mistakesim serve configs/training-options.toml
  mistakesim validate configs/seed-case.toml
  mistakesim init > my-study.toml

Exit status: 0 done; 2 bad usage or input (nothing was written); 1 the run failed (a full disk,
not enough memory, a bug; nothing was written); 130/143 interrupted by Ctrl-C/SIGTERM (nothing
was written). Outputs are all-or-nothing: every --json/--csv/--report file is written whole, or
none is touched.

Run 'mistakesim COMMAND --help' for a command's options.)");
  app.set_version_flag("--version", fmt::format("mistakesim {} ({})", kVersion, kBuildInfo));
  app.require_subcommand(1);

  Action action;
  add_run_commands(app, action);
  add_compare_command(app, action);
  add_voi_command(app, action);
  add_whatif_commands(app, action);
  add_dist_command(app, action);
  add_serve_command(app, action);

  if (const std::string unknown = unknown_command(app, argc, argv); !unknown.empty()) {
    std::cerr << "mistakesim: " << unknown << "\nRun 'mistakesim --help' for more information.\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!action) return 2;
  install_interrupt_handlers();
  int status = 0;
  std::string error;  // printed by session.finish (under MPI: by rank 0, naming the rank that failed)
  try {
    status = action();
  } catch (const InputError& e) {
    error = e.what();
    status = 2;
  } catch (const OutputError& e) {
    error = e.what();
    status = 1;
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

}  // namespace mistakesim::cli
