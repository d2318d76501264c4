#pragma once
// EngineFabric: a Cluster's collapsed view as the engine's Fabric (engine/network/
// fabric.h), so the flow network and collectives run on a preset without knowing it.
//
//   Cluster c = build_preset("nvl72");
//   EngineFabric fabric(c);
//   engine::FlowNetwork net(sim, fabric.links());
//   net.start_flow({.src = DeviceId{0}, .dst = DeviceId{5}, .bytes = b,
//                   .route = fabric.route(DeviceId{0}, DeviceId{5})}, done);
//
// domain(d) is the ordinal of d's pod (scale-up domain); switch_path(d) is the link to
// and from the NVSwitch group where the system reduces in-switch (NVL72, HGX).
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine/network/fabric.h"
#include "topologies/cluster.h"

namespace podsim::topologies {

class EngineFabric final : public engine::Fabric {
 public:
  // REQUIRES: `cluster` outlives this object.
  explicit EngineFabric(const Cluster& cluster);

  size_t device_count() const override { return cluster_.devices().size(); }
  const std::vector<engine::LinkSpec>& links() const override { return links_; }
  // Cached: the reference stays valid as long as this object (the map's nodes do not
  // move). Safe to call from several threads (the planner times candidates at once).
  const std::vector<engine::LinkId>& route(engine::DeviceId src, engine::DeviceId dst) const override;
  uint32_t domain(engine::DeviceId d) const override { return pod_ordinal_[engine::index(d)]; }
  std::optional<engine::SwitchPath> switch_path(engine::DeviceId d) const override;
  engine::CommProfile comm_profile(engine::DeviceId d) const override { return comm_[engine::index(d)]; }
  // For a link out of a switch, the switch's other links in; for a link into one, its
  // other links out; whichever fits in the link's capacity (routes are shortest paths
  // between devices, so they neither start at a switch nor turn back). Links to a
  // vertex no route crosses (a CPU hanging off a node's switch) do not count.
  std::vector<engine::LinkId> feeders(engine::LinkId l) const override;

 private:
  const Cluster& cluster_;
  std::vector<engine::LinkSpec> links_;
  std::vector<uint32_t> pod_ordinal_;  // by device
  std::vector<bool> reduces_in_switch_;  // by device
  std::vector<engine::CommProfile> comm_;  // by device
  mutable std::mutex routes_mutex_;  // guards routes_ while a route is looked up or filled in
  mutable std::unordered_map<uint64_t, std::vector<engine::LinkId>> routes_;
};

}  // namespace podsim::topologies
