#pragma once
// A cluster run's size checked before it runs (sim/run_estimate.h): first from the
// scenario's counts alone, before anything is built or generated (ten million
// synthetic jobs, four billion timeline samples), then with the jobs and the cluster
// (failures, checkpoints), before the first event. A run over its limits (the
// scenario's `limits`, or the defaults) is refused naming the field to change.
#include "scenario/scenario_file.h"
#include "scheduler/cluster_run.h"
#include "scheduler/inventory.h"
#include "sim/cluster_run.h"
#include "sim/run_estimate.h"
#include "topologies/cluster.h"

namespace podsim::scenario {

// The scenario's limits {...}, checked (UserError at the field). Defaults for 0.
sim::RunLimits run_limits(const ScenarioFile& file);

// Jobs and timeline samples, from the fields; `policy` prices the queue's passes.
// Throws UserError naming the field.
void check_run_size_before_build(const ScenarioFile& file, scheduler::PolicyKind policy);

// What the run holds, estimated before anything is built: its cluster
// (sim::cluster_build_bytes) and its jobs, timeline and events as
// check_run_size_before_build counts them. One run weighs each of the two alone against
// the limit; points of a sweep run at once add up (scenario/sweep_memory.h). Throws
// UserError naming the field.
double cluster_run_bytes(const ScenarioFile& file);

// Everything, with the jobs as generated and the options as the run will use them.
// Explicit jobs' running times are lower bounds (their FLOPs at the cluster's fastest
// peak). Throws UserError naming the field.
void check_run_size(const ScenarioFile& file, const topologies::Cluster& cluster, const scheduler::Inventory& inv,
                    const sim::SchedulerJobs& jobs, const scheduler::ClusterRunOptions& options);

// The pool indices the jobs hold in their own lists (JobRequest::pools; empty: any pool,
// nothing held), counted by check_run_size at 4 B each beyond sim::kBytesPerJob.
double job_pool_indices(const std::vector<scheduler::JobRequest>& jobs);

}  // namespace podsim::scenario
