// UplinkContention: cross-leaf jobs share leaf uplinks max-min fairly, each flow capped
// at its job's demand.
#include <doctest/doctest.h>

#include <map>

#include "scheduler/uplink_contention.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

namespace {

// 4 leaves of one node of 2 devices each, 100 B/s uplinks.
Inventory four_leaves() {
  return Inventory::uniform(
      {.domains = 4, .nodes_per_domain = 1, .devices_per_node = 2, .nodes_per_leaf = 1, .leaf_uplink_bytes_per_s = 100});
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

TEST_CASE("one job alone gets its demand, two on one uplink get half each (by hand: 100 / 2)") {
  const Inventory inv = four_leaves();
  UplinkContention c(inv, 2, nullptr);
  const uint32_t a[] = {0, 1, 2};  // leaves 0 and 1
  c.add(SimTime::zero(), 0, a, 80);
  REQUIRE(c.changed());
  auto rates = c.resolve(SimTime::zero());
  REQUIRE(rates.size() == 1);
  CHECK(rates[0].job == 0);
  CHECK(rates[0].bytes_per_s == doctest::Approx(80));  // capped at its demand
  CHECK_FALSE(c.changed());

  const uint32_t b[] = {3, 4};  // leaves 1 and 2: shares leaf 1 with job 0
  c.add(SimTime::zero(), 1, b, 80);
  rates = c.resolve(SimTime::zero());
  REQUIRE(rates.size() == 2);
  CHECK(rates[0].bytes_per_s == doctest::Approx(50));  // its least flow: leaf 1, 100 / 2
  CHECK(rates[1].bytes_per_s == doctest::Approx(50));

  c.remove(SimTime::zero(), 1);
  rates = c.resolve(SimTime::zero());
  REQUIRE(rates.size() == 1);
  CHECK(rates[0].job == 0);
  CHECK(rates[0].bytes_per_s == doctest::Approx(80));
}

TEST_CASE("leaves without an uplink capacity add no flow, and the observer sees flows and loads") {
  const Inventory plain = Inventory::uniform({.domains = 2, .nodes_per_domain = 1, .devices_per_node = 2, .nodes_per_leaf = 1});
  UplinkContention none(plain, 1, nullptr);
  const uint32_t d[] = {0, 2};
  none.add(SimTime::zero(), 0, d, 50);
  CHECK_FALSE(none.changed());

  const Inventory inv = four_leaves();
  Counting obs;
  UplinkContention c(inv, 1, &obs);
  c.add(SimTime::zero(), 0, d, 30);
  c.resolve(SimTime::zero());
  CHECK(obs.started == 2);
  CHECK(obs.last_load[0] == doctest::Approx(30));
  CHECK(obs.last_load[1] == doctest::Approx(30));
  c.remove(SimTime::seconds(1), 0);
  c.resolve(SimTime::seconds(1));
  CHECK(obs.ended == 2);
  CHECK(obs.last_load[0] == doctest::Approx(0));
}
