#pragma once
// The interconnect as a Boost.Graph graph: the one graph type of podsim.
//
// Vertices are accelerator endpoints (a GPU, or one die of an Ascend 910C), CPUs, NICs
// and switch chips. Edges are directed links: every physical link is two edges, one per
// direction, with consecutive ids (2k one way, 2k+1 back), each carrying its capacity
// per direction. Parallel cables between the same two chips are one edge with `lanes`
// cables and their summed capacity (an NVL36x2 switch-to-switch bundle is 36 lanes).
//
// BGL types stay inside topologies/: what the engine sees is a LinkId (dense, indexes
// the link table) with a capacity and a latency, and routes as vectors of LinkIds.
#include <cstdint>
#include <optional>
#include <string>

#include <boost/graph/adjacency_list.hpp>

#include "engine/sim_time.h"
#include "engine/units.h"

namespace podsim::topologies {

// Dense index of a directed link in a view's link table.
using LinkId = uint32_t;
// Dense index of an accelerator in Cluster::devices(), 0..N-1.
using DeviceIndex = uint32_t;
// Dense index of a collapse group (see Vertex::group).
using GroupId = uint32_t;

enum class VertexKind : uint8_t {
  kAccelerator,  // a GPU, or one die of a multi-die NPU package
  kCpu,
  kNic,
  kSwitch,
};

// What a link is for; routing prefers scale-up links to scale-out ones, and summaries
// count switches and links by tier.
enum class LinkTier : uint8_t {
  kDieToDie,        // inside one package (910C SIO)
  kScaleUpAccess,   // accelerator <-> first scale-up switch (UB L1, NVSwitch), or a direct mesh link
  kScaleUpTrunk,    // scale-up switch <-> switch (UB L1-L2, NVL36x2 cross-rack, NVL576 L1-L2)
  kCpuAttach,       // CPU <-> scale-up switch
  kNicAttach,       // accelerator <-> its NIC (inside the server)
  kScaleOutAccess,  // NIC <-> leaf switch
  kScaleOutTrunk,   // leaf <-> spine <-> core
};

// True for the tiers that belong to the scale-out network (routing avoids them when a
// scale-up path exists).
constexpr bool is_scale_out(LinkTier t) {
  return t == LinkTier::kNicAttach || t == LinkTier::kScaleOutAccess || t == LinkTier::kScaleOutTrunk;
}

// Which layer a switch chip sits in; printed by summaries and dot output.
enum class SwitchRole : uint8_t {
  kNone,  // not a switch
  kUbL1,
  kUbL2,
  kNvSwitch,    // the single NVSwitch tier of an HGX board or an NVL72 rack
  kNvSwitchL1,  // NVL576 (hypothetical) first tier
  kNvSwitchL2,
  kLeaf,
  kSpine,
  kCore,
};

const char* to_string(VertexKind k);
const char* to_string(LinkTier t);
const char* to_string(SwitchRole r);

struct Vertex {
  VertexKind kind = VertexKind::kSwitch;
  SwitchRole role = SwitchRole::kNone;
  // The accelerator this vertex is part of (GPUs and dies only).
  std::optional<DeviceIndex> device;
  // Vertices with the same group are symmetric and parallel (the 7 UB L1 chips of a
  // node, the 2 dies of a 910C, the 18 NVSwitch chips of an NVL72); the collapsed view
  // merges each group into one vertex.
  GroupId group = 0;
  std::string name;
};

struct Link {
  engine::Bandwidth capacity;  // per direction, summed over lanes
  engine::SimTime latency;     // one traversal
  LinkTier tier = LinkTier::kScaleUpAccess;
  // The independent plane the link belongs to (CM384 UB sub-plane, NVSwitch chip index,
  // fat-tree rail); nullopt where planes do not apply or were merged.
  std::optional<uint16_t> plane;
  uint32_t lanes = 1;  // physical cables bundled into this edge
  LinkId id = 0;       // position in the view's link table
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Vertex, Link>;
using VertexId = Graph::vertex_descriptor;
using EdgeId = Graph::edge_descriptor;

// What the network model needs of one directed link.
struct LinkInfo {
  engine::Bandwidth capacity;
  engine::SimTime latency;
};

// A switch or NIC forwards traffic; accelerators and CPUs only send and receive (no route
// passes through a GPU, so PXN-style relays are not modelled).
constexpr bool forwards(VertexKind k) { return k == VertexKind::kSwitch || k == VertexKind::kNic; }

}  // namespace podsim::topologies
