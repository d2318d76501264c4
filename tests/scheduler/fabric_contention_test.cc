// FabricContention: every running job's flows share every scale-out link max-min
// fairly, each flow capped at what it gets with its job alone; a job slows by its worst
// flow (scheduler/fabric_contention.h). Arithmetic by hand in the comments.
#include <doctest/doctest.h>

#include <map>

#include "scheduler/fabric_contention.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

namespace {

// 4 leaves of one node of 2 devices each, 100 B/s uplinks (links 0..3 = leaves 0..3).
Inventory four_leaves() {
  return Inventory::uniform(
      {.domains = 4, .nodes_per_domain = 1, .devices_per_node = 2, .nodes_per_leaf = 1, .leaf_uplink_bytes_per_s = 100});
}

// The devices and leaves of four_leaves(), with explicit links: leaf uplinks 0..3 of
// `leaf_up` B/s, then link 4, the spines' trunk to the cores, of `trunk` B/s.
Inventory with_trunk(double leaf_up, double trunk) {
  const Inventory base = four_leaves();
  std::vector<FabricLink> links;
  for (uint32_t l = 0; l < 4; ++l) links.push_back({.bytes_per_s = leaf_up, .uplink_of = l});
  links.push_back({.bytes_per_s = trunk});
  return Inventory(base.pools(), base.devices(), base.leaves(), 0, std::move(links));
}

ScaleOutFlow flow(std::vector<uint32_t> route, double demand, uint32_t leaf = 0) {
  return {.route = std::move(route), .bytes_per_s = demand, .leaf = leaf};
}

class Counting final : public RunObserver {
 public:
  bool wants_flows() const override { return true; }
  void flow_started(SimTime, const FlowEvent&) override { ++started; }
  void flow_ended(SimTime, uint32_t) override { ++ended; }
  void link_sample(SimTime, const LinkSampleEvent& e) override { last_load[e.leaf] = e.load_bytes_per_s; }
  int started = 0, ended = 0;
  std::map<uint32_t, double> last_load;
};

}  // namespace

TEST_CASE("leaf uplinks (the special case): alone a job gets its demand, two on one uplink get half each") {
  const Inventory inv = four_leaves();
  FabricContention c(inv, 2, nullptr);
  const StepEstimate est{.scale_out_bytes_per_s_per_leaf = 80};
  const uint32_t a[] = {0, 1, 2};  // leaves 0 and 1: two flows of 80
  c.add(SimTime::zero(), 0, leaf_uplink_flows(est, a, inv));
  REQUIRE(c.changed());
  auto got = c.resolve(SimTime::zero());
  CHECK(got.empty());  // full speed, as it started
  CHECK(c.slowdown_of(0) == 1);
  CHECK(c.rates(0) == std::vector<double>{80, 80});
  CHECK_FALSE(c.changed());

  const uint32_t b[] = {3, 4};  // leaves 1 and 2: shares leaf 1 with job 0
  c.add(SimTime::zero(), 1, leaf_uplink_flows(est, b, inv));
  got = c.resolve(SimTime::zero());
  REQUIRE(got.size() == 2);
  // Leaf 1's uplink: 100 / 2 = 50 each; slowdown 80 / 50 = 1.6 for both.
  CHECK(got[0].slowdown == doctest::Approx(1.6));
  CHECK(got[1].slowdown == doctest::Approx(1.6));

  c.remove(SimTime::zero(), 1);
  got = c.resolve(SimTime::zero());
  REQUIRE(got.size() == 1);  // job 0 back to full speed; job 1 has no flows
  CHECK(got[0].job == 0);
  CHECK(got[0].slowdown == 1);
  CHECK(c.slowdown_of(1) == 1);
  CHECK(c.rates(0) == std::vector<double>{80, 80});
}

TEST_CASE("two jobs on one spine trunk: each gets half of it when both exceed it") {
  // Uplinks 400 B/s, trunk 100 B/s. Job 0 leaves leaf 0, job 1 leaf 2, both over the
  // trunk, each asking 150 B/s.
  const Inventory inv = with_trunk(400, 100);
  FabricContention c(inv, 2, nullptr);
  const ScaleOutFlow fa[] = {flow({0, 4}, 150)};
  const ScaleOutFlow fb[] = {flow({2, 4}, 150, 2)};
  c.add(SimTime::zero(), 0, fa);
  auto got = c.resolve(SimTime::zero());
  // Alone: min(150, 400, 100) = 100 B/s, the step model's own step: no slowdown.
  CHECK(got.empty());
  CHECK(c.slowdown_of(0) == 1);
  CHECK(c.rates(0)[0] == doctest::Approx(100));
  c.add(SimTime::zero(), 1, fb);
  got = c.resolve(SimTime::zero());
  // Together: 100 / 2 = 50 each; slowdown 100 / 50 = 2.
  REQUIRE(got.size() == 2);
  CHECK(c.rates(0)[0] == doctest::Approx(50));
  CHECK(c.rates(1)[0] == doctest::Approx(50));
  CHECK(got[0].slowdown == doctest::Approx(2));
  CHECK(got[1].slowdown == doctest::Approx(2));
}

TEST_CASE("a job slows by its worst flow, and a job's own flows sharing a link are its baseline") {
  // Trunk 100 B/s. Job 0: two flows over the trunk (from leaves 0 and 1), 40 B/s each:
  // alone 40 + 40 <= 100, both get 40. Job 1: one flow of 60 from leaf 2 over the
  // trunk, alone 60. Together, max-min on the trunk: 3 flows, fair share 33.3 < 40, so
  // all three get 33.3: job 0 slows 40 / 33.3 = 1.2, job 1 60 / 33.3 = 1.8.
  const Inventory inv = with_trunk(400, 100);
  FabricContention c(inv, 2, nullptr);
  const ScaleOutFlow fa[] = {flow({0, 4}, 40), flow({1, 4}, 40, 1)};
  const ScaleOutFlow fb[] = {flow({2, 4}, 60, 2)};
  c.add(SimTime::zero(), 0, fa);
  c.add(SimTime::zero(), 1, fb);
  const auto got = c.resolve(SimTime::zero());
  REQUIRE(got.size() == 2);
  CHECK(got[0].slowdown == doctest::Approx(40 / (100.0 / 3)));
  CHECK(got[1].slowdown == doctest::Approx(60 / (100.0 / 3)));

  // Job 2 alone asks 2 x 80 over the trunk of 100: alone each flow gets 50, which is its
  // baseline (the step model timed it so); it does not slow itself.
  FabricContention d(inv, 1, nullptr);
  const ScaleOutFlow fc[] = {flow({0, 4}, 80), flow({1, 4}, 80, 1)};
  d.add(SimTime::zero(), 0, fc);
  CHECK(d.resolve(SimTime::zero()).empty());
  CHECK(d.slowdown_of(0) == 1);
  CHECK(d.rates(0)[0] == doctest::Approx(50));
}

TEST_CASE("bad flows are refused with the job named") {
  const Inventory inv = with_trunk(400, 100);
  FabricContention c(inv, 1, nullptr);
  const ScaleOutFlow off[] = {flow({9}, 10)};
  CHECK_THROWS_WITH_AS(c.add(SimTime::zero(), 0, off), "FabricContention: job 0 routes over link 9 of 5",
                       std::invalid_argument);
  const ScaleOutFlow zero[] = {flow({0}, 0)};
  CHECK_THROWS_AS(c.add(SimTime::zero(), 0, zero), std::invalid_argument);
  CHECK_FALSE(c.changed());
}

TEST_CASE("leaves without an uplink add no flow, and the observer sees flows and each leaf's uplink load") {
  const Inventory plain = Inventory::uniform({.domains = 2, .nodes_per_domain = 1, .devices_per_node = 2, .nodes_per_leaf = 1});
  const uint32_t d[] = {0, 2};
  const StepEstimate est{.scale_out_bytes_per_s_per_leaf = 30};
  CHECK(leaf_uplink_flows(est, d, plain).empty());

  const Inventory inv = four_leaves();
  Counting obs;
  FabricContention c(inv, 1, &obs);
  c.add(SimTime::zero(), 0, leaf_uplink_flows(est, d, inv));
  c.resolve(SimTime::zero());
  CHECK(obs.started == 2);
  CHECK(obs.last_load[0] == doctest::Approx(30));
  CHECK(obs.last_load[1] == doctest::Approx(30));
  c.remove(SimTime::seconds(1), 0);
  c.resolve(SimTime::seconds(1));
  CHECK(obs.ended == 2);
  CHECK(obs.last_load[0] == doctest::Approx(0));
}
