// Per-trial CSV: one row per simulated year, columns documented in docs/json-schema.md.
//
// Numbers go through fmt's "{}": the shortest decimal that reads back to the same double
// (Dragonbox), locale-independent, so a CSV round-trips exactly and is identical across runs.

#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>

#include <fmt/format.h>

#include "report/horizon_report.hpp"

namespace mistakesim {

namespace {

//! RFC 4180: quote a field holding a comma, a quote or a line break; double inner quotes.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace

void write_csv(std::ostream& out, const Model& model, const TrialResults& r) {
  const std::uint64_t n = r.count;
  SIM_CHECK(r.mistake_count == model.mistakes.size(),
            << r.mistake_count << " mistake columns for " << model.mistakes.size() << " mistakes");
  SIM_CHECK(r.well_formed(), << "columns do not have " << n << " trials");

  fmt::memory_buffer buf;
  auto it = std::back_inserter(buf);
  fmt::format_to(
      it, "trial,cost_total,cost_known,cost_unknown,opportunities,wins,should_have_bought,nonbuyer_hours");
  for (const Mistake& m : model.mistakes) fmt::format_to(it, ",{}", csv_field("cost:" + m.id));
  for (InputId id : r.recorded_inputs) {
    SIM_CHECK(id < model.inputs.size(), << "recorded input " << id << " of " << model.inputs.size());
    fmt::format_to(it, ",{}", csv_field("input:" + model.inputs[id].path));
  }
  for (const std::string& name : detail::extra_csv_columns(model)) fmt::format_to(it, ",{}", name);
  buf.push_back('\n');

  const auto flush_if_large = [&] {
    if (buf.size() > (1u << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  };
  for (std::uint64_t t = 0; t < n; ++t) {
    fmt::format_to(it, "{},{},{},{},{},{},{},{}", r.first_trial + t, r.cost_total[t], r.cost_known[t],
                   r.cost_unknown[t], r.opportunities[t], r.wins[t], r.should_have_bought[t],
                   r.nonbuyer_hours[t]);
    for (std::size_t m = 0; m < r.mistake_count; ++m) fmt::format_to(it, ",{}", r.mistake_cost(m, t));
    for (std::size_t k = 0; k < r.recorded_inputs.size(); ++k)
      fmt::format_to(it, ",{}", r.input_values[k * n + t]);
    for (std::size_t c = 0; c < r.extra_count; ++c) fmt::format_to(it, ",{}", r.extras[c * n + t]);
    buf.push_back('\n');
    flush_if_large();
    if (!out) return;  // the destination failed (a full disk): the caller reports it, no point going on
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

}  // namespace mistakesim
