#pragma once
// Each command group registers its subcommand on the CLI11 app and, when parsed, stores the action
// to run. main() runs the action inside the error policy: InputError -> exit 2, anything else -> 1.

#include <mistakesim/executor.hpp>
#include <mistakesim/model.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mistakesim::cli {

using Action = std::function<int()>;

//! Options shared by the commands that run trials.
struct RunArgs {
  std::string config;
  std::optional<std::uint64_t> trials;
  std::optional<std::uint64_t> seed;
  unsigned threads = 0;                 //!< 0: all cores (thread_count)
  std::vector<std::string> allow_dirs;  //!< --allow-dir: more folders data files may come from
  std::string json_path;
  std::string csv_path;
  std::string report_path;
  std::string xlsx_path;  //!< --xlsx (run, compare, sweep, sensitivity)
  std::string sip_path;   //!< --sip (run)
  bool quiet = false;
  bool memory_bounded = false;  //!< run: summarize in bounded memory (sketch.hpp), up to kMaxBoundedTrials
};

//! The help texts of add_run_options that differ between commands.
struct RunOptionsHelp {
  const char* trials = "Simulated years (overrides study.trials)";
  const char* csv =
      "Write one row per simulated year to this CSV file ('-' for stdout)";  //!< nullptr: no --csv
  const char* quiet = "No progress bar or notes on stderr (warnings still show)";
};

//! Adds CONFIG, --trials, --seed, --threads, --allow-dir, --json, --csv, --report and --quiet.
void add_run_options(CLI::App* cmd, RunArgs& args, const RunOptionsHelp& help = {});
//! Adds --xlsx (an Excel workbook: summary, native charts, one row per year) to a command.
void add_xlsx_option(CLI::App* cmd, RunArgs& args);
//! Loads the study, applies --trials/--seed, prints the study's warnings. `inputs`, when given,
//! receives every file the run reads (the study, its bases, its data files), for the output plan.
Model load_for_run(const RunArgs& args, std::vector<std::filesystem::path>* inputs = nullptr);
//! Threads to use: the number asked for (1 to kMaxThreads), or all cores for 0.
unsigned thread_count(unsigned asked);
inline constexpr unsigned kMaxThreads = 1024;

//! Validator: a whole decimal number from `min` to `max` ("16", not "0x10", "-1" or "1e3"); the
//! message says what was expected in plain words, e.g. "a whole number of simulated years, 1 or more".
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, const std::string& what);
//! `run --memory-bounded`: the run in chunks summarized by sketches (cmd_bounded.cpp).
int run_memory_bounded(const RunArgs& args);
//! Where runs' trials are computed (RunOptions::executor): across the ranks under mpirun, else null.
const TrialExecutor* trial_executor();
//! Whether this process plans and writes the outputs: alone always, under MPI rank 0 only.
bool is_output_process();
//! Just before writing: true on the process that writes, once every rank is well (under MPI a
//! collective step every rank takes; it throws when a rank has failed).
bool ready_to_write_outputs();

// Command groups. Each adds its subcommands to app; on parse, the chosen one sets `action`.
void add_run_commands(CLI::App& app, Action& action);     // run, validate, init
void add_compare_command(CLI::App& app, Action& action);  // compare
void add_whatif_commands(CLI::App& app, Action& action);  // sweep, sensitivity
void add_dist_command(CLI::App& app, Action& action);     // dist
void add_serve_command(CLI::App& app, Action& action);    // serve (sim/serve)
void add_voi_command(CLI::App& app, Action& action);      // voi

}  // namespace mistakesim::cli
