#include "scheduler/free_map.h"

#include <algorithm>

#include "engine/check.h"

namespace podsim::scheduler {

FreeMap::FreeMap(const Inventory& inventory)
    : inv_(inventory),
      free_(inventory.devices().size(), true),
      node_free_(inventory.node_count()),
      domain_free_(inventory.domain_count()),
      pool_free_(inventory.pools().size()) {
  for (uint32_t n = 0; n < inv_.node_count(); ++n) {
    // Reversed, so that take() pops devices in index order.
    const std::vector<uint32_t>& devs = inv_.node_devices(n);
    node_free_[n].assign(devs.rbegin(), devs.rend());
  }
  for (uint32_t d = 0; d < inv_.domain_count(); ++d) domain_free_[d] = inv_.domain_size(d);
  for (uint32_t p = 0; p < inv_.pools().size(); ++p) pool_free_[p] = inv_.pool_size(p);
  total_free_ = whole_node_free_ = static_cast<uint32_t>(inv_.devices().size());
}

void FreeMap::adjust_node(uint32_t node, int delta) {
  ++version_;
  const auto size = static_cast<uint32_t>(inv_.node_devices(node).size());
  const auto before = static_cast<uint32_t>(node_free_[node].size()) - delta;  // already changed
  if (before == size) whole_node_free_ -= size;
  if (node_free_[node].size() == size) whole_node_free_ += size;
  const uint32_t domain = inv_.node_domain(node);
  domain_free_[domain] += delta;
  pool_free_[inv_.domain_pool(domain)] += delta;
  total_free_ += delta;
}

std::vector<uint32_t> FreeMap::take(std::span<const NodeTake> takes) {
  std::vector<uint32_t> out;
  for (const NodeTake& t : takes) {
    std::vector<uint32_t>& free = node_free_[t.node];
    PODSIM_CHECK(free.size() >= t.count, "device allocation never above capacity: a placement takes more devices than a node has free");
    for (uint32_t i = 0; i < t.count; ++i) {
      out.push_back(free.back());
      free_[free.back()] = false;
      free.pop_back();
    }
    adjust_node(t.node, -static_cast<int>(t.count));
  }
  return out;
}

void FreeMap::take_device(uint32_t device) {
  PODSIM_CHECK(free_[device], "device allocation never above capacity: taking a device that is not free");
  const uint32_t node = inv_.devices()[device].node;
  std::vector<uint32_t>& free = node_free_[node];
  free.erase(std::find(free.begin(), free.end(), device));
  free_[device] = false;
  adjust_node(node, -1);
}

void FreeMap::give_back(uint32_t device) {
  PODSIM_CHECK(!free_[device], "giving back a device that is already free");
  const uint32_t node = inv_.devices()[device].node;
  std::vector<uint32_t>& free = node_free_[node];
  // Keep the list sorted descending so that take() pops the lowest index first, which
  // makes placements independent of the order devices came back in.
  free.insert(std::upper_bound(free.begin(), free.end(), device, std::greater<>()), device);
  free_[device] = true;
  adjust_node(node, +1);
}

}  // namespace podsim::scheduler
