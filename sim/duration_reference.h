#pragma once
// What a trace or synthetic job's duration means when pools differ. Such a job (workload
// 0) carries a run time, not a model: it is work at the reference speed, the slowest
// pool's BF16 peak (inventory_from_cluster.cc sets each pool's relative_speed against
// it), so a faster pool runs it in duration / relative_speed. That assumption changes
// every such job's time on a mixed cluster; this states it, so it is never taken
// silently.
//
//   "run times at pool 'h100' speed (the slowest BF16 peak); 'gb200' runs them 2.50x faster"
#include <string>
#include <vector>

#include "scheduler/inventory.h"
#include "scheduler/job.h"

namespace podsim::sim {

// The statement for `jobs` on `inv`; empty when no job is a duration (workload 0) or the
// pools such jobs may use all run at one speed.
std::string duration_reference(const scheduler::Inventory& inv, const std::vector<scheduler::JobRequest>& jobs);

// What class jobs' run times were converted at (sim/class_work.h), one clause per trace
// source and reference pool; empty when there are none:
//   "sources[0]: 15802 class jobs' run times are work alone on pool 'hgx', packed in the
//    fewest scale-up domains; steps = run time / step time there"
struct ClassWork;
std::string class_reference(const scheduler::Inventory& inv, const std::vector<ClassWork>& work);

}  // namespace podsim::sim
