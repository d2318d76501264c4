#pragma once
// A cluster run with the step model: the scheduler (scheduler/cluster_run.h) on a built
// cluster, explicit jobs stepped by the workload step model on a representative
// placement of each shape (sim/step_oracle.h), trace and synthetic jobs at reference
// speed.
//
//   const topologies::Cluster cluster = topologies::build_cluster(params);
//   const scheduler::Inventory inv = inventory_from_cluster(cluster, params);
//   PoolPlanResult plans = pool_plans(cluster, fabric, inv, jobs.models, auto_plan, jobs.jobs);
//   ClusterRunOutput out = run_cluster(cluster, inv, jobs, std::move(plans.plans), options);
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "scheduler/cluster_run.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "scheduler/result.h"
#include "sim/step_oracle.h"
#include "topologies/cluster.h"
#include "workloads/job.h"

namespace podsim::sim {

// The jobs of a cluster run. Work: a trace or synthetic job is reference seconds
// (workload 0: one-second steps at the slowest pool's speed); explicit job k is
// workload k + 1, stepped by the model in `models[k]`.
struct SchedulerJobs {
  std::vector<scheduler::JobRequest> jobs;
  std::vector<workloads::TrainingJob> models;  // of the explicit jobs, in order
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
  // What trace and synthetic durations were taken as on a mixed cluster; empty when
  // nothing needs saying (sim/duration_reference.h).
  std::string duration_reference;
  std::map<std::string, size_t> skipped_by_reason;  // trace rows skipped, by reason
  double wall_seconds = 0;  // set by the caller: what it counts is its choice
  ClusterRunStats stats;
};

// REQUIRES: inv built from cluster; plans from pool_plans() on jobs. `recorder` (not
// owned, may be null) sees each simulated step once (sim/step_oracle.h). Throws
// UserError as scheduler::run_cluster does.
ClusterRunOutput run_cluster(const topologies::Cluster& cluster, const scheduler::Inventory& inv,
                             const SchedulerJobs& jobs, PoolPlans plans, const scheduler::ClusterRunOptions& options,
                             StepRecorder* recorder = nullptr);

}  // namespace podsim::sim
