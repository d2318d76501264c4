// Bad parameters are rejected before anything is built, each problem naming the
// parameter (as its system.proto field path) and what was expected.
#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "tests/test_util.h"
#include "topologies/build.h"

using namespace podsim::topologies;
using podsim::testing::error_of;

namespace {

ClusterParams one(SystemParams system, int count = 1) {
  return {.pools = {{.preset = "test", .count = count, .system = std::move(system)}}};
}

// Every problem as "path: message", one per line.
std::string problems(const ClusterParams& p) {
  std::string all;
  for (const ParamError& e : check(p)) all += e.path + ": " + e.message + "\n";
  return all;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("every preset's defaults are valid") {
  for (const std::string& name : preset_names()) {
    CAPTURE(name);
    CHECK(problems(one(*preset(name))) == "");
  }
  CHECK(!preset("nvl73").has_value());
}

TEST_CASE("zero or negative bandwidths name the parameter") {
  CloudMatrix384Params cm;
  cm.l2_link_gbytes_per_s = 0;
  cm.l1_link_gbytes_per_s = -28;
  const std::string p = problems(one(cm));
  CHECK(has(p, "pools[0].cloudmatrix384.l2_link_gbytes_per_s: must be > 0 GB/s, got 0"));
  CHECK(has(p, "pools[0].cloudmatrix384.l1_link_gbytes_per_s: must be > 0 GB/s, got -28"));
  // build_cluster throws the same lines.
  CHECK(has(error_of([&] { build_cluster(one(cm)); }), "l2_link_gbytes_per_s: must be > 0"));
  NvlinkParams nv;
  nv.link_gbytes_per_s = std::nan("");
  CHECK(has(problems(one(nv)), "pools[0].nvlink.link_gbytes_per_s: must be > 0 GB/s, got nan"));
  HgxParams h;
  h.nvlink_latency_ns = -1;
  CHECK(has(problems(one(h)), "pools[0].hgx.nvlink_latency_ns: must be >= 0 ns, got -1"));
}

TEST_CASE("a radix too small for the count") {
  CloudMatrix384Params cm;
  cm.nodes = 64;  // each L2 chip has one port per node, 48 of them
  CHECK(has(problems(one(cm)), "cloudmatrix384.nodes: 64 nodes need one port each on every L2 chip, but l2_radix is 48"));
  NvlinkParams nv;
  nv.gpus_per_rack = 80;
  nv.gpus_per_tray = 4;
  CHECK(has(problems(one(nv)), "nvlink.gpus_per_rack: 80 GPUs need a port each on every switch chip, but switch_radix is 72"));
  HgxParams h;
  h.gpus = 16;  // 16 x 5 links > 64 NVSwitch3 ports
  CHECK(has(problems(one(h)), "hgx.gpus: 16 GPUs x 5 links need 80 ports"));
  // 2-tier fat tree of radix 64: 64 leaves of 32 NICs at most.
  ClusterParams big = one(*preset("hgx-h100"), 512);
  big.fat_tree = FatTreeParams{.tiers = 2};
  CHECK(has(problems(big), "fat_tree.radix: a 2-tier fat tree of radix 64 holds at most 64 leaves (2048 NICs), but 4096 "
                           "NICs need 128 leaves; use tiers: 3"));
}

TEST_CASE("any node count builds: the last leaf group and the last pod may be part full") {
  ClusterParams p = one(*preset("hgx-h100"), 100);  // leaf groups of 32, 32, 32 and 4 nodes
  p.fat_tree = FatTreeParams{.tiers = 2};
  CHECK(problems(p) == "");
  p.pools[0].count = 33;  // 9 leaves: a 3-tier pod of 32 leaves, part full
  p.fat_tree->tiers = 3;
  CHECK(problems(p) == "");
  p.fat_tree->rail_optimized = false;
  p.pools[0].count = 1;  // 8 NICs on one leaf of 32 ports
  CHECK(problems(p) == "");
  // Radix 8, 3 tiers: at most 8 pods of 4 leaves of 4 NICs = 128 NICs.
  p.fat_tree->radix = 8;
  p.pools[0].count = 17;
  CHECK(has(problems(p), "fat_tree.radix: a 3-tier fat tree of radix 8 holds at most 8 pods of 4 leaves (128 NICs), "
                         "but this cluster needs 9 pods (34 leaves); use a larger radix"));
  p.pools[0].count = 16;
  CHECK(problems(p) == "");
}

TEST_CASE("fat-tree shape parameters") {
  ClusterParams p = one(*preset("hgx-h100"), 128);
  p.fat_tree = FatTreeParams{.tiers = 4, .radix = 64};
  CHECK(has(problems(p), "fat_tree.tiers: must be 2 or 3, got 4"));
  p.fat_tree = FatTreeParams{.oversubscription = 2};
  CHECK(has(problems(p), "fat_tree.oversubscription: 2 does not split 64 leaf ports into whole down:up counts"));
  p.fat_tree = FatTreeParams{.oversubscription = 0};
  CHECK(has(problems(p), "fat_tree.oversubscription: must be > 0"));
  p.fat_tree = FatTreeParams{.port_gbits_per_s = -400};
  CHECK(has(problems(p), "fat_tree.port_gbits_per_s: must be > 0 Gb/s, got -400"));
  p.fat_tree = FatTreeParams{.nic_gbits_per_s = 0.0};
  CHECK(has(problems(p), "fat_tree.nic_gbits_per_s: must be > 0 Gb/s, got 0"));
  p.fat_tree = FatTreeParams{.radix = 4096};
  CHECK(has(problems(p), "fat_tree.radix: must be 2 to 2048 ports, got 4096"));
  p.fat_tree = FatTreeParams{.tiers = 2, .spine_oversubscription = 3};
  CHECK(has(problems(p), "fat_tree.spine_oversubscription: 3 needs spine uplinks, which a 2-tier tree has not (set "
                         "tiers: 3)"));
  p.fat_tree = FatTreeParams{.tiers = 3, .spine_oversubscription = 2};
  CHECK(has(problems(p), "fat_tree.spine_oversubscription: 2 does not split 64 spine ports into whole down:up counts"));
  p.fat_tree = FatTreeParams{.tiers = 3, .spine_oversubscription = -1};
  CHECK(has(problems(p), "fat_tree.spine_oversubscription: must be > 0 (down:up ports at the spine), got -1"));
}

TEST_CASE("cluster-level problems: pools, counts, fabrics, devices") {
  CHECK(has(problems({}), "pools: no pools"));
  CHECK(has(problems(one(*preset("nvl72"), 0)), "pools[0].count: must be >= 1 system, got 0"));
  CHECK(has(problems(one(*preset("nvl72"), 2)), "fat_tree: 2 systems need a scale-out fabric"));
  // NVL72 trays have 4 GPUs, HGX nodes 8: no common rails.
  ClusterParams mixed{.pools = {{.preset = "nvl72", .count = 1, .system = *preset("nvl72")},
                                {.preset = "hgx-h100", .count = 14, .system = *preset("hgx-h100")}},
                      .fat_tree = FatTreeParams{.radix = 32}};
  CHECK(has(problems(mixed), "fat_tree.rail_optimized: pools[0] has 4 devices per node and pools[1] has 8"));
  mixed.fat_tree->rail_optimized = false;  // 72 + 112 = 184 NICs: 11 leaves of 16 and one of 8
  CHECK(problems(mixed) == "");

  HgxParams h;
  h.device = "v100";
  CHECK(has(problems(one(h)), "pools[0].hgx.device: unknown device 'v100' (expected one of: 910b"));
  ClusterParams o = one(*preset("cloudmatrix384"));
  o.pools[0].device.bf16_tflops = -1;
  o.pools[0].device.fp8_tflops = 0;  // allowed: no FP8 unit
  o.pools[0].device.runtime_reserve_gbytes = 0;  // allowed: nothing held back
  CHECK(problems(o) == "pools[0].device.bf16_tflops: must be > 0, got -1\n");
  o.pools[0].device.bf16_tflops.reset();
  o.pools[0].device.runtime_reserve_gbytes = -2;
  CHECK(problems(o) == "pools[0].device.runtime_reserve_gbytes: must be >= 0, got -2\n");
}

TEST_CASE("device overrides reach the devices") {
  ClusterParams p = one(*preset("cloudmatrix384"));
  p.pools[0].device.bf16_tflops = 780;  // SemiAnalysis's figure (hardware.md §4.2)
  const Cluster c = build_cluster(p);
  CHECK(c.devices()[0].spec->peak_bf16.value() == doctest::Approx(780e12));
  CHECK(c.devices()[0].spec->peak_fp16.value() == doctest::Approx(752e12));
  CHECK(!c.devices()[0].spec->runtime_reserve.total.has_value());
  p.pools[0].device.runtime_reserve_gbytes = 1.6;
  CHECK(build_cluster(p).devices()[0].spec->runtime_reserve.total->value() == doctest::Approx(1.6e9));
}

TEST_CASE("build_preset rejects an unknown name, listing the presets") {
  CHECK(has(error_of([] { build_preset("nvl144"); }), "unknown preset 'nvl144' (expected one of: cloudmatrix384, nvl72"));
}

TEST_CASE("default_cluster_name: the pools, at most four of them, then how many more") {
  const auto pool = [](std::string name, std::string preset_name, int count) {
    return PoolParams{.name = std::move(name), .preset = std::move(preset_name), .count = count,
                      .system = *preset("hgx-h100")};
  };
  CHECK(default_cluster_name({pool("", "hgx-h100", 4), pool("h800", "hgx-h800", 2)}) == "4x hgx-h100 + 2x h800");
  std::vector<PoolParams> four(4, pool("", "hgx-h100", 1));
  CHECK(default_cluster_name(four) == "hgx-h100 + hgx-h100 + hgx-h100 + hgx-h100");
  // 20,000 pools (round 3): once a name of 20,000 labels (390 kB) on every line naming it.
  std::vector<PoolParams> many(20000, pool("", "hgx-h100", 1));
  CHECK(default_cluster_name(many) == "hgx-h100 + hgx-h100 + hgx-h100 + 19997 more pools");
  // No pool with a name or a preset (params built in code): the loop once ran past the pools.
  CHECK(default_cluster_name({pool("", "", 1)}) == "cluster");
  CHECK(default_cluster_name({}) == "cluster");
}
