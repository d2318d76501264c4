#pragma once
// A built Cluster as the scheduler's Inventory: every device with its pool, scale-up
// domain (the Cluster's pod), node and scale-out leaf group, and each pool's speed
// relative to the slowest pool's BF16 peak (trace durations are work at that speed).
//
// Leaf group: the leaf switch of the node's first NIC. In a rail-optimised fabric a
// node's NICs sit on one leaf per rail, all in one leaf group; that group's uplink
// capacity is the summed spine-facing capacity of every leaf its nodes touch.
//
// Power: a device draws its TDP while a job holds it. The rest of its system's published
// whole-system estimate (CPUs, NVLink/UB switches, fans: NVL72 120 kW - 72 x GB200
// TDP; DGX H100 10.2 kW - 8 x 700 W) is static, drawn whether or not jobs run. A system
// with an estimate but no device TDP shares the estimate among its devices while busy.
// Devices draw nothing while idle, and scale-out switches nothing: the presets publish
// neither (TODO(#6): idle device and fabric switch power, once sourced).
#include "scheduler/inventory.h"
#include "topologies/cluster.h"
#include "topologies/params.h"

namespace podsim::sim {

scheduler::Inventory inventory_from_cluster(const topologies::Cluster& cluster, const topologies::ClusterParams& params);

}  // namespace podsim::sim
