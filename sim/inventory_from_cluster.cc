#include "sim/inventory_from_cluster.h"

#include <boost/graph/adjacency_list.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "sim/power.h"

namespace podsim::sim {
namespace {

// The leaf switch vertex behind device d's NIC in the collapsed view, if it has one.
std::optional<topologies::VertexId> leaf_of(const topologies::View& view, topologies::DeviceIndex d) {
  const topologies::Graph& g = view.graph();
  for (topologies::VertexId v : view.endpoints(d))
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      if (g[*e].tier != topologies::LinkTier::kNicAttach) continue;
      const topologies::VertexId nic = boost::target(*e, g);
      for (auto [f, fend] = boost::out_edges(nic, g); f != fend; ++f)
        if (g[*f].tier == topologies::LinkTier::kScaleOutAccess) return boost::target(*f, g);
    }
  return std::nullopt;
}

double uplink_bytes_per_s(const topologies::View& view, topologies::VertexId leaf) {
  const topologies::Graph& g = view.graph();
  double sum = 0;
  for (auto [e, end] = boost::out_edges(leaf, g); e != end; ++e)
    if (g[*e].tier == topologies::LinkTier::kScaleOutTrunk) sum += g[*e].capacity.value();
  return sum;
}

}  // namespace

scheduler::Inventory inventory_from_cluster(const topologies::Cluster& cluster, const topologies::ClusterParams& params) {
  const auto& devices = cluster.devices();
  std::vector<scheduler::PoolInfo> pools(params.pools.size());
  std::vector<double> peak(params.pools.size(), 0);
  for (const topologies::Device& d : devices) peak[d.pool] = d.spec->peak_bf16.value();
  const double slowest = *std::min_element(peak.begin(), peak.end());
  for (size_t p = 0; p < pools.size(); ++p) {
    pools[p].name = params.pools[p].name.empty() ? params.pools[p].preset : params.pools[p].name;
    pools[p].relative_speed = slowest > 0 ? peak[p] / slowest : 1.0;
  }
  // Dense ids for pods, nodes and leaf groups, in device order.
  std::map<uint32_t, uint32_t> pod_id, node_id;
  std::map<topologies::VertexId, uint32_t> group_of_leaf;  // the first NIC's leaf -> group
  std::vector<std::vector<topologies::VertexId>> group_leaves;
  std::map<uint32_t, uint32_t> node_group;
  std::vector<scheduler::InventoryDevice> out(devices.size());
  const topologies::View& view = cluster.collapsed();
  for (const topologies::Device& d : devices) {
    const uint32_t pod = pod_id.try_emplace(d.pod, static_cast<uint32_t>(pod_id.size())).first->second;
    const uint32_t node = node_id.try_emplace(d.node, static_cast<uint32_t>(node_id.size())).first->second;
    const std::optional<topologies::VertexId> leaf = leaf_of(view, d.index);
    auto [git, fresh_node] = node_group.try_emplace(node, 0);
    if (fresh_node) {
      // A node without a NIC (a single system) is its pod's own leaf group.
      const topologies::VertexId key = leaf ? *leaf : static_cast<topologies::VertexId>(-1) - pod;
      auto [lit, fresh_group] = group_of_leaf.try_emplace(key, static_cast<uint32_t>(group_leaves.size()));
      if (fresh_group) group_leaves.emplace_back();
      git->second = lit->second;
    }
    if (leaf) group_leaves[git->second].push_back(*leaf);
    out[d.index] = {.pool = d.pool, .domain = pod, .node = node, .leaf = git->second};
  }
  std::vector<scheduler::LeafInfo> leaves(group_leaves.size());
  for (size_t g = 0; g < group_leaves.size(); ++g) {
    std::vector<topologies::VertexId>& ls = group_leaves[g];
    std::sort(ls.begin(), ls.end());
    ls.erase(std::unique(ls.begin(), ls.end()), ls.end());
    for (topologies::VertexId l : ls) leaves[g].uplink_bytes_per_s += uplink_bytes_per_s(view, l);
  }
  const ClusterPower power = cluster_power(cluster);
  for (const topologies::Device& d : devices) out[d.index].busy_watts = power.busy_watts[d.index];
  return scheduler::Inventory(std::move(pools), std::move(out), std::move(leaves), power.static_watts);
}

}  // namespace podsim::sim
