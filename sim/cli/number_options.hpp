#pragma once
// Numbers typed on the command line: sweep values (--values a,b,c), ranges (--range lo:hi:n) and
// relative precisions (--precision 0.5%). Text in, numbers out, or an InputError located at the
// option; what the numbers mean is checked by the layers that use them.

#include <string>
#include <vector>

namespace mistakesim::cli {

//! Parses a comma-separated list of numbers ("0.1,0.2,0.4"; "_" digit separators allowed, as in
//! TOML). A missing or non-numeric value is an InputError located at `option`.
std::vector<double> parse_sweep_values(const std::string& text, const std::string& option = "--values");

//! Parses "lo:hi:n" into n evenly spaced values from lo to hi, both included (n >= 2), or just lo
//! when n == 1. InputError located at `option` otherwise.
std::vector<double> parse_sweep_range(const std::string& text, const std::string& option = "--range");

//! Parses "0.5%" or "0.005" into 0.005. Must lie in (0, 1); InputError at `option` otherwise.
double parse_precision(const std::string& text, const std::string& option = "--precision");

}  // namespace mistakesim::cli
