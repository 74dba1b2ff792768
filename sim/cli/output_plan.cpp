// The output plan of a command (output_plan.hpp).

#include "cli/output_plan.hpp"

#include "cli/commands.hpp"

#include <mistakesim/errors.hpp>

#include <fmt/format.h>

#include <iostream>

namespace mistakesim::cli {

namespace {
constexpr std::size_t kNone = static_cast<std::size_t>(-1);
}

OutputPlan::OutputPlan(const std::vector<std::filesystem::path>& inputs, std::vector<Output> outputs)
    : outputs_(std::move(outputs)), stdout_index_(kNone) {
  file_index_.assign(outputs_.size(), kNone);
  // Under MPI the ranks other than 0 write nothing: they check no path and stage no temporary.
  if (!is_output_process()) {
    stdout_index_ = outputs_.size();
    return;
  }
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    const Output& o = outputs_[i];
    if (o.path.empty()) continue;
    if (o.path == "-") {
      if (stdout_index_ != kNone)
        throw InputError(
            {}, o.option,
            fmt::format("{} and {} both ask for the standard output (-); only one output can go there",
                        outputs_[stdout_index_].option, o.option));
      stdout_index_ = i;
      continue;
    }
    file_index_[i] = files_.add(o.path, o.option, inputs);
  }
  // No asked-for output at all: stdout_index_ stays kNone and to_stdout() is false.
  if (stdout_index_ == kNone) stdout_index_ = outputs_.size();
}

void OutputPlan::write(const std::function<std::string()>& terminal) {
  if (!ready_to_write_outputs()) return;  // under MPI: rank 0 writes, once every rank is well
  for (std::size_t i = 0; i < outputs_.size(); ++i)
    if (file_index_[i] != kNone) files_.write(file_index_[i], outputs_[i].render);
  if (to_stdout())
    outputs_[stdout_index_].render(std::cout);
  else
    std::cout << terminal();
  std::cout.flush();
  if (!std::cout) throw OutputError("cannot write the standard output");
  files_.commit();
}

void write_json(std::ostream& out, nlohmann::ordered_json json, const Model& model) {
  if (!model.warnings.empty()) json["warnings"] = model.warnings;
  out << json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

CLI::Validator output_path() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return value.empty() ? "expected a file name (or - for the standard output), got ''" : std::string();
      },
      "PATH");
}

}  // namespace mistakesim::cli
