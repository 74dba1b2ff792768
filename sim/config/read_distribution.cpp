// Reading a distribution as a study file spells it (a bare number, or a table with `dist` and one
// of its parametrisations) and solving it into the canonical form of distribution.hpp. Every
// contradiction or missing parameter is refused here, at the key that holds it; the support check
// against a parameter's valid range is check_support().

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <mistakesim/study.hpp>
#include <memory>
#include <optional>

#include "config/toml_read.hpp"

namespace mistakesim::detail {
namespace {

//! The largest shape, alpha + beta, poisson mean... the samplers are asked to handle.
constexpr double kMaxShape = 1e9;
//! The largest mean + sd of any input: a year adds up millions of values without overflow.
constexpr double kMaxMagnitude = 1e15;

const std::vector<std::string>& dist_names() {
  static const std::vector<std::string> names = {"constant", "uniform",     "triangular", "pert",
                                                 "normal",   "lognormal",   "beta",       "gamma",
                                                 "poisson",  "negbinomial", "discrete",   "empirical"};
  return names;
}

//! p01..p99 -> 0.01..0.99; "median" -> 0.5; anything else -> nullopt.
std::optional<double> quantile_level(const std::string& key) {
  if (key == "median") return 0.5;
  if (key.size() == 3 && key[0] == 'p' && std::isdigit(static_cast<unsigned char>(key[1])) &&
      std::isdigit(static_cast<unsigned char>(key[2]))) {
    const int percent = (key[1] - '0') * 10 + (key[2] - '0');
    if (percent >= 1 && percent <= 99) return percent / 100.0;
  }
  return std::nullopt;
}

double standard_normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(0.0, 1.0), p);
}

//! A `{ dist = ... }` table being read: typed, located access to its keys.
class DistTable {
 public:
  DistTable(const FileContext& ctx, const toml::table& table, const std::string& path, std::string dist,
            const KeyValues* values = nullptr)
      : ctx_(ctx), table_(table), path_(path), dist_(std::move(dist)), values_(values) {}

  //! What validate says of the value (counts read from a file), set while solving.
  mutable std::string note;

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
  //! A parameter computed from those written (a gamma's shape from its mean and sd): refuses one
  //! that overflows, vanishes, or is too extreme for the samplers (more than kMaxShape).
  void derived(const std::string& key, double value, const char* what) const {
    if (!(std::isfinite(value) && value > 0 && value <= kMaxShape))
      fail(key, fmt::format("these values give a {} with {} = {}, too extreme to simulate (at most {}); "
                            "give a wider sd, or a plain number if the value is certain",
                            dist_, what, number_text(value), number_text(kMaxShape)));
  }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw InputError(at(key), path_, problem);
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
  double need(const std::string& key, const char* example) const {
    if (auto x = get(key)) return *x;
    fail({}, fmt::format("a {} needs {}, e.g. {}", dist_, key, example));
  }
  double positive(const std::string& key, double x) const {
    if (!(x > 0)) fail(key, fmt::format("{} of a {} is > 0, got {}", key, dist_, number_text(x)));
    return x;
  }
  double non_negative(const std::string& key, double x) const {
    if (!(x >= 0)) fail(key, fmt::format("{} of a {} is >= 0, got {}", key, dist_, number_text(x)));
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

// Three-point distributions: min <= mode <= max with min < max; degenerate -> constant.
void check_three_point(const DistTable& t, double min, double mode, double max) {
  if (min > max)
    t.fail("min", fmt::format("min of a {} must not exceed max, got min {} and max {}", t.dist(),
                              number_text(min), number_text(max)));
  if (mode < min || mode > max)
    t.fail("mode", fmt::format("mode of a {} lies between min and max ({} to {}), got {}", t.dist(),
                               number_text(min), number_text(max), number_text(mode)));
}

Distribution read_lognormal(const DistTable& t) {
  auto is_quantile = [](const std::string& key) { return quantile_level(key).has_value(); };
  t.check_keys(
      {"mu", "sigma", "mean", "sd", "median"},
      [](const std::string& k) { return k != "median" && quantile_level(k).has_value(); }, ", p01 ... p99");
  std::vector<std::string> quantile_keys;
  for (auto&& [key, node] : t.table())
    if (is_quantile(std::string(key.str()))) quantile_keys.emplace_back(key.str());
  const bool by_mu = t.has("mu") || t.has("sigma");
  const bool by_mean = t.has("mean") || t.has("sd");
  const bool by_quantiles = !quantile_keys.empty();
  const std::string ways =
      "mu and sigma, or mean and sd, or two quantiles such as median and p90 or p05 and p95";
  if (by_mu + by_mean + by_quantiles == 0) t.fail({}, "a lognormal needs " + ways);
  if (by_mu + by_mean + by_quantiles > 1) {
    std::vector<std::string> given;
    if (by_mu) given.push_back(t.has("mu") ? "mu" : "sigma");
    if (by_mean) given.push_back(t.has("mean") ? "mean" : "sd");
    if (by_quantiles) given.push_back(quantile_keys.front());
    t.fail(given[1],
           fmt::format("give a lognormal one way ({}), got both {} and {}", ways, given[0], given[1]));
  }
  if (by_mu) {
    const std::size_t g = t.choose({{"mu", "sigma"}});
    (void)g;
    const double mu = *t.get("mu");
    const double sigma = t.positive("sigma", *t.get("sigma"));
    return Distribution::lognormal(mu, sigma);
  }
  if (by_mean) {
    t.choose({{"mean", "sd"}});
    const double mean = t.positive("mean", *t.get("mean"));
    const double sd = t.positive("sd", *t.get("sd"));
    // moments of a lognormal: mean = exp(mu + sigma^2/2), sd^2 = mean^2 (exp(sigma^2) - 1)
    const double sigma2 = std::log1p((sd / mean) * (sd / mean));
    t.derived("sd", sigma2, "its sigma^2");
    return Distribution::lognormal(std::log(mean) - sigma2 / 2, std::sqrt(sigma2));
  }
  if (quantile_keys.size() != 2)
    t.fail(
        quantile_keys.size() > 2 ? quantile_keys[2] : std::string{},
        fmt::format("a lognormal given by quantiles needs exactly two of them (median, p01 ... p99), got {}",
                    join(quantile_keys)));
  std::sort(quantile_keys.begin(), quantile_keys.end(), [](const std::string& a, const std::string& b) {
    return *quantile_level(a) < *quantile_level(b);
  });
  const std::string& low_key = quantile_keys[0];
  const std::string& high_key = quantile_keys[1];
  if (*quantile_level(low_key) == *quantile_level(high_key))
    t.fail(high_key,
           fmt::format("{} and {} are the same quantile; give two different ones", low_key, high_key));
  const double low = *t.get(low_key);
  const double high = *t.get(high_key);
  if (!(low > 0))
    t.fail(low_key, fmt::format("a lognormal's quantiles are > 0, got {} = {}", low_key, number_text(low)));
  if (!(high > low))
    t.fail(high_key, fmt::format("{} must be above {}, got {} = {} and {} = {}", high_key, low_key, low_key,
                                 number_text(low), high_key, number_text(high)));
  // ln X = mu + sigma z: two quantiles give two linear equations in mu and sigma
  const double z_low = standard_normal_quantile(*quantile_level(low_key));
  const double z_high = standard_normal_quantile(*quantile_level(high_key));
  const double sigma = (std::log(high) - std::log(low)) / (z_high - z_low);
  const double mu = std::log(low) - sigma * z_low;
  return Distribution::lognormal(mu, sigma);
}

std::pair<double, double> read_crm_counts(const DistTable& t);

Distribution read_beta(const DistTable& t) {
  t.check_keys({"alpha", "beta", "mean", "sd", "wins", "losses", "file", "outcome", "won", "lost", "where"});
  switch (
      t.choose({{"alpha", "beta"}, {"mean", "sd"}, {"wins", "losses"}, {"file", "outcome", "won", "lost"}})) {
    case 0:
      return Distribution::beta(t.positive("alpha", *t.get("alpha")), t.positive("beta", *t.get("beta")));
    case 1: {
      const double mean = *t.get("mean");
      if (!(mean > 0 && mean < 1))
        t.fail("mean",
               fmt::format("the mean of a beta lies strictly between 0 and 1, got {}", number_text(mean)));
      const double sd = t.positive("sd", *t.get("sd"));
      const double max_variance = mean * (1 - mean);
      if (!(sd * sd < max_variance))
        t.fail("sd", fmt::format("a beta with mean {} can have sd at most {}, got {}", number_text(mean),
                                 fmt::format("{:.4g}", std::sqrt(max_variance)), number_text(sd)));
      // method of moments: alpha + beta = mean (1 - mean) / sd^2 - 1
      const double total = max_variance / (sd * sd) - 1;
      t.derived("sd", total, "its alpha + beta");
      return Distribution::beta(mean * total, (1 - mean) * total);
    }
    case 2: {
      if (t.has("where")) t.fail("where", "where goes with file: it picks the rows of a CRM export to count");
      const double wins = t.non_negative("wins", *t.get("wins"));
      const double losses = t.non_negative("losses", *t.get("losses"));
      return Distribution::beta(wins + 1, losses + 1);  // uniform prior updated by the record
    }
    default: {
      const auto [wins, losses] = read_crm_counts(t);
      return Distribution::beta(wins + 1, losses + 1);  // as wins = ..., losses = ...
    }
  }
}

Distribution read_gamma(const DistTable& t) {
  t.check_keys({"shape", "scale", "mean", "sd"});
  if (t.choose({{"shape", "scale"}, {"mean", "sd"}}) == 0)
    return Distribution::gamma(t.positive("shape", *t.get("shape")), t.positive("scale", *t.get("scale")));
  const double mean = t.positive("mean", *t.get("mean"));
  const double sd = t.positive("sd", *t.get("sd"));
  t.derived("sd", mean * mean / (sd * sd), "its shape");
  t.derived("sd", sd * sd / mean, "its scale");
  return Distribution::gamma(mean * mean / (sd * sd), sd * sd / mean);
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
    return Distribution::constant(t.need("value", "{ dist = \"constant\", value = 3 }"));
  }
  if (d == "uniform") {
    t.check_keys({"min", "max"});
    const double min = t.need("min", "{ dist = \"uniform\", min = 1, max = 5 }");
    const double max = t.need("max", "{ dist = \"uniform\", min = 1, max = 5 }");
    if (min > max)
      t.fail("min", fmt::format("min of a uniform must not exceed max, got min {} and max {}",
                                number_text(min), number_text(max)));
    return min == max ? Distribution::constant(min) : Distribution::uniform(min, max);
  }
  if (d == "triangular" || d == "pert") {
    if (d == "pert")
      t.check_keys({"min", "mode", "max", "lambda"});
    else
      t.check_keys({"min", "mode", "max"});
    const char* example = d == "pert" ? "{ dist = \"pert\", min = 1, mode = 2, max = 5 }"
                                      : "{ dist = \"triangular\", min = 1, mode = 2, max = 5 }";
    const double min = t.need("min", example);
    const double mode = t.need("mode", example);
    const double max = t.need("max", example);
    check_three_point(t, min, mode, max);
    if (min == max) return Distribution::constant(min);
    if (d == "triangular") return Distribution::triangular(min, mode, max);
    const double lambda = t.non_negative("lambda", t.get("lambda").value_or(4.0));
    return Distribution::pert(min, mode, max, lambda);
  }
  if (d == "normal") {
    t.check_keys({"mean", "sd", "min", "max"});
    const double mean = t.need("mean", "{ dist = \"normal\", mean = 10, sd = 2 }");
    const double sd = t.non_negative("sd", t.need("sd", "{ dist = \"normal\", mean = 10, sd = 2 }"));
    const double lower = t.get("min").value_or(-kInfinity);
    const double upper = t.get("max").value_or(kInfinity);
    if (!(lower < upper))
      t.fail("min", fmt::format("the truncation of a normal needs min below max, got min {} and max {}",
                                number_text(lower), number_text(upper)));
    if (sd == 0) {
      if (mean < lower || mean > upper)
        t.fail("mean", fmt::format("a normal with sd 0 is the constant {}, outside its truncation [{}, {}]",
                                   number_text(mean), number_text(lower), number_text(upper)));
      return Distribution::constant(mean);
    }
    const boost::math::normal_distribution<double> n(mean, sd);
    const double mass = (upper == kInfinity ? 1.0 : boost::math::cdf(n, upper)) -
                        (lower == -kInfinity ? 0.0 : boost::math::cdf(n, lower));
    if (!(mass > 1e-9))
      t.fail("min", fmt::format("a normal(mean {}, sd {}) has almost no probability in [{}, {}]; move the "
                                "mean or widen the truncation",
                                number_text(mean), number_text(sd), number_text(lower), number_text(upper)));
    return Distribution::normal(mean, sd, lower, upper);
  }
  if (d == "lognormal") return read_lognormal(t);
  if (d == "beta") return read_beta(t);
  if (d == "gamma") return read_gamma(t);
  if (d == "poisson") {
    t.check_keys({"mean"});
    const double mean = t.non_negative("mean", t.need("mean", "{ dist = \"poisson\", mean = 40 }"));
    if (mean > kMaxShape)
      t.fail("mean", fmt::format("the mean of a poisson is at most {} (a count per year), got {}",
                                 number_text(kMaxShape), number_text(mean)));
    return mean == 0 ? Distribution::constant(0) : Distribution::poisson(mean);
  }
  if (d == "negbinomial") {
    t.check_keys({"mean", "dispersion"});
    const char* example = "{ dist = \"negbinomial\", mean = 40, dispersion = 5 }";
    const double mean = t.non_negative("mean", t.need("mean", example));
    const double dispersion = t.positive("dispersion", t.need("dispersion", example));
    if (mean > kMaxShape) t.derived("mean", mean, "its mean");
    t.derived("dispersion", dispersion, "its dispersion");
    return mean == 0 ? Distribution::constant(0) : Distribution::negbinomial(mean, dispersion);
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
    return Distribution::discrete(std::move(values), weights);
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
    return Distribution::empirical(t.number_array("values"));
  }
  return Distribution::empirical(read_csv_column(t));
}

}  // namespace

namespace {

//! read_distribution with some numbers of the table replaced (`values`, may be null); `note`, when
//! not null, receives what validate says of the value.
Distribution solve_node(const FileContext& ctx, const toml::node& node, const std::string& path,
                        const KeyValues* values, std::string* note) {
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
  if (note != nullptr) *note = t.note;
  const double mean = d.mean(), sd = std::sqrt(d.variance());
  if (!(std::isfinite(mean) && std::isfinite(sd)))
    throw InputError(
        location(ctx, node), path,
        fmt::format("these values are too extreme to simulate: the {} would have mean {} and sd {}", name,
                    number_text(mean), number_text(sd)));
  if (std::abs(mean) + sd > kMaxMagnitude)
    throw InputError(location(ctx, node), path,
                     fmt::format("this {} has mean {} and sd {}: beyond {}, sums of a year's values could "
                                 "overflow; write the amounts in larger units (thousands of dollars?)",
                                 name, number_text(mean), number_text(sd), number_text(kMaxMagnitude)));
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
    spec.dist = solve_node(ctx, node, path, nullptr, &spec.note);
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
  spec.dist = solve_node(ctx, node, path, &means, nullptr);
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
