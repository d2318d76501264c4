#pragma once
// View: one graph of a cluster (detailed or collapsed) with its link table, the vertices
// where each device attaches, and routing.
//
// Routing is shortest-path with a cost per link: 1 for a scale-up or die-to-die link,
// kScaleOutHopCost for a NIC or scale-out link, so a route crosses the scale-out network
// only when no scale-up path exists (two NPUs of one CloudMatrix384 use the UB even when
// their NICs share a leaf). Only switches and NICs relay; no route passes through an
// accelerator or CPU. Among equal-cost paths:
//   - route() takes one, found by bidirectional Dijkstra (deterministic; on the
//     collapsed view the shortest path is unique in every preset);
//   - path_count() / paths() give every equal-cost path (ECMP), e.g. 112 between two
//     910C dies on different CloudMatrix384 nodes (7 planes x 16 L2 chips), 18 between
//     two GPUs of an NVL72 (one per NVSwitch chip).
//
// Worked example, NVL72 collapsed: route(0, 5) = [GPU0 -> NVSwitches, NVSwitches -> GPU5],
// two links of 900 GB/s each; the detailed view has 18 paths of two 50 GB/s links.
//
// Cost: a route visits about two balls of half its length (tens of microseconds on a
// 16k-GPU fat tree); routes are cached until the View dies. ECMP queries compute a
// distance table per destination (Dijkstra on the reversed graph, the whole graph) and
// keep the last 64. The caches are guarded by a mutex, so one View can serve several
// threads.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "topologies/graph.h"

namespace podsim::topologies {

constexpr uint32_t kScaleOutHopCost = 1u << 12;

class Router;

class View {
 public:
  // REQUIRES: the Link::id of g's edges are 0..num_edges-1, each once; every device has
  // at least one endpoint. (A pointer because BGL's adjacency_list has no move
  // constructor: a Graph passed by value would be copied.)
  View(std::unique_ptr<Graph> g, std::vector<std::vector<VertexId>> device_endpoints);
  View(View&&) noexcept;
  View& operator=(View&&) noexcept;
  ~View();

  const Graph& graph() const { return *graph_; }
  size_t vertex_count() const;
  size_t link_count() const { return links_.size(); }
  const std::vector<LinkInfo>& links() const { return links_; }
  EdgeId edge(LinkId id) const { return edges_[id]; }
  const Link& link(LinkId id) const;
  const Vertex& vertex(VertexId v) const;

  size_t device_count() const { return endpoints_.size(); }
  // Where device d attaches: its GPU vertex, or its dies (first die first).
  std::span<const VertexId> endpoints(DeviceIndex d) const { return endpoints_[d]; }
  VertexId endpoint(DeviceIndex d) const { return endpoints_[d].front(); }

  // The route between the devices' first endpoints. Empty iff src == dst.
  const std::vector<LinkId>& route(DeviceIndex src, DeviceIndex dst) const;
  // Vertex-level routing for die or NIC studies. REQUIRES: dst reachable from src.
  std::vector<LinkId> route_between(VertexId src, VertexId dst) const;
  // Number of equal-cost shortest paths (counted by dynamic programming, not listed).
  uint64_t path_count(VertexId src, VertexId dst) const;
  uint64_t path_count(DeviceIndex src, DeviceIndex dst) const { return path_count(endpoint(src), endpoint(dst)); }
  // The equal-cost paths themselves, at most `limit` of them, in LinkId order.
  std::vector<std::vector<LinkId>> paths(VertexId src, VertexId dst, size_t limit) const;
  // Equal-cost next hops from `at` toward `dst` (for per-packet or flowlet spraying).
  std::vector<LinkId> next_hops(VertexId at, VertexId dst) const;
  // Routing cost of the shortest path; nullopt if dst is unreachable.
  std::optional<uint32_t> distance(VertexId src, VertexId dst) const;

 private:
  std::unique_ptr<Graph> graph_;  // on the heap: router_ points into it across moves
  std::vector<EdgeId> edges_;     // by LinkId
  std::vector<LinkInfo> links_;   // by LinkId
  std::vector<std::vector<VertexId>> endpoints_;
  std::unique_ptr<Router> router_;
};

// The routing cost of one link (see above).
inline uint32_t route_cost(const Link& l) { return is_scale_out(l.tier) ? kScaleOutHopCost : 1; }

}  // namespace podsim::topologies
