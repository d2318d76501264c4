#pragma once
// ScaleOutFabric: the part of a Cluster's collapsed view that jobs share, as the
// scheduler's links (scheduler/inventory.h, FabricLink), and the route of traffic
// between two leaves over them.
//
// Shared links: the scale-out trunks (leaf <-> spine <-> core, tier kScaleOutTrunk), in
// view LinkId order. A device's NIC link and its leaf access link are its own (a device
// belongs to one job at a time), so they never carry another job's traffic: the step
// model has already timed them with the job alone, and they are left out.
//
// Routes between leaves are the view's shortest paths (topologies/view.h), which are the
// leaf-to-leaf part of every device route between NICs on those leaves (a sub-path of a
// shortest path is shortest; unique on the collapsed view in every preset). A leaf whose
// trunks all go to one vertex (its collapsed spines: every fat tree here) can only be
// left and entered through it, so its routes are that trunk, the route between the two
// spine vertices (cached per pair: few) and the trunk down: a fleet has ~10^3 leaves and
// its jobs touch ~10^5 leaf pairs, each a whole-graph search otherwise.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "scheduler/inventory.h"
#include "topologies/cluster.h"

namespace podsim::sim {

class ScaleOutFabric {
 public:
  // REQUIRES: `cluster` outlives this object.
  explicit ScaleOutFabric(const topologies::Cluster& cluster);

  // The leaf behind device d's NIC in the collapsed view, if it has one.
  std::optional<topologies::VertexId> leaf(uint32_t device) const;
  // The shared links, indexed as FabricLinks: capacity, and the leaf vertex whose uplink
  // each is (the link leaves a leaf switch), if any.
  struct Shared {
    double bytes_per_s;
    std::optional<topologies::VertexId> uplink_of;
  };
  const std::vector<Shared>& links() const { return links_; }
  // The shared links from leaf a to leaf b, as indices into links(). Cached; the
  // reference is valid while this object lives. REQUIRES: a != b.
  const std::vector<uint32_t>& route(topologies::VertexId a, topologies::VertexId b) const;

 private:
  const topologies::Cluster& cluster_;
  std::vector<topologies::VertexId> leaf_;  // by device; kNoLeaf if none
  static constexpr topologies::VertexId kNoLeaf = static_cast<topologies::VertexId>(-1);
  std::vector<Shared> links_;
  std::vector<uint32_t> shared_index_;  // by view LinkId; kNotShared if not shared
  static constexpr uint32_t kNotShared = UINT32_MAX;
  // The trunk from and to the one vertex above each leaf, if it has one; by vertex.
  struct Above {
    topologies::VertexId vertex = kNoLeaf;
    uint32_t up = kNotShared, down = kNotShared;  // shared indices
  };
  std::vector<Above> above_;
  const std::vector<uint32_t>& shared_route(topologies::VertexId a, topologies::VertexId b) const;
  mutable std::unordered_map<uint64_t, std::vector<uint32_t>> routes_, middles_;
};

}  // namespace podsim::sim
