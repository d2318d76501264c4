#pragma once
// Building a Cluster from parameters.
//
//   Cluster nvl72 = build_preset("nvl72");
//   Cluster big = build_cluster({.name = "128x HGX H100",
//                                .pools = {{.preset = "hgx-h100", .count = 128, .system = *preset("hgx-h100")}},
//                                .fat_tree = FatTreeParams{.tiers = 2}});
//
// Devices are numbered pool by pool, system by system, node by node, so every domain's
// devices are contiguous. Pod names are "<pool name>-<k>" ("cloudmatrix384-3"), or the
// pool name alone when the cluster is one system.
#include <string>
#include <string_view>
#include <vector>

#include "engine/device.h"
#include "topologies/cluster.h"
#include "topologies/params.h"

namespace podsim::topologies {

// Throws UserError listing every problem check(p) finds, one "path: message" per line.
Cluster build_cluster(const ClusterParams& p);

// The name of a cluster whose params give none: "4x H100 + 2x H800-8gpu", its pools (name,
// else preset; with their counts); past four pools the first three and "+ N more pools".
std::string default_cluster_name(const std::vector<PoolParams>& pools);

// One system of a named preset with its defaults. Throws UserError for an unknown name.
Cluster build_preset(std::string_view name);

// The catalog device of `system` with `overrides` applied. REQUIRES: both checked.
engine::DeviceSpec device_spec(const SystemParams& system, const DeviceOverrides& overrides);

}  // namespace podsim::topologies
