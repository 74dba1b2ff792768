// Command dist: preview one input distribution before putting it in a study ("is my input what I
// think it is?"). Figures are exact (closed-form moments, Boost.Math quantiles); the histogram is
// drawn from the CDF, so nothing here is sampled and the preview is the same every time.

#include "cli/commands.hpp"

#include <mistakesim/study.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace mistakesim::cli {
namespace {

struct DistArgs {
  std::string spec;
  bool json = false;
  int bins = 20;
};

constexpr std::pair<const char*, double> kQuantiles[] = {{"p01", 0.01}, {"p05", 0.05}, {"p10", 0.10},
                                                         {"p25", 0.25}, {"p50", 0.50}, {"p75", 0.75},
                                                         {"p90", 0.90}, {"p95", 0.95}, {"p99", 0.99}};

std::string number(double x) {
  if (!std::isfinite(x)) return x > 0 ? "inf" : (x < 0 ? "-inf" : "nan");
  const double a = std::abs(x);
  if (a != 0.0 && (a < 1e-3 || a >= 1e9)) return fmt::format("{:.4g}", x);
  if (a >= 1000.0) return fmt::format("{:.0f}", x);
  return fmt::format("{:.4g}", x);
}

int cmd_dist(const DistArgs& a) {
  const Distribution d = parse_distribution(a.spec);
  const double mean = d.mean();
  const double sd = std::sqrt(std::max(0.0, d.variance()));
  if (a.json) {
    nlohmann::ordered_json j;
    j["distribution"] = d.describe();
    j["mean"] = mean;
    j["sd"] = sd;
    for (const auto& [key, p] : kQuantiles) j[key] = d.quantile(p);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << d.describe() << "\n\n";
  std::cout << fmt::format("  mean {}   sd {}\n", number(mean), number(sd));
  std::string keys, values;
  for (const auto& [key, p] : kQuantiles) {
    const std::string v = number(d.quantile(p));
    const std::size_t w = std::max<std::size_t>(v.size(), 3) + 2;
    keys += fmt::format("{:>{}}", key, w);
    values += fmt::format("{:>{}}", v, w);
  }
  std::cout << "\n" << keys << "\n" << values << "\n\n";

  // Histogram from the CDF over [P0.5, P99.5] (all of it for a constant).
  const double lo = d.quantile(0.005), hi = d.quantile(0.995);
  if (!(hi > lo)) {
    std::cout << "  every draw is " << number(lo) << "\n";
    return 0;
  }
  int bins = std::clamp(a.bins, 5, 60);
  const bool integer = d.kind == DistKind::poisson || d.kind == DistKind::negbinomial;
  // A whole-number distribution: each bar holds `step` whole values, edges half-way between them.
  const double first = integer ? std::floor(lo) : lo;
  double step = (hi - lo) / bins;
  if (integer) {
    const double count = std::ceil(hi) - first + 1;  // whole values from first to ceil(hi)
    step = std::ceil(count / bins);
    bins = static_cast<int>(std::ceil(count / step));
  }
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  for (int i = 0; i <= bins; ++i)
    edges[static_cast<std::size_t>(i)] = (integer ? first - 0.5 : lo) + step * i;
  std::vector<double> mass(static_cast<std::size_t>(bins));
  for (int i = 0; i < bins; ++i)
    mass[static_cast<std::size_t>(i)] = std::max(
        0.0, d.cdf(edges[static_cast<std::size_t>(i) + 1]) - d.cdf(edges[static_cast<std::size_t>(i)]));
  const double top = *std::max_element(mass.begin(), mass.end());
  for (int i = 0; i < bins; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    const int width = top > 0 ? static_cast<int>(std::lround(40.0 * mass[k] / top)) : 0;
    // whole-number bars are labelled with the first and last value they hold
    const double from = integer ? edges[k] + 0.5 : edges[k], to = integer ? edges[k + 1] - 0.5 : edges[k + 1];
    const std::string range = integer && from == to ? number(from) : number(from) + " - " + number(to);
    std::cout << fmt::format("  {:>23} {:5.1f}% {}\n", range, 100.0 * mass[k],
                             std::string(static_cast<std::size_t>(width), '#'));
  }
  return 0;
}

}  // namespace

void add_dist_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<DistArgs>();
  CLI::App* cmd =
      app.add_subcommand("dist", "Preview an input distribution: mean, spread, percentiles, histogram");
  cmd->add_option("SPEC", args->spec, "A distribution as in a study file: a TOML inline table or a number")
      ->required();
  cmd->add_flag("--json", args->json, "Print the figures as JSON (mean, sd, p01 ... p99)");
  cmd->add_option("--bins", args->bins, "Histogram bars (5-60)")->check(CLI::Range(5, 60));
  cmd->footer(R"(
Examples:
  mistakesim dist '{ dist = "lognormal", p05 = 15000, p95 = 250000 }'      # deal sizes
  mistakesim dist '{ dist = "pert", min = 0.45, mode = 0.6, max = 0.75 }'  # a close rate
  mistakesim dist '{ dist = "beta", wins = 30, losses = 70 }' --json       # a rate learned from counts)");
  cmd->callback([&action, args] { action = [args] { return cmd_dist(*args); }; });
}

}  // namespace mistakesim::cli
