// NVLink domains of GB200 compute trays (hardware.md §2.2-2.4, §5).
//
// NVL72: 72 GPUs, 18 NVSwitch chips; every GPU has one 50 GB/s link to every chip, so
// any two GPUs have 18 one-switch paths and each GPU injects 18 x 50 = 900 GB/s.
// NVL36x2: two racks of 36 GPUs and 18 chips each; chip k of one rack has 36 cables to
// chip k of the other (18 x 36 x 50 = 32.4 TB/s across, = 36 x 900: non-blocking).
// NVL576 (hypothetical, never shipped in volume): 8 NVL72 racks whose L1 chip k has
// l1_uplinks ports to the l2_chips_per_plane L2 chips of plane k.
#include <fmt/format.h>

#include "topologies/builder.h"

namespace podsim::topologies {

using engine::Bandwidth;
using engine::SimTime;

std::vector<ParamError> check_system(const NvlinkParams& p) {
  std::vector<ParamError> out;
  ParamChecker c(out);
  c.positive("racks", p.racks);
  c.positive("gpus_per_rack", p.gpus_per_rack);
  c.positive("gpus_per_tray", p.gpus_per_tray);
  c.positive("switch_chips_per_rack", p.switch_chips_per_rack);
  c.positive("switch_radix", p.switch_radix);
  if (p.switch_chips_per_rack > 65535) c.add("switch_chips_per_rack", "more than 65535 chips");
  if (p.gpus_per_tray > 0 && p.gpus_per_rack % p.gpus_per_tray != 0)
    c.add("gpus_per_tray", fmt::format("{} does not divide gpus_per_rack {} into whole trays", p.gpus_per_tray, p.gpus_per_rack));
  switch (p.layout) {
    case NvlinkLayout::kOneTier:
      if (p.racks != 1) c.add("racks", fmt::format("a one-tier NVLink domain is one rack, got {}", p.racks));
      if (p.gpus_per_rack > p.switch_radix)
        c.add("gpus_per_rack", fmt::format("{} GPUs need a port each on every switch chip, but switch_radix is {}",
                                           p.gpus_per_rack, p.switch_radix));
      break;
    case NvlinkLayout::kRackPair:
      if (p.racks != 2) c.add("racks", fmt::format("NVL36x2 is two racks, got {}", p.racks));
      if (2 * p.gpus_per_rack > p.switch_radix)
        c.add("gpus_per_rack", fmt::format("{} GPUs need 2 x {} ports per switch chip (GPUs + cross-rack cables), but "
                                           "switch_radix is {}", p.gpus_per_rack, p.gpus_per_rack, p.switch_radix));
      break;
    case NvlinkLayout::kTwoTier:
      c.positive("l2_chips_per_plane", p.l2_chips_per_plane);
      c.positive("l1_uplinks", p.l1_uplinks);
      if (p.l2_chips_per_plane > 0 && p.l1_uplinks % p.l2_chips_per_plane != 0)
        c.add("l2_chips_per_plane", fmt::format("{} does not divide l1_uplinks {} into equal cable bundles",
                                                p.l2_chips_per_plane, p.l1_uplinks));
      else if (p.l2_chips_per_plane > 0 && p.racks * (p.l1_uplinks / p.l2_chips_per_plane) > p.switch_radix)
        c.add("racks", fmt::format("{} racks x {} cables need {} ports per L2 chip, but switch_radix is {}", p.racks,
                                   p.l1_uplinks / p.l2_chips_per_plane,
                                   p.racks * (p.l1_uplinks / p.l2_chips_per_plane), p.switch_radix));
      if (p.gpus_per_rack + p.l1_uplinks > p.switch_radix)
        c.add("switch_radix", fmt::format("an L1 chip needs {} GPU ports + {} uplinks, more than switch_radix {}",
                                          p.gpus_per_rack, p.l1_uplinks, p.switch_radix));
      break;
  }
  c.positive("link_gbytes_per_s", p.link_gbytes_per_s, "GB/s");
  c.non_negative("link_latency_ns", p.link_latency_ns, "ns");
  c.positive("nic_gbits_per_s", p.nic_gbits_per_s, "Gb/s");
  if (p.system_power_kw) c.positive("system_power_kw", *p.system_power_kw, "kW");
  c.device("device", p.device);
  return out;
}

void add_nvlink(Builder& b, const NvlinkParams& p, std::shared_ptr<const engine::DeviceSpec> spec, uint32_t pod,
                uint32_t pool) {
  const std::string sys = b.domains()[pod].name;
  const Bandwidth link = Bandwidth::gbytes_per_s(p.link_gbytes_per_s);
  const SimTime latency = SimTime::nanos(p.link_latency_ns);
  const SwitchRole role = p.layout == NvlinkLayout::kTwoTier ? SwitchRole::kNvSwitchL1 : SwitchRole::kNvSwitch;

  std::vector<std::vector<VertexId>> chips(p.racks);
  for (int r = 0; r < p.racks; ++r) {
    const std::string rack_name = p.racks == 1 ? sys : fmt::format("{}/rack{}", sys, r);
    const uint32_t rack = b.add_domain(DomainLevel::kRack, rack_name, pod);
    const GroupId group = b.new_group(rack_name + "/nvswitch");
    for (int k = 0; k < p.switch_chips_per_rack; ++k)
      chips[r].push_back(b.add_vertex(VertexKind::kSwitch, role, group, fmt::format("{}/nvswitch{}", rack_name, k)));
    for (int t = 0; t < p.gpus_per_rack / p.gpus_per_tray; ++t) {
      const std::string tray_name = fmt::format("{}/tray{}", rack_name, t);
      const uint32_t node = b.add_domain(DomainLevel::kNode, tray_name, rack);
      for (int g = 0; g < p.gpus_per_tray; ++g) {
        const std::string name = fmt::format("{}/gpu{}", tray_name, g);
        const DeviceIndex d = b.add_device(name, spec, node, pool, static_cast<uint32_t>(g));
        b.devices()[d].scale_out_bandwidth = Bandwidth::gbits_per_s(p.nic_gbits_per_s);
        const VertexId gpu = b.add_vertex(VertexKind::kAccelerator, SwitchRole::kNone, b.device_group(d), name, d);
        b.add_endpoint(d, gpu);
        for (int k = 0; k < p.switch_chips_per_rack; ++k)
          b.add_link(gpu, chips[r][k], link, latency, LinkTier::kScaleUpAccess, static_cast<uint16_t>(k));
      }
    }
  }
  if (p.layout == NvlinkLayout::kRackPair) {
    const auto lanes = static_cast<uint32_t>(p.gpus_per_rack);
    for (int k = 0; k < p.switch_chips_per_rack; ++k)
      b.add_link(chips[0][k], chips[1][k], link * lanes, latency, LinkTier::kScaleUpTrunk, static_cast<uint16_t>(k), lanes);
  }
  if (p.layout == NvlinkLayout::kTwoTier) {
    const GroupId group = b.new_group(sys + "/nvswitch-l2");
    const auto lanes = static_cast<uint32_t>(p.l1_uplinks / p.l2_chips_per_plane);
    for (int k = 0; k < p.switch_chips_per_rack; ++k)
      for (int s = 0; s < p.l2_chips_per_plane; ++s) {
        const VertexId l2 = b.add_vertex(VertexKind::kSwitch, SwitchRole::kNvSwitchL2, group,
                                         fmt::format("{}/nvswitch-l2/p{}-s{}", sys, k, s));
        for (int r = 0; r < p.racks; ++r)
          b.add_link(chips[r][k], l2, link * lanes, latency, LinkTier::kScaleUpTrunk, static_cast<uint16_t>(k), lanes);
      }
  }
}

}  // namespace podsim::topologies
