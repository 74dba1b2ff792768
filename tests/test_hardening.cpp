// Hardening (docs/cli.md): outputs that never destroy or lose data, inputs that never read what they
// should not, numbers that never overflow into internal errors, a command line that says what it
// expected. Each case is a reproduction that failed before the fix. Where each reproduction lives:
//   outputs: a device/symlink/FIFO replaced, --json over the study, two outputs at one path, '-' and
//     '' (the first three cases); a per-year CSV built whole in memory (streamed in pieces); SIGINT
//     and SIGTERM leaving temporaries (two cases: during the run, during the write); paths checked
//     after the run, a too long name, a full disk (/dev/full and a full tmpfs); a study path not
//     UTF-8; a repaired correlation matrix not in the JSON, -q hiding the warning.
//   numbers: discrete weights overflowing; gamma/beta/lognormal/poisson/1e308 derived parameters;
//     a team or opportunities too big to simulate.
//   reading: ../../etc/passwd, /etc/shadow, never echoed, --allow-dir; extends of /dev/zero,
//     /dev/urandom or a FIFO, a FIFO data file; the strict CSV reader (open quote, repeated header,
//     CR line endings).
//   command line: --seed -1 and 2^64, --trials 0x10/1e3/0, --threads 4294967295/100000/10000, a
//     misspelt command; control characters in names; help's exit codes and program name; 55% and an
//     open quote in TOML. Test names with ';' dropping out of ctest: check_test_count.sh (ctest's
//     "every Catch2 test case runs under ctest"). The same inputs seed the fuzzer (fuzz/corpus/).

#include "cli_runner.hpp"

#include <catch2/catch.hpp>
#include <mistakesim/distribution.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/sip.hpp>
#include <mistakesim/study.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <streambuf>
#include <string>

using namespace mistakesim;
using namespace mistakesim::testing;
namespace fs = std::filesystem;

namespace {

const std::string kSource = MISTAKESIM_SOURCE_DIR;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

//! A copy of configs/seed-case.toml (a one-rep study that runs in milliseconds) in `dir`.
fs::path seed_study(const fs::path& dir, const std::string& name = "study.toml") {
  fs::copy_file(kSource + "/configs/seed-case.toml", dir / name, fs::copy_options::overwrite_existing);
  return dir / name;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

bool has_temporaries(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
  return false;
}

const std::string kPipeline = "[pipeline]\nopportunities = 100\nclose_rate = 0.3\ndeal_size = 10_000\n";

std::string error_of_study(const std::string& text) {
  try {
    parse_study(text, "s.toml", ".");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

//! A stream buffer that keeps nothing and records the largest piece it was handed at once: how much
//! of an output its writer held in memory before passing it on.
class LargestPiece : public std::streambuf {
 public:
  std::size_t largest = 0, total = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    largest = std::max(largest, static_cast<std::size_t>(n));
    total += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type ch) override {
    total += 1;
    largest = std::max<std::size_t>(largest, 1);
    return traits_type::not_eof(ch);
  }
};

//! Runs `script` in a shell and returns its exit status (-1 when it did not exit).
int shell(const std::string& script) {
  const int raw = std::system(script.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

}  // namespace

TEST_CASE("an output that names the study or another output is refused and nothing is touched",
          "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-clobber");
  const fs::path study = seed_study(dir);
  const std::string before = read_text(study);
  const CliResult over_study = run_cli("run " + quoted(study) + " -n 10 --json " + quoted(study));
  CHECK(over_study.status == 2);
  CHECK(over_study.err.find("an input of this run") != std::string::npos);
  CHECK(read_text(study) == before);

  const CliResult twice = run_cli("run " + quoted(study) + " -n 10 --json " + quoted(dir / "same.out") +
                                  " --csv " + quoted(dir / "same.out"));
  CHECK(twice.status == 2);
  CHECK(twice.err.find("also the path of --json") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "same.out"));
  CHECK_FALSE(has_temporaries(dir));
}

TEST_CASE("'-' is the standard output for every output and '' is refused", "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-dash");
  const fs::path study = seed_study(dir);
  const CliResult csv = run_cli("run " + quoted(study) + " -n 10 --csv -");
  REQUIRE(csv.status == 0);
  CHECK(csv.out.rfind("trial,cost_total,", 0) == 0);
  const CliResult report = run_cli("run " + quoted(study) + " -n 10 --report -");
  REQUIRE(report.status == 0);
  CHECK(report.out.find("<html") != std::string::npos);
  CHECK_FALSE(fs::exists(kSource + "/-"));
  const CliResult both = run_cli("run " + quoted(study) + " -n 10 --csv - --json -");
  CHECK(both.status == 2);
  CHECK(both.err.find("standard output") != std::string::npos);
  const CliResult empty = run_cli("run " + quoted(study) + " -n 10 --json ''");
  CHECK(empty.status == 2);
  CHECK(empty.err.find("expected a file name") != std::string::npos);
}

TEST_CASE("devices and FIFOs are written through and a symbolic link is followed", "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-special");
  const fs::path study = seed_study(dir);
  REQUIRE(run_cli("run " + quoted(study) + " -n 10 --csv /dev/null").status == 0);
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));

  write(dir / "real.csv", "old");
  fs::create_symlink("real.csv", dir / "link.csv");
  REQUIRE(run_cli("run " + quoted(study) + " -n 10 -q --csv " + quoted(dir / "link.csv")).status == 0);
  CHECK(fs::is_symlink(dir / "link.csv"));
  CHECK(read_text(dir / "real.csv").rfind("trial,", 0) == 0);

  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  const std::string cmd = "cat " + quoted(dir / "pipe") + " > " + quoted(dir / "from-pipe") + " & '" +
                          MISTAKESIM_BINARY + "' run " + quoted(study) + " -n 10 -q --csv " +
                          quoted(dir / "pipe") + " > /dev/null; wait";
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(read_text(dir / "from-pipe").rfind("trial,", 0) == 0);
  struct stat fifo {};
  REQUIRE(::stat((dir / "pipe").c_str(), &fifo) == 0);
  CHECK(S_ISFIFO(fifo.st_mode));
}

TEST_CASE("a full disk is exit 1 with the path and no space left, not an internal error",
          "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-full");
  const fs::path study = seed_study(dir);
  const CliResult full =
      run_cli("run " + quoted(study) + " -n 10 --json " + quoted(dir / "ok.json") + " --csv /dev/full");
  CHECK(full.status == 1);
  CHECK(full.err.find("cannot write /dev/full: no space left on device") != std::string::npos);
  CHECK(full.err.find("internal error") == std::string::npos);
  CHECK_FALSE(fs::exists(dir / "ok.json"));  // all or nothing
  CHECK_FALSE(has_temporaries(dir));
  // The SIP library is streamed like the CSV: its failure is reported the same way.
  const CliResult sip =
      run_cli("run " + quoted(study) + " -n 10 --csv " + quoted(dir / "ok.csv") + " --sip /dev/full");
  CHECK(sip.status == 1);
  CHECK(sip.err.find("cannot write /dev/full: no space left on device") != std::string::npos);
  CHECK(sip.err.find("internal error") == std::string::npos);
  CHECK_FALSE(fs::exists(dir / "ok.csv"));
  CHECK_FALSE(has_temporaries(dir));
}

TEST_CASE("output paths are checked before the run: a missing folder or a too long name",
          "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-early");
  const fs::path study = seed_study(dir);
  // 10^8 simulated years would take minutes: exit 2 at once shows the check comes first.
  const CliResult missing =
      run_cli("run " + quoted(study) + " -n 100000000 --csv " + quoted(dir / "no" / "x.csv"));
  CHECK(missing.status == 2);
  CHECK(missing.err.find("the folder") != std::string::npos);
  const CliResult long_name = run_cli("run " + quoted(study) + " -n 100000000 --json " +
                                      quoted(dir / (std::string(300, 'x') + ".json")));
  CHECK(long_name.status == 2);
  CHECK(long_name.err.find("file name too long") != std::string::npos);
  if (::geteuid() != 0) {  // root writes anywhere
    fs::create_directory(dir / "ro");
    fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    const CliResult ro =
        run_cli("run " + quoted(study) + " -n 100000000 --json " + quoted(dir / "ro" / "x.json"));
    CHECK(ro.status == 2);
    fs::permissions(dir / "ro", fs::perms::owner_all);
  }
}

TEST_CASE("SIGINT and SIGTERM during a run remove the temporaries and exit 130 and 143",
          "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-signal");
  const fs::path study = seed_study(dir);
  for (const auto& [signal, status] : {std::pair{"INT", 130}, std::pair{"TERM", 143}}) {
    const std::string cmd = "'" + std::string(MISTAKESIM_BINARY) + "' run " + quoted(study) +
                            " -q -n 100000000 --json " + quoted(dir / "out.json") +
                            " > /dev/null 2>&1 & pid=$!; " + "for i in $(seq 100); do ls -a " + quoted(dir) +
                            " | grep -q tmp- && break; sleep 0.05; done; kill -" + signal +
                            " $pid; wait $pid; exit $?";
    const int raw = std::system(cmd.c_str());
    CHECK(WEXITSTATUS(raw) == status);
    CHECK_FALSE(has_temporaries(dir));
    CHECK_FALSE(fs::exists(dir / "out.json"));
  }
}

TEST_CASE("a study path that is not UTF-8 still gives valid JSON and every output", "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-utf8");
  const fs::path study = seed_study(dir, "caf\xe9.toml");
  const CliResult r = run_cli("run " + quoted(study) + " -n 10 -q --json " + quoted(dir / "r.json") +
                              " --csv " + quoted(dir / "r.csv") + " --sip " + quoted(dir / "r.sip.json"));
  REQUIRE(r.status == 0);
  CHECK_NOTHROW(nlohmann::json::parse(read_text(dir / "r.json")));
  CHECK(fs::exists(dir / "r.csv"));
  const auto sip = nlohmann::json::parse(read_text(dir / "r.sip.json"));
  CHECK(sip["metadata"]["study_file"].get<std::string>().find("caf\xEF\xBF\xBD.toml") != std::string::npos);
}

TEST_CASE("discrete weights whose sum overflows sample inside the array", "[hardening][distribution]") {
  const Distribution d = Distribution::discrete({1.0, 2.0}, {1e308, 1e308});
  CHECK(d.mean() == 1.5);
  REQUIRE(d.cumulative.size() == 2);
  CHECK(d.cumulative.back() == 1.0);
  const CliResult r =
      run_cli("dist '{ dist = \"discrete\", values = [1, 2, 3], weights = [1e308, 1e308, 1e308] }'");
  CHECK(r.status == 0);
}

TEST_CASE("derived parameters that overflow are located refusals, not internal errors",
          "[hardening][distribution]") {
  const char* cases[] = {
      "{ dist = \"gamma\", mean = 1, sd = 1e-200 }",
      "{ dist = \"beta\", mean = 0.5, sd = 1e-200 }",
      "{ dist = \"lognormal\", mu = 700, sigma = 5 }",
      "{ dist = \"poisson\", mean = 1e12 }",
      "1e308",
  };
  for (const char* text : cases) {
    const CliResult r = run_cli(std::string("dist '") + text + "'");
    INFO(text << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("<command line>:1:") != std::string::npos);
    CHECK(r.err.find("internal error") == std::string::npos);
  }
  CHECK(error_of_study("[pipeline]\nopportunities = 100\nclose_rate = 0.3\ndeal_size = 1e308\n")
            .find("s.toml:4:13: pipeline.deal_size: expected a number of at most") != std::string::npos);
}

TEST_CASE("a team too big to simulate is refused before the run", "[hardening][config]") {
  const std::string big =
      "[team]\nreps = 1_000_000\n[pipeline]\nopportunities_per_rep = 5000\nclose_rate = 0.3\n"
      "deal_size = 10_000\n";
  CHECK(error_of_study(big).find(
            "pipeline.opportunities_per_rep: a simulated year of this team can hold about") !=
        std::string::npos);
  CHECK(error_of_study("[pipeline]\nopportunities = 5e9\nclose_rate = 0.3\ndeal_size = 10_000\n")
            .find("at most 10000000 fit in memory") != std::string::npos);
}

TEST_CASE("data files and base studies come from the study's folder only, never echoed",
          "[hardening][inputs]") {
  const auto dir = scratch_dir("hardening-confine");
  write(dir / "passwd.toml",
        "[pipeline]\nopportunities = 10\nclose_rate = 0.3\n"
        "deal_size = { dist = \"empirical\", file = \"../../../../../../../../etc/passwd\", "
        "column = \"x\" }\n");
  const CliResult passwd = run_cli("validate " + quoted(dir / "passwd.toml"));
  CHECK(passwd.status == 2);
  CHECK(passwd.err.find("is outside the folders a study may read from") != std::string::npos);
  CHECK(passwd.err.find("root:") == std::string::npos);
  write(dir / "shadow.toml",
        "[pipeline]\nopportunities = 10\nclose_rate = 0.3\n"
        "deal_size = { dist = \"empirical\", file = \"/etc/shadow\", column = \"x\" }\n");
  const CliResult shadow = run_cli("validate " + quoted(dir / "shadow.toml"));
  CHECK(shadow.status == 2);
  CHECK(shadow.err.find("root:") == std::string::npos);

  // The same data, in a folder named with --allow-dir, is read.
  const auto data = scratch_dir("hardening-confine-data");
  write(data / "deals.csv", "amount\n100\n200\n");
  write(dir / "allowed.toml",
        "[pipeline]\nopportunities = 10\nclose_rate = 0.3\ndeal_size = { dist = \"empirical\", "
        "file = \"" +
            (data / "deals.csv").string() + "\", column = \"amount\" }\n");
  CHECK(run_cli("run " + quoted(dir / "allowed.toml") + " -n 10").status == 2);
  CHECK(run_cli("run " + quoted(dir / "allowed.toml") + " -n 10 --allow-dir " + quoted(data)).status == 0);

  write(dir / "zero.toml", "extends = \"/dev/zero\"\n");
  const CliResult zero = run_cli("validate " + quoted(dir / "zero.toml"));
  CHECK(zero.status == 2);
  CHECK(zero.err.find("is not a regular file") != std::string::npos);
}

TEST_CASE("the CSV reader is strict: open quotes, repeated headers, CR line endings", "[hardening][inputs]") {
  const auto dir = scratch_dir("hardening-csv");
  const std::string study =
      "[pipeline]\nopportunities = 10\nclose_rate = 0.3\n"
      "deal_size = { dist = \"empirical\", file = \"d.csv\", column = \"amount\" }\n";
  write(dir / "s.toml", study);
  write(dir / "d.csv", "id,amount\n1,\"12000\n2,13000\n");
  const CliResult open = run_cli("validate " + quoted(dir / "s.toml"));
  CHECK(open.status == 2);
  CHECK(open.err.find("d.csv:2:3: pipeline.deal_size: this quoted field is never closed") !=
        std::string::npos);

  write(dir / "d.csv", "amount,amount\n1,2\n");
  const CliResult twice = run_cli("validate " + quoted(dir / "s.toml"));
  CHECK(twice.status == 2);
  CHECK(twice.err.find("names column \"amount\" twice") != std::string::npos);

  write(dir / "d.csv", "id,amount\r1,100\r2,300\r");
  const Model m = load_study(dir / "s.toml");
  CHECK(m.deal_size.dist.mean() == 200.0);
}

TEST_CASE("command-line numbers: whole decimal numbers in range, said plainly", "[hardening][cli]") {
  const auto dir = scratch_dir("hardening-numbers");
  const std::string study = quoted(seed_study(dir));
  for (const char* args : {"--seed -1", "--seed 18446744073709551616", "--trials 0x10", "--trials 1e3",
                           "--threads 4294967295", "--threads 100000", "--threads 10000", "--trials 0"}) {
    const CliResult r = run_cli("run " + study + " " + args);
    INFO(args << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("expected") != std::string::npos);
    CHECK(r.err.size() < 200);  // no 300-digit number
  }
  CHECK(run_cli("run " + study + " --seed 18446744073709551615 -n 10").status == 0);
  CHECK(run_cli("run " + study + " --threads 1024 -n 10").status == 0);
  const CliResult typo = run_cli("runn " + study);
  CHECK(typo.status == 2);
  CHECK(typo.err.find("unknown command 'runn' (did you mean 'run'?)") != std::string::npos);
}

TEST_CASE("control characters in names are refused, not sent to the terminal", "[hardening][inputs]") {
  for (const char* name : {"\\u001b[2J", "bell\\u0007", "nul\\u0000"}) {
    const std::string error = error_of_study(std::string("[study]\nname = \"") + name + "\"\n" + kPipeline);
    INFO(error);
    CHECK(error.find("s.toml:2:8: study.name: expected") != std::string::npos);
    CHECK(error.find("without control characters") != std::string::npos);
  }
}

TEST_CASE("a repaired correlation matrix is in the JSON and -q keeps the warning", "[hardening][outputs]") {
  const auto dir = scratch_dir("hardening-warnings");
  write(dir / "s.toml",
        "[pipeline]\nopportunities = 5\ngood_fit = { dist = \"beta\", alpha = 2, beta = 5 }\n"
        "close_rate = { dist = \"pert\", min = 0.2, mode = 0.5, max = 0.9 }\n"
        "pilot_rate = { dist = \"uniform\", min = 0.1, max = 0.4 }\ndeal_size = 1000\n"
        "[[correlation]]\na = \"pipeline.good_fit\"\nb = \"pipeline.close_rate\"\nrank = 0.9\n"
        "[[correlation]]\na = \"pipeline.close_rate\"\nb = \"pipeline.pilot_rate\"\nrank = 0.9\n"
        "[[correlation]]\na = \"pipeline.good_fit\"\nb = \"pipeline.pilot_rate\"\nrank = -0.9\n");
  const CliResult r = run_cli("run " + quoted(dir / "s.toml") + " -q -n 100 --json -");
  REQUIRE(r.status == 0);
  CHECK(r.err.find("warning:") != std::string::npos);
  const auto json = nlohmann::json::parse(r.out);
  REQUIRE(json.contains("warnings"));
  CHECK(json["warnings"][0].get<std::string>().find("pipeline.good_fit ~ pipeline.pilot_rate") !=
        std::string::npos);
}

TEST_CASE("help names the exit codes and the program as mistakesim", "[hardening][cli]") {
  const CliResult help = run_cli("--help");
  CHECK(help.out.find("Exit status: 0") != std::string::npos);
  CHECK(help.out.find("130/143") != std::string::npos);
  CHECK(help.out.find("Usage: mistakesim") != std::string::npos);
  const CliResult sens = run_cli("sensitivity --help");
  CHECK(sens.out.find("per point") == std::string::npos);
  CHECK(sens.out.find("Usage: mistakesim sensitivity") != std::string::npos);
}

TEST_CASE("TOML slips get plain messages with a hint", "[hardening][inputs]") {
  CHECK(error_of_study("[pipeline]\nopportunities = 100\nclose_rate = 55%\ndeal_size = 10_000\n")
            .find("s.toml:3:") != std::string::npos);
  CHECK(error_of_study("[pipeline]\nopportunities = 100\nclose_rate = 55%\ndeal_size = 10_000\n")
            .find("write 0.55 for 55%") != std::string::npos);
  CHECK(error_of_study("[study]\nname = \"open\n" + kPipeline).find("a string is not closed") !=
        std::string::npos);
}

namespace {

//! 300,000 simulated years of `model` on one thread, with the inputs recorded (as --csv and --sip do).
TrialResults many_recorded_years(const Model& model) {
  RunOptions options;
  options.trials = 300'000;
  options.threads = 1;
  options.record_inputs = true;
  return run_trials(model, Scenario{}, options);
}

}  // namespace

TEST_CASE("the per-year CSV is streamed to its file in pieces and never built whole in memory",
          "[hardening][outputs]") {
  const Model model = load_study(kSource + "/configs/seed-case.toml");
  const TrialResults results = many_recorded_years(model);
  LargestPiece sink;
  std::ostream out(&sink);
  write_csv(out, model, results);
  INFO("largest piece " << sink.largest << " of " << sink.total << " bytes");
  CHECK(sink.total > 8'000'000);    // 300,000 lines
  CHECK(sink.largest < 2'000'000);  // about 1 MB at a time
}

TEST_CASE("the SIP library is streamed to its file in pieces and never built whole in memory",
          "[hardening][outputs]") {
  const Model model = load_study(kSource + "/configs/seed-case-uncertain.toml");
  const TrialResults results = many_recorded_years(model);
  LargestPiece sink;
  std::ostream out(&sink);
  write_sip_library(out, model, results, RunInfo{}, "0");
  INFO("largest piece " << sink.largest << " of " << sink.total << " bytes");
  const std::size_t sips = 3 + model.mistakes.size() + results.recorded_inputs.size();
  CHECK(sink.total > sips * 300'000 * 4);  // at least "1.0," for every value of every SIP
  CHECK(sink.largest < 2'000'000);         // about 1 MB at a time
}

TEST_CASE("the SIP library is nlohmann's compact JSON of itself: names not ASCII and values not finite",
          "[hardening][outputs]") {
  // Streamed in pieces, the text must still be exactly what nlohmann's dump() of the whole library
  // writes: parsed and dumped again it gives the same bytes (its number format, its string escapes).
  const Model model =
      parse_study("[study]\nname = \"Caf\u00e9 \\\"Z\u00fcrich\\\" \\\\ \u4e2d \u00bd\"\n" + kPipeline +
                      "good_fit = { dist = \"beta\", alpha = 2, beta = 3 }\n"
                      "[[mistake]]\nid = \"late\"\nname = \"Sp\u00e4t \\\"\u00e9t\u00e9\\\" \u2013\"\n"
                      "stage = \"discover\"\nprobability = 0.5\nwasted_hours = 2\n",
                  "s.toml", ".");
  RunOptions options;
  options.trials = 70'000;  // more values than one piece holds
  options.threads = 1;
  options.record_inputs = true;
  TrialResults results = run_trials(model, Scenario{}, options);
  REQUIRE(!results.recorded_inputs.empty());
  const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             -0.0,
                             1e300,
                             5e-324,
                             0.1,
                             1e21,
                             123456.0};
  for (std::size_t k = 0; k < std::size(specials); ++k) {
    results.cost_total[k] = specials[k];
    results.mistake_costs[65'536 + k] = specials[k];  // across the first piece's end
    results.input_values[k] = specials[k];
  }
  std::ostringstream out;
  write_sip_library(out, model, results, RunInfo{}, "0");
  const std::string text = out.str();
  const auto library = nlohmann::ordered_json::parse(text);
  CHECK(library.dump() + "\n" == text);
  CHECK(library["metadata"]["study"] == "Caf\u00e9 \"Z\u00fcrich\" \\ \u4e2d \u00bd");
  const auto& sips = library["sips"];
  REQUIRE(sips.size() == 3 + 1 + results.recorded_inputs.size());
  CHECK(sips[3]["metadata"]["description"] == "Yearly cost of: Sp\u00e4t \"\u00e9t\u00e9\" \u2013");
  for (const auto& sip : sips) CHECK(sip["arguments"]["value"].size() == 70'000);
  const auto& total = sips[0]["arguments"]["value"];
  CHECK(total[0].is_null());
  CHECK(total[1].is_null());
  CHECK(total[2].is_null());
  CHECK(std::signbit(total[3].get<double>()));
  CHECK(total[4].get<double>() == 1e300);
  CHECK(total[5].get<double>() == 5e-324);
  CHECK(total[9].get<double>() == results.cost_total[9]);
  CHECK(text.find("[null,null,null,-0.0,1e+300,5e-324,0.1,1e+21,123456.0,") != std::string::npos);
  CHECK(sips[3]["arguments"]["value"][65'536].is_null());
  CHECK(sips[3]["arguments"]["value"][65'539].get<double>() == -0.0);
  for (std::uint64_t t = 0; t < 70'000; t += 997)
    if (std::isfinite(results.mistake_cost(0, t)))
      CHECK(sips[3]["arguments"]["value"][t].get<double>() == results.mistake_cost(0, t));
}

TEST_CASE("a full file system is exit 1 with the path and no space left and leaves nothing",
          "[hardening][outputs]") {
  // A 64 kB tmpfs in a private mount namespace: the temporary's writes fail with ENOSPC (the
  // /dev/full case above is a device written through; this one is a file replaced atomically).
  const auto dir = scratch_dir("hardening-enospc");
  const fs::path study = seed_study(dir);
  fs::create_directory(dir / "small");
  if (shell("unshare --mount true 2>/dev/null") != 0) {
    WARN("cannot make a mount namespace here (not root?): the tmpfs case is not run");
    return;
  }
  // The CSV and the SIP library, the two outputs streamed in pieces, each on its own small disk.
  for (const auto& [option, name] : {std::pair{"--csv", "r.csv"}, std::pair{"--sip", "r.sip.json"}}) {
    const std::string script = "unshare --mount sh -c \"mount -t tmpfs -o size=64k tmpfs " +
                               quoted(dir / "small") + " && '" + MISTAKESIM_BINARY + "' run " +
                               quoted(study) + " -q -n 20000 --json " + quoted(dir / "small" / "r.json") +
                               " " + option + " " + quoted(dir / "small" / name) + " 2> " +
                               quoted(dir / "err") + "; echo \\$? > " + quoted(dir / "status") + "; ls -a " +
                               quoted(dir / "small") + " > " + quoted(dir / "left") + "\"";
    REQUIRE(shell(script) == 0);
    CHECK(read_text(dir / "status") == "1\n");
    const std::string err = read_text(dir / "err");
    INFO(err);
    CHECK(err.find("cannot write " + (dir / "small" / name).string() + ": no space left on device") !=
          std::string::npos);
    CHECK(err.find("internal error") == std::string::npos);
    CHECK(read_text(dir / "left") == ".\n..\n");  // no r.json, no output, no temporary
  }
}

TEST_CASE("SIGTERM while the outputs are being written removes the temporaries", "[hardening][outputs]") {
  // Waits until the CSV's temporary has content (the write phase has begun), then interrupts.
  const auto dir = scratch_dir("hardening-signal-write");
  const fs::path study = seed_study(dir);
  const std::string cmd =
      "'" + std::string(MISTAKESIM_BINARY) + "' run " + quoted(study) + " -q -t 1 -n 3000000 --csv " +
      quoted(dir / "out.csv") + " > /dev/null 2>&1 & pid=$!; " + "for i in $(seq 600); do find " +
      quoted(dir) +
      " -name '.out.csv.tmp-*' -size +0 | grep -q . && break; sleep 0.05; done; kill -TERM "
      "$pid; wait $pid; exit $?";
  CHECK(shell(cmd) == 143);
  CHECK_FALSE(has_temporaries(dir));
  CHECK_FALSE(fs::exists(dir / "out.csv"));
}

TEST_CASE("a base study or data file that never ends is refused without reading it", "[hardening][inputs]") {
  const auto dir = scratch_dir("hardening-endless");
  REQUIRE(::mkfifo((dir / "fifo.toml").c_str(), 0600) == 0);
  REQUIRE(::mkfifo((dir / "fifo.csv").c_str(), 0600) == 0);
  const std::string data = "deal_size = { dist = \"empirical\", file = \"fifo.csv\", column = \"x\" }\n";
  const std::pair<std::string, std::string> cases[] = {
      {"urandom.toml", "extends = \"/dev/urandom\"\n"},
      {"extends-fifo.toml", "extends = \"fifo.toml\"\n"},
      {"data-fifo.toml", "[pipeline]\nopportunities = 10\nclose_rate = 0.3\n" + data},
  };
  for (const auto& [name, text] : cases) {
    write(dir / name, text);
    // A reader that opened the FIFO would wait for a writer forever (ctest's timeout would end it).
    const CliResult r = run_cli("validate " + quoted(dir / name));
    INFO(name << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("is not a regular file") != std::string::npos);
  }
  const CliResult itself = run_cli("validate /dev/zero");
  CHECK(itself.status == 2);
  CHECK(itself.err.find("is not a regular file") != std::string::npos);
}
