#pragma once
// Reading values out of toml++ nodes with located, actionable errors. Internal to sim/config: the
// only place besides the .cpp files of this folder that sees TOML.

#include <toml++/toml.h>

#include <filesystem>
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
};

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

//! read_distribution, then refuses a support that leaves `range`.
ParamSpec read_param(const FileContext& ctx, const toml::node& node, const std::string& path,
                     const ValidRange& range);

//! A finite number, or InputError.
double read_number(const FileContext& ctx, const toml::node& node, const std::string& path,
                   const char* expected = "a number");
//! A string, or InputError.
std::string read_string(const FileContext& ctx, const toml::node& node, const std::string& path,
                        const char* expected = "a string");

}  // namespace mistakesim::detail
