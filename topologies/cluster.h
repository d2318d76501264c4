#pragma once
// Cluster: a built machine, as plain data the rest of podsim consumes.
//
//   Cluster c = build_cluster(params);            // topologies/build.h
//   c.devices()[i]        // accelerator i: spec, pod / rack / node, bandwidths
//   c.domains()           // cluster > pod (scale-up domain) > rack > node > devices
//   c.links()             // collapsed view's link table: {capacity, latency} by LinkId
//   c.route(src, dst)     // collapsed view's route, a vector of LinkIds (cached)
//   c.detailed()          // every plane, spine and die; ECMP paths (when built)
//
// Devices are accelerators as workloads see them: a GPU, or a whole Ascend 910C package.
// In the detailed view a 910C is two die vertices joined by the die-to-die link (each die
// owns 7 of the package's 14 UB ports and half its NIC); the collapsed view merges the
// dies into one vertex, so a device's route starts at the package.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/network/fabric.h"
#include "topologies/graph.h"
#include "topologies/view.h"

namespace podsim::topologies {

enum class DomainLevel : uint8_t { kCluster, kPod, kRack, kNode };
const char* to_string(DomainLevel l);

// A node of the domain tree. Devices of a domain are contiguous:
// [first_device, first_device + device_count), so a placement can take whole domains.
struct Domain {
  DomainLevel level = DomainLevel::kCluster;
  std::string name;
  std::optional<uint32_t> parent;  // nullopt for the cluster (domains()[0])
  std::vector<uint32_t> children;
  DeviceIndex first_device = 0;
  uint32_t device_count = 0;
};

struct Device {
  DeviceIndex index = 0;
  std::string name;  // "cloudmatrix384-0/node3/npu5"
  std::shared_ptr<const engine::DeviceSpec> spec;
  // Domain indices (into Cluster::domains()). The pod is the scale-up domain: a
  // CloudMatrix384 supernode, an NVL72 (or NVL36x2, NVL576) rack set, an HGX server.
  uint32_t pod = 0, rack = 0, node = 0;
  uint32_t pool = 0;        // index of the pool (ClusterParams::pools) it came from
  uint32_t local_rank = 0;  // position in its node: the NIC rail in a rail-optimised fabric
  // Into the scale-up fabric, per direction: the sum of its scale-up links (392 GB/s for
  // a 910C in CloudMatrix384, 900 GB/s for a GPU in NVL72).
  engine::Bandwidth scale_up_bandwidth;
  // Its NIC's line rate per direction (0 when its system has no NIC).
  engine::Bandwidth scale_out_bandwidth;
};

// One system (supernode, rack set, server) of a pool, for summaries.
struct SystemInfo {
  std::string preset;
  uint32_t pool = 0;
  uint32_t pod = 0;  // its pod domain
  bool hypothetical = false;
  std::optional<double> power_watts;  // the preset's whole-system estimate, if published
  // The scale-up switches reduce in-network (NVLink SHARP / NVLS): NVL72 and HGX boards
  // (hardware.md §3.3 [S36], §5). Not claimed for NVL36x2, NVL576 or the UB.
  bool in_switch_reduction = false;
  // Its collective library and interconnects (engine/network/fabric.h): NCCL on NVIDIA
  // systems, HCCL on Ascend ones.
  engine::CommProfile comm;
};

class Cluster {
 public:
  Cluster(std::string name, std::vector<Device> devices, std::vector<Domain> domains,
          std::vector<SystemInfo> systems, std::optional<int> fat_tree_tiers, std::optional<View> detailed,
          View collapsed);
  Cluster(Cluster&&) noexcept = default;
  Cluster& operator=(Cluster&&) noexcept = default;

  const std::string& name() const { return name_; }
  const std::vector<Device>& devices() const { return devices_; }
  const std::vector<Domain>& domains() const { return domains_; }
  const std::vector<SystemInfo>& systems() const { return systems_; }
  // Tiers of the scale-out fat tree, or nullopt when the cluster has none.
  std::optional<int> fat_tree_tiers() const { return fat_tree_tiers_; }
  bool hypothetical() const;

  // Every plane, spine, die and lane bundle; ECMP routing. Built unless
  // ClusterParams::detailed_view was false. REQUIRES: has_detailed().
  bool has_detailed() const { return detailed_.has_value(); }
  const View& detailed() const;
  // Symmetric parallel links merged into one of summed capacity; single-path routing.
  // Exact for traffic sprayed evenly over the planes, and one flow per transfer.
  const View& collapsed() const { return collapsed_; }

  // For the network model: the collapsed view's links and routes.
  const std::vector<LinkInfo>& links() const { return collapsed_.links(); }
  // REQUIRES: src, dst < devices().size(). Empty iff src == dst. Cached; thread-safe.
  const std::vector<LinkId>& route(DeviceIndex src, DeviceIndex dst) const { return collapsed_.route(src, dst); }

 private:
  std::string name_;
  std::vector<Device> devices_;
  std::vector<Domain> domains_;
  std::vector<SystemInfo> systems_;
  std::optional<int> fat_tree_tiers_;
  std::optional<View> detailed_;
  View collapsed_;
};

}  // namespace podsim::topologies
