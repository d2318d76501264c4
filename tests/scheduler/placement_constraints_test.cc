// Placement constraints (scheduler/placement.h place_within, constraint_problem): whole
// nodes, one scale-up domain, a maximum number of domains, for every strategy.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "engine/error.h"
#include "scheduler/placement.h"
#include "test_support.h"

using namespace podsim::scheduler;

namespace {

const PlacementKind kAll[] = {PlacementKind::kFirstFit, PlacementKind::kBestFit, PlacementKind::kTopologyAware,
                              PlacementKind::kFragmentationAware};

// 4 domains x 2 nodes x 4 devices (32): domain d holds nodes 2d, 2d+1.
Inventory racks() { return Inventory::uniform({.pool = "a", .domains = 4, .nodes_per_domain = 2, .devices_per_node = 4}); }

}  // namespace

TEST_CASE("constraints the pool's shape can never meet are named, others pass") {
  const Inventory inv = racks();
  CHECK(!constraint_problem(inv, 0, 8, {.whole_nodes = true}));
  CHECK(*constraint_problem(inv, 0, 6, {.whole_nodes = true}) ==
        "whole nodes: 6 devices is not a multiple of the 4-device nodes of pool 'a'");
  CHECK(!constraint_problem(inv, 0, 8, {.max_domains = 1}));
  CHECK(*constraint_problem(inv, 0, 9, {.max_domains = 1}) ==
        "9 devices do not fit in 1 scale-up domain of pool 'a' (at most 8 devices)");
  CHECK(!constraint_problem(inv, 0, 24, {.max_domains = 3}));
  CHECK(constraint_problem(inv, 0, 25, {.max_domains = 3}).has_value());
}

TEST_CASE("every strategy meets the constraints, or places nothing when free devices cannot") {
  const Inventory inv = racks();
  for (PlacementKind kind : kAll) {
    SUBCASE(to_string(kind)) {
      auto strategy = make_placement(kind);
      FreeMap free(inv);
      // Take device 0 (node 0, domain 0) and one device of node 3 (domain 1): nodes 0 and 3
      // are partly used, domains 0 and 1 hold 7 free each, domains 2 and 3 8 each.
      free.take_device(0);
      free.take_device(inv.node_devices(3).front());

      // Whole nodes: 8 devices = 2 untouched nodes; never node 0 or 3.
      auto whole = strategy->place_within(free, 0, 8, {.whole_nodes = true});
      REQUIRE(whole.has_value());
      for (const NodeTake& t : whole->takes) {
        CHECK(t.count == 4);
        CHECK(t.node != 0);
        CHECK(t.node != 3);
      }
      // One domain: 8 devices fit only domain 2 or 3 whole.
      auto one = strategy->place_within(free, 0, 8, {.max_domains = 1});
      REQUIRE(one.has_value());
      CHECK(one->shape.domains == 1);
      CHECK(inv.node_domain(one->takes.front().node) >= 2);
      // Two domains for 16: domains 2 and 3.
      auto two = strategy->place_within(free, 0, 16, {.max_domains = 2});
      REQUIRE(two.has_value());
      CHECK(two->shape.domains == 2);
      // 17 in two domains: 8 + 8 free at most -> wait, though 30 devices are free.
      CHECK(!strategy->place_within(free, 0, 17, {.max_domains = 2}).has_value());
      // 28 devices on whole nodes: only 6 nodes are untouched (24 devices) -> wait.
      CHECK(!strategy->place_within(free, 0, 28, {.whole_nodes = true}).has_value());
      // Both: 8 devices as whole nodes in one domain -> domain 2 or 3.
      auto both = strategy->place_within(free, 0, 8, {.whole_nodes = true, .max_domains = 1});
      REQUIRE(both.has_value());
      CHECK(both->shape.domains == 1);
      CHECK(both->shape.nodes == 2);
    }
  }
}

TEST_CASE("constrained placements take exactly their free devices under random churn") {
  const Inventory inv = racks();
  const PlacementConstraints kinds[] = {{.whole_nodes = true}, {.max_domains = 1}, {.max_domains = 2},
                                        {.whole_nodes = true, .max_domains = 2}};
  for (PlacementKind kind : kAll) {
    auto strategy = make_placement(kind);
    FreeMap free(inv);
    std::mt19937_64 rng(11);
    std::vector<std::vector<uint32_t>> held;
    for (int round = 0; round < 400; ++round) {
      if (!held.empty() && rng() % 3 == 0) {
        for (uint32_t d : held.back()) free.give_back(d);
        held.pop_back();
        continue;
      }
      const PlacementConstraints c = kinds[rng() % 4];
      const uint32_t n = c.whole_nodes ? 4 * (1 + static_cast<uint32_t>(rng() % 4)) : 1 + static_cast<uint32_t>(rng() % 12);
      if (constraint_problem(inv, 0, n, c)) continue;
      auto choice = strategy->place_within(free, 0, n, c);
      if (!choice) continue;
      CHECK(choice->shape.devices == n);
      if (c.max_domains > 0) CHECK(choice->shape.domains <= c.max_domains);
      if (c.whole_nodes)
        for (const NodeTake& t : choice->takes) CHECK(free.free_on_node(t.node) == inv.node_devices(t.node).size());
      std::vector<uint32_t> got = free.take(choice->takes);
      CHECK(std::set<uint32_t>(got.begin(), got.end()).size() == n);
      held.push_back(got);
    }
  }
}

TEST_CASE("in a cluster run a one-domain job waits for a domain instead of spreading") {
  using namespace podsim::scheduler::testing;
  // Two 8-device domains (one node each). Topology-aware placement gives a (6 devices,
  // 10 s) domain 0 and c (6 devices, 10 s) domain 1, 2 free on each. b (4 devices, from
  // t = 1): unconstrained it takes 2 + 2 at once; with one domain it waits for a to end.
  const Inventory inv = Inventory::uniform({.pool = "p", .domains = 2, .nodes_per_domain = 1, .devices_per_node = 8});
  std::vector<JobRequest> jobs = {job("a", 0, 6, 10), job("c", 0, 6, 10), job("b", 1, 4, 5)};
  CHECK(start_of(run(inv, jobs), "b") == 1);
  jobs[2].placement = {.max_domains = 1};
  CHECK(start_of(run(inv, jobs), "b") == 10);
  CHECK(end_of(run(inv, jobs), "b") == 15);
  // A constraint no pool can meet even empty is refused before the run.
  jobs[2].devices = 12;
  CHECK_THROWS_WITH_AS(run(inv, jobs), doctest::Contains("its placement constraints cannot be met"), podsim::UserError);
}
