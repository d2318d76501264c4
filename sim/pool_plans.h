#pragma once
// Each explicit job's plan on each pool of a heterogeneous cluster, checked against the
// pool's device: job size, precision, attention kernel, memory; an auto-planned job
// searched on it (workloads/planner.h). A job that names its pools must fit each of
// them; one that names none is restricted to the pools it fits, and must fit one.
//
// plan_search times its candidates on devices 0..N-1 of the fabric (planner.h), which
// are the first pool's: for another pool the plan is chosen for that pool's device and
// scale-up domain size but timed on the first pool's links.
#include <cstddef>
#include <string>
#include <vector>

#include "engine/network/fabric.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "sim/step_oracle.h"
#include "topologies/cluster.h"
#include "workloads/job.h"

namespace podsim::sim {

// A job that does not fit a pool it must fit: "job 'J' does not fit pool 'P' (DEVICE): why".
struct PlanProblem {
  size_t job = 0;  // index into the explicit jobs
  std::string message;
};

struct PoolPlanResult {
  PoolPlans plans;                    // plans[k][pool]
  std::vector<PlanProblem> problems;  // empty iff every job fits where it must
};

// `jobs[k]` is explicit job k's request (explicit jobs come first, in order); a job
// that names no pools gets the pools it fits in jobs[k].pools. `auto_plan[k]`: search
// job k's plan instead of checking models[k].plan. REQUIRES: inv built from cluster.
PoolPlanResult pool_plans(const topologies::Cluster& cluster, const engine::Fabric& fabric,
                          const scheduler::Inventory& inv, const std::vector<workloads::TrainingJob>& models,
                          const std::vector<bool>& auto_plan, std::vector<scheduler::JobRequest>& jobs);

}  // namespace podsim::sim
