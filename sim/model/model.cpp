// Model lookups used outside the hot loop (reports, sweeps, sensitivity).

#include <mistakesim/model.hpp>

namespace mistakesim {

const char* applies_to_name(AppliesTo a) {
  switch (a) {
    case AppliesTo::all:
      return "all";
    case AppliesTo::good_fit:
      return "good_fit";
    case AppliesTo::poor_fit:
      return "poor_fit";
    case AppliesTo::pilot:
      return "pilot";
    case AppliesTo::repeat:
      return "repeat";
  }
  return "?";
}

InputId Model::find_input(const std::string& path) const {
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].path == path) return static_cast<InputId>(i);
  return kNoInput;
}

Distribution in_year(const TrialDistribution& td, std::span<const double> year,
                     std::vector<DistParameter>& scratch) {
  scratch.assign(td.numbers.begin(), td.numbers.end());
  for (const TrialDistribution::Uncertain& u : td.uncertain) scratch[u.number].value = year[u.input];
  return from_parameters(td.family, scratch);
}

std::vector<InputId> Model::uncertain_inputs() const {
  std::vector<InputId> out;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].dist.is_constant()) out.push_back(static_cast<InputId>(i));
  return out;
}

}  // namespace mistakesim
