#pragma once
// The per-year results of a run as a SIPmath 3.0 library (--sip, docs/excel.md): one SIP per
// variable (the yearly cost, known and unknown, each mistake's cost, each uncertain year-level
// input), trials stored in trial order so that every SIP's n-th value comes from the same simulated
// year and the relationships between them survive.

#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/report.hpp>

#include <ostream>
#include <string>

namespace mistakesim {

//! Writes the library as compact JSON and a newline: {name, objectType "sipModel", libraryType
//! "SIPmath_3_0", provenance, metadata, U01 with the "Index" generator, sips: [{name, ref, function
//! "SIP_Array", arguments {type "array", value [...]}, metadata}], version}. The text is
//! nlohmann::ordered_json's dump() of that object (non-finite values as null, text that is not UTF-8
//! with U+FFFD), streamed: the values go out about 1 MB at a time, and the library is never whole in
//! memory. Stops early when `out` fails (a full disk), leaving the error to the caller.
//! Deterministic: no creation date, no timing.
void write_sip_library(std::ostream& out, const Model& model, const TrialResults& results,
                       const RunInfo& info, const std::string& study_sha256);

}  // namespace mistakesim
