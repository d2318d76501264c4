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

// The routing caches of one View. Callers hold `mu` while they use the returned tables.
class Router {
 public:
  // Destinations whose distance tables are kept (a table is 4 bytes per vertex).
  static constexpr size_t kDistanceTables = 64;

  explicit Router(const Graph& g) : g_(g) {}

  std::mutex mu;
  std::unordered_map<uint64_t, std::vector<LinkId>> routes;  // (src << 32 | dst) -> route

  // Routing cost from every vertex to `dst`. REQUIRES: mu held. The reference stays
  // valid until the next call.
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
    for (auto e : boost::make_iterator_range(boost::out_edges(at, g_))) {
      const VertexId v = boost::target(e, g_);
      if (v != dst && !forwards(g_[v].kind)) continue;
      if (dist[v] != kUnreachable && dist[v] + route_cost(g_[e]) == dist[at]) hops.push_back(g_[e].id);
    }
    std::sort(hops.begin(), hops.end());
    return hops;
  }

 private:
  // Dijkstra from dst over reversed edges. Only dst and relays (switches, NICs) are
  // expanded, so no path passes through an accelerator or CPU.
  std::vector<uint32_t> compute(VertexId dst) const {
    std::vector<uint32_t> dist(boost::num_vertices(g_), kUnreachable);
    using Item = std::pair<uint32_t, VertexId>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    dist[dst] = 0;
    queue.emplace(0, dst);
    while (!queue.empty()) {
      auto [d, v] = queue.top();
      queue.pop();
      if (d != dist[v]) continue;
      if (v != dst && !forwards(g_[v].kind)) continue;
      for (auto e : boost::make_iterator_range(boost::in_edges(v, g_))) {
        const VertexId u = boost::source(e, g_);
        const uint32_t nd = d + route_cost(g_[e]);
        if (nd < dist[u]) {
          dist[u] = nd;
          queue.emplace(nd, u);
        }
      }
    }
    return dist;
  }

  const Graph& g_;
  std::vector<std::pair<VertexId, std::vector<uint32_t>>> tables_;
  size_t next_victim_ = 0;
};

View::View(Graph g, std::vector<std::vector<VertexId>> device_endpoints)
    : graph_(std::make_unique<Graph>(std::move(g))), endpoints_(std::move(device_endpoints)) {
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
  std::lock_guard lock(router_->mu);
  const auto& dist = router_->distances_to(dst);
  PODSIM_CHECK(dist[src] != kUnreachable,
               "no route from " + (*graph_)[src].name + " to " + (*graph_)[dst].name);
  std::vector<LinkId> r;
  for (VertexId at = src; at != dst;) {
    const auto hops = router_->next_hops(at, dst, dist);
    PODSIM_CHECK(!hops.empty(), "shortest-path walk stuck");
    r.push_back(hops.front());
    at = boost::target(edges_[hops.front()], *graph_);
  }
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
