#pragma once
// A built Cluster as the scheduler's Inventory: every device with its pool, scale-up
// domain (the Cluster's pod), node and scale-out leaf group, and each pool's speed
// relative to the slowest pool's BF16 peak (trace durations are work at that speed).
//
// Leaf group: the leaf switch of the node's first NIC. In a rail-optimised fabric a
// node's NICs sit on one leaf per rail, all in one leaf group; that group's uplink
// capacity is the summed spine-facing capacity of every leaf its nodes touch.
//
// Power: sim/power.h (busy watts per device, static watts of the cluster).
#include "scheduler/inventory.h"
#include "topologies/cluster.h"
#include "topologies/params.h"

namespace podsim::sim {

scheduler::Inventory inventory_from_cluster(const topologies::Cluster& cluster, const topologies::ClusterParams& params);

}  // namespace podsim::sim
