#pragma once
// Study files: a TOML file in, a validated, compiled Model out (the format: docs/study-file.md).
// Every problem with the input is refused before any work starts, with an InputError that says
// FILE:LINE:COLUMN, the parameter path, what was expected and what was found.
// Only sim/config knows TOML; nothing here exposes it.

#include <filesystem>
#include <mistakesim/distribution.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/model.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mistakesim {

//! Where a study may read its base studies (`extends`) and data files (empirical CSVs) from: its
//! own folder and the folders below it, and these. A file elsewhere - `../../etc/passwd`, a link
//! out of the folder - is refused; so is a device or a FIFO (/dev/zero) and an oversized file.
struct StudyAccess {
  std::vector<std::filesystem::path> allowed_dirs;  //!< besides the study's own folder (--allow-dir)
};

//! Reads, validates and compiles the study file `file` (following `extends`). Error messages name
//! the file as given. Throws InputError.
Model load_study(const std::filesystem::path& file);
//! Same, with more folders to read from; `files_read`, when given, receives the canonical path of
//! every file read (the study, its bases, its data files).
Model load_study(const std::filesystem::path& file, const StudyAccess& access,
                 std::vector<std::filesystem::path>* files_read = nullptr);

//! Same, with values replaced before the study is compiled: what a sweep point that is not a
//! year-level input runs. A path is `team.reps`, a parameter (it becomes that constant, e.g.
//! `mistake.x.wasted_hours`), or one number of a parameter's distribution (`pipeline.deal_size.median`:
//! the distribution is solved again). Parameter paths address the random numbers, so the result
//! shares every draw the change does not touch. Throws InputError naming the path.
Model load_study_with(const std::filesystem::path& file, const StudyAccess& access,
                      const std::vector<std::pair<std::string, double>>& values);
//! A value load_study_with can set, with what the study says of it.
struct StudyValue {
  std::string path;
  Distribution dist;  //!< what the study gives (a distribution with uncertain parameters: at their means)
  double lower = 0, upper = 0;  //!< its valid range
  std::string range_words;      //!< the range in words: "hours are >= 0"
};
//! The values load_study_with can set in this study.
std::vector<StudyValue> study_values(const std::filesystem::path& file, const StudyAccess& access);
//! The study as one TOML file once `extends` is merged (`validate --effective`). Throws InputError.
std::string effective_study(const std::filesystem::path& file, const StudyAccess& access = {});
//! The path of `paths` that `word` most likely means ("close_rate" -> "pipeline.close_rate"), or "".
std::string suggest_path(const std::string& word, const std::vector<std::string>& paths);

//! Same as load_study on text already in memory. `file_label` names the text in error messages;
//! `base_dir` is the folder `extends` and empirical CSV files are relative to. Throws InputError.
Model parse_study(std::string_view toml_text, const std::string& file_label,
                  const std::filesystem::path& base_dir);

//! Parses one distribution written as a TOML inline table or a bare number, e.g.
//! `{ dist = "lognormal", p05 = 10, p95 = 200 }` or `0.3` (for `mistakesim dist`). An empirical
//! `file` is relative to the current folder. Throws InputError located in `label`.
Distribution parse_distribution(std::string_view inline_table_text,
                                const std::string& label = "<command line>");

//! An annotated template study for `mistakesim init`; it validates as is.
std::string study_template();

}  // namespace mistakesim
