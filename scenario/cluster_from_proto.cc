#include "scenario/cluster_from_proto.h"

#include <fmt/format.h>

#include <climits>

#include "scenario/field_ranges.h"
#include "sim/memory_limit.h"
#include "podsim/v1/system.pb.h"

namespace podsim::scenario {
namespace {

namespace v1 = podsim::v1;
using namespace podsim::topologies;

// Copies a proto3 `optional` field when it is present. A macro so that the field is
// named once: has_x() and x() cannot drift apart over ~40 fields.
#define PODSIM_COPY(proto, params, field) \
  if ((proto).has_##field()) (params).field = (proto).field()

void apply(const v1::CloudMatrix384& m, CloudMatrix384Params& p) {
  PODSIM_COPY(m, p, nodes);
  PODSIM_COPY(m, p, npus_per_node);
  PODSIM_COPY(m, p, dies_per_npu);
  PODSIM_COPY(m, p, nodes_per_rack);
  PODSIM_COPY(m, p, planes);
  PODSIM_COPY(m, p, l2_chips_per_plane);
  PODSIM_COPY(m, p, l2_radix);
  PODSIM_COPY(m, p, l1_link_gbytes_per_s);
  PODSIM_COPY(m, p, l2_link_gbytes_per_s);
  PODSIM_COPY(m, p, die_to_die_gbytes_per_s);
  PODSIM_COPY(m, p, cpus_per_node);
  PODSIM_COPY(m, p, cpu_gbytes_per_s);
  PODSIM_COPY(m, p, nic_gbits_per_s);
  PODSIM_COPY(m, p, ub_link_latency_ns);
  PODSIM_COPY(m, p, die_to_die_latency_ns);
  PODSIM_COPY(m, p, system_power_kw);
}

void apply(const v1::Nvlink& m, NvlinkParams& p) {
  PODSIM_COPY(m, p, racks);
  PODSIM_COPY(m, p, gpus_per_rack);
  PODSIM_COPY(m, p, gpus_per_tray);
  PODSIM_COPY(m, p, switch_chips_per_rack);
  PODSIM_COPY(m, p, switch_radix);
  PODSIM_COPY(m, p, link_gbytes_per_s);
  PODSIM_COPY(m, p, link_latency_ns);
  PODSIM_COPY(m, p, l2_chips_per_plane);
  PODSIM_COPY(m, p, l1_uplinks);
  PODSIM_COPY(m, p, nic_gbits_per_s);
  PODSIM_COPY(m, p, system_power_kw);
}

void apply(const v1::Hgx& m, HgxParams& p) {
  PODSIM_COPY(m, p, gpus);
  PODSIM_COPY(m, p, nvswitch_chips);
  PODSIM_COPY(m, p, nvlinks_per_gpu);
  PODSIM_COPY(m, p, nvlink_gbytes_per_s);
  PODSIM_COPY(m, p, nvswitch_radix);
  PODSIM_COPY(m, p, nvlink_latency_ns);
  PODSIM_COPY(m, p, nic_gbits_per_s);
  PODSIM_COPY(m, p, system_power_kw);
}

void apply(const v1::Atlas800tA2& m, Atlas800tA2Params& p) {
  PODSIM_COPY(m, p, npus);
  PODSIM_COPY(m, p, hccs_link_gbytes_per_s);
  PODSIM_COPY(m, p, hccs_latency_ns);
  PODSIM_COPY(m, p, nic_gbits_per_s);
  PODSIM_COPY(m, p, system_power_kw);
}

DeviceOverrides device_overrides(const v1::DeviceOverrides& m) {
  DeviceOverrides d;
  d.model = m.model();
  PODSIM_COPY(m, d, bf16_tflops);
  PODSIM_COPY(m, d, fp16_tflops);
  PODSIM_COPY(m, d, fp8_tflops);
  PODSIM_COPY(m, d, int8_tops);
  PODSIM_COPY(m, d, hbm_gbytes);
  PODSIM_COPY(m, d, hbm_tbytes_per_s);
  PODSIM_COPY(m, d, tdp_watts);
  return d;
}

#undef PODSIM_COPY

// The override message set on `pool`, as its field name, or nullptr.
const char* params_field(const v1::Pool& pool) {
  switch (pool.params_case()) {
    case v1::Pool::kCloudmatrix384: return "cloudmatrix384";
    case v1::Pool::kNvlink: return "nvlink";
    case v1::Pool::kHgx: return "hgx";
    case v1::Pool::kAtlas800TA2: return "atlas_800t_a2";
    case v1::Pool::PARAMS_NOT_SET: return nullptr;
  }
  return nullptr;
}

// Applies the pool's overrides to `system`, whose family must match.
void apply_overrides(const v1::Pool& pool, SystemParams& system) {
  switch (pool.params_case()) {
    case v1::Pool::kCloudmatrix384: apply(pool.cloudmatrix384(), std::get<CloudMatrix384Params>(system)); break;
    case v1::Pool::kNvlink: apply(pool.nvlink(), std::get<NvlinkParams>(system)); break;
    case v1::Pool::kHgx: apply(pool.hgx(), std::get<HgxParams>(system)); break;
    case v1::Pool::kAtlas800TA2: apply(pool.atlas_800t_a2(), std::get<Atlas800tA2Params>(system)); break;
    case v1::Pool::PARAMS_NOT_SET: break;
  }
}

int as_int(uint32_t v) { return v > INT_MAX ? INT_MAX : static_cast<int>(v); }

}  // namespace

std::optional<ClusterParams> cluster_params(const ScenarioFile& file, Problems& problems) {
  const v1::Cluster& m = file.scenario().cluster();
  const bool clean_before = problems.empty();
  // Every number in range first: the checks below and the builders assume it.
  if (check_field_ranges(file, m, "cluster", problems) > 0) return std::nullopt;
  ClusterParams p;
  p.name = m.name();
  if (m.pools_size() == 0)
    problems.add("cluster.pools", "missing (expected at least one pool, e.g. cluster { pools { preset: \"nvl72\" } })");
  bool pools_ok = true;
  for (int i = 0; i < m.pools_size(); ++i) {
    const v1::Pool& pool = m.pools(i);
    const std::string at = fmt::format("cluster.pools[{}]", i);
    auto system = preset(pool.preset());
    if (!system) {
      problems.add(at + ".preset", fmt::format("{} (expected one of: {})",
                                               pool.preset().empty() ? "missing" : "unknown preset '" + pool.preset() + "'",
                                               fmt::join(preset_names(), ", ")));
      pools_ok = false;
      continue;
    }
    if (const char* field = params_field(pool); field && std::string_view(field) != family_name(*system)) {
      problems.add(fmt::format("{}.{}", at, field), fmt::format("preset '{}' takes its overrides in '{}', not '{}'",
                                                               pool.preset(), family_name(*system), field));
      pools_ok = false;
      continue;
    }
    apply_overrides(pool, *system);
    p.pools.push_back(PoolParams{.name = pool.name(),
                                 .preset = pool.preset(),
                                 .count = pool.has_count() ? as_int(pool.count()) : 1,
                                 .system = std::move(*system),
                                 .device = device_overrides(pool.device())});
  }
  if (m.has_fat_tree()) {
    const v1::FatTree& f = m.fat_tree();
    FatTreeParams t;
    if (f.has_tiers()) t.tiers = as_int(f.tiers());
    if (f.has_radix()) t.radix = as_int(f.radix());
    if (f.has_oversubscription()) t.oversubscription = f.oversubscription();
    if (f.has_nic_gbits_per_s()) t.nic_gbits_per_s = f.nic_gbits_per_s();
    if (f.has_port_gbits_per_s()) t.port_gbits_per_s = f.port_gbits_per_s();
    if (f.has_link_latency_ns()) t.link_latency_ns = f.link_latency_ns();
    if (f.has_rail_optimized()) t.rail_optimized = f.rail_optimized();
    if (f.has_spine_oversubscription()) t.spine_oversubscription = f.spine_oversubscription();
    p.fat_tree = t;
  }
  // Parameter checks need every pool; with a pool missing, pool indices would not match.
  // Refuse a cluster this machine cannot hold before check() walks its nodes.
  if (pools_ok && m.pools_size() > 0) {
    double devices = 0;
    for (const PoolParams& pool : p.pools) {
      const SystemShape s = shape(pool.system);
      devices += static_cast<double>(pool.count) * s.nodes * s.devices_per_node;
    }
    if (auto why = sim::memory_refusal(sim::cluster_build_bytes(p), fmt::format("building this cluster ({:.4g} devices)", devices),
                                  "measured per device, bench/README.md",
                                  "fewer systems in cluster.pools[].count"))
      problems.add("cluster.pools", *why);
    else
      for (const ParamError& e : check(p)) problems.add("cluster." + e.path, e.message);
  }
  if (!clean_before || !problems.empty()) return std::nullopt;
  return p;
}

ClusterParams cluster_params(const ScenarioFile& file) {
  Problems problems(file);
  auto p = cluster_params(file, problems);
  problems.throw_if_any();
  return std::move(*p);
}

}  // namespace podsim::scenario
