// 8-accelerator servers: HGX/DGX boards (NVSwitch crossbar, hardware.md §2.6) and the
// Atlas 800T A2 (HCCS full mesh, hardware.md §1.2).
//
// HGX H100: each GPU spreads its 18 NVLink4 links over the 4 NVSwitch3 chips as evenly as
// whole links allow (5, 5, 4, 4; the board's exact split is not in hardware.md, and any
// split gives the same non-blocking crossbar): 18 x 25 = 450 GB/s per GPU; the in-node
// bisection is 4 x 450 = 1.8 TB/s. Atlas 800T A2: one 28 GB/s HCCS link per NPU pair,
// 7 x 28 = 196 GB/s per NPU, but a single pair gets only 28.
#include <fmt/format.h>

#include "topologies/builder.h"

namespace podsim::topologies {

using engine::Bandwidth;
using engine::SimTime;

std::vector<ParamError> check_system(const HgxParams& p) {
  std::vector<ParamError> out;
  ParamChecker c(out);
  c.positive("gpus", p.gpus);
  c.positive("nvswitch_chips", p.nvswitch_chips);
  c.positive("nvlinks_per_gpu", p.nvlinks_per_gpu);
  c.positive("nvswitch_radix", p.nvswitch_radix);
  if (p.nvswitch_chips > 0 && p.nvlinks_per_gpu > 0) {
    if (p.nvlinks_per_gpu < p.nvswitch_chips)
      c.add("nvlinks_per_gpu", fmt::format("{} links cannot reach all {} NVSwitch chips", p.nvlinks_per_gpu, p.nvswitch_chips));
    const int per_chip = (p.nvlinks_per_gpu + p.nvswitch_chips - 1) / p.nvswitch_chips;
    if (p.gpus * per_chip > p.nvswitch_radix)
      c.add("gpus", fmt::format("{} GPUs x {} links need {} ports on an NVSwitch chip, but nvswitch_radix is {}", p.gpus,
                                per_chip, p.gpus * per_chip, p.nvswitch_radix));
  }
  c.positive("nvlink_gbytes_per_s", p.nvlink_gbytes_per_s, "GB/s");
  c.non_negative("nvlink_latency_ns", p.nvlink_latency_ns, "ns");
  c.positive("nic_gbits_per_s", p.nic_gbits_per_s, "Gb/s");
  if (p.system_power_kw) c.positive("system_power_kw", *p.system_power_kw, "kW");
  c.device("device", p.device);
  return out;
}

std::vector<ParamError> check_system(const Atlas800tA2Params& p) {
  std::vector<ParamError> out;
  ParamChecker c(out);
  if (p.npus < 2) c.add("npus", fmt::format("a full mesh needs at least 2 NPUs, got {}", p.npus));
  c.positive("hccs_link_gbytes_per_s", p.hccs_link_gbytes_per_s, "GB/s");
  c.non_negative("hccs_latency_ns", p.hccs_latency_ns, "ns");
  c.positive("nic_gbits_per_s", p.nic_gbits_per_s, "Gb/s");
  if (p.system_power_kw) c.positive("system_power_kw", *p.system_power_kw, "kW");
  c.device("device", p.device);
  return out;
}

namespace {

// A server is its own rack and node inside its pod.
uint32_t add_server_node(Builder& b, uint32_t pod) {
  const std::string name = b.domains()[pod].name;
  const uint32_t rack = b.add_domain(DomainLevel::kRack, name, pod);
  return b.add_domain(DomainLevel::kNode, name, rack);
}

DeviceIndex add_accelerator(Builder& b, const std::string& name, std::shared_ptr<const engine::DeviceSpec> spec,
                            uint32_t node, uint32_t pool, int rank, double nic_gbits_per_s, VertexId& vertex) {
  const DeviceIndex d = b.add_device(name, std::move(spec), node, pool, static_cast<uint32_t>(rank));
  b.devices()[d].scale_out_bandwidth = Bandwidth::gbits_per_s(nic_gbits_per_s);
  vertex = b.add_vertex(VertexKind::kAccelerator, SwitchRole::kNone, b.device_group(d), name, d);
  b.add_endpoint(d, vertex);
  return d;
}

}  // namespace

void add_hgx(Builder& b, const HgxParams& p, std::shared_ptr<const engine::DeviceSpec> spec, uint32_t pod,
             uint32_t pool) {
  const uint32_t node = add_server_node(b, pod);
  const std::string sys = b.domains()[pod].name;
  const GroupId group = b.new_group(sys + "/nvswitch");
  std::vector<VertexId> chips;
  for (int k = 0; k < p.nvswitch_chips; ++k)
    chips.push_back(b.add_vertex(VertexKind::kSwitch, SwitchRole::kNvSwitch, group, fmt::format("{}/nvswitch{}", sys, k)));
  const Bandwidth per_link = Bandwidth::gbytes_per_s(p.nvlink_gbytes_per_s / p.nvlinks_per_gpu);
  for (int g = 0; g < p.gpus; ++g) {
    VertexId gpu;
    add_accelerator(b, fmt::format("{}/gpu{}", sys, g), spec, node, pool, g, p.nic_gbits_per_s, gpu);
    for (int k = 0; k < p.nvswitch_chips; ++k) {
      const auto lanes = static_cast<uint32_t>(p.nvlinks_per_gpu / p.nvswitch_chips + (k < p.nvlinks_per_gpu % p.nvswitch_chips));
      b.add_link(gpu, chips[k], per_link * lanes, SimTime::nanos(p.nvlink_latency_ns), LinkTier::kScaleUpAccess,
                 static_cast<uint16_t>(k), lanes);
    }
  }
}

void add_atlas_800t_a2(Builder& b, const Atlas800tA2Params& p, std::shared_ptr<const engine::DeviceSpec> spec,
                       uint32_t pod, uint32_t pool) {
  const uint32_t node = add_server_node(b, pod);
  const std::string sys = b.domains()[pod].name;
  std::vector<VertexId> npus;
  for (int i = 0; i < p.npus; ++i) {
    VertexId npu;
    add_accelerator(b, fmt::format("{}/npu{}", sys, i), spec, node, pool, i, p.nic_gbits_per_s, npu);
    for (VertexId other : npus)
      b.add_link(other, npu, Bandwidth::gbytes_per_s(p.hccs_link_gbytes_per_s), SimTime::nanos(p.hccs_latency_ns),
                 LinkTier::kScaleUpAccess);
    npus.push_back(npu);
  }
}

}  // namespace podsim::topologies
