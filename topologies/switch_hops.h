#pragma once
// SwitchHops: the most switches on the route from one device to any other, for the
// diameter (analysis.h). Routes are view.h's: least routing cost, and among those the
// fewest switches; only switches and NICs relay.
//
// Searching the whole graph from every sampled device was O(sources x graph), and the
// sample holds every device of the first node of each pool: quadratic in pools (7 s of
// CPU for 1,000 one-server HGX pools, unfinished after 9 minutes for 20,000). Instead each search stops at the fat tree's spines and cores (it labels them
// but does not go through them), so it covers the device's own system and leaf. Every
// route to a device beyond passes a labelled spine or core first, so its (cost,
// switches) is the least over those frontier vertices f of label(f) + route(f, t): one
// multi-source search from the frontier, the same for every device whose frontier is
// the same set with the same labels up to a constant (every leaf under the same spines),
// and kept for the next such device. The exact route labels result, not an estimate:
// tests/topologies/switch_hops_test.cc checks them against searching the whole graph.
#include <cstdint>
#include <list>
#include <map>
#include <vector>

#include "topologies/view.h"

namespace podsim::topologies {

class SwitchHops {
 public:
  // `view` must outlive this.
  explicit SwitchHops(const View& view);
  // The most switches on the route from device s to any device (itself: 0). Internal
  // error "diameter: the cluster is not connected" if a device cannot be reached.
  int eccentricity(DeviceIndex s);

 private:
  struct Label {
    uint32_t cost;
    int switches;
    auto operator<=>(const Label&) const = default;
  };
  struct Start {
    VertexId vertex;
    Label label;
    auto operator<=>(const Start&) const = default;
  };
  // The routes from a frontier (labels relative to its least), for every device.
  struct FromFrontier {
    std::vector<Label> to_device;
    std::vector<DeviceIndex> by_switches;  // unreachable first, then most switches first
  };
  // Least (cost, switches) labels from `starts`; a start relays even if it is a device.
  // `stop_at_trunks`: spines and cores are labelled but not gone through.
  void search(const std::vector<Start>& starts, bool stop_at_trunks);
  const FromFrontier& from_frontier(const std::vector<Start>& frontier);

  static constexpr uint32_t kFar = UINT32_MAX;
  const View& view_;
  std::vector<int64_t> device_at_;  // by vertex: the device whose endpoint it is, else -1
  std::vector<uint32_t> dist_;
  std::vector<int> switches_;
  std::vector<VertexId> touched_;
  std::vector<uint64_t> near_mark_;  // by device: == mark_ if reached in step 1
  uint64_t mark_ = 0;
  // A few frontiers' results, least recently used dropped first (each is O(devices)).
  static constexpr size_t kKeep = 32;
  std::map<std::vector<Start>, FromFrontier> kept_;
  std::list<std::vector<Start>> use_order_;  // most recent first
};

}  // namespace podsim::topologies
