#include "scheduler/run_sampler.h"

namespace podsim::scheduler {

void RunSampler::note(engine::SimTime now, const ClusterState& state, std::span<const uint32_t> held_in_pool,
                      std::span<const uint32_t> down_in_pool) {
  // Exact for whole seconds (SimTime::to_seconds multiplies by 1e-9, which is not).
  recorder_.note(static_cast<double>(now.ns()) / 1e9, state);
  if (!obs_) return;
  const auto queued = static_cast<uint32_t>(state.queued), running = static_cast<uint32_t>(state.running);
  bool changed = told_pools_.empty() || queued != told_queued_ || running != told_running_;
  told_pools_.resize(held_in_pool.size());
  for (uint32_t p = 0; p < told_pools_.size(); ++p) {
    const PoolUsage u{.allocated = held_in_pool[p], .down = down_in_pool[p]};
    changed = changed || u.allocated != told_pools_[p].allocated || u.down != told_pools_[p].down;
    told_pools_[p] = u;
  }
  if (!changed) return;
  told_queued_ = queued;
  told_running_ = running;
  obs_->cluster_sample(now, {.pools = told_pools_, .queued = queued, .running = running, .power_w = state.power_w});
}

}  // namespace podsim::scheduler
