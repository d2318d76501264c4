#include "report/topology_sketch.h"

#include <boost/range/iterator_range.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "topologies/vertex_homes.h"

namespace podsim::report {
namespace {

using topologies::Cluster;
using topologies::Domain;
using topologies::DomainLevel;
using topologies::EdgeId;
using topologies::Graph;
using topologies::LinkTier;
using topologies::SwitchRole;
using topologies::VertexId;
using topologies::VertexKind;

bool scale_up_switch(SwitchRole r) {
  return r == SwitchRole::kUbL1 || r == SwitchRole::kUbL2 || r == SwitchRole::kNvSwitch ||
         r == SwitchRole::kNvSwitchL1 || r == SwitchRole::kNvSwitchL2;
}

// The pod holding domain d (d itself for a pod); nullopt for the cluster.
std::optional<uint32_t> pod_of(const std::vector<Domain>& domains, uint32_t d) {
  for (std::optional<uint32_t> x = d; x; x = domains[*x].parent)
    if (domains[*x].level == DomainLevel::kPod) return x;
  return std::nullopt;
}

std::string local_name(const std::vector<Domain>& domains, uint32_t d) {
  const std::string& name = domains[d].name;
  if (!domains[d].parent) return name;
  const std::string& parent = domains[*domains[d].parent].name;
  return name.size() > parent.size() + 1 && name.starts_with(parent + "/") ? name.substr(parent.size() + 1) : name;
}

// Everything but the name: pods with equal keys draw the same.
std::string shape_key(const PodSketch& p) {
  std::string k = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", p.node_word, p.device, p.devices, p.dies_per_device, p.cpus,
                              p.cross_rack_cables, p.direct_mesh, p.scale_up_gbytes_per_s, p.nic_gbits_per_s);
  for (const RackSketch& r : p.racks) k += fmt::format("|r{}", fmt::join(r.devices_per_node, ","));
  for (const SwitchTierSketch& s : p.switches)
    k += fmt::format("|s{},{},{},{}", s.role, static_cast<int>(s.level), s.chips, s.planes);
  return k;
}

PodSketch pod_sketch(const Cluster& c, uint32_t pod, const std::vector<std::optional<uint32_t>>& homes) {
  const std::vector<Domain>& domains = c.domains();
  const topologies::View& v = c.detailed();
  const Graph& g = v.graph();
  const Domain& dom = domains[pod];
  PodSketch p{.name = dom.name, .devices = static_cast<int>(dom.device_count)};
  if (dom.device_count > 0) {
    const topologies::Device& first = c.devices()[dom.first_device];
    p.device = first.spec->name;
    p.dies_per_device = static_cast<int>(v.endpoints(first.index).size());
    p.scale_up_gbytes_per_s = first.scale_up_bandwidth.value() / 1e9;
    p.nic_gbits_per_s = first.scale_out_bandwidth.value() * 8 / 1e9;
  }
  for (const uint32_t r : dom.children) {
    RackSketch rack{.name = local_name(domains, r), .devices_per_node = {}};
    for (const uint32_t n : domains[r].children) {
      rack.devices_per_node.push_back(static_cast<int>(domains[n].device_count));
      if (local_name(domains, n).starts_with("tray")) p.node_word = "tray";
    }
    p.racks.push_back(std::move(rack));
  }
  // Switch chips by (level of their home, role): chips per home and planes.
  struct Tier {
    std::map<uint32_t, int> chips_by_home;
    std::set<uint16_t> planes;
  };
  std::map<std::pair<DomainLevel, SwitchRole>, Tier> tiers;
  for (VertexId u = 0; u < boost::num_vertices(g); ++u) {
    if (!homes[u] || pod_of(domains, *homes[u]) != pod) continue;
    if (g[u].kind == VertexKind::kCpu) ++p.cpus;
    if (g[u].kind != VertexKind::kSwitch || !scale_up_switch(g[u].role)) continue;
    Tier& t = tiers[{domains[*homes[u]].level, g[u].role}];
    ++t.chips_by_home[*homes[u]];
    for (const EdgeId e : boost::make_iterator_range(boost::out_edges(u, g))) {
      if (g[e].plane && !topologies::is_scale_out(g[e].tier)) t.planes.insert(*g[e].plane);
      // A cable between switches of two racks, counted from its even direction.
      const VertexId w = boost::target(e, g);
      if (g[e].tier == LinkTier::kScaleUpTrunk && g[e].id % 2 == 0 && homes[w] && *homes[w] != *homes[u] &&
          domains[*homes[u]].level == DomainLevel::kRack && domains[*homes[w]].level == DomainLevel::kRack)
        p.cross_rack_cables += static_cast<int>(g[e].lanes);
    }
  }
  // Node level first (deepest), then rack, then pod; DomainLevel counts downwards.
  for (auto it = tiers.rbegin(); it != tiers.rend(); ++it) {
    int most = 0;
    for (const auto& [home, n] : it->second.chips_by_home) most = std::max(most, n);
    p.switches.push_back({.role = topologies::to_string(it->first.second), .level = it->first.first, .chips = most,
                          .planes = static_cast<int>(it->second.planes.size())});
  }
  if (dom.device_count > 1)
    for (const VertexId e : v.endpoints(dom.first_device))
      for (const EdgeId x : boost::make_iterator_range(boost::out_edges(e, g)))
        if (g[x].tier == LinkTier::kScaleUpAccess && g[boost::target(x, g)].kind == VertexKind::kAccelerator)
          p.direct_mesh = true;
  return p;
}

FabricSketch fabric_sketch(const Cluster& c, int tiers) {
  const Graph& g = c.detailed().graph();
  FabricSketch f{.tiers = tiers};
  std::set<uint16_t> rails;
  bool unrailed = false;
  std::set<VertexId> pod_firsts;  // per spine, its first leaf: one per fabric pod
  std::set<std::vector<VertexId>> core_groups;
  f.leaf_down_min = -1;
  for (VertexId u = 0; u < boost::num_vertices(g); ++u) {
    const SwitchRole role = g[u].role;
    if (g[u].kind == VertexKind::kNic) {
      ++f.nics;
      for (const EdgeId e : boost::make_iterator_range(boost::out_edges(u, g)))
        if (g[e].tier == LinkTier::kScaleOutAccess) {
          f.nic_gbits_per_s = std::max(f.nic_gbits_per_s, g[e].capacity.value() * 8 / 1e9);
          if (g[e].plane) rails.insert(*g[e].plane); else unrailed = true;
        }
      continue;
    }
    if (role != SwitchRole::kLeaf && role != SwitchRole::kSpine && role != SwitchRole::kCore) continue;
    int down = 0, up = 0;
    std::optional<VertexId> first_leaf;
    std::vector<VertexId> spines;
    for (const EdgeId e : boost::make_iterator_range(boost::out_edges(u, g))) {
      const VertexId w = boost::target(e, g);
      const SwitchRole other = g[w].role;
      const int lanes = static_cast<int>(g[e].lanes);
      if (role == SwitchRole::kLeaf) (g[w].kind == VertexKind::kNic ? down : up) += lanes;
      if (role == SwitchRole::kSpine) {
        (other == SwitchRole::kLeaf ? down : up) += lanes;
        if (other == SwitchRole::kLeaf && (!first_leaf || w < *first_leaf)) first_leaf = w;
      }
      if (role == SwitchRole::kCore) spines.push_back(w);
    }
    if (role == SwitchRole::kLeaf) {
      ++f.leaves;
      if (down > f.leaf_down) {
        f.leaf_down = down;
        f.leaf_up = up;
      }
      f.leaf_down_min = f.leaf_down_min < 0 ? down : std::min(f.leaf_down_min, down);
    } else if (role == SwitchRole::kSpine) {
      ++f.spines;
      if (down > f.spine_down) {
        f.spine_down = down;
        f.spine_up = up;
      }
      if (first_leaf) pod_firsts.insert(*first_leaf);
    } else {
      ++f.cores;
      std::sort(spines.begin(), spines.end());
      core_groups.insert(spines);
    }
  }
  f.leaf_down_min = std::max(f.leaf_down_min, 0);
  f.rails = std::max<int>(1, static_cast<int>(rails.size()) + (unrailed && !rails.empty() ? 1 : 0));
  if (tiers == 3) {
    f.fabric_pods = static_cast<int>(pod_firsts.size());
    f.core_groups = static_cast<int>(core_groups.size());
  }
  return f;
}

}  // namespace

TopologySketch sketch(const Cluster& c) {
  TopologySketch s{.cluster = c.name(), .pods = {}, .fabric = std::nullopt};
  const std::vector<std::optional<uint32_t>> homes = topologies::vertex_homes(c, c.detailed());
  std::string last_key;
  for (const uint32_t pod : c.domains()[0].children) {
    PodSketch p = pod_sketch(c, pod, homes);
    const std::string key = shape_key(p);
    if (!s.pods.empty() && key == last_key) {
      ++s.pods.back().count;
      continue;
    }
    last_key = key;
    s.pods.push_back(std::move(p));
  }
  if (c.fat_tree_tiers()) s.fabric = fabric_sketch(c, *c.fat_tree_tiers());
  return s;
}

std::string shape_text(const PodSketch& p) {
  const std::string unit = p.device.find("Ascend") != std::string::npos ? "NPU" : "GPU";
  auto plural = [](int n, const std::string& word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); };
  // Uniform racks and nodes read as a product; otherwise the totals.
  std::set<int> nodes_per_rack, per_node;
  int nodes = 0;
  for (const RackSketch& r : p.racks) {
    nodes_per_rack.insert(static_cast<int>(r.devices_per_node.size()));
    nodes += static_cast<int>(r.devices_per_node.size());
    for (const int d : r.devices_per_node) per_node.insert(d);
  }
  const std::string node_word = p.racks.size() == 1 && nodes == 1 ? "server" : p.node_word;
  std::string text;
  if (nodes_per_rack.size() == 1 && per_node.size() == 1) {
    if (p.racks.size() > 1) text = plural(static_cast<int>(p.racks.size()), "rack") + " x ";
    if (nodes > 1 || p.racks.size() > 1) text += plural(*nodes_per_rack.begin(), node_word) + " x ";
    text += plural(*per_node.begin(), unit);
  } else {
    text = fmt::format("{}, {}, {}", plural(static_cast<int>(p.racks.size()), "rack"), plural(nodes, node_word),
                       plural(p.devices, unit));
  }
  if (p.dies_per_device > 1) text += fmt::format(" ({} dies each)", p.dies_per_device);
  return text;
}

}  // namespace podsim::report
