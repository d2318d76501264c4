#pragma once
// Inventory: the devices a scheduler hands out, as plain data. sim/ fills it from a
// topologies::Cluster (sim/inventory_from_cluster.h); tests write small ones by hand.
//
// Every device names its pool (a system type: "cloudmatrix384", "nvl72"), its scale-up
// domain (one CloudMatrix384 = one 384-NPU domain, one NVL72 rack = one 72-GPU domain,
// one HGX server = one 8-GPU domain), its node (a server) and its scale-out leaf
// switch. Ids are dense and global: domain 3 is the same domain whatever the pool.
//
//   Inventory inv = Inventory::uniform({.pool = "hgx", .domains = 2, .nodes_per_domain = 1,
//                                       .devices_per_node = 8});   // 16 devices
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace podsim::scheduler {

struct PoolInfo {
  std::string name;
  std::string gpu_type;  // a second name traces may use for its devices (node lists); may be empty
  // Work per second relative to the reference device (1.0). Trace durations are work at
  // reference speed, so a job runs them in duration / relative_speed on this pool.
  double relative_speed = 1.0;
};

struct InventoryDevice {
  uint32_t pool = 0;
  uint32_t domain = 0;  // scale-up domain
  uint32_t node = 0;
  uint32_t leaf = 0;    // scale-out leaf switch (rail group)
  double idle_watts = 0;
  double busy_watts = 0;  // at full load; a StepEstimate may give its own
};

// Scale-out capacity a leaf offers to traffic leaving it, bytes/s per direction
// (0: unconstrained): the sum of its uplinks among FabricLinks.
struct LeafInfo {
  double uplink_bytes_per_s = 0;
};

// A directed link of the scale-out fabric that jobs' flows share
// (scheduler/fabric_contention.h): a leaf uplink, a spine-core trunk... Flows name links
// by their index in Inventory::links().
struct FabricLink {
  double bytes_per_s = 0;  // > 0 and finite
  // The leaf whose uplink this is (observers sum a leaf's uplink loads), if any.
  std::optional<uint32_t> uplink_of;
};

class Inventory {
 public:
  struct UniformParams {
    std::string pool = "pool";
    double relative_speed = 1.0;
    uint32_t domains = 1;
    uint32_t nodes_per_domain = 1;
    uint32_t devices_per_node = 8;
    uint32_t nodes_per_leaf = 0;  // 0: one leaf per domain
    double idle_watts = 0, busy_watts = 0;
    // > 0: each leaf gets one uplink FabricLink of this capacity.
    double leaf_uplink_bytes_per_s = 0;
  };
  // One pool of identical domains, for tests and benchmarks.
  static Inventory uniform(const UniformParams& p);
  // Appends another pool built like uniform(); ids continue after the existing ones.
  void add_uniform_pool(const UniformParams& p);

  Inventory() = default;
  // REQUIRES (std::invalid_argument): every index dense from 0 and in range; a node's
  // devices share its domain, pool and leaf; a domain's nodes share its pool; link
  // capacities positive and finite.
  Inventory(std::vector<PoolInfo> pools, std::vector<InventoryDevice> devices, std::vector<LeafInfo> leaves,
            double static_watts, std::vector<FabricLink> links = {});

  const std::vector<PoolInfo>& pools() const { return pools_; }
  const std::vector<InventoryDevice>& devices() const { return devices_; }
  const std::vector<LeafInfo>& leaves() const { return leaves_; }
  const std::vector<FabricLink>& links() const { return links_; }
  // The links whose uplink_of is `leaf`, in index order.
  const std::vector<uint32_t>& leaf_uplinks(uint32_t leaf) const { return leaf_uplinks_[leaf]; }
  // Power drawn whatever runs: switches, CPUs, cooling overhead a preset publishes.
  double static_watts() const { return static_watts_; }

  uint32_t node_count() const { return static_cast<uint32_t>(node_devices_.size()); }
  uint32_t domain_count() const { return static_cast<uint32_t>(domain_nodes_.size()); }
  const std::vector<uint32_t>& node_devices(uint32_t node) const { return node_devices_[node]; }
  const std::vector<uint32_t>& domain_nodes(uint32_t domain) const { return domain_nodes_[domain]; }
  const std::vector<uint32_t>& pool_domains(uint32_t pool) const { return pool_domains_[pool]; }
  uint32_t node_domain(uint32_t node) const { return devices_[node_devices_[node].front()].domain; }
  uint32_t node_leaf(uint32_t node) const { return devices_[node_devices_[node].front()].leaf; }
  uint32_t domain_pool(uint32_t domain) const { return node_pool(domain_nodes_[domain].front()); }
  uint32_t node_pool(uint32_t node) const { return devices_[node_devices_[node].front()].pool; }
  uint32_t pool_size(uint32_t pool) const { return pool_size_[pool]; }
  uint32_t domain_size(uint32_t domain) const { return domain_size_[domain]; }
  // The index of the pool called `name`, if any.
  std::optional<uint32_t> find_pool(const std::string& name) const;

 private:
  void index();

  std::vector<PoolInfo> pools_;
  std::vector<InventoryDevice> devices_;
  std::vector<LeafInfo> leaves_;
  double static_watts_ = 0;
  std::vector<FabricLink> links_;
  // Derived by index().
  std::vector<std::vector<uint32_t>> leaf_uplinks_;
  std::vector<std::vector<uint32_t>> node_devices_;
  std::vector<std::vector<uint32_t>> domain_nodes_;
  std::vector<std::vector<uint32_t>> pool_domains_;
  std::vector<uint32_t> pool_size_;
  std::vector<uint32_t> domain_size_;
};

}  // namespace podsim::scheduler
