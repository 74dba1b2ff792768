// Command compare: the baseline and each intervention (or bundle) over the same trials.

#include "cli/commands.hpp"
#include "cli/output_plan.hpp"
#include "cli/precision_options.hpp"
#include "cli/progress.hpp"

#include <mistakesim/compare.hpp>
#include <mistakesim/compare_files_report.hpp>
#include <mistakesim/compare_report.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/voi.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif_report.hpp>
#include <mistakesim/xlsx.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <sstream>

namespace mistakesim::cli {
namespace {

struct CompareArgs {
  RunArgs run;
  std::vector<std::string> interventions;
  std::vector<std::string> bundles;
  PrecisionArgs precision;                //!< --precision on every candidate's mean savings
  std::vector<std::string> more_configs;  //!< B.toml [C.toml ...]: compare study files
};

std::size_t intervention_index(const Model& m, const std::string& id, const std::string& option) {
  for (std::size_t k = 0; k < m.interventions.size(); ++k)
    if (m.interventions[k].id == id) return k;
  std::string known;
  for (const Intervention& iv : m.interventions) known += (known.empty() ? "" : ", ") + iv.id;
  throw InputError({}, option,
                   fmt::format("no intervention with id \"{}\" in the study (it has: {})", id,
                               known.empty() ? "none" : known));
}

//! The candidates named by --intervention and --bundle (every intervention alone when no
//! --intervention), refusing unknown ids and ids named twice.
std::vector<Candidate> chosen_candidates(const Model& model, const CompareArgs& a) {
  std::vector<Candidate> candidates;
  for (const std::string& id : a.interventions) {
    const std::size_t k = intervention_index(model, id, "--intervention");
    for (const Candidate& c : candidates)
      if (c.id == id) throw InputError({}, "--intervention", fmt::format("\"{}\" is named twice", id));
    candidates.push_back(Candidate{model.interventions[k].id, model.interventions[k].name, {k}});
  }
  for (const std::string& bundle : a.bundles) {
    Candidate c;
    std::stringstream parts(bundle);
    std::string id;
    while (std::getline(parts, id, ',')) {
      if (id.empty()) continue;
      const std::size_t k = intervention_index(model, id, "--bundle");
      if (std::find(c.interventions.begin(), c.interventions.end(), k) != c.interventions.end())
        throw InputError(
            {}, "--bundle",
            fmt::format("a bundle names each intervention once, got \"{}\" twice in \"{}\"", id, bundle));
      c.id += (c.id.empty() ? "" : "+") + id;
      c.name += (c.name.empty() ? "" : " + ") + model.interventions[k].name;
      c.interventions.push_back(k);
    }
    if (c.interventions.size() < 2)
      throw InputError({}, "--bundle",
                       fmt::format("a bundle names two or more interventions, got \"{}\"", bundle));
    candidates.push_back(std::move(c));
  }
  if (a.interventions.empty()) {
    auto all = all_interventions(model);
    candidates.insert(candidates.begin(), all.begin(), all.end());
  }
  return candidates;
}

//! --precision: the trial count at which every candidate's mean savings is precise enough.
PrecisionRun candidates_precision(const Model& model, const std::vector<Candidate>& candidates,
                                  const PrecisionGoal& goal, const RunOptions& run) {
  std::vector<Scenario> scenarios;
  for (const Candidate& c : candidates) {
    Scenario scenario;
    scenario.interventions = c.interventions;
    scenarios.push_back(std::move(scenario));
  }
  return savings_precision(model, scenarios, goal, run);
}

//! compare A.toml B.toml [C.toml ...]: the study files over the same simulated years.
int cmd_compare_files(const CompareArgs& a) {
  for (const auto& [given, option] :
       {std::pair{!a.interventions.empty(), "--intervention"}, std::pair{!a.bundles.empty(), "--bundle"},
        std::pair{!a.run.xlsx_path.empty(), "--xlsx"}, std::pair{a.precision.enabled(), "--precision"}})
    if (given)
      throw InputError(
          {}, option,
          fmt::format("{} compares the interventions of one study file; with several study files "
                      "compare plays the files against each other (leave {} out, or name one file)",
                      option, option));
  std::vector<std::filesystem::path> inputs;
  std::vector<StudyFile> studies;
  std::vector<std::string> files{a.run.config};
  files.insert(files.end(), a.more_configs.begin(), a.more_configs.end());
  for (const std::string& file : files) {
    RunArgs one = a.run;
    one.config = file;
    studies.push_back(StudyFile{file, load_for_run(one, &inputs)});
  }
  check_comparable(studies, a.run.seed.has_value(), a.run.trials.has_value());

  FileComparison comparison;
  RunInfo info;
  OutputPlan plan(
      inputs,
      {
          {"--json", a.run.json_path,
           [&](std::ostream& out) {
             write_json(out, compare_files_json(studies, comparison, info), studies.front().model);
           }},
          {"--csv", a.run.csv_path, [&](std::ostream& out) { write_compare_files_csv(out, comparison); }},
          {"--report", a.run.report_path,
           [&](std::ostream& out) { out << compare_files_report_html(studies, comparison, info); }},
      });
  const auto start = std::chrono::steady_clock::now();
  RunOptions run;
  run.threads = thread_count(a.run.threads);
  run.executor = trial_executor();
  run.record_inputs = false;
  ProgressBar progress(studies.front().model.trials * studies.size(), !a.run.quiet);
  run.progress = progress.counter();
  comparison = compare_files(studies, run);
  progress.finish();
  info = make_run_info(run.threads,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                       a.run.config);
  for (const std::string& warning : weak_pairing_warnings(comparison))
    std::cerr << "mistakesim: warning: " << warning << "\n";
  plan.write([&] { return compare_files_terminal(comparison, info, studies.front().model.currency); });
  return 0;
}

int cmd_compare(const CompareArgs& a) {
  if (!a.more_configs.empty()) return cmd_compare_files(a);
  const std::optional<PrecisionGoal> goal = precision_goal(a.run, a.precision);
  std::vector<std::filesystem::path> inputs;
  const Model model = load_for_run(a.run, &inputs);
  if (model.interventions.empty())
    throw InputError({model.source_file, 0, 0}, "intervention",
                     "compare needs at least one [[intervention]] in the study, found none");
  const std::vector<Candidate> candidates = chosen_candidates(model, a);

  Comparison comparison;  // filled by the run below; the outputs render it once it is done
  RunInfo info;
  std::optional<VoiResult> voi;  // the report's value-of-information section, from the same years
  std::optional<PrecisionRun> precision;
  OutputPlan plan(
      inputs, {
                  {"--json", a.run.json_path,
                   [&](std::ostream& out) {
                     nlohmann::ordered_json json = compare_json(model, comparison, info);
                     if (precision) json["precision"] = precision_json(*precision);
                     write_json(out, std::move(json), model);
                   }},
                  {"--csv", a.run.csv_path, [&](std::ostream& out) { write_compare_csv(out, comparison); }},
                  {"--report", a.run.report_path,
                   [&](std::ostream& out) {
                     out << compare_report_html(model, comparison, info, sha256_file_hex(a.run.config), {},
                                                voi ? &*voi : nullptr);
                   }},
                  {"--xlsx", a.run.xlsx_path,
                   [&](std::ostream& out) {
                     out << compare_workbook(model, comparison, info, sha256_file_hex(a.run.config));
                   }},
              });

  const auto start = std::chrono::steady_clock::now();
  CompareOptions options;
  options.run.threads = thread_count(a.run.threads);
  options.run.executor = trial_executor();
  // Only the report's value-of-information section reads per-trial inputs.
  options.run.record_inputs = !a.run.report_path.empty();
  if (goal) {
    precision = candidates_precision(model, candidates, *goal, options.run);
    options.run.trials = precision->trials_used;
    warn_if_max_trials(*precision, a.run.quiet, "mean savings");
  }
  ProgressBar progress(
      (options.run.trials != 0 ? options.run.trials : model.trials) * (1 + candidates.size()), !a.run.quiet);
  options.run.progress = progress.counter();
  comparison = compare(model, candidates, options);
  progress.finish();
  if (!a.run.report_path.empty()) voi = value_of_information(voi_data(model, comparison), VoiOptions{});
  info = make_run_info(options.run.threads,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                       a.run.config);
  plan.write([&] {
    return compare_terminal(model, comparison, info) +
           (precision ? precision_note(*precision, "every intervention's average savings") : std::string());
  });
  return 0;
}

}  // namespace

void add_compare_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "What would a training programme save, cost, and how likely is it to pay off? (paired trials)");
  add_run_options(cmd, args->run,
                  {.csv = "Write one row per intervention to this CSV file ('-' for stdout)"});
  add_xlsx_option(cmd, args->run);
  add_precision_options(cmd, args->precision);
  cmd->add_option("--intervention,-i", args->interventions,
                  "Intervention id to compare (repeatable; default: every intervention in the study)");
  cmd->add_option("--bundle,-b", args->bundles,
                  "Comma-separated ids applied together, compared as one (repeatable)");
  cmd->add_option("MORE", args->more_configs,
                  "More study files: compare CONFIG (the baseline) with each over the same simulated years");
  cmd->footer(R"(
Every intervention is simulated over the same years as the baseline, with the same random numbers
for everything it does not change, so the savings are differences year by year, not noise.
With two or more study files, each file is played over the same simulated years as the first (the
baseline): inputs with the same parameter path and kind of distribution share their random numbers.

Examples:
  mistakesim compare configs/training-options.toml
  mistakesim compare configs/training-options.toml --intervention pilot-training --trials 50000
  mistakesim compare configs/training-options.toml --bundle pilot-training,deal-reviews --json out/compare.json
  mistakesim compare configs/mid-market.toml configs/fy27.toml --report out/fy27.html)");
  cmd->callback([&action, args] { action = [args] { return cmd_compare(*args); }; });
}

}  // namespace mistakesim::cli
