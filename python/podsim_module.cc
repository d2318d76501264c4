// The `podsim` Python module (pybind11): scenarios loaded, changed with --set's syntax
// and run through the same layers as the command line (scenario/ -> sim/), results as
// plain dicts and lists that pandas.DataFrame takes as they are.
//
//   import podsim
//   r = podsim.load("scenarios/smoke.textproto").set("seed=7").run()
//   pandas.DataFrame(r["jobs"])                   # jobs.csv's columns and values
//   pandas.DataFrame(podsim.sweep("scenarios/smoke.textproto", set=["seed=1,2,3"]))
//
// Errors in the input raise ValueError with the CLI's one-line message (FILE:LINE:COL,
// field path, what was expected).
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "engine/error.h"
#include "io/cluster_results.h"
#include "io/json_writer.h"
#include "scenario/cluster_run.h"
#include "scenario/compare_run.h"
#include "scenario/plan_cluster.h"
#include "scenario/scenario_check.h"
#include "scenario/run_metrics.h"
#include "scenario/scenario_file.h"
#include "scenario/sweep_plan.h"
#include "sim/headline_metrics.h"
#include "workloads/planner.h"

namespace py = pybind11;

namespace podsim::python {
namespace {

py::object opt(const std::optional<double>& v) { return v ? py::object(py::float_(*v)) : py::object(py::none()); }

py::dict metrics(const std::vector<sim::Metric>& ms) {
  py::dict d;
  // Named as the wide sweep columns; numbers as floats, text as str, unknown as None.
  for (const sim::Metric& m : ms)
    d[py::str(m.column())] = m.number ? py::object(py::float_(*m.number))
                                      : m.unit.empty() ? py::object(py::str(m.text)) : py::object(py::none());
  return d;
}

// A JSON document as plain Python values: objects as dicts (keys in order), arrays as
// lists, null as None.
py::object to_python(const io::Json& j) {
  switch (j.type()) {
    case io::Json::value_t::object: {
      py::dict d;
      for (const auto& [key, value] : j.items()) d[py::str(key)] = to_python(value);
      return d;
    }
    case io::Json::value_t::array: {
      py::list l;
      for (const io::Json& value : j) l.append(to_python(value));
      return l;
    }
    case io::Json::value_t::string: return py::str(j.get<std::string>());
    case io::Json::value_t::boolean: return py::bool_(j.get<bool>());
    case io::Json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case io::Json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case io::Json::value_t::number_float: return py::float_(j.get<double>());
    default: return py::none();
  }
}

// results.json's document (the CSVs' column names and values), with what the printed
// summary adds: the rows a trace source skipped and the reference of trace durations.
py::dict cluster_dict(const sim::ClusterRunOutput& out) {
  py::dict r;
  r["kind"] = "cluster";
  py::dict results = to_python(io::results_json(out.result));
  for (const auto& [key, value] : results) r[key] = value;
  py::dict skipped;
  for (const auto& [reason, count] : out.skipped_by_reason) skipped[py::str(reason)] = count;
  r["skipped_rows"] = skipped;                      // by reason, as the summary prints them
  py::dict machines;
  for (const auto& [reason, count] : out.skipped_machines) machines[py::str(reason)] = count;
  r["skipped_machines"] = machines;                 // node-list machines not in the cluster, by reason
  r["skipped_oversized"] = out.skipped_oversized;  // jobs larger than any pool (skip_oversized)
  r["duration_reference"] = out.duration_reference.empty() ? py::object(py::none())
                                                           : py::object(py::str(out.duration_reference));
  r["metrics"] = metrics(sim::headline_metrics(out));
  return r;
}

py::dict step_dict(const workloads::StepResult& x) {
  py::dict d;
  d["step_s"] = x.step_s;
  d["compute_s"] = x.compute_s;
  d["host_s"] = x.host_s;
  d["offload_s"] = x.offload_s;
  d["bubble_s"] = x.bubble_s;
  py::dict exposed;
  for (size_t c = 0; c < workloads::kCommClasses; ++c)
    exposed[py::str(workloads::to_string(static_cast<workloads::CommClass>(c)))] = x.exposed_s[c];
  d["exposed_s"] = exposed;
  d["mfu"] = x.mfu;
  d["samples_per_s"] = x.samples_per_s;
  d["tokens_per_s"] = x.tokens_per_s;
  d["model_tflops_per_device"] = x.model_tflops_per_device;
  d["hw_tflops_per_device"] = x.hw_tflops_per_device;
  d["bottleneck"] = x.bottleneck;
  d["steps"] = x.steps;
  d["time_to_train_s"] = x.time_to_train_s;
  d["energy_j"] = opt(x.energy_j);
  return d;
}

py::dict study_dict(const sim::StudyResult& r) {
  py::list cells;
  for (const sim::StudyCell& c : r.cells) {
    py::dict d = step_dict(c.result);
    d["system"] = c.system;
    d["job"] = c.job;
    d["device"] = c.device;
    d["devices"] = c.devices;
    d["scale_up_domain"] = c.scale_up_domain;
    d["plan"] = workloads::describe(c.plan);
    d["auto_planned"] = c.auto_planned;
    d["memory_bytes"] = c.memory.need.total().value();            // fullest stage, per device
    d["memory_available_bytes"] = c.memory.available.value();     // HBM less the runtime reserve
    cells.append(d);
  }
  py::dict out;
  out["kind"] = "comparison";
  out["name"] = r.name;
  out["mode"] = r.mode;
  out["systems"] = r.systems;
  out["jobs"] = r.jobs;
  out["cells"] = cells;
  out["metrics"] = metrics(sim::headline_metrics(r));
  return out;
}

// A swept value as Python would write it: an int or a float when the text is one (as
// pandas reads the CLI's CSV), else the text ("FIFO").
py::object swept_value(const std::string& text) {
  const char* end = text.data() + text.size();
  int64_t i = 0;
  if (const auto r = std::from_chars(text.data(), end, i); r.ec == std::errc() && r.ptr == end) return py::int_(i);
  double d = 0;
  if (const auto r = std::from_chars(text.data(), end, d); r.ec == std::errc() && r.ptr == end && std::isfinite(d))
    return py::float_(d);
  return py::str(text);
}

// `podsim sweep`'s wide table, one dict per point in point order: "point", the swept
// fields (their paths), the metrics (named as the CSV's columns; None where a point has
// no such figure) and "error" (None, or the one-line reason the point failed: its
// metrics are then absent, and the sweep goes on, as the CLI's does).
py::list sweep(const std::string& path, const std::vector<std::string>& lists) {
  const scenario::SweepPlan plan = scenario::SweepPlan::make(scenario::ScenarioFile::load(path), lists);
  const std::vector<std::string> fields = plan.fields();
  py::list rows;
  for (size_t p = 0; p < plan.points(); ++p) {
    std::vector<sim::Metric> ms;
    std::string error;
    {
      py::gil_scoped_release unlocked;  // the point holds no Python object
      try {
        ms = scenario::headline_metrics(plan.point_file(p));
      } catch (const UserError& e) {
        error = e.what();
      }
    }
    py::dict row;
    row["point"] = p;
    const std::vector<std::string> values = plan.values(p);
    for (size_t f = 0; f < fields.size(); ++f) row[py::str(fields[f])] = swept_value(values[f]);
    for (const auto& [column, value] : metrics(ms)) row[column] = value;
    row["error"] = error.empty() ? py::object(py::none()) : py::object(py::str(error));
    rows.append(row);
  }
  return rows;
}

// A scenario file, loaded and changed in place.
class Scenario {
 public:
  explicit Scenario(scenario::ScenarioFile file) : file_(std::move(file)) {}
  Scenario& set(const std::string& assignment) {
    file_.apply_override(assignment);
    return *this;
  }
  py::dict run() const {
    const podsim::v1::Scenario& s = file_.scenario();
    if (s.has_sweep())
      throw UserError(fmt::format("{}: a sweep scenario: run its points with podsim.sweep() (run() runs one "
                                  "scenario; change it with set())",
                                  file_.path()));
    if (s.has_compare()) {
      std::optional<sim::StudyResult> study;
      {
        py::gil_scoped_release unlocked;  // the run holds no Python object
        study = scenario::run_study(file_);
      }
      return study_dict(*study);
    }
    scenario::check_scenario(file_);
    if (!scenario::has_cluster_run(file_))
      throw UserError(fmt::format("{}: nothing to simulate (expected a 'cluster' with 'jobs' or 'sources', or "
                                  "'compare')",
                                  file_.path()));
    std::optional<sim::ClusterRunOutput> out;
    {
      py::gil_scoped_release unlocked;
      out = scenario::run_cluster(file_);
    }
    return cluster_dict(*out);
  }
  const std::string& path() const { return file_.path(); }

 private:
  scenario::ScenarioFile file_;
};

// `podsim plan`: the best plans, fastest first, each a dict of plain values.
py::list plan(scenario::PlanRequest request) {
  scenario::PlanAnswer answer;
  {
    py::gil_scoped_release unlocked;  // the search holds no Python object
    answer = scenario::plan(request);
  }
  py::list out;
  int rank = 0;
  for (const workloads::PlannedStep& s : answer.report.best) {
    py::dict d;
    d["rank"] = ++rank;
    d["plan"] = workloads::describe(s.plan);
    d["tp"] = s.plan.tp;
    d["pp"] = s.plan.pp;
    d["dp"] = s.plan.dp;
    d["ep"] = s.plan.ep;
    d["cp"] = s.plan.cp;
    d["micro_batch"] = s.plan.micro_batch;
    d["memory_gb"] = s.memory.total().value() / 1e9;
    for (auto item : step_dict(s.result)) d[item.first] = item.second;
    out.append(d);
  }
  return out;
}

}  // namespace
}  // namespace podsim::python

PYBIND11_MODULE(podsim, m) {
  using podsim::python::Scenario;
  m.doc() = "podsim: AI training clusters simulated (scenario files, comparison studies, cluster runs, plans)";
  py::register_exception<podsim::UserError>(m, "Error", PyExc_ValueError);
  py::class_<Scenario>(m, "Scenario")
      .def("set", &Scenario::set, py::arg("assignment"), py::return_value_policy::reference_internal,
           "Applies FIELD=VALUE as `--set` does; returns the scenario")
      .def("run", &Scenario::run, "Runs it: a dict of plain values (summary, jobs, timeline or cells; metrics)")
      .def_property_readonly("path", &Scenario::path);
  m.def("load", [](const std::string& path) { return Scenario(podsim::scenario::ScenarioFile::load(path)); },
        py::arg("path"), "A scenario file (.textproto)");
  m.def("loads",
        [](const std::string& text, const std::string& name) {
          return Scenario(podsim::scenario::ScenarioFile::parse(name, text));
        },
        py::arg("text"), py::arg("name") = "<string>", "A scenario from text; errors name `name`");
  m.def("sweep", &podsim::python::sweep, py::arg("path"), py::kw_only(), py::arg("set") = std::vector<std::string>{},
        "The points of a sweep, as `podsim sweep PATH --set FIELD=V1,V2,...` computes them: the file's sweep\n"
        "block and `set`'s lists (a field the block sweeps takes these values instead). A list of dicts, one per\n"
        "point: 'point', each swept field, each metric (the wide CSV's columns), 'error'.");
  m.def(
      "plan",
      [](const std::string& model, const std::string& system, int devices, const std::string& cluster,
         const std::vector<std::string>& overrides, int global_batch, const std::string& precision, int top,
         const std::string& cuda_graphs) {
        return podsim::python::plan({.model = model, .system = system, .cluster_file = cluster,
                                     .overrides = overrides, .devices = devices, .global_batch = global_batch,
                                     .precision = precision, .top = top, .cuda_graphs = cuda_graphs});
      },
      py::arg("model"), py::arg("system") = "", py::arg("devices") = 0, py::kw_only(), py::arg("cluster") = "",
      py::arg("set") = std::vector<std::string>{}, py::arg("global_batch") = 0, py::arg("precision") = "bf16",
      py::arg("top") = 5, py::arg("cuda_graphs") = "none",
      "The best parallel plans (fastest first), as `podsim plan` prints them: on `devices` of preset `system`, or\n"
      "on the cluster of the scenario file `cluster`; `set` changes that cluster (['cluster.FIELD=VALUE', ...]).\n"
      "A list of dicts of plain values (pandas.DataFrame takes it as it is).");
}
