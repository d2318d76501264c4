#include "fuzz/fuzz_entries.h"

#include <sstream>
#include <string>

#include "scenario/job_from_proto.h"
#include "scenario/node_list.h"
#include "scenario/run_metrics.h"
#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
#include "io/trace_reader.h"
#include "engine/error.h"
#include "scheduler/trace_declared.h"
#include "scheduler/traces.h"

namespace podsim::fuzz {
namespace {

// The checks `podsim run` makes before building the cluster or stepping a job.
void check_all(const scenario::ScenarioFile& file) {
  scenario::check_scenario(file);
  for (int i = 0; i < file.scenario().jobs_size(); ++i) {
    scenario::Problems problems(file);
    (void)scenario::training_job(file, i, problems);
    problems.throw_if_any();
  }
}

// A valid scenario with one of everything a path can reach into: a pool, a fat tree,
// a job with a model and a plan.
constexpr std::string_view kBase = R"(name: "fuzz"
cluster {
  pools { name: "nvl72" preset: "nvl72" count: 1 }
}
jobs {
  name: "a"
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 16 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  precision: BF16
  steps: 10
}
)";

// One HGX H100 server: a cluster run of a few jobs, milliseconds per input.
constexpr std::string_view kSmallRun = R"(name: "fuzz_run"
horizon_s: 864000
cluster { pools { name: "p" preset: "hgx-h100" count: 1 } }
jobs { name: "a" model { preset: "llama3-8b" } plan { tp: 4 dp: 2 micro_batch: 1 global_batch: 16 } steps: 50 }
sources { synthetic { jobs: 3 mean_interarrival_s: 600 templates { name: "t" devices { count: 2 } median_hours: 1 } } }
)";

// Whether the run `file` asks for is small enough to simulate per fuzz input (the run-
// size estimate that refuses huge runs is not what this target exercises).
bool small_run(const scenario::ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  if (s.has_compare() || s.sources_size() > 1 || s.jobs_size() > 2) return false;
  for (const auto& p : s.cluster().pools())
    if (p.count() > 2) return false;
  for (const auto& src : s.sources())
    if (src.synthetic().jobs() > 20 || src.has_trace()) return false;
  for (const auto& k : s.failures().kinds())
    if (k.mtbf_hours() < 100) return false;
  const auto& cp = s.scheduler().checkpoint();
  if (cp.interval_s() > 0 && cp.interval_s() < 60) return false;
  return s.scheduler().timeline_samples() <= 1000 && s.failures().kinds_size() <= 2 &&
         !s.failures().llama3_device_rate();
}

void apply_lines(scenario::ScenarioFile& file, std::string_view data) {
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string_view::npos) end = data.size();
    file.apply_override(data.substr(start, end - start));
    start = end + 1;
  }
}

void read_csv(std::string_view data, scheduler::TraceFormat format) {
  std::istringstream in{std::string(data)};
  (void)scheduler::read_trace(in, "fuzz.csv", format);
}

// The five declarations declared_trace picks from, one per kind of table the
// declared reader exists for (scheduler/trace_declared.h's examples and data/traces/).
scheduler::TraceColumns declaration(unsigned char pick) {
  using scheduler::TimeFormat;
  using scheduler::TimeUnit;
  scheduler::TraceColumns c;
  switch (pick % 5) {
    case 0:  // data/traces/k8s-pod-list-synthetic
      c.job_id = "name";
      c.submit = {.name = "creation_time", .format = TimeFormat::kOffset};
      c.start = {.name = "scheduled_time", .format = TimeFormat::kOffset};
      c.end = {.name = "deletion_time", .format = TimeFormat::kOffset};
      c.gpus = "num_gpu";
      c.gpu_milli = "gpu_milli";
      c.gpu_type = "gpu_spec";
      c.queue = "qos";
      c.status = "pod_phase";
      c.round_up_fractional = (pick / 4) % 2 == 1;
      break;
    case 1:  // data/traces/slurm-sacct-synthetic
      c.job_id = "JobID";
      c.submit = {.name = "Submit", .format = TimeFormat::kIso8601};
      c.start = {.name = "Start", .format = TimeFormat::kIso8601};
      c.end = {.name = "End", .format = TimeFormat::kIso8601};
      c.duration = {.name = "Elapsed"};
      c.nodes = "NNodes";
      c.gpus = "GPUsPerNode";
      c.user = "User";
      c.queue = "Partition";
      c.priority = "Priority";
      c.status = "State";
      c.keep_status = {"COMPLETED", "FAILED", "TIMEOUT"};
      break;
    case 2:  // data/traces/philly-style-itp-derived, as node counts
      c.job_id = "job_id";
      c.submit = {.name = "interval", .format = TimeFormat::kInterval};
      c.duration = {.name = "run_time", .unit = TimeUnit::kMinutes};
      c.nodes = "num_gpu";
      c.gpus_per_node = 8;
      c.keep_columns = {"user"};
      break;
    case 3:  // data/traces/pai-task-table-synthetic: no header row, GPUs in percent
      c.header = {"job_name", "task_name", "inst_num", "status", "start_time", "end_time", "plan_cpu", "plan_mem",
                  "plan_gpu", "gpu_type"};
      c.submit = {.name = "start_time", .format = TimeFormat::kOffset};
      c.start = {.name = "start_time", .format = TimeFormat::kOffset};
      c.end = {.name = "end_time", .format = TimeFormat::kOffset};
      c.nodes = "inst_num";
      c.gpus = "plan_gpu";
      c.gpus_unit = scheduler::GpuUnit::kPercent;
      c.gpu_type = "gpu_type";
      c.status = "status";
      c.keep_status = {"Terminated"};
      c.round_up_fractional = (pick / 5) % 2 == 1;
      break;
    default:  // epoch milliseconds
      c.submit = {.name = "submit", .format = TimeFormat::kEpoch, .unit = TimeUnit::kMilliseconds};
      c.start = {.name = "start", .format = TimeFormat::kEpoch, .unit = TimeUnit::kMilliseconds};
      c.end = {.name = "end", .format = TimeFormat::kEpoch, .unit = TimeUnit::kMilliseconds};
      c.gpus = "gpus";
      c.status = "state";
      c.keep_status = {"done"};
      break;
  }
  return c;
}

}  // namespace

void scenario_loader(std::string_view data) {
  try {
    check_all(scenario::ScenarioFile::parse("fuzz.textproto", std::string(data)));
  } catch (const UserError&) {
  }
}

void set_path(std::string_view data) {
  try {
    scenario::ScenarioFile file = scenario::ScenarioFile::parse("fuzz.textproto", std::string(kBase));
    apply_lines(file, data);
    check_all(file);
  } catch (const UserError&) {
  }
}

void set_run(std::string_view data) {
  try {
    scenario::ScenarioFile file = scenario::ScenarioFile::parse("fuzz_run.textproto", std::string(kSmallRun));
    apply_lines(file, data);
    check_all(file);
    if (small_run(file)) (void)scenario::headline_metrics(file);
  } catch (const UserError&) {
  }
}

void itp_trace(std::string_view data) {
  try {
    read_csv(data, scheduler::TraceFormat::kItp);
  } catch (const UserError&) {
  }
}

void slurm_trace(std::string_view data) {
  try {
    read_csv(data, scheduler::TraceFormat::kSlurm);
  } catch (const UserError&) {
  }
}

void swf_trace(std::string_view data) {
  try {
    read_csv(data, scheduler::TraceFormat::kSwf);
  } catch (const UserError&) {
  }
}

void declared_trace(std::string_view data) {
  if (data.empty()) return;
  try {
    std::istringstream in{std::string(data.substr(1))};
    (void)scheduler::read_declared_trace(in, "fuzz.csv", declaration(static_cast<unsigned char>(data[0])));
  } catch (const UserError&) {
  }
}

void node_list(std::string_view data) {
  if (data.empty()) return;
  const scenario::NodeListColumns columns =
      data[0] % 2 ? scenario::NodeListColumns{.gpus = "gpu", .gpu_type = "model"} : scenario::NodeListColumns{.gpus = "gpus"};
  try {
    std::istringstream in{std::string(data.substr(1))};
    (void)scenario::read_node_list(in, "fuzz.csv", columns);
  } catch (const UserError&) {
  }
}

void protobuf_trace(std::string_view data) {
  try {
    io::read_trace_bytes(
        data, "fuzz.trace", [](const v1::TraceHeader&) {}, [](const v1::TraceEvent&) {});
  } catch (const UserError&) {
  }
}

bool run_target(std::string_view target, std::string_view data) {
  if (target == "scenario_loader") scenario_loader(data);
  else if (target == "set_path") set_path(data);
  else if (target == "set_run") set_run(data);
  else if (target == "itp_trace") itp_trace(data);
  else if (target == "slurm_trace") slurm_trace(data);
  else if (target == "swf_trace") swf_trace(data);
  else if (target == "declared_trace") declared_trace(data);
  else if (target == "node_list") node_list(data);
  else if (target == "protobuf_trace") protobuf_trace(data);
  else return false;
  return true;
}

}  // namespace podsim::fuzz
