#include "scheduler/inventory.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace podsim::scheduler {

Inventory Inventory::uniform(const UniformParams& p) {
  Inventory inv;
  inv.add_uniform_pool(p);
  return inv;
}

void Inventory::add_uniform_pool(const UniformParams& p) {
  if (p.domains == 0 || p.nodes_per_domain == 0 || p.devices_per_node == 0)
    throw std::invalid_argument("Inventory::uniform: every count must be > 0");
  const auto pool = static_cast<uint32_t>(pools_.size());
  pools_.push_back({.name = p.pool, .relative_speed = p.relative_speed});
  const uint32_t first_domain = domain_count();
  const uint32_t first_node = node_count();
  const auto first_leaf = static_cast<uint32_t>(leaves_.size());
  const uint32_t nodes_per_leaf = p.nodes_per_leaf == 0 ? p.nodes_per_domain : p.nodes_per_leaf;
  uint32_t max_leaf = first_leaf;
  for (uint32_t d = 0; d < p.domains; ++d) {
    for (uint32_t n = 0; n < p.nodes_per_domain; ++n) {
      const uint32_t node_in_pool = d * p.nodes_per_domain + n;
      const uint32_t leaf = first_leaf + node_in_pool / nodes_per_leaf;
      max_leaf = std::max(max_leaf, leaf);
      for (uint32_t k = 0; k < p.devices_per_node; ++k)
        devices_.push_back({.pool = pool,
                            .domain = first_domain + d,
                            .node = first_node + node_in_pool,
                            .leaf = leaf,
                            .idle_watts = p.idle_watts,
                            .busy_watts = p.busy_watts});
    }
  }
  leaves_.resize(max_leaf + 1, LeafInfo{.uplink_bytes_per_s = p.leaf_uplink_bytes_per_s});
  if (p.leaf_uplink_bytes_per_s > 0)
    for (uint32_t l = first_leaf; l <= max_leaf; ++l)
      links_.push_back({.bytes_per_s = p.leaf_uplink_bytes_per_s, .uplink_of = l});
  index();
}

Inventory::Inventory(std::vector<PoolInfo> pools, std::vector<InventoryDevice> devices, std::vector<LeafInfo> leaves,
                     double static_watts, std::vector<FabricLink> links)
    : pools_(std::move(pools)),
      devices_(std::move(devices)),
      leaves_(std::move(leaves)),
      static_watts_(static_watts),
      links_(std::move(links)) {
  index();
}

std::optional<uint32_t> Inventory::find_pool(const std::string& name) const {
  for (uint32_t p = 0; p < pools_.size(); ++p)
    if (pools_[p].name == name) return p;
  return std::nullopt;
}

void Inventory::index() {
  uint32_t nodes = 0, domains = 0;
  for (const InventoryDevice& d : devices_) {
    if (d.pool >= pools_.size()) throw std::invalid_argument(fmt::format("Inventory: pool {} out of range", d.pool));
    if (d.leaf >= leaves_.size()) throw std::invalid_argument(fmt::format("Inventory: leaf {} out of range", d.leaf));
    nodes = std::max(nodes, d.node + 1);
    domains = std::max(domains, d.domain + 1);
  }
  leaf_uplinks_.assign(leaves_.size(), {});
  for (uint32_t i = 0; i < links_.size(); ++i) {
    const FabricLink& l = links_[i];
    if (!(l.bytes_per_s > 0) || !std::isfinite(l.bytes_per_s))
      throw std::invalid_argument(fmt::format("Inventory: link {} has capacity {} (expected > 0 and finite)", i, l.bytes_per_s));
    if (l.uplink_of) {
      if (*l.uplink_of >= leaves_.size())
        throw std::invalid_argument(fmt::format("Inventory: link {} is the uplink of leaf {}, out of range", i, *l.uplink_of));
      leaf_uplinks_[*l.uplink_of].push_back(i);
    }
  }
  node_devices_.assign(nodes, {});
  domain_nodes_.assign(domains, {});
  pool_domains_.assign(pools_.size(), {});
  pool_size_.assign(pools_.size(), 0);
  domain_size_.assign(domains, 0);
  for (uint32_t i = 0; i < devices_.size(); ++i) {
    const InventoryDevice& d = devices_[i];
    std::vector<uint32_t>& on_node = node_devices_[d.node];
    if (!on_node.empty()) {
      const InventoryDevice& first = devices_[on_node.front()];
      if (first.domain != d.domain || first.pool != d.pool || first.leaf != d.leaf)
        throw std::invalid_argument(fmt::format("Inventory: node {} spans domains, pools or leaves", d.node));
    } else {
      domain_nodes_[d.domain].push_back(d.node);
    }
    on_node.push_back(i);
    ++pool_size_[d.pool];
    ++domain_size_[d.domain];
  }
  for (uint32_t n = 0; n < nodes; ++n)
    if (node_devices_[n].empty()) throw std::invalid_argument(fmt::format("Inventory: node {} has no device", n));
  for (uint32_t dom = 0; dom < domains; ++dom) {
    if (domain_nodes_[dom].empty()) throw std::invalid_argument(fmt::format("Inventory: domain {} has no device", dom));
    const uint32_t pool = node_pool(domain_nodes_[dom].front());
    for (uint32_t n : domain_nodes_[dom])
      if (node_pool(n) != pool) throw std::invalid_argument(fmt::format("Inventory: domain {} spans pools", dom));
    pool_domains_[pool].push_back(dom);
  }
}

}  // namespace podsim::scheduler
