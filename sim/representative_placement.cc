#include "sim/representative_placement.h"

#include <algorithm>

namespace podsim::sim {

std::vector<engine::DeviceId> representative_placement(const scheduler::Inventory& inv,
                                                       const scheduler::PlacementShape& shape, uint32_t n) {
  const std::vector<uint32_t>& domains = inv.pool_domains(shape.pool);
  const uint32_t nd = std::clamp<uint32_t>(shape.domains, 1, static_cast<uint32_t>(domains.size()));
  const uint32_t nodes_per_domain = std::max<uint32_t>(1, (shape.nodes + nd - 1) / nd);
  std::vector<engine::DeviceId> out;
  std::vector<bool> used(inv.devices().size(), false);
  auto take = [&](uint32_t d) {
    used[d] = true;
    out.push_back(engine::DeviceId{d});
  };
  for (uint32_t k = 0; k < nd && out.size() < n; ++k) {
    uint32_t share = n / nd + (k < n % nd ? 1 : 0);
    const uint32_t per_node = (share + nodes_per_domain - 1) / nodes_per_domain;
    for (uint32_t node : inv.domain_nodes(domains[k])) {
      uint32_t here = 0;
      for (uint32_t d : inv.node_devices(node)) {
        if (share == 0 || here == per_node) break;
        take(d);
        --share;
        ++here;
      }
    }
  }
  for (uint32_t d = 0; d < inv.devices().size() && out.size() < n; ++d)
    if (!used[d] && inv.devices()[d].pool == shape.pool) take(d);
  return out;
}

}  // namespace podsim::sim
