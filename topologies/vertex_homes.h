#pragma once
// Where each vertex of a view sits in the cluster's domain tree (cluster > pod > rack >
// node), for drawings grouped by rack and node (dot.h, report/topology_drawing.h).
//
//   an accelerator (GPU or die) and its NIC   its device's node
//   a scale-up switch that links to devices   the smallest domain holding all of them:
//                                             a UB L1 chip -> its node, an NVL72
//                                             NVSwitch -> its rack, an HGX NVSwitch -> its
//                                             server (node)
//   any other non-scale-out vertex            the smallest domain holding its placed
//                                             neighbours: a UB L2 chip -> its pod, a CPU
//                                             -> its node
//   a scale-out switch (leaf, spine, core)    none: it sits above every pod
// Derived from the links, not from names, so a resized system places correctly.
#include <cstdint>
#include <optional>
#include <vector>

#include "topologies/cluster.h"
#include "topologies/view.h"

namespace podsim::topologies {

// Indexed by VertexId of `v` (a view of `c`); values index c.domains().
std::vector<std::optional<uint32_t>> vertex_homes(const Cluster& c, const View& v);

// The smallest domain holding both a and b.
uint32_t common_domain(const std::vector<Domain>& domains, uint32_t a, uint32_t b);

}  // namespace podsim::topologies
