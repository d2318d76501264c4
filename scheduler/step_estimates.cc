#include "scheduler/step_estimates.h"

#include <cmath>

#include "engine/check.h"

namespace podsim::scheduler {

StepEstimates::StepEstimates(const Inventory& inv, StepModelOracle& oracle)
    : oracle_(oracle), pristine_(inv), compact_(make_placement(PlacementKind::kTopologyAware)) {}

const StepEstimate& StepEstimates::estimate(const JobRequest& job, const PlacementShape& shape) {
  const Key key{job.workload, job.devices, shape};
  auto it = estimates_.find(key);
  if (it == estimates_.end()) {
    StepEstimate e = oracle_.estimate(job, shape);
    PODSIM_CHECK(e.step_seconds > 0 && std::isfinite(e.step_seconds), "step model returned a non-positive step time");
    it = estimates_.emplace(key, e).first;
  }
  return it->second;
}

double StepEstimates::nominal_step_seconds(const JobRequest& job, uint32_t pool) const {
  const uint32_t n = job.devices;
  auto sit = nominal_shapes_.find({pool, n});
  if (sit == nominal_shapes_.end()) {
    std::optional<PlacementChoice> c = compact_->place(pristine_, pool, n);
    PODSIM_CHECK(c.has_value(), "a validated job does not fit its empty pool");
    sit = nominal_shapes_.emplace(std::make_pair(pool, n), c->shape).first;
  }
  const Key key{job.workload, n, sit->second};
  auto it = nominal_steps_.find(key);
  if (it == nominal_steps_.end()) {
    auto known = estimates_.find(key);
    const double step =
        known != estimates_.end() ? known->second.step_seconds : oracle_.estimate(job, sit->second).step_seconds;
    it = nominal_steps_.emplace(key, step).first;
  }
  return it->second;
}

}  // namespace podsim::scheduler
