#pragma once
// The three error tiers: bad input -> InputError (exit 2, located message);
// broken invariant -> SIM_CHECK (always on, prints operands); numerical trouble -> counted in results.

#include <sstream>
#include <stdexcept>
#include <string>

namespace mistakesim {

//! Where a value came from in a study file. line/column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

//! Bad input: a study file, a command-line value or a data file. The message reads
//! "FILE:LINE:COLUMN: parameter.path: what was expected, got what was found".
class InputError : public std::runtime_error {
 public:
  InputError(const SourceLocation& where, const std::string& path, const std::string& problem)
      : std::runtime_error(format(where, path, problem)), where_(where), path_(path), problem_(problem) {}
  const SourceLocation& where() const { return where_; }
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  static std::string format(const SourceLocation& w, const std::string& path, const std::string& problem) {
    std::ostringstream out;
    if (!w.file.empty()) {
      out << w.file;
      if (w.line > 0) out << ':' << w.line << ':' << w.column;
      out << ": ";
    }
    if (!path.empty()) out << path << ": ";
    out << problem;
    return out.str();
  }
  SourceLocation where_;
  std::string path_;
  std::string problem_;
};

//! A broken invariant: a bug, never bad input.
class InvariantError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace mistakesim

//! Always-on invariant check that prints its operands.
#define SIM_CHECK(cond, ...)                                                                         \
  do {                                                                                               \
    if (!(cond)) {                                                                                   \
      std::ostringstream sim_check_msg_;                                                             \
      sim_check_msg_ << __FILE__ << ':' << __LINE__ << ": invariant failed: " #cond " " __VA_ARGS__; \
      throw ::mistakesim::InvariantError(sim_check_msg_.str());                                      \
    }                                                                                                \
  } while (0)
