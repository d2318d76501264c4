// A run's failures as events (scheduler/failure_events.h): scripted ones at their time
// with their unit's devices, random ones exactly the failure process's sequence.
#include "scheduler/failure_events.h"

#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "engine/error.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

namespace {

// 2 nodes of 4 devices.
Inventory eight() { return Inventory::uniform({.domains = 1, .nodes_per_domain = 2, .devices_per_node = 4}); }

struct Seen {
  double at_s;
  std::vector<uint32_t> devices;
  SimTime repair;
};

}  // namespace

TEST_CASE("a scripted node failure: its devices, at its time, with its repair") {
  const Inventory inv = eight();
  podsim::engine::Simulator sim(1);
  FailureOptions o;
  o.scripted = {{.at = SimTime::seconds(5), .unit = FailureUnit::kNode, .index = 1, .repair = SimTime::seconds(3)},
                {.at = SimTime::seconds(2), .index = 0, .repair = SimTime::seconds(1)}};
  std::vector<Seen> seen;
  FailureEvents events(inv, o, sim, [&](const std::vector<uint32_t>& d, SimTime repair) {
    seen.push_back({sim.now().to_seconds(), d, repair});
  });
  sim.run();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].at_s == 2);
  CHECK(seen[0].devices == std::vector<uint32_t>{0});
  CHECK(seen[0].repair == SimTime::seconds(1));
  CHECK(seen[1].at_s == 5);
  CHECK(seen[1].devices == std::vector<uint32_t>{4, 5, 6, 7});
  CHECK(seen[1].repair == SimTime::seconds(3));
}

TEST_CASE("a scripted failure of a node the cluster does not have is refused at once") {
  const Inventory inv = eight();
  podsim::engine::Simulator sim(1);
  FailureOptions o;
  o.scripted = {{.at = SimTime::seconds(5), .unit = FailureUnit::kNode, .index = 2}};
  CHECK_THROWS_AS(FailureEvents(inv, o, sim, [](const std::vector<uint32_t>&, SimTime) {}), podsim::UserError);
}

TEST_CASE("random failures: the failure process's own sequence, one event armed at a time") {
  // Device MTBF 1 h on 8 devices, 10 h: about 80 failures (less the repairs' 30 min).
  const Inventory inv = eight();
  FailureOptions o{.kinds = {{.mtbf_hours = 1, .repair = SimTime::seconds(1800)}}};
  podsim::engine::Simulator sim(7);
  std::vector<Seen> seen;
  FailureEvents events(inv, o, sim, [&](const std::vector<uint32_t>& d, SimTime repair) {
    seen.push_back({sim.now().to_seconds(), d, repair});
    CHECK(sim.pending_events() == 0);  // the next failure is armed once this one is handled
  });
  sim.run({.horizon = SimTime::seconds(36000)});
  podsim::engine::Simulator same_seed(7);
  FailureProcess process(inv, o.kinds, same_seed.random().stream("failures"));
  std::vector<Seen> expected;
  while (process.next() && *process.next() <= SimTime::seconds(36000)) {
    const FailureProcess::Failure f = process.take();
    expected.push_back({f.at.to_seconds(), f.devices, f.repair});
  }
  REQUIRE(seen.size() == expected.size());
  CHECK(seen.size() > 40);
  for (size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i].at_s == expected[i].at_s);
    CHECK(seen[i].devices == expected[i].devices);
  }
}
