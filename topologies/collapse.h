#pragma once
// The collapsed view: each collapse group of the detailed graph (Vertex::group) becomes
// one vertex, and all links between two groups become one link per direction whose
// capacity and lanes are the sums and whose latency is the largest (they are equal in
// every preset). Links inside a group (the 910C die-to-die link) disappear.
//
// Exact for even spraying: when traffic spreads evenly over the members of a group (the
// 7 UB planes, the 16 L2 chips of a plane, the 18 NVSwitch chips), every member link
// carries the same share, so the merged link saturates exactly when they all do. Device
// injection and bisection are preserved (tests/topologies/collapse_test.cc).
// Internal to topologies/.
#include <string>
#include <vector>

#include "topologies/graph.h"
#include "topologies/view.h"

namespace podsim::topologies {

// REQUIRES: every group has at least one vertex, all of one kind and role; a device's
// endpoints share one group.
View collapse(const Graph& detailed, const std::vector<std::string>& group_names,
              const std::vector<std::vector<VertexId>>& device_endpoints);

}  // namespace podsim::topologies
