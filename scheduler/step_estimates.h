#pragma once
// StepEstimates: the run loop's cache of the oracle's answers (scheduler/job.h
// StepModelOracle), one per (workload, devices, placement shape), and the nominal step
// time a policy ranks a queued job by: its step on the compact (topology-aware)
// placement of its size on the empty pool, whatever is free now.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "scheduler/free_map.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "scheduler/placement.h"

namespace podsim::scheduler {

class StepEstimates {
 public:
  // `oracle` (not owned) must outlive this.
  StepEstimates(const Inventory& inv, StepModelOracle& oracle);

  // The oracle's estimate for `job` on `shape`, asked once per key. Checks the step time
  // is positive and finite.
  const StepEstimate& estimate(const JobRequest& job, const PlacementShape& shape);
  // `job`'s step time on the compact placement of its size in the empty `pool`.
  // REQUIRES: the job fits the pool.
  double nominal_step_seconds(const JobRequest& job, uint32_t pool) const;
  // Estimates asked of the oracle for placements taken (not nominal ones).
  size_t size() const { return estimates_.size(); }

 private:
  struct Key {
    uint32_t workload, devices;
    PlacementShape shape;
    auto operator<=>(const Key&) const = default;
  };
  StepModelOracle& oracle_;
  FreeMap pristine_;  // never taken from: for nominal (compact) shapes
  std::unique_ptr<PlacementStrategy> compact_;
  std::map<Key, StepEstimate> estimates_;
  mutable std::map<std::pair<uint32_t, uint32_t>, PlacementShape> nominal_shapes_;  // (pool, devices)
  mutable std::map<Key, double> nominal_steps_;
};

}  // namespace podsim::scheduler
