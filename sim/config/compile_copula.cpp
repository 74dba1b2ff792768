// The Gaussian copula of a study's rank correlations (study_spec.hpp, compile_copula): a model
// compilation step, with its warnings for the analyst; the engine applies it (engine/copula.cpp).

#include "config/study_spec.hpp"

#include <mistakesim/errors.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

namespace mistakesim::detail {

std::vector<std::string> compile_copula(Model& model) {
  std::vector<std::string> warnings;
  model.copula = Copula{};
  if (model.correlations.empty()) return warnings;
  std::vector<InputId>& ids = model.copula.inputs;
  for (const Correlation& c : model.correlations)
    for (InputId id : {c.a, c.b})
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  const Eigen::Index k = static_cast<Eigen::Index>(ids.size());
  auto index_of = [&](InputId id) {
    return static_cast<Eigen::Index>(std::find(ids.begin(), ids.end(), id) - ids.begin());
  };
  Eigen::MatrixXd r = Eigen::MatrixXd::Identity(k, k);
  for (const Correlation& c : model.correlations) {
    const double pearson = 2.0 * std::sin(std::numbers::pi * c.rank / 6.0);
    r(index_of(c.a), index_of(c.b)) = r(index_of(c.b), index_of(c.a)) = pearson;
  }
  Eigen::LLT<Eigen::MatrixXd> llt(r);
  if (llt.info() != Eigen::Success || llt.matrixL().toDenseMatrix().diagonal().minCoeff() < 1e-9) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(r);
    Eigen::VectorXd values = eig.eigenvalues().cwiseMax(1e-6);
    Eigen::MatrixXd fixed = eig.eigenvectors() * values.asDiagonal() * eig.eigenvectors().transpose();
    const Eigen::VectorXd d = fixed.diagonal().cwiseSqrt().cwiseInverse();
    fixed = d.asDiagonal() * fixed * d.asDiagonal();
    std::ostringstream msg;
    msg << "the correlations asked for are not mutually consistent (no valid correlation matrix has them); "
           "using the nearest consistent ones:";
    for (Correlation& c : model.correlations) {
      const double pearson = fixed(index_of(c.a), index_of(c.b));
      const double rank = 6.0 / std::numbers::pi * std::asin(pearson / 2.0);
      msg << "\n  " << model.inputs[c.a].path << " ~ " << model.inputs[c.b].path << ": " << c.rank << " -> "
          << std::round(rank * 1000.0) / 1000.0;
      c.rank = rank;
    }
    warnings.push_back(msg.str());
    r = fixed;
    llt.compute(r);
    SIM_CHECK(llt.info() == Eigen::Success, << "repaired correlation matrix is still not positive definite");
  }
  const Eigen::MatrixXd l = llt.matrixL();
  model.copula.cholesky.resize(static_cast<std::size_t>(k * k));
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j) model.copula.cholesky[static_cast<std::size_t>(i * k + j)] = l(i, j);
  return warnings;
}

}  // namespace mistakesim::detail
