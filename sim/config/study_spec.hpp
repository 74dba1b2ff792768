#pragma once
// StudySpec: what a study file says, with the position of every value, before the cross-checks
// that need the whole study (stages, effect targets, correlations, slots). Reading a file checks
// what one value can tell on its own: TOML types, known keys, a distribution's parameters and its
// support against the parameter's valid range. Merging (`extends`) works on specs; compiling turns
// the merged spec into a Model. Internal to sim/config.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mistakesim/distribution.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/study.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mistakesim::detail {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

//! The valid range of a parameter and how to say it in a message.
struct ValidRange {
  double lower = -kInfinity;
  double upper = kInfinity;
  const char* what = "a number";  //!< e.g. "a probability lies in [0, 1]"
};

inline constexpr ValidRange kAnyNumber{-kInfinity, kInfinity, "a number"};
inline constexpr ValidRange kProbability{0.0, 1.0, "a probability lies in [0, 1]"};
inline constexpr ValidRange kFraction{0.0, 1.0, "a fraction lies in [0, 1]"};
inline constexpr ValidRange kHours{0.0, kInfinity, "hours are >= 0"};
inline constexpr ValidRange kMoney{0.0, kInfinity, "an amount of money is >= 0"};
inline constexpr ValidRange kHourlyCost{0.0, kInfinity, "an hourly cost is >= 0"};
inline constexpr ValidRange kCount{0.0, kInfinity, "a count is >= 0"};
inline constexpr ValidRange kScale{0.0, kInfinity, "a scale factor is >= 0"};

template <class T>
struct Located {
  T value{};
  SourceLocation where;
};

struct ParamSource;  // toml_read.hpp: the value as written, to solve it again with other numbers

//! A parameter of a distribution that is itself a distribution, drawn once per simulated year:
//! `median = { dist = "pert", ... }` inside deal_size's table.
struct UncertainKey {
  std::string key;    //!< "median"
  std::string path;   //!< "pipeline.deal_size.median"
  Distribution dist;  //!< its own distribution (bounded; every value in it was checked)
  SourceLocation where;
};

//! A number or a distribution, already solved into canonical form.
struct ParamSpec {
  Distribution dist;     //!< with uncertain keys: solved at their means (for checks and previews)
  SourceLocation where;  //!< of the value (the number or the `{ dist = ... }` table)
  ValidRange range;
  std::string path;                           //!< full parameter path, e.g. "mistake.x.probability"
  std::vector<UncertainKey> uncertain;        //!< parameters drawn once a year (per-draw amounts only)
  std::shared_ptr<const ParamSource> source;  //!< the value as written (re-solving, --effective)
  std::string note;  //!< what validate says of it, e.g. the counts read from a CRM export
  //! With uncertain keys: the family and the numbers from_parameters solves each trial, the
  //! uncertain ones at their means (replaced by the year's values).
  DistKind family = DistKind::constant;
  std::vector<DistParameter> numbers{};
};

//! Keyed by the key inside its table: "probability", "recovery.hours"...
using Params = std::map<std::string, ParamSpec>;

struct MistakeSpec {
  Located<std::string> id;
  std::optional<Located<std::string>> name;
  Located<std::string> stage;  //!< empty in a redefinition that keeps the base's stage
  std::optional<Located<std::string>> applies_to;
  Params params;  //!< probability, noticed, lose, churn, wasted_hours, direct_cost, discount, recovery.*
  bool has_recovery = false;
  bool remove = false;   //!< `remove = true`: a study that extends another drops this mistake
  SourceLocation where;  //!< of the [[mistake]] table
};

struct EffectSpec {
  Located<std::string> param;  //!< target path
  EffectOp op = EffectOp::scale;
  ParamSpec amount;
  SourceLocation where;
};

struct InterventionSpec {
  Located<std::string> id;
  std::optional<Located<std::string>> name;
  std::optional<Located<double>> cost, cost_per_rep, hours_per_rep;
  std::vector<EffectSpec> effects;
  bool remove = false;  //!< `remove = true`: a study that extends another drops this intervention
  std::optional<Located<std::vector<double>>> effect_by_year;  //!< read_horizon.cpp
  SourceLocation where;
};

struct CorrelationSpec {
  Located<std::string> a, b;
  Located<double> rank;
  SourceLocation where;
};

//! Everything one study file (or a merged chain of them) says.
struct StudySpec {
  std::string file;                                //!< label of the outermost file (Model::source_file)
  std::map<std::string, SourceLocation> sections;  //!< where each [section] is written
  std::optional<Located<std::string>> name, currency, value;
  std::optional<Located<std::int64_t>> trials, seed, reps;
  Params params;  //!< team and pipeline numbers, keyed by full path: "pipeline.close_rate"
  std::optional<Located<std::vector<std::string>>> stages;
  std::vector<MistakeSpec> mistakes;
  std::vector<InterventionSpec> interventions;
  std::vector<CorrelationSpec> correlations;
  // capacity and horizon (read_horizon.cpp); their distributions are in params
  std::optional<Located<std::int64_t>> years;
  std::optional<Located<double>> discount_rate;
  std::optional<Located<std::string>> time_value;
  std::optional<SourceLocation> extra_unlimited;  //!< pipeline.extra_opportunities = "unlimited"
  //! Set by a sweep, never by a file: every draw of the amount at this path is multiplied by the
  //! scale (`pipeline.deal_size:scale = 1.2`), through the amount's internal scale input.
  std::map<std::string, double> amount_scales;
};

//! The folders a study may read its base studies and data files from (canonical), and the record
//! of every file it read (for the output plan: no output may overwrite an input).
struct FileAccess {
  std::vector<std::filesystem::path> roots;
  std::vector<std::filesystem::path>* read = nullptr;  //!< appended to when not null
};

//! The canonical folders of `dirs` (a missing one is left out): the roots of a FileAccess.
std::vector<std::filesystem::path> access_roots(const std::vector<std::filesystem::path>& dirs);

//! Why a file cannot be read, or none.
enum class FileProblem { none, missing, folder, not_regular, too_large, outside, unreadable };

//! Reads a whole file the study refers to (or the study itself) into `text`, refusing a file that
//! is not a regular file (a device, a FIFO: they never end), larger than `max_bytes`, or - when
//! `access` has roots - outside every root. Records the file in access->read.
FileProblem read_input_file(const std::filesystem::path& file, const FileAccess* access,
                            std::size_t max_bytes, std::string& text);

//! The problem in words, after the file's name: "no such file", "is outside the folders ...".
std::string describe(FileProblem problem, const FileAccess* access, std::size_t max_bytes,
                     const char* expected);

//! Largest study file and largest CSV data file read [bytes].
inline constexpr std::size_t kMaxStudyBytes = std::size_t{4} << 20;
inline constexpr std::size_t kMaxDataBytes = std::size_t{512} << 20;

//! Reads one study file's text into a spec, following `extends` (paths relative to base_dir).
//! `chain` holds the canonical paths of the files being read, to refuse cycles.
StudySpec read_study(std::string_view text, const std::string& label, const std::filesystem::path& base_dir,
                     std::vector<std::filesystem::path>& chain, const FileAccess& access);

//! The text of a study file, or InputError at `referred_from` (or the file itself when that is empty).
std::string read_text_file(const std::filesystem::path& file, const SourceLocation& referred_from,
                           const std::string& path, const std::string& shown, const FileAccess& access);

//! Validates the cross-references of a merged spec and compiles it.
Model compile_study(const StudySpec& spec);

//! The spec with one value replaced, as a sweep point sets it (whatif.hpp, StudyAt): `team.reps`,
//! a parameter's path (it becomes that constant), or the path of one number inside a
//! distribution (`pipeline.deal_size.median`, re-solved). Throws InputError naming the path.
void override_value(StudySpec& spec, const std::string& path, double value);

//! The values override_value can set in this spec: its parameters and their distributions' numbers,
//! each intervention's cost, cost_per_rep, hours_per_rep and effect amounts
//! (`intervention.<id>.<target path>`), and `<amount>:scale` for every scalable amount.
std::vector<StudyValue> overridable_values(const StudySpec& spec);

//! The per-deal and per-occurrence amounts of the spec whose draws a `<path>:scale` can multiply.
std::vector<std::string> scalable_amounts(const StudySpec& spec);

//! The merged spec as a study file (TOML): what `validate --effective` prints.
std::string effective_toml(const StudySpec& spec);

//! Refuses a distribution that can leave `range`, saying what to change.
void check_support(const Distribution& d, const ValidRange& range, const SourceLocation& where,
                   const std::string& path);

using mistakesim::number_text;  // a number as messages write it (dist_parameters.hpp)

//! The candidate closest to `word` if it is a likely typo of it, or "".
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);
//! "a, b, c"
std::string join(const std::vector<std::string>& words, const char* separator = ", ");

//! Compiles model.correlations into model.copula (Spearman -> normal-scale Pearson
//! r = 2 sin(pi rho / 6), Cholesky with Eigen). A matrix that is not positive definite is repaired
//! to the nearest valid correlation matrix (eigenvalues clipped, unit diagonal restored); each
//! repair is described in the returned warnings.
std::vector<std::string> compile_copula(Model& model);

}  // namespace mistakesim::detail
