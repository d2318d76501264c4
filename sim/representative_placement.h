#pragma once
// The devices a cluster run's step oracle simulates a job on: one representative
// placement of the shape the scheduler chose (scheduler/placement.h), since the
// scheduler decides only how many domains, nodes and leaves a job spans, not which
// device holds which rank.
//
// The shape's first shape.domains domains of the pool, the ranks split evenly between
// them (the first n mod domains take one more), each share filled node by node over
// about shape.nodes / shape.domains nodes, in rank order (TP innermost, so TP groups
// stay on a node as workloads/placement.h packs them). Ranks the chosen domains cannot
// hold go to the pool's next devices.
//
//   pool of 2 domains x 2 nodes x 4 devices, shape {domains 2, nodes 2}, n = 8:
//   ranks 0-3 -> domain 0 node 0 (devices 0-3), ranks 4-7 -> domain 1 node 0 (devices 8-11)
#include <cstdint>
#include <vector>

#include "engine/network/fabric.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"

namespace podsim::sim {

// REQUIRES: shape.pool is a pool of `inv` holding at least n devices.
std::vector<engine::DeviceId> representative_placement(const scheduler::Inventory& inv,
                                                       const scheduler::PlacementShape& shape, uint32_t n);

}  // namespace podsim::sim
