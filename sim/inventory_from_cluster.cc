#include "sim/inventory_from_cluster.h"


#include <algorithm>
#include <map>
#include <optional>

#include "sim/power.h"
#include "sim/scale_out_fabric.h"

namespace podsim::sim {

scheduler::Inventory inventory_from_cluster(const topologies::Cluster& cluster, const topologies::ClusterParams& params) {
  const auto& devices = cluster.devices();
  std::vector<scheduler::PoolInfo> pools(params.pools.size());
  std::vector<double> peak(params.pools.size(), 0);
  for (const topologies::Device& d : devices) peak[d.pool] = d.spec->peak_bf16.value();
  const double slowest = *std::min_element(peak.begin(), peak.end());
  for (size_t p = 0; p < pools.size(); ++p) {
    pools[p].name = params.pools[p].name.empty() ? params.pools[p].preset : params.pools[p].name;
    pools[p].gpu_type = params.pools[p].gpu_type;
    pools[p].relative_speed = slowest > 0 ? peak[p] / slowest : 1.0;
  }
  // Dense ids for pods, nodes and leaf groups, in device order.
  std::map<uint32_t, uint32_t> pod_id, node_id;
  std::map<topologies::VertexId, uint32_t> group_of_leaf;  // the first NIC's leaf -> group
  std::vector<std::vector<topologies::VertexId>> group_leaves;
  std::map<uint32_t, uint32_t> node_group;
  std::vector<scheduler::InventoryDevice> out(devices.size());
  const ScaleOutFabric fabric(cluster);
  for (const topologies::Device& d : devices) {
    const uint32_t pod = pod_id.try_emplace(d.pod, static_cast<uint32_t>(pod_id.size())).first->second;
    const uint32_t node = node_id.try_emplace(d.node, static_cast<uint32_t>(node_id.size())).first->second;
    const std::optional<topologies::VertexId> leaf = fabric.leaf(d.index);
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
  // Every leaf of a group counts as the group's: a trunk leaving it is the group's uplink.
  std::map<topologies::VertexId, uint32_t> group_of;
  for (uint32_t g = 0; g < group_leaves.size(); ++g)
    for (topologies::VertexId l : group_leaves[g]) group_of.emplace(l, g);
  std::vector<scheduler::LeafInfo> leaves(group_leaves.size());
  std::vector<scheduler::FabricLink> links;
  links.reserve(fabric.links().size());
  for (const ScaleOutFabric::Shared& l : fabric.links()) {
    scheduler::FabricLink& out_link = links.emplace_back(scheduler::FabricLink{.bytes_per_s = l.bytes_per_s});
    if (!l.uplink_of) continue;
    auto it = group_of.find(*l.uplink_of);
    if (it == group_of.end()) continue;  // a leaf no device uses
    out_link.uplink_of = it->second;
    leaves[it->second].uplink_bytes_per_s += l.bytes_per_s;
  }
  const ClusterPower power = cluster_power(cluster);
  for (const topologies::Device& d : devices) out[d.index].busy_watts = power.busy_watts[d.index];
  return scheduler::Inventory(std::move(pools), std::move(out), std::move(leaves), power.static_watts, std::move(links));
}

}  // namespace podsim::sim
