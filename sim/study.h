#pragma once
// A comparison study: every job, alone, on each system, its step simulated by the step
// model (workloads/step_model.h) on the first devices of the system (aligned
// placement, workloads/placement.h), with the job's plan or the auto-planner's
// (workloads/planner.h). scenario/compare_run.h builds the systems and jobs of a
// scenario's `compare` section and runs them here; report/comparison_table.h renders.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/network/fabric.h"
#include "topologies/cluster.h"
#include "topologies/params.h"
#include "workloads/job.h"
#include "workloads/memory.h"
#include "workloads/parallel_plan.h"
#include "workloads/planner.h"
#include "workloads/step_model.h"
#include "workloads/step_observer.h"

namespace podsim::sim {

struct StudyCell {
  std::string system;  // the variant's name (the cluster's, for a study without systems)
  std::string job;
  std::string device;  // accelerator name
  int devices = 0;
  int scale_up_domain = 0;  // devices in the job's first scale-up domain
  workloads::Plan plan;
  bool auto_planned = false;
  std::string planner_explanation;  // auto plans only
  // Auto plans: the planner's search as it ran (counts, its explanation, and its two
  // fastest plans timed in closed form: the chosen one and the runner-up, if any).
  std::optional<workloads::PlanReport> planner;
  bool is_dit = false;
  workloads::StepResult result;
  // The plan's memory on its fullest pipeline stage against the device's HBM (the check
  // the scenario layer refused with, had it not fit): what a planner looks at first.
  workloads::FitReport memory;
};

// A published figure to compare a prediction with (values as study.proto's
// Published.Metric, which the scenario layer checks).
enum class PublishedMetric {
  kMfu = 1,                   // percent
  kHwTflopsPerDevice = 2,     // recompute counted
  kModelTflopsPerDevice = 3,
  kStepSeconds = 4,
  kTokensPerSPerDevice = 5,
};

struct PublishedFigure {
  std::string job;
  PublishedMetric metric = PublishedMetric::kMfu;
  double value = 0;
  std::string source;
};

struct StudyResult {
  std::string name;
  std::string description;
  std::string mode;  // "analytical" or "flow"
  std::vector<std::string> systems;
  std::vector<std::string> jobs;
  std::vector<StudyCell> cells;  // system-major
  std::vector<PublishedFigure> published;
};

// Told of each cell as it is simulated (a trace: io/compare_trace.h).
class StudyObserver {
 public:
  virtual ~StudyObserver() = default;
  // A cell's step is about to be simulated: the observer to give the step model (may
  // be null). Valid until cell_ended.
  virtual workloads::StepObserver* cell_begins(uint32_t system, const std::string& job, uint32_t devices,
                                               double steps) = 0;
  // Its step is done, on `placement` spanning `domains` scale-up domains.
  virtual void cell_ended(std::span<const engine::DeviceId> placement, uint32_t domains,
                          const workloads::StepResult& r) = 0;
};

struct StudyJob {
  workloads::TrainingJob job;
  bool auto_plan = false;  // search the plan on the system (job.plan gives batch, precision, framework)
};

// One system of a study: its cluster and the study's jobs with its plans.
struct StudySystem {
  std::string name;
  topologies::ClusterParams cluster;
  std::vector<StudyJob> jobs;  // in the study's job order
};

// A whole study, checked: every job fits every system (scenario/compare_run.h builds it
// from a scenario file, all problems reported before anything runs).
struct StudySpec {
  std::string name;
  std::string description;
  engine::CommMode mode = engine::CommMode::kAnalytical;
  std::optional<double> link_efficiency;  // (0, 1]; nullopt: the network's default
  std::vector<std::string> jobs;
  std::vector<StudySystem> systems;
  std::vector<PublishedFigure> published;
};

// Devices a cluster of `params` has, without building it.
size_t device_count(const topologies::ClusterParams& params);

// Runs every system of `spec` in order (run_system). Throws FieldError as run_system does:
// the only problem left for run time is a flow-mode all-to-all of an auto plan too large
// for this machine (the plan is known only once searched).
StudyResult run_study(const StudySpec& spec, StudyObserver* observer = nullptr);

// Devices in the cluster's first scale-up domain.
int first_domain_size(const topologies::Cluster& c);

// The cells of `jobs` on one system (index `system_index`, named `system`), with
// `options` (mode, network, watts). An auto plan is searched in closed form and reported
// in the study's mode. Throws FieldError (sim/field_error.h) at "jobs[i]" for a job
// larger than the system and at "compare.mode" for a flow-mode all-to-all this machine
// cannot hold (sim/memory_limit.h). `observer` (not owned) may be null.
std::vector<StudyCell> run_system(const std::string& system, uint32_t system_index, const topologies::Cluster& cluster,
                                  const std::vector<StudyJob>& jobs, const workloads::StepOptions& options,
                                  StudyObserver* observer = nullptr);

// Refuses a flow-mode all-to-all over `ranks` ranks this machine cannot hold: FieldError
// at "compare.mode".
void check_flow_memory(const std::string& job, double ranks);

// The cell of `job` on `system`, or null.
const StudyCell* find_cell(const StudyResult& r, const std::string& system, const std::string& job);

// The prediction for a published metric, in its units.
double predicted_value(const StudyCell& c, PublishedMetric metric);
const char* metric_name(PublishedMetric metric);

}  // namespace podsim::sim
