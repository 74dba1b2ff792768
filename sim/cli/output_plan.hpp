#pragma once
// The outputs of a command (--json, --csv, --report, ...), planned before the simulation and
// written after it, whole or not at all (docs/cli.md, "Outputs").
//
// A command lists its outputs once, each with the option that names it, the path the user gave
// ("" = not asked for, "-" = the standard output) and how to render it into a stream:
//
//   OutputPlan plan(inputs, {{"--json", a.json_path, [&](std::ostream& out) { ... }},
//                            {"--csv", a.csv_path, [&](std::ostream& out) { write_csv(out, ...); }}});
//   ... simulate, filling what the renderers captured by reference ...
//   plan.write([&] { return terminal_text; });
//
// Adding an output kind (an .xlsx, a SIP .json) is one more entry in that list, plus its option
// (add_run_options or the command's own add_option with check(output_path())). Everything else -
// the checks before the run, the streaming into temporaries, the atomic renames, '-' for stdout,
// the cleanup on failure or SIGINT/SIGTERM - is the plan's.

#include <mistakesim/output_files.hpp>

#include <mistakesim/model.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace mistakesim::cli {

//! One output a command can write.
struct Output {
  std::string option;                         //!< "--json": names the output in messages
  std::string path;                           //!< as given: "" not asked for, "-" standard output
  std::function<void(std::ostream&)> render;  //!< streams the content (called after the run)
};

class OutputPlan {
 public:
  //! Checks every output asked for and opens its temporary, before any simulation: refuses (exit 2)
  //! a missing or read-only folder, a folder, two outputs at one path (or two on stdout), a path
  //! that is one of `inputs` (the files the run reads).
  OutputPlan(const std::vector<std::filesystem::path>& inputs, std::vector<Output> outputs);

  //! True when some output goes to the standard output (the terminal summary then does not).
  bool to_stdout() const { return stdout_index_ < outputs_.size(); }

  //! Renders every file output into its temporary, then the stdout output (or, when none, the text
  //! `terminal` returns), then renames the temporaries over their destinations. A failure leaves
  //! every destination as it was.
  void write(const std::function<std::string()>& terminal);

 private:
  std::vector<Output> outputs_;
  std::vector<std::size_t> file_index_;  //!< per output asked for on a file: its index in files_
  std::size_t stdout_index_;
  OutputFiles files_;
};

//! Writes a results document as indented JSON, with the study's warnings (e.g. a correlation matrix
//! repaired to be consistent) under "warnings" when there are any. Text that is not valid UTF-8 (a
//! study path in another encoding) is written with U+FFFD in place of the bad bytes.
void write_json(std::ostream& out, nlohmann::ordered_json json, const Model& model);

//! Validator for an output option: refuses '' ("give a file name, or - for the standard output").
CLI::Validator output_path();

}  // namespace mistakesim::cli
