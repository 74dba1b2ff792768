#pragma once
// One `mistakesim serve` session: the study as loaded, the edits the page sends, and what a re-run
// answers. Edits become a TOML overlay that `extends` the study and holds only what changed; the
// overlay is read by the same study reader as any file (parse_study), so a bad value gets the
// message the CLI would print, and the overlay is exactly what "Save as" writes. Every run uses the
// study's seed and the same trials, so the edited study is compared with the loaded one year by
// year (common random numbers). No HTTP here: sim/serve/server.cpp is the transport.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mistakesim::serve {

//! A request the page got wrong in a way no study file can (an unknown parameter path, a save name
//! outside the study's folder): refused with HTTP 400, never reaches the study reader.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! One value the page can edit: a year-level input, a per-opportunity or per-occurrence amount, or
//! the number of reps.
struct EditableParam {
  std::string path;           //!< full parameter path, "mistake.pilot-no-criteria.probability"
  std::string key;            //!< as written in its table: "probability", "recovery.hours", "close_rate"
  std::string section;        //!< "team", "pipeline", or "mistake"
  std::size_t mistake = 0;    //!< index into Model::mistakes when section == "mistake"
  std::string label;          //!< in the user's words
  std::string unit;           //!< "share 0 to 1", "$", "hours", "count"
  bool whole_number = false;  //!< team.reps
  Distribution dist;          //!< its value in the loaded study
};

//! The values of a model the page can edit, in page order (team, pipeline, then each mistake).
std::vector<EditableParam> editable_params(const Model& model);

//! A distribution as the page shows and edits it: a number for a constant, else an object
//! {"dist": "pert", "min": .., "mode": .., "max": ..} in the study file's own keys (canonical
//! spelling: a lognormal as mu and sigma).
nlohmann::ordered_json distribution_json(const Distribution& d);
//! As the page shows it for editing: distribution_json, but a lognormal by its 5th and 95th
//! percentiles (4 significant digits), the way study files usually give it.
nlohmann::ordered_json distribution_page_json(const Distribution& d);
//! distribution_json as TOML text that reads back to the same bits: "0.25", "{ dist = \"pert\", ... }".
std::string distribution_toml(const Distribution& d);
//! The shape of a distribution for a small preview: 32 bars of probability mass between its 0.5%
//! and 99.5% quantiles, scaled to a tallest bar of 1. Null for a constant.
nlohmann::ordered_json distribution_preview(const Distribution& d);

struct SessionOptions {
  std::uint64_t trials = 20'000;  //!< trials of every re-run (the study's own count is for the CLI)
  unsigned threads = 0;           //!< 0: all cores
  std::uint64_t chunk = 4096;     //!< trials between two looks at whether a newer change came
  //! Called before each chunk of a run, before the look (tests use it to order requests).
  std::function<void()> before_chunk;
};

//! The page's request: edits (path -> value as typed, or {dist, key: value}), the interventions
//! switched on, and the page's view id (a newer request of the same view cancels an older one).
struct Edits {
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  std::vector<std::string> interventions;
  std::string view;
};
//! Reads {"edits": {...}, "interventions": [...], "view": "..."}; BadRequest if malformed.
Edits parse_edits(const nlohmann::ordered_json& body);

//! Runs trials [0, trials) of the scenario in chunks of `chunk` trials, asking `cancelled` before
//! each: the results of one run_trials over them, bit for bit (trials are addressed by index and
//! totals are exact sums), or nullopt once `cancelled` says yes.
std::optional<TrialResults> run_in_chunks(const Model& model, const Scenario& scenario, RunOptions options,
                                          std::uint64_t trials, std::uint64_t chunk,
                                          const std::function<bool()>& cancelled);

//! The latest request of each page view (a bounded number of views, most recent kept): a request
//! is superseded once a newer one of the same view begins.
class LatestRequests {
 public:
  explicit LatestRequests(std::size_t views = 64) : capacity_(views) {}
  //! Begins a request of `view` (empty: never superseded); the function says if it is superseded.
  std::function<bool()> begin(const std::string& view);

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::list<std::pair<std::string, std::shared_ptr<std::atomic<std::uint64_t>>>> views_;  // most recent first
};

class Session {
 public:
  //! Loads the study (InputError if it is bad) and runs it once as loaded.
  Session(std::filesystem::path study_file, SessionOptions options);

  const Model& model() const { return base_->model; }
  const SessionOptions& options() const { return options_; }
  const std::filesystem::path& study_file() const { return study_file_; }

  //! The study's inputs by section, for the page.
  nlohmann::ordered_json describe() const;

  //! The overlay TOML for these edits: `extends` the study, then only the changed values (a changed
  //! mistake is written whole: `extends` replaces a mistake by its id). BadRequest for a path the
  //! page cannot edit or a malformed value.
  std::string overlay(const Edits& edits) const;

  //! Re-runs the study with the edits: the page's figures, or {"errors": [...]} for values the study
  //! reader refuses (HTTP 422), or nullopt if a newer request of the same view cancelled it.
  std::optional<nlohmann::ordered_json> run(const Edits& edits);

  //! The HTML report `mistakesim run --report` writes for the edited study at the session's trials.
  std::string report(const Edits& edits);

  enum class SaveStatus { saved, exists, invalid };
  struct SaveResult {
    SaveStatus status;
    nlohmann::ordered_json body;
  };
  //! Writes the overlay as `name` in the study's folder (validated first, atomically). An existing
  //! file is replaced only with `overwrite` and only if it is a what-if saved from this study.
  SaveResult save(const std::string& name, const Edits& edits, bool overwrite);

 private:
  struct Run {
    Model model;
    TrialResults results;
  };
  //! The edited study compiled and run without interventions, cached by overlay text.
  std::shared_ptr<const Run> edited_run(const std::string& overlay_text,
                                        const std::function<bool()>& cancelled);
  std::optional<TrialResults> run_cancellable(const Model& model, const Scenario& scenario,
                                              const std::function<bool()>& cancelled) const;

  std::filesystem::path study_file_;
  std::filesystem::path folder_;
  SessionOptions options_;
  std::shared_ptr<const Run> base_;
  std::vector<EditableParam> params_;

  LatestRequests latest_;
  std::mutex mutex_;                                                     // guards cache_
  std::list<std::pair<std::string, std::shared_ptr<const Run>>> cache_;  // most recent first
};

//! A save name the study's folder can hold: letters, digits, '-', '_' and '.', ending in .toml, no
//! leading dot, at most 100 characters. BadRequest otherwise (never a path).
void check_save_name(const std::string& name);

}  // namespace mistakesim::serve
