// The value of information (voi.hpp): closed forms, invariants, the exact Beta-Binomial EVSI, a
// nested design, the paired runs it reads, and the command.
#include "cli_runner.hpp"
#include "model_builder.hpp"

#include <mistakesim/compare.hpp>
#include <mistakesim/random.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/voi.hpp>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/binomial.hpp>
#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace mistakesim;
using namespace mistakesim::testing;

namespace {

//! n draws of d, deterministic (Philox at (seed, t, slot)).
std::vector<double> draws(const Distribution& d, std::size_t n, std::uint32_t slot, std::uint64_t seed = 7) {
  std::vector<double> out(n);
  for (std::size_t t = 0; t < n; ++t) {
    DrawStream s(seed, DrawAddress{t, 0, slot});
    out[t] = sample(d, s);
  }
  return out;
}

//! The unit normal loss: E[max(0, D + sigma Z)] - max(0, D).
double normal_loss(double D, double sigma) {
  const boost::math::normal z;
  const double a = std::abs(D);
  return sigma * boost::math::pdf(z, D / sigma) - a * (1.0 - boost::math::cdf(z, a / sigma));
}

//! The exact EVSI of observing k ~ Binomial(n, x), x ~ Beta(a, b), when option 1 nets c (x - x0)
//! and option 0 nets 0: sum over k of P(k) max(0, c (E[x | k] - x0)), minus max(0, c (E x - x0)).
double exact_evsi(double a, double b, double c, double x0, unsigned n) {
  double value = 0.0, total = 0.0;
  for (unsigned k = 0; k <= n; ++k) {
    const double p = boost::math::binomial_coefficient<double>(n, k) * boost::math::beta(a + k, b + n - k) /
                     boost::math::beta(a, b);
    total += p;
    value += p * std::max(0.0, c * ((a + k) / (a + b + n) - x0));
  }
  REQUIRE(total == Approx(1.0).epsilon(1e-9));
  return value - std::max(0.0, c * (a / (a + b) - x0));
}

}  // namespace

TEST_CASE("EVPI of two options linear in one normal input is the unit normal loss, luck or not",
          "[voi][statistical]") {
  const std::size_t n = 20000;
  const std::vector<double> theta = draws(Distribution::normal(0.0, 1.0), n, 1);
  const std::vector<double> luck = draws(Distribution::normal(0.0, 1.0), n, 2);
  for (const auto& [D, sigma] : {std::pair{-3000.0, 10000.0}, std::pair{5000.0, 8000.0}}) {
    INFO("D = " << D << ", sigma = " << sigma);
    const double exact = normal_loss(D, sigma);
    std::vector<std::vector<double>> net(2, std::vector<double>(n, 0.0));
    for (std::size_t t = 0; t < n; ++t) net[1][t] = D + sigma * theta[t];
    const VoiEstimate plain = evppi(net, {theta});
    INFO("exact " << exact << ", estimate " << plain.value << " +/- " << plain.se);
    CHECK(std::abs(plain.value - exact) < 4.0 * plain.se);
    CHECK(plain.se > 0.0);
    CHECK(plain.se < 0.03 * exact);  // 20,000 years pin it down

    // Per-year luck on top (as large as the input's own spread): the same conditional mean, so the
    // same EVPI; the per-year maximum, which also "knows" the luck, would be far larger.
    for (std::size_t t = 0; t < n; ++t) net[1][t] += sigma * luck[t];
    const VoiEstimate lucky = evppi(net, {theta});
    INFO("with luck " << lucky.value << " +/- " << lucky.se);
    CHECK(std::abs(lucky.value - exact) < 4.0 * lucky.se);
    CHECK(lucky.value < exact + 4.0 * lucky.se);  // luck does not raise it
    double per_year_max = 0.0;
    for (std::size_t t = 0; t < n; ++t) per_year_max += std::max(0.0, net[1][t]) / static_cast<double>(n);
    per_year_max -= std::max(0.0, mistakesim::mean(net[1]));
    CHECK(per_year_max > exact + 20.0 * lucky.se);
  }
}

TEST_CASE("EVPI by regression agrees with a nested design on a study", "[voi][statistical]") {
  // 50 deals a year, all would close; a mistake loses the deal with an uncertain probability, and a
  // training halves it for $7,500: it pays off when the probability is above about 0.3.
  Model m = basic_model(50, 1000.0, 40000);
  const std::size_t k = add_mistake(m, "slip", 1, 0.0, 0.0, 1.0);
  const InputId p = m.mistakes[k].probability;
  m.inputs[p].dist = Distribution::pert(0.1, 0.3, 0.5);
  Intervention iv;
  iv.id = "training";
  iv.name = "Training";
  iv.cost = 7500.0;
  iv.effects.push_back(
      Effect{p, EffectOp::scale, amount("intervention.training", Distribution::constant(0.5))});
  m.interventions.push_back(iv);
  RunOptions run;
  run.threads = 2;

  const VoiData data = voi_data(m, all_interventions(m), run);
  REQUIRE(data.parameters.size() == 1);
  const VoiEstimate regression = evppi(data.net, {data.parameters[0].values});

  // Nested: 400 drawn probabilities, 100 years each with the probability held at its draw.
  const std::size_t outer = 400, inner = 100;
  std::vector<std::vector<double>> nested(2, std::vector<double>(outer * inner, 0.0));
  std::vector<double> year(m.inputs.size());
  for (std::size_t j = 0; j < outer; ++j) {
    draw_year(m, Scenario{}, 5'000'000 + j, year);
    RunOptions block = run;
    block.first_trial = 10'000'000 + j * inner;
    block.trials = inner;
    block.record_inputs = false;
    const TrialResults base = run_trials(m, Scenario{{}, {{p, year[p]}}, 1.0}, block);
    const TrialResults with = run_trials(m, Scenario{{0}, {{p, year[p]}}, 1.0}, block);
    for (std::size_t t = 0; t < inner; ++t)
      nested[1][j * inner + t] = base.cost_total[t] - with.cost_total[t] - with.intervention_cost_at(t);
  }
  const VoiEstimate by_blocks = evpi_nested(nested, inner);
  INFO("regression " << regression.value << " +/- " << regression.se << ", nested " << by_blocks.value
                     << " +/- " << by_blocks.se);
  CHECK(regression.value > 300.0);  // a real decision problem: the option flips within the range
  CHECK(std::abs(regression.value - by_blocks.value) <
        4.0 * std::sqrt(regression.se * regression.se + by_blocks.se * by_blocks.se));
}

TEST_CASE("invariants on random studies: 0 <= EVSI(n) <= EVPPI <= EVPI, groups, irrelevant inputs",
          "[voi][statistical]") {
  const std::size_t n = 5000;
  for (std::uint64_t study = 1; study <= 5; ++study) {
    INFO("random study " << study);
    // Three shares x0..x2 (beta), x3 unused by every option; three options plus none, each net a
    // random smooth function of x0..x2 plus luck.
    std::vector<std::vector<double>> x;
    for (std::uint32_t j = 0; j < 4; ++j) {
      const std::vector<double> ab = draws(Distribution::uniform(1.5, 12.0), 2, 100 + j, study);
      x.push_back(draws(Distribution::beta(ab[0], ab[1]), n, 10 + j, study));
    }
    const std::vector<double> coef = draws(Distribution::uniform(-1.0, 1.0), 40, 200, study);
    std::vector<std::vector<double>> z = x;  // centred, so that the options' averages are close
    for (auto& column : z) {
      const double mu = mean(column);
      for (double& v : column) v -= mu;
    }
    std::vector<std::vector<double>> net(4, std::vector<double>(n, 0.0));
    for (std::size_t d = 1; d < 4; ++d) {
      const std::vector<double> luck =
          draws(Distribution::normal(0.0, 3000.0), n, static_cast<std::uint32_t>(300 + d), study);
      for (std::size_t t = 0; t < n; ++t) {
        const double* c = &coef[d * 10];
        net[d][t] = 200.0 * c[0] +
                    8000.0 * (c[1] * z[0][t] + c[2] * z[1][t] * z[1][t] * 4.0 + c[3] * z[2][t] +
                              c[4] * z[0][t] * z[2][t] * 4.0) +
                    luck[t];
      }
    }
    std::vector<std::span<const double>> xs(x.begin(), x.end());
    const VoiEstimate evpi = evppi(net, xs, {{0, 2}});
    INFO("EVPI " << evpi.value << " +/- " << evpi.se);
    REQUIRE(evpi.value > 10.0 * evpi.se);  // a study where knowing matters
    std::vector<VoiEstimate> single;
    for (std::size_t j = 0; j < 4; ++j) single.push_back(evppi(net, {xs[j]}));
    const VoiEstimate group = evppi(net, {xs[0], xs[2]});
    for (std::size_t j = 0; j < 4; ++j) {
      INFO("input " << j << ": EVPPI " << single[j].value << " +/- " << single[j].se << ", EVPI "
                    << evpi.value);
      CHECK(single[j].value >= 0.0);
      CHECK(single[j].value <= evpi.value + 2.0 * std::hypot(single[j].se, evpi.se));
    }
    INFO("group " << group.value << " +/- " << group.se);
    CHECK(group.value >= single[0].value - 2.0 * std::hypot(group.se, single[0].se));
    CHECK(group.value >= single[2].value - 2.0 * std::hypot(group.se, single[2].se));
    CHECK(group.value <= evpi.value + 2.0 * std::hypot(group.se, evpi.se));
    // x3 enters no net: knowing it is worth nothing beyond the estimator's own noise.
    CHECK(single[3].value <= 3.0 * single[3].se + 0.01 * evpi.value);

    for (std::size_t j = 0; j < 3; ++j) {
      const ConditionalMeans fit = fit_conditional_means(net, {xs[j]});
      const double ev = voi_from_fit(fit).value;
      const std::vector<EvsiPoint> curve = evsi_binomial(fit.fitted, xs[j], {1, 5, 20, 100, 400}, 10.0);
      double last = 0.0;
      for (const EvsiPoint& pt : curve) {
        INFO("input " << j << ", n = " << pt.n << ": EVSI " << pt.evsi << ", EVPPI " << ev);
        CHECK(pt.evsi >= 0.0);
        CHECK(pt.evsi <= ev * (1.0 + 1e-9) + 1e-9);  // exact on the sample (Jensen), not statistical
        CHECK(pt.evsi >= last - 1e-9 * std::max(1.0, ev));
        CHECK(pt.enbs == Approx(pt.evsi - 10.0 * static_cast<double>(pt.n)));
        last = pt.evsi;
      }
    }
  }
}

TEST_CASE("EVSI of a beta input matches the exact Beta-Binomial preposterior sum", "[voi][statistical]") {
  // x ~ Beta(a, b), e.g. 9 wins and 15 losses; option 1 nets c (x - x0), none nets 0.
  const double a = 10.0, b = 16.0, c = 200000.0, x0 = 0.42;
  const std::size_t years = 20000;
  const std::vector<double> x = draws(Distribution::beta(a, b), years, 3);
  const std::vector<double> luck = draws(Distribution::normal(0.0, 20000.0), years, 4);
  std::vector<std::vector<double>> exact_means(2, std::vector<double>(years, 0.0)), net = exact_means;
  for (std::size_t t = 0; t < years; ++t) {
    exact_means[1][t] = c * (x[t] - x0);
    net[1][t] = exact_means[1][t] + luck[t];
  }
  const ConditionalMeans fit = fit_conditional_means(net, {x});
  const VoiEstimate ev = voi_from_fit(fit);
  const std::vector<unsigned> sizes = {1, 10, 50, 200, 600};
  const std::vector<std::uint64_t> sizes64(sizes.begin(), sizes.end());
  const std::vector<EvsiPoint> known = evsi_binomial(exact_means, x, sizes64, 0.0);
  const std::vector<EvsiPoint> fitted = evsi_binomial(fit.fitted, x, sizes64, 0.0);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const double exact = exact_evsi(a, b, c, x0, sizes[i]);
    INFO("n = " << sizes[i] << ": exact " << exact << ", with the true E(net | x) " << known[i].evsi
                << ", with the fitted one " << fitted[i].evsi << "; EVPPI " << ev.value << " +/- " << ev.se);
    // The prior is the 20,000 years' sample of x: its Monte Carlo error is below the EVPPI's
    // standard error (the EVSI is a smoother functional of the same sample); the fit adds its own.
    CHECK(std::abs(known[i].evsi - exact) < 4.0 * ev.se);
    CHECK(std::abs(fitted[i].evsi - exact) < 4.0 * ev.se);
    CHECK(known[i].effective_years > 20.0);
  }
  // A known bug guarded: the max inside the expectation (max over options per year, then averaged
  // over the posterior) gives EVPPI whatever the study size; one deal is worth far less.
  CHECK(exact_evsi(a, b, c, x0, 1) < 0.25 * ev.value);
  CHECK(fitted[0].evsi < 0.25 * ev.value);
}

TEST_CASE("voi_data: the nets are compare's, trial by trial, and the effects the engine's draws",
          "[voi][crn]") {
  Model m = basic_model(30, 2000.0, 3000);
  const std::size_t k = add_mistake(m, "slip", 1, 0.0, 0.0, 1.0);
  const InputId p = m.mistakes[k].probability;
  m.inputs[p].dist = Distribution::pert(0.1, 0.3, 0.5);
  Intervention iv;
  iv.id = "training";
  iv.name = "Training";
  iv.cost = 4000.0;
  iv.effects.push_back(
      Effect{p, EffectOp::scale, amount("intervention.training", Distribution::uniform(0.3, 0.9))});
  m.interventions.push_back(iv);
  CompareOptions options;
  options.run.threads = 2;
  const Comparison cmp = compare(m, all_interventions(m), options);
  const VoiData data = voi_data(m, all_interventions(m), options.run);
  REQUIRE(data.option_ids == std::vector<std::string>{"none", "training"});
  REQUIRE(data.net[1] == cmp.candidates[0].net);
  const VoiData from_compare = voi_data(m, cmp);  // compare kept its inputs (record_inputs is on by default)
  REQUIRE(from_compare.option_ids == data.option_ids);
  CHECK(from_compare.net == data.net);
  REQUIRE(from_compare.parameters.size() == data.parameters.size());
  for (std::size_t i = 0; i < data.parameters.size(); ++i)
    CHECK(from_compare.parameters[i].values == data.parameters[i].values);
  REQUIRE(data.parameters.size() == 2);
  CHECK(data.parameters[0].path == "mistake.slip.probability");
  CHECK(data.parameters[1].path == "effect.training.mistake.slip.probability");
  std::vector<double> before(m.inputs.size()), after(m.inputs.size());
  for (std::uint64_t t = 0; t < 200; ++t) {
    draw_year(m, Scenario{}, t, before);
    draw_year(m, Scenario{{0}, {}, 1.0}, t, after);
    CHECK(data.parameters[0].values[t] == before[p]);
    CHECK(after[p] == Approx(before[p] * data.parameters[1].values[t]).epsilon(1e-12));
  }
}

TEST_CASE("voi: the same bits on 1 and 2 threads", "[voi][determinism]") {
  Model m = basic_model(30, 2000.0, 5000);
  const std::size_t k = add_mistake(m, "slip", 1, 0.0, 0.0, 1.0);
  const InputId p = m.mistakes[k].probability;
  m.inputs[p].dist = Distribution::beta(4.0, 8.0);
  Intervention iv{"training", "Training", 4000.0, 0.0, 0.0, {}};
  iv.effects.push_back(
      Effect{p, EffectOp::scale, amount("intervention.training", Distribution::uniform(0.3, 0.9))});
  m.interventions.push_back(iv);
  VoiOptions options;
  options.groups = {{"both", {"mistake.slip.probability", "effect.training.mistake.slip.probability"}}};
  std::vector<VoiResult> results;
  for (unsigned threads : {1u, 2u}) {
    RunOptions run;
    run.threads = threads;
    results.push_back(value_of_information(voi_data(m, all_interventions(m), run), options));
  }
  const auto same = [](const VoiEstimate& a, const VoiEstimate& b) {
    return a.value == b.value && a.se == b.se;
  };
  CHECK(same(results[0].evpi, results[1].evpi));
  REQUIRE(results[0].parameters.size() == 2);
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(same(results[0].parameters[i].evppi, results[1].parameters[i].evppi));
  CHECK(same(results[0].groups[0].evppi, results[1].groups[0].evppi));
  REQUIRE(results[0].evsi.size() == 1);  // the beta input
  for (std::size_t i = 0; i < results[0].evsi[0].points.size(); ++i)
    CHECK(results[0].evsi[0].points[i].evsi == results[1].evsi[0].points[i].evsi);
}

TEST_CASE("mistakesim voi on training options: JSON, ranking and located errors", "[voi][cli]") {
  const auto r = run_cli(
      "voi configs/training-options.toml --trials 4000 --quiet --json - --group "
      "discovery=mistake.skipped-discovery.probability,mistake.skipped-discovery.lose --evsi "
      "mistake.skipped-discovery.probability --cost-per-deal 50 --sample-sizes 10,100");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["schema"] == "mistakesim.voi/1");
  CHECK(j["options"].size() == 4);
  CHECK(j["options"][0]["id"] == "none");
  const double evpi = j["evpi"]["value"].get<double>();
  CHECK(evpi > 0.0);
  double previous = 1e300;
  for (const auto& p : j["evppi"]) {
    CHECK(p["value"].get<double>() <= previous);
    previous = p["value"].get<double>();
  }
  CHECK(j["groups"][0]["name"] == "discovery");
  REQUIRE(j["evsi"].size() == 1);
  CHECK(j["evsi"][0]["points"].size() == 2);
  CHECK(j["evsi"][0]["points"][1]["enbs"].get<double>() ==
        Approx(j["evsi"][0]["points"][1]["evsi"].get<double>() - 5000.0));

  const std::filesystem::path out = scratch_dir("voi-errors") / "voi.json";
  const auto bad = run_cli("voi configs/training-options.toml --trials 200 --quiet --json '" + out.string() +
                           "' --group rates=pipeline.close_rate,pipeline.closerate");
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--group") != std::string::npos);
  CHECK(bad.err.find("pipeline.closerate") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  const auto not_share =
      run_cli("voi configs/training-options.toml --trials 200 --quiet --evsi team.hourly_cost");
  CHECK(not_share.status == 2);
  const auto deals = run_cli(
      "voi configs/training-options.toml --trials 200 --quiet --evsi pipeline.good_fit "
      "--sample-sizes 0");
  CHECK(deals.status == 2);
  CHECK(deals.err.find("--sample-sizes") != std::string::npos);
}

TEST_CASE("mistakesim voi prices a study of deals for a beta input learned from wins and losses",
          "[voi][cli]") {
  const std::filesystem::path dir = scratch_dir("voi-beta");
  std::ofstream(dir / "study.toml") << "extends = \"" << MISTAKESIM_SOURCE_DIR
                                    << "/configs/training-options.toml\"\n[pipeline]\n"
                                       "close_rate = { dist = \"beta\", wins = 56, losses = 64 }\n";
  // The base study lives in configs/, outside the scratch folder: named with --allow-dir.
  const auto r = run_cli("voi '" + (dir / "study.toml").string() + "' --allow-dir '" + MISTAKESIM_SOURCE_DIR +
                         "/configs' --trials 3000 --quiet --json - --cost-per-deal 5");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["evsi"].size() == 1);  // no --evsi: the beta input alone
  CHECK(j["evsi"][0]["path"] == "pipeline.close_rate");
  CHECK(j["evsi"][0]["from_counts"] == true);
  CHECK(j["evsi"][0]["points"].size() == 7);  // the default sizes 10 ... 1000
  CHECK(j["evsi"][0]["points"][6]["n"] == 1000);
  double previous = 0.0;
  for (const auto& p : j["evsi"][0]["points"]) {
    CHECK(p["evsi"].get<double>() >= previous);
    CHECK(p["evsi"].get<double>() <= j["evsi"][0]["evppi"].get<double>() * (1.0 + 1e-9) + 1e-9);
    previous = p["evsi"].get<double>();
  }
}

TEST_CASE("compare --report carries the value-of-information section of the same years", "[voi][cli][html]") {
  const std::filesystem::path dir = scratch_dir("compare-voi");
  const std::filesystem::path report = dir / "compare.html";
  const std::filesystem::path voi_json = dir / "voi.json";
  const auto c = run_cli("compare configs/training-options.toml --trials 3000 --quiet --report '" +
                         report.string() + "'");
  INFO(c.err);
  REQUIRE(c.status == 0);
  std::ifstream in(report);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(html.find("<section id=\"voi\">") != std::string::npos);
  // The section's EVPI is voi's own on the same study, seed and years.
  const auto v =
      run_cli("voi configs/training-options.toml --trials 3000 --quiet --json '" + voi_json.string() + "'");
  INFO(v.err);
  REQUIRE(v.status == 0);
  std::ifstream jin(voi_json);
  const auto j = nlohmann::json::parse(jin);
  const double evpi = j["evpi"]["value"].get<double>();
  // training-options states no currency: dollars, as the page prints them (format_currency).
  CHECK(html.find("before deciding would be worth up to <strong>" + format_currency(evpi, "USD") +
                  "</strong>") != std::string::npos);
}
