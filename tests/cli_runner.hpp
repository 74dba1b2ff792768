#pragma once
// Runs the mistakesim executable for end-to-end tests and captures its exit status and output.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <chrono>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

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
//! A process started by an earlier test (a browser's helper processes) may still be writing into
//! the folder for a moment, so removal is retried before giving up.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::path(MISTAKESIM_BUILD_DIR) / "test-scratch" / name;
  std::error_code ec;
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::filesystem::remove_all(dir, ec);
    if (!ec && !std::filesystem::exists(dir)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
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
