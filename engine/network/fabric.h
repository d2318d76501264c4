#pragma once
// Fabric: what the network model and the collectives need to know about an
// interconnect, as plain data. topologies/ implements it (a Boost.Graph preset seen
// through its collapsed view); tests implement small ones by hand. The engine never
// sees switches, planes or graph types: only links, routes and scale-up domains.
//
//   A crossbar (NVL72's collapsed view) of 3 devices has 6 links, one up and one down
//   per device: link i = device i -> switch, link 3+i = switch -> device i, and
//   route(0, 2) = [0, 5].
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/sim_time.h"
#include "engine/units.h"

namespace podsim::engine {

// Dense ids: a LinkId indexes Fabric::links(), a DeviceId names an endpoint (an
// accelerator, or an NPU die where the topology models dies).
enum class LinkId : uint32_t {};
enum class DeviceId : uint32_t {};

constexpr uint32_t index(LinkId l) { return static_cast<uint32_t>(l); }
constexpr uint32_t index(DeviceId d) { return static_cast<uint32_t>(d); }

// One directed link.
struct LinkSpec {
  Bandwidth capacity;  // line rate in this direction; > 0
  SimTime latency;     // propagation + switching, paid once per message per hop
};

// Which collective library runs on a device and on what wires: selects the tuner's
// tables (comm_tuner.h) and the achieved-bandwidth curves (link_curves.h). kIdeal: the
// bare alpha-beta model on the links, with no library terms (hand-made test fabrics).
enum class CommLibrary : uint8_t { kIdeal, kNccl, kHccl };
// NCCL's tables are indexed by GPU generation (tuning.cc: Volta, Ampere, Hopper, Blackwell).
enum class GpuGeneration : uint8_t { kAmpere, kHopper, kBlackwell, kAscend };
enum class Interconnect : uint8_t {
  kNone,
  kNvlink3,  // A100 HGX: 12 x 25 GB/s/dir
  kNvlink4,  // H100/H200/H800 HGX through NVSwitch3
  kNvlink5,  // B200 HGX, GB200/GB300 NVL72
  kUb,       // CloudMatrix384 Unified Bus
  kHccs,     // Atlas 800T A2 HCCS full mesh
  kIbHdr,    // InfiniBand HDR 200G (A100 clusters)
  kIbNdr,    // InfiniBand NDR 400G (H100/B200 clusters), and anything newer
  kRoce,     // RoCE (Ascend parameter plane)
};
const char* to_string(Interconnect i);
struct CommProfile {
  CommLibrary library = CommLibrary::kIdeal;
  GpuGeneration generation = GpuGeneration::kHopper;
  Interconnect scale_up = Interconnect::kNone;   // inside the device's scale-up domain
  Interconnect scale_out = Interconnect::kNone;  // between domains (its NIC)
};

// Links from a device to the switch that reduces for its scale-up domain (NVLink
// SHARP) and back.
struct SwitchPath {
  std::vector<LinkId> up;
  std::vector<LinkId> down;
};

class Fabric {
 public:
  virtual ~Fabric() = default;

  virtual size_t device_count() const = 0;
  // Indexed by LinkId.
  virtual const std::vector<LinkSpec>& links() const = 0;
  // The directed links from src to dst, in order; empty iff no path exists. The
  // reference stays valid until the next call on this Fabric, so an implementation
  // may compute routes into a buffer. REQUIRES: src != dst, both < device_count().
  virtual const std::vector<LinkId>& route(DeviceId src, DeviceId dst) const = 0;
  // The scale-up domain of `d` (NVLink rack, CloudMatrix supernode): hierarchical
  // collectives work inside domains first. Default: one domain.
  virtual uint32_t domain(DeviceId /*d*/) const { return 0; }
  // The path to and from the reducing switch, iff d's domain reduces in-network
  // (NVLS). Default: no in-switch reduction.
  virtual std::optional<SwitchPath> switch_path(DeviceId /*d*/) const { return std::nullopt; }
  // The library and interconnects of `d`'s system. Default: ideal (no library terms).
  virtual CommProfile comm_profile(DeviceId /*d*/) const { return {}; }
  // Links one of which every route crossing `l` also crosses: for a link out of a
  // switch, the switch's other links in (routes run from device to device and never
  // turn back), or for a link into a switch, its other links out. When their
  // capacities sum to at most l's, l can never bottleneck a flow (its load is at most
  // theirs), and the flow network leaves it out of the max-min solve
  // (FlowNetwork::declare_feeders). Default: none (no claim).
  virtual std::vector<LinkId> feeders(LinkId /*l*/) const { return {}; }
};

}  // namespace podsim::engine
