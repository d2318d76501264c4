// Where vertices sit in the domain tree (vertex_homes.h) and the grouped Graphviz output
// built on it (dot.h): one cluster per pod, rack and node, every vertex once.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>

#include "topologies/build.h"
#include "topologies/dot.h"
#include "topologies/vertex_homes.h"

using namespace podsim::topologies;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Vertices of `role` by the level of their home.
std::map<DomainLevel, int> homes_of(const Cluster& c, const View& v, SwitchRole role) {
  const auto homes = vertex_homes(c, v);
  std::map<DomainLevel, int> out;
  for (VertexId u = 0; u < homes.size(); ++u)
    if (v.graph()[u].role == role) {
      REQUIRE(homes[u].has_value());
      ++out[c.domains()[*homes[u]].level];
    }
  return out;
}

}  // namespace

TEST_CASE("vertex homes: UB L1 chips in their node, L2 chips in the supernode, NVSwitches in their rack") {
  const Cluster cm = build_preset("cloudmatrix384");
  // 48 nodes x 7 L1 chips; 7 planes x 16 L2 chips (hardware.md §2.1).
  CHECK(homes_of(cm, cm.detailed(), SwitchRole::kUbL1) == std::map<DomainLevel, int>{{DomainLevel::kNode, 336}});
  CHECK(homes_of(cm, cm.detailed(), SwitchRole::kUbL2) == std::map<DomainLevel, int>{{DomainLevel::kPod, 112}});
  const auto homes = vertex_homes(cm, cm.detailed());
  for (VertexId u = 0; u < homes.size(); ++u) {
    REQUIRE(homes[u].has_value());  // no fabric: everything is placed
    if (cm.detailed().graph()[u].kind == VertexKind::kCpu) CHECK(cm.domains()[*homes[u]].level == DomainLevel::kNode);
  }
  const Cluster nvl = build_preset("nvl72");
  CHECK(homes_of(nvl, nvl.detailed(), SwitchRole::kNvSwitch) == std::map<DomainLevel, int>{{DomainLevel::kRack, 18}});
  const Cluster hgx = build_preset("hgx-h100");  // the server is its own rack and node
  CHECK(homes_of(hgx, hgx.collapsed(), SwitchRole::kNvSwitch) == std::map<DomainLevel, int>{{DomainLevel::kNode, 1}});
}

TEST_CASE("vertex homes: fat-tree switches sit above every pod, NICs in their node") {
  ClusterParams p{.name = "t", .pools = {{.preset = "nvl72", .count = 2, .system = *preset("nvl72")}},
                  .fat_tree = FatTreeParams{.tiers = 2, .radix = 36}};
  const Cluster c = build_cluster(p);
  const auto homes = vertex_homes(c, c.detailed());
  int fabric = 0, nics = 0;
  for (VertexId u = 0; u < homes.size(); ++u) {
    const Vertex& x = c.detailed().graph()[u];
    if (x.role == SwitchRole::kLeaf || x.role == SwitchRole::kSpine) {
      CHECK(!homes[u].has_value());
      ++fabric;
    }
    if (x.kind == VertexKind::kNic) {
      REQUIRE(homes[u].has_value());
      CHECK(c.domains()[*homes[u]].level == DomainLevel::kNode);
      ++nics;
    }
  }
  CHECK(nics == 144);
  CHECK(fabric > 0);
}

TEST_CASE("grouped dot: a cluster per pod, rack and node, every vertex and link once") {
  const Cluster cm = build_preset("cloudmatrix384");
  std::ostringstream out;
  write_dot(cm, cm.collapsed(), out);
  const std::string dot = out.str();
  CHECK(dot.starts_with("digraph G {\n"));
  // 1 pod (the cluster's only one: no box of its own), 12 racks, 48 nodes.
  CHECK(count(dot, "subgraph cluster_d") == 1 + 12 + 48);
  CHECK(count(dot, "label=\"rack0 (32 devices)\"") == 1);
  CHECK(count(dot, "label=\"node47 (8 devices)\"") == 1);
  CHECK(count(dot, "subgraph cluster_fabric") == 0);
  // Vertices: label + shape + tooltip once each; links: one line per physical link.
  CHECK(count(dot, ", tooltip=\"cloudmatrix384/") == cm.collapsed().vertex_count());
  CHECK(count(dot, "[xlabel=\"") == cm.collapsed().link_count() / 2);
  CHECK(count(dot, "{") == count(dot, "}"));
}

TEST_CASE("grouped dot: the fat tree in its own cluster") {
  ClusterParams p{.name = "t", .pools = {{.preset = "nvl72", .count = 2, .system = *preset("nvl72")}},
                  .fat_tree = FatTreeParams{.tiers = 2, .radix = 36}};
  const Cluster c = build_cluster(p);
  std::ostringstream out;
  write_dot(c, c.collapsed(), out);
  const std::string dot = out.str();
  CHECK(count(dot, "subgraph cluster_fabric") == 1);
  // Cluster, 2 pods, 2 racks (an NVL72 is one rack), 36 trays.
  CHECK(count(dot, "subgraph cluster_d") == 1 + 2 + 2 + 36);
}
