#include "topologies/params.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

#include "topologies/builder.h"
#include "topologies/device_catalog.h"
#include "topologies/fat_tree.h"

namespace podsim::topologies {

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> kNames = {"cloudmatrix384", "nvl72",    "nvl36x2",  "nvl576",        "hgx-h100",
                                                  "hgx-h200",       "hgx-h800", "hgx-h20",  "hgx-b200",      "hgx-a100",
                                                  "atlas-800t-a2",  "gb300-nvl72"};
  return kNames;
}

bool is_hypothetical(std::string_view preset_name) { return preset_name == "nvl576"; }

std::optional<SystemParams> preset(std::string_view name) {
  if (name == "cloudmatrix384") return CloudMatrix384Params{};
  if (name == "nvl72") return NvlinkParams{};
  if (name == "gb300-nvl72") {
    // The GB200 NVL72 rack with Blackwell Ultra GPUs (device_catalog.cc "gb300"): the same
    // 18 trays x 4 GPUs and 18 NVSwitch chips, NVLink 5 at 1.8 TB/s bidir per GPU, one
    // ConnectX-8 800G per GPU instead of CX7 400G (hardware.md §2.2, [S25][S22]).
    return NvlinkParams{.nic_gbits_per_s = 800, .device = "gb300"};
  }
  if (name == "nvl36x2") {
    // 2 racks x (9 compute trays of 4 GPUs + 9 switch trays of 2 chips) [S22]; each chip
    // has 36 GPU ports and 36 to its peer (hardware.md §2.3). Power not published.
    return NvlinkParams{.layout = NvlinkLayout::kRackPair, .racks = 2, .gpus_per_rack = 36, .system_power_kw = std::nullopt};
  }
  if (name == "nvl576") {
    // Hypothetical (hardware.md §2.4): 8 NVL72 racks under a second NVSwitch tier, 900
    // GB/s per GPU if non-blocking [S23][S29]. No such L1 chip is published: it needs 72
    // GPU ports + 72 uplinks, i.e. 144 ports, a switch tray's count [S23].
    return NvlinkParams{.layout = NvlinkLayout::kTwoTier, .racks = 8, .switch_radix = 144, .system_power_kw = std::nullopt};
  }
  if (name == "hgx-h100") return HgxParams{};
  if (name == "hgx-h200") {
    // The HGX H100 board with H200 GPUs: same NVSwitch3 chips and NVLink4, 8 x 400G;
    // DGX H200 ~10.2 kW maximum, as DGX H100 [S43].
    return HgxParams{.device = "h200"};
  }
  if (name == "hgx-a100") {
    // DGX A100 [S44]: 6 second-generation NVSwitch chips (36 ports), 12 NVLink3 links per
    // GPU at 25 GB/s per direction (600 GB/s bidir), one ConnectX-6 HDR 200 Gb/s per GPU
    // for the compute fabric, 6.5 kW maximum.
    return HgxParams{.nvswitch_chips = 6, .nvlinks_per_gpu = 12, .nvlink_gbytes_per_s = 300, .nvswitch_radix = 36,
                     .nic_gbits_per_s = 200, .system_power_kw = 6.5, .device = "a100"};
  }
  if (name == "hgx-h800") {
    // NVLink cut to 400 GB/s bidir = 200 per direction [S20][S21]; 8 x 400G IB per node.
    return HgxParams{.nvlink_gbytes_per_s = 200, .system_power_kw = std::nullopt, .device = "h800"};
  }
  if (name == "hgx-h20") {
    // NVLink 900 GB/s bidir, not cut; CX7 400G [S12] (UNVERIFIED, no datasheet).
    return HgxParams{.system_power_kw = std::nullopt, .device = "h20"};
  }
  if (name == "hgx-b200") {
    // 2 NVSwitch gen-4 chips, 18 NVLink5 links x 50 GB/s = 900 GB/s per GPU, 8 x CX7 400G,
    // ~14.3 kW [S13]. 72 ports per chip: a 2-chip switch tray has 144 [S23].
    return HgxParams{.nvswitch_chips = 2, .nvlink_gbytes_per_s = 900, .nvswitch_radix = 72, .system_power_kw = 14.3,
                     .device = "b200"};
  }
  if (name == "atlas-800t-a2") return Atlas800tA2Params{};
  return std::nullopt;
}

const char* family_name(const SystemParams& p) {
  struct Visitor {
    const char* operator()(const CloudMatrix384Params&) const { return "cloudmatrix384"; }
    const char* operator()(const NvlinkParams&) const { return "nvlink"; }
    const char* operator()(const HgxParams&) const { return "hgx"; }
    const char* operator()(const Atlas800tA2Params&) const { return "atlas_800t_a2"; }
  };
  return std::visit(Visitor{}, p);
}

SystemShape shape(const SystemParams& p) {
  struct Visitor {
    SystemShape operator()(const CloudMatrix384Params& c) const { return {c.nodes, c.npus_per_node}; }
    SystemShape operator()(const NvlinkParams& n) const {
      return {n.gpus_per_tray > 0 ? n.racks * (n.gpus_per_rack / n.gpus_per_tray) : 0, n.gpus_per_tray};
    }
    SystemShape operator()(const HgxParams& h) const { return {1, h.gpus}; }
    SystemShape operator()(const Atlas800tA2Params& a) const { return {1, a.npus}; }
  };
  return std::visit(Visitor{}, p);
}

std::vector<ParamError> check(const SystemParams& p) {
  return std::visit([](const auto& s) { return check_system(s); }, p);
}

void ParamChecker::positive(const char* name, double v, const char* unit) {
  if (!(std::isfinite(v) && v > 0)) add(name, fmt::format("must be > 0 {}, got {}", unit, v));
}

void ParamChecker::positive(const char* name, int v) {
  if (v <= 0) add(name, fmt::format("must be > 0, got {}", v));
}

void ParamChecker::non_negative(const char* name, int64_t v, const char* unit) {
  if (v < 0) add(name, fmt::format("must be >= 0 {}, got {}", unit, v));
}

void ParamChecker::device(const char* name, const std::string& model) {
  if (!find_device(model))
    add(name, fmt::format("unknown device '{}' (expected one of: {})", model, fmt::join(device_names(), ", ")));
}

std::vector<ParamError> check(const ClusterParams& p) {
  std::vector<ParamError> out;
  if (p.pools.empty()) out.push_back({"pools", "no pools (expected at least one pool of systems)"});
  int systems = 0;
  std::vector<int> nics_per_node, pool_of_node;
  for (size_t i = 0; i < p.pools.size(); ++i) {
    const PoolParams& pool = p.pools[i];
    const std::string at = fmt::format("pools[{}]", i);
    if (pool.count < 1) out.push_back({at + ".count", fmt::format("must be >= 1 system, got {}", pool.count)});
    const auto system_errors = check(pool.system);
    for (const ParamError& e : system_errors)
      out.push_back({fmt::format("{}.{}.{}", at, family_name(pool.system), e.path), e.message});
    const DeviceOverrides& d = pool.device;
    if (!d.model.empty() && !find_device(d.model))
      out.push_back({at + ".device.model", fmt::format("unknown device '{}' (expected one of: {})", d.model,
                                                       fmt::join(device_names(), ", "))});
    auto positive = [&](const char* field, const std::optional<double>& v, bool zero_ok) {
      if (v && !(std::isfinite(*v) && (*v > 0 || (zero_ok && *v == 0))))
        out.push_back({fmt::format("{}.device.{}", at, field),
                       fmt::format("must be {} 0, got {}", zero_ok ? ">=" : ">", *v)});
    };
    positive("bf16_tflops", d.bf16_tflops, false);
    positive("fp16_tflops", d.fp16_tflops, false);
    positive("fp8_tflops", d.fp8_tflops, true);  // 0: the device has no such unit
    positive("int8_tops", d.int8_tops, true);
    positive("hbm_gbytes", d.hbm_gbytes, false);
    positive("hbm_tbytes_per_s", d.hbm_tbytes_per_s, false);
    positive("tdp_watts", d.tdp_watts, false);
    positive("runtime_reserve_gbytes", d.runtime_reserve_gbytes, true);  // 0: nothing held back
    const SystemShape s = system_errors.empty() ? shape(pool.system) : SystemShape{};
    if (pool.count >= 1 && static_cast<int64_t>(pool.count) * s.nodes * static_cast<int64_t>(s.devices_per_node) > INT32_MAX) {
      // Device ids are 32-bit; and the loop below would allocate per node.
      out.push_back({at + ".count", fmt::format("{} systems of {} devices is too many (expected at most {} devices "
                                                "in a cluster)",
                                                pool.count, s.nodes * s.devices_per_node, INT32_MAX)});
    } else if (pool.count >= 1 && system_errors.empty()) {
      systems = static_cast<int>(std::min<int64_t>(INT32_MAX, static_cast<int64_t>(systems) + pool.count));
      for (int k = 0; k < pool.count * s.nodes; ++k) {
        nics_per_node.push_back(s.devices_per_node);
        pool_of_node.push_back(static_cast<int>(i));
      }
    }
  }
  if (p.fat_tree) {
    if (out.empty()) plan_fat_tree(*p.fat_tree, nics_per_node, pool_of_node, out);
  } else if (systems > 1) {
    out.push_back({"fat_tree", fmt::format("{} systems need a scale-out fabric to join them (add fat_tree {{ tiers: 2 }})",
                                           systems)});
  }
  return out;
}

}  // namespace podsim::topologies
