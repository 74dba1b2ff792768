#pragma once
// Outputs of `mistakesim compare A.toml B.toml [C.toml ...]`: terminal table, JSON (schema
// "mistakesim.compare-files/1"), per-year CSV and the HTML report (docs/compare.md).

#include <mistakesim/compare_files.hpp>
#include <mistakesim/report.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

namespace mistakesim {

//! JSON: trials, seed, scenarios [{file, name, cost, difference, ...}] (the first the baseline), run.
nlohmann::ordered_json compare_files_json(const std::vector<StudyFile>& studies, const FileComparison& c,
                                          const RunInfo& info);
//! CSV: trial, then per scenario cost:<n>, known:<n>, unknown:<n>, difference:<n> (n = 1, 2, ...).
void write_compare_files_csv(std::ostream& out, const FileComparison& c);
//! Table: each file's yearly cost and its paired change from the baseline; per mistake; pipeline.
std::string compare_files_terminal(const FileComparison& c, const RunInfo& info, const std::string& currency);
//! The pairing warnings: one line per scenario whose pairing barely helps (variance reduction <
//! kWeakPairing).
std::vector<std::string> weak_pairing_warnings(const FileComparison& c);
//! The HTML report: headline, the change of each file's cost (box plot), exceedance curves over the
//! baseline's, per-mistake and pipeline changes, what is shared, provenance.
std::string compare_files_report_html(const std::vector<StudyFile>& studies, const FileComparison& c,
                                      const RunInfo& info, std::string_view generated_utc = {});

}  // namespace mistakesim
