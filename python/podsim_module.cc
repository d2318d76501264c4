// The `podsim` Python module (pybind11): scenarios loaded, changed with --set's syntax
// and run through the same layers as the command line (scenario/ -> sim/), results as
// plain dicts and lists that pandas.DataFrame takes as they are.
//
//   import podsim
//   r = podsim.load("scenarios/smoke.textproto").set("seed=7").run()
//   pandas.DataFrame(r["jobs"])
//
// Errors in the input raise ValueError with the CLI's one-line message (FILE:LINE:COL,
// field path, what was expected).
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "engine/error.h"
#include "scenario/cluster_run.h"
#include "scenario/compare_run.h"
#include "scenario/plan_cluster.h"
#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
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

py::dict cluster_dict(const sim::ClusterRunOutput& out) {
  const scheduler::ClusterSummary& s = out.result.summary;
  py::dict summary;
  summary["policy"] = s.policy;
  summary["placement"] = s.placement;
  summary["devices"] = s.devices;
  summary["jobs"] = s.jobs;
  summary["finished"] = s.finished;
  summary["makespan_s"] = s.makespan_s;
  summary["jct_mean_s"] = s.jct_s.mean;
  summary["jct_p50_s"] = s.jct_s.p50;
  summary["jct_p99_s"] = s.jct_s.p99;
  summary["queue_delay_mean_s"] = s.queue_delay_s.mean;
  summary["queue_delay_p50_s"] = s.queue_delay_s.p50;
  summary["queue_delay_p99_s"] = s.queue_delay_s.p99;
  summary["first_start_delay_mean_s"] = s.first_start_delay_s.mean;
  summary["first_start_delay_p50_s"] = s.first_start_delay_s.p50;
  summary["first_start_delay_p99_s"] = s.first_start_delay_s.p99;
  summary["drain_tail_s"] = s.drain_tail_s;
  summary["utilization_before_drain"] = opt(s.utilization_before_drain);
  summary["utilization"] = s.utilization;
  summary["mfu_utilization"] = s.mfu_utilization;
  summary["fragmentation"] = s.fragmentation;
  summary["energy_j"] = s.energy_j;
  summary["goodput"] = s.goodput;
  summary["interruptions"] = s.interruptions;
  summary["preemptions"] = s.preemptions;
  summary["failures"] = s.failures;
  summary["lost_device_hours"] = s.lost_device_hours;
  py::list jobs;
  for (const scheduler::JobResult& j : out.result.jobs) {
    py::dict d;
    d["name"] = j.name;
    d["devices"] = j.devices;
    d["pool"] = j.pool;
    d["arrival_s"] = j.arrival_s;
    d["first_start_s"] = opt(j.first_start_s);
    d["end_s"] = opt(j.end_s);
    d["queue_delay_s"] = j.queue_delay_s;
    d["first_start_delay_s"] = j.first_start_delay_s;
    d["jct_s"] = opt(j.jct_s);
    d["time_to_train_s"] = opt(j.time_to_train_s);
    d["held_s"] = j.held_s;
    d["mfu"] = opt(j.mfu);
    d["goodput"] = j.goodput;
    d["interruptions"] = j.interruptions;
    d["preemptions"] = j.preemptions;
    d["checkpoints"] = j.checkpoints;
    d["lost_steps"] = j.lost_steps;
    d["lost_seconds"] = j.lost_seconds;
    jobs.append(d);
  }
  py::list timeline;
  for (const scheduler::TimelineSample& t : out.result.timeline) {
    py::dict d;
    d["t_s"] = t.t_s;
    d["allocated"] = t.allocated;
    d["down"] = t.down;
    d["utilization"] = t.utilization;
    d["mfu_utilization"] = t.mfu_utilization;
    d["fragmentation"] = t.fragmentation;
    d["queued"] = t.queued;
    d["running"] = t.running;
    d["power_w"] = t.power_w;
    timeline.append(d);
  }
  py::dict r;
  r["kind"] = "cluster";
  r["summary"] = summary;
  r["jobs"] = jobs;
  r["timeline"] = timeline;
  r["metrics"] = metrics(sim::headline_metrics(out));
  return r;
}

py::dict step_dict(const workloads::StepResult& x) {
  py::dict d;
  d["step_s"] = x.step_s;
  d["compute_s"] = x.compute_s;
  d["host_s"] = x.host_s;
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
      throw UserError(fmt::format("{}: a sweep scenario: run its points with `podsim sweep` (the module runs one "
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
