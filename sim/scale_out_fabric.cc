#include "sim/scale_out_fabric.h"

#include <boost/graph/adjacency_list.hpp>

namespace podsim::sim {

using topologies::LinkTier;
using topologies::VertexId;

ScaleOutFabric::ScaleOutFabric(const topologies::Cluster& cluster) : cluster_(cluster) {
  const topologies::View& view = cluster.collapsed();
  const topologies::Graph& g = view.graph();
  leaf_.assign(view.device_count(), kNoLeaf);
  for (topologies::DeviceIndex d = 0; d < view.device_count(); ++d)
    for (VertexId v : view.endpoints(d))
      for (auto [e, end] = boost::out_edges(v, g); e != end && leaf_[d] == kNoLeaf; ++e) {
        if (g[*e].tier != LinkTier::kNicAttach) continue;
        const VertexId nic = boost::target(*e, g);
        for (auto [f, fend] = boost::out_edges(nic, g); f != fend; ++f)
          if (g[*f].tier == LinkTier::kScaleOutAccess) {
            leaf_[d] = boost::target(*f, g);
            break;
          }
      }
  shared_index_.assign(view.link_count(), kNotShared);
  for (topologies::LinkId id = 0; id < view.link_count(); ++id) {
    const topologies::Link& l = view.link(id);
    if (l.tier != LinkTier::kScaleOutTrunk) continue;
    shared_index_[id] = static_cast<uint32_t>(links_.size());
    const VertexId from = boost::source(view.edge(id), g);
    links_.push_back({.bytes_per_s = l.capacity.value(),
                      .uplink_of = g[from].role == topologies::SwitchRole::kLeaf ? std::optional(from) : std::nullopt});
  }
  above_.assign(boost::num_vertices(g), Above{});
  for (VertexId v = 0; v < boost::num_vertices(g); ++v) {
    if (g[v].role != topologies::SwitchRole::kLeaf) continue;
    Above a;
    bool one = true;
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      if (g[*e].tier != LinkTier::kScaleOutTrunk) continue;
      const VertexId t = boost::target(*e, g);
      if (a.vertex != kNoLeaf && a.vertex != t) one = false;
      a.vertex = t;
      a.up = shared_index_[g[*e].id];
    }
    for (auto [e, end] = boost::in_edges(v, g); e != end; ++e)
      if (g[*e].tier == LinkTier::kScaleOutTrunk && boost::source(*e, g) == a.vertex) a.down = shared_index_[g[*e].id];
    if (one && a.vertex != kNoLeaf && a.down != kNotShared) above_[v] = a;
  }
}

std::optional<VertexId> ScaleOutFabric::leaf(uint32_t device) const {
  if (leaf_[device] == kNoLeaf) return std::nullopt;
  return leaf_[device];
}

const std::vector<uint32_t>& ScaleOutFabric::shared_route(VertexId a, VertexId b) const {
  auto [it, fresh] = middles_.try_emplace((static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b));
  if (fresh)
    for (topologies::LinkId id : cluster_.collapsed().route_between(a, b))
      if (shared_index_[id] != kNotShared) it->second.push_back(shared_index_[id]);
  return it->second;
}

const std::vector<uint32_t>& ScaleOutFabric::route(VertexId a, VertexId b) const {
  const uint64_t key = (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b);
  auto [it, fresh] = routes_.try_emplace(key);
  if (!fresh) return it->second;
  const Above& x = above_[a];
  const Above& y = above_[b];
  if (x.vertex == kNoLeaf || y.vertex == kNoLeaf) {
    it->second = shared_route(a, b);
    return it->second;
  }
  it->second.push_back(x.up);
  if (x.vertex != y.vertex) {
    const std::vector<uint32_t>& mid = shared_route(x.vertex, y.vertex);
    it->second.insert(it->second.end(), mid.begin(), mid.end());
  }
  it->second.push_back(y.down);
  return it->second;
}

}  // namespace podsim::sim
