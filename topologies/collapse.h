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
//
// Collapser merges links as they come, so a build that needs only the collapsed view
// never holds the detailed graph (on CloudMatrix384 the detailed graph has 20 times the
// links). Fed the same links in the same order, it gives the same view as collapse().
// Internal to topologies/.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "topologies/graph.h"
#include "topologies/view.h"

namespace podsim::topologies {

class Collapser {
 public:
  explicit Collapser(const std::vector<std::string>* group_names) : group_names_(group_names) {}

  // A detailed vertex of group x.group. REQUIRES: the group's vertices share kind,
  // role and device.
  void add_vertex(const Vertex& x);
  // A detailed directed link from a vertex of group `from` to one of group `to`, in
  // LinkId order (the merged ids follow the order links first join two groups).
  void add_link(GroupId from, GroupId to, const Link& x);
  // The view. `device_groups[d]`: the group of device d's endpoints. REQUIRES: every
  // group has a vertex; every merged link has both directions.
  View finish(const std::vector<GroupId>& device_groups);

 private:
  struct Merged {
    GroupId low, high;
    Link dir[2];  // dir[0]: low group -> high group
  };
  const std::vector<std::string>* group_names_;
  std::vector<Vertex> groups_;
  std::vector<bool> seen_;
  std::vector<Merged> merged_;
  std::unordered_map<uint64_t, size_t> index_;
};

// REQUIRES: every group has at least one vertex, all of one kind and role; a device's
// endpoints share one group.
View collapse(const Graph& detailed, const std::vector<std::string>& group_names,
              const std::vector<std::vector<VertexId>>& device_endpoints);

}  // namespace podsim::topologies
