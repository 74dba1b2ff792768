// Numbers typed on the command line (see number_options.hpp).

#include "cli/number_options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <mistakesim/errors.hpp>
#include <optional>

namespace mistakesim::cli {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

//! One number; "_" digit separators are dropped (as in TOML). nullopt when it is not a finite number.
std::optional<double> parse_number(const std::string& text) {
  std::string digits;
  for (char c : trim(text))
    if (c != '_') digits += c;
  if (digits.empty()) return std::nullopt;
  const char* first = digits.data();
  if (*first == '+') ++first;
  double x = 0.0;
  const auto [end, ec] = std::from_chars(first, digits.data() + digits.size(), x);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    const auto at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
}

}  // namespace

std::vector<double> parse_sweep_values(const std::string& text, const std::string& option) {
  std::vector<double> values;
  for (const std::string& part : split(text, ',')) {
    const auto x = parse_number(part);
    if (!x)
      throw InputError(
          {}, option,
          fmt::format("expected comma-separated numbers such as 0.1,0.2,0.4, got \"{}\" in \"{}\"",
                      trim(part), text));
    values.push_back(*x);
  }
  return values;
}

std::vector<double> parse_sweep_range(const std::string& text, const std::string& option) {
  const std::vector<std::string> parts = split(text, ':');
  const auto fail = [&] {
    throw InputError({}, option,
                     fmt::format("expected lo:hi:n (n >= 1 evenly spaced values, ends included) such as "
                                 "0.4:0.7:4, got \"{}\"",
                                 text));
  };
  if (parts.size() != 3) fail();
  const auto lo = parse_number(parts[0]);
  const auto hi = parse_number(parts[1]);
  const auto n = parse_number(parts[2]);
  if (!lo || !hi || !n || *n < 1.0 || *n != std::floor(*n) || *n > 10'000.0) fail();
  const auto count = static_cast<std::size_t>(*n);
  std::vector<double> values(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double x =
        count == 1 ? *lo : *lo + (*hi - *lo) * static_cast<double>(i) / static_cast<double>(count - 1);
    // The decimal a person would write (0.3, not 0.30000000000000004): 12 significant digits read back.
    values[i] = std::stod(fmt::format("{:.12g}", x));
  }
  if (count > 1) values.back() = *hi;  // exactly hi, whatever the rounding
  return values;
}

double parse_precision(const std::string& text, const std::string& option) {
  std::string digits = text;
  bool percent = false;
  if (!digits.empty() && digits.back() == '%') {
    percent = true;
    digits.pop_back();
  }
  double x = 0.0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), x);
  const bool number =
      !digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && std::isfinite(x);
  if (percent) x /= 100.0;
  if (!number || !(x > 0.0 && x < 1.0))
    throw InputError(
        {}, option,
        fmt::format("expected a relative precision above 0 and below 1, as a fraction (0.005) or a "
                    "percentage (0.5%), got \"{}\"",
                    text));
  return x;
}

}  // namespace mistakesim::cli
