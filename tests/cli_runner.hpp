#pragma once
// Runs the mistakesim executable for end-to-end tests and captures its exit status and output.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace mistakesim::testing {

struct CliResult {
  int status = -1;
  std::string out;  //!< stdout
  std::string err;  //!< stderr
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

//! A fresh, empty scratch folder under the build tree.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::path(MISTAKESIM_BUILD_DIR) / "test-scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

//! Runs `mistakesim ARGS` from the source folder (so configs/... paths work).
inline CliResult run_cli(const std::string& args, const std::string& stdin_text = "") {
  static int counter = 0;
  const auto dir = scratch_dir("cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::string cmd = std::string("cd '") + MISTAKESIM_SOURCE_DIR + "' && '" + MISTAKESIM_BINARY + "' " + args;
  if (!stdin_text.empty()) {
    std::ofstream(dir / "stdin") << stdin_text;
    cmd += " < '" + (dir / "stdin").string() + "'";
  } else {
    cmd += " < /dev/null";
  }
  cmd += " > '" + (dir / "stdout").string() + "' 2> '" + (dir / "stderr").string() + "'";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_text(dir / "stdout");
  r.err = read_text(dir / "stderr");
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace mistakesim::testing
