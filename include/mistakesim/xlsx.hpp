#pragma once
// The Excel workbook of `run`, `compare`, `sweep` and `sensitivity` (--xlsx, docs/excel.md), written
// with libxlsxwriter: numbers as numbers with currency formats, native Excel charts (no macro, no
// add-in). Each function returns the bytes of the .xlsx file, so the caller writes them with the
// other outputs (write_files_atomically). The bytes are a pure function of the arguments: the
// workbook holds no time of day (its creation date is fixed) and no thread count, so the same study
// and seed give the same file whatever the number of threads.

#include <mistakesim/compare.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/whatif.hpp>

#include <cstdint>
#include <string>

namespace mistakesim {

//! Rows of a Years sheet at most (one per simulated year); a longer run keeps its first years and
//! says so in the sheet. The CSV (--csv) has every year.
inline constexpr std::uint64_t kXlsxMaxYears = 100'000;

//! Sheets: Summary (the terminal summary, the mistakes ranked, provenance), Charts (histogram of
//! the yearly cost, exceedance curve, mistakes ranked), Years (the CSV's columns), Inputs, Chart data.
std::string run_workbook(const Model& model, const TrialResults& results, const RunSummary& summary,
                         const RunInfo& info, const std::string& study_sha256);

//! Sheets: Summary (each intervention against the baseline), Charts (savings per intervention),
//! Years (baseline cost and each intervention's savings per year), Inputs, Chart data.
std::string compare_workbook(const Model& model, const Comparison& comparison, const RunInfo& info,
                             const std::string& study_sha256);

//! Sheets: Summary (one row per point), Charts (the mean yearly cost along the swept values, one
//! line per value of the second parameter on a grid), Inputs.
std::string sweep_workbook(const Model& model, const Sweep& sweep, const RunInfo& info,
                           const std::string& study_sha256);

//! Sheets: Summary (the uncertain inputs ranked), Charts (swing of the yearly cost per input),
//! Years (the CSV's columns), Inputs, Chart data.
std::string sensitivity_workbook(const Model& model, const Sensitivity& sensitivity,
                                 const TrialResults& results, const RunInfo& info,
                                 const std::string& study_sha256);

}  // namespace mistakesim
