#include "scheduler/uplink_contention.h"

#include <algorithm>

namespace podsim::scheduler {

using engine::SimTime;

UplinkContention::UplinkContention(const Inventory& inv, size_t jobs, RunObserver* observer)
    : inv_(inv), obs_(observer), leaf_link_(inv.leaves().size()), job_flows_(jobs) {
  for (uint32_t l = 0; l < inv.leaves().size(); ++l)
    if (inv.leaves()[l].uplink_bytes_per_s > 0) leaf_link_[l] = solver_.add_link(inv.leaves()[l].uplink_bytes_per_s);
}

void UplinkContention::add(SimTime now, uint32_t job, std::span<const uint32_t> devices, double demand) {
  std::vector<uint32_t> leaves;
  for (uint32_t d : devices) leaves.push_back(inv_.devices()[d].leaf);
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  for (uint32_t l : leaves) {
    if (l >= leaf_link_.size() || !leaf_link_[l]) continue;
    // A private link of capacity `demand` caps the flow at what the job asks for.
    const engine::LinkId cap = solver_.add_link(demand);
    const engine::LinkId route[] = {cap, *leaf_link_[l]};
    const engine::FlowId f = solver_.add_flow(route);
    solver_.activate(f);
    if (flow_job_.size() <= engine::index(f)) flow_job_.resize(engine::index(f) + 1);
    flow_job_[engine::index(f)] = job;
    if (obs_) {
      if (flow_leaf_.size() <= engine::index(f)) flow_leaf_.resize(engine::index(f) + 1);
      flow_leaf_[engine::index(f)] = l;
      dirty_leaves_.push_back(l);
      if (obs_->wants_flows())
        obs_->flow_started(now, {.flow = engine::index(f), .job = job, .leaf = l, .demand_bytes_per_s = demand});
    }
    job_flows_[job].push_back(f);
    changed_ = true;
  }
}

void UplinkContention::remove(SimTime now, uint32_t job) {
  std::vector<engine::FlowId>& flows = job_flows_[job];
  for (engine::FlowId f : flows) {
    solver_.remove_flow(f);
    if (obs_) {
      dirty_leaves_.push_back(flow_leaf_[engine::index(f)]);
      if (obs_->wants_flows()) obs_->flow_ended(now, engine::index(f));
    }
  }
  if (!flows.empty()) changed_ = true;
  flows.clear();
}

std::vector<UplinkContention::JobRate> UplinkContention::resolve(SimTime now) {
  changed_ = false;
  const engine::MaxMinSolver::Changes c = solver_.solve();
  std::vector<uint32_t> touched;
  for (engine::FlowId f : c.flows) {
    touched.push_back(flow_job_[engine::index(f)]);
    if (obs_) dirty_leaves_.push_back(flow_leaf_[engine::index(f)]);
  }
  if (obs_) observe_links(now);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::vector<JobRate> rates;
  for (uint32_t j : touched) {
    const std::vector<engine::FlowId>& flows = job_flows_[j];
    if (flows.empty()) continue;
    double rate = solver_.rate(flows.front());
    for (engine::FlowId f : flows) rate = std::min(rate, solver_.rate(f));
    rates.push_back({.job = j, .bytes_per_s = rate});
  }
  return rates;
}

void UplinkContention::observe_links(SimTime now) {
  told_leaf_load_.resize(leaf_link_.size(), 0.0);
  std::sort(dirty_leaves_.begin(), dirty_leaves_.end());
  dirty_leaves_.erase(std::unique(dirty_leaves_.begin(), dirty_leaves_.end()), dirty_leaves_.end());
  for (uint32_t l : dirty_leaves_) {
    const double load = solver_.load(*leaf_link_[l]);
    if (load == told_leaf_load_[l]) continue;
    told_leaf_load_[l] = load;
    obs_->link_sample(now, {.leaf = l, .load_bytes_per_s = load, .capacity_bytes_per_s = solver_.capacity(*leaf_link_[l])});
  }
  dirty_leaves_.clear();
}

}  // namespace podsim::scheduler
