// Helpers for located, actionable error messages: positions, node descriptions, key checks and
// typo suggestions.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/toml_read.hpp"

namespace mistakesim::detail {

SourceLocation location(const FileContext& ctx, const toml::source_region& region) {
  SourceLocation where{ctx.label, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
  if (where.line == 1) where.column = std::max(1, where.column - ctx.line1_column_shift);
  return where;
}

std::string describe_node(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return fmt::format("a string \"{}\"", node.as_string()->get());
    case toml::node_type::integer:
      return fmt::format("the whole number {}", node.as_integer()->get());
    case toml::node_type::floating_point:
      return "the number " + number_text(node.as_floating_point()->get());
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string join(const std::vector<std::string>& words, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += separator;
    out += words[i];
  }
  return out;
}

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // a likely typo: a few edits, fewer than half the word
  const std::size_t limit = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 2));
  return (!best.empty() && best_distance <= limit) ? best : std::string{};
}

void check_keys(const FileContext& ctx, const toml::table& table, const std::vector<std::string>& allowed,
                const std::string& path_prefix, const std::string& what) {
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string problem = fmt::format("unknown key \"{}\" in {}", name, what);
    if (const std::string guess = nearest(name, allowed); !guess.empty())
      problem += fmt::format(" (did you mean \"{}\"?)", guess);
    problem += fmt::format("; allowed keys: {}", join(allowed));
    throw InputError(location(ctx, key.source()), path_prefix.empty() ? name : path_prefix + "." + name,
                     problem);
  }
}

double read_number(const FileContext& ctx, const toml::node& node, const std::string& path,
                   const char* expected) {
  if (!node.is_number())
    throw InputError(location(ctx, node), path,
                     fmt::format("expected {}, got {}", expected, describe_node(node)));
  const double x = *node.value<double>();
  if (!std::isfinite(x))
    throw InputError(location(ctx, node), path, fmt::format("expected {}, got {}", expected, number_text(x)));
  return x;
}

std::string read_string(const FileContext& ctx, const toml::node& node, const std::string& path,
                        const char* expected) {
  if (!node.is_string())
    throw InputError(location(ctx, node), path,
                     fmt::format("expected {}, got {}", expected, describe_node(node)));
  const std::string& text = node.as_string()->get();
  // Names and ids reach terminals and reports: a NUL, a bell or an escape sequence (ESC[2J clears
  // the screen) would act there instead of showing. Tabs and line breaks are refused too.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F)
      throw InputError(location(ctx, node), path,
                       fmt::format("expected {} without control characters, got U+{:04X} at character {} "
                                   "(a tab, a line break or a terminal escape?)",
                                   expected, static_cast<unsigned>(c), i + 1));
  }
  return text;
}

}  // namespace mistakesim::detail
