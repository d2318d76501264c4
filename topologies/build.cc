#include "topologies/build.h"

#include <fmt/format.h>

#include "engine/check.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "topologies/builder.h"
#include "topologies/collapse.h"
#include "topologies/device_catalog.h"
#include "topologies/fat_tree.h"

namespace podsim::topologies {
namespace {

using engine::Bandwidth;
using engine::Bytes;
using engine::FlopRate;

const std::string& device_name(const SystemParams& s) {
  return std::visit([](const auto& x) -> const std::string& { return x.device; }, s);
}

std::optional<double> system_power_kw(const SystemParams& s) {
  return std::visit([](const auto& x) { return x.system_power_kw; }, s);
}

bool in_switch_reduction(const SystemParams& s) {
  if (const auto* n = std::get_if<NvlinkParams>(&s)) return n->layout == NvlinkLayout::kOneTier;
  return std::holds_alternative<HgxParams>(s);
}

// The library and interconnects of a system of `device` (engine/network/fabric.h): the
// GPU generation from the catalog name, NVLink's generation from the board, the NIC
// class from the generation (HDR with A100, NDR from Hopper on, RoCE on Ascend:
// hardware.md §1-2).
engine::CommProfile comm_profile(const SystemParams& s, const engine::DeviceSpec& device) {
  using engine::GpuGeneration;
  using engine::Interconnect;
  const std::string& n = device.name;
  auto has = [&](const char* k) { return n.find(k) != std::string::npos; };
  engine::CommProfile p;
  if (has("Ascend")) {
    p.library = engine::CommLibrary::kHccl;
    p.generation = GpuGeneration::kAscend;
    p.scale_out = Interconnect::kRoce;
    p.scale_up = std::holds_alternative<CloudMatrix384Params>(s) ? Interconnect::kUb : Interconnect::kHccs;
    return p;
  }
  p.library = engine::CommLibrary::kNccl;
  p.generation = has("A100")                 ? GpuGeneration::kAmpere
                 : has("B200") || has("B300") ? GpuGeneration::kBlackwell
                                              : GpuGeneration::kHopper;
  p.scale_out = p.generation == GpuGeneration::kAmpere ? Interconnect::kIbHdr : Interconnect::kIbNdr;
  p.scale_up = p.generation == GpuGeneration::kAmpere    ? Interconnect::kNvlink3
               : p.generation == GpuGeneration::kHopper ? Interconnect::kNvlink4
                                                         : Interconnect::kNvlink5;
  return p;
}

}  // namespace

engine::DeviceSpec device_spec(const SystemParams& system, const DeviceOverrides& o) {
  auto spec = find_device(o.model.empty() ? device_name(system) : o.model);
  PODSIM_CHECK(spec.has_value(), "device checked before build");
  auto rate = [](double t) { return FlopRate::tera(t); };
  auto optional_rate = [](double t) { return t > 0 ? std::optional<FlopRate>(FlopRate::tera(t)) : std::nullopt; };
  if (o.bf16_tflops) spec->peak_bf16 = rate(*o.bf16_tflops);
  if (o.fp16_tflops) spec->peak_fp16 = rate(*o.fp16_tflops);
  if (o.fp8_tflops) spec->peak_fp8 = optional_rate(*o.fp8_tflops);
  if (o.int8_tops) spec->peak_int8 = optional_rate(*o.int8_tops);
  if (o.hbm_gbytes) spec->hbm_capacity = Bytes::giga(*o.hbm_gbytes);
  if (o.hbm_tbytes_per_s) spec->hbm_bandwidth = Bandwidth::gbytes_per_s(*o.hbm_tbytes_per_s * 1e3);
  if (o.tdp_watts) spec->tdp_watts = *o.tdp_watts;
  if (o.runtime_reserve_gbytes) spec->runtime_reserve.total = Bytes::giga(*o.runtime_reserve_gbytes);
  return *spec;
}

// "4x H100 + 2x H800-8gpu": the pools, at most kNamedPools of them, then how many more
// (a cluster of 20,000 pools once got a name of 20,000 labels, 390 kB on every line that
// names it); "cluster" when no pool has a name or preset.
std::string default_cluster_name(const std::vector<PoolParams>& pools) {
  constexpr size_t kNamedPools = 4;
  const size_t named = pools.size() <= kNamedPools ? pools.size() : kNamedPools - 1;
  std::string name;
  for (size_t i = 0; i < named; ++i) {
    const PoolParams& pool = pools[i];
    const std::string& label = !pool.name.empty() ? pool.name : pool.preset;
    if (label.empty()) continue;
    name += (name.empty() ? "" : " + ") + (pool.count > 1 ? fmt::format("{}x {}", pool.count, label) : label);
  }
  if (name.empty()) name = "cluster";
  if (named < pools.size()) name += fmt::format(" + {} more pools", pools.size() - named);
  return name;
}

Cluster build_cluster(const ClusterParams& p) {
  if (const auto errors = check(p); !errors.empty()) {
    std::string message;
    for (const ParamError& e : errors) message += fmt::format("{}{}: {}", message.empty() ? "" : "\n", e.path, e.message);
    throw UserError(message);
  }
  Builder b(p.detailed_view);
  const std::string name = p.name.empty() ? default_cluster_name(p.pools) : p.name;
  const uint32_t root = b.add_domain(DomainLevel::kCluster, name, std::nullopt);
  const bool single = p.pools.size() == 1 && p.pools[0].count == 1;
  for (uint32_t i = 0; i < p.pools.size(); ++i) {
    const PoolParams& pool = p.pools[i];
    const std::string pool_name =
        !pool.name.empty() ? pool.name : !pool.preset.empty() ? pool.preset : family_name(pool.system);
    auto spec = std::make_shared<const engine::DeviceSpec>(device_spec(pool.system, pool.device));
    for (int k = 0; k < pool.count; ++k) {
      const uint32_t pod = b.add_domain(DomainLevel::kPod, single ? pool_name : fmt::format("{}-{}", pool_name, k), root);
      std::visit(
          [&](const auto& s) {
            using T = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<T, CloudMatrix384Params>) add_cloudmatrix384(b, s, spec, pod, i);
            if constexpr (std::is_same_v<T, NvlinkParams>) add_nvlink(b, s, spec, pod, i);
            if constexpr (std::is_same_v<T, HgxParams>) add_hgx(b, s, spec, pod, i);
            if constexpr (std::is_same_v<T, Atlas800tA2Params>) add_atlas_800t_a2(b, s, spec, pod, i);
          },
          pool.system);
      const auto kw = system_power_kw(pool.system);
      b.systems().push_back(SystemInfo{.preset = pool.preset,
                                       .pool = i,
                                       .pod = pod,
                                       .hypothetical = is_hypothetical(pool.preset),
                                       .power_watts = kw ? std::optional<double>(*kw * 1e3) : std::nullopt,
                                       .in_switch_reduction = in_switch_reduction(pool.system),
                                       .comm = comm_profile(pool.system, *spec)});
    }
  }
  for (Device& d : b.devices())  // scale-up injection: the sum of the endpoints' access links
    for (VertexId v : b.endpoints()[d.index]) d.scale_up_bandwidth += b.scale_up_access(v);
  if (p.fat_tree) {
    std::vector<int> nics_per_node, pool_of_node;
    for (const Domain& dom : b.domains())
      if (dom.level == DomainLevel::kNode) {
        nics_per_node.push_back(static_cast<int>(dom.device_count));
        pool_of_node.push_back(static_cast<int>(b.devices()[dom.first_device].pool));
      }
    std::vector<ParamError> errors;
    const auto layout = plan_fat_tree(*p.fat_tree, nics_per_node, pool_of_node, errors);
    PODSIM_CHECK(layout.has_value(), "fat tree checked before build");
    add_fat_tree(b, *p.fat_tree, *layout);
  }
  View collapsed = b.collapsed_view();
  std::optional<View> detailed;
  if (b.keeps_detailed()) detailed.emplace(b.release_graph(), b.endpoints());
  return Cluster(name, std::move(b.devices()), std::move(b.domains()), std::move(b.systems()),
                 p.fat_tree ? std::optional<int>(p.fat_tree->tiers) : std::nullopt, std::move(detailed),
                 std::move(collapsed));
}

Cluster build_preset(std::string_view name) {
  auto system = preset(name);
  if (!system)
    throw UserError(
        fmt::format("unknown preset '{}' (expected one of: {})", printable(name), fmt::join(preset_names(), ", ")));
  return build_cluster({.name = std::string(name), .pools = {{.preset = std::string(name), .system = *system}}});
}

}  // namespace podsim::topologies
