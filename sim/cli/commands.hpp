#pragma once
// Each command group registers its subcommand on the CLI11 app and, when parsed, stores the action
// to run. main() runs the action inside the error policy: InputError -> exit 2, anything else -> 1.

#include <mistakesim/executor.hpp>
#include <mistakesim/model.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mistakesim::cli {

using Action = std::function<int()>;

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
  bool memory_bounded = false;  //!< run: summarize in bounded memory (sketch.hpp), up to kMaxBoundedTrials
};

//! Adds CONFIG, --trials, --seed, --threads, --json, --csv, --report and --quiet to a command.
void add_run_options(CLI::App* cmd, RunArgs& args);
//! Loads the study, applies --trials/--seed, refuses unwritable output paths (before any work).
Model load_for_run(const RunArgs& args);
//! Refuses an output path whose folder does not exist (InputError naming the option).
void check_output_path(const std::string& path, const std::string& option);
//! Writes a command's --json, --csv and --report files together (write_files_atomically), then
//! prints the JSON if --json - was given, the terminal text otherwise.
void write_outputs(const RunArgs& a, const std::string& json_text, const std::string& csv_text,
                   const std::string& html_text, const std::string& terminal_text);
//! Threads to use: the number asked for, or all cores.
unsigned thread_count(unsigned asked);
//! `run --memory-bounded`: the run in chunks summarized by sketches (cmd_bounded.cpp).
int run_memory_bounded(const RunArgs& args);
//! Where runs' trials are computed (RunOptions::executor): across the ranks under mpirun, else null.
const TrialExecutor* trial_executor();

// Command groups. Each adds its subcommands to app; on parse, the chosen one sets `action`.
void add_run_commands(CLI::App& app, Action& action);      // run, validate, init
void add_compare_command(CLI::App& app, Action& action);   // compare
void add_whatif_commands(CLI::App& app, Action& action);   // sweep, sensitivity
void add_dist_command(CLI::App& app, Action& action);      // dist

}  // namespace mistakesim::cli
