#include "scheduler/fabric_contention.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace podsim::scheduler {

using engine::SimTime;

namespace {

// Rates within this relative distance of what the flow gets alone are that rate: the
// solver's rounding must not slow a job that is alone.
constexpr double kSameRate = 1e-9;

}  // namespace

std::vector<ScaleOutFlow> leaf_uplink_flows(const StepEstimate& est, std::span<const uint32_t> devices,
                                            const Inventory& inv) {
  if (!(est.scale_out_bytes_per_s_per_leaf > 0)) return {};
  std::vector<uint32_t> leaves;
  for (uint32_t d : devices) leaves.push_back(inv.devices()[d].leaf);
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  if (leaves.size() < 2) return {};
  std::vector<ScaleOutFlow> out;
  for (uint32_t l : leaves)
    for (uint32_t link : inv.leaf_uplinks(l))
      out.push_back({.route = {link}, .bytes_per_s = est.scale_out_bytes_per_s_per_leaf, .leaf = l});
  return out;
}

FabricContention::FabricContention(const Inventory& inv, size_t jobs, RunObserver* observer)
    : inv_(inv),
      obs_(observer),
      solver_link_(inv.links().size(), kNone),
      job_flows_(jobs),
      link_demand_(inv.links().size(), 0.0),
      reported_(jobs, 1.0) {}

void FabricContention::add_demand(uint32_t link, double d) {
  const double cap = inv_.links()[link].bytes_per_s * (1 + kSameRate);
  const bool was = link_demand_[link] > cap;
  link_demand_[link] += d;
  if (link_demand_[link] < cap * kSameRate) link_demand_[link] = 0;  // rounding left by removals
  const bool is = link_demand_[link] > cap;
  if (was != is) overloaded_ = is ? overloaded_ + 1 : overloaded_ - 1;
}

engine::LinkId FabricContention::solver_link(uint32_t link) {
  if (solver_link_[link] == kNone) {
    const engine::LinkId l = solver_.add_link(inv_.links()[link].bytes_per_s);
    solver_link_[link] = engine::index(l);
    inventory_link_.resize(solver_.link_count(), kNone);
    inventory_link_[engine::index(l)] = link;
  }
  return engine::LinkId{solver_link_[link]};
}

engine::LinkId FabricContention::cap_link(double cap) {
  auto it = free_caps_.find(cap);
  if (it != free_caps_.end() && !it->second.empty()) {
    const engine::LinkId l = it->second.back();
    it->second.pop_back();
    return l;
  }
  const engine::LinkId l = solver_.add_link(cap);
  inventory_link_.resize(solver_.link_count(), kNone);
  return l;
}

void FabricContention::add(SimTime now, uint32_t job, std::span<const ScaleOutFlow> flows) {
  if (flows.empty()) return;
  for (const ScaleOutFlow& f : flows) {
    if (!(f.bytes_per_s > 0) || !std::isfinite(f.bytes_per_s) || f.route.empty())
      throw std::invalid_argument(fmt::format("FabricContention: job {} has a flow of {} B/s over {} links", job,
                                              f.bytes_per_s, f.route.size()));
    for (uint32_t l : f.route)
      if (l >= inv_.links().size())
        throw std::invalid_argument(fmt::format("FabricContention: job {} routes over link {} of {}", job, l,
                                                inv_.links().size()));
  }
  // What each flow gets with the job alone on the fabric: a private fill of its flows.
  std::vector<double> alone(flows.size());
  {
    engine::MaxMinSolver solo;
    std::unordered_map<uint32_t, engine::LinkId> local;
    std::vector<engine::FlowId> ids;
    for (const ScaleOutFlow& f : flows) {
      std::vector<engine::LinkId> route{solo.add_link(f.bytes_per_s)};
      for (uint32_t l : f.route) {
        auto [it, fresh] = local.try_emplace(l, engine::LinkId{});
        if (fresh) it->second = solo.add_link(inv_.links()[l].bytes_per_s);
        route.push_back(it->second);
      }
      ids.push_back(solo.add_flow(route));
      solo.activate(ids.back());
    }
    solo.solve();
    for (size_t i = 0; i < flows.size(); ++i) alone[i] = solo.rate(ids[i]);
  }
  for (size_t i = 0; i < flows.size(); ++i) {
    const ScaleOutFlow& sf = flows[i];
    std::vector<engine::LinkId> route{cap_link(alone[i])};
    for (uint32_t l : sf.route) route.push_back(solver_link(l));
    const engine::FlowId f = solver_.add_flow(route);
    solver_.activate(f);
    if (flows_.size() <= engine::index(f)) flows_.resize(engine::index(f) + 1);
    flows_[engine::index(f)] = {.job = job, .alone = alone[i], .cap = route.front(), .leaf = sf.leaf};
    for (uint32_t l : sf.route) add_demand(l, alone[i]);
    job_flows_[job].push_back(f);
    if (obs_) {
      for (uint32_t l : sf.route)
        if (inv_.links()[l].uplink_of) dirty_leaves_.push_back(*inv_.links()[l].uplink_of);
      if (obs_->wants_flows())
        obs_->flow_started(now, {.flow = engine::index(f), .job = job, .leaf = sf.leaf, .demand_bytes_per_s = sf.bytes_per_s});
    }
  }
  changed_ = true;
}

void FabricContention::remove(SimTime now, uint32_t job) {
  std::vector<engine::FlowId>& ids = job_flows_[job];
  for (engine::FlowId f : ids) {
    if (obs_) {
      for (engine::LinkId l : solver_.route(f))
        if (const uint32_t i = inventory_link_[engine::index(l)]; i != kNone && inv_.links()[i].uplink_of)
          dirty_leaves_.push_back(*inv_.links()[i].uplink_of);
      if (obs_->wants_flows()) obs_->flow_ended(now, engine::index(f));
    }
    const Flow& x = flows_[engine::index(f)];
    for (engine::LinkId l : solver_.route(f))
      if (const uint32_t i = inventory_link_[engine::index(l)]; i != kNone) add_demand(i, -x.alone);
    free_caps_[solver_.capacity(x.cap)].push_back(x.cap);
    solver_.remove_flow(f);
    ++removed_since_solve_;
  }
  if (!ids.empty()) changed_ = true;
  ids.clear();
  reported_[job] = 1;  // a restart begins at the uncontended step
}

double FabricContention::slowdown(uint32_t job) const {
  double out = 1;
  if (!solved_) return out;
  for (engine::FlowId f : job_flows_[job]) {
    const double alone = flows_[engine::index(f)].alone, rate = solver_.rate(f);
    if (rate < alone * (1 - kSameRate)) out = std::max(out, alone / rate);
  }
  return out;
}

std::vector<FabricContention::JobSlowdown> FabricContention::resolve(SimTime now) {
  changed_ = false;
  std::vector<uint32_t> touched;
  if (overloaded_ == 0) {
    // Every flow gets its cap: only jobs that were slowed change.
    solved_ = false;
    stale_ = true;
    // The solver frees removed flows (their ids, route entries) only in a solve: run one
    // once as many were removed as live, so memory stays bounded by the live flows.
    if (removed_since_solve_ > std::max<size_t>(1024, solver_.flow_count())) {
      solver_.solve();
      removed_since_solve_ = 0;
    }
  } else {
    const engine::MaxMinSolver::Changes c = solver_.solve();
    removed_since_solve_ = 0;
    solved_ = true;
    if (stale_) {
      if (obs_)
        for (uint32_t l = 0; l < inv_.leaves().size(); ++l) dirty_leaves_.push_back(l);
      // Jobs outside the solver's region kept its rates, which the skipped resolves did
      // not report: look at every job with flows.
      for (uint32_t j = 0; j < job_flows_.size(); ++j)
        if (!job_flows_[j].empty()) touched.push_back(j);
      stale_ = false;
    } else {
      for (engine::FlowId f : c.flows) touched.push_back(flows_[engine::index(f)].job);
    }
    if (obs_)
      for (engine::LinkId l : c.links)
        if (const uint32_t i = inventory_link_[engine::index(l)]; i != kNone && inv_.links()[i].uplink_of)
          dirty_leaves_.push_back(*inv_.links()[i].uplink_of);
  }
  if (obs_) observe_leaves(now);
  touched.insert(touched.end(), slowed_.begin(), slowed_.end());
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::vector<JobSlowdown> out;
  slowed_.clear();
  for (uint32_t j : touched) {
    const double s = job_flows_[j].empty() ? 1.0 : slowdown(j);
    if (s != reported_[j]) {
      out.push_back({.job = j, .slowdown = s});
      reported_[j] = s;
    }
    if (s > 1) slowed_.push_back(j);
  }
  return out;
}

std::vector<double> FabricContention::rates(uint32_t job) const {
  std::vector<double> out;
  for (engine::FlowId f : job_flows_[job]) out.push_back(solved_ ? solver_.rate(f) : flows_[engine::index(f)].alone);
  return out;
}

void FabricContention::observe_leaves(SimTime now) {
  told_leaf_load_.resize(inv_.leaves().size(), 0.0);
  std::sort(dirty_leaves_.begin(), dirty_leaves_.end());
  dirty_leaves_.erase(std::unique(dirty_leaves_.begin(), dirty_leaves_.end()), dirty_leaves_.end());
  for (uint32_t leaf : dirty_leaves_) {
    double load = 0, capacity = 0;
    for (uint32_t i : inv_.leaf_uplinks(leaf)) {
      capacity += inv_.links()[i].bytes_per_s;
      if (!solved_) load += link_demand_[i];
      else if (solver_link_[i] != kNone) load += solver_.load(engine::LinkId{solver_link_[i]});
    }
    if (load == told_leaf_load_[leaf]) continue;
    told_leaf_load_[leaf] = load;
    obs_->link_sample(now, {.leaf = leaf, .load_bytes_per_s = load, .capacity_bytes_per_s = capacity});
  }
  dirty_leaves_.clear();
}

}  // namespace podsim::scheduler
