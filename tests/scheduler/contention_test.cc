// Jobs' scale-out flows share the fabric's links max-min fairly (leaf uplinks by
// default, any links an oracle routes over), and a job slows down when its flows get
// less than they would alone; recomputed as jobs start, end and fail.
#include <doctest/doctest.h>

#include <span>
#include <string>
#include <vector>

#include "scheduler/cluster_run.h"
#include "tests/scheduler/test_support.h"

using namespace podsim::scheduler;
using podsim::scheduler::testing::end_of;
using podsim::scheduler::testing::job;

namespace {

// Every job demands 100 B/s out of each leaf it spans and waits on it half the step.
class Demanding final : public StepModelOracle {
 public:
  StepEstimate estimate(const JobRequest&, const PlacementShape& shape) override {
    return {.step_seconds = 1,
            .mfu = 0.5,
            .scale_out_bytes_per_s_per_leaf = shape.leaves > 1 ? 100.0 : 0.0,
            .scale_out_exposed_fraction = 0.5};
  }
};

}  // namespace

TEST_CASE("two cross-leaf jobs on 100 B/s uplinks each get half and step 1.5x slower") {
  // 4 nodes of 2 devices, one leaf per node, 100 B/s uplinks. Jobs a and b take 4
  // devices = 2 nodes = 2 leaves each (first-fit: a on leaves 0,1; b on 2,3): no shared
  // uplink, full speed, 10 s. With b on leaves 0..3 too (c spans all), they share.
  const Inventory inv = Inventory::uniform(
      {.domains = 4, .nodes_per_domain = 1, .devices_per_node = 2, .nodes_per_leaf = 1, .leaf_uplink_bytes_per_s = 100});
  Demanding oracle;
  ClusterRunOptions o{.placement = PlacementKind::kFirstFit};
  SUBCASE("disjoint leaves: no contention") {
    const auto r = run_cluster(inv, {job("a", 0, 4, 10), job("b", 0, 4, 10)}, oracle, o);
    CHECK(end_of(r, "a") == doctest::Approx(10));
    CHECK(end_of(r, "b") == doctest::Approx(10));
    CHECK(*testing::find(r, "a").mfu == doctest::Approx(0.5));
  }
  SUBCASE("shared leaves: each flow gets 50 of 100 B/s, slowdown 2, step 0.5 + 0.5 x 2 = 1.5 s") {
    // Two jobs of 3 devices: a takes node0(2) + node1(1), b takes
    // node1(1) + node2(2): they share leaf 1's uplink. a's other leaf (0) is its own.
    const auto r = run_cluster(inv, {job("a", 0, 3, 10), job("b", 0, 3, 10)}, oracle, o);
    CHECK(end_of(r, "a") == doctest::Approx(15));
    CHECK(end_of(r, "b") == doctest::Approx(15));
    // MFU falls with the step: 0.5 / 1.5.
    CHECK(*testing::find(r, "a").mfu == doctest::Approx(0.5 / 1.5));
  }
}

namespace {

// Flows by workload: workload w's job sends table[w] (placement does not matter here),
// steps of 1 s uncontended, half of it waiting on those flows.
class FlowTable final : public StepModelOracle {
 public:
  explicit FlowTable(std::vector<std::vector<ScaleOutFlow>> table) : table_(std::move(table)) {}
  StepEstimate estimate(const JobRequest&, const PlacementShape&) override {
    return {.step_seconds = 1, .mfu = 0.5, .scale_out_exposed_fraction = 0.5};
  }
  std::vector<ScaleOutFlow> flows(const JobRequest& job, const StepEstimate&, std::span<const uint32_t>,
                                  const Inventory&) override {
    return table_.at(job.workload);
  }

 private:
  std::vector<std::vector<ScaleOutFlow>> table_;
};

// 8 devices on 4 leaves (2 per leaf, one node each) in two pods: leaves 0, 1 in pod 0,
// leaves 2, 3 in pod 1. Links: leaf uplinks 0..3 (100 B/s each), then the pods' spine
// trunks to the cores, 4 = pod 0 up, 5 = pod 1 down, of `pod_trunk` B/s.
Inventory two_pods(double pod_trunk) {
  const Inventory base = Inventory::uniform({.domains = 4, .nodes_per_domain = 1, .devices_per_node = 2, .nodes_per_leaf = 1});
  std::vector<FabricLink> links;
  for (uint32_t l = 0; l < 4; ++l) links.push_back({.bytes_per_s = 100, .uplink_of = l});
  links.push_back({.bytes_per_s = pod_trunk});
  links.push_back({.bytes_per_s = pod_trunk});
  return Inventory(base.pools(), base.devices(), base.leaves(), 0, std::move(links));
}

JobRequest on(std::string name, uint32_t devices, double steps, uint32_t workload) {
  JobRequest j = job(std::move(name), 0, devices, steps);
  j.workload = workload;
  return j;
}

}  // namespace

TEST_CASE("a 3:1 oversubscribed pod trunk slows three cross-pod jobs by the hand-computed factor") {
  // Each pod's three 100 B/s leaf uplinks (300 B/s) meet a 100 B/s trunk: 3:1. Three
  // jobs each send 100 B/s from one pod-0 leaf over its uplink, the pod-0 trunk and the
  // pod-1 trunk. Alone each gets min(100, 100) = 100: no slowdown (the step model's own
  // step). Together the trunk gives 100 / 3 each: slowdown 3, step 1 x (1 - 0.5 + 0.5 x 3)
  // = 2 s, so 10 steps end at 20 s; MFU 0.5 / 2.
  const Inventory inv = two_pods(100);
  FlowTable oracle({{{.route = {0, 4, 5}, .bytes_per_s = 100, .leaf = 0}},
                    {{.route = {1, 4, 5}, .bytes_per_s = 100, .leaf = 1}},
                    {{.route = {2, 4, 5}, .bytes_per_s = 100, .leaf = 2}}});
  SUBCASE("alone: full speed") {
    const auto r = run_cluster(inv, {on("a", 2, 10, 0)}, oracle, {});
    CHECK(end_of(r, "a") == doctest::Approx(10));
  }
  SUBCASE("three together: 3x slower communication, 2x slower step") {
    const auto r = run_cluster(inv, {on("a", 2, 10, 0), on("b", 2, 10, 1), on("c", 2, 10, 2)}, oracle, {});
    for (const char* n : {"a", "b", "c"}) CHECK(end_of(r, n) == doctest::Approx(20));
    CHECK(*testing::find(r, "a").mfu == doctest::Approx(0.25));
  }
}

TEST_CASE("a job's step speeds up when its neighbour on the trunk ends or fails") {
  // a and b each send 100 B/s over the 100 B/s pod trunk: 50 each, slowdown 2, step
  // 0.5 + 0.5 x 2 = 1.5 s.
  const Inventory inv = two_pods(100);
  FlowTable oracle({{{.route = {0, 4}, .bytes_per_s = 100, .leaf = 0}},
                    {{.route = {2, 4}, .bytes_per_s = 100, .leaf = 2}}});
  SUBCASE("b ends") {
    // b's 4 steps take 4 x 1.5 = 6 s; a has done 4 of 10 by then, the other 6 alone at
    // 1 s: a ends at 6 + 6 = 12 s.
    const auto r = run_cluster(inv, {on("a", 2, 10, 0), on("b", 2, 4, 1)}, oracle, {});
    CHECK(end_of(r, "b") == doctest::Approx(6));
    CHECK(end_of(r, "a") == doctest::Approx(12));
  }
  SUBCASE("b fails") {
    // First fit: a on devices 0-1, b on 2-3, c (no flows) on 4-7: all 8 held. b's
    // device 2 fails at 3 s, repaired after 100 s; b is requeued and waits (1 device
    // free). a: 3 s at 1.5 s = 2 steps, then 8 alone at 1 s: ends at 11 s.
    ClusterRunOptions o{.placement = PlacementKind::kFirstFit};
    o.failures.scripted = {{.at = podsim::engine::SimTime::seconds(3), .index = 2,
                            .repair = podsim::engine::SimTime::seconds(100)}};
    JobRequest c = job("c", 0, 4, 200);  // no flows (workload 2 is empty)
    c.workload = 2;
    FlowTable with_c({{{.route = {0, 4}, .bytes_per_s = 100, .leaf = 0}},
                      {{.route = {2, 4}, .bytes_per_s = 100, .leaf = 2}},
                      {}});
    const auto r = run_cluster(inv, {on("a", 2, 10, 0), on("b", 2, 4, 1), c}, with_c, o);
    CHECK(end_of(r, "a") == doctest::Approx(11));
  }
}
