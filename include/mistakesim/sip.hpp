#pragma once
// The per-year results of a run as a SIPmath 3.0 library (--sip, docs/excel.md): one SIP per
// variable (the yearly cost, known and unknown, each mistake's cost, each uncertain year-level
// input), trials stored in trial order so that every SIP's n-th value comes from the same simulated
// year and the relationships between them survive.

#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/report.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace mistakesim {

//! The library: {name, objectType "sipModel", libraryType "SIPmath_3_0", provenance, U01 with the
//! "Index" generator, sips: [{name, ref, function "SIP_Array", arguments {type "array", value [...]},
//! metadata}], version}. Deterministic: no creation date, no timing.
nlohmann::ordered_json sip_library(const Model& model, const TrialResults& results, const RunInfo& info,
                                   const std::string& study_sha256);

}  // namespace mistakesim
