// Correlated year-level inputs through a Gaussian copula (compiled by the config layer,
// sim/config/compile_copula.cpp). Each correlated input reads one normal
// from its own slot (so its marginal is exactly its distribution, via the quantile function), the
// normals are mixed by the Cholesky factor, and mapped back with the normal CDF. Quantile functions
// are slower than the direct samplers, but this runs once per trial per correlated input.

#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/random.hpp>

#include <boost/math/special_functions/erf.hpp>

#include <cmath>
#include <numbers>

namespace mistakesim {

void apply_correlations(const Model& m, std::uint64_t trial, std::span<double> year) {
  const std::size_t k = m.copula.inputs.size();
  if (k == 0) return;
  double z[64];
  SIM_CHECK(k <= 64, << "at most 64 correlated inputs, got " << k);
  for (std::size_t i = 0; i < k; ++i) {
    DrawStream stream(m.seed, DrawAddress{trial, kYearLevel, m.inputs[m.copula.inputs[i]].slot});
    z[i] = sample_standard_normal(stream.next_uniform());
  }
  for (std::size_t i = 0; i < k; ++i) {
    double x = 0.0;
    for (std::size_t j = 0; j <= i; ++j) x += m.copula.cholesky[i * k + j] * z[j];
    const double u = 0.5 * boost::math::erfc(-x / std::numbers::sqrt2);
    const YearInput& in = m.inputs[m.copula.inputs[i]];
    year[m.copula.inputs[i]] = in.dist.quantile(std::clamp(u, 1e-300, 1.0 - 1e-16));
  }
}

}  // namespace mistakesim
