#include "scenario/cluster_from_proto.h"

#include <fmt/format.h>


#include <algorithm>
#include <charconv>
#include <climits>
#include <map>

#include "engine/check.h"
#include "engine/printable.h"
#include "io/input_file.h"
#include "scenario/field_ranges.h"
#include "scenario/node_list.h"
#include "scenario/scenario_files.h"
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
  PODSIM_COPY(m, d, runtime_reserve_gbytes);
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

// One pool: its preset looked up, its overrides applied. nullopt (problems recorded at
// `at`) if the preset is unknown or the overrides are of another family.
std::optional<PoolParams> pool_params(const v1::Pool& pool, const std::string& at, Problems& problems) {
  auto system = preset(pool.preset());
  if (!system) {
    problems.add(at + ".preset", fmt::format("{} (expected one of: {})",
                                             pool.preset().empty() ? "missing" : "unknown preset '" + printable(pool.preset()) + "'",
                                             fmt::join(preset_names(), ", ")));
    return std::nullopt;
  }
  if (const char* field = params_field(pool); field && std::string_view(field) != family_name(*system)) {
    problems.add(fmt::format("{}.{}", at, field), fmt::format("preset '{}' takes its overrides in '{}', not '{}'",
                                                             pool.preset(), family_name(*system), field));
    return std::nullopt;
  }
  apply_overrides(pool, *system);
  return PoolParams{.name = pool.name(),
                    .preset = pool.preset(),
                    .count = pool.has_count() ? as_int(pool.count()) : 1,
                    .system = std::move(*system),
                    .device = device_overrides(pool.device())};
}

// A pool a node list built, for problems of the system it became: the types entry
// whose server it is, and the machines it holds ("nodes.csv:2: 1 machine of 16 GPUs of
// type 'H100' built as types[0]'s server").
struct ListedPool {
  std::string field;
  std::string machines;
};

// Node list i's pools, appended to `pools` (and where each came from to `listed`): one
// per (GPU type, GPU count), its server
// built by the first entry of `types` that matches the type (or the entry without
// matches). Machines it leaves out are counted into `skipped` (may be null). False
// (problems recorded) if the list cannot be built. A list that builds no machine at all
// adds to `empty` what it holds instead, said only if no list builds any.
bool add_node_list(const ScenarioFile& file, int i, std::vector<PoolParams>& pools, Problems& problems,
                   SkippedMachines* skipped_out, std::vector<std::pair<std::string, std::string>>& empty,
                   std::vector<ListedPool>& listed) {
  const v1::NodeList& l = file.scenario().cluster().node_lists(i);
  const std::string at = fmt::format("cluster.node_lists[{}]", i);
  bool ok = true;
  const auto missing = [&](const char* field, const char* expected) {
    problems.add(fmt::format("{}.{}", at, field), fmt::format("missing (expected {})", expected));
    ok = false;
  };
  if (l.path().empty()) missing("path", "a CSV of machines, relative to the scenario");
  if (l.gpus().empty()) missing("gpus", "the column of each machine's GPU count");
  if (l.types_size() == 0) missing("types", "at least one, e.g. types { server { preset: \"hgx-h100\" } }");
  // Each entry's server, checked once.
  std::vector<std::optional<PoolParams>> servers;
  for (int t = 0; t < l.types_size(); ++t) {
    const std::string where = fmt::format("{}.types[{}].server", at, t);
    const v1::Pool& server = l.types(t).server();
    std::optional<PoolParams> pool = pool_params(server, where, problems);
    if (pool && !std::holds_alternative<HgxParams>(pool->system) && !std::holds_alternative<Atlas800tA2Params>(pool->system)) {
      problems.add(where + ".preset", fmt::format("'{}' is not one server (expected hgx-h100, hgx-h800, hgx-h20, hgx-b200 "
                                                  "or atlas-800t-a2: each machine of the list is one server)",
                                                  server.preset()));
      pool.reset();
    }
    if (server.has_count()) {
      problems.add(where + ".count", "set by the node list (one system per machine); remove it");
      pool.reset();
    }
    ok &= pool.has_value();
    servers.push_back(std::move(pool));
  }
  if (!ok) return false;
  const std::string path = node_list_path(file, i);
  io::check_input_file(path, "node list");  // no FIFO, device or endless file; at most 1 GiB
  const NodeList list = read_node_list(path, {.gpus = l.gpus(), .gpu_type = l.gpu_type()});  // throws FILE:LINE

  const auto entry_of = [&](const std::string& type) -> std::optional<int> {
    if (l.gpu_type().empty()) return 0;
    std::optional<int> any;
    for (int t = 0; t < l.types_size(); ++t) {
      const auto& match = l.types(t).match();
      if (match.empty() && !any) any = t;
      if (std::find(match.begin(), match.end(), type) != match.end()) return t;
    }
    return any;
  };
  std::map<std::string, int> skipped = list.skipped;
  std::map<std::string, int> counts_of_name;  // GPU counts built under one pool name
  std::vector<std::pair<const MachineGroup*, int>> built;
  for (const MachineGroup& g : list.groups) {
    const std::optional<int> t = entry_of(g.gpu_type);
    if (!t) {
      if (l.skip_unknown_types()) {
        skipped[fmt::format("GPU type '{}' has no entry in types", printable(g.gpu_type))] += g.machines;
        continue;
      }
      problems.add(at + ".types", fmt::format("{}:{}: GPU type '{}' ({} machine{} of {} GPUs) has no entry (add one with "
                                              "match: \"{}\", one without match for every other type, or "
                                              "skip_unknown_types: true)",
                                              path, g.first_line, printable(g.gpu_type), g.machines,
                                              g.machines == 1 ? "" : "s", g.gpus, printable(g.gpu_type)));
      ok = false;
      continue;
    }
    if (g.machines > 1000000) {
      problems.add(at + ".path", fmt::format("{}: {} machines of type '{}' (expected at most 1e6 per pool)", path,
                                             g.machines, printable(g.gpu_type)));
      ok = false;
      continue;
    }
    built.emplace_back(&g, *t);
    const PoolParams& server = *servers[static_cast<size_t>(*t)];
    ++counts_of_name[server.name.empty() ? (g.gpu_type.empty() ? server.preset : g.gpu_type) : server.name];
  }
  for (const auto& [g, t] : built) {
    PoolParams pool = *servers[static_cast<size_t>(t)];
    std::string name = pool.name.empty() ? (g->gpu_type.empty() ? pool.preset : g->gpu_type) : pool.name;
    if (!is_one_line(name)) {
      problems.add(at + ".types", fmt::format("{}:{}: GPU type '{}' would name a pool, but it is not one line of text "
                                              "(expected a type without control characters, or a name in its types "
                                              "entry's server)",
                                              path, g->first_line, printable(name)));
      ok = false;
      continue;
    }
    if (counts_of_name[name] > 1) name += fmt::format("-{}gpu", g->gpus);
    pool.name = std::move(name);
    pool.gpu_type = g->gpu_type;
    pool.count = g->machines;
    if (auto* hgx = std::get_if<HgxParams>(&pool.system)) hgx->gpus = g->gpus;
    if (auto* atlas = std::get_if<Atlas800tA2Params>(&pool.system)) atlas->npus = g->gpus;
    listed.push_back({.field = fmt::format("{}.types[{}].server", at, t),
                      .machines = fmt::format("{}:{}: {} machine{} of {} GPUs{} built as types[{}]'s server", path,
                                              g->first_line, g->machines, g->machines == 1 ? "" : "s", g->gpus,
                                              g->gpu_type.empty() ? "" : fmt::format(" of type '{}'", printable(g->gpu_type)),
                                              t)});
    pools.push_back(std::move(pool));
  }
  if (skipped_out)
    for (const auto& [reason, count] : skipped) (*skipped_out)[fmt::format("{} ({})", reason, at)] += count;
  if (ok && built.empty()) {
    std::string rows;
    for (const auto& [reason, count] : skipped) rows += fmt::format("{}{} skipped: {}", rows.empty() ? "" : ", ", count, reason);
    empty.emplace_back(at + ".path", fmt::format("{}: no machine to build ({}; expected at least one row with GPUs "
                                                 "whose type an entry of types builds)",
                                                 path, rows.empty() ? "no rows after the header" : rows));
  }
  return ok;
}

// K of a path "pools[K]...", nullopt for any other.
std::optional<size_t> pool_index(std::string_view path) {
  if (!path.starts_with("pools[")) return std::nullopt;
  size_t k = 0;
  const char* end = path.data() + path.size();
  auto [p, ec] = std::from_chars(path.data() + 6, end, k);
  if (ec != std::errc() || p == end || *p != ']') return std::nullopt;
  return k;
}

// The first pool past which the pools hold more than one system.
// REQUIRES: they do.
size_t second_system_pool(const std::vector<PoolParams>& pools) {
  int64_t systems = 0;
  for (size_t k = 0; k < pools.size(); ++k)
    if ((systems += pools[k].count) > 1) return k;
  throw InternalError("second_system_pool: the pools hold at most one system");
}

}  // namespace

std::optional<ClusterParams> cluster_params(const ScenarioFile& file, Problems& problems, SkippedMachines* skipped) {
  const v1::Cluster& m = file.scenario().cluster();
  const bool clean_before = problems.empty();
  // Every number in range first: the checks below and the builders assume it.
  if (check_field_ranges(file, m, "cluster", problems) > 0) return std::nullopt;
  ClusterParams p;
  p.name = m.name();
  // Names head lines of output (topo's first line, systems "<pool>-<k>" in results): one
  // line each. (A pool named "nv\nl72" once split topo's summary.)
  check_one_line("cluster.name", m.name(), problems);
  for (int i = 0; i < m.pools_size(); ++i)
    check_one_line(fmt::format("cluster.pools[{}].name", i), m.pools(i).name(), problems);
  if (m.pools_size() == 0 && m.node_lists_size() == 0)
    problems.add("cluster.pools", "missing (expected at least one pool, e.g. cluster { pools { preset: \"nvl72\" } })");
  bool pools_ok = true;
  // Each pool's field that sets how many systems it has, to name in problems of size
  // (so that one a --set caused names the --set, not the file or preset it changed).
  std::vector<std::string> size_fields;
  for (int i = 0; i < m.pools_size(); ++i) {
    std::optional<PoolParams> pool = pool_params(m.pools(i), fmt::format("cluster.pools[{}]", i), problems);
    if (pool) {
      p.pools.push_back(std::move(*pool));
      size_fields.push_back(fmt::format("cluster.pools[{}].count", i));
    } else {
      pools_ok = false;
    }
  }
  std::vector<std::pair<std::string, std::string>> empty_lists;
  std::vector<ListedPool> list_pools;  // of the pools after the file's own
  for (int i = 0; i < m.node_lists_size(); ++i) {
    pools_ok &= add_node_list(file, i, p.pools, problems, skipped, empty_lists, list_pools);
    size_fields.resize(p.pools.size(), fmt::format("cluster.node_lists[{}].path", i));
  }
  // Once "pools: no pools (...)" from the builder, naming neither file nor field.
  if (pools_ok && p.pools.empty())
    for (const auto& [field, message] : empty_lists) problems.add(field, message);
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
  if (pools_ok && !p.pools.empty()) {
    double devices = 0;
    size_t largest = 0, most_systems = 0;  // the pool of the most bytes, of the most systems
    for (size_t k = 0; k < p.pools.size(); ++k) {
      const SystemShape s = shape(p.pools[k].system);
      devices += static_cast<double>(p.pools[k].count) * s.nodes * s.devices_per_node;
      if (sim::pool_build_bytes(p.pools[k]) > sim::pool_build_bytes(p.pools[largest])) largest = k;
      if (p.pools[k].count > p.pools[most_systems].count) most_systems = k;
    }
    const bool listed = size_fields[largest].starts_with("cluster.node_lists");
    if (auto why = sim::memory_refusal(sim::cluster_build_bytes(p), fmt::format("building this cluster ({:.4g} devices)", devices),
                                  "measured per device by family, docs/reliability.md section 5",
                                  listed ? "fewer machines in the node list" : "fewer systems"))
      problems.add(size_fields[largest], *why);
    else
      for (const ParamError& e : check(p)) {
        if (e.path != "fat_tree") {
          // A system a node list built is named by its entry and machines, not as a pool
          // the file does not have (its first line was blamed).
          const std::optional<size_t> pool = pool_index(e.path);
          const size_t own = static_cast<size_t>(m.pools_size());
          if (pool && *pool >= own && *pool - own < list_pools.size())
            problems.add(list_pools[*pool - own].field,
                         fmt::format("{}: {}", list_pools[*pool - own].machines, e.message));
          else
            problems.add("cluster." + e.path, e.message);
        } else if (p.pools[most_systems].count > 1) {
          // Systems without a fabric: a pool of several needs one by itself, so its count
          // is to blame (or to thank for the hint).
          problems.add(size_fields[most_systems], e.message);
        } else {
          // Pools of one system each: the second pool is where a second system came in
          // (the cluster block has no fat_tree to point at).
          const size_t second = second_system_pool(p.pools);
          const std::string field = size_fields[second].starts_with("cluster.pools")
                                        ? fmt::format("cluster.pools[{}]", second)
                                        : size_fields[second];
          int systems = 0;
          for (const PoolParams& pool : p.pools) systems += pool.count;
          problems.add(field, fmt::format("{} pools of one system each need a scale-out fabric to "
                                          "join them (add fat_tree {{ tiers: 2 }} to cluster)",
                                          systems));
        }
      }
  }
  if (!clean_before || !problems.empty()) return std::nullopt;
  return p;
}

ClusterParams cluster_params(const ScenarioFile& file, SkippedMachines* skipped) {
  Problems problems(file);
  auto p = cluster_params(file, problems, skipped);
  problems.throw_if_any();
  return std::move(*p);
}

}  // namespace podsim::scenario
