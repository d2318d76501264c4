// The flow network's run-time invariants (engine/network/invariants.h): each fires
// with a message that names it, and a contended run never trips them.
#include "engine/network/invariants.h"

#include <doctest/doctest.h>

#include <vector>

#include "engine/check.h"
#include "engine/network/flow_network.h"

using namespace podsim::engine;
using podsim::InternalError;

TEST_CASE("no link above capacity: a load over the capacity is an internal error naming the invariant") {
  CHECK_NOTHROW(check_link_within_capacity(3, 100.0, 100.0));
  CHECK_NOTHROW(check_link_within_capacity(3, 100.0 * (1 + 1e-12), 100.0));  // solver rounding
  CHECK_THROWS_WITH_AS(check_link_within_capacity(3, 101.0, 100.0),
                       doctest::Contains("no link above capacity: link 3 carries 101 B/s of 100 B/s"), InternalError);
}

TEST_CASE("bytes sent equal bytes received: a flow retired with bytes left is an internal error") {
  CHECK_NOTHROW(check_flow_delivered(7, -5.0, 1e6));  // finish time rounded up: over-drained
  CHECK_NOTHROW(check_flow_delivered(7, 1e-4, 1e6));  // floating-point slack
  CHECK_THROWS_WITH_AS(check_flow_delivered(7, 4096.0, 1e6),
                       doctest::Contains("bytes sent equal bytes received: flow 7 completed with 4096 bytes undelivered"),
                       InternalError);
}

TEST_CASE("a contended flow network keeps both invariants (they are checked on every solve and retirement)") {
  // Three flows share link 0 and re-rate as each one ends: every rate change and
  // every completion goes through the checks above.
  Simulator sim(1);
  const std::vector<LinkSpec> links{{Bandwidth(1e9), SimTime::nanos(100)}, {Bandwidth(4e8), SimTime::nanos(100)}};
  FlowNetwork net(sim, links, {.link_efficiency = 0.9});
  const LinkId shared[] = {LinkId{0}}, both[] = {LinkId{0}, LinkId{1}};
  int done = 0;
  net.start_flow({.src = DeviceId{0}, .dst = DeviceId{1}, .bytes = Bytes(3e6), .route = shared}, [&] { ++done; });
  net.start_flow({.src = DeviceId{0}, .dst = DeviceId{2}, .bytes = Bytes(1e6 + 7), .route = both}, [&] { ++done; });
  net.start_flow({.src = DeviceId{3}, .dst = DeviceId{1}, .bytes = Bytes(12345), .route = shared}, [&] { ++done; });
  CHECK_NOTHROW(sim.run());
  CHECK(done == 3);
  CHECK(net.link_stats(LinkId{0}).carried.value() == doctest::Approx(3e6 + 1e6 + 7 + 12345));
  CHECK(net.link_stats(LinkId{0}).peak_utilization <= 1.0 + 1e-9);
}
