#pragma once
// A cluster run with the step model: the scheduler (scheduler/cluster_run.h) on a built
// cluster, explicit jobs stepped by the workload step model on a representative
// placement of each shape (sim/step_oracle.h), trace and synthetic jobs at reference
// speed.
//
// From a spec (sim/cluster_run_spec.h), all of it:
//
//   ClusterRunOutput out = run_cluster(spec);
//
// or part by part, with jobs made by hand:
//
//   const topologies::Cluster cluster = topologies::build_cluster(params);
//   const scheduler::Inventory inv = inventory_from_cluster(cluster, params);
//   PoolPlanResult plans = pool_plans(cluster, fabric, inv, jobs.models, auto_plan, jobs.jobs);
//   ClusterRunOutput out = run_cluster(cluster, inv, jobs, std::move(plans.plans), options);
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "scheduler/cluster_run.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "scheduler/result.h"
#include "sim/cluster_run_spec.h"
#include "sim/step_oracle.h"
#include "topologies/cluster.h"
#include "workloads/job.h"

namespace podsim::sim {

// A trace row that became a job of a class (scheduling.proto JobClass): its run time is
// work on the reference, made steps by class_jobs_to_steps (sim/class_work.h).
struct ClassWork {
  size_t job = 0;               // index into SchedulerJobs::jobs
  double duration_s = 0;        // the row's run time
  uint32_t reference_pool = 0;  // where it was measured
  std::string source;           // "sources[0]", for the statement
};

// The jobs of a cluster run. Work: a trace or synthetic job is reference seconds
// (workload 0: one-second steps at the slowest pool's speed); explicit job k is
// workload k + 1, stepped by the model in `models[k]`; a class job is workload k + 1 for
// a model k >= explicit_jobs (one per class and GPU count), its steps set from
// `class_work` once plans are known.
struct SchedulerJobs {
  std::vector<scheduler::JobRequest> jobs;
  std::vector<workloads::TrainingJob> models;  // the explicit jobs', in order, then the classes'
  size_t explicit_jobs = 0;                    // jobs[0, explicit_jobs) are the explicit jobs
  std::vector<bool> auto_plan;                 // of models[k]
  std::vector<ClassWork> class_work;
  size_t skipped_rows = 0;                     // trace rows the format skips
  std::map<std::string, size_t> skipped_by_reason;  // the same rows by reason
  size_t skipped_oversized = 0;                // dropped by skip_oversized
};

// What a run built and how long each part took (podsim -v); set by the caller.
struct ClusterRunStats {
  size_t pools = 0, scale_up_domains = 0, nodes = 0, leaves = 0;
  double build_s = 0, plan_s = 0, simulate_s = 0;  // wall time
};

struct ClusterRunOutput {
  scheduler::ClusterRunResult result;
  size_t skipped_rows = 0, skipped_oversized = 0;
  // What trace and synthetic durations were taken as on a mixed cluster, and what class
  // jobs' run times were converted at; empty when nothing needs saying
  // (sim/duration_reference.h).
  std::string duration_reference;
  std::map<std::string, size_t> skipped_by_reason;  // trace rows skipped, by reason
  // Node-list machines no pool holds, by reason and list (scenario/cluster_from_proto.h);
  // set by the caller, which reads the node lists.
  std::map<std::string, size_t> skipped_machines;
  double wall_seconds = 0;  // set by the caller: what it counts is its choice
  ClusterRunStats stats;
};

// REQUIRES: inv built from cluster; plans from pool_plans() on jobs. `recorder` (not
// owned, may be null) sees each simulated step once (sim/step_oracle.h). Throws
// UserError as scheduler::run_cluster does.
ClusterRunOutput run_cluster(const topologies::Cluster& cluster, const scheduler::Inventory& inv,
                             const SchedulerJobs& jobs, PoolPlans plans, const scheduler::ClusterRunOptions& options,
                             StepRecorder* recorder = nullptr);

// What a caller adds to a run from a spec; all optional.
struct ClusterRunHooks {
  StepRecorder* steps = nullptr;  // sees each simulated step once (not owned)
  // Told the built cluster and the jobs as made, planned and converted, before the first
  // event: a last check of the run's size (scenario/run_size.h). May throw.
  std::function<void(const topologies::Cluster&, const scheduler::Inventory&, const SchedulerJobs&,
                     const scheduler::ClusterRunOptions&)>
      before_run;
};

// Builds spec.cluster (collapsed view only), makes the jobs on its inventory
// (sim/job_sources.h), plans them per pool (sim/pool_plans.h), converts class rows' run
// times to steps (sim/class_work.h) and runs. Throws FieldErrors (the jobs' problems;
// explicit jobs that fit no pool at "jobs[k].plan"), RowError, and UserError as
// scheduler::run_cluster does. Fills stats; wall_seconds is the caller's.
ClusterRunOutput run_cluster(const ClusterRunSpec& spec, const ClusterRunHooks& hooks = {});

}  // namespace podsim::sim
