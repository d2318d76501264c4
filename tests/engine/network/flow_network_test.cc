// FlowNetwork: timing against hand calculations, bytes conservation and capacity on
// random traffic, batching of simultaneous events, and bad input.
#include "engine/network/flow_network.h"

#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <vector>

namespace podsim::engine {
namespace {

using Route = std::vector<LinkId>;

constexpr LinkId L(uint32_t i) { return LinkId{i}; }

TEST_CASE("a flow alone: hop latencies + overhead, then bytes at the bottleneck") {
  // 3 hops: 900, 392, 3136 GB/s; 200 ns each; 2 us overhead. 392 MB at 392 GB/s
  // takes 1 ms, so the flow arrives at 0.6 us + 2 us + 1 ms = 1,002,600 ns.
  Simulator sim(1);
  const std::vector<LinkSpec> links{{Bandwidth::gbytes_per_s(900), SimTime::nanos(200)},
                                    {Bandwidth::gbytes_per_s(392), SimTime::nanos(200)},
                                    {Bandwidth::gbytes_per_s(3136), SimTime::nanos(200)}};
  FlowNetwork net(sim, links, {.per_message_overhead = SimTime::micros(2)});
  const Route r{L(0), L(1), L(2)};
  SimTime done;
  net.start_flow({.bytes = Bytes::mega(392), .route = r}, [&] { done = sim.now(); });
  sim.run();
  CHECK(done == SimTime::nanos(1'002'600));
  CHECK(net.flows_completed() == 1);
  CHECK(net.link_stats(L(1)).carried.value() == doctest::Approx(392e6));
  CHECK(net.link_stats(L(1)).busy == SimTime::millis(1));
  CHECK(net.link_stats(L(1)).peak_utilization == doctest::Approx(1.0));
  CHECK(net.link_stats(L(0)).peak_utilization == doctest::Approx(392.0 / 900));
  // Mean over [0, 1.0026 ms]: 1 ms of full use.
  CHECK(net.link_stats(L(1)).mean_utilization == doctest::Approx(1e6 / 1'002'600.0));
}

TEST_CASE("two flows share a link, and the survivor speeds up") {
  // 1 GB/s link. A = 1 GB and B = 0.5 GB start together at 0.5 GB/s each: B is done
  // at 1 s; A has 0.5 GB left and runs alone at 1 GB/s: done at 1.5 s.
  Simulator sim(1);
  const std::vector<LinkSpec> links{{Bandwidth::gbytes_per_s(1), SimTime::zero()}};
  FlowNetwork net(sim, links);
  const Route r{L(0)};
  SimTime a, b;
  net.start_flow({.bytes = Bytes::giga(1), .route = r}, [&] { a = sim.now(); });
  net.start_flow({.bytes = Bytes::giga(0.5), .route = r}, [&] { b = sim.now(); });
  sim.run();
  CHECK(b == SimTime::seconds(1));
  CHECK(a == SimTime::seconds(1.5));
  CHECK(net.link_stats(L(0)).carried.value() == doctest::Approx(1.5e9));
  CHECK(net.link_stats(L(0)).busy == SimTime::seconds(1.5));
  CHECK(net.link_stats(L(0)).mean_utilization == doctest::Approx(1.0));
}

TEST_CASE("link efficiency scales every capacity") {
  // 900 GB/s at 0.93 = 837 GB/s: 837 MB takes 1 ms.
  Simulator sim(1);
  const std::vector<LinkSpec> links{{Bandwidth::gbytes_per_s(900), SimTime::zero()}};
  FlowNetwork net(sim, links, {.link_efficiency = 0.93});
  const Route r{L(0)};
  SimTime done;
  net.start_flow({.bytes = Bytes::mega(837), .route = r}, [&] { done = sim.now(); });
  sim.run();
  CHECK(done.ns() == doctest::Approx(1e6).epsilon(1e-9));
  CHECK(net.capacity(L(0)).value() == doctest::Approx(837e9));
}

TEST_CASE("a batch: one solve per instant, one callback, simultaneous finishes in one event") {
  // 8 devices on a crossbar, each sending 1 MB to the next: disjoint links, same rate,
  // same finish. Events: the batch's activation, then one completion.
  Simulator sim(1);
  const int n = 8;
  std::vector<LinkSpec> links(2 * n, {Bandwidth::gbytes_per_s(100), SimTime::nanos(500)});
  FlowNetwork net(sim, links);
  std::vector<Route> routes;
  for (int i = 0; i < n; ++i) routes.push_back({L(i), L(n + (i + 1) % n)});
  int calls = 0;
  SimTime done;
  net.start_flows(
      n, [&](size_t i) { return FlowSpec{.bytes = Bytes::mega(1), .route = routes[i]}; },
      [&] { ++calls, done = sim.now(); });
  const RunResult r = sim.run();
  CHECK(calls == 1);
  CHECK(done == SimTime::nanos(1000 + 10'000));  // 2 hops x 500 ns + 1 MB / 100 GB/s
  CHECK(r.events_executed == 2);
  CHECK(net.solves() == 2);
}

TEST_CASE("zero bytes and empty batches are defined no-ops that still take their latency") {
  Simulator sim(1);
  const std::vector<LinkSpec> links{{Bandwidth::gbytes_per_s(1), SimTime::micros(1)}};
  FlowNetwork net(sim, links);
  const Route r{L(0)};
  SimTime zero_flow = SimTime::max(), empty_batch = SimTime::max();
  net.start_flow({.bytes = Bytes(0), .route = r}, [&] { zero_flow = sim.now(); });
  net.start_flows(0, [&](size_t) { return FlowSpec{}; }, [&] { empty_batch = sim.now(); });
  sim.run();
  CHECK(zero_flow == SimTime::micros(1));
  CHECK(empty_batch == SimTime::zero());
  CHECK(net.flows_in_flight() == 0);
}

TEST_CASE("bad input throws and leaves nothing behind") {
  Simulator sim(1);
  CHECK_THROWS_AS(FlowNetwork(sim, std::vector<LinkSpec>{{Bandwidth(0), SimTime::zero()}}), std::invalid_argument);
  const std::vector<LinkSpec> links{{Bandwidth::gbytes_per_s(1), SimTime::zero()}};
  CHECK_THROWS_AS(FlowNetwork(sim, links, {.link_efficiency = 0}), std::invalid_argument);
  CHECK_THROWS_AS(FlowNetwork(sim, links, {.link_efficiency = 1.5}), std::invalid_argument);
  FlowNetwork net(sim, links);
  // No route: the devices are not connected.
  CHECK_THROWS_AS(net.start_flow({.src = DeviceId{0}, .dst = DeviceId{1}, .bytes = Bytes(1)}, nullptr),
                  std::invalid_argument);
  const Route good{L(0)}, unknown{L(3)};
  CHECK_THROWS_AS(net.start_flow({.bytes = Bytes(-1), .route = good}, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(net.start_flow({.bytes = Bytes(1), .route = unknown}, nullptr), std::invalid_argument);
  // The second flow of the batch is bad: the first must not run either.
  bool called = false;
  CHECK_THROWS_AS(net.start_flows(
                      2, [&](size_t i) { return FlowSpec{.bytes = Bytes(1), .route = i == 0 ? good : unknown}; },
                      [&] { called = true; }),
                  std::invalid_argument);
  sim.run();
  CHECK_FALSE(called);
  CHECK(net.flows_in_flight() == 0);
  CHECK(net.flows_started() == 0);
  CHECK(net.link_stats(L(0)).carried.value() == 0);
}

TEST_CASE("random traffic: bytes conserved, no link above capacity at any instant") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 30; ++trial) {
    CAPTURE(trial);
    Simulator sim(1);
    const int nlinks = 6;
    std::vector<LinkSpec> links;
    for (int l = 0; l < nlinks; ++l)
      links.push_back({Bandwidth::gbytes_per_s(std::uniform_int_distribution<int>(1, 4)(rng) * 10.0),
                       SimTime::nanos(std::uniform_int_distribution<int>(0, 300)(rng))});
    FlowNetwork net(sim, links, {.per_message_overhead = SimTime::nanos(100)});
    double expected_link_bytes = 0;
    int done = 0, started = 0;
    // Flows start at random instants, some together, from callbacks of earlier ones too.
    auto start_random = [&](auto& self) -> void {
      std::vector<LinkId> all{L(0), L(1), L(2), L(3), L(4), L(5)};
      std::shuffle(all.begin(), all.end(), rng);
      const Route r(all.begin(), all.begin() + std::uniform_int_distribution<int>(1, 3)(rng));
      const double bytes = std::uniform_int_distribution<int>(0, 1000)(rng) * 1e4;
      expected_link_bytes += bytes * static_cast<double>(r.size());
      ++started;
      const bool chain = rng() % 4 == 0;
      net.start_flow({.bytes = Bytes(bytes), .route = r}, [&, chain, self] {
        ++done;
        if (chain) self(self);
      });
    };
    for (int i = 0; i < 40; ++i) {
      sim.schedule_at(SimTime::micros(std::uniform_int_distribution<int>(0, 20)(rng) * 50),
                      [&] { start_random(start_random); });
    }
    bool over = false;
    sim.run({.stop_when = [&] {
      for (uint32_t l = 0; l < nlinks; ++l) over |= net.load(L(l)).value() > net.capacity(L(l)).value() * (1 + 1e-9);
      return false;
    }});
    CHECK_FALSE(over);
    CHECK(done == started);
    CHECK(net.flows_in_flight() == 0);
    double carried = 0;
    for (uint32_t l = 0; l < nlinks; ++l) {
      carried += net.link_stats(L(l)).carried.value();
      CHECK(net.link_stats(L(l)).peak_utilization <= 1 + 1e-9);
    }
    CHECK(carried == doctest::Approx(expected_link_bytes).epsilon(1e-12));
  }
}

}  // namespace
}  // namespace podsim::engine
