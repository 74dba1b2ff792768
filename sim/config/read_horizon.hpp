#pragma once
// Reading the capacity and horizon keys of a study file (read_horizon.cpp). Internal to sim/config.

#include <string>
#include <vector>

#include "config/study_spec.hpp"
#include "config/toml_read.hpp"

namespace mistakesim::detail {

//! The keys of a section with those of capacity and the horizon added.
std::vector<std::string> with_horizon_keys(std::vector<std::string> keys, const std::string& section);
//! Reads the capacity and horizon keys of [study], [team] or [pipeline] (`section`) into spec.
void read_horizon_keys(const FileContext& ctx, const toml::table& table, const std::string& section,
                       StudySpec& spec);
//! Reads an intervention's effect_by_year.
void read_effect_by_year(const FileContext& ctx, const toml::table& table, const std::string& prefix,
                         InterventionSpec& iv);
//! Overrides base's capacity and horizon settings with those `own` gives (extends).
void merge_horizon(StudySpec& base, const StudySpec& own);

}  // namespace mistakesim::detail
