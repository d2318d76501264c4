#include "engine/network/maxmin.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/check.h"

namespace podsim::engine {

namespace {

// Every kResync-th region solve of a link recomputes its frozen total from scratch.
constexpr uint32_t kResync = 32;

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
  sum_.push_back(0);
  since_exact_.push_back(0);
  suffix_.push_back(0);
  order_at_.push_back(0);
  active_on_.emplace_back();
  seeded_.push_back(0);
  needs_compact_.push_back(0);
  link_mark_.push_back(0);
  remaining_.push_back(0);
  unfrozen_.push_back(0);
  key_.push_back(0);
  heap_pos_.push_back(kNotInHeap);
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
    f = static_cast<uint32_t>(flows_.size());
    flows_.emplace_back();
  }
  flows_[f].route_begin = static_cast<uint32_t>(pool_.size());
  flows_[f].route_len = static_cast<uint16_t>(route.size());
  pool_.insert(pool_.end(), route.begin(), route.end());
  flows_[f].rate = 0;
  flows_[f].state = State::kSuspended;
  ++live_flows_;
  return FlowId{f};
}

void MaxMinSolver::activate(FlowId id) {
  const uint32_t f = index(id);
  PODSIM_CHECK(f < flows_.size() && flows_[f].state == State::kSuspended, "activate() on a flow that is not suspended");
  flows_[f].state = State::kActive;
  theta_ = 0;
  for (LinkId l : route(id)) {
    active_on_[index(l)].push_back(f);
    seed(index(l));
  }
}

void MaxMinSolver::remove_flow(FlowId id) {
  const uint32_t f = index(id);
  PODSIM_CHECK(f < flows_.size() && (flows_[f].state == State::kSuspended || flows_[f].state == State::kActive),
               "remove_flow() on a flow that does not exist");
  if (flows_[f].state == State::kActive) {
    theta_ = std::min(theta_, flows_[f].rate);
    for (LinkId l : route(id)) {
      const uint32_t li = index(l);
      sum_[li] -= flows_[f].rate;
      seed(li);
      if (!needs_compact_[li]) {
        needs_compact_[li] = 1;
        to_compact_.push_back(li);
      }
    }
  }
  flows_[f].state = State::kRemoved;
  flows_[f].rate = 0;
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
    std::erase_if(active_on_[l], [&](uint32_t f) { return flows_[f].state == State::kRemoved; });
    needs_compact_[l] = 0;
  }
  to_compact_.clear();
  for (uint32_t f : removed_) {
    pool_garbage_ += flows_[f].route_len;
    flows_[f].state = State::kFree;
    free_ids_.push_back(f);
  }
  removed_.clear();
  if (pool_garbage_ >= kMinPoolGarbage && 2 * pool_garbage_ >= pool_.size()) compact_pool();
}

void MaxMinSolver::compact_pool() {
  std::vector<LinkId> pool;
  pool.reserve(pool_.size() - pool_garbage_);
  for (size_t f = 0; f < flows_.size(); ++f) {
    if (flows_[f].state == State::kFree) continue;
    const uint32_t begin = flows_[f].route_begin;
    flows_[f].route_begin = static_cast<uint32_t>(pool.size());
    pool.insert(pool.end(), pool_.begin() + begin, pool_.begin() + begin + flows_[f].route_len);
  }
  pool_.swap(pool);
  pool_garbage_ = 0;
}

// Breadth-first over the bipartite link/flow graph from the seeded links, through
// flows with rate >= theta only, one region at a time, so that each is filled on its
// own: a ring step is n regions of one flow each, and filling them together would pay
// a heap over all. Each region link is scanned once; its flows below theta are frozen
// (their rates become capacity it has given away), the others join the region.
void MaxMinSolver::find_regions(double theta) {
  epoch_ += 2;
  if (epoch_ < 2) {  // wrapped: stale marks could collide with the new epoch
    for (Flow& flow : flows_) flow.mark = 0;
    std::fill(link_mark_.begin(), link_mark_.end(), 0);
    epoch_ = 2;
  }
  comp_flows_.clear();
  comp_links_.clear();
  components_.clear();
  uint32_t order_used = 0;
  for (uint32_t seed : seeds_) {
    seeded_[seed] = 0;
    if (link_mark_[seed] == epoch_) continue;
    link_mark_[seed] = epoch_;
    const Component c{comp_flows_.size(), comp_links_.size()};
    comp_links_.push_back(LinkId{seed});
    for (size_t i = c.first_link; i < comp_links_.size(); ++i) {
      const uint32_t l = index(comp_links_[i]);
      const std::vector<uint32_t>& on = active_on_[l];
      // Sorted by rate: the flows below theta are a prefix, left as they are.
      const size_t begin = theta > 0 ? static_cast<size_t>(std::partition_point(on.begin(), on.end(),
                                                                                [&](uint32_t f) { return flows_[f].rate < theta; }) -
                                                           on.begin())
                                     : 0;
      double above = 0;
      for (size_t k = begin; k < on.size(); ++k) {
        const uint32_t f = on[k];
        above += flows_[f].rate;
        if (flows_[f].mark == epoch_) continue;
        flows_[f].mark = epoch_;
        comp_flows_.push_back(FlowId{f});
        for (LinkId m : route(FlowId{f})) {
          if (link_mark_[index(m)] != epoch_) {
            link_mark_[index(m)] = epoch_;
            comp_links_.push_back(m);
          }
        }
      }
      // The frozen flows' total is the link's total less the region's, except every
      // kResync-th time, when it is summed afresh so rounding cannot accumulate.
      double frozen = 0;
      if (begin > 0) {
        if (++since_exact_[l] < kResync) {
          frozen = std::max(sum_[l] - above, 0.0);
        } else {
          since_exact_[l] = 0;
          for (size_t k = 0; k < begin; ++k) frozen += flows_[on[k]].rate;
        }
      }
      suffix_[l] = static_cast<uint32_t>(begin);
      order_at_[l] = order_used;
      order_used += static_cast<uint32_t>(on.size() - begin);
      remaining_[l] = capacity_[l] - frozen;
      unfrozen_[l] = static_cast<uint32_t>(on.size() - begin);
    }
    components_.push_back(c);
  }
  seeds_.clear();
  // A huge region (a whole all-to-all starting) is sorted in place instead: the scratch
  // would add 4 bytes per route entry to the peak.
  in_order_ = order_used <= max_scratch_entries_;
  if (in_order_ && order_.size() < order_used) order_.resize(order_used);
}

void MaxMinSolver::freeze(uint32_t f, double level, uint32_t bottleneck) {
  flows_[f].mark = epoch_ + 1;
  flows_[f].rate = level;
  flows_[f].bottleneck = bottleneck;
  for (LinkId m : route(FlowId{f})) {
    const uint32_t mi = index(m);
    if (in_order_) order_[order_at_[mi]++] = f;
    remaining_[mi] -= level;
    --unfrozen_[mi];
  }
}

void MaxMinSolver::heap_sift_up(size_t i) {
  const uint32_t l = heap_[i];
  const double k = key_[l];
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    const uint32_t p = heap_[parent];
    if (!(k < key_[p] || (k == key_[p] && l < p))) break;
    heap_[i] = p;
    heap_pos_[p] = static_cast<uint32_t>(i);
    i = parent;
  }
  heap_[i] = l;
  heap_pos_[l] = static_cast<uint32_t>(i);
}

void MaxMinSolver::heap_sift_down(size_t i) {
  const uint32_t l = heap_[i];
  const double k = key_[l];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n) {
      const uint32_t a = heap_[child], b = heap_[child + 1];
      if (key_[b] < key_[a] || (key_[b] == key_[a] && b < a)) ++child;
    }
    const uint32_t c = heap_[child];
    if (!(key_[c] < k || (key_[c] == k && c < l))) break;
    heap_[i] = c;
    heap_pos_[c] = static_cast<uint32_t>(i);
    i = child;
  }
  heap_[i] = l;
  heap_pos_[l] = static_cast<uint32_t>(i);
}

void MaxMinSolver::heap_erase(uint32_t l) {
  const size_t i = heap_pos_[l];
  heap_pos_[l] = kNotInHeap;
  const uint32_t last = heap_.back();
  heap_.pop_back();
  if (last == l) return;
  heap_[i] = last;
  heap_pos_[last] = static_cast<uint32_t>(i);
  heap_sift_up(i);
  heap_sift_down(heap_pos_[last]);
}

uint32_t MaxMinSolver::heap_pop() {
  const uint32_t top = heap_.front();
  heap_erase(top);
  return top;
}

// Progressive filling over one region, from the residual capacities and unfrozen
// counts find_regions() left. A link's fair share never decreases as flows freeze (a
// flow frozen at level s <= share(l) leaves (r - s)/(n - 1) >= r/n), so the heap yields
// links in saturation order.
void MaxMinSolver::fill(std::span<const FlowId> flows, std::span<const LinkId> links) {
  if (flows.size() == 1) {  // alone: the tightest residual capacity, no heap
    const uint32_t f = index(flows[0]);
    double rate = std::numeric_limits<double>::infinity();
    uint32_t bottleneck = 0;
    for (LinkId l : links) {
      if (remaining_[index(l)] < rate) {
        rate = remaining_[index(l)];
        bottleneck = index(l);
      }
    }
    freeze(f, rate, bottleneck);
  } else if (!flows.empty()) {
    heap_.clear();
    for (LinkId id : links) {
      const uint32_t l = index(id);
      if (unfrozen_[l] > 0) {
        key_[l] = std::max(remaining_[l], 0.0) / unfrozen_[l];
        heap_pos_[l] = static_cast<uint32_t>(heap_.size());
        heap_.push_back(l);
      }
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) heap_sift_down(i);
    // Keys are lower bounds: freezing a flow only raises the shares of its other links,
    // so a link is re-keyed when it reaches the top, not at every freeze. The top with
    // its true share as key is the minimum.
    const auto top_is_current = [&](double limit) {
      while (!heap_.empty()) {
        const uint32_t l = heap_.front();
        if (key_[l] > limit) return false;
        if (unfrozen_[l] == 0) {  // every flow froze on other links
          heap_pop();
          continue;
        }
        const double share = std::max(remaining_[l], 0.0) / unfrozen_[l];
        if (share <= key_[l]) return true;
        key_[l] = share;
        heap_sift_down(0);
      }
      return false;
    };
    const double inf = std::numeric_limits<double>::infinity();
    while (top_is_current(inf)) {
      round_.clear();
      const uint32_t first = heap_pop();
      round_.push_back(first);
      // The level is the smallest share; every link within the tolerance of it
      // saturates in this round too.
      const double level = std::max(remaining_[first], 0.0) / unfrozen_[first];
      const double bound = level * (1 + kTieTolerance);
      while (top_is_current(bound)) round_.push_back(heap_pop());
      for (uint32_t l : round_) {
        const std::vector<uint32_t>& on = active_on_[l];
        for (size_t k = suffix_[l]; k < on.size(); ++k)
          if (flows_[on[k]].mark == epoch_) freeze(on[k], level, l);
      }
    }
  }
  for (LinkId id : links) {
    const uint32_t l = index(id);
    // Rounding can leave a saturated link a few ulps below zero.
    load_[l] = active_on_[l].empty() ? 0 : std::min(capacity_[l], capacity_[l] - remaining_[l]);
  }
}

MaxMinSolver::Changes MaxMinSolver::solve() {
  drop_removed_flows();
  const double theta = theta_;
  theta_ = std::numeric_limits<double>::infinity();
  find_regions(theta);
  for (size_t c = 0; c < components_.size(); ++c) {
    const size_t flow_end = c + 1 < components_.size() ? components_[c + 1].first_flow : comp_flows_.size();
    const size_t link_end = c + 1 < components_.size() ? components_[c + 1].first_link : comp_links_.size();
    const Component& k = components_[c];
    fill(std::span<const FlowId>(comp_flows_).subspan(k.first_flow, flow_end - k.first_flow),
         std::span<const LinkId>(comp_links_).subspan(k.first_link, link_end - k.first_link));
  }
  // Every region link's suffix, rewritten in the order its flows froze: by rate, so
  // the lists stay sorted without a sort.
  for (LinkId id : comp_links_) {
    const uint32_t l = index(id);
    std::vector<uint32_t>& on = active_on_[l];
    const auto begin = on.begin() + suffix_[l];
    if (in_order_) {
      const size_t n = on.size() - suffix_[l];  // order_at_[l] is now the segment's end
      std::copy(order_.begin() + (order_at_[l] - n), order_.begin() + order_at_[l], begin);
    } else {
      // Tied rates (a symmetric collective) are sorted already: one pass.
      const auto by_rate = [&](uint32_t a, uint32_t b) { return flows_[a].rate < flows_[b].rate; };
      if (!std::is_sorted(begin, on.end(), by_rate))
        std::sort(begin, on.end(), [&](uint32_t a, uint32_t b) { return flows_[a].rate < flows_[b].rate || (flows_[a].rate == flows_[b].rate && a < b); });
    }
    sum_[l] = capacity_[l] - remaining_[l];
  }
  return Changes{comp_flows_, comp_links_};
}

}  // namespace podsim::engine
