// Scale-out fat trees: switch counts from the radix, bisection with oversubscription,
// diameter by tier, and the engine's Fabric view of a cluster.
#include <doctest/doctest.h>

#include "topologies/analysis.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"

using namespace podsim::topologies;
namespace engine = podsim::engine;

namespace {

ClusterParams hgx(int count, FatTreeParams tree) {
  return {.pools = {{.preset = "hgx-h100", .count = count, .system = *preset("hgx-h100")}}, .fat_tree = tree};
}

double tbps(engine::Bandwidth b) { return b.value() / 1e12; }

}  // namespace

TEST_CASE("128 x HGX H100 on a 2-tier NDR fat tree") {
  const Cluster c = build_cluster(hgx(128, {.tiers = 2}));
  const Summary s = summarize(c);
  // Radix 64 at 1:1: 32 NIC ports per leaf; 128 nodes = 4 leaf groups x 8 rails = 32
  // leaves; 32 uplinks per leaf, spread over 16 spines in pairs (32 leaves x 2 = 64 ports).
  CHECK(s.switches_by_role.at("leaf") == 32);
  CHECK(s.switches_by_role.at("spine") == 16);
  CHECK(s.nics == 1024);
  // Non-blocking: 512 GPUs x 400 Gb/s = 25.6 TB/s across the halves.
  CHECK(tbps(s.bisection) == doctest::Approx(25.6));
  // GPU -> NIC -> leaf -> spine -> leaf -> NIC -> GPU.
  CHECK(s.diameter.switch_hops == 3);
  // Cross-rail: GPU 0 (rail 0) to node 1's GPU 3 (rail 3) climbs to a spine (the route
  // never relays through another GPU, so no PXN).
  const auto& r = c.route(0, 8 + 3);
  CHECK(r.size() == 6);
  // Same rail, same leaf group: through the rail's leaf only.
  CHECK(c.route(0, 8).size() == 4);
  // ECMP on the detailed view: 16 spines.
  CHECK(c.detailed().path_count(DeviceIndex{0}, DeviceIndex{11}) == 16);
}

TEST_CASE("a 3-tier fat tree of 2,048 HGX H100 servers (16,384 GPUs)") {
  const Cluster c = build_cluster(hgx(2048, {.tiers = 3}));
  CHECK(c.devices().size() == 16384);
  std::map<SwitchRole, size_t> roles;
  const Graph& g = c.detailed().graph();
  for (auto v : boost::make_iterator_range(boost::vertices(g))) ++roles[g[v].role];
  // 2,048 nodes / 32 = 64 leaf groups x 8 rails = 512 leaves = 16 pods of 32 leaves, each
  // with 32 spines; spine j of every pod reaches core group j: 16 pods x 4 cables = 64
  // ports, so 8 cores per group, 256 in all.
  CHECK(roles[SwitchRole::kLeaf] == 512);
  CHECK(roles[SwitchRole::kSpine] == 512);
  CHECK(roles[SwitchRole::kCore] == 256);
  CHECK(tbps(bisection(c.collapsed())) == doctest::Approx(409.6));  // 8,192 x 50 GB/s
  CHECK(c.route(0, 16383).size() == 8);  // GPU NIC leaf spine core spine leaf NIC GPU
  CHECK(diameter(c, c.collapsed()).switch_hops == 5);
}

TEST_CASE("leaf oversubscription divides the bisection") {
  // Radix 64 at 3:1: 48 NIC ports + 16 uplinks per leaf. 96 nodes = 2 leaf groups of 48.
  const Cluster c = build_cluster(hgx(96, {.tiers = 2, .oversubscription = 3}));
  // Halves = the two leaf groups: 8 leaves x 16 uplinks x 50 GB/s = 6.4 TB/s, a third
  // of the 384 GPUs x 50 GB/s = 19.2 TB/s they could inject.
  CHECK(tbps(bisection(c.collapsed())) == doctest::Approx(6.4));
  CHECK(tbps(bisection(c.detailed())) == doctest::Approx(6.4));
}

TEST_CASE("a partial 2-tier fat tree: the last leaf group holds 4 of 48 nodes") {
  // Radix 64 at 3:1: 48 NIC ports + 16 uplinks per leaf. 100 nodes = leaf groups of 48,
  // 48 and 4 nodes, x 8 rails = 24 leaves; 16 uplinks per leaf in pairs over 8 spines
  // (24 leaves x 2 cables = 48 of 64 ports).
  const Cluster c = build_cluster(hgx(100, {.tiers = 2, .oversubscription = 3}));
  const Summary s = summarize(c);
  CHECK(s.devices == 800);
  CHECK(s.nics == 800);
  CHECK(s.switches_by_role.at("leaf") == 24);
  CHECK(s.switches_by_role.at("spine") == 8);
  // Halves: nodes 0-49 (group 0 and 2 nodes of group 1) | nodes 50-99. Per rail, all of
  // group 0's traffic climbs its leaf's 16 uplinks (16 x 50 GB/s = 0.8 TB/s) and the 2
  // left NICs on group 1's leaf reach their right neighbours through it (2 x 50 GB/s):
  // 8 rails x 0.9 TB/s = 7.2 TB/s, of the 20 TB/s the 400 left GPUs could inject.
  CHECK(tbps(s.bisection) == doctest::Approx(7.2));
  CHECK(tbps(bisection(c.detailed())) == doctest::Approx(7.2));
  // A node of the part-full group reaches group 0 through a spine.
  CHECK(c.route(99 * 8, 0).size() == 6);
}

TEST_CASE("a partial 3-tier fat tree: the last leaf group half full, the last pod short of leaves, tapered spines") {
  // Radix 32: leaves 16 down + 16 up (1:1); spines 24 down + 8 up (3:1), so a pod holds
  // 24 leaves = 3 leaf groups of 16 nodes x 8 rails. 72 nodes = groups of 16, 16, 16, 16
  // and 8 (half full) = 40 leaves = pods of 24 and 16 leaves. Each pod has 16 spines
  // (one per leaf uplink); spine j of both pods takes its 8 core uplinks to core group j,
  // one core of 2 x 8 cables: 16 cores.
  const Cluster c = build_cluster(hgx(72, {.tiers = 3, .radix = 32, .spine_oversubscription = 3}));
  const Summary s = summarize(c);
  CHECK(s.devices == 576);
  CHECK(s.switches_by_role.at("leaf") == 40);
  CHECK(s.switches_by_role.at("spine") == 32);
  CHECK(s.switches_by_role.at("core") == 16);
  // Halves: nodes 0-35 | 36-71. Pod 0 (groups 0-2, nodes 0-47) holds every left node and
  // 12 right ones; pod 1 (groups 3-4) 24 right nodes. Left traffic reaches pod 0's right
  // NICs (96 x 50 GB/s = 4.8 TB/s) and pod 1 only through pod 0's core uplinks (16
  // spines x 8 x 50 GB/s = 6.4 TB/s): 11.2 TB/s, of the 14.4 TB/s the left could inject.
  CHECK(tbps(s.bisection) == doctest::Approx(11.2));
  CHECK(tbps(bisection(c.detailed())) == doctest::Approx(11.2));
  CHECK(c.route(0, 575).size() == 8);  // GPU NIC leaf spine core spine leaf NIC GPU
}

TEST_CASE("4,096 devices of each family, exactly: partial systems and partial fat trees") {
  // CloudMatrix384: 10 supernodes + one of 32 nodes (256 NPUs). NVL72: 56 racks + one
  // of 64 GPUs (16 trays). HGX H100: 512 servers. Radix 64, 3 tiers.
  CloudMatrix384Params small_cm;
  small_cm.nodes = 32;
  NvlinkParams small_nvl;
  small_nvl.gpus_per_rack = 64;
  const ClusterParams clusters[] = {
      {.pools = {{.preset = "cloudmatrix384", .count = 10, .system = *preset("cloudmatrix384")},
                 {.preset = "cloudmatrix384", .count = 1, .system = small_cm}},
       .fat_tree = FatTreeParams{.tiers = 3}},
      {.pools = {{.preset = "nvl72", .count = 56, .system = *preset("nvl72")},
                 {.preset = "nvl72", .count = 1, .system = small_nvl}},
       .fat_tree = FatTreeParams{.tiers = 3}},
      hgx(512, {.tiers = 3})};
  CHECK(tbps(bisection(build_cluster(clusters[2]).collapsed())) == doctest::Approx(2048 * 0.05));
  for (const ClusterParams& p : clusters) {
    CAPTURE(p.pools[0].preset);
    REQUIRE(check(p).empty());
    const Cluster c = build_cluster(p);
    const Summary s = summarize(c);
    CHECK(s.devices == 4096);
    CHECK(s.nics == 4096);
    // Non-blocking trees: every left NIC at 50 GB/s crosses the bisection; where the
    // halves cut a supernode or rack (2,048 = 5.33 x 384 = 28.4 x 72), its scale-up links
    // carry more.
    CHECK(tbps(s.bisection) >= doctest::Approx(2048 * 0.05));
  }
}

TEST_CASE("16 x CloudMatrix384 on RoCE: 6,144 NPUs, 400 Gb/s each across supernodes") {
  const Cluster c = build_cluster({.pools = {{.preset = "cloudmatrix384", .count = 16,
                                              .system = *preset("cloudmatrix384")}},
                                   .fat_tree = FatTreeParams{.tiers = 3}});
  CHECK(c.devices().size() == 6144);
  // 3,072 NPUs x 50 GB/s: the RoCE plane, not the UB, is the cut between supernodes.
  CHECK(tbps(bisection(c.collapsed())) == doctest::Approx(153.6));
  for (const Device& d : c.devices()) {
    CHECK(d.scale_up_bandwidth.value() == doctest::Approx(392e9));
    CHECK(d.scale_out_bandwidth.value() == doctest::Approx(50e9));
  }
}

TEST_CASE("EngineFabric: links, routes, domains and NVLS switch paths as engine data") {
  const Cluster c = build_cluster({.pools = {{.preset = "nvl72", .count = 2, .system = *preset("nvl72")}},
                                   .fat_tree = FatTreeParams{.radix = 36}});
  const EngineFabric f(c);
  CHECK(f.device_count() == 144);
  CHECK(f.links().size() == c.links().size());
  CHECK(f.domain(engine::DeviceId{71}) == 0);
  CHECK(f.domain(engine::DeviceId{72}) == 1);
  const auto& r = f.route(engine::DeviceId{0}, engine::DeviceId{5});
  REQUIRE(r.size() == 2);
  CHECK(f.links()[engine::index(r[0])].capacity.value() == doctest::Approx(900e9));
  const auto sp = f.switch_path(engine::DeviceId{5});
  REQUIRE(sp.has_value());
  REQUIRE(sp->up.size() == 1);
  CHECK(f.links()[engine::index(sp->up[0])].capacity.value() == doctest::Approx(900e9));
  CHECK(sp->down == std::vector<engine::LinkId>{r[1]});  // switch -> GPU 5 ends the route 0 -> 5
  // CloudMatrix384 does not reduce in-switch.
  const Cluster cm = build_preset("cloudmatrix384");
  CHECK(!EngineFabric(cm).switch_path(engine::DeviceId{0}).has_value());
}
