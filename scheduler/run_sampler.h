#pragma once
// RunSampler: the cluster's state, taken by the run loop after every change. It is
// recorded (metrics.h) for the time-averages and the timeline, and told to the observer
// (run_observer.h) when what the observer sees (per-pool usage, queue, running jobs)
// differs from what it was last told.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/metrics.h"
#include "scheduler/run_observer.h"

namespace podsim::scheduler {

class RunSampler {
 public:
  // `observer` (not owned) may be null.
  RunSampler(double devices, RunObserver* observer) : recorder_(devices), obs_(observer) {}

  // The state from `now` on; `held_in_pool` and `down_in_pool` are by pool.
  // REQUIRES: now >= every earlier now; the same number of pools every time.
  void note(engine::SimTime now, const ClusterState& state, std::span<const uint32_t> held_in_pool,
            std::span<const uint32_t> down_in_pool);

  const Recorder& recorder() const { return recorder_; }

 private:
  Recorder recorder_;
  RunObserver* obs_;
  std::vector<PoolUsage> told_pools_;  // as last told
  uint32_t told_queued_ = 0, told_running_ = 0;
};

}  // namespace podsim::scheduler
