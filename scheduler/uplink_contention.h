#pragma once
// UplinkContention: the leaf uplinks a cluster run's cross-leaf jobs share. A job that
// spans several leaf switches sends steady traffic out of each; each (job, leaf) is one
// flow, capped at the job's demand, and the flows on a leaf's uplink share its capacity
// max-min fairly (engine/network/maxmin.h). Leaves without an uplink capacity in the
// inventory are not modelled (their flows are not added).
//
// The run loop adds and removes a job's flows as it starts and stops, and calls
// resolve() before the rates matter; resolve() says which jobs' rates moved. With an
// observer it also tells flows starting and ending and each leaf's new load.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/network/maxmin.h"
#include "engine/sim_time.h"
#include "scheduler/inventory.h"
#include "scheduler/run_observer.h"

namespace podsim::scheduler {

class UplinkContention {
 public:
  // `observer` (not owned) may be null.
  UplinkContention(const Inventory& inv, size_t jobs, RunObserver* observer);

  // Job `job` on `devices` asks `demand_bytes_per_s` out of each leaf they span.
  // REQUIRES: the job has no flows.
  void add(engine::SimTime now, uint32_t job, std::span<const uint32_t> devices, double demand_bytes_per_s);
  // Removes the job's flows (none: nothing happens).
  void remove(engine::SimTime now, uint32_t job);
  // True when flows were added or removed since the last resolve().
  bool changed() const { return changed_; }

  struct JobRate {
    uint32_t job;
    double bytes_per_s;  // the least rate among its flows: what it gets out of every leaf
  };
  // Shares the uplinks again. Returns the jobs (in increasing order) with flows whose
  // rates were recomputed.
  std::vector<JobRate> resolve(engine::SimTime now);

 private:
  void observe_links(engine::SimTime now);

  const Inventory& inv_;
  RunObserver* obs_;
  engine::MaxMinSolver solver_;
  std::vector<std::optional<engine::LinkId>> leaf_link_;  // by leaf
  std::vector<std::vector<engine::FlowId>> job_flows_;    // by job
  std::vector<uint32_t> flow_job_;                        // by FlowId
  bool changed_ = false;

  // Observation only.
  std::vector<uint32_t> flow_leaf_;      // by FlowId
  std::vector<double> told_leaf_load_;   // by leaf
  std::vector<uint32_t> dirty_leaves_;   // whose load may have changed since last told
};

}  // namespace podsim::scheduler
