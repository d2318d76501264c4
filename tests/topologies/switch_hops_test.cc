// SwitchHops (topologies/switch_hops.h) against brute force: from every device, the
// most switches on a route to any device, compared with Bellman-Ford over the whole
// graph per device (the diameter's rule before searched the whole graph too):
// least routing cost, then fewest switches, only switches and NICs relaying.
#include "topologies/switch_hops.h"

#include <doctest/doctest.h>

#include <limits>
#include <utility>

#include "topologies/analysis.h"
#include "topologies/build.h"

using namespace podsim::topologies;

namespace {

// Bellman-Ford on (cost, switches) labels: relax every edge out of every vertex that
// may relay (the start, a switch or a NIC) until nothing improves.
int brute_force_eccentricity(const View& v, DeviceIndex s) {
  const Graph& g = v.graph();
  constexpr uint32_t kFar = std::numeric_limits<uint32_t>::max();
  std::vector<std::pair<uint32_t, int>> label(boost::num_vertices(g), {kFar, 0});
  const VertexId start = v.endpoint(s);
  label[start] = {0, 0};
  for (bool changed = true; changed;) {
    changed = false;
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      const VertexId from = boost::source(e, g), to = boost::target(e, g);
      if (label[from].first == kFar || (from != start && !forwards(g[from].kind))) continue;
      const std::pair<uint32_t, int> via{label[from].first + route_cost(g[e]),
                                         label[from].second + (g[to].kind == VertexKind::kSwitch ? 1 : 0)};
      if (via < label[to]) {
        label[to] = via;
        changed = true;
      }
    }
  }
  int most = 0;
  for (DeviceIndex t = 0; t < v.device_count(); ++t) {
    REQUIRE(label[v.endpoint(t)].first != kFar);
    most = std::max(most, label[v.endpoint(t)].second);
  }
  return most;
}

PoolParams pool(const std::string& preset_name, int count) {
  return {.name = preset_name + std::to_string(count), .preset = preset_name, .count = count,
          .system = *preset(preset_name)};
}

void check_every_device(const ClusterParams& p) {
  const Cluster c = build_cluster(p);
  for (const View* v : {&c.collapsed(), &c.detailed()}) {
    SwitchHops hops(*v);
    for (DeviceIndex s = 0; s < v->device_count(); ++s) {
      CAPTURE(s);
      CHECK(hops.eccentricity(s) == brute_force_eccentricity(*v, s));
    }
  }
}

}  // namespace

TEST_CASE("switch hops from every device equal a whole-graph search: HGX pools on 2- and 3-tier fat trees") {
  // Many small pools: the frontier searches are shared between leaves under one spine
  // set; radix 8 gives 3 tiers with several spine sets (radix 16 holds them in 2).
  for (int tiers : {2, 3}) {
    CAPTURE(tiers);
    ClusterParams p{.fat_tree = FatTreeParams{.tiers = tiers, .radix = tiers == 2 ? 16 : 8}};
    for (int i = 0; i < 9; ++i) p.pools.push_back(pool("hgx-h100", 1 + i % 2));
    check_every_device(p);
  }
}

TEST_CASE("switch hops from every device equal a whole-graph search: mixed systems, not rail-optimised, oversubscribed") {
  ClusterParams p{.pools = {pool("nvl72", 2), pool("hgx-h100", 3), pool("cloudmatrix384", 1)},
                  .fat_tree = FatTreeParams{.tiers = 3, .radix = 16, .oversubscription = 3, .rail_optimized = false}};
  check_every_device(p);
}

TEST_CASE("switch hops: one system without a fat tree, and the diameter of many pools") {
  check_every_device({.pools = {pool("nvl72", 1)}});
  // 64 HGX pools (512 GPUs, over the exhaustive limit of 256 here): the sample has every
  // device of each pool's first node; 3 tiers of radix 16.
  ClusterParams p{.fat_tree = FatTreeParams{.tiers = 3, .radix = 16}, .detailed_view = false};
  for (int i = 0; i < 64; ++i) p.pools.push_back(pool("hgx-h100", 1));
  const Cluster c = build_cluster(p);
  const Diameter d = diameter(c, c.collapsed(), 256);
  CHECK_FALSE(d.exact);
  int most = 0;
  for (DeviceIndex s = 0; s < c.devices().size(); ++s) most = std::max(most, brute_force_eccentricity(c.collapsed(), s));
  // GPU -> leaf -> spine -> core -> spine -> leaf -> GPU across fat-tree pods; inside a
  // node, GPU -> NVSwitch -> GPU.
  CHECK(d.switch_hops == most);
  CHECK(d.switch_hops == 5);
}
