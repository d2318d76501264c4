#include "scheduler/placement.h"

#include <doctest/doctest.h>

#include <random>
#include <set>

using namespace podsim::scheduler;

namespace {

const PlacementKind kAll[] = {PlacementKind::kFirstFit, PlacementKind::kBestFit, PlacementKind::kTopologyAware,
                              PlacementKind::kFragmentationAware};

// 2 pools: "a" = 4 domains x 2 nodes x 4 devices (32), "b" = 2 domains x 1 node x 8 (16).
Inventory two_pools() {
  Inventory inv = Inventory::uniform({.pool = "a", .domains = 4, .nodes_per_domain = 2, .devices_per_node = 4});
  inv.add_uniform_pool({.pool = "b", .domains = 2, .nodes_per_domain = 1, .devices_per_node = 8});
  return inv;
}

}  // namespace

TEST_CASE("placement contract: exactly n free devices of the pool, or none iff too few are free") {
  const Inventory inv = two_pools();
  for (PlacementKind kind : kAll) {
    SUBCASE(to_string(kind)) {
      auto strategy = make_placement(kind);
      FreeMap free(inv);
      std::mt19937_64 rng(7);
      std::vector<std::vector<uint32_t>> held;
      for (int round = 0; round < 300; ++round) {
        const uint32_t pool = rng() % 2;
        // Alternate placing and releasing so the map fragments.
        if (!held.empty() && rng() % 3 == 0) {
          for (uint32_t d : held.back()) free.give_back(d);
          held.pop_back();
          continue;
        }
        const uint32_t n = 1 + static_cast<uint32_t>(rng() % 12);
        const uint32_t before = free.free_in_pool(pool);
        auto choice = strategy->place(free, pool, n);
        CHECK(choice.has_value() == (before >= n));
        if (!choice) continue;
        CHECK(choice->shape.devices == n);
        CHECK(choice->shape.pool == pool);
        std::vector<uint32_t> got = free.take(choice->takes);
        CHECK(got.size() == n);
        CHECK(std::set<uint32_t>(got.begin(), got.end()).size() == n);
        for (uint32_t d : got) CHECK(inv.devices()[d].pool == pool);
        CHECK(free.free_in_pool(pool) == before - n);
        held.push_back(got);
      }
    }
  }
}

TEST_CASE("topology-aware takes one domain when one fits, best-fit domain first") {
  const Inventory inv = two_pools();
  FreeMap free(inv);
  // Domain 0 keeps 3 free (5 taken), domain 1 keeps 8 free: a 3-device job goes to
  // domain 0, the tightest fit, on one node.
  std::vector<NodeTake> t = {{0, 4}, {1, 1}};
  free.take(t);
  auto choice = make_placement(PlacementKind::kTopologyAware)->place(free, 0, 3);
  REQUIRE(choice);
  CHECK(choice->shape.domains == 1);
  CHECK(choice->shape.nodes == 1);
  CHECK(choice->takes.front().node == 1);
  // First-fit would also start at node 1 here; with 6 devices it spans domains 0 and 1.
  auto ff = make_placement(PlacementKind::kFirstFit)->place(free, 0, 6);
  REQUIRE(ff);
  CHECK(ff->shape.domains == 2);
  // Topology-aware puts 6 devices in one whole free domain (domain 1: nodes 2, 3).
  auto ta = make_placement(PlacementKind::kTopologyAware)->place(free, 0, 6);
  REQUIRE(ta);
  CHECK(ta->shape.domains == 1);
  CHECK(ta->shape.nodes == 2);
}

TEST_CASE("best-fit picks the node with the fewest free devices that fit") {
  const Inventory inv = Inventory::uniform({.domains = 1, .nodes_per_domain = 3, .devices_per_node = 4});
  FreeMap free(inv);
  std::vector<NodeTake> t = {{0, 1}, {2, 2}};  // free: node0 3, node1 4, node2 2
  free.take(t);
  auto c = make_placement(PlacementKind::kBestFit)->place(free, 0, 2);
  REQUIRE(c);
  CHECK(c->takes.size() == 1);
  CHECK(c->takes.front().node == 2);
  c = make_placement(PlacementKind::kBestFit)->place(free, 0, 3);
  REQUIRE(c);
  CHECK(c->takes.front().node == 0);
}

TEST_CASE("fragmentation-aware fills partly used nodes before breaking a whole one") {
  const Inventory inv = Inventory::uniform({.domains = 1, .nodes_per_domain = 3, .devices_per_node = 4});
  FreeMap free(inv);
  std::vector<NodeTake> t = {{0, 2}, {1, 2}};  // free: node0 2, node1 2, node2 4 (whole)
  free.take(t);
  auto fa = make_placement(PlacementKind::kFragmentationAware)->place(free, 0, 4);
  REQUIRE(fa);
  CHECK(fa->shape.nodes == 2);  // nodes 0 and 1; node 2 stays whole
  for (const NodeTake& take : fa->takes) CHECK(take.node != 2);
  // Topology-aware minimises nodes instead: the whole node 2.
  auto ta = make_placement(PlacementKind::kTopologyAware)->place(free, 0, 4);
  REQUIRE(ta);
  CHECK(ta->shape.nodes == 1);
  CHECK(ta->takes.front().node == 2);
}
