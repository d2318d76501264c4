#include "topologies/switch_hops.h"

#include <algorithm>
#include <numeric>
#include <queue>

#include "engine/check.h"

namespace podsim::topologies {

SwitchHops::SwitchHops(const View& view)
    : view_(view),
      device_at_(view.vertex_count(), -1),
      dist_(view.vertex_count(), kFar),
      switches_(view.vertex_count(), 0) {
  for (DeviceIndex d = 0; d < view.device_count(); ++d) device_at_[view.endpoint(d)] = d;
}

void SwitchHops::search(const std::vector<Start>& starts, bool stop_at_trunks) {
  // Only a lone start may be a device (a route begins at one); frontiers are switches.
  const VertexId lone = starts.size() == 1 ? starts.front().vertex : boost::graph_traits<Graph>::null_vertex();
  for (VertexId v : touched_) dist_[v] = kFar;
  touched_.clear();
  const Graph& g = view_.graph();
  auto relays = [&](VertexId u) {
    if (!forwards(g[u].kind)) return false;
    return !stop_at_trunks || (g[u].role != SwitchRole::kSpine && g[u].role != SwitchRole::kCore);
  };
  using Item = std::pair<uint32_t, VertexId>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  for (const Start& s : starts) {
    touched_.push_back(s.vertex);
    dist_[s.vertex] = s.label.cost;
    switches_[s.vertex] = s.label.switches;
    queue.emplace(s.label.cost, s.vertex);
  }
  // Dijkstra on routing cost; among equal costs, the fewest switches (an equal-cost
  // label with fewer switches is queued again so that it propagates).
  while (!queue.empty()) {
    auto [d, u] = queue.top();
    queue.pop();
    if (d != dist_[u]) continue;
    if (u != lone && !relays(u)) continue;
    for (auto e : boost::make_iterator_range(boost::out_edges(u, g))) {
      const VertexId w = boost::target(e, g);
      const uint32_t nd = d + route_cost(g[e]);
      const int sw = switches_[u] + (g[w].kind == VertexKind::kSwitch ? 1 : 0);
      if (nd < dist_[w] || (nd == dist_[w] && sw < switches_[w])) {
        const bool improved = nd < dist_[w];
        if (dist_[w] == kFar) touched_.push_back(w);
        dist_[w] = nd;
        switches_[w] = sw;
        if (improved || forwards(g[w].kind)) queue.emplace(nd, w);
      }
    }
  }
}

const SwitchHops::FromFrontier& SwitchHops::from_frontier(const std::vector<Start>& frontier) {
  auto it = kept_.find(frontier);
  if (it != kept_.end()) {
    use_order_.splice(use_order_.begin(), use_order_, std::find(use_order_.begin(), use_order_.end(), frontier));
    return it->second;
  }
  if (kept_.size() == kKeep) {
    kept_.erase(use_order_.back());
    use_order_.pop_back();
  }
  search(frontier, /*stop_at_trunks=*/false);
  FromFrontier f;
  const size_t n = view_.device_count();
  f.to_device.resize(n);
  for (DeviceIndex t = 0; t < n; ++t) f.to_device[t] = {dist_[view_.endpoint(t)], switches_[view_.endpoint(t)]};
  f.by_switches.resize(n);
  std::iota(f.by_switches.begin(), f.by_switches.end(), DeviceIndex{0});
  auto key = [&](DeviceIndex t) {
    const Label& l = f.to_device[t];
    return l.cost == kFar ? INT64_MAX : static_cast<int64_t>(l.switches);
  };
  std::stable_sort(f.by_switches.begin(), f.by_switches.end(), [&](DeviceIndex a, DeviceIndex b) { return key(a) > key(b); });
  use_order_.push_front(frontier);
  return kept_.emplace(frontier, std::move(f)).first->second;
}

int SwitchHops::eccentricity(DeviceIndex s) {
  const Graph& g = view_.graph();
  // 1. The device's own neighbourhood, up to the spines and cores.
  search({{.vertex = view_.endpoint(s), .label = {0, 0}}}, /*stop_at_trunks=*/true);
  std::vector<std::pair<DeviceIndex, Label>> near;  // devices reached, with their labels
  std::vector<Start> frontier;
  for (VertexId v : touched_) {
    if (device_at_[v] >= 0) near.push_back({static_cast<DeviceIndex>(device_at_[v]), {dist_[v], switches_[v]}});
    if (g[v].role == SwitchRole::kSpine || g[v].role == SwitchRole::kCore)
      frontier.push_back({.vertex = v, .label = {dist_[v], switches_[v]}});
  }
  const size_t n = view_.device_count();
  int most = 0;
  if (frontier.empty()) {  // nothing beyond: the search saw all it can reach
    PODSIM_CHECK(near.size() == n, "diameter: the cluster is not connected");
    for (const auto& [t, l] : near) most = std::max(most, l.switches);
    return most;
  }
  // 2. Beyond the frontier: labels relative to its least, so that every device under
  // the same spines shares one search.
  std::sort(frontier.begin(), frontier.end());
  const Label base = std::min_element(frontier.begin(), frontier.end(), [](const Start& a, const Start& b) {
                       return a.label < b.label;
                     })->label;
  for (Start& f : frontier) f.label = {f.label.cost - base.cost, f.label.switches - base.switches};
  const FromFrontier& beyond = from_frontier(frontier);
  // A device reached in step 1 takes the better of its two labels.
  if (near_mark_.size() != n) near_mark_.assign(n, 0);
  ++mark_;
  for (size_t i = 0; i < near.size(); ++i) {
    const auto [t, l] = near[i];
    near_mark_[t] = mark_;
    Label best = l;
    const Label& b = beyond.to_device[t];
    if (b.cost != kFar) best = std::min(best, Label{b.cost + base.cost, b.switches + base.switches});
    most = std::max(most, best.switches);
  }
  // Every other device only through the frontier: the first not reached in step 1, in
  // most-switches order, is the farthest.
  for (DeviceIndex t : beyond.by_switches) {
    if (near_mark_[t] == mark_) continue;
    PODSIM_CHECK(beyond.to_device[t].cost != kFar, "diameter: the cluster is not connected");
    most = std::max(most, beyond.to_device[t].switches + base.switches);
    break;
  }
  return most;
}

}  // namespace podsim::topologies
