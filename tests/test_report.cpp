// Report outputs on a hand-built model and hand-built results with known answers:
// JSON structure and values, CSV header and rows, the terminal table, number formatting and the
// whole-or-nothing file write.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>
#include <sstream>

using namespace mistakesim;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kTrials = 40;

//! Two mistakes; model order is NOT the cost ranking (the cheaper one comes first).
Model two_mistake_model() {
  Model model;
  model.name = "Seed team";
  model.trials = kTrials;
  model.seed = 2027;
  model.currency = "USD";
  model.value = ValueBasis::margin;
  model.reps = 3;
  model.inputs.push_back(YearInput{"pipeline.close_rate", Distribution::pert(0.45, 0.6, 0.75), 0, 0.0, 1.0,
                                   false, "a probability lies in [0, 1]"});
  model.inputs.push_back(YearInput{"team.hourly_cost", Distribution::constant(150.0), 0, 0.0, 1e300, false,
                                   "an hourly cost is >= 0"});
  model.opportunities_per_rep = true;
  model.opportunities.dist = Distribution::poisson(40.0);
  model.deal_size.dist = Distribution::constant(120000.0);
  Mistake discount;
  discount.id = "discount-early";
  discount.name = "Discount offered before value is agreed";
  discount.stage = "propose";
  Mistake pilot;
  pilot.id = "pilot-no-criteria";
  pilot.name = "Pilot run without agreed success criteria";
  pilot.stage = "pilot";
  pilot.has_recovery = true;
  model.mistakes = {discount, pilot};
  return model;
}

//! Trial t (0..39): the pilot mistake costs 80,000 known, the discount 1,000 t unknown.
//! total = 80,000 + 1,000 t: mean 99,500; worst 5% = k = 2 trials (39, 38) -> cvar 118,500 with
//! contributions 80,000 (pilot) and 38,500 (discount).
TrialResults two_mistake_results(std::uint64_t first_trial = 0) {
  TrialResults r;
  r.first_trial = first_trial;
  r.count = kTrials;
  r.mistake_count = 2;
  r.recorded_inputs = {0};
  for (std::uint64_t t = 0; t < kTrials; ++t) {
    const double discount = 1000.0 * static_cast<double>(t);
    r.cost_total.push_back(80000.0 + discount);
    r.cost_known.push_back(80000.0);
    r.cost_unknown.push_back(discount);
    r.intervention_cost.push_back(0.0);
    r.opportunities.push_back(10);
    r.good_fits.push_back(4);
    r.wins_done_right.push_back(3);
    r.wins.push_back(2);
    r.should_have_bought.push_back(1);
    r.revenue_done_right.push_back(360000.0);
    r.revenue.push_back(240000.0);
    r.nonbuyer_hours.push_back(12.5);
    r.input_values.push_back(t == 1 ? 0.1 + 0.2 : 0.6);  // 0.30000000000000004: needs 17 digits
  }
  // Mistake costs [m * count + t] and totals: m = 0 discount, m = 1 pilot.
  r.mistake_totals.resize(2);
  for (std::uint64_t t = 0; t < kTrials; ++t) {
    const MistakeTally discount{
        .known = 0.0, .unknown = 1000.0 * static_cast<double>(t), .occurrences = 2, .deals_lost = 0};
    r.mistake_costs.push_back(discount.known + discount.unknown);
    r.mistake_totals[0].add(discount);
  }
  for (std::uint64_t t = 0; t < kTrials; ++t) {
    const MistakeTally pilot{.known = 80000.0,
                             .unknown = 0.0,
                             .occurrences = 1,
                             .deals_lost = static_cast<std::uint32_t>(t % 2)};  // mean 0.5
    r.mistake_costs.push_back(pilot.known + pilot.unknown);
    r.mistake_totals[1].add(pilot);
  }
  return r;
}

std::vector<std::string> keys_of(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  return keys;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(MISTAKESIM_BUILD_DIR) / "test-scratch" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("run_json: keys in the documented order", "[report][json]") {
  const TrialResults results = two_mistake_results();
  const auto j =
      run_json(two_mistake_model(), results, summarize_run(results), make_run_info(2, 1.5, "study.toml"));
  CHECK(keys_of(j) == std::vector<std::string>{"schema", "study", "cost", "mistakes", "pipeline", "inputs",
                                               "numerical", "run"});
  CHECK(j["numerical"]["years_with_nan_cost"] == 0);
  CHECK(j["schema"] == "mistakesim.run/1");
  CHECK(keys_of(j["study"]) ==
        std::vector<std::string>{"name", "trials", "first_trial", "seed", "currency", "value", "reps"});
  CHECK(keys_of(j["cost"]) == std::vector<std::string>{"total", "known", "unknown"});
  const std::vector<std::string> summary_keys = {"mean", "mean_ci95", "sd",  "min", "p05", "p10",
                                                 "p50",  "p90",       "p95", "p99", "max", "cvar95"};
  std::vector<std::string> cost_keys = summary_keys;
  cost_keys.push_back("quantile_ci95");  // distribution-free intervals of the quantiles
  CHECK(keys_of(j["cost"]["total"]) == cost_keys);
  CHECK(keys_of(j["cost"]["unknown"]) == cost_keys);
  CHECK(keys_of(j["cost"]["total"]["quantile_ci95"]) ==
        std::vector<std::string>{"p05", "p10", "p50", "p90", "p95", "p99"});
  REQUIRE(j["mistakes"].size() == 2);
  CHECK(keys_of(j["mistakes"][0]) == std::vector<std::string>{"id", "name", "stage", "cost", "known_cost",
                                                              "unknown_cost", "share", "occurrences_mean",
                                                              "deals_lost_mean", "cvar95_contribution"});
  CHECK(keys_of(j["mistakes"][0]["cost"]) == summary_keys);
  CHECK(keys_of(j["pipeline"]) == std::vector<std::string>{"opportunities_mean", "good_fits_mean",
                                                           "wins_done_right_mean", "wins_mean",
                                                           "should_have_bought_mean", "nonbuyer_hours_mean",
                                                           "revenue_done_right_mean", "revenue_mean"});
  CHECK(keys_of(j["inputs"][0]) ==
        std::vector<std::string>{"param", "level", "distribution", "mean", "uncertain"});
  CHECK(keys_of(j["run"]) ==
        std::vector<std::string>{"threads", "seconds", "version", "build", "study_file"});
}

TEST_CASE("run_json: values of the hand-built run", "[report][json]") {
  const TrialResults results = two_mistake_results();
  const auto j =
      run_json(two_mistake_model(), results, summarize_run(results), make_run_info(2, 1.5, "study.toml"));
  CHECK(j["study"]["name"] == "Seed team");
  CHECK(j["study"]["trials"] == 40);
  CHECK(j["study"]["seed"] == 2027);
  CHECK(j["study"]["value"] == "margin");

  const auto& total = j["cost"]["total"];
  CHECK(total["mean"].get<double>() == 99500.0);
  CHECK(total["min"].get<double>() == 80000.0);
  CHECK(total["max"].get<double>() == 119000.0);
  CHECK(total["p50"].get<double>() == 99500.0);                         // type 7: h = 19.5
  CHECK(total["p05"].get<double>() == Approx(81950.0).epsilon(1e-14));  // h = 1.95
  CHECK(total["cvar95"].get<double>() == 118500.0);                     // mean of trials 39 and 38
  // sd of 1000 t, t = 0..39: 1000 sqrt(40 * 41 / 12); CI = mean -+ 1.96 sd / sqrt(40).
  const double sd = 1000.0 * std::sqrt(40.0 * 41.0 / 12.0);
  CHECK(total["sd"].get<double>() == Approx(sd).epsilon(1e-13));
  REQUIRE(total["mean_ci95"].size() == 2);
  CHECK(total["mean_ci95"][0].get<double>() == Approx(99500.0 - 1.96 * sd / std::sqrt(40.0)).epsilon(1e-13));
  CHECK(total["mean_ci95"][1].get<double>() == Approx(99500.0 + 1.96 * sd / std::sqrt(40.0)).epsilon(1e-13));
  CHECK(j["cost"]["known"]["sd"].get<double>() == 0.0);
  CHECK(j["cost"]["unknown"]["mean"].get<double>() == 19500.0);

  // Ranked by mean cost: the pilot mistake (second in the model) comes first.
  const auto& first = j["mistakes"][0];
  CHECK(first["id"] == "pilot-no-criteria");
  CHECK(first["stage"] == "pilot");
  CHECK(first["cost"]["mean"].get<double>() == 80000.0);
  CHECK(first["known_cost"].get<double>() == 80000.0);
  CHECK(first["unknown_cost"].get<double>() == 0.0);
  CHECK(first["occurrences_mean"].get<double>() == 1.0);
  CHECK(first["deals_lost_mean"].get<double>() == 0.5);
  CHECK(first["cvar95_contribution"].get<double>() == 80000.0);
  CHECK(first["share"].get<double>() == Approx(80000.0 / 99500.0).epsilon(1e-14));
  const auto& second = j["mistakes"][1];
  CHECK(second["id"] == "discount-early");
  CHECK(second["cost"]["mean"].get<double>() == 19500.0);
  CHECK(second["unknown_cost"].get<double>() == 19500.0);
  CHECK(second["occurrences_mean"].get<double>() == 2.0);
  CHECK(second["cvar95_contribution"].get<double>() == 38500.0);  // (39,000 + 38,000) / 2
  // The contributions add up to the total's CVaR.
  CHECK(first["cvar95_contribution"].get<double>() + second["cvar95_contribution"].get<double>() ==
        total["cvar95"].get<double>());

  const auto& pipeline = j["pipeline"];
  CHECK(pipeline["opportunities_mean"].get<double>() == 10.0);
  CHECK(pipeline["good_fits_mean"].get<double>() == 4.0);
  CHECK(pipeline["wins_done_right_mean"].get<double>() == 3.0);
  CHECK(pipeline["wins_mean"].get<double>() == 2.0);
  CHECK(pipeline["should_have_bought_mean"].get<double>() == 1.0);
  CHECK(pipeline["nonbuyer_hours_mean"].get<double>() == 12.5);
  CHECK(pipeline["revenue_done_right_mean"].get<double>() == 360000.0);
  CHECK(pipeline["revenue_mean"].get<double>() == 240000.0);

  // Inputs: the year-level ones first, in model order, then the amounts.
  const auto& inputs = j["inputs"];
  CHECK(inputs[0]["param"] == "pipeline.close_rate");
  CHECK(inputs[0]["level"] == "year");
  CHECK(inputs[0]["distribution"].get<std::string>().find("PERT") == 0);
  CHECK(inputs[0]["mean"].get<double>() == Approx(0.6).epsilon(1e-12));  // symmetric PERT
  CHECK(inputs[0]["uncertain"] == true);
  CHECK(inputs[1]["param"] == "team.hourly_cost");
  CHECK(inputs[1]["mean"].get<double>() == 150.0);
  CHECK(inputs[1]["uncertain"] == false);
  CHECK(inputs[2]["param"] == "pipeline.opportunities_per_rep");
  CHECK(inputs[2]["level"] == "per rep");
  CHECK(inputs[3]["param"] == "pipeline.deal_size");
  std::vector<std::string> params;
  for (const auto& input : inputs) params.push_back(input["param"]);
  // recovery amounts only for the mistake that has a recovery
  CHECK(std::count(params.begin(), params.end(), "mistake.pilot-no-criteria.recovery.saved") == 1);
  CHECK(std::count(params.begin(), params.end(), "mistake.discount-early.recovery.saved") == 0);
  CHECK(std::count(params.begin(), params.end(), "mistake.discount-early.discount") == 1);

  CHECK(j["run"]["threads"] == 2);
  CHECK(j["run"]["seconds"].get<double>() == 1.5);
  CHECK(j["run"]["study_file"] == "study.toml");
  CHECK_FALSE(j["run"]["version"].get<std::string>().empty());
  CHECK_FALSE(j["run"]["build"].get<std::string>().empty());
}

TEST_CASE("run_json: byte-identical apart from the run object", "[report][json][determinism]") {
  const Model model = two_mistake_model();
  const TrialResults results = two_mistake_results();
  auto a = run_json(model, results, summarize_run(results), make_run_info(1, 10.0, "a.toml"));
  auto b = run_json(model, results, summarize_run(results), make_run_info(8, 0.25, "b.toml"));
  CHECK(a.dump(2) != b.dump(2));
  a.erase("run");
  b.erase("run");
  CHECK(a.dump(2) == b.dump(2));
  // Shortest round-trip numbers, not a fixed precision.
  const std::string text = a.dump();
  CHECK(text.find("\"mean\":99500.0,") != std::string::npos);
  CHECK(text.find("\"nonbuyer_hours_mean\":12.5,") != std::string::npos);
}

TEST_CASE("run_json: no trials gives nulls, not NaN", "[report][json]") {
  TrialResults empty;
  empty.mistake_count = 2;
  empty.mistake_totals.resize(2);  // a run of no trials has every mistake's (zero) totals
  const auto j = run_json(two_mistake_model(), empty, summarize_run(empty), make_run_info(1, 0.0, ""));
  CHECK(j["cost"]["total"]["mean"].is_null());
  CHECK(j["cost"]["total"]["mean_ci95"][0].is_null());
  CHECK(j["pipeline"]["wins_mean"].is_null());
  const std::string text = j.dump();  // valid JSON: parses back
  CHECK(nlohmann::json::parse(text)["cost"]["total"]["cvar95"].is_null());
}

TEST_CASE("write_csv: header, rows, round-trip numbers", "[report][csv]") {
  std::ostringstream out;
  write_csv(out, two_mistake_model(), two_mistake_results());
  std::istringstream lines(out.str());
  std::string header, row0, row1;
  std::getline(lines, header);
  std::getline(lines, row0);
  std::getline(lines, row1);
  CHECK(header ==
        "trial,cost_total,cost_known,cost_unknown,opportunities,wins,should_have_bought,nonbuyer_hours,"
        "cost:discount-early,cost:pilot-no-criteria,input:pipeline.close_rate");
  CHECK(row0 == "0,80000,80000,0,10,2,1,12.5,0,80000,0.6");
  // 0.1 + 0.2 needs 17 significant digits to read back exactly.
  CHECK(row1 == "1,81000,80000,1000,10,2,1,12.5,1000,80000,0.30000000000000004");
  std::size_t rows = 2;
  std::string line;
  while (std::getline(lines, line)) ++rows;
  CHECK(rows == kTrials);
  CHECK(out.str().back() == '\n');

  // The trial column holds the absolute trial index of a range that does not start at 0.
  std::ostringstream shifted;
  write_csv(shifted, two_mistake_model(), two_mistake_results(500));
  CHECK(shifted.str().find("\n500,80000,") != std::string::npos);
  CHECK(shifted.str().find("\n539,119000,") != std::string::npos);
}

TEST_CASE("write_csv: fields with commas or quotes are quoted", "[report][csv]") {
  Model model = two_mistake_model();
  model.mistakes[0].id = "say \"yes\", then";
  std::ostringstream out;
  write_csv(out, model, two_mistake_results());
  const std::string header = out.str().substr(0, out.str().find('\n'));
  CHECK(header.find(",\"cost:say \"\"yes\"\", then\",cost:pilot-no-criteria,") != std::string::npos);
}

TEST_CASE("terminal_summary: plain words, ranked, aligned", "[report][terminal]") {
  const std::string text =
      terminal_summary(two_mistake_model(), two_mistake_results(), summarize_run(two_mistake_results()),
                       make_run_info(2, 1.5, "study.toml"));
  INFO(text);
  CHECK(text.find("Seed team") != std::string::npos);
  CHECK(text.find("Deals that should have been won") != std::string::npos);
  CHECK(text.find("Hours spent with non-buyers") != std::string::npos);
  CHECK(text.find("12.5 h") != std::string::npos);
  CHECK(text.find("$99,500") != std::string::npos);   // average year
  CHECK(text.find("$118,500") != std::string::npos);  // worst 5% average
  CHECK(text.find("$80,000") != std::string::npos);
  // Known 80,000 of 99,500 = 80%; unknown 20%.
  CHECK(text.find("80% of the cost") != std::string::npos);
  CHECK(text.find("20% of the cost") != std::string::npos);

  // Ranked: the pilot mistake first, its row and the discount row right-align their cost column.
  const auto pilot = text.find("Pilot run without agreed success criteria");
  const auto discount = text.find("Discount offered before value is agreed");
  REQUIRE(pilot != std::string::npos);
  REQUIRE(discount != std::string::npos);
  CHECK(pilot < discount);
  const auto line_of = [&](std::size_t pos) {
    const auto start = text.rfind('\n', pos) + 1;
    return text.substr(start, text.find('\n', pos) - start);
  };
  const std::string pilot_line = line_of(pilot);
  const std::string discount_line = line_of(discount);
  CHECK(pilot_line.rfind("  1  ", 0) == 0);
  CHECK(discount_line.rfind("  2  ", 0) == 0);
  CHECK(pilot_line.find("$80,000") + 7 == discount_line.find("$19,500") + 7);
  CHECK(pilot_line.find("100%") != std::string::npos);  // all of it known
}

TEST_CASE("format_currency: the convention table", "[report][format]") {
  CHECK(format_currency(0.0, "USD") == "$0");
  CHECK(format_currency(80.0, "USD") == "$80");
  CHECK(format_currency(1234.5, "USD") == "$1,235");  // half away from zero
  CHECK(format_currency(80000.0, "USD") == "$80,000");
  CHECK(format_currency(999999.4, "USD") == "$999,999");
  CHECK(format_currency(999999.5, "USD") == "$1.00M");  // rounds up into millions
  CHECK(format_currency(1240000.0, "USD") == "$1.24M");
  CHECK(format_currency(12345678.0, "USD") == "$12.3M");
  CHECK(format_currency(9995000.0, "USD") == "$10.0M");  // 9.995M -> 3 digits carry
  CHECK(format_currency(123456789.0, "USD") == "$123M");
  CHECK(format_currency(250e9, "USD") == "$250B");
  CHECK(format_currency(1.5e15, "USD") == "$1,500T");
  CHECK(format_currency(-80000.0, "USD") == "-$80,000");
  CHECK(format_currency(-2.5e6, "USD") == "-$2.50M");
  CHECK(format_currency(-0.3, "USD") == "$0");  // no "-$0"
  CHECK(format_currency(80000.0, "EUR") == "\u20AC80,000");
  CHECK(format_currency(1.24e6, "GBP") == "\u00A31.24M");
  CHECK(format_currency(80000.0, "CHF") == "CHF 80,000");
  CHECK(format_currency(std::nan(""), "USD") == "n/a");
}

TEST_CASE("format_count, format_hours, format_percent", "[report][format]") {
  CHECK(format_count(12.0) == "12");
  CHECK(format_count(25.14) == "25.1");
  CHECK(format_count(0.04) == "0.04");
  CHECK(format_count(1240.4) == "1,240");
  CHECK(format_count(200000.0) == "200,000");
  CHECK(format_count(-3.0) == "-3");
  CHECK(format_count(std::nan("")) == "n/a");
  CHECK(format_hours(1240.0) == "1,240 h");
  CHECK(format_hours(12.5) == "12.5 h");
  CHECK(format_percent(0.804) == "80%");
  CHECK(format_percent(0.001) == "<1%");
  CHECK(format_percent(0.0) == "0%");
  CHECK(format_percent(1.0) == "100%");
  CHECK(format_percent(std::nan("")) == "-");
}

TEST_CASE("write_file_atomically: whole file, no temporary left", "[report][file]") {
  const fs::path dir = scratch("atomic-ok");
  const fs::path target = dir / "run.json";
  write_file_atomically(target, "first version\n");
  CHECK(read_text(target) == "first version\n");
  write_file_atomically(target, "second");  // replaces, does not append
  CHECK(read_text(target) == "second");
  CHECK(files_in(dir) == std::vector<std::string>{"run.json"});
  write_file_atomically(dir / "empty.csv", "");
  CHECK(fs::file_size(dir / "empty.csv") == 0);
  CHECK(files_in(dir) == std::vector<std::string>{"empty.csv", "run.json"});
}

TEST_CASE("write_file_atomically: bad paths are input errors and leave nothing", "[report][file]") {
  const fs::path dir = scratch("atomic-bad");

  // A folder that does not exist.
  const fs::path missing = dir / "no-such-folder" / "run.json";
  try {
    write_file_atomically(missing, "x");
    FAIL("no error for a missing folder");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "cannot write " + missing.string() + ": the folder " +
                                       missing.parent_path().string() + " does not exist");
  }
  CHECK_FALSE(fs::exists(dir / "no-such-folder"));

  // A "folder" that is a file.
  std::ofstream(dir / "plain-file") << "keep";
  CHECK_THROWS_AS(write_file_atomically(dir / "plain-file" / "run.json", "x"), InputError);

  // The destination is a folder: the rename fails after the temporary was written; it is removed.
  fs::create_directory(dir / "a-folder");
  try {
    write_file_atomically(dir / "a-folder", "x");
    FAIL("no error when the destination is a folder");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("cannot write " + (dir / "a-folder").string() + ": ") == 0);
  }
  CHECK(fs::is_directory(dir / "a-folder"));
  CHECK(files_in(dir) == std::vector<std::string>{"a-folder", "plain-file"});
  CHECK(read_text(dir / "plain-file") == "keep");
}

TEST_CASE("write_files_atomically: one output that cannot be written leaves every output untouched",
          "[report]") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::path(MISTAKESIM_BUILD_DIR) / "test-scratch" / ("multi-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path json = dir / "summary.json";
  { std::ofstream(json) << "old"; }
  const fs::path not_a_folder = dir / "file";
  { std::ofstream(not_a_folder) << "x"; }
  const std::string fresh = "new summary";
  REQUIRE_THROWS_AS(
      mistakesim::write_files_atomically({{json, fresh}, {not_a_folder / "trials.csv", "rows"}}),
      mistakesim::InputError);
  std::ifstream in(json);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == "old");  // the JSON was not replaced although it came first
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 2);  // summary.json and file: no temporary left behind
  mistakesim::write_files_atomically({{json, fresh}, {dir / "trials.csv", "rows"}});
  std::ifstream again(json);
  std::string now((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  CHECK(now == fresh);
  fs::remove_all(dir);
}
