#include "engine/network/maxmin.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "engine/check.h"

namespace podsim::engine {

namespace {

// Rebuilding the route pool costs one pass over the live routes; do it when at least
// half the pool is dead, and not for small pools.
constexpr size_t kMinPoolGarbage = size_t{1} << 16;

}  // namespace

LinkId MaxMinSolver::add_link(double capacity) {
  if (!(capacity > 0) || !std::isfinite(capacity))
    throw std::invalid_argument("MaxMinSolver: link capacity must be positive and finite, got " +
                                std::to_string(capacity));
  const auto id = static_cast<uint32_t>(capacity_.size());
  capacity_.push_back(capacity);
  load_.push_back(0);
  active_on_.emplace_back();
  seeded_.push_back(0);
  needs_compact_.push_back(0);
  link_mark_.push_back(0);
  remaining_.push_back(0);
  unfrozen_.push_back(0);
  key_.push_back(0);
  touched_.push_back(0);
  return LinkId{id};
}

FlowId MaxMinSolver::add_flow(std::span<const LinkId> route) {
  if (route.empty()) throw std::invalid_argument("MaxMinSolver: a flow needs at least one link");
  if (route.size() > std::numeric_limits<uint16_t>::max())
    throw std::invalid_argument("MaxMinSolver: route too long");
  for (size_t i = 0; i < route.size(); ++i) {
    if (index(route[i]) >= capacity_.size())
      throw std::invalid_argument("MaxMinSolver: route uses unknown link " + std::to_string(index(route[i])));
    // Routes are a handful of hops, so the quadratic check is the cheap one.
    for (size_t j = 0; j < i; ++j)
      if (route[j] == route[i])
        throw std::invalid_argument("MaxMinSolver: route crosses link " + std::to_string(index(route[i])) +
                                    " twice");
  }
  PODSIM_CHECK(pool_.size() + route.size() < std::numeric_limits<uint32_t>::max(), "route pool overflow");

  uint32_t f;
  if (!free_ids_.empty()) {
    f = free_ids_.back();
    free_ids_.pop_back();
  } else {
    f = static_cast<uint32_t>(rate_.size());
    route_begin_.push_back(0);
    route_len_.push_back(0);
    rate_.push_back(0);
    state_.push_back(State::kFree);
    flow_mark_.push_back(0);
  }
  route_begin_[f] = static_cast<uint32_t>(pool_.size());
  route_len_[f] = static_cast<uint16_t>(route.size());
  pool_.insert(pool_.end(), route.begin(), route.end());
  rate_[f] = 0;
  state_[f] = State::kSuspended;
  ++live_flows_;
  return FlowId{f};
}

void MaxMinSolver::activate(FlowId id) {
  const uint32_t f = index(id);
  PODSIM_CHECK(f < state_.size() && state_[f] == State::kSuspended, "activate() on a flow that is not suspended");
  state_[f] = State::kActive;
  for (LinkId l : route(id)) {
    active_on_[index(l)].push_back(f);
    seed(index(l));
  }
}

void MaxMinSolver::remove_flow(FlowId id) {
  const uint32_t f = index(id);
  PODSIM_CHECK(f < state_.size() && (state_[f] == State::kSuspended || state_[f] == State::kActive),
               "remove_flow() on a flow that does not exist");
  if (state_[f] == State::kActive) {
    for (LinkId l : route(id)) {
      const uint32_t li = index(l);
      seed(li);
      if (!needs_compact_[li]) {
        needs_compact_[li] = 1;
        to_compact_.push_back(li);
      }
    }
  }
  state_[f] = State::kRemoved;
  rate_[f] = 0;
  removed_.push_back(f);
  --live_flows_;
}

void MaxMinSolver::seed(uint32_t link) {
  if (!seeded_[link]) {
    seeded_[link] = 1;
    seeds_.push_back(link);
  }
}

// Removal is batched: a completion instant removes many flows, and each link list is
// filtered once rather than searched once per removed flow. Ids are freed only now, so
// a list never holds an id that was reused.
void MaxMinSolver::drop_removed_flows() {
  for (uint32_t l : to_compact_) {
    std::erase_if(active_on_[l], [&](uint32_t f) { return state_[f] == State::kRemoved; });
    needs_compact_[l] = 0;
  }
  to_compact_.clear();
  for (uint32_t f : removed_) {
    pool_garbage_ += route_len_[f];
    state_[f] = State::kFree;
    free_ids_.push_back(f);
  }
  removed_.clear();
  if (pool_garbage_ >= kMinPoolGarbage && 2 * pool_garbage_ >= pool_.size()) compact_pool();
}

void MaxMinSolver::compact_pool() {
  std::vector<LinkId> pool;
  pool.reserve(pool_.size() - pool_garbage_);
  for (size_t f = 0; f < state_.size(); ++f) {
    if (state_[f] == State::kFree) continue;
    const uint32_t begin = route_begin_[f];
    route_begin_[f] = static_cast<uint32_t>(pool.size());
    pool.insert(pool.end(), pool_.begin() + begin, pool_.begin() + begin + route_len_[f]);
  }
  pool_.swap(pool);
  pool_garbage_ = 0;
}

// Breadth-first over the bipartite link/flow graph from the seeded links, one
// connected component at a time, so that each is filled on its own: a ring step is n
// components of one flow each, and filling them together would pay a heap over all.
void MaxMinSolver::find_components() {
  epoch_ += 2;
  if (epoch_ < 2) {  // wrapped: stale marks could collide with the new epoch
    std::fill(flow_mark_.begin(), flow_mark_.end(), 0);
    std::fill(link_mark_.begin(), link_mark_.end(), 0);
    epoch_ = 2;
  }
  comp_flows_.clear();
  comp_links_.clear();
  components_.clear();
  for (uint32_t seed : seeds_) {
    seeded_[seed] = 0;
    if (link_mark_[seed] == epoch_) continue;
    link_mark_[seed] = epoch_;
    const Component c{comp_flows_.size(), comp_links_.size()};
    comp_links_.push_back(LinkId{seed});
    for (size_t i = c.first_link; i < comp_links_.size(); ++i) {
      for (uint32_t f : active_on_[index(comp_links_[i])]) {
        if (flow_mark_[f] == epoch_) continue;
        flow_mark_[f] = epoch_;
        comp_flows_.push_back(FlowId{f});
        for (LinkId m : route(FlowId{f})) {
          if (link_mark_[index(m)] != epoch_) {
            link_mark_[index(m)] = epoch_;
            comp_links_.push_back(m);
          }
        }
      }
    }
    components_.push_back(c);
  }
  seeds_.clear();
}

void MaxMinSolver::freeze(uint32_t f, double level) {
  flow_mark_[f] = epoch_ + 1;
  rate_[f] = level;
  for (LinkId m : route(FlowId{f})) {
    const uint32_t mi = index(m);
    remaining_[mi] -= level;
    --unfrozen_[mi];
    if (!touched_[mi]) {
      touched_[mi] = 1;
      touched_list_.push_back(mi);
    }
  }
}

// Progressive filling over one component. A link's fair share never decreases as
// flows freeze (a flow frozen at level s <= share(l) leaves (r - s)/(n - 1) >= r/n),
// so a heap of shares with lazy invalidation visits links in saturation order.
void MaxMinSolver::fill(std::span<const FlowId> flows, std::span<const LinkId> links) {
  if (flows.size() == 1) {  // alone: the bottleneck's capacity, no heap
    const uint32_t f = index(flows[0]);
    double rate = std::numeric_limits<double>::infinity();
    for (LinkId l : links) rate = std::min(rate, capacity_[index(l)]);
    rate_[f] = rate;
    flow_mark_[f] = epoch_ + 1;
    for (LinkId l : links) load_[index(l)] = rate;
    return;
  }
  const auto greater = std::greater<std::pair<double, uint32_t>>();
  heap_.clear();
  for (LinkId id : links) {
    const uint32_t l = index(id);
    remaining_[l] = capacity_[l];
    unfrozen_[l] = static_cast<uint32_t>(active_on_[l].size());
    if (unfrozen_[l] > 0) {
      key_[l] = remaining_[l] / unfrozen_[l];
      heap_.emplace_back(key_[l], l);
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), greater);
  // A live entry carries the link's current share in key_; anything else is stale.
  auto pop_live = [&](double bound) -> std::optional<uint32_t> {
    while (!heap_.empty() && heap_.front().first <= bound) {
      std::pop_heap(heap_.begin(), heap_.end(), greater);
      const auto [share, l] = heap_.back();
      heap_.pop_back();
      if (unfrozen_[l] > 0 && share == key_[l]) {
        key_[l] = -1;  // consumed
        return l;
      }
    }
    return std::nullopt;
  };
  const double inf = std::numeric_limits<double>::infinity();
  while (auto first = pop_live(inf)) {
    round_.clear();
    round_.push_back(*first);
    // The level is the smallest share; every link within the tolerance of it
    // saturates in this round too.
    const double level = remaining_[*first] / unfrozen_[*first];
    const double bound = level * (1 + kTieTolerance);
    while (auto l = pop_live(bound)) round_.push_back(*l);
    for (uint32_t l : round_)
      for (uint32_t f : active_on_[l])
        if (flow_mark_[f] == epoch_) freeze(f, level);
    for (uint32_t m : touched_list_) {
      touched_[m] = 0;
      if (unfrozen_[m] > 0) {
        key_[m] = std::max(remaining_[m], 0.0) / unfrozen_[m];
        heap_.emplace_back(key_[m], m);
        std::push_heap(heap_.begin(), heap_.end(), greater);
      }
    }
    touched_list_.clear();
  }
  for (LinkId id : links) {
    const uint32_t l = index(id);
    // Rounding can leave a saturated link a few ulps below zero.
    load_[l] = active_on_[l].empty() ? 0 : std::min(capacity_[l], capacity_[l] - remaining_[l]);
  }
}

MaxMinSolver::Changes MaxMinSolver::solve() {
  drop_removed_flows();
  find_components();
  for (size_t c = 0; c < components_.size(); ++c) {
    const size_t flow_end = c + 1 < components_.size() ? components_[c + 1].first_flow : comp_flows_.size();
    const size_t link_end = c + 1 < components_.size() ? components_[c + 1].first_link : comp_links_.size();
    const Component& k = components_[c];
    fill(std::span<const FlowId>(comp_flows_).subspan(k.first_flow, flow_end - k.first_flow),
         std::span<const LinkId>(comp_links_).subspan(k.first_link, link_end - k.first_link));
  }
  return Changes{comp_flows_, comp_links_};
}

}  // namespace podsim::engine
