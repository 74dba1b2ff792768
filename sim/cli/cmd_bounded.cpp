// `run --memory-bounded`: the run in chunks of years, each summarized by exact sums and quantile
// sketches and dropped (sketch.hpp), so memory does not grow with the years; under mpirun the
// chunks are split across the ranks. Percentiles and the tail are approximate, with their error
// stated in every output.

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <mistakesim/bounded_report.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/sketch.hpp>

#include "cli/commands.hpp"
#include "cli/output_plan.hpp"
#include "cli/progress.hpp"

namespace mistakesim::cli {

int run_memory_bounded(const RunArgs& a) {
  if (!a.csv_path.empty())
    throw InputError({}, "--csv", "a memory-bounded run keeps no years to write one row each; drop --csv");
  if (!a.report_path.empty())
    throw InputError({}, "--report", "a memory-bounded run writes no HTML report yet; use --json");
  if (a.trials && *a.trials > kMaxBoundedTrials)
    throw InputError(
        {}, "--trials",
        fmt::format("at most {} years in a memory-bounded run, got {}", kMaxBoundedTrials, *a.trials));
  std::vector<std::filesystem::path> inputs;
  const Model model = load_for_run(a, &inputs);
  // Filled by the run below; the outputs render them once it is done.
  std::optional<BoundedRun> run;
  RunSummary summary;
  RunInfo info;
  OutputPlan plan(
      inputs,
      {
          {"--json", a.json_path,
           [&](std::ostream& out) { write_json(out, bounded_run_json(model, *run, summary, info), model); }},
      });
  const auto start = std::chrono::steady_clock::now();
  RunOptions options;
  options.threads = thread_count(a.threads);
  options.executor = trial_executor();
  ProgressBar progress(model.trials, !a.quiet);
  options.progress = progress.counter();
  run.emplace(run_bounded(model, Scenario{}, options));
  progress.finish();
  info = make_run_info(options.threads,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                       a.config);
  summary = run->summary();
  plan.write([&] { return bounded_run_terminal(model, *run, summary, info); });
  return 0;
}

}  // namespace mistakesim::cli
