#pragma once
// Class jobs' work. A trace row that became a job of a class (scheduling.proto JobClass)
// carries a run time measured on a reference: a pool of the cluster, the job alone on it,
// placed as topology-aware placement packs it on the empty pool (fewest scale-up domains,
// then nodes, then leaves). That run time is converted ONCE, here, to optimizer steps of
// the class's workload with the step model on that reference:
//
//   steps = max(run time, 1 s) / step_s(workload, reference pool, reference placement)
//
// From then on the step model times each step on the placement the job actually gets
// (sim/step_oracle.h): alone on the reference placement it runs exactly its run time;
// split over more nodes or domains, on a slower pool or behind contended links, longer.
//
// Each class job is also fitted to the pools its model has a plan on (sim/pool_plans.h);
// one with no plan on the reference pool, or on no pool it may use, is dropped and
// counted in skipped_by_reason.
#include "sim/cluster_run.h"
#include "sim/step_oracle.h"
#include "scheduler/inventory.h"
#include "topologies/cluster.h"

namespace podsim::sim {

// REQUIRES: plans from pool_plans() on jobs.models; inv built from cluster.
void class_jobs_to_steps(const topologies::Cluster& cluster, const scheduler::Inventory& inv, const PoolPlans& plans,
                         SchedulerJobs& jobs);

// The reference placement's shape of `job` on `pool` (topology-aware on the empty pool,
// within the job's constraints when it can meet them there).
scheduler::PlacementShape reference_shape(const scheduler::Inventory& inv, const scheduler::JobRequest& job,
                                          uint32_t pool);

}  // namespace podsim::sim
