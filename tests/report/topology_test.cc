// Topology sketches counted from built clusters, and the drawings made of them: a person
// must be able to count CloudMatrix384's racks and planes, so the counts drawn are
// checked against the preset's published shape (hardware.md §2.1-2.4).
#include <doctest/doctest.h>

#include <string>

#include "report/topology_drawing.h"
#include "report/topology_sketch.h"
#include "topologies/build.h"

namespace podsim::report {
namespace {

using topologies::DomainLevel;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

topologies::ClusterParams cm(int nodes, int count = 1) {
  auto system = *topologies::preset("cloudmatrix384");
  std::get<topologies::CloudMatrix384Params>(system).nodes = nodes;
  return {.name = "cm", .pools = {{.preset = "cloudmatrix384", .count = count, .system = system}}};
}

TEST_CASE("CloudMatrix384: 12 racks x 4 nodes x 8 NPUs, L1 per node, 7 planes x 16 L2 chips per supernode") {
  const TopologySketch s = sketch(topologies::build_preset("cloudmatrix384"));
  REQUIRE(s.pods.size() == 1);
  const PodSketch& p = s.pods[0];
  CHECK(p.devices == 384);
  CHECK(p.dies_per_device == 2);
  CHECK(p.cpus == 192);
  REQUIRE(p.racks.size() == 12);
  for (const RackSketch& r : p.racks) CHECK(r.devices_per_node == std::vector<int>{8, 8, 8, 8});
  REQUIRE(p.switches.size() == 2);
  CHECK(p.switches[0].role == "UB L1");
  CHECK(p.switches[0].level == DomainLevel::kNode);
  CHECK(p.switches[0].chips == 7);
  CHECK(p.switches[0].planes == 7);
  CHECK(p.switches[1].role == "UB L2");
  CHECK(p.switches[1].level == DomainLevel::kPod);
  CHECK(p.switches[1].chips == 112);
  CHECK(p.switches[1].planes == 7);
  CHECK(p.scale_up_gbytes_per_s == doctest::Approx(392));  // 2 dies x 7 x 28 GB/s
  CHECK(shape_text(p) == "12 racks x 4 nodes x 8 NPUs (2 dies each)");
  CHECK(!s.fabric);

  // The drawing: 12 rack boxes, 7 plane buses, each rack tapping each bus (84 taps),
  // 48 nodes of 8 NPUs and 7 L1 chips.
  const std::string svg = render_scale_up(p, "t");
  CHECK(count(svg, "class=\"rack\"") == 12);
  CHECK(count(svg, "class=\"bus ") == 7);
  CHECK(count(svg, "class=\"tap ") == 84);
  CHECK(count(svg, "class=\"node\"") == 48);
  CHECK(count(svg, "class=\"dev\"") == 384 + 1);  // + the legend's
  for (int k = 0; k < 7; ++k) CHECK(count(svg, ">plane " + std::to_string(k) + "<") == 1);
  CHECK(count(svg, ">rack11<") == 1);
  CHECK(svg.find("7 planes x 16 chips = 112 switch chips") != std::string::npos);
}

TEST_CASE("a resized CloudMatrix draws as built: 25 nodes are 7 racks, the last with one node") {
  const TopologySketch s = sketch(topologies::build_cluster(cm(25)));
  const PodSketch& p = s.pods[0];
  REQUIRE(p.racks.size() == 7);
  CHECK(p.racks.back().devices_per_node == std::vector<int>{8});
  CHECK(shape_text(p) == "7 racks, 25 nodes, 200 NPUs (2 dies each)");
  const std::string svg = render_scale_up(p, "t");
  CHECK(count(svg, "class=\"rack\"") == 7);
  CHECK(count(svg, "class=\"node\"") == 25);
}

TEST_CASE("racks beyond the width collapse into one counted box, the last rack still drawn") {
  auto system = *topologies::preset("cloudmatrix384");
  auto& p = std::get<topologies::CloudMatrix384Params>(system);
  p.nodes = 96;
  p.nodes_per_rack = 2;  // 48 racks
  p.l2_radix = 96;
  const TopologySketch s = sketch(topologies::build_cluster({.name = "cm", .pools = {{.preset = "", .count = 1, .system = system}}}));
  REQUIRE(s.pods[0].racks.size() == 48);
  const std::string svg = render_scale_up(s.pods[0], "t");
  const size_t drawn = count(svg, "class=\"rack\"");
  CHECK(drawn < 48);
  CHECK(count(svg, "class=\"rack more\"") == 1);
  CHECK(svg.find("... " + std::to_string(48 - drawn) + " more") != std::string::npos);
  CHECK(count(svg, ">rack47<") == 1);
}

TEST_CASE("NVL72: one rack of 18 trays x 4 GPUs, 18 NVSwitch chips, every GPU on each") {
  const PodSketch p = sketch(topologies::build_preset("nvl72")).pods[0];
  REQUIRE(p.racks.size() == 1);
  CHECK(p.racks[0].devices_per_node == std::vector<int>(18, 4));
  REQUIRE(p.switches.size() == 1);
  CHECK(p.switches[0].level == DomainLevel::kRack);
  CHECK(p.switches[0].chips == 18);
  CHECK(p.switches[0].planes == 18);
  CHECK(shape_text(p) == "18 trays x 4 GPUs");
  const std::string svg = render_scale_up(p, "t");
  CHECK(count(svg, "bar-chip\"") == 18 + 1);  // + the legend's
  CHECK(count(svg, "class=\"wire\"") == 18);
}

TEST_CASE("NVL36x2: two racks whose switches are joined by 18 x 36 cables") {
  const PodSketch p = sketch(topologies::build_preset("nvl36x2")).pods[0];
  CHECK(p.racks.size() == 2);
  CHECK(p.cross_rack_cables == 18 * 36);
  CHECK(render_scale_up(p, "t").find(">648 cables<") != std::string::npos);
}

TEST_CASE("fat tree: identical domains merge, leaves, spines and oversubscription counted") {
  topologies::ClusterParams p = cm(48, 4);
  p.fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 64};
  const TopologySketch s = sketch(topologies::build_cluster(p));
  REQUIRE(s.pods.size() == 1);
  CHECK(s.pods[0].count == 4);
  REQUIRE(s.fabric);
  const FabricSketch& f = *s.fabric;
  CHECK(f.nics == 4 * 384);
  // Rail-optimised (the default): 8 rails; 192 nodes in leaf groups of 32 -> 6 groups
  // x 8 rails = 48 leaves, each 32 down : 32 up (radix 64 at 1:1).
  CHECK(f.rails == 8);
  CHECK(f.leaves == 48);
  CHECK(f.leaf_down == 32);
  CHECK(f.leaf_up == 32);
  CHECK(f.leaf_down_min == 32);
  const std::string svg = render_scale_out(s, "f");
  CHECK(count(svg, "class=\"domain\"") == 4);
  CHECK(count(svg, "class=\"leaf\"") == 48);
  CHECK(svg.find(">leaf: 48 switches<") != std::string::npos);
}

TEST_CASE("a part-filled 3-tier fat tree draws as built and says so") {
  // 42 nodes x 8 rails, radix 16 at 1:1: leaf groups of 8 nodes -> 6 groups (the last of
  // 2 nodes) x 8 rails = 48 leaves; pods of 8 leaves -> 6 fabric pods of 8 spines; spine
  // j of each pod has 8 uplinks to core group j in bundles of 2 (6 pods x 2 <= 16): 8
  // groups x 4 cores.
  topologies::ClusterParams p = cm(42, 1);
  p.fat_tree = topologies::FatTreeParams{.tiers = 3, .radix = 16};
  const TopologySketch s = sketch(topologies::build_cluster(p));
  REQUIRE(s.fabric);
  const FabricSketch& f = *s.fabric;
  CHECK(f.tiers == 3);
  CHECK(f.nics == 336);
  CHECK(f.leaves == 48);
  CHECK(f.leaf_down == 8);
  CHECK(f.leaf_down_min == 2);
  CHECK(f.fabric_pods == 6);
  CHECK(f.spines == 48);
  CHECK(f.core_groups == 8);
  CHECK(f.cores == 32);
  CHECK(scale_out_note(s).find("the emptiest leaf has 2 NICs") != std::string::npos);
  const std::string svg = render_scale_out(s, "f");
  CHECK(count(svg, "class=\"core\"") == 32);
  CHECK(count(svg, "class=\"spine\"") == 48);
  CHECK(count(svg, "class=\"group\"") == 6 + 6 + 8);  // fabric pods at two tiers, core groups
}

}  // namespace
}  // namespace podsim::report
