// The one solver of a study's distribution parameters (dist_parameters.hpp). Every check is on the
// numbers alone, so that a distribution written with numbers and one whose parameters are drawn
// each year (checked at every corner of their ranges when the study is read) are solved by the same
// arithmetic, bit for bit.

#include <mistakesim/dist_parameters.hpp>

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

namespace mistakesim {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

double standard_normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(0.0, 1.0), p);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

//! The numbers of one distribution being solved: typed access and the refusals, by key.
class Numbers {
 public:
  Numbers(DistKind kind, std::span<const DistParameter> parameters)
      : dist_(dist_name(kind)), parameters_(parameters) {}

  const char* dist() const { return dist_; }
  std::span<const DistParameter> all() const { return parameters_; }
  bool has(const std::string& key) const { return get(key).has_value(); }

  std::optional<double> get(const std::string& key) const {
    for (const DistParameter& p : parameters_)
      if (p.key == key) return p.value;
    return std::nullopt;
  }
  double need(const std::string& key, const char* example) const {
    if (auto x = get(key)) return *x;
    fail({}, fmt::format("a {} needs {}, e.g. {}", dist_, key, example));
  }
  //! A number of a parametrisation known to be given (its group was chosen by its keys).
  double given(const std::string& key) const {
    if (auto x = get(key)) return *x;
    fail({}, fmt::format("a {} needs {}", dist_, key));
  }
  double positive(const std::string& key, double x) const {
    if (!(x > 0)) fail(key, fmt::format("{} of a {} is > 0, got {}", key, dist_, number_text(x)));
    return x;
  }
  double non_negative(const std::string& key, double x) const {
    if (!(x >= 0)) fail(key, fmt::format("{} of a {} is >= 0, got {}", key, dist_, number_text(x)));
    return x;
  }
  //! A parameter computed from those given (a gamma's shape from its mean and sd): refuses one
  //! that overflows, vanishes, or is too extreme for the samplers (more than kMaxShape).
  void derived(const std::string& key, double value, const char* what) const {
    if (!(std::isfinite(value) && value > 0 && value <= kMaxShape))
      fail(key, fmt::format("these values give a {} with {} = {}, too extreme to simulate (at most {}); "
                            "give a wider sd, or a plain number if the value is certain",
                            dist_, what, number_text(value), number_text(kMaxShape)));
  }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw DistParameterError(key, problem);
  }

 private:
  const char* dist_;
  std::span<const DistParameter> parameters_;
};

// Three-point distributions: min <= mode <= max with min < max; degenerate -> constant.
void check_three_point(const Numbers& t, double min, double mode, double max) {
  if (min > max)
    t.fail("min", fmt::format("min of a {} must not exceed max, got min {} and max {}", t.dist(),
                              number_text(min), number_text(max)));
  if (mode < min || mode > max)
    t.fail("mode", fmt::format("mode of a {} lies between min and max ({} to {}), got {}", t.dist(),
                               number_text(min), number_text(max), number_text(mode)));
}

Distribution lognormal(const Numbers& t) {
  std::vector<std::string> quantile_keys;
  for (const DistParameter& p : t.all())
    if (quantile_level(p.key)) quantile_keys.push_back(p.key);
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
  const auto both = [&](const char* first, const char* second) {
    for (const char* key : {first, second})
      if (!t.has(key))
        t.fail({}, fmt::format("a lognormal given by {} also needs {}", t.has(first) ? first : second, key));
  };
  if (by_mu) {
    both("mu", "sigma");
    const double mu = t.given("mu");
    const double sigma = t.positive("sigma", t.given("sigma"));
    return Distribution::lognormal(mu, sigma);
  }
  if (by_mean) {
    both("mean", "sd");
    const double mean = t.positive("mean", t.given("mean"));
    const double sd = t.positive("sd", t.given("sd"));
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
  const double low = t.given(low_key);
  const double high = t.given(high_key);
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

Distribution beta(const Numbers& t) {
  if (t.has("alpha") || t.has("beta"))
    return Distribution::beta(t.positive("alpha", t.given("alpha")), t.positive("beta", t.given("beta")));
  if (t.has("mean") || t.has("sd")) {
    const double mean = t.given("mean");
    if (!(mean > 0 && mean < 1))
      t.fail("mean",
             fmt::format("the mean of a beta lies strictly between 0 and 1, got {}", number_text(mean)));
    const double sd = t.positive("sd", t.given("sd"));
    const double max_variance = mean * (1 - mean);
    if (!(sd * sd < max_variance))
      t.fail("sd", fmt::format("a beta with mean {} can have sd at most {}, got {}", number_text(mean),
                               fmt::format("{:.4g}", std::sqrt(max_variance)), number_text(sd)));
    // method of moments: alpha + beta = mean (1 - mean) / sd^2 - 1
    const double total = max_variance / (sd * sd) - 1;
    t.derived("sd", total, "its alpha + beta");
    return Distribution::beta(mean * total, (1 - mean) * total);
  }
  const double wins = t.non_negative("wins", t.given("wins"));
  const double losses = t.non_negative("losses", t.given("losses"));
  return Distribution::beta(wins + 1, losses + 1);  // uniform prior updated by the record
}

Distribution gamma(const Numbers& t) {
  if (t.has("shape") || t.has("scale"))
    return Distribution::gamma(t.positive("shape", t.given("shape")), t.positive("scale", t.given("scale")));
  const double mean = t.positive("mean", t.given("mean"));
  const double sd = t.positive("sd", t.given("sd"));
  t.derived("sd", mean * mean / (sd * sd), "its shape");
  t.derived("sd", sd * sd / mean, "its scale");
  return Distribution::gamma(mean * mean / (sd * sd), sd * sd / mean);
}

Distribution solve(DistKind kind, const Numbers& t) {
  switch (kind) {
    case DistKind::constant:
      return Distribution::constant(t.need("value", "{ dist = \"constant\", value = 3 }"));
    case DistKind::uniform: {
      const double min = t.need("min", "{ dist = \"uniform\", min = 1, max = 5 }");
      const double max = t.need("max", "{ dist = \"uniform\", min = 1, max = 5 }");
      if (min > max)
        t.fail("min", fmt::format("min of a uniform must not exceed max, got min {} and max {}",
                                  number_text(min), number_text(max)));
      return min == max ? Distribution::constant(min) : Distribution::uniform(min, max);
    }
    case DistKind::triangular:
    case DistKind::pert: {
      const bool pert = kind == DistKind::pert;
      const char* example = pert ? "{ dist = \"pert\", min = 1, mode = 2, max = 5 }"
                                 : "{ dist = \"triangular\", min = 1, mode = 2, max = 5 }";
      const double min = t.need("min", example);
      const double mode = t.need("mode", example);
      const double max = t.need("max", example);
      check_three_point(t, min, mode, max);
      if (min == max) return Distribution::constant(min);
      if (!pert) return Distribution::triangular(min, mode, max);
      const double lambda = t.non_negative("lambda", t.get("lambda").value_or(4.0));
      return Distribution::pert(min, mode, max, lambda);
    }
    case DistKind::normal: {
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
        t.fail("min",
               fmt::format("a normal(mean {}, sd {}) has almost no probability in [{}, {}]; move the "
                           "mean or widen the truncation",
                           number_text(mean), number_text(sd), number_text(lower), number_text(upper)));
      return Distribution::normal(mean, sd, lower, upper);
    }
    case DistKind::lognormal:
      return lognormal(t);
    case DistKind::beta:
      return beta(t);
    case DistKind::gamma:
      return gamma(t);
    case DistKind::poisson: {
      const double mean = t.non_negative("mean", t.need("mean", "{ dist = \"poisson\", mean = 40 }"));
      if (mean > kMaxShape)
        t.fail("mean", fmt::format("the mean of a poisson is at most {} (a count per year), got {}",
                                   number_text(kMaxShape), number_text(mean)));
      return mean == 0 ? Distribution::constant(0) : Distribution::poisson(mean);
    }
    case DistKind::negbinomial: {
      const char* example = "{ dist = \"negbinomial\", mean = 40, dispersion = 5 }";
      const double mean = t.non_negative("mean", t.need("mean", example));
      const double dispersion = t.positive("dispersion", t.need("dispersion", example));
      if (mean > kMaxShape) t.derived("mean", mean, "its mean");
      t.derived("dispersion", dispersion, "its dispersion");
      return mean == 0 ? Distribution::constant(0) : Distribution::negbinomial(mean, dispersion);
    }
    case DistKind::discrete:
    case DistKind::empirical:
      break;
  }
  t.fail({}, fmt::format("a {} is given by its values, not by parameters", t.dist()));
}

}  // namespace

std::optional<double> quantile_level(const std::string& key) {
  if (key == "median") return 0.5;
  if (key.size() == 3 && key[0] == 'p' && std::isdigit(static_cast<unsigned char>(key[1])) &&
      std::isdigit(static_cast<unsigned char>(key[2]))) {
    const int percent = (key[1] - '0') * 10 + (key[2] - '0');
    if (percent >= 1 && percent <= 99) return percent / 100.0;
  }
  return std::nullopt;
}

std::string number_text(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == std::floor(x) && std::abs(x) < 1e15) return fmt::format("{}", static_cast<long long>(x));
  return fmt::format("{}", x);
}

void check_simulable(const Distribution& d, DistKind family) {
  const char* name = dist_name(family);
  const double mean = d.mean(), sd = std::sqrt(d.variance());
  if (!(std::isfinite(mean) && std::isfinite(sd)))
    throw DistParameterError({}, fmt::format("these values are too extreme to simulate: the {} would have "
                                             "mean {} and sd {}",
                                             name, number_text(mean), number_text(sd)));
  if (std::abs(mean) + sd > kMaxMagnitude)
    throw DistParameterError(
        {}, fmt::format("this {} has mean {} and sd {}: beyond {}, sums of a year's "
                        "values could overflow; write the amounts in larger units "
                        "(thousands of dollars?)",
                        name, number_text(mean), number_text(sd), number_text(kMaxMagnitude)));
}

Distribution from_parameters(DistKind kind, std::span<const DistParameter> parameters) {
  const Distribution d = solve(kind, Numbers(kind, parameters));
  check_simulable(d, kind);
  return d;
}

}  // namespace mistakesim
