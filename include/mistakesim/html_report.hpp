#pragma once
// The report for leadership: one self-contained HTML page (inline CSS, inline SVG charts drawn
// here, no scripts, no fonts, nothing fetched) that answers the sales leader's questions in plain
// words, shows the distributions as charts and ends with the provenance and every input.
//
// Everything on the page is a pure function of (model, results, study hash) except the run time
// and the "generated" date in the provenance. Every text that comes from a study file (names, ids,
// paths, stage names, the currency code) is HTML-escaped.
//
// \test tests/test_html_report.cpp (chart geometry, escaping, SHA-256 known answers, determinism)
//       and tests/test_browser.cpp (the CLI's reports rendered by headless Chromium, [browser]).

#include <filesystem>
#include <mistakesim/compare.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/whatif.hpp>
#include <string>
#include <string_view>

namespace mistakesim {

struct VoiResult;  // voi.hpp

//! The HTML report of `mistakesim run`: headline, the sales leader's questions, charts (yearly cost
//! histogram, exceedance curve, known vs unknown, mistakes ranked with their share of the mean and
//! of the worst 5% of years), mistakes table, provenance and inputs. `study_sha256` is the hex
//! SHA-256 of the study file's bytes (shown in the provenance). `generated_utc` is the date shown
//! as "generated"; empty means now (UTC, ISO 8601). `summary` is summarize_run(results,
//! SummaryScope::report): the page only formats it.
std::string run_report_html(const Model& model, const TrialResults& results, const RunSummary& summary,
                            const RunInfo& info, const std::string& study_sha256,
                            std::string_view generated_utc = {});

//! The HTML report of `mistakesim compare`: the baseline's headline, then per intervention what it
//! saves (box and whiskers P05-P25-P50-P75-P95 side by side, with its cost marked), what it costs,
//! its net and the chance it pays off; provenance, inputs and the interventions' effects. With `voi`
//! (value_of_information of the same paired years), a section on what knowing each input first would
//! be worth (voi_report.hpp: voi_section_html).
std::string compare_report_html(const Model& model, const Comparison& comparison, const RunInfo& info,
                                const std::string& study_sha256, std::string_view generated_utc = {},
                                const VoiResult* voi = nullptr);

//! The HTML report of `mistakesim sweep`: what was varied and how the expected yearly cost moves
//! across the range (with the paired change from the first point and its 95% margin), a chart of
//! the mean yearly cost against the parameter with its P10-P90 band and the study's own value
//! marked, on a two-parameter grid also a heat map, the table of points, provenance and inputs.
std::string sweep_report_html(const Model& model, const Sweep& sweep, const RunInfo& info,
                              const std::string& study_sha256, std::string_view generated_utc = {});

//! The HTML report of `mistakesim sensitivity`: which uncertain inputs matter most, in plain words;
//! a tornado chart of each input's P10-P90 swing of the mean yearly cost (sorted by |swing|); the
//! table of swings, Spearman's rho, SRC and R^2; provenance and inputs.
std::string sensitivity_report_html(const Model& model, const Sensitivity& s, const RunInfo& info,
                                    const std::string& study_sha256, std::string_view generated_utc = {});

//! A year-level input's parameter path in plain words, not escaped: "close rate" for
//! pipeline.close_rate, "how often \"Skipped discovery\" happens" for
//! mistake.skipped-discovery.probability. An unknown path is returned as it is.
std::string input_plain_name(const Model& model, const std::string& path);

//! Text made safe for HTML element content and attribute values: & < > " ' escaped.
std::string html_escape(std::string_view text);

//! SHA-256 (FIPS 180-4) of bytes, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

//! SHA-256 of a file's bytes, as 64 lowercase hex digits. Throws InputError if it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace mistakesim
