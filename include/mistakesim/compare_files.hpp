#pragma once
// Paired comparison of study files: scenarios from different files (FY26 against FY27, team A
// against team B) played over the same simulated years. Every draw is read at its address (seed,
// year, opportunity, slot = hash of the parameter path), so two files that share a parameter path
// and its distribution family share that draw's random numbers, exactly as an intervention does
// (docs/compare.md, "Comparing study files").

#include <mistakesim/engine.hpp>
#include <mistakesim/stats.hpp>

#include <string>
#include <vector>

namespace mistakesim {

//! A compiled study and the file it came from, as the command line named it.
struct StudyFile {
  std::string file;  //!< as given (label)
  Model model;
};

//! Where a random quantity of a study is drawn, for the sharing check.
enum class DrawLevel : std::uint8_t { year, opportunity, occurrence };

//! One random quantity of a study: its parameter path, slot, level and distribution family.
struct DrawSite {
  std::string path;  //!< e.g. "pipeline.deal_size", "mistake.x" (the mistake's event words)
  std::uint32_t slot = 0;
  DrawLevel level = DrawLevel::year;
  std::string family;  //!< distribution name ("lognormal"), or "words" for the Philox words read directly
};

//! The random quantities of a study (constants draw nothing and are left out), in model order.
std::vector<DrawSite> draw_sites(const Model& model);

//! Which random quantities of a scenario share their draws with the baseline's.
struct DrawSharing {
  std::vector<std::string> shared;         //!< same path, same family: the same random numbers
  std::vector<std::string> other_family;   //!< same path, another family: same uniforms, other values
  std::vector<std::string> only_baseline;  //!< drawn in the baseline only
  std::vector<std::string> only_scenario;  //!< drawn in this scenario only
};

DrawSharing draw_sharing(const Model& baseline, const Model& scenario);

//! One mistake's yearly cost in a scenario against the baseline, matched by id (a mistake missing
//! from a file costs 0 there).
struct MistakeDifference {
  std::string id, name;
  bool in_baseline = false, in_scenario = false;
  Summary cost{};        //!< this scenario's yearly cost of the mistake
  Summary difference{};  //!< (scenario - baseline), year by year
};

//! One pipeline figure against the baseline: both means and the paired difference's summary.
struct PipelineDifference {
  std::string key;    //!< JSON key, e.g. "wins"
  std::string label;  //!< reader's words, e.g. "Deals won"
  bool dollars = false;
  double mean = 0.0;     //!< this scenario's mean per year
  Summary difference{};  //!< (scenario - baseline), year by year
};

//! One scenario (study file) and its paired difference from the baseline (the first file).
struct FileScenario {
  std::string file, name;
  TrialResults results;
  CostSummary cost;
  //! (scenario - baseline) per simulated year; all zero for the baseline itself.
  std::vector<double> difference_total, difference_known, difference_unknown;
  Summary difference_total_summary{}, difference_known_summary{}, difference_unknown_summary{};
  double p_cheaper = 0.0;   //!< share of years in which it costs less than the baseline
  double p_costlier = 0.0;  //!< share of years in which it costs more
  //! (Var baseline + Var scenario) / Var(scenario - baseline); +inf when the difference is constant.
  double variance_reduction = 0.0;
  std::vector<MistakeDifference> mistakes;  //!< baseline's mistakes in its order, then new ones
  std::vector<PipelineDifference> pipeline;
  DrawSharing sharing;
};

struct FileComparison {
  std::uint64_t trials = 0, first_trial = 0, seed = 0;
  std::vector<FileScenario> scenarios;  //!< the first is the baseline, then in command-line order
};

//! Pairing below this variance reduction is called too weak to help (compare warns).
inline constexpr double kWeakPairing = 2.0;

//! Runs every study over the same trials [options.first_trial, + trials). The studies must agree on
//! the seed, the trial count and the currency (the caller checks: check_comparable).
FileComparison compare_files(const std::vector<StudyFile>& studies, const RunOptions& options);

//! Refuses studies that cannot be paired: another seed or trial count than the first file's (unless
//! the command line set them for all), another currency or value basis. Throws InputError.
void check_comparable(const std::vector<StudyFile>& studies, bool seed_given, bool trials_given);

}  // namespace mistakesim
