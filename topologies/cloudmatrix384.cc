// CloudMatrix384 on the Unified Bus, as [S1] §3.3 describes it (hardware.md §2.1, §5).
//
// Each node: 8 NPUs x 2 dies, 7 L1 chips (one per sub-plane), 4 Kunpeng CPUs. Die port k
// goes to L1 chip k of its node (one-to-one, DERIVED in hardware.md §5); L1 chip k of
// every node has one link to each of the 16 L2 chips of sub-plane k. The result is 7
// disjoint planes, each a 2-level folded Clos of 48 leaves and 16 spines:
//   same package:   die -SIO- die
//   same node:      die -> L1(k) -> die                        7 paths
//   across nodes:   die -> L1(k) -> L2(k, s) -> L1(k) -> die   7 x 16 = 112 paths
// Per NPU: 2 dies x 7 links x 28 GB/s = 392 GB/s per direction. Node uplink: 7 x 16 x 28 =
// 3,136 GB/s = 8 x 392, so the L2 tier is non-blocking and the bisection is
// 192 x 392 = 75.3 TB/s per direction.
#include <fmt/format.h>

#include "topologies/builder.h"

namespace podsim::topologies {

using engine::Bandwidth;
using engine::SimTime;

std::vector<ParamError> check_system(const CloudMatrix384Params& p) {
  std::vector<ParamError> out;
  ParamChecker c(out);
  c.positive("nodes", p.nodes);
  c.positive("npus_per_node", p.npus_per_node);
  c.positive("dies_per_npu", p.dies_per_npu);
  c.positive("nodes_per_rack", p.nodes_per_rack);
  c.positive("planes", p.planes);
  c.positive("l2_chips_per_plane", p.l2_chips_per_plane);
  c.positive("l2_radix", p.l2_radix);
  if (p.planes > 65535) c.add("planes", fmt::format("{} is more than 65535 planes", p.planes));
  if (p.l2_radix > 0 && p.nodes > p.l2_radix)
    c.add("nodes", fmt::format("{} nodes need one port each on every L2 chip, but l2_radix is {} (at most {} nodes)",
                               p.nodes, p.l2_radix, p.l2_radix));
  c.positive("l1_link_gbytes_per_s", p.l1_link_gbytes_per_s, "GB/s");
  c.positive("l2_link_gbytes_per_s", p.l2_link_gbytes_per_s, "GB/s");
  if (p.dies_per_npu > 1) c.positive("die_to_die_gbytes_per_s", p.die_to_die_gbytes_per_s, "GB/s");
  if (p.cpus_per_node < 0) c.add("cpus_per_node", fmt::format("must be >= 0, got {}", p.cpus_per_node));
  if (p.cpus_per_node > 0) c.positive("cpu_gbytes_per_s", p.cpu_gbytes_per_s, "GB/s");
  c.positive("nic_gbits_per_s", p.nic_gbits_per_s, "Gb/s");
  c.non_negative("ub_link_latency_ns", p.ub_link_latency_ns, "ns");
  c.non_negative("die_to_die_latency_ns", p.die_to_die_latency_ns, "ns");
  if (p.system_power_kw) c.positive("system_power_kw", *p.system_power_kw, "kW");
  c.device("device", p.device);
  return out;
}

void add_cloudmatrix384(Builder& b, const CloudMatrix384Params& p, std::shared_ptr<const engine::DeviceSpec> spec,
                        uint32_t pod, uint32_t pool) {
  const std::string sys = b.domains()[pod].name;
  const SimTime ub_latency = SimTime::nanos(p.ub_link_latency_ns);
  const auto plane = [](int k) { return static_cast<uint16_t>(k); };

  const GroupId l2_group = b.new_group(sys + "/ub-l2");
  std::vector<VertexId> l2;
  for (int k = 0; k < p.planes; ++k)
    for (int s = 0; s < p.l2_chips_per_plane; ++s)
      l2.push_back(b.add_vertex(VertexKind::kSwitch, SwitchRole::kUbL2, l2_group, fmt::format("{}/ub-l2/p{}-s{}", sys, k, s)));

  uint32_t rack = 0;
  for (int n = 0; n < p.nodes; ++n) {
    if (n % p.nodes_per_rack == 0) rack = b.add_domain(DomainLevel::kRack, fmt::format("{}/rack{}", sys, n / p.nodes_per_rack), pod);
    const std::string node_name = fmt::format("{}/node{}", sys, n);
    const uint32_t node = b.add_domain(DomainLevel::kNode, node_name, rack);

    const GroupId l1_group = b.new_group(node_name + "/ub-l1");
    std::vector<VertexId> l1;
    for (int k = 0; k < p.planes; ++k) {
      l1.push_back(b.add_vertex(VertexKind::kSwitch, SwitchRole::kUbL1, l1_group, fmt::format("{}/ub-l1-{}", node_name, k)));
      for (int s = 0; s < p.l2_chips_per_plane; ++s)
        b.add_link(l1[k], l2[k * p.l2_chips_per_plane + s], Bandwidth::gbytes_per_s(p.l2_link_gbytes_per_s), ub_latency,
                   LinkTier::kScaleUpTrunk, plane(k));
    }
    for (int c = 0; c < p.cpus_per_node; ++c) {
      const std::string name = fmt::format("{}/cpu{}", node_name, c);
      const VertexId cpu = b.add_vertex(VertexKind::kCpu, SwitchRole::kNone, b.new_group(name), name);
      // How CPUs attach to the L1 chips is not published (hardware.md §5): spread evenly.
      for (int k = 0; k < p.planes; ++k)
        b.add_link(cpu, l1[k], Bandwidth::gbytes_per_s(p.cpu_gbytes_per_s / p.planes), ub_latency, LinkTier::kCpuAttach,
                   plane(k));
    }
    for (int i = 0; i < p.npus_per_node; ++i) {
      const std::string name = fmt::format("{}/npu{}", node_name, i);
      const DeviceIndex d = b.add_device(name, spec, node, pool, static_cast<uint32_t>(i));
      b.devices()[d].scale_out_bandwidth = Bandwidth::gbits_per_s(p.nic_gbits_per_s);
      std::vector<VertexId> dies;
      for (int j = 0; j < p.dies_per_npu; ++j) {
        const VertexId die = b.add_vertex(VertexKind::kAccelerator, SwitchRole::kNone, b.device_group(d),
                                          fmt::format("{}/die{}", name, j), d);
        b.add_endpoint(d, die);
        for (int k = 0; k < p.planes; ++k)
          b.add_link(die, l1[k], Bandwidth::gbytes_per_s(p.l1_link_gbytes_per_s), ub_latency, LinkTier::kScaleUpAccess,
                     plane(k));
        for (VertexId other : dies)
          b.add_link(other, die, Bandwidth::gbytes_per_s(p.die_to_die_gbytes_per_s),
                     SimTime::nanos(p.die_to_die_latency_ns), LinkTier::kDieToDie);
        dies.push_back(die);
      }
    }
  }
}

}  // namespace podsim::topologies
