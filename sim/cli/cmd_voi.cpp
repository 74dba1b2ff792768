// Command voi: is it worth finding out first? The value of information for the choice among the
// study's interventions (or none), from paired runs (docs/voi.md).

#include "cli/commands.hpp"
#include "cli/output_plan.hpp"
#include "cli/progress.hpp"

#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/voi.hpp>
#include <mistakesim/voi_report.hpp>

#include <fmt/format.h>

#include <chrono>
#include <sstream>

namespace mistakesim::cli {
namespace {

struct VoiArgs {
  RunArgs run;
  std::vector<std::string> interventions;
  std::vector<std::string> groups;  //!< NAME=PATH,PATH
  std::vector<std::string> evsi;
  std::vector<std::uint64_t> sample_sizes;
  double cost_per_deal = 0.0;
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream parts(text);
  std::string item;
  while (std::getline(parts, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

int cmd_voi(const VoiArgs& a) {
  if (!a.run.csv_path.empty())
    throw InputError({}, "--csv",
                     "voi writes no per-year CSV (mistakesim compare --csv writes the paired years)");
  std::vector<std::filesystem::path> inputs;
  const Model model = load_for_run(a.run, &inputs);
  if (model.interventions.empty())
    throw InputError({model.source_file, 0, 0}, "intervention",
                     "voi needs at least one [[intervention]] in the study to decide on, found none");
  std::vector<Candidate> candidates;
  for (const std::string& id : a.interventions) {
    const auto it = std::find_if(model.interventions.begin(), model.interventions.end(),
                                 [&](const Intervention& iv) { return iv.id == id; });
    if (it == model.interventions.end()) {
      std::string known;
      for (const Intervention& iv : model.interventions) known += (known.empty() ? "" : ", ") + iv.id;
      throw InputError({}, "--intervention",
                       fmt::format("no intervention with id \"{}\" in the study (it has: {})", id, known));
    }
    for (const Candidate& c : candidates)
      if (c.id == id) throw InputError({}, "--intervention", fmt::format("\"{}\" is named twice", id));
    candidates.push_back(
        Candidate{it->id, it->name, {static_cast<std::size_t>(it - model.interventions.begin())}});
  }
  if (candidates.empty()) candidates = all_interventions(model);

  VoiOptions options;
  for (const std::string& g : a.groups) {
    const auto eq = g.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError({}, "--group",
                       fmt::format("expected NAME=PATH,PATH (e.g. rates=pipeline.good_fit,"
                                   "pipeline.close_rate), got \"{}\"",
                                   g));
    options.groups.emplace_back(g.substr(0, eq), split_commas(g.substr(eq + 1)));
  }
  options.evsi_paths = a.evsi;
  if (!a.sample_sizes.empty()) options.sample_sizes = a.sample_sizes;
  for (std::uint64_t n : options.sample_sizes)
    if (n == 0 || n > 100'000)
      throw InputError({}, "--sample-sizes", fmt::format("a study size is 1 to 100,000 deals, got {}", n));
  if (!(a.cost_per_deal >= 0.0))
    throw InputError({}, "--cost-per-deal",
                     fmt::format("a cost in dollars, 0 or more, got {}", a.cost_per_deal));
  options.cost_per_deal = a.cost_per_deal;

  // Filled by the run below; the outputs render them once it is done.
  VoiResult result;
  RunInfo info;
  OutputPlan plan(inputs,
                  {
                      {"--json", a.run.json_path,
                       [&](std::ostream& out) { write_json(out, voi_json(model, result, info), model); }},
                      {"--report", a.run.report_path,
                       [&](std::ostream& out) {
                         out << voi_report_html(model, result, info, sha256_file_hex(a.run.config));
                       }},
                  });

  const auto start = std::chrono::steady_clock::now();
  RunOptions run;
  run.threads = thread_count(a.run.threads);
  run.executor = trial_executor();
  ProgressBar progress(model.trials * (1 + candidates.size()), !a.run.quiet);
  run.progress = progress.counter();
  const VoiData data = voi_data(model, candidates, run);
  progress.finish();
  result = value_of_information(data, options);
  info = make_run_info(run.threads,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                       a.run.config);

  plan.write([&] { return voi_terminal(model, result, info); });
  return 0;
}

}  // namespace

void add_voi_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<VoiArgs>();
  CLI::App* cmd = app.add_subcommand(
      "voi",
      "Is it worth finding out first? What knowing an input before choosing a training would be worth");
  add_run_options(cmd, args->run);
  cmd->add_option(
      "--intervention,-i", args->interventions,
      "Intervention id among the options (repeatable; default: every intervention; 'none' is always one)");
  cmd->add_option("--group,-g", args->groups,
                  "NAME=PATH,PATH: the worth of knowing these inputs together (repeatable)");
  cmd->add_option(
      "--evsi", args->evsi,
      "Input that a study of deals measures (a share of deals), beside every beta input (repeatable)");
  cmd->add_option("--sample-sizes", args->sample_sizes,
                  "Deals studied, for the EVSI curve (default: 10,25,...,1000)")
      ->delimiter(',');
  cmd->add_option("--cost-per-deal", args->cost_per_deal, "[$] cost of studying one deal (default: 0)");
  cmd->footer(R"(
The decision is which intervention to run, or none. Each option's net a year (savings minus cost)
comes from paired runs over the same simulated years; what knowing an input would be worth is how
much better that choice gets, on average, once the input is known (docs/voi.md).

Examples:
  mistakesim voi configs/training-options.toml
  mistakesim voi configs/training-options.toml --group discovery=mistake.skipped-discovery.probability,mistake.skipped-discovery.lose
  mistakesim voi configs/training-options.toml --evsi mistake.skipped-discovery.probability --cost-per-deal 100 --report out/voi.html)");
  cmd->callback([&action, args] { action = [args] { return cmd_voi(*args); }; });
}

}  // namespace mistakesim::cli
