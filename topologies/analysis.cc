#include "topologies/analysis.h"

#include <boost/graph/push_relabel_max_flow.hpp>

#include <cmath>
#include <limits>
#include <queue>

#include "engine/check.h"
#include "topologies/switch_hops.h"

namespace podsim::topologies {
namespace {

// Capacities as integer bytes/s: push-relabel on doubles can loop on rounding residue.
using FlowTraits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, int64_t,
                    boost::property<boost::edge_residual_capacity_t, int64_t,
                                    boost::property<boost::edge_reverse_t, FlowTraits::edge_descriptor>>>>;

void add_flow_edge(FlowGraph& g, size_t u, size_t v, int64_t capacity) {
  auto cap = boost::get(boost::edge_capacity, g);
  auto rev = boost::get(boost::edge_reverse, g);
  const auto e = boost::add_edge(u, v, g).first;
  const auto r = boost::add_edge(v, u, g).first;
  cap[e] = capacity;
  cap[r] = 0;
  rev[e] = r;
  rev[r] = e;
}

}  // namespace

engine::Bandwidth max_flow(const View& v, std::span<const DeviceIndex> from, std::span<const DeviceIndex> to,
                           const std::function<bool(const Link&)>& use) {
  const Graph& g = v.graph();
  const size_t n = boost::num_vertices(g);
  // 0: relays nothing; 1: source side; 2: sink side; 3: relay (switch, NIC).
  std::vector<uint8_t> role(n, 0);
  for (size_t u = 0; u < n; ++u)
    if (forwards(g[u].kind)) role[u] = 3;
  for (DeviceIndex d : from)
    for (VertexId e : v.endpoints(d)) role[e] = 1;
  for (DeviceIndex d : to)
    for (VertexId e : v.endpoints(d)) {
      PODSIM_CHECK(role[e] != 1, "max_flow: the two device sets overlap");
      role[e] = 2;
    }

  // Capacities in integer kB/s: every published figure is a whole number of them, and
  // the sums push-relabel forms stay far from int64's limit (in B/s a 16k-GPU fat tree
  // overflowed: UBSan). A terminal edge carries what its endpoint can send or receive
  // at most, which is as good as infinite and keeps the excess sums bounded too.
  constexpr double kUnit = 1e3;
  FlowGraph f(n + 2);
  const size_t source = n, sink = n + 1;
  std::vector<int64_t> out_capacity(n, 0), in_capacity(n, 0);
  for (auto e : boost::make_iterator_range(boost::edges(g))) {
    const size_t a = boost::source(e, g), b = boost::target(e, g);
    if (role[a] == 0 || role[b] == 0 || (use && !use(g[e]))) continue;
    const auto capacity = static_cast<int64_t>(std::llround(g[e].capacity.value() / kUnit));
    add_flow_edge(f, a, b, capacity);
    out_capacity[a] += capacity;
    in_capacity[b] += capacity;
  }
  for (size_t u = 0; u < n; ++u) {
    if (role[u] == 1 && out_capacity[u] > 0) add_flow_edge(f, source, u, out_capacity[u]);
    if (role[u] == 2 && in_capacity[u] > 0) add_flow_edge(f, u, sink, in_capacity[u]);
  }
  return engine::Bandwidth(static_cast<double>(boost::push_relabel_max_flow(f, source, sink)) * kUnit);
}

engine::Bandwidth bisection(const View& v) {
  const auto n = static_cast<DeviceIndex>(v.device_count());
  std::vector<DeviceIndex> a, b;
  for (DeviceIndex d = 0; d < n; ++d) (d < n / 2 ? a : b).push_back(d);
  if (a.empty()) return {};
  if (b.size() > a.size()) b.pop_back();  // an odd count: leave the last device out
  return max_flow(v, a, b);
}

engine::Bandwidth injection(const Cluster& c, const View& v, DeviceIndex d) {
  const Domain& pod = c.domains()[c.devices()[d].pod];
  std::vector<DeviceIndex> rest;
  for (DeviceIndex x = pod.first_device; x < pod.first_device + pod.device_count; ++x)
    if (x != d) rest.push_back(x);
  if (rest.empty()) return {};
  const DeviceIndex self[] = {d};
  return max_flow(v, self, rest, [](const Link& l) { return !is_scale_out(l.tier); });
}

Diameter diameter(const Cluster& c, const View& v, size_t exhaustive_up_to, size_t sample) {
  const size_t n = c.devices().size();
  std::vector<DeviceIndex> sources;
  Diameter result;
  if (n <= exhaustive_up_to) {
    for (DeviceIndex d = 0; d < n; ++d) sources.push_back(d);
  } else {
    result.exact = false;
    std::vector<bool> pool_seen;
    for (const Device& d : c.devices()) {
      if (d.pool >= pool_seen.size()) pool_seen.resize(d.pool + 1, false);
      if (pool_seen[d.pool]) continue;
      pool_seen[d.pool] = true;
      const Domain& node = c.domains()[d.node];
      for (DeviceIndex x = node.first_device; x < node.first_device + node.device_count; ++x) sources.push_back(x);
    }
    const size_t stride = std::max<size_t>(1, n / sample);
    for (DeviceIndex d = static_cast<DeviceIndex>(stride / 2); d < n && sources.size() < sample; d += stride)
      sources.push_back(d);
  }

  // Routes, and among equal-cost ones the fewest switches (switch_hops.h).
  SwitchHops hops(v);
  for (DeviceIndex s : sources) result.switch_hops = std::max(result.switch_hops, hops.eccentricity(s));
  return result;
}

Summary summarize(const Cluster& c) {
  Summary s;
  s.name = c.name();
  s.hypothetical = c.hypothetical();
  s.fat_tree_tiers = c.fat_tree_tiers();
  s.devices = c.devices().size();
  for (const Domain& d : c.domains()) {
    if (d.level == DomainLevel::kPod) ++s.pods;
    if (d.level == DomainLevel::kRack) ++s.racks;
    if (d.level == DomainLevel::kNode) ++s.nodes;
  }
  const Graph& g = c.detailed().graph();
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    switch (g[v].kind) {
      case VertexKind::kSwitch:
        ++s.switches;
        ++s.switches_by_role[to_string(g[v].role)];
        break;
      case VertexKind::kNic: ++s.nics; break;
      case VertexKind::kCpu: ++s.cpus; break;
      case VertexKind::kAccelerator: ++s.die_vertices; break;
    }
  }
  s.directed_links = boost::num_edges(g);
  for (auto e : boost::make_iterator_range(boost::edges(g))) s.cables += g[e].lanes;
  s.cables /= 2;
  s.collapsed_links = c.collapsed().link_count();

  std::vector<bool> pod_has_power(c.domains().size(), false);
  for (const SystemInfo& sys : c.systems())
    if (sys.power_watts) {
      s.power_watts += *sys.power_watts;
      pod_has_power[sys.pod] = true;
    }
  bool first = true;
  for (const Device& d : c.devices()) {
    ++s.devices_by_model[d.spec->name];
    if (first || d.scale_up_bandwidth < s.scale_up_min) s.scale_up_min = d.scale_up_bandwidth;
    if (first || d.scale_up_bandwidth > s.scale_up_max) s.scale_up_max = d.scale_up_bandwidth;
    if (first || d.scale_out_bandwidth < s.scale_out_min) s.scale_out_min = d.scale_out_bandwidth;
    if (first || d.scale_out_bandwidth > s.scale_out_max) s.scale_out_max = d.scale_out_bandwidth;
    first = false;
    s.bf16 += d.spec->peak_bf16;
    if (d.spec->peak_fp8) s.fp8 += *d.spec->peak_fp8;
    else ++s.devices_without_fp8;
    if (d.spec->peak_int8) s.int8 += *d.spec->peak_int8;
    else ++s.devices_without_int8;
    s.hbm += d.spec->hbm_capacity;
    s.hbm_bandwidth += d.spec->hbm_bandwidth;
    if (pod_has_power[d.pod]) continue;
    if (d.spec->tdp_watts) s.power_watts += *d.spec->tdp_watts;
    else ++s.devices_without_power;
  }
  s.bisection = bisection(c.collapsed());
  s.diameter = diameter(c, c.collapsed());
  return s;
}

}  // namespace podsim::topologies
