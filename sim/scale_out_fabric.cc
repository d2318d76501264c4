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
}

std::optional<VertexId> ScaleOutFabric::leaf(uint32_t device) const {
  if (leaf_[device] == kNoLeaf) return std::nullopt;
  return leaf_[device];
}

const std::vector<uint32_t>& ScaleOutFabric::route(VertexId a, VertexId b) const {
  const uint64_t key = (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b);
  auto [it, fresh] = routes_.try_emplace(key);
  if (fresh)
    for (topologies::LinkId id : cluster_.collapsed().route_between(a, b))
      if (shared_index_[id] != kNotShared) it->second.push_back(shared_index_[id]);
  return it->second;
}

}  // namespace podsim::sim
