// OpGraph: lanes, dependencies, repeats, memoised collectives, both modes, and the
// per-device breakdown, each against a hand calculation on a small crossbar.
#include "engine/op_graph.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/engine/network/test_fabrics.h"

namespace podsim::engine {
namespace {

using testing::Crossbar;

// 4 devices on one switch, 100 GB/s/dir each, no latency: a 1 MB send takes
// 1e6 / 1e11 s = 10 us on its own.
Crossbar small() { return Crossbar(4, Bandwidth::gbytes_per_s(100), SimTime::zero()); }

Collective send(uint32_t a, uint32_t b, double mb) {
  return {.op = CollectiveOp::kSendRecv, .algorithm = Algorithm::kDirect, .group = {DeviceId{a}, DeviceId{b}},
          .bytes = Bytes::mega(mb), .sizes = {}};
}

TEST_CASE("a collective between two computes is exposed for its whole time, in both modes") {
  // A (10 us) -> B (send 1 MB: 10 us) -> C (5 us): 25 us; compute 15, exposed 10, idle 0.
  const Crossbar f = small();
  OpGraph g;
  const uint32_t compute = g.add_lane("compute");
  const uint32_t comm = g.add_lane("comm");
  const NodeId a = g.add_compute(compute, SimTime::micros(10));
  const NodeId b = g.add_collective(comm, send(0, 1, 1), /*tag=*/0);
  g.add_dependency(a, b);
  const NodeId c = g.add_compute(compute, SimTime::micros(5));
  g.add_dependency(b, c);
  for (CommMode mode : {CommMode::kFlow, CommMode::kAnalytical}) {
    CAPTURE(to_string(mode));
    const GraphRun r = run_graph(g, f, {.mode = mode, .network = {}});
    CHECK(r.makespan == SimTime::micros(25));
    CHECK(r.start[index(c)] == SimTime::micros(20));
    const uint32_t lanes[] = {compute, comm};
    const LaneBreakdown bd = breakdown(g, r, lanes, 1);
    CHECK(bd.compute == SimTime::micros(15));
    CHECK(bd.exposed[0] == SimTime::micros(10));
    CHECK(bd.idle == SimTime::zero());
  }
}

TEST_CASE("communication under independent compute is hidden") {
  // Compute 30 us while a 10 us send runs beside it: makespan 30, nothing exposed.
  const Crossbar f = small();
  OpGraph g;
  const uint32_t compute = g.add_lane("compute");
  const uint32_t comm = g.add_lane("comm");
  g.add_compute(compute, SimTime::micros(30));
  g.add_collective(comm, send(0, 1, 1), 0);
  const GraphRun r = run_graph(g, f, {});
  CHECK(r.makespan == SimTime::micros(30));
  const uint32_t lanes[] = {compute, comm};
  const LaneBreakdown bd = breakdown(g, r, lanes, 1);
  CHECK(bd.compute == SimTime::micros(30));
  CHECK(bd.exposed[0] == SimTime::zero());
}

TEST_CASE("flow mode sees contention the analytical mode does not") {
  // Two 1 MB sends into device 1 at once share its down link: 20 us each in flow mode,
  // 10 us in closed form (which costs each collective alone).
  const Crossbar f = small();
  OpGraph g;
  g.add_collective(g.add_lane("a"), send(0, 1, 1), 0);
  g.add_collective(g.add_lane("b"), send(2, 1, 1), 0);
  CHECK(run_graph(g, f, {.mode = CommMode::kFlow, .network = {}}).makespan == SimTime::micros(20));
  CHECK(run_graph(g, f, {.mode = CommMode::kAnalytical, .network = {}}).makespan == SimTime::micros(10));
}

TEST_CASE("repeats and memo keys reuse the measured time") {
  // Node 1: 3 repeats of a 10 us send = 30 us, simulated once. Node 2 (same key) then
  // takes 2 x 10 us without flows. Total 50 us, one collective run as flows.
  const Crossbar f = small();
  OpGraph g;
  const uint32_t lane = g.add_lane("comm");
  g.add_collective(lane, send(0, 1, 1), 0, 3, 7);
  g.add_collective(lane, send(0, 1, 1), 0, 2, 7);
  const GraphRun r = run_graph(g, f, {.mode = CommMode::kFlow, .network = {}});
  CHECK(r.makespan == SimTime::micros(50));
  CHECK(r.collectives_simulated == 1);
  CHECK(r.flows == 1);
  CHECK(run_graph(g, f, {}).makespan == SimTime::micros(50));
}

TEST_CASE("idle time is what the device waits for others") {
  // Device lane x waits for lane y's 10 us compute, then computes 5 us: idle 10, compute 5.
  const Crossbar f = small();
  OpGraph g;
  const uint32_t x = g.add_lane("x");
  const uint32_t y = g.add_lane("y");
  const NodeId w = g.add_compute(y, SimTime::micros(10));
  const NodeId v = g.add_compute(x, SimTime::micros(5));
  g.add_dependency(w, v);
  const GraphRun r = run_graph(g, f, {});
  const uint32_t lanes[] = {x};
  const LaneBreakdown bd = breakdown(g, r, lanes, 1);
  CHECK(bd.idle == SimTime::micros(10));
  CHECK(bd.compute == SimTime::micros(5));
}

TEST_CASE("an observer is told each collective and each of its flows as they finish") {
  // A (10 us) -> B (send 1 MB: 10 us, repeated twice: 20 us) -> C; and D, a second send
  // of 2 MB beside it on another pair (20 us). Flow mode: B's first instance and D run
  // as one flow each; B's repeat runs none.
  struct Seen final : GraphObserver {
    bool flows = true;
    std::vector<std::tuple<uint32_t, SimTime, SimTime>> collectives;
    std::vector<std::pair<uint32_t, FinishedFlow>> flow_list;
    bool wants_flows() const override { return flows; }
    void collective_finished(NodeId n, SimTime start, SimTime end) override { collectives.emplace_back(index(n), start, end); }
    void flow_finished(NodeId n, const FinishedFlow& f) override { flow_list.emplace_back(index(n), f); }
  };
  const Crossbar f = small();
  OpGraph g;
  const uint32_t compute = g.add_lane("compute");
  const uint32_t comm = g.add_lane("comm");
  const uint32_t other = g.add_lane("other");
  const NodeId a = g.add_compute(compute, SimTime::micros(10));
  const NodeId b = g.add_collective(comm, send(0, 1, 1), 0, /*repeat=*/2);
  g.add_dependency(a, b);
  const NodeId d = g.add_collective(other, send(2, 3, 2), 0);
  for (CommMode mode : {CommMode::kFlow, CommMode::kAnalytical}) {
    CAPTURE(to_string(mode));
    Seen seen;
    const GraphRun r = run_graph(g, f, {.mode = mode, .network = {}, .observer = &seen});
    // In finish order: D at 20 us, B at 30 us.
    REQUIRE(seen.collectives.size() == 2);
    CHECK(seen.collectives[0] == std::tuple{index(d), SimTime::zero(), SimTime::micros(20)});
    CHECK(seen.collectives[1] == std::tuple{index(b), SimTime::micros(10), SimTime::micros(30)});
    CHECK(r.finish[index(b)] == SimTime::micros(30));
    if (mode == CommMode::kAnalytical) {
      CHECK(seen.flow_list.empty());
      continue;
    }
    REQUIRE(seen.flow_list.size() == 2);
    // Both end at 20 us, in the same network event: order them by node.
    std::sort(seen.flow_list.begin(), seen.flow_list.end(),
              [](const auto& x, const auto& y) { return x.first > y.first; });
    const auto& [dn, df] = seen.flow_list[0];
    const auto& [bn, bf] = seen.flow_list[1];
    CHECK(dn == index(d));
    CHECK(df.src == DeviceId{2});
    CHECK(df.dst == DeviceId{3});
    CHECK(df.bytes.value() == 2e6);
    CHECK(df.start == SimTime::zero());
    CHECK(df.end == SimTime::micros(20));
    CHECK(bn == index(b));
    CHECK(bf.start == SimTime::micros(10));
    CHECK(bf.end == SimTime::micros(20));
    // Without wants_flows(), no flow is reported.
    Seen quiet;
    quiet.flows = false;
    run_graph(g, f, {.mode = mode, .network = {}, .observer = &quiet});
    CHECK(quiet.flow_list.empty());
    CHECK(quiet.collectives.size() == 2);
  }
}

TEST_CASE("bad input") {
  OpGraph g;
  const uint32_t l = g.add_lane("l");
  const NodeId a = g.add_compute(l, SimTime::micros(1));
  CHECK_THROWS_AS(g.add_dependency(a, a), std::invalid_argument);
  CHECK_THROWS_AS(g.add_compute(5, SimTime::micros(1)), std::invalid_argument);
  CHECK_THROWS_AS(g.add_collective(l, send(0, 1, 1), 0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace podsim::engine
