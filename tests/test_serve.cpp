// `mistakesim serve` without HTTP: the overlay the page's edits become, the re-runs' pairing with the
// study as loaded, cancellation, located errors and Save as. Tag [serve]. The HTTP side and the
// page are tested in tests/serve/ (a real browser and a load test, run by ctest).

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>
#include <regex>

#include "cli_runner.hpp"
#include "serve/server.hpp"
#include "serve/session.hpp"

namespace fs = std::filesystem;
using mistakesim::testing::read_text;
using mistakesim::testing::scratch_dir;
using namespace mistakesim;
using namespace mistakesim::serve;

namespace {

const fs::path kConfigs = fs::path(MISTAKESIM_SOURCE_DIR) / "configs";

std::vector<double> costs(const Model& model, std::uint64_t trials) {
  RunOptions o;
  o.trials = trials;
  o.record_inputs = false;
  return run_trials(model, Scenario{}, o).cost_total;
}

//! A folder holding copies of the configs, so that saves never touch the sources.
fs::path study_copy(const std::string& name) {
  const fs::path dir = scratch_dir("serve-" + name);
  for (const auto& entry : fs::directory_iterator(kConfigs))
    if (entry.is_regular_file()) fs::copy_file(entry.path(), dir / entry.path().filename());
  if (fs::exists(kConfigs / "data")) fs::copy(kConfigs / "data", dir / "data", fs::copy_options::recursive);
  return dir;
}

SessionOptions with_trials(std::uint64_t trials) {
  SessionOptions o;
  o.trials = trials;
  return o;
}

Edits edit(const std::string& path, nlohmann::ordered_json value) {
  Edits e;
  e.values[path] = std::move(value);
  return e;
}

}  // namespace

TEST_CASE("serve: with no edits the overlay is the study itself trial for trial", "[serve]") {
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path());
    Session session(entry.path(), with_trials(1500));
    const std::string overlay = session.overlay(Edits{});
    CHECK(overlay.find("extends = \"" + entry.path().filename().string() + "\"") != std::string::npos);
    Model edited = parse_study(overlay, "overlay", kConfigs);
    CHECK(costs(edited, 1500) == costs(session.model(), 1500));
    const auto answer = session.run(Edits{});
    REQUIRE(answer);
    CHECK((*answer)["difference"]["same"] == true);
  }
}

TEST_CASE("serve: every mistake rewritten with its own values changes no trial", "[serve]") {
  // A changed mistake is written whole, its other values from the loaded model: they must read back
  // to the same bits, for every distribution the configs use.
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path());
    Session session(entry.path(), with_trials(1500));
    Edits all;
    for (const EditableParam& p : editable_params(session.model()))
      if (p.section == "mistake") all.values[p.path] = distribution_json(p.dist);
    const std::string overlay = session.overlay(all);
    INFO(overlay);
    CHECK(std::count(overlay.begin(), overlay.end(), '[') >=
          static_cast<long>(session.model().mistakes.size()));
    const Model edited = parse_study(overlay, "overlay", kConfigs);
    REQUIRE(edited.mistakes.size() == session.model().mistakes.size());
    CHECK(costs(edited, 1500) == costs(session.model(), 1500));
  }
}

TEST_CASE("serve: distributions written back as TOML read back to the same parameters", "[serve]") {
  const std::vector<Distribution> cases = {Distribution::constant(0.25),
                                           Distribution::uniform(1, 5),
                                           Distribution::triangular(1, 2, 5),
                                           Distribution::pert(0.1, 0.25, 0.5),
                                           Distribution::pert(0.1, 0.2, 0.5, 6),
                                           Distribution::normal(10, 2),
                                           Distribution::normal(10, 2, 0, 30),
                                           Distribution::lognormal(9.7, 0.85),
                                           Distribution::beta(3.5, 7),
                                           Distribution::gamma(2, 1.5),
                                           Distribution::poisson(40),
                                           Distribution::negbinomial(40, 5),
                                           Distribution::empirical({3, 1, 2.5}),
                                           Distribution::discrete({1, 2, 3}, {0.5, 0.25, 0.25})};
  for (const Distribution& d : cases) {
    const std::string text = distribution_toml(d);
    INFO(text);
    const Distribution back = parse_distribution(text);
    CHECK(back.kind == d.kind);
    for (int i = 0; i < 4; ++i) CHECK(back.p[i] == d.p[i]);
    CHECK(back.values == d.values);
    CHECK(back.cumulative == d.cumulative);
  }
}

TEST_CASE("serve: a changed probability moves the cost and is paired with the study as loaded", "[serve]") {
  const fs::path dir = study_copy("paired");
  Session session(dir / "mid-market.toml", with_trials(3000));
  const auto answer = session.run(edit("mistake.pilot-no-criteria.probability",
                                       {{"dist", "pert"}, {"min", "0.1"}, {"mode", "0.1"}, {"max", "0.5"}}));
  REQUIRE(answer);
  REQUIRE(!answer->contains("errors"));
  // The same edit written by hand in the study file gives the same figure.
  std::string text = read_text(dir / "mid-market.toml");
  const std::string old = "probability = { dist = \"pert\", min = 0.1, mode = 0.25, max = 0.5 }";
  REQUIRE(text.find(old) != std::string::npos);
  text.replace(text.find(old), old.size(),
               "probability = { dist = \"pert\", min = 0.1, mode = 0.1, max = 0.5 }");
  std::ofstream(dir / "by-hand.toml") << text;
  Model by_hand = load_study(dir / "by-hand.toml");
  by_hand.trials = 3000;
  RunOptions o;
  o.trials = 3000;
  const TrialResults hand = run_trials(by_hand, Scenario{}, o);
  const RunSummary s = summarize_run(hand);
  CHECK((*answer)["headline"]["mean"]["mean"].get<double>() == s.cost.total.mean);
  CHECK((*answer)["headline"]["p95"]["value"].get<double>() == s.cost.total.p95);
  // Fewer pilots without criteria can only lower that mistake's cost in every simulated year
  // (common random numbers): the difference is negative and its interval excludes zero.
  const double diff = (*answer)["difference"]["mean"].get<double>();
  CHECK(diff < 0);
  CHECK((*answer)["difference"]["hi"].get<double>() < 0);
  const std::vector<double> loaded = costs(session.model(), 3000);
  double expected = 0;
  for (std::size_t t = 0; t < loaded.size(); ++t) expected += hand.cost_total[t] - loaded[t];
  CHECK(diff == Approx(expected / 3000).epsilon(1e-12));
  CHECK((*answer)["previews"].contains("mistake.pilot-no-criteria.probability"));
}

TEST_CASE("serve: an intervention's savings are compare's paired savings", "[serve]") {
  Session session(kConfigs / "training-options.toml", with_trials(2000));
  Edits e;
  e.interventions = {"pilot-training"};
  const auto answer = session.run(e);
  REQUIRE(answer);
  Model m = session.model();
  RunOptions o;
  o.trials = 2000;
  o.record_inputs = false;
  const TrialResults base = run_trials(m, Scenario{}, o);
  Scenario with;
  with.interventions = {0};
  REQUIRE(m.interventions[0].id == "pilot-training");
  const TrialResults w = run_trials(m, with, o);
  const Summary savings = summarize(paired_difference(base.cost_total, w.cost_total));
  CHECK((*answer)["interventions"]["savings"]["mean"].get<double>() == savings.mean);
  CHECK((*answer)["headline"]["mean"]["mean"].get<double>() == summarize_run(w).cost.total.mean);
  e.interventions = {"no-such-thing"};
  CHECK_THROWS_AS(session.run(e), BadRequest);
}

TEST_CASE("serve: a bad value gets the study reader's message for its parameter", "[serve]") {
  const fs::path dir = study_copy("bad-value");
  Session session(dir / "mid-market.toml", with_trials(1000));
  std::string text = read_text(dir / "mid-market.toml");
  const std::string old = "probability = { dist = \"pert\", min = 0.1, mode = 0.25, max = 0.5 }";
  for (const std::string& bad : {std::string("1.5"), std::string("lots")}) {
    INFO(bad);
    const auto answer = session.run(edit("mistake.pilot-no-criteria.probability",
                                         {{"dist", "pert"}, {"min", "0.1"}, {"mode", "0.25"}, {"max", bad}}));
    REQUIRE(answer);
    REQUIRE(answer->contains("errors"));
    const auto& error = (*answer)["errors"][0];
    std::string by_hand = text;
    by_hand.replace(by_hand.find(old), old.size(),
                    "probability = { dist = \"pert\", min = 0.1, mode = 0.25, max = " +
                        (bad == "lots" ? std::string("\"lots\"") : bad) + " }");
    std::ofstream(dir / "by-hand.toml") << by_hand;
    try {
      (void)load_study(dir / "by-hand.toml");
      FAIL("the hand-edited study loads");
    } catch (const InputError& e) {
      CHECK(error["path"] == e.path());
      CHECK(error["message"] == e.problem());
    }
  }
  CHECK_THROWS_AS(session.overlay(edit("study.seed", 3)), BadRequest);
  CHECK_THROWS_AS(
      session.overlay(edit("mistake.pilot-no-criteria.probability", {{"dist", "pert"}, {"Bad Key", 1}})),
      BadRequest);
}

TEST_CASE("serve: strings typed into the page cannot break out of the overlay", "[serve]") {
  Session session(kConfigs / "seed-case.toml", with_trials(500));
  const std::string sneaky = "0.2\"\n[study]\nseed = 99\n#";
  const std::string overlay = session.overlay(edit("pipeline.close_rate", sneaky));
  CHECK(overlay.find("\n[study]") == std::string::npos);
  const auto answer = session.run(edit("pipeline.close_rate", sneaky));
  REQUIRE(answer);
  CHECK((*answer)["errors"][0]["path"] == "pipeline.close_rate");
}

TEST_CASE("serve: results in chunks are one run's bit for bit and stop when cancelled", "[serve]") {
  const Model m = load_study(kConfigs / "mid-market.toml");
  RunOptions o;
  o.record_inputs = false;
  o.trials = 5000;
  const TrialResults whole = run_trials(m, Scenario{}, o);
  const auto chunked = run_in_chunks(m, Scenario{}, o, 5000, 1024, [] { return false; });
  REQUIRE(chunked);
  CHECK(chunked->cost_total == whole.cost_total);
  CHECK(chunked->mistake_costs == whole.mistake_costs);
  CHECK(summarize_run(*chunked).cost.total.mean == summarize_run(whole).cost.total.mean);
  int asked = 0;
  CHECK_FALSE(run_in_chunks(m, Scenario{}, o, 5000, 1024, [&] { return ++asked > 2; }));
  CHECK(asked == 3);
}

TEST_CASE("serve: a newer request of the same view supersedes the older one", "[serve]") {
  LatestRequests latest(2);
  const auto a1 = latest.begin("a");
  CHECK_FALSE(a1());
  const auto b1 = latest.begin("b");
  const auto a2 = latest.begin("a");
  CHECK(a1());
  CHECK_FALSE(a2());
  CHECK_FALSE(b1());  // another page's request goes on
  const auto none = latest.begin("");
  latest.begin("");
  CHECK_FALSE(none());
}

TEST_CASE("serve: a newer change of the same page cancels the running re-run", "[serve]") {
  // The first re-run is held at its first chunk until the newer request has begun, then must stop.
  std::atomic<bool> armed{false}, held{false};
  std::promise<void> started, newer_begun;
  std::shared_future<void> go = newer_begun.get_future().share();
  SessionOptions options = with_trials(3000);
  options.chunk = 1000;
  options.before_chunk = [&] {
    if (armed && !held.exchange(true)) {
      started.set_value();
      go.wait();
    }
  };
  Session session(kConfigs / "seed-case.toml", options);
  armed = true;
  Edits first = edit("pipeline.close_rate", "0.5");
  first.view = "page1";
  auto running = std::async(std::launch::async, [&] { return session.run(first); });
  started.get_future().wait();
  Edits other_page = edit("pipeline.close_rate", "0.4");
  other_page.view = "page2";
  Edits newer = edit("pipeline.close_rate", "0.45");
  newer.view = "page1";
  held = true;  // later chunks of the other requests run freely
  const auto other_answer = session.run(other_page);
  const auto answer = session.run(newer);
  newer_begun.set_value();
  CHECK_FALSE(running.get());
  CHECK(other_answer);  // another page's request is not cancelled
  REQUIRE(answer);
  CHECK(!answer->contains("errors"));
}

TEST_CASE("serve: save names stay in the study's folder", "[serve]") {
  for (const char* bad : {"../x.toml", "a/b.toml", "/tmp/x.toml", ".hidden.toml", "x.txt", "", ".toml",
                          "x..toml", "x\\y.toml", "con\n.toml"})
    CHECK_THROWS_AS(check_save_name(bad), BadRequest);
  CHECK_NOTHROW(check_save_name("what-if_2.toml"));
}

TEST_CASE("serve: save as writes a study that extends the original and never overwrites without asking",
          "[serve]") {
  const fs::path dir = study_copy("save");
  Session session(dir / "training-options.toml", with_trials(1500));
  const Edits e =
      edit("pipeline.close_rate", {{"dist", "pert"}, {"min", 0.25}, {"mode", 0.35}, {"max", 0.5}});
  const auto saved = session.save("mine.toml", e, false);
  REQUIRE(saved.status == Session::SaveStatus::saved);
  const std::string text = read_text(dir / "mine.toml");
  CHECK(text.find("extends = \"training-options.toml\"") != std::string::npos);
  CHECK(text.find("[pipeline]\nclose_rate = { dist = \"pert\", min = 0.25, mode = 0.35, max = 0.5 }\n") !=
        std::string::npos);
  CHECK(text.find("[[mistake]]") == std::string::npos);
  CHECK(text.find("[team]") == std::string::npos);
  Model reloaded = load_study(dir / "mine.toml");
  const auto answer = session.run(e);
  reloaded.trials = 1500;
  CHECK(summarize_run([&] {
          RunOptions o;
          o.trials = 1500;
          return run_trials(reloaded, Scenario{}, o);
        }())
            .cost.total.mean == (*answer)["headline"]["mean"]["mean"].get<double>());

  const Edits other = edit("team.reps", "13");
  auto again = session.save("mine.toml", other, false);
  CHECK(again.status == Session::SaveStatus::exists);
  CHECK(again.body["can_overwrite"] == true);
  CHECK(read_text(dir / "mine.toml") == text);
  again = session.save("mine.toml", other, true);
  CHECK(again.status == Session::SaveStatus::saved);
  CHECK(read_text(dir / "mine.toml").find("[team]\nreps = 13\n") != std::string::npos);

  // Files that are not what-ifs of this study, and the study itself, are never replaced.
  const std::string base = read_text(dir / "mid-market.toml");
  for (const char* name : {"mid-market.toml", "training-options.toml"}) {
    const auto refused = session.save(name, other, true);
    CHECK(refused.status == Session::SaveStatus::exists);
    CHECK(refused.body["can_overwrite"] == false);
  }
  CHECK(read_text(dir / "mid-market.toml") == base);

  const auto invalid = session.save("broken.toml", edit("pipeline.close_rate", "2"), false);
  CHECK(invalid.status == Session::SaveStatus::invalid);
  CHECK(invalid.body["errors"][0]["path"] == "pipeline.close_rate");
  CHECK_FALSE(fs::exists(dir / "broken.toml"));
  CHECK_THROWS_AS(session.save("../escape.toml", other, true), BadRequest);
  CHECK_FALSE(fs::exists(dir.parent_path() / "escape.toml"));
}

TEST_CASE("serve: the page is one self-contained ASCII file", "[serve]") {
  const std::string_view page = page_html();
  REQUIRE(page.size() > 1000);
  CHECK(page.substr(0, 15) == "<!DOCTYPE html>");
  CHECK(std::all_of(page.begin(), page.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
  const std::string text(page);
  // The only URL is the SVG namespace; nothing is loaded from anywhere.
  std::regex url(R"(https?://[^"' )]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), url); it != std::sregex_iterator(); ++it)
    CHECK(it->str() == "http://www.w3.org/2000/svg");
  CHECK(text.find("<link") == std::string::npos);
  CHECK(text.find("src=") == std::string::npos);
  CHECK(text.find("innerHTML") == std::string::npos);  // study texts go in as textContent only
  CHECK(random_token().size() == 32);
  CHECK(random_token() != random_token());
}

TEST_CASE("serve: a bad study or option is refused before serving with the CLI's exit status", "[serve]") {
  using mistakesim::testing::run_cli;
  const auto missing = run_cli("serve configs/no-such-study.toml");
  CHECK(missing.status == 2);
  CHECK(missing.err.find("configs/no-such-study.toml: no such file") != std::string::npos);
  CHECK(missing.out.find("http://") == std::string::npos);
  const auto bad = run_cli("serve configs/mid-market.toml --trials 0");
  CHECK(bad.status == 2);
  CHECK(run_cli("serve configs/mid-market.toml --trials 20000000").status == 2);
}
