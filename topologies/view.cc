#include "topologies/view.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <utility>

#include "engine/check.h"

namespace podsim::topologies {

constexpr uint32_t kUnreachable = std::numeric_limits<uint32_t>::max();

// The routing state of one View: the graph as compressed arrays (forward and reverse),
// per-destination distance tables for ECMP, scratch space for single-path searches, and
// the route cache. Callers hold `mu` while they use it.
class Router {
 public:
  // Destinations whose distance tables are kept (a table is 4 bytes per vertex).
  static constexpr size_t kDistanceTables = 64;

  explicit Router(const Graph& g) {
    const size_t n = boost::num_vertices(g);
    relay_.resize(n);
    out_offset_.assign(n + 1, 0);
    in_offset_.assign(n + 1, 0);
    for (size_t v = 0; v < n; ++v) {
      relay_[v] = forwards(g[v].kind);
      out_offset_[v + 1] = out_offset_[v] + static_cast<uint32_t>(boost::out_degree(v, g));
      in_offset_[v + 1] = in_offset_[v] + static_cast<uint32_t>(boost::in_degree(v, g));
    }
    out_.resize(out_offset_[n]);
    in_.resize(in_offset_[n]);
    for (size_t v = 0; v < n; ++v) {
      uint32_t i = out_offset_[v];
      for (auto e : boost::make_iterator_range(boost::out_edges(v, g)))
        out_[i++] = {static_cast<uint32_t>(boost::target(e, g)), route_cost(g[e]), g[e].id};
      i = in_offset_[v];
      for (auto e : boost::make_iterator_range(boost::in_edges(v, g)))
        in_[i++] = {static_cast<uint32_t>(boost::source(e, g)), route_cost(g[e]), g[e].id};
    }
    for (auto& side : sides_) side.resize(n);
    link_source_.resize(boost::num_edges(g));
    link_target_.resize(boost::num_edges(g));
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      link_source_[g[e].id] = static_cast<uint32_t>(boost::source(e, g));
      link_target_[g[e].id] = static_cast<uint32_t>(boost::target(e, g));
    }
  }

  std::mutex mu;
  std::unordered_map<uint64_t, std::vector<LinkId>> routes;  // (src << 32 | dst) -> route

  // Routing cost from every vertex to `dst`. The reference stays valid until the next
  // call.
  const std::vector<uint32_t>& distances_to(VertexId dst) {
    for (auto& [t, table] : tables_)
      if (t == dst) return table;
    if (tables_.size() < kDistanceTables) {
      tables_.emplace_back(dst, compute(dst));
      return tables_.back().second;
    }
    auto& slot = tables_[next_victim_++ % kDistanceTables];  // round-robin eviction
    slot = {dst, compute(dst)};
    return slot.second;
  }

  // Equal-cost next hops from `at` toward `dst`, in LinkId order.
  std::vector<LinkId> next_hops(VertexId at, VertexId dst, const std::vector<uint32_t>& dist) const {
    std::vector<LinkId> hops;
    if (at == dst || dist[at] == kUnreachable) return hops;
    for (uint32_t i = out_offset_[at]; i < out_offset_[at + 1]; ++i) {
      const Arc& a = out_[i];
      if (a.vertex != dst && !relay_[a.vertex]) continue;
      if (dist[a.vertex] != kUnreachable && dist[a.vertex] + a.cost == dist[at]) hops.push_back(a.link);
    }
    std::sort(hops.begin(), hops.end());
    return hops;
  }

  // One shortest path by bidirectional Dijkstra: each side grows a ball of about half
  // the distance, so a route costs a few hundred vertex visits even on a 16k-GPU fabric,
  // where a full table per destination would cost the whole graph. Empty if none.
  std::vector<LinkId> shortest_path(VertexId src, VertexId dst);

 private:
  struct Arc {
    uint32_t vertex;  // target (forward arrays) or source (reverse arrays)
    uint32_t cost;
    LinkId link;
  };
  // Labels of one search direction; valid iff stamp == the current search.
  struct Label {
    uint32_t stamp = 0;
    uint32_t dist = kUnreachable;
    LinkId via = 0;  // forward: the link into the vertex; backward: the link out of it
  };

  // Dijkstra from dst over reversed arcs. Only dst and relays (switches, NICs) are
  // expanded, so no path passes through an accelerator or CPU.
  std::vector<uint32_t> compute(VertexId dst) const {
    std::vector<uint32_t> dist(relay_.size(), kUnreachable);
    using Item = std::pair<uint32_t, uint32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    dist[dst] = 0;
    queue.emplace(0, static_cast<uint32_t>(dst));
    while (!queue.empty()) {
      auto [d, v] = queue.top();
      queue.pop();
      if (d != dist[v] || (v != dst && !relay_[v])) continue;
      for (uint32_t i = in_offset_[v]; i < in_offset_[v + 1]; ++i) {
        const Arc& a = in_[i];
        if (d + a.cost < dist[a.vertex]) {
          dist[a.vertex] = d + a.cost;
          queue.emplace(d + a.cost, a.vertex);
        }
      }
    }
    return dist;
  }

  std::vector<bool> relay_;
  std::vector<uint32_t> out_offset_, in_offset_;
  std::vector<Arc> out_, in_;
  std::vector<uint32_t> link_source_, link_target_;  // by LinkId
  std::vector<std::pair<VertexId, std::vector<uint32_t>>> tables_;
  size_t next_victim_ = 0;
  std::vector<Label> sides_[2];  // scratch for shortest_path: forward, backward
  uint32_t stamp_ = 0;
};

std::vector<LinkId> Router::shortest_path(VertexId src, VertexId dst) {
  if (++stamp_ == 0) {  // wrapped: clear the stale labels once every 2^32 searches
    for (auto& side : sides_) std::fill(side.begin(), side.end(), Label{});
    stamp_ = 1;
  }
  using Item = std::pair<uint32_t, uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue[2];
  const uint32_t ends[2] = {static_cast<uint32_t>(src), static_cast<uint32_t>(dst)};
  for (int s = 0; s < 2; ++s) {
    sides_[s][ends[s]] = {stamp_, 0, 0};
    queue[s].emplace(0, ends[s]);
  }
  auto label = [&](int s, uint32_t v) -> uint32_t {
    return sides_[s][v].stamp == stamp_ ? sides_[s][v].dist : kUnreachable;
  };
  // A meeting vertex joins the two half-paths: it must relay, or be an end.
  auto can_meet = [&](uint32_t v) { return relay_[v] || v == ends[0] || v == ends[1]; };
  uint32_t best = kUnreachable, meet = 0;
  while (!queue[0].empty() && !queue[1].empty()) {
    if (uint64_t{queue[0].top().first} + queue[1].top().first >= best) break;
    const int s = queue[0].top().first <= queue[1].top().first ? 0 : 1;
    auto [d, v] = queue[s].top();
    queue[s].pop();
    if (d != label(s, v) || (v != ends[s] && !relay_[v])) continue;
    const auto& offset = s == 0 ? out_offset_ : in_offset_;
    const auto& arcs = s == 0 ? out_ : in_;
    for (uint32_t i = offset[v]; i < offset[v + 1]; ++i) {
      const Arc& a = arcs[i];
      const uint32_t nd = d + a.cost;
      if (nd < label(s, a.vertex)) {
        sides_[s][a.vertex] = {stamp_, nd, a.link};
        queue[s].emplace(nd, a.vertex);
      }
      const uint32_t other = label(1 - s, a.vertex);
      if (other != kUnreachable && can_meet(a.vertex) && label(s, a.vertex) + other < best) {
        best = label(s, a.vertex) + other;
        meet = a.vertex;
      }
    }
  }
  std::vector<LinkId> path;
  if (best == kUnreachable) return path;
  for (uint32_t v = meet; v != ends[0];) {  // forward half, walked backwards
    const LinkId l = sides_[0][v].via;
    path.push_back(l);
    v = link_source_[l];
  }
  std::reverse(path.begin(), path.end());
  for (uint32_t v = meet; v != ends[1];) {
    const LinkId l = sides_[1][v].via;
    path.push_back(l);
    v = link_target_[l];
  }
  return path;
}

View::View(std::unique_ptr<Graph> g, std::vector<std::vector<VertexId>> device_endpoints)
    : graph_(std::move(g)), endpoints_(std::move(device_endpoints)) {
  PODSIM_CHECK(graph_ != nullptr, "a view needs a graph");
  const Graph& gr = *graph_;
  const size_t n = boost::num_edges(gr);
  edges_.resize(n);
  links_.resize(n);
  std::vector<bool> seen(n, false);
  for (auto e : boost::make_iterator_range(boost::edges(gr))) {
    const LinkId id = gr[e].id;
    PODSIM_CHECK(id < n && !seen[id], "link ids must be dense and unique");
    seen[id] = true;
    edges_[id] = e;
    links_[id] = {gr[e].capacity, gr[e].latency};
  }
  for (const auto& ep : endpoints_) PODSIM_CHECK(!ep.empty(), "every device needs an endpoint vertex");
  router_ = std::make_unique<Router>(gr);
}

View::View(View&&) noexcept = default;
View& View::operator=(View&&) noexcept = default;
View::~View() = default;

size_t View::vertex_count() const { return boost::num_vertices(*graph_); }
const Link& View::link(LinkId id) const { return (*graph_)[edges_[id]]; }
const Vertex& View::vertex(VertexId v) const { return (*graph_)[v]; }

const std::vector<LinkId>& View::route(DeviceIndex src, DeviceIndex dst) const {
  PODSIM_CHECK(src < endpoints_.size() && dst < endpoints_.size(), "route: device index out of range");
  const uint64_t key = (uint64_t{src} << 32) | dst;
  {
    std::lock_guard lock(router_->mu);
    if (auto it = router_->routes.find(key); it != router_->routes.end()) return it->second;
  }
  std::vector<LinkId> r = src == dst ? std::vector<LinkId>{} : route_between(endpoint(src), endpoint(dst));
  std::lock_guard lock(router_->mu);
  // unordered_map nodes are stable: the reference outlives later insertions.
  return router_->routes.try_emplace(key, std::move(r)).first->second;
}

std::vector<LinkId> View::route_between(VertexId src, VertexId dst) const {
  if (src == dst) return {};
  std::lock_guard lock(router_->mu);
  std::vector<LinkId> r = router_->shortest_path(src, dst);
  PODSIM_CHECK(!r.empty(), "no route from " + (*graph_)[src].name + " to " + (*graph_)[dst].name);
  return r;
}

uint64_t View::path_count(VertexId src, VertexId dst) const {
  if (src == dst) return 1;
  std::lock_guard lock(router_->mu);
  const auto& dist = router_->distances_to(dst);
  if (dist[src] == kUnreachable) return 0;
  std::unordered_map<VertexId, uint64_t> memo;
  std::function<uint64_t(VertexId)> count = [&](VertexId v) -> uint64_t {
    if (v == dst) return 1;
    if (auto it = memo.find(v); it != memo.end()) return it->second;
    uint64_t total = 0;
    for (LinkId h : router_->next_hops(v, dst, dist)) total += count(boost::target(edges_[h], *graph_));
    memo[v] = total;
    return total;
  };
  return count(src);
}

std::vector<std::vector<LinkId>> View::paths(VertexId src, VertexId dst, size_t limit) const {
  std::vector<std::vector<LinkId>> out;
  std::lock_guard lock(router_->mu);
  const auto& dist = router_->distances_to(dst);
  if (dist[src] == kUnreachable || limit == 0) return out;
  std::vector<LinkId> prefix;
  std::function<void(VertexId)> walk = [&](VertexId v) {
    if (out.size() >= limit) return;
    if (v == dst) {
      out.push_back(prefix);
      return;
    }
    for (LinkId h : router_->next_hops(v, dst, dist)) {
      prefix.push_back(h);
      walk(boost::target(edges_[h], *graph_));
      prefix.pop_back();
    }
  };
  walk(src);
  return out;
}

std::vector<LinkId> View::next_hops(VertexId at, VertexId dst) const {
  std::lock_guard lock(router_->mu);
  return router_->next_hops(at, dst, router_->distances_to(dst));
}

std::optional<uint32_t> View::distance(VertexId src, VertexId dst) const {
  std::lock_guard lock(router_->mu);
  const uint32_t d = router_->distances_to(dst)[src];
  if (d == kUnreachable) return std::nullopt;
  return d;
}

}  // namespace podsim::topologies
