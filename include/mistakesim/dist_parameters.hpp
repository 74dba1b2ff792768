#pragma once
// Solving a distribution from the numbers a study file gives it (p05 and p95, mean and sd, wins and
// losses...) into the canonical form of distribution.hpp. One pure function does it for every use:
// the config layer for a distribution written with numbers, and the engine, each simulated year,
// for one whose parameters are themselves drawn (an uncertain median), with that year's values.
// Reading the file (which keys a table may hold, where each is written) stays in the config layer,
// which locates the errors thrown here at the key they name.

#include <mistakesim/distribution.hpp>

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace mistakesim {

//! The largest shape, alpha + beta, poisson mean... the samplers are asked to handle.
inline constexpr double kMaxShape = 1e9;
//! The largest mean + sd of any input: a year adds up millions of values without overflow.
inline constexpr double kMaxMagnitude = 1e15;

//! One number of a distribution as a study file gives it: `median = 45_000`.
struct DistParameter {
  std::string key;  //!< "min", "mode", "median", "p90", "sd", ...
  double value = 0.0;
};

//! Numbers that do not make a distribution: `key` names the one at fault (empty: the distribution
//! as a whole), what() says why in the study's words.
class DistParameterError : public std::invalid_argument {
 public:
  DistParameterError(std::string at_key, const std::string& problem)
      : std::invalid_argument(problem), key(std::move(at_key)) {}
  std::string key;
};

//! The distribution of family `kind` that `parameters` give (keys as in docs/study-file.md; which
//! parametrisation is read from the keys given; pert's lambda is 4 and a normal is untruncated
//! when not given). Refuses, with DistParameterError, a missing or contradictory number, a value
//! out of its range, and a result too extreme to simulate (check_simulable). Not for discrete and
//! empirical, whose values are arrays.
Distribution from_parameters(DistKind kind, std::span<const DistParameter> parameters);

//! Refuses (DistParameterError, no key) a distribution whose mean or sd is not finite or whose
//! mean + sd exceeds kMaxMagnitude; `family` names it in the message as the study does.
void check_simulable(const Distribution& d, DistKind family);

//! p01..p99 -> 0.01..0.99 and "median" -> 0.5 (a lognormal's quantile keys); anything else -> nullopt.
std::optional<double> quantile_level(const std::string& key);

//! A number as messages write it: the shortest form that reads back exactly ("0.3", "45000").
std::string number_text(double x);

}  // namespace mistakesim
