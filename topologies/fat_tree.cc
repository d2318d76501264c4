#include "topologies/fat_tree.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "engine/check.h"

namespace podsim::topologies {
namespace {

using engine::Bandwidth;
using engine::SimTime;

// Switches beyond this are not built (the largest single-chip switches have 512 ports);
// it bounds the spines and cores a tree can ask for.
constexpr int kMaxRadix = 2048;

// The largest divisor of `ports` that, times `peers`, still fits in `radix` ports: the
// cable bundle that needs the fewest switches at the next tier.
int bundle_lanes(int ports, int peers, int radix) {
  for (int lanes = ports; lanes > 1; --lanes)
    if (ports % lanes == 0 && peers * lanes <= radix) return lanes;
  return 1;
}

// radix ports split ratio:1 into whole down and up counts, each >= 1; nullopt if they
// are not whole.
std::optional<std::pair<int, int>> split_ports(int radix, double ratio) {
  const double down = radix * ratio / (1 + ratio);
  const auto whole = static_cast<int>(std::lround(down));
  if (std::abs(down - whole) > 1e-6 || whole < 1 || radix - whole < 1) return std::nullopt;
  return std::pair{whole, radix - whole};
}

std::string cannot_split(double ratio, int radix, const char* tier) {
  const double down = radix * ratio / (1 + ratio);
  return fmt::format("{} does not split {} {} ports into whole down:up counts ({:.2f}:{:.2f})", ratio, radix, tier,
                     down, radix - down);
}

}  // namespace

std::optional<FatTreeLayout> plan_fat_tree(const FatTreeParams& p, const std::vector<int>& nics_per_node,
                                           const std::vector<int>& pool_of_node, std::vector<ParamError>& errors) {
  const size_t before = errors.size();
  auto add = [&](std::string path, std::string message) { errors.push_back({std::move(path), std::move(message)}); };
  if (p.tiers != 2 && p.tiers != 3) add("fat_tree.tiers", fmt::format("must be 2 or 3, got {}", p.tiers));
  if (p.radix < 2 || p.radix > kMaxRadix)
    add("fat_tree.radix", fmt::format("must be 2 to {} ports, got {}", kMaxRadix, p.radix));
  if (!(std::isfinite(p.oversubscription) && p.oversubscription > 0))
    add("fat_tree.oversubscription", fmt::format("must be > 0 (down:up ports at the leaf), got {}", p.oversubscription));
  if (!(std::isfinite(p.spine_oversubscription) && p.spine_oversubscription > 0))
    add("fat_tree.spine_oversubscription",
        fmt::format("must be > 0 (down:up ports at the spine), got {}", p.spine_oversubscription));
  else if (p.tiers == 2 && p.spine_oversubscription != 1)
    add("fat_tree.spine_oversubscription",
        fmt::format("{} needs spine uplinks, which a 2-tier tree has not (set tiers: 3)", p.spine_oversubscription));
  if (p.nic_gbits_per_s && !(std::isfinite(*p.nic_gbits_per_s) && *p.nic_gbits_per_s > 0))
    add("fat_tree.nic_gbits_per_s", fmt::format("must be > 0 Gb/s, got {}", *p.nic_gbits_per_s));
  if (!(std::isfinite(p.port_gbits_per_s) && p.port_gbits_per_s > 0))
    add("fat_tree.port_gbits_per_s", fmt::format("must be > 0 Gb/s, got {}", p.port_gbits_per_s));
  if (p.link_latency_ns < 0) add("fat_tree.link_latency_ns", fmt::format("must be >= 0 ns, got {}", p.link_latency_ns));
  if (errors.size() != before) return std::nullopt;

  FatTreeLayout t;
  const auto leaf_split = split_ports(p.radix, p.oversubscription);
  if (!leaf_split) {
    add("fat_tree.oversubscription", cannot_split(p.oversubscription, p.radix, "leaf"));
    return std::nullopt;
  }
  t.down = leaf_split->first;
  t.up = leaf_split->second;
  const auto nodes = static_cast<int>(nics_per_node.size());
  long nics = 0;
  for (int n : nics_per_node) nics += n;
  if (p.rail_optimized) {
    for (int i = 1; i < nodes; ++i)
      if (nics_per_node[i] != nics_per_node[0]) {
        add("fat_tree.rail_optimized",
            fmt::format("pools[{}] has {} devices per node and pools[{}] has {}; rails need the same NIC count on every "
                        "node (set rail_optimized: false)",
                        pool_of_node[0], nics_per_node[0], pool_of_node[i], nics_per_node[i]));
        return std::nullopt;
      }
    t.rails = nics_per_node.empty() ? 1 : nics_per_node[0];
    t.leaves = (nodes + t.down - 1) / t.down * t.rails;  // the last leaf group may be part full
  } else {
    t.rails = 1;
    t.leaves = static_cast<int>((nics + t.down - 1) / t.down);  // the last leaf may be part full
  }

  if (p.tiers == 2) {
    if (t.leaves > p.radix) {
      add("fat_tree.radix", fmt::format("a 2-tier fat tree of radix {} holds at most {} leaves ({} NICs), but {} NICs "
                                        "need {} leaves; use tiers: 3 or a larger radix",
                                        p.radix, p.radix, long{p.radix} * t.down, nics, t.leaves));
      return std::nullopt;
    }
    t.leaf_spine_lanes = bundle_lanes(t.up, t.leaves, p.radix);
    t.spines = t.up / t.leaf_spine_lanes;
    return t;
  }
  const auto spine_split = split_ports(p.radix, p.spine_oversubscription);
  if (!spine_split) {
    add("fat_tree.spine_oversubscription", cannot_split(p.spine_oversubscription, p.radix, "spine"));
    return std::nullopt;
  }
  t.leaves_per_pod = spine_split->first;
  t.spine_up = spine_split->second;
  t.spines_per_pod = t.up;
  t.pods = (t.leaves + t.leaves_per_pod - 1) / t.leaves_per_pod;  // the last pod may be short of leaves
  if (t.pods > p.radix) {
    add("fat_tree.radix", fmt::format("a 3-tier fat tree of radix {} holds at most {} pods of {} leaves ({} NICs), but "
                                      "this cluster needs {} pods ({} leaves); use a larger radix",
                                      p.radix, p.radix, t.leaves_per_pod, long{p.radix} * t.leaves_per_pod * t.down,
                                      t.pods, t.leaves));
    return std::nullopt;
  }
  t.spine_core_lanes = bundle_lanes(t.spine_up, t.pods, p.radix);
  t.cores_per_group = t.spine_up / t.spine_core_lanes;
  return t;
}

void add_fat_tree(Builder& b, const FatTreeParams& p, const FatTreeLayout& t) {
  const Bandwidth port = Bandwidth::gbits_per_s(p.port_gbits_per_s);
  const SimTime latency = SimTime::nanos(p.link_latency_ns);

  std::vector<VertexId> leaves;
  for (int l = 0; l < t.leaves; ++l) {
    const std::string name = fmt::format("fabric/leaf{}", l);
    leaves.push_back(b.add_vertex(VertexKind::kSwitch, SwitchRole::kLeaf, b.new_group(name), name));
  }

  // NICs: one per device, on its node's leaf group and its rail.
  int node_index = 0, nic_index = 0;
  for (uint32_t dom = 0; dom < b.domains().size(); ++dom) {
    if (b.domains()[dom].level != DomainLevel::kNode) continue;
    const Domain node = b.domains()[dom];
    for (DeviceIndex d = node.first_device; d < node.first_device + node.device_count; ++d, ++nic_index) {
      Device& dev = b.devices()[d];
      if (p.nic_gbits_per_s) dev.scale_out_bandwidth = Bandwidth::gbits_per_s(*p.nic_gbits_per_s);
      const std::string name = dev.name + "/nic";
      const VertexId nic = b.add_vertex(VertexKind::kNic, SwitchRole::kNone, b.new_group(name), name);
      const auto& ends = b.endpoints()[d];
      for (VertexId e : ends)  // a 910C die drives half of its package's NIC
        b.add_link(e, nic, dev.scale_out_bandwidth / static_cast<double>(ends.size()), SimTime::zero(),
                   LinkTier::kNicAttach);
      const int rail = p.rail_optimized ? static_cast<int>(dev.local_rank) : 0;
      const int leaf = p.rail_optimized ? node_index / t.down * t.rails + rail : nic_index / t.down;
      PODSIM_CHECK(leaf < t.leaves, "NIC beyond the planned leaves");
      b.add_link(nic, leaves[leaf], dev.scale_out_bandwidth, latency, LinkTier::kScaleOutAccess,
                 p.rail_optimized ? std::optional<uint16_t>(static_cast<uint16_t>(rail)) : std::nullopt);
    }
    ++node_index;
  }

  if (p.tiers == 2) {
    const GroupId group = b.new_group("fabric/spines");
    const auto lanes = static_cast<uint32_t>(t.leaf_spine_lanes);
    for (int s = 0; s < t.spines; ++s) {
      const VertexId spine = b.add_vertex(VertexKind::kSwitch, SwitchRole::kSpine, group, fmt::format("fabric/spine{}", s));
      for (VertexId leaf : leaves) b.add_link(leaf, spine, port * lanes, latency, LinkTier::kScaleOutTrunk, std::nullopt, lanes);
    }
    return;
  }
  const GroupId core_group = b.new_group("fabric/cores");
  std::vector<VertexId> cores;  // group j, core c at j * cores_per_group + c
  for (int j = 0; j < t.spines_per_pod; ++j)
    for (int c = 0; c < t.cores_per_group; ++c)
      cores.push_back(b.add_vertex(VertexKind::kSwitch, SwitchRole::kCore, core_group, fmt::format("fabric/core{}-{}", j, c)));
  const auto core_lanes = static_cast<uint32_t>(t.spine_core_lanes);
  for (int pod = 0; pod < t.pods; ++pod) {
    const GroupId group = b.new_group(fmt::format("fabric/pod{}/spines", pod));
    for (int j = 0; j < t.spines_per_pod; ++j) {
      const VertexId spine =
          b.add_vertex(VertexKind::kSwitch, SwitchRole::kSpine, group, fmt::format("fabric/pod{}/spine{}", pod, j));
      for (int l = pod * t.leaves_per_pod; l < std::min(t.leaves, (pod + 1) * t.leaves_per_pod); ++l)
        b.add_link(leaves[l], spine, port, latency, LinkTier::kScaleOutTrunk);
      for (int c = 0; c < t.cores_per_group; ++c)
        b.add_link(spine, cores[j * t.cores_per_group + c], port * core_lanes, latency, LinkTier::kScaleOutTrunk,
                   std::nullopt, core_lanes);
    }
  }
}

}  // namespace podsim::topologies
