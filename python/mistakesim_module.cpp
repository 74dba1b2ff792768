// The Python module `mistakesim` (docs/python.md): the same library as the command line, called
// from Python. Each function loads a study, runs it with the engine while the GIL is released, and
// returns a result whose `summary` is the command's JSON output as a dict (the same keys and numbers
// as `--json`) and whose per-year columns are NumPy arrays that view the engine's own columns
// (no copy; the arrays keep the results alive).

#include <mistakesim/compare.hpp>
#include <mistakesim/compare_report.hpp>
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/study.hpp>
#include <mistakesim/whatif.hpp>
#include <mistakesim/whatif_report.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace py = pybind11;
using namespace mistakesim;

namespace {

using Json = nlohmann::ordered_json;

//! A JSON value as the Python object json.loads would give for its text.
py::object to_python(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return py::none();
    case Json::value_t::boolean: return py::bool_(j.get<bool>());
    case Json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
    case Json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
    case Json::value_t::number_float: return py::float_(j.get<double>());
    case Json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case Json::value_t::array: {
      py::list list;
      for (const Json& item : j) list.append(to_python(item));
      return list;
    }
    case Json::value_t::object: {
      py::dict dict;
      for (const auto& [key, value] : j.items()) dict[py::str(key)] = to_python(value);
      return dict;
    }
    default: return py::none();  // binary, discarded: not produced by the reports
  }
}

//! The arguments every function shares, as the command line's --trials, --seed, --threads.
struct RunRequest {
  std::string study;
  std::optional<std::uint64_t> trials;
  std::optional<std::uint64_t> seed;
  unsigned threads = 0;
};

unsigned thread_count(unsigned asked) { return asked != 0 ? asked : std::max(1u, std::thread::hardware_concurrency()); }

//! load_study with the overrides applied, checked as the command line checks them.
Model load(const RunRequest& r) {
  Model model = load_study(r.study);
  if (r.trials) {
    if (*r.trials == 0 || *r.trials > kMaxTrials)
      throw InputError({}, "trials", fmt::format("a run has 1 to {} trials, got {}", kMaxTrials, *r.trials));
    model.trials = *r.trials;
  }
  if (r.seed) model.seed = *r.seed;
  return model;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

//! A read-only NumPy array viewing `size` values at `data`, keeping `owner` alive.
template <class T, class Owner>
py::array view(const T* data, std::size_t size, const std::shared_ptr<Owner>& owner) {
  auto* keep = new std::shared_ptr<Owner>(owner);
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<Owner>*>(p); });
  py::array_t<T> array({static_cast<py::ssize_t>(size)}, {static_cast<py::ssize_t>(sizeof(T))}, data, base);
  py::detail::array_proxy(array.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return array;
}

template <class T, class Owner>
py::array view(const std::vector<T>& column, const std::shared_ptr<Owner>& owner) {
  return view(column.data(), column.size(), owner);
}

//! trial numbers first_trial, first_trial + 1, ... (a new array: the engine keeps no such column).
py::array trial_numbers(std::uint64_t first, std::uint64_t count) {
  py::array_t<std::uint64_t> trials(static_cast<py::ssize_t>(count));
  auto out = trials.mutable_unchecked<1>();
  for (std::uint64_t t = 0; t < count; ++t) out(static_cast<py::ssize_t>(t)) = first + t;
  return trials;
}

//! The CSV's columns of a run as a dict of arrays, in the CSV's order (docs/json-schema.md).
template <class Owner>
py::dict year_arrays(const Model& model, const TrialResults& r, const std::shared_ptr<Owner>& owner) {
  py::dict years;
  years["trial"] = trial_numbers(r.first_trial, r.count);
  years["cost_total"] = view(r.cost_total, owner);
  years["cost_known"] = view(r.cost_known, owner);
  years["cost_unknown"] = view(r.cost_unknown, owner);
  years["opportunities"] = view(r.opportunities, owner);
  years["wins"] = view(r.wins, owner);
  years["should_have_bought"] = view(r.should_have_bought, owner);
  years["nonbuyer_hours"] = view(r.nonbuyer_hours, owner);
  for (std::size_t m = 0; m < r.mistake_count; ++m)
    years[py::str("cost:" + model.mistakes[m].id)] = view(r.mistake_costs.data() + m * r.count, r.count, owner);
  for (std::size_t k = 0; k < r.recorded_inputs.size(); ++k)
    years[py::str("input:" + model.inputs[r.recorded_inputs[k]].path)] =
        view(r.input_values.data() + k * r.count, r.count, owner);
  return years;
}

//! What every result holds: the JSON summary as a dict and columns (per year or per row) as arrays.
struct Result {
  py::dict summary;
  py::dict columns;        //!< per year (run, compare, sensitivity) or per point (sweep)
  std::string index_name;  //!< the column to_pandas() uses as the index
  std::string kind;        //!< "run", "compare", "sweep", "sensitivity"

  py::object to_pandas() const {
    py::module_ pandas = py::module_::import("pandas");
    py::object frame = pandas.attr("DataFrame")(columns);
    if (!index_name.empty()) frame = frame.attr("set_index")(py::str(index_name));
    return frame;
  }
};

//! One run of the study as it stands (run, sensitivity): the engine with the GIL released, then the
//! command's JSON from `to_json(model, results, info)` and the years as NumPy columns.
template <class ToJson>
Result plain_run(const RunRequest& request, const char* kind, const ToJson& to_json) {
  struct Run {
    Model model;
    TrialResults results;
  };
  auto state = std::make_shared<Run>();
  Json json;
  {
    py::gil_scoped_release release;
    state->model = load(request);
    const auto start = std::chrono::steady_clock::now();
    RunOptions options;
    options.threads = thread_count(request.threads);
    state->results = run_trials(state->model, Scenario{}, options);
    json = to_json(state->model, state->results,
                   make_run_info(options.threads, seconds_since(start), request.study));
  }
  Result r;
  r.kind = kind;
  r.summary = to_python(json);
  r.columns = year_arrays(state->model, state->results, state);
  r.index_name = "trial";
  return r;
}

Result run(const RunRequest& request) {
  return plain_run(request, "run", [](const Model& m, const TrialResults& results, const RunInfo& info) {
    return run_json(m, results, summarize_run(results), info);
  });
}

std::size_t intervention_index(const Model& m, const std::string& id) {
  for (std::size_t k = 0; k < m.interventions.size(); ++k)
    if (m.interventions[k].id == id) return k;
  std::string known;
  for (const Intervention& iv : m.interventions) known += (known.empty() ? "" : ", ") + iv.id;
  throw InputError({}, "interventions",
                   fmt::format("no intervention with id \"{}\" in the study (it has: {})", id,
                               known.empty() ? "none" : known));
}

Result compare_study(const RunRequest& request, const std::vector<std::string>& ids) {
  struct State {
    Model model;
    Comparison comparison;
  };
  auto state = std::make_shared<State>();
  Json json;
  {
    py::gil_scoped_release release;
    state->model = load(request);
    const Model& model = state->model;
    if (model.interventions.empty())
      throw InputError({model.source_file, 0, 0}, "intervention",
                       "compare needs at least one [[intervention]] in the study, found none");
    std::vector<Candidate> candidates;
    for (const std::string& id : ids) {
      const std::size_t k = intervention_index(model, id);
      candidates.push_back(Candidate{model.interventions[k].id, model.interventions[k].name, {k}});
    }
    if (ids.empty()) candidates = all_interventions(model);
    const auto start = std::chrono::steady_clock::now();
    CompareOptions options;
    options.run.threads = thread_count(request.threads);
    options.run.record_inputs = false;
    state->comparison = compare(model, candidates, options);
    json = compare_json(model, state->comparison,
                        make_run_info(options.run.threads, seconds_since(start), request.study));
  }
  Result r;
  r.kind = "compare";
  r.summary = to_python(json);
  const Comparison& c = state->comparison;
  r.columns["trial"] = trial_numbers(c.baseline.first_trial, c.baseline.count);
  r.columns["baseline_cost"] = view(c.baseline.cost_total, state);
  for (const CandidateResult& cr : c.candidates) {
    r.columns[py::str("savings:" + cr.candidate.id)] = view(cr.savings, state);
    r.columns[py::str("net:" + cr.candidate.id)] = view(cr.net, state);
  }
  r.index_name = "trial";
  return r;
}

Result sweep_study(const RunRequest& request, const std::string& param, const std::vector<double>& values,
                   const std::optional<std::string>& param2, const std::optional<std::vector<double>>& values2) {
  Json json;
  Sweep sweep;
  {
    py::gil_scoped_release release;
    const Model model = load(request);
    if (values.empty()) throw InputError({}, "values", "a sweep needs at least one value, got none");
    const SweepAxis axis = make_sweep_axis(model, param, values, "param");
    std::optional<SweepAxis> axis2;
    if (param2) {
      if (*param2 == param)
        throw InputError({}, "param2", fmt::format("a grid needs two different parameters, got {} twice", param));
      if (!values2 || values2->empty()) throw InputError({}, "values2", "param2 needs values2, the values to try");
      axis2 = make_sweep_axis(model, *param2, *values2, "param2");
    } else if (values2) {
      throw InputError({}, "param2", "values2 needs param2, the second parameter of the grid");
    }
    const auto start = std::chrono::steady_clock::now();
    RunOptions options;
    options.threads = thread_count(request.threads);
    sweep = run_sweep(model, axis, axis2, options);
    json = sweep_json(model, sweep, make_run_info(options.threads, seconds_since(start), request.study));
  }
  Result r;
  r.kind = "sweep";
  r.summary = to_python(json);
  // One row per point: the values and the statistics of the total cost (copies: a few rows).
  std::vector<double> value, value2, mean, lo, hi, p05, p50, p95, change;
  for (const SweepPoint& p : sweep.points) {
    value.push_back(p.value);
    if (p.value2) value2.push_back(*p.value2);
    mean.push_back(p.total.mean);
    lo.push_back(p.total.mean_ci95_lo);
    hi.push_back(p.total.mean_ci95_hi);
    p05.push_back(p.total.p05);
    p50.push_back(p.total.p50);
    p95.push_back(p.total.p95);
    change.push_back(p.change_from_first.mean);
  }
  r.columns[py::str(sweep.axis.path)] = py::array_t<double>(value.size(), value.data());
  if (sweep.axis2) r.columns[py::str(sweep.axis2->path)] = py::array_t<double>(value2.size(), value2.data());
  const std::pair<const char*, std::vector<double>*> stats[] = {
      {"cost_mean", &mean}, {"cost_mean_ci95_lo", &lo}, {"cost_mean_ci95_hi", &hi}, {"cost_p05", &p05},
      {"cost_p50", &p50},   {"cost_p95", &p95},         {"change_from_first", &change}};
  for (const auto& [name, column] : stats) r.columns[name] = py::array_t<double>(column->size(), column->data());
  return r;
}

Result sensitivity_study(const RunRequest& request) {
  return plain_run(request, "sensitivity", [](const Model& m, const TrialResults& results, const RunInfo& info) {
    return sensitivity_json(m, sensitivity(m, results), results, info);
  });
}

}  // namespace

PYBIND11_MODULE(mistakesim, m) {
  m.doc() =
      "mistakesim: what a sales team's mistakes cost in a year, from Python.\n\n"
      "run(), compare(), sweep() and sensitivity() take a study file (TOML) and return a Result whose\n"
      ".summary is the command's --json output as a dict and whose .columns are NumPy arrays\n"
      "(one value per simulated year; per point for a sweep). Result.to_pandas() gives a DataFrame.\n"
      "A bad study raises mistakesim.StudyError with .file, .line, .column and .param.";
  m.attr("__version__") = make_run_info(0, 0.0, "").version;

  // StudyError(ValueError): the located message of the command line, and its parts as attributes.
  // Never destroyed: a static py::object would be released after the interpreter has gone.
  static py::handle study_error = (new py::exception<InputError>(m, "StudyError", PyExc_ValueError))->release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::object error = study_error(py::str(e.what()));
      error.attr("file") = e.where().file.empty() ? py::object(py::none()) : py::object(py::str(e.where().file));
      error.attr("line") = e.where().line > 0 ? py::object(py::int_(e.where().line)) : py::object(py::none());
      error.attr("column") = e.where().column > 0 ? py::object(py::int_(e.where().column)) : py::object(py::none());
      error.attr("param") = e.path().empty() ? py::object(py::none()) : py::object(py::str(e.path()));
      error.attr("problem") = py::str(e.problem());
      PyErr_SetObject(study_error.ptr(), error.ptr());
    }
  });

  py::class_<Result>(m, "Result", "What a run, compare, sweep or sensitivity study returns.")
      .def_readonly("summary", &Result::summary, "The command's --json output as a dict")
      .def_readonly("columns", &Result::columns,
                    "NumPy arrays by column name: the --csv columns of each simulated year (run, sensitivity), "
                    "the baseline cost and each intervention's savings and net per year (compare), one row per "
                    "point (sweep)")
      .def_readonly("kind", &Result::kind)
      .def("to_pandas", &Result::to_pandas, "The columns as a pandas DataFrame (needs pandas)")
      .def("__repr__", [](const Result& r) {
        return fmt::format("<mistakesim.Result of {}: {} columns>", r.kind, py::len(r.columns));
      });

  const auto request = [](std::string study, std::optional<std::uint64_t> trials, std::optional<std::uint64_t> seed,
                          unsigned threads) { return RunRequest{std::move(study), trials, seed, threads}; };

  m.def(
      "run",
      [request](std::string study, std::optional<std::uint64_t> trials, std::optional<std::uint64_t> seed,
                unsigned threads) { return run(request(std::move(study), trials, seed, threads)); },
      py::arg("study"), py::kw_only(), py::arg("trials") = py::none(), py::arg("seed") = py::none(),
      py::arg("threads") = 0u,
      "Simulate the study's year many times: `mistakesim run STUDY --json`. threads=0 uses every core; "
      "the results never depend on it.");
  m.def(
      "compare",
      [request](std::string study, std::vector<std::string> interventions, std::optional<std::uint64_t> trials,
                std::optional<std::uint64_t> seed, unsigned threads) {
        return compare_study(request(std::move(study), trials, seed, threads), interventions);
      },
      py::arg("study"), py::kw_only(), py::arg("interventions") = std::vector<std::string>{},
      py::arg("trials") = py::none(), py::arg("seed") = py::none(), py::arg("threads") = 0u,
      "Each intervention against the baseline over the same years: `mistakesim compare STUDY --json` "
      "(interventions: ids to compare; default every intervention of the study).");
  m.def(
      "sweep",
      [request](std::string study, std::string param, std::vector<double> values, std::optional<std::string> param2,
                std::optional<std::vector<double>> values2, std::optional<std::uint64_t> trials,
                std::optional<std::uint64_t> seed, unsigned threads) {
        return sweep_study(request(std::move(study), trials, seed, threads), param, values, param2, values2);
      },
      py::arg("study"), py::arg("param"), py::arg("values"), py::kw_only(), py::arg("param2") = py::none(),
      py::arg("values2") = py::none(), py::arg("trials") = py::none(), py::arg("seed") = py::none(),
      py::arg("threads") = 0u,
      "The study with a year-level input set to each value: `mistakesim sweep STUDY --param P --values V --json`.");
  m.def(
      "sensitivity",
      [request](std::string study, std::optional<std::uint64_t> trials, std::optional<std::uint64_t> seed,
                unsigned threads) { return sensitivity_study(request(std::move(study), trials, seed, threads)); },
      py::arg("study"), py::kw_only(), py::arg("trials") = py::none(), py::arg("seed") = py::none(),
      py::arg("threads") = 0u,
      "Which uncertain inputs drive the yearly cost: `mistakesim sensitivity STUDY --json`.");
}
