#pragma once
// FreeMap: which devices of an Inventory are free, with counts per node, scale-up
// domain and pool kept current so that a placement can answer "does it fit?" in O(1)
// and choose devices by scanning domains and nodes, never devices.
//
// A device is free, or taken (allocated to a job, down for repair, or held as a spare):
// the run loop knows which; FreeMap only that it may not be handed out.
#include <cstdint>
#include <span>
#include <vector>

#include "scheduler/inventory.h"

namespace podsim::scheduler {

// `count` devices from `node`.
struct NodeTake {
  uint32_t node = 0;
  uint32_t count = 0;
};

class FreeMap {
 public:
  // Every device free. REQUIRES: `inventory` outlives this object.
  explicit FreeMap(const Inventory& inventory);

  const Inventory& inventory() const { return inv_; }
  bool is_free(uint32_t device) const { return free_[device]; }
  uint32_t free_on_node(uint32_t node) const { return static_cast<uint32_t>(node_free_[node].size()); }
  uint32_t free_in_domain(uint32_t domain) const { return domain_free_[domain]; }
  uint32_t free_in_pool(uint32_t pool) const { return pool_free_[pool]; }
  uint32_t free_total() const { return total_free_; }
  // Free devices on nodes with nothing taken: what a whole-node job could still use.
  uint32_t free_on_whole_nodes() const { return whole_node_free_; }
  // Changes on every take and give-back: a placement computed at one version holds
  // while the version stays the same.
  uint64_t version() const { return version_; }

  // Takes the free devices `takes` names. REQUIRES: each node has that many free.
  std::vector<uint32_t> take(std::span<const NodeTake> takes);
  // REQUIRES: the device is free.
  void take_device(uint32_t device);
  // REQUIRES: the device is taken.
  void give_back(uint32_t device);

 private:
  void adjust_node(uint32_t node, int delta);

  const Inventory& inv_;
  std::vector<bool> free_;
  std::vector<std::vector<uint32_t>> node_free_;  // free devices of each node
  std::vector<uint32_t> domain_free_;
  std::vector<uint32_t> pool_free_;
  uint32_t total_free_ = 0;
  uint32_t whole_node_free_ = 0;
  uint64_t version_ = 0;
};

}  // namespace podsim::scheduler
