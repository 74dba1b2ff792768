#pragma once
// Pieces shared by the run and compare HTML reports: the page frame and its CSS, the headline on
// the cost of mistakes, the cost charts, the provenance and the table of inputs. Internal to
// sim/report; the public entry points are in <mistakesim/html_report.hpp>.

#include <mistakesim/engine.hpp>
#include <mistakesim/model.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/stats.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mistakesim::detail {

//! Money, escaped: format_currency in the model's currency.
std::string money(const Model& model, double amount);
//! A number for the inputs table: thousands separators from 1,000, else up to 4 significant digits.
std::string plain_number(double v);

//! <!DOCTYPE html> ... <main>, with the inline stylesheet and a strict Content-Security-Policy
//! (nothing can be fetched, no script can run). `page_title` is escaped here.
std::string page_open(const std::string& page_title);
std::string page_close();

//! A card of a headline: label, big value, a line under it. All three are HTML (escape first).
std::string card(std::string_view label, std::string_view value, std::string_view sub,
                 bool main_card = false);

//! Headline cards and the plain-words paragraph on the yearly cost of mistakes.
//! `value_done_right` is the mean yearly revenue (or margin) with no mistakes (PipelineMeans).
std::string headline_section(const Model& model, const CostSummary& cost, double value_done_right,
                             std::string_view heading);

//! The histogram and exceedance charts of the yearly cost, and the known/unknown chart.
std::string cost_distribution_figures(const Model& model, const CostSummary& cost,
                                      std::string_view id_prefix);
std::string known_unknown_figure(const Model& model, const CostSummary& cost, std::string_view id_prefix);

//! Provenance: study file and SHA-256, seed, trials, version, build, threads, run time, date (UTC).
//! `extra` rows (already escaped HTML) are appended.
std::string provenance_section(const Model& model, const RunInfo& info, const std::string& study_sha256,
                               std::uint64_t trials, std::string_view generated_utc,
                               const std::vector<std::pair<std::string, std::string>>& extra = {});

//! Every input of the model with its distribution in words, mean and 90% range.
std::string inputs_section(const Model& model);

//! Now as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

}  // namespace mistakesim::detail
