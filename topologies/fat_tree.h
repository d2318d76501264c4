#pragma once
// The scale-out fat tree: planning (port counts, fill and radix checks) and building.
// Internal to topologies/; users set ClusterParams::fat_tree.
//
// Folded Clos after Leiserson's fat trees and Al-Fares et al., "A Scalable, Commodity
// Data Center Network Architecture" (SIGCOMM 2008), rail-optimised as in NVIDIA's DGX
// SuperPOD reference architecture (hardware.md §2.6, [S32]).
//
//   2 tiers: L leaves <= radix; leaf l has `up` uplinks spread over `spines` spines in
//            bundles of `leaf_spine_lanes` (the fewest spines whose ports suffice).
//   3 tiers: pods of `spine_down` leaves and `up` spines (leaf l -> every spine of its
//            pod); spine j of every pod has `spine_up` uplinks to core group j, spread
//            over `cores_per_group` cores in bundles of `spine_core_lanes`; pods <= radix.
//            spine_down:spine_up is the spine's oversubscription (1:1 = radix/2 each).
// Real clusters are rarely a whole number of leaves and pods: the last leaf (group) takes
// the NICs left over and the last pod the leaves left over; switches are cabled as in a
// full tree (a half-empty leaf keeps all its uplinks), so the tree grows by adding nodes.
// Example: 2,048 HGX nodes, radix 64, 1:1 -> 32 nodes per leaf group, 8 rails, 512
// leaves, 16 pods of 32 leaves and 32 spines, 32 core groups of 8 cores (4-cable bundles).
// 100 HGX nodes at 3:1 -> leaf groups of 48, 48 and 4 nodes (24 leaves).
#include <optional>
#include <vector>

#include "topologies/builder.h"
#include "topologies/params.h"

namespace podsim::topologies {

struct FatTreeLayout {
  int down = 0, up = 0;  // leaf ports: NIC-facing, spine-facing
  int rails = 1;         // NICs per node (rail-optimised), else 1
  int leaves = 0;
  int spines = 0, leaf_spine_lanes = 0;  // 2 tiers
  int pods = 0, leaves_per_pod = 0, spines_per_pod = 0, cores_per_group = 0, spine_core_lanes = 0;  // 3 tiers
  int spine_up = 0;  // 3 tiers: core-facing ports per spine (leaves_per_pod face down)
};

// Plans the tree over `nics_per_node` (one entry per node, in device order; pool_of_node
// names the pool of each node for messages). Appends problems with paths relative to
// ClusterParams ("fat_tree.radix", "pools[0].count"); nullopt if there were any.
std::optional<FatTreeLayout> plan_fat_tree(const FatTreeParams& p, const std::vector<int>& nics_per_node,
                                           const std::vector<int>& pool_of_node, std::vector<ParamError>& errors);

// Adds a NIC per device and the switches. REQUIRES: plan_fat_tree() succeeded for the
// builder's nodes.
void add_fat_tree(Builder& b, const FatTreeParams& p, const FatTreeLayout& layout);

}  // namespace podsim::topologies
