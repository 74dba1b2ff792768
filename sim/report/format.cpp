// Numbers for people: money, counts, hours, percentages. Exact decimal rounding (integer mantissas,
// fmt's exact fixed-point output), so the same value prints the same everywhere.

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <mistakesim/report.hpp>

namespace mistakesim {

namespace detail {

//! "1234567" -> "1,234,567".
std::string group_thousands(std::string digits) {
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), 1, ',');
  }
  return digits;
}

//! A whole non-negative number below 2^63 with separators.
std::string whole_with_separators(double rounded) {
  return group_thousands(std::to_string(static_cast<std::uint64_t>(rounded)));
}

std::string currency_prefix(const std::string& currency) {
  if (currency == "USD") return "$";
  if (currency == "EUR") return "\u20AC";
  if (currency == "GBP") return "\u00A3";
  if (currency.empty()) return "";
  return currency + " ";
}

//! Three significant digits of a > 0 with a k/M/B/T suffix: "80.0k", "1.24M", "250B".
std::string three_significant(double a) {
  int exponent = static_cast<int>(std::floor(std::log10(a)));
  if (std::pow(10.0, exponent) > a) --exponent;  // log10 may land a hair off near powers of ten
  if (std::pow(10.0, exponent + 1) <= a) ++exponent;
  auto mantissa = static_cast<std::int64_t>(std::round(a / std::pow(10.0, exponent - 2)));  // 100..1000
  if (mantissa >= 1000) {
    mantissa /= 10;
    ++exponent;
  }
  static constexpr const char* kSuffix[] = {"", "k", "M", "B", "T"};
  const int group = std::min(exponent / 3, 4);
  const int integer_digits = exponent - 3 * group + 1;  // 1..3, more beyond T
  const std::string digits = std::to_string(mantissa);  // exactly 3 digits
  std::string body;
  if (integer_digits >= 3) {
    body = digits + std::string(static_cast<std::size_t>(integer_digits - 3), '0');
    if (integer_digits > 3) body = group_thousands(body);
  } else {
    body = digits.substr(0, static_cast<std::size_t>(integer_digits)) + "." +
           digits.substr(static_cast<std::size_t>(integer_digits));
  }
  return body + kSuffix[group];
}

}  // namespace detail

std::string format_currency(double amount, const std::string& currency) {
  if (std::isnan(amount)) return "n/a";
  const std::string prefix = detail::currency_prefix(currency);
  const bool negative = amount < 0.0;
  const double a = std::abs(amount);
  std::string body;
  if (std::isinf(a)) {
    body = "inf";
  } else {
    const double rounded = std::round(a);  // half away from zero
    body = rounded < 1e6 ? detail::whole_with_separators(rounded) : detail::three_significant(a);
  }
  // No "-$0" for a tiny negative amount.
  return (negative && body != "0" ? "-" : "") + prefix + body;
}

std::string format_count(double count) {
  if (std::isnan(count)) return "n/a";
  if (std::isinf(count)) return count > 0 ? "inf" : "-inf";
  const bool negative = count < 0.0;
  const double a = std::abs(count);
  std::string body;
  if (a < 1.0 && a != 0.0) {
    body = fmt::format("{:.2f}", a);
  } else if (a < 100.0 && a != std::floor(a)) {
    body = fmt::format("{:.1f}", a);
  } else if (a < 9.2e18) {
    body = detail::whole_with_separators(std::round(a));
  } else {
    body = fmt::format("{:.3g}", a);
  }
  return (negative && body.find_first_not_of("0.") != std::string::npos ? "-" : "") + body;
}

std::string format_hours(double hours) { return format_count(hours) + " h"; }

std::string format_percent(double share) {
  if (std::isnan(share)) return "-";
  if (share > 0.0 && share < 0.005) return "<1%";
  const double percent = std::round(share * 100.0);
  return fmt::format("{}%", percent == 0.0 ? 0.0 : percent);  // no "-0%"
}

}  // namespace mistakesim
