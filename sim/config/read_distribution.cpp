// Reading a distribution as a study file spells it (a bare number, or a table with `dist` and one
// of its parametrisations): which keys a table may hold and how many ways it is given are checked
// here, at the key that holds them; the numbers are solved into the canonical form of
// distribution.hpp by from_parameters (dist_parameters.hpp), the same function that solves an
// uncertain parameter's year, and its refusals are located here at the key they name. The support
// check against a parameter's valid range is check_support().

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <mistakesim/dist_parameters.hpp>
#include <mistakesim/study.hpp>
#include <memory>
#include <optional>

#include "config/toml_read.hpp"

namespace mistakesim::detail {
namespace {

const std::vector<std::string>& dist_names() {
  static const std::vector<std::string> names = {"constant", "uniform",     "triangular", "pert",
                                                 "normal",   "lognormal",   "beta",       "gamma",
                                                 "poisson",  "negbinomial", "discrete",   "empirical"};
  return names;
}

//! A `{ dist = ... }` table being read: typed, located access to its keys.
class DistTable {
 public:
  DistTable(const FileContext& ctx, const toml::table& table, const std::string& path, std::string dist,
            const KeyValues* values = nullptr)
      : ctx_(ctx), table_(table), path_(path), dist_(std::move(dist)), values_(values) {}

  //! What validate says of the value (counts read from a file), set while solving.
  mutable std::string note;
  //! The family and numbers from_parameters was given, set by solve().
  mutable DistKind family = DistKind::constant;
  mutable std::vector<DistParameter> numbers;

  const std::string& dist() const { return dist_; }
  const std::string& path() const { return path_; }
  const FileContext& ctx() const { return ctx_; }
  const toml::table& table() const { return table_; }
  bool has(const std::string& key) const { return table_.contains(key); }

  //! Where `key`'s value is written, or the table if the key is absent.
  SourceLocation at(const std::string& key = {}) const {
    if (!key.empty())
      if (const toml::node* node = table_.get(key)) return location(ctx_, *node);
    return location(ctx_, table_);
  }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw InputError(at(key), path_, problem);
  }

  //! The distribution of family `kind` that the numbers of `keys` it holds give (from_parameters,
  //! the same solver as a year's uncertain parameters), each refusal located at the key it names.
  Distribution solve(DistKind kind, const std::vector<std::string>& keys) const {
    family = kind;
    numbers.clear();
    for (const std::string& key : keys)
      if (const std::optional<double> x = get(key)) numbers.push_back({key, *x});
    try {
      return from_parameters(kind, numbers);
    } catch (const DistParameterError& e) {
      fail(e.key, e.what());
    }
  }
  //! `d` (discrete, empirical) if not too extreme to simulate (check_simulable), located at the table.
  Distribution simulable(Distribution d, DistKind kind) const {
    try {
      check_simulable(d, kind);
    } catch (const DistParameterError& e) {
      fail(e.key, e.what());
    }
    return d;
  }

  std::optional<double> get(const std::string& key) const {
    if (values_ != nullptr)
      for (const auto& [k, x] : *values_)
        if (k == key) return x;
    const toml::node* node = table_.get(key);
    if (!node) return std::nullopt;
    if (node->is_table())
      fail(key, fmt::format("{} of a {} is a number here: a parameter may be a distribution (drawn once a "
                            "year) only in an amount drawn per deal or per occurrence, such as "
                            "pipeline.deal_size or mistake.<id>.wasted_hours",
                            key, dist_));
    if (!node->is_number())
      fail(key, fmt::format("{} of a {} is a number, got {}", key, dist_, describe_node(*node)));
    const double x = *node->value<double>();
    if (!std::isfinite(x))
      fail(key, fmt::format("{} of a {} is a finite number, got {}", key, dist_, number_text(x)));
    return x;
  }
  //! Refuses unknown keys. `extra` accepts keys by rule (quantile keys of a lognormal).
  void check_keys(std::vector<std::string> allowed, const std::function<bool(const std::string&)>& extra = {},
                  const std::string& extra_text = {}) const {
    allowed.insert(allowed.begin(), "dist");
    for (auto&& [key, node] : table_) {
      const std::string name(key.str());
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      if (extra && extra(name)) continue;
      std::string problem = fmt::format("unknown key \"{}\" for a {} distribution", name, dist_);
      if (const std::string guess = nearest(name, allowed); !guess.empty())
        problem += fmt::format(" (did you mean \"{}\"?)", guess);
      problem += fmt::format("; allowed keys: {}{}", join(allowed), extra_text);
      throw InputError(location(ctx_, key.source()), path_, problem);
    }
  }

  //! Picks the one parametrisation (a group of keys) the table uses. Refuses none, several, or a
  //! group with a key missing.
  std::size_t choose(const std::vector<std::vector<std::string>>& groups) const {
    std::vector<std::size_t> used;
    std::vector<std::string> first_keys;
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (const auto& key : groups[g])
        if (has(key)) {
          used.push_back(g);
          first_keys.push_back(key);
          break;
        }
    std::vector<std::string> options;
    for (const auto& group : groups) options.push_back(join(group, " and "));
    const std::string ways = join(options, ", or ");
    if (used.empty()) fail({}, fmt::format("a {} needs {}", dist_, ways));
    if (used.size() > 1)
      fail(first_keys[1], fmt::format("give a {} one way ({}), got both {} and {}", dist_, ways,
                                      first_keys[0], first_keys[1]));
    for (const auto& key : groups[used[0]])
      if (!has(key)) fail({}, fmt::format("a {} given by {} also needs {}", dist_, first_keys[0], key));
    return used[0];
  }

  std::vector<double> number_array(const std::string& key) const {
    const toml::node* node = table_.get(key);
    const toml::array* array = node ? node->as_array() : nullptr;
    if (!array)
      fail(key, fmt::format("{} of a {} is an array of numbers such as [1, 2, 3], got {}", key, dist_,
                            node ? describe_node(*node) : "nothing"));
    if (array->empty()) fail(key, fmt::format("{} of a {} needs at least one number, got []", key, dist_));
    std::vector<double> out;
    for (const toml::node& element : *array) {
      if (!element.is_number() || !std::isfinite(*element.value<double>()))
        throw InputError(location(ctx_, element), path_,
                         fmt::format("{} of a {} holds numbers, got {}", key, dist_, describe_node(element)));
      out.push_back(*element.value<double>());
    }
    return out;
  }

 private:
  const FileContext& ctx_;
  const toml::table& table_;
  std::string path_;
  std::string dist_;
  const KeyValues* values_;  //!< numbers that replace keys of the table (uncertain parameters, sweeps)
};

Distribution read_lognormal(const DistTable& t) {
  t.check_keys(
      {"mu", "sigma", "mean", "sd", "median"},
      [](const std::string& k) { return k != "median" && quantile_level(k).has_value(); }, ", p01 ... p99");
  std::vector<std::string> keys = {"mu", "sigma", "mean", "sd"};
  for (auto&& [key, node] : t.table())  // the quantiles in the order written
    if (quantile_level(std::string(key.str()))) keys.emplace_back(key.str());
  return t.solve(DistKind::lognormal, keys);
}

std::pair<double, double> read_crm_counts(const DistTable& t);

Distribution read_beta(const DistTable& t) {
  t.check_keys({"alpha", "beta", "mean", "sd", "wins", "losses", "file", "outcome", "won", "lost", "where"});
  switch (
      t.choose({{"alpha", "beta"}, {"mean", "sd"}, {"wins", "losses"}, {"file", "outcome", "won", "lost"}})) {
    case 0:
      return t.solve(DistKind::beta, {"alpha", "beta"});
    case 1:
      return t.solve(DistKind::beta, {"mean", "sd"});
    case 2:
      if (t.has("where")) t.fail("where", "where goes with file: it picks the rows of a CRM export to count");
      return t.solve(DistKind::beta, {"wins", "losses"});
    default: {
      const auto [wins, losses] = read_crm_counts(t);
      return Distribution::beta(wins + 1, losses + 1);  // as wins = ..., losses = ...
    }
  }
}

Distribution read_gamma(const DistTable& t) {
  t.check_keys({"shape", "scale", "mean", "sd"});
  if (t.choose({{"shape", "scale"}, {"mean", "sd"}}) == 0)
    return t.solve(DistKind::gamma, {"shape", "scale"});
  return t.solve(DistKind::gamma, {"mean", "sd"});
}

//! One CSV field with where it starts (1-based line and column).
struct CsvField {
  std::string text;
  int line = 1;
  int column = 1;
};

//! At most `limit` bytes of `text`, cut at a character boundary, with "..." when cut: messages show
//! a cell or a header, never a whole line of someone else's file.
std::string shorten(const std::string& text, std::size_t limit = 40) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

//! RFC 4180 records: fields separated by commas, records by CRLF, LF or a lone CR (old spreadsheet
//! exports); a quoted field may hold commas, doubled quotes and line breaks. Strict: a quote left
//! open, or text after a closing quote, is refused at its line and column. Spaces around an
//! unquoted field are dropped. Blank lines are skipped.
std::vector<std::vector<CsvField>> parse_csv(const std::string& text, const std::string& shown,
                                             const std::string& path) {
  std::vector<std::vector<CsvField>> records;
  std::vector<CsvField> record;
  std::size_t i = 0;
  int line = 1, column = 1;
  const auto advance = [&] {  // past text[i], keeping line and column
    const char c = text[i++];
    if (c == '\n' || (c == '\r' && (i >= text.size() || text[i] != '\n'))) {
      ++line;
      column = 1;
    } else if (c != '\r') {
      ++column;
    }
  };
  const auto at_record_end = [&] { return i >= text.size() || text[i] == '\n' || text[i] == '\r'; };
  while (i < text.size() || !record.empty()) {
    CsvField field{{}, line, column};
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) advance();
    if (i < text.size() && text[i] == '"') {
      const int open_line = line, open_column = column;
      advance();
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          advance();
          if (i < text.size() && text[i] == '"') {
            field.text += '"';
            advance();
            continue;
          }
          closed = true;
          break;
        }
        field.text += text[i];
        advance();
      }
      if (!closed)
        throw InputError(SourceLocation{shown, open_line, open_column}, path,
                         "this quoted field is never closed: a \" is missing");
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) advance();
      if (i < text.size() && text[i] != ',' && !at_record_end())
        throw InputError(SourceLocation{shown, line, column}, path,
                         "expected a comma or the end of the line after a quoted field's closing \"");
    } else {
      while (i < text.size() && text[i] != ',' && !at_record_end()) {
        field.text += text[i];
        advance();
      }
      while (!field.text.empty() && (field.text.back() == ' ' || field.text.back() == '\t'))
        field.text.pop_back();
    }
    record.push_back(std::move(field));
    if (i < text.size() && text[i] == ',') {
      advance();
      continue;
    }
    // The end of a record: skip the line break, keep the record unless the line was blank.
    if (i < text.size()) advance();
    if (i < text.size() && text[i - 1] == '\r' && text[i] == '\n') advance();
    if (!(record.size() == 1 && record[0].text.empty())) records.push_back(std::move(record));
    record.clear();
  }
  return records;
}

//! A CSV file a distribution reads (`file`, relative to the study's folder, confined as
//! FileAccess says): its records, the first the header.
struct CsvFile {
  std::string shown;  //!< its name in messages
  std::vector<std::vector<CsvField>> records;
};

CsvFile load_csv(const DistTable& t) {
  const FileContext& ctx = t.ctx();
  const std::string file = read_string(ctx, *t.table().get("file"), t.path(), "a CSV file name (a string)");
  const std::filesystem::path full = ctx.base_dir.empty() ? std::filesystem::path(file) : ctx.base_dir / file;
  const std::string shown = full.lexically_normal().string();
  const FileAccess here{access_roots({std::filesystem::path(".")}), nullptr};  // `mistakesim dist`
  const FileAccess* access = ctx.access != nullptr ? ctx.access : &here;
  std::string text;
  switch (const FileProblem problem = read_input_file(full, access, kMaxDataBytes, text)) {
    case FileProblem::none:
      break;
    case FileProblem::missing:
      t.fail("file", fmt::format("cannot open the CSV file {}: no such file", shown));
    default:
      t.fail("file", fmt::format("{} {}", shown, describe(problem, access, kMaxDataBytes, "a CSV file")));
  }
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // byte-order mark from spreadsheet exports
  const std::vector<std::vector<CsvField>> records = parse_csv(text, shown, t.path());
  if (records.empty()) t.fail("file", fmt::format("the CSV file {} is empty, expected a header row", shown));
  return {shown, records};
}

//! The index of the column named `column` in the header, or InputError at the study's `key`.
std::size_t column_index(const DistTable& t, const CsvFile& csv, const std::string& column,
                         const std::string& key) {
  const std::string& shown = csv.shown;
  const auto& records = csv.records;
  std::vector<std::string> headers;
  for (const CsvField& f : records[0]) headers.push_back(f.text);
  const auto found = std::find(headers.begin(), headers.end(), column);
  if (found == headers.end()) {
    std::string problem = fmt::format("no column \"{}\" in the header of {}:{}:{}", column, shown,
                                      records[0][0].line, records[0][0].column);
    if (const std::string guess = nearest(column, headers); !guess.empty())
      problem += fmt::format(" (did you mean \"{}\"?)", shorten(guess));
    std::vector<std::string> listed;
    for (std::size_t k = 0; k < headers.size() && k < 20; ++k) listed.push_back(shorten(headers[k]));
    problem += fmt::format("; columns found: {}{}", join(listed), headers.size() > 20 ? ", ..." : "");
    t.fail(key, problem);
  }
  const std::size_t index = static_cast<std::size_t>(found - headers.begin());
  if (const auto again = std::find(found + 1, headers.end(), column); again != headers.end())
    throw InputError(
        SourceLocation{shown, records[0][static_cast<std::size_t>(again - headers.begin())].line,
                       records[0][static_cast<std::size_t>(again - headers.begin())].column},
        t.path(),
        fmt::format("the header names column \"{}\" twice (fields {} and {}); rename one of them", column,
                    index + 1, again - headers.begin() + 1));
  return index;
}

std::vector<double> read_csv_column(const DistTable& t) {
  if (!t.has("column"))
    t.fail(
        {},
        fmt::format(
            "an empirical distribution read from a file needs column, the header of the CSV column to use"));
  const std::string column =
      read_string(t.ctx(), *t.table().get("column"), t.path(), "a column name (a string)");
  const CsvFile csv = load_csv(t);
  const std::string& shown = csv.shown;
  const auto& records = csv.records;
  const std::size_t index = column_index(t, csv, column, "column");
  std::vector<double> values;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& fields = records[r];
    if (index >= fields.size() || fields[index].text.empty()) continue;  // a blank cell: no data
    const std::string& cell = fields[index].text;
    double x = 0;
    const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
    if (error != std::errc{} || end != cell.data() + cell.size() || !std::isfinite(x))
      throw InputError(SourceLocation{shown, fields[index].line, fields[index].column}, t.path(),
                       fmt::format("column \"{}\": expected a number, got \"{}\"", column, shorten(cell)));
    values.push_back(x);
  }
  if (values.empty()) t.fail("column", fmt::format("column \"{}\" in {} has no values", column, shown));
  return values;
}

//! One or more strings: `"Closed Won"` or `["Closed Won", "Won"]`.
std::vector<std::string> string_list(const DistTable& t, const std::string& key) {
  const toml::node& node = *t.table().get(key);
  const std::string path = t.path();
  if (const toml::array* array = node.as_array()) {
    std::vector<std::string> out;
    for (const toml::node& element : *array)
      out.push_back(read_string(t.ctx(), element, path, "an outcome as the CRM writes it (a string)"));
    if (out.empty()) t.fail(key, fmt::format("{} needs at least one outcome, got []", key));
    return out;
  }
  return {
      read_string(t.ctx(), node, path, "an outcome as the CRM writes it (a string), or an array of them")};
}

//! "a, b, c" of the distinct values of a column (at most 12), quoted.
std::string values_found(const std::vector<std::string>& values) {
  std::vector<std::string> shown;
  for (std::size_t k = 0; k < values.size() && k < 12; ++k)
    shown.push_back(fmt::format("\"{}\"", shorten(values[k])));
  return join(shown) + (values.size() > 12 ? ", ..." : "");
}

//! The wins and losses of a CRM export: the rows (those matching every `where` column) whose
//! `outcome` column holds one of `won` or one of `lost`; other outcomes (open deals) are not counted.
std::pair<double, double> read_crm_counts(const DistTable& t) {
  const CsvFile csv = load_csv(t);
  const std::string outcome = read_string(t.ctx(), *t.table().get("outcome"), t.path(),
                                          "the header of the CSV column with each deal's outcome");
  const std::vector<std::string> won = string_list(t, "won"), lost = string_list(t, "lost");
  for (const std::string& w : won)
    if (std::find(lost.begin(), lost.end(), w) != lost.end())
      t.fail("lost", fmt::format("\"{}\" is in both won and lost", w));
  const std::size_t outcome_column = column_index(t, csv, outcome, "outcome");
  struct Filter {
    std::string column, value;
    std::size_t index;
    SourceLocation where;
    bool seen = false;
    std::vector<std::string> values;  //!< distinct values of the column, for the message
  };
  std::vector<Filter> filters;
  if (const toml::node* w = t.table().get("where")) {
    const toml::table* table = w->as_table();
    if (!table || table->empty())
      t.fail("where",
             fmt::format("where is a table of column = \"value\" such as {{ Segment = \"Mid-market\" "
                         "}}, got {}",
                         table ? "an empty table" : describe_node(*w)));
    for (auto&& [key, node] : *table) {
      Filter f;
      f.column = std::string(key.str());
      f.value = read_string(t.ctx(), node, t.path() + ".where." + f.column, "the value to keep (a string)");
      f.where = location(t.ctx(), node);
      f.index = column_index(t, csv, f.column, "where");
      filters.push_back(std::move(f));
    }
  }
  double wins = 0, losses = 0;
  std::vector<std::string> outcomes;  // distinct outcomes of the rows kept
  const auto add_distinct = [](std::vector<std::string>& to, const std::string& v) {
    if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
  };
  for (std::size_t r = 1; r < csv.records.size(); ++r) {
    const auto& fields = csv.records[r];
    const auto cell = [&](std::size_t i) { return i < fields.size() ? fields[i].text : std::string(); };
    bool keep = true;
    for (Filter& f : filters) {
      add_distinct(f.values, cell(f.index));
      const bool match = cell(f.index) == f.value;
      f.seen = f.seen || match;
      keep = keep && match;
    }
    if (!keep) continue;
    const std::string o = cell(outcome_column);
    add_distinct(outcomes, o);
    if (std::find(won.begin(), won.end(), o) != won.end()) wins += 1;
    if (std::find(lost.begin(), lost.end(), o) != lost.end()) losses += 1;
  }
  for (const Filter& f : filters)
    if (!f.seen)
      throw InputError(f.where, t.path() + ".where." + f.column,
                       fmt::format("no row of {} has {} = \"{}\"; values found: {}", csv.shown, f.column,
                                   shorten(f.value), values_found(f.values)));
  std::string kept;
  for (const Filter& f : filters)
    kept += fmt::format("{} {} = \"{}\"", kept.empty() ? " where" : " and", f.column, f.value);
  for (const auto& [key, names] : {std::pair{"won", &won}, std::pair{"lost", &lost}})
    for (const std::string& name : *names)
      if (std::find(outcomes.begin(), outcomes.end(), name) == outcomes.end())
        t.fail(key, fmt::format("no row of {}{} has {} = \"{}\"; outcomes found: {}", csv.shown, kept,
                                outcome, shorten(name), values_found(outcomes)));
  t.note = fmt::format("{} won and {} lost counted in {} ({}{}): Beta({}, {})", number_text(wins),
                       number_text(losses), csv.shown, outcome, kept, number_text(wins + 1),
                       number_text(losses + 1));
  return {wins, losses};
}

Distribution read_table(const DistTable& t) {
  const std::string& d = t.dist();
  if (d == "constant") {
    t.check_keys({"value"});
    return t.solve(DistKind::constant, {"value"});
  }
  if (d == "uniform") {
    t.check_keys({"min", "max"});
    return t.solve(DistKind::uniform, {"min", "max"});
  }
  if (d == "triangular") {
    t.check_keys({"min", "mode", "max"});
    return t.solve(DistKind::triangular, {"min", "mode", "max"});
  }
  if (d == "pert") {
    t.check_keys({"min", "mode", "max", "lambda"});
    return t.solve(DistKind::pert, {"min", "mode", "max", "lambda"});
  }
  if (d == "normal") {
    t.check_keys({"mean", "sd", "min", "max"});
    return t.solve(DistKind::normal, {"mean", "sd", "min", "max"});
  }
  if (d == "lognormal") return read_lognormal(t);
  if (d == "beta") return read_beta(t);
  if (d == "gamma") return read_gamma(t);
  if (d == "poisson") {
    t.check_keys({"mean"});
    return t.solve(DistKind::poisson, {"mean"});
  }
  if (d == "negbinomial") {
    t.check_keys({"mean", "dispersion"});
    return t.solve(DistKind::negbinomial, {"mean", "dispersion"});
  }
  if (d == "discrete") {
    t.check_keys({"values", "weights"});
    if (!t.has("values"))
      t.fail({},
             "a discrete needs values, e.g. { dist = \"discrete\", values = [1, 2, 3], weights = [0.5, 0.3, "
             "0.2] }");
    std::vector<double> values = t.number_array("values");
    std::vector<double> weights(values.size(), 1.0);
    if (t.has("weights")) {
      weights = t.number_array("weights");
      if (weights.size() != values.size())
        t.fail("weights", fmt::format("a discrete needs one weight per value: {} values, got {} weights",
                                      values.size(), weights.size()));
      double total = 0;
      for (double w : weights) {
        if (w < 0) t.fail("weights", fmt::format("weights of a discrete are >= 0, got {}", number_text(w)));
        total += w;
      }
      if (!(total > 0)) t.fail("weights", "weights of a discrete need a positive total, got all zero");
    }
    return t.simulable(Distribution::discrete(std::move(values), weights), DistKind::discrete);
  }
  // empirical
  t.check_keys({"values", "file", "column"});
  if (t.has("values") == t.has("file"))
    t.fail(t.has("file") ? "file" : std::string{},
           "an empirical takes its data one way: values = [...], or file = \"deals.csv\" and column = "
           "\"amount\"");
  if (t.has("values")) {
    if (t.has("column"))
      t.fail("column", "column goes with file; an empirical given by values takes no column");
    return t.simulable(Distribution::empirical(t.number_array("values")), DistKind::empirical);
  }
  return t.simulable(Distribution::empirical(read_csv_column(t)), DistKind::empirical);
}

}  // namespace

namespace {

//! What solving a table gave besides the distribution.
struct Solved {
  std::string note;  //!< what validate says of the value (counts read from a CRM export)
  DistKind family = DistKind::constant;
  std::vector<DistParameter> numbers;  //!< given to from_parameters (empty: not solved by it)
};

//! read_distribution with some numbers of the table replaced (`values`, may be null); `solved`,
//! when not null, receives what validate says of the value and the numbers it was solved from.
Distribution solve_node(const FileContext& ctx, const toml::node& node, const std::string& path,
                        const KeyValues* values, Solved* solved) {
  if (node.is_number()) {
    const double x = *node.value<double>();
    if (!std::isfinite(x))
      throw InputError(location(ctx, node), path,
                       fmt::format("expected a finite number, got {}", number_text(x)));
    if (std::abs(x) > kMaxMagnitude)
      throw InputError(
          location(ctx, node), path,
          fmt::format("expected a number of at most {} in size, got {}; sums of a year's values "
                      "could overflow: write the amounts in larger units (thousands of dollars?)",
                      number_text(kMaxMagnitude), number_text(x)));
    return Distribution::constant(x);
  }
  const toml::table* table = node.as_table();
  if (!table)
    throw InputError(
        location(ctx, node), path,
        fmt::format("expected a number or a distribution such as {{ dist = \"pert\", min = 1, mode = 2, "
                    "max = 5 }}, got {}",
                    describe_node(node)));
  const toml::node* dist = table->get("dist");
  if (!dist)
    throw InputError(
        location(ctx, node), path,
        fmt::format("a distribution table needs dist = \"...\", one of: {}", join(dist_names())));
  const std::string name = read_string(ctx, *dist, path, "the name of a distribution (a string)");
  if (std::find(dist_names().begin(), dist_names().end(), name) == dist_names().end()) {
    std::string problem = fmt::format("unknown distribution \"{}\"", name);
    if (const std::string guess = nearest(name, dist_names()); !guess.empty())
      problem += fmt::format(" (did you mean \"{}\"?)", guess);
    problem += fmt::format("; known distributions: {}", join(dist_names()));
    throw InputError(location(ctx, *dist), path, problem);
  }
  const DistTable t(ctx, *table, path, name, values);
  const Distribution d = read_table(t);
  if (solved != nullptr) *solved = Solved{t.note, t.family, t.numbers};
  return d;
}

//! The keys of a distribution's table whose values are distributions (uncertain parameters).
std::vector<std::string> table_keys(const toml::node& node) {
  std::vector<std::string> keys;
  if (const toml::table* t = node.as_table())
    for (auto&& [key, value] : *t)
      if (value.is_table() && key.str() != "where") keys.emplace_back(key.str());
  return keys;
}

//! Largest number of uncertain parameters in one distribution (every combination of their
//! extremes is checked: 2^k solves).
constexpr std::size_t kMaxUncertainKeys = 4;

}  // namespace

Distribution read_distribution(const FileContext& ctx, const toml::node& node, const std::string& path) {
  return solve_node(ctx, node, path, nullptr, nullptr);
}

Distribution solve_with(const ParamSource& source, const KeyValues& values) {
  return solve_node(source.ctx, *source.node, source.path, &values, nullptr);
}

void check_support(const Distribution& d, const ValidRange& range, const SourceLocation& where,
                   const std::string& path) {
  const double low = d.support_min();  // a value with no weight cannot be drawn: not held against it
  const double high = d.support_max();
  if (low >= range.lower && high <= range.upper) return;
  const std::string name = dist_name(d.kind);
  std::string got;
  if (d.kind == DistKind::constant) {
    got = number_text(d.p[0]);
  } else if (d.kind == DistKind::normal) {
    std::string fix = "truncate it with ";
    if (range.lower > -kInfinity) fix += "min = " + number_text(range.lower);
    if (range.lower > -kInfinity && range.upper < kInfinity) fix += " and ";
    if (range.upper < kInfinity) fix += "max = " + number_text(range.upper);
    got = fmt::format("a normal that can go {} {}; {}", low < range.lower ? "below" : "above",
                      number_text(low < range.lower ? range.lower : range.upper), fix);
  } else if (high == kInfinity && range.upper < kInfinity) {
    got = fmt::format("a {}, which has no upper bound; use a beta or a pert for a value in [{}, {}]", name,
                      number_text(range.lower), number_text(range.upper));
  } else if (low < range.lower) {
    got = fmt::format("a {} that goes down to {}", name, number_text(low));
  } else {
    got = fmt::format("a {} that goes up to {}", name, number_text(high));
  }
  throw InputError(where, path, fmt::format("{}, got {}", range.what, got));
}

ParamSpec read_param(const FileContext& ctx, const toml::node& node, const std::string& path,
                     const ValidRange& range, bool per_draw) {
  ParamSpec spec{{}, location(ctx, node), range, path, {}, nullptr, {}};
  FileContext kept = ctx;
  kept.access = nullptr;
  spec.source = std::make_shared<const ParamSource>(ParamSource{kept, &node, path, range});
  const std::vector<std::string> keys = per_draw ? table_keys(node) : std::vector<std::string>{};
  if (keys.empty()) {  // a number or a distribution of numbers
    Solved solved;
    spec.dist = solve_node(ctx, node, path, nullptr, &solved);
    spec.note = solved.note;
    check_support(spec.dist, range, spec.where, path);
    return spec;
  }
  // Uncertain parameters: each one's own distribution, bounded, and every combination of their
  // extremes must give a valid distribution within the amount's range (the checks of one
  // distribution are monotone in each parameter: order, sign, support).
  const toml::table& table = *node.as_table();
  for (const std::string& key : keys) {
    const toml::node& value = *table.get(key);
    UncertainKey u{key, path + "." + key, read_distribution(ctx, value, path + "." + key),
                   location(ctx, value)};
    if (!std::isfinite(u.dist.support_min()) || !std::isfinite(u.dist.support_max()))
      throw InputError(u.where, u.path,
                       fmt::format("an uncertain parameter needs bounds, so that every value it can take "
                                   "is checked: a {} can reach {}; use a pert, triangular or uniform, or "
                                   "truncate the normal with min and max",
                                   dist_name(u.dist.kind),
                                   number_text(std::isfinite(u.dist.support_min()) ? u.dist.support_max()
                                                                                   : u.dist.support_min())));
    spec.uncertain.push_back(std::move(u));
  }
  if (spec.uncertain.size() > kMaxUncertainKeys)
    throw InputError(
        spec.uncertain.back().where, spec.uncertain.back().path,
        fmt::format("at most {} parameters of one distribution can be uncertain", kMaxUncertainKeys));
  for (std::size_t corner = 0; corner < (std::size_t{1} << spec.uncertain.size()); ++corner) {
    KeyValues values;
    std::string at;
    for (std::size_t k = 0; k < spec.uncertain.size(); ++k) {
      const UncertainKey& u = spec.uncertain[k];
      const bool high = (corner >> k) & 1;
      values.emplace_back(u.key, high ? u.dist.support_max() : u.dist.support_min());
      at += fmt::format("{}{} = {} (the {} it can be)", at.empty() ? "" : " and ", u.key,
                        number_text(values.back().second), high ? "highest" : "lowest");
    }
    try {
      check_support(solve_node(ctx, node, path, &values, nullptr), range, spec.where, path);
    } catch (const InputError& e) {
      const UncertainKey& u = spec.uncertain.front();
      throw InputError(spec.uncertain.size() == 1 ? u.where : spec.where,
                       spec.uncertain.size() == 1 ? u.path : path,
                       fmt::format("a year can draw {}, and then: {}; narrow the uncertain parameter's range",
                                   at, e.problem()));
    }
  }
  KeyValues means;
  for (const UncertainKey& u : spec.uncertain) means.emplace_back(u.key, u.dist.mean());
  Solved solved;
  spec.dist = solve_node(ctx, node, path, &means, &solved);
  spec.family = solved.family;  // what each trial solves again, with its own values (compile_study)
  spec.numbers = std::move(solved.numbers);
  return spec;
}

}  // namespace mistakesim::detail

namespace mistakesim {

Distribution parse_distribution(std::string_view inline_table_text, const std::string& label) {
  using namespace detail;
  const std::string prefix = "x = ";
  const std::string text = prefix + std::string(inline_table_text);
  FileContext ctx{label, std::filesystem::path{}, static_cast<int>(prefix.size()), nullptr, nullptr};
  toml::table root;
  try {
    root = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    throw InputError(
        location(ctx, e.source()), "",
        fmt::format("expected a number or an inline table such as {{ dist = \"pert\", min = 1, mode = 2, "
                    "max = 5 }}: {}",
                    e.description()));
  }
  const toml::node* node = root.get("x");
  if (!node || root.size() != 1)
    throw InputError(SourceLocation{label}, "", "expected one number or one inline table { dist = ... }");
  return read_distribution(ctx, *node, "");
}

}  // namespace mistakesim
