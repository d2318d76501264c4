// Jobs spanning leaves share the leaf uplinks max-min fairly and slow down when they get
// less than they ask for.
#include <doctest/doctest.h>

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
