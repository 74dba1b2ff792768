#pragma once
// Reading values out of toml++ nodes with located, actionable errors. Internal to sim/config: the
// only place besides the .cpp files of this folder that sees TOML.

#include <toml++/toml.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/study_spec.hpp"

namespace mistakesim::detail {

//! The file a node comes from.
struct FileContext {
  std::string label;                   //!< file name as shown in messages
  std::filesystem::path base_dir;      //!< folder relative paths (extends, CSV files) start from
  int line1_column_shift = 0;          //!< columns to subtract on line 1 (text we prefixed ourselves)
  const FileAccess* access = nullptr;  //!< where data files may come from; null: the current folder
  //! The parsed file the nodes belong to: a ParamSource keeps it (and so its nodes) alive.
  std::shared_ptr<const toml::table> document;
};

//! A parameter's value as the study file writes it, kept to solve the distribution again with some
//! of its numbers replaced: a sweep's point (`pipeline.deal_size.median = 50000`). (A trial's draws
//! of its uncertain parameters are solved from the model's numbers, TrialDistribution.)
struct ParamSource {
  FileContext ctx;                   //!< access is null: a re-solve never reads a data file
  const toml::node* node = nullptr;  //!< the value as written, inside ctx.document
  std::string path;
  ValidRange range;
};

//! Numbers that replace keys of a distribution's table: (key, value).
using KeyValues = std::vector<std::pair<std::string, double>>;

//! The distribution `source` writes, with the numbers `values` in place of those keys (an
//! uncertain parameter's table, or a plain number). Throws InputError as reading would.
Distribution solve_with(const ParamSource& source, const KeyValues& values);

//! Where a node (or a key) is written.
SourceLocation location(const FileContext& ctx, const toml::source_region& region);
inline SourceLocation location(const FileContext& ctx, const toml::node& node) {
  return location(ctx, node.source());
}

//! "a string \"abc\"", "a table", "an array", "a boolean (true)"...
std::string describe_node(const toml::node& node);

//! Refuses keys of `table` not in `allowed`, suggesting the nearest and listing the allowed ones.
//! `what` names the table in the message: "[pipeline]", "a pert distribution"...
void check_keys(const FileContext& ctx, const toml::table& table, const std::vector<std::string>& allowed,
                const std::string& path_prefix, const std::string& what);

//! Reads a number or a `{ dist = ... }` table into a canonical distribution (no range check).
Distribution read_distribution(const FileContext& ctx, const toml::node& node, const std::string& path);

//! read_distribution, then refuses a support that leaves `range`. `per_draw`: an amount drawn per
//! opportunity or occurrence, whose distribution's parameters may themselves be distributions
//! (drawn once a year; every value they can take is checked to give a valid distribution).
ParamSpec read_param(const FileContext& ctx, const toml::node& node, const std::string& path,
                     const ValidRange& range, bool per_draw = false);

//! A finite number, or InputError.
double read_number(const FileContext& ctx, const toml::node& node, const std::string& path,
                   const char* expected = "a number");
//! A string, or InputError.
std::string read_string(const FileContext& ctx, const toml::node& node, const std::string& path,
                        const char* expected = "a string");

}  // namespace mistakesim::detail
