// Bad parameters are rejected before anything is built, each problem naming the
// parameter (as its system.proto field path) and what was expected.
#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "topologies/build.h"

using namespace podsim::topologies;

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
  try {
    build_cluster(one(cm));
    FAIL("expected a UserError");
  } catch (const podsim::UserError& e) {
    CHECK(has(e.what(), "l2_link_gbytes_per_s: must be > 0"));
  }
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

TEST_CASE("a node count that does not fill the tree") {
  ClusterParams p = one(*preset("hgx-h100"), 100);
  p.fat_tree = FatTreeParams{.tiers = 2};
  CHECK(has(problems(p), "pools[0].count: 100 nodes do not fill the fat tree: each rail-optimised leaf group takes 32 "
                         "nodes"));
  p.pools[0].count = 32;  // 8 leaves: not a whole pod of 32 leaves for 3 tiers
  p.fat_tree->tiers = 3;
  CHECK(has(problems(p), "pools[0].count: 8 leaves do not fill the 3-tier fat tree's pods of 32 leaves"));
  p.pools[0].count = 128;
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
  mixed.fat_tree->rail_optimized = false;  // 72 + 112 = 184 NICs, not a multiple of 16
  CHECK(has(problems(mixed), "pools[1].count: 184 NICs do not fill the fat tree's leaves of 16 NIC ports"));
  mixed.pools[1].count = 15;  // 72 + 120 = 192 = 12 leaves
  CHECK(problems(mixed) == "");

  HgxParams h;
  h.device = "h200";
  CHECK(has(problems(one(h)), "pools[0].hgx.device: unknown device 'h200' (expected one of: 910b"));
  ClusterParams o = one(*preset("cloudmatrix384"));
  o.pools[0].device.bf16_tflops = -1;
  o.pools[0].device.fp8_tflops = 0;  // allowed: no FP8 unit
  CHECK(problems(o) == "pools[0].device.bf16_tflops: must be > 0, got -1\n");
}

TEST_CASE("device overrides reach the devices") {
  ClusterParams p = one(*preset("cloudmatrix384"));
  p.pools[0].device.bf16_tflops = 780;  // SemiAnalysis's figure (hardware.md §4.2)
  const Cluster c = build_cluster(p);
  CHECK(c.devices()[0].spec->peak_bf16.value() == doctest::Approx(780e12));
  CHECK(c.devices()[0].spec->peak_fp16.value() == doctest::Approx(752e12));
}

TEST_CASE("build_preset rejects an unknown name, listing the presets") {
  try {
    build_preset("nvl144");
    FAIL("expected a UserError");
  } catch (const podsim::UserError& e) {
    CHECK(has(e.what(), "unknown preset 'nvl144' (expected one of: cloudmatrix384, nvl72"));
  }
}
