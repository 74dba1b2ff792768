// Exact percentiles of a run too large to keep whole, for checking a memory-bounded run
// (bench/bounded-check): trials [0, N) of a study run in chunks, only the yearly total cost kept
// (8 bytes a year: 800 MB for 10^8), then sorted. Prints the exact type-7 P05 ... P99, and for each
// VALUE given, its exact ranks: the shares of years whose cost is below it and at or below it (they
// differ where many years cost the same, e.g. nothing).
//
// usage: mistakesim_exact_quantiles STUDY N [VALUE...]   (all cores)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mistakesim/engine.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace mistakesim;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s STUDY N [VALUE...]\n", argv[0]);
    return 2;
  }
  const Model model = load_study(argv[1]);
  const std::uint64_t n = std::strtoull(argv[2], nullptr, 10);
  std::vector<double> cost;
  cost.reserve(n);
  constexpr std::uint64_t kPiece = std::uint64_t{1} << 20;
  for (std::uint64_t first = 0; first < n; first += kPiece) {
    RunOptions options;
    options.first_trial = first;
    options.trials = std::min(kPiece, n - first);
    options.record_inputs = false;
    const TrialResults r = run_trials(model, Scenario{}, options);
    cost.insert(cost.end(), r.cost_total.begin(), r.cost_total.end());
  }
  std::erase_if(cost, [](double x) { return std::isnan(x); });
  std::sort(cost.begin(), cost.end());
  for (double p : {0.05, 0.10, 0.50, 0.90, 0.95, 0.99})
    std::printf("p%02.0f %.17g\n", 100 * p, quantile_sorted(cost, p));
  for (int i = 3; i < argc; ++i) {
    const double x = std::strtod(argv[i], nullptr);
    const auto below = std::lower_bound(cost.begin(), cost.end(), x) - cost.begin();
    const auto at_or_below = std::upper_bound(cost.begin(), cost.end(), x) - cost.begin();
    const auto years = static_cast<double>(cost.size());
    std::printf("rank %.17g %.9f %.9f\n", x, static_cast<double>(below) / years,
                static_cast<double>(at_or_below) / years);
  }
  return 0;
}
