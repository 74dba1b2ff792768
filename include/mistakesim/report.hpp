#pragma once
// Outputs of `mistakesim run`: the terminal table for a sales leader, the JSON summary
// (schema "mistakesim.run/1", docs/json-schema.md), the per-trial CSV, and whole-or-nothing file
// writes. Every output is a pure function of (model, results) apart from the `run` provenance
// object, so the same study and seed give byte-identical files.

#include <filesystem>
#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/stats.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mistakesim {

//! How the run was done: provenance for the JSON `run` object. Not part of the results.
struct RunInfo {
  unsigned threads = 0;    //!< worker threads used
  double seconds = 0.0;    //!< [s] wall-clock time of the simulation
  std::string version;     //!< kVersion
  std::string build;       //!< kBuildInfo: build type, compiler, git revision, dependency versions
  std::string study_file;  //!< path of the study file as given
};

//! RunInfo with version and build filled from <mistakesim/build_info.hpp>.
RunInfo make_run_info(unsigned threads, double seconds, std::string study_file);

//! JSON schema identifier written as "schema".
inline constexpr const char* kRunSchema = "mistakesim.run/1";

//! The run summary as JSON (docs/json-schema.md), from the run's summary (summarize_run(results)):
//! the outputs only format it. Deterministic: keys in a fixed order, numbers in nlohmann's shortest
//! round-trip form, mistakes ranked by mean cost with ties in model order.
nlohmann::ordered_json run_json(const Model& model, const TrialResults& results, const RunSummary& summary,
                                const RunInfo& info);

//! Per-trial CSV: trial, cost_total, cost_known, cost_unknown, opportunities, wins,
//! should_have_bought, nonbuyer_hours, then cost:<mistake id> per mistake (model order) and
//! input:<parameter path> per results.recorded_inputs. Numbers in shortest round-trip form; fields
//! quoted (RFC 4180) when they hold a comma, quote or line break. "\n" line endings.
void write_csv(std::ostream& out, const Model& model, const TrialResults& results);

//! A plain-words table of the run for a sales leader (deals, hours, money), aligned columns.
std::string terminal_summary(const Model& model, const TrialResults& results, const RunSummary& summary,
                             const RunInfo& info);

//! "A bad year" in every output (terminal, HTML cards, sweeps, compare): the yearly cost exceeded
//! one year in 20, the P95 (the same tail as CVaR95, the average of the worst 5% of years).
inline constexpr double kBadYear = 0.95;

//! Money for people, for a table: whole units with thousands separators below one million
//! ("$80,000", "$999,999", "$0"); from one million on, three significant digits with M, B, T
//! ("$1.24M", "$12.5M", "$250B"). Symbol prefix for USD ($), EUR (€), GBP (£); otherwise the code
//! and a space ("CHF 80,000"). Negative amounts: "-$80,000". NaN: "n/a".
std::string format_currency(double amount, const std::string& currency);

//! A count per year: a whole number as is ("12", "1,240"); otherwise two decimals below 1 ("0.04"),
//! one decimal below 100 ("25.1"), rounded with thousands separators from 100 on ("1,240"). NaN: "n/a".
std::string format_count(double count);

//! Hours: format_count followed by " h" ("1,240 h").
std::string format_hours(double hours);

//! A share in [0, 1] as a whole percent ("43%"); below 1% and above 0, "<1%". NaN: "-".
std::string format_percent(double share);

//! Writes content to path whole or not at all: a temporary file in the same folder, flushed to
//! disk, then renamed over path. On failure the temporary is removed, path is untouched, and an
//! error "cannot write <path>: <reason>" is thrown: InputError when the path is the user's mistake
//! (missing folder, not a folder, permission denied, read-only file system, path is a folder),
//! std::runtime_error otherwise (disk full, I/O error).
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

//! Several outputs of one command: every temporary is written and flushed before any destination is
//! renamed, so a failure while writing (a full disk, a refused folder) leaves every destination
//! untouched. The renames themselves follow one by one; if one fails (rare: the temporaries sit in
//! the destinations' folders), the outputs renamed before it are already replaced. Each output is
//! always whole. Same errors as write_file_atomically.
void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string_view>>& files);

}  // namespace mistakesim
