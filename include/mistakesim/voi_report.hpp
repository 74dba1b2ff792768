#pragma once
// Outputs of `mistakesim voi`: the terminal table, the JSON (docs/json-schema.md, mistakesim.voi/1)
// and the HTML page with its section (EVPPI bar chart, EVSI curve).

#include <mistakesim/report.hpp>
#include <mistakesim/voi.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace mistakesim {

//! An uncertain quantity of the decision in the sales leader's words: "our close rate", "how well
//! Weekly deal reviews works on ...". Falls back to the path.
std::string voi_plain_name(const Model& model, const std::string& path);

nlohmann::ordered_json voi_json(const Model& model, const VoiResult& voi, const RunInfo& info);
std::string voi_terminal(const Model& model, const VoiResult& voi, const RunInfo& info);

//! The HTML section (id "voi"): the decision, EVPI, the EVPPI bar chart (svg id "voi-evppi") and
//! table, the groups, and one EVSI curve per studied input (svg ids "voi-evsi-1", ...).
std::string voi_section_html(const Model& model, const VoiResult& voi);
//! A self-contained page around voi_section_html, with provenance.
std::string voi_report_html(const Model& model, const VoiResult& voi, const RunInfo& info,
                            const std::string& study_sha256, std::string_view generated_utc = {});

}  // namespace mistakesim
