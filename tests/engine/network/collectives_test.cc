// Collectives: flow mode against hand calculations, against the closed form, and
// against published bus bandwidths; bad input. Fabrics: tests/engine/network/test_fabrics.h.
// Hardware figures: docs/hardware.md (hw §x).
#include "engine/network/collectives.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/engine/network/test_fabrics.h"

namespace podsim::engine {
namespace {

using testing::Clos;
using testing::Crossbar;
using testing::first_devices;
using testing::Islands;
using testing::TwoTier;

struct FlowRun {
  SimTime time;
  uint64_t flows = 0;
  double link_bytes = 0;  // summed over links
};

FlowRun simulate(const Fabric& fabric, const Collective& c, NetworkOptions options = {}) {
  Simulator sim(1);
  FlowNetwork net(sim, fabric.links(), options);
  SimTime done = SimTime::max();
  run_collective(net, fabric, c, [&] { done = sim.now(); });
  sim.run();
  FlowRun r{done, net.flows_completed(), 0};
  for (uint32_t l = 0; l < fabric.links().size(); ++l) r.link_bytes += net.link_stats(LinkId{l}).carried.value();
  return r;
}

double us(SimTime t) { return static_cast<double>(t.ns()) / 1e3; }

TEST_CASE("ring all-reduce on NVL72 matches the hand calculation") {
  // NVL72 collapsed: 72 GPUs x 900 GB/s/dir to one switch (hw §5). NVLink hop latency
  // is unpublished; take 250 ns a hop (hw §5: "~0.3-1 us device-to-device").
  // S = 1 GB: 142 steps of S/72 = 13.89 MB; a step = 2 x 250 ns + 13.89 MB / 900 GB/s
  // = 0.5 + 15.432 us; 2(n-1)(a + S/(nB)) = 142 x 15.932 us = 2,262.4 us.
  const Crossbar nvl72(72, Bandwidth::gbytes_per_s(900), SimTime::nanos(250));
  const Collective c{.op = CollectiveOp::kAllReduce, .group = first_devices(72), .bytes = Bytes::giga(1)};
  const FlowRun r = simulate(nvl72, c);
  CHECK(us(r.time) == doctest::Approx(2262.35).epsilon(1e-4));  // + <= 1 ns rounding a step
  CHECK(r.flows == 142 * 72);
  CHECK(collective_time(nvl72, c, {}) == r.time);
  // Each link carries 142 chunks: 2(n-1)/n S.
  CHECK(r.link_bytes == doctest::Approx(2 * 72 * 142 * 1e9 / 72));
}

TEST_CASE("all-to-all on CloudMatrix384 matches the hand calculation") {
  // CM384 UB, collapsed: 48 nodes x 8 NPUs, 392 GB/s/dir per NPU, non-blocking two-level
  // Clos (hw §2.1, §5); 200 ns a hop (hw §4.3, Huawei's figure). S = 384 MB per rank:
  // 1 MB to each of 383 peers at once, 147,072 flows. Each NPU's uplink carries 383 MB
  // at 392 GB/s = 977.04 us, after the longest latency, 4 hops = 0.8 us: 977.84 us.
  // The node uplink carries 8 x 376 MB at 3,136 GB/s = 959 us: not the bottleneck.
  const Clos cm384(48, 8, Bandwidth::gbytes_per_s(392), SimTime::nanos(200));
  const Collective c{.op = CollectiveOp::kAllToAll,
                     .algorithm = Algorithm::kDirect,
                     .group = first_devices(384),
                     .bytes = Bytes::mega(384)};
  const FlowRun r = simulate(cm384, c);
  CHECK(r.flows == 384 * 383);
  // Intra-node flows start 0.4 us earlier, so the simulation may finish a little sooner.
  CHECK(us(r.time) == doctest::Approx(977.84).epsilon(1e-3));
  CHECK(us(collective_time(cm384, c, {})) == doctest::Approx(977.84).epsilon(1e-4));
}

TEST_CASE("flow simulation and closed form agree on uncontended fabrics") {
  // Crossbar of 16 at 450 GB/s (HGX H100's NVLink, hw §1.3), 250 ns a hop, 1 us
  // software overhead: a = 2 x 0.25 + 1 = 1.5 us; S = 64 MB.
  const double n = 16, B = 450e9, S = 64e6, a = 1.5e-6;
  const Crossbar xbar(16, Bandwidth(B), SimTime::nanos(250), /*in_switch_reduction=*/true);
  const NetworkOptions opts{.per_message_overhead = SimTime::micros(1)};
  struct Case {
    CollectiveOp op;
    Algorithm algorithm;
    double hand_seconds;  // the closed form of the header's table, uniform a and B
  };
  const Case cases[] = {
      {CollectiveOp::kAllReduce, Algorithm::kRing, 2 * (n - 1) * (a + S / (n * B))},
      {CollectiveOp::kReduceScatter, Algorithm::kRing, (n - 1) * (a + S / (n * B))},
      {CollectiveOp::kAllGather, Algorithm::kRing, (n - 1) * (a + S / (n * B))},
      {CollectiveOp::kAllReduce, Algorithm::kHalvingDoubling, 2 * 4 * a + 2 * (n - 1) / n * S / B},
      {CollectiveOp::kReduceScatter, Algorithm::kHalvingDoubling, 4 * a + (n - 1) / n * S / B},
      {CollectiveOp::kAllGather, Algorithm::kHalvingDoubling, 4 * a + (n - 1) / n * S / B},
      {CollectiveOp::kAllReduce, Algorithm::kTree, 2 * 4 * (a + S / B)},
      // One hop up, one down, overlapped: 0.25 + 1 us + S/B.
      {CollectiveOp::kAllReduce, Algorithm::kInSwitch, 1.25e-6 + S / B},
      {CollectiveOp::kAllToAll, Algorithm::kDirect, a + (n - 1) / n * S / B},
  };
  for (const Case& k : cases) {
    CAPTURE(to_string(k.op));
    CAPTURE(to_string(k.algorithm));
    const Collective c{.op = k.op, .algorithm = k.algorithm, .group = first_devices(16), .bytes = Bytes(S)};
    const SimTime flow = simulate(xbar, c, opts).time, closed = collective_time(xbar, c, opts);
    CHECK(flow.to_seconds() == doctest::Approx(closed.to_seconds()).epsilon(0.01));
    CHECK(closed.to_seconds() == doctest::Approx(k.hand_seconds).epsilon(1e-5));
  }
  SUBCASE("send-recv across CloudMatrix nodes") {
    // 4 hops x 200 ns + 1 us, then 392 MB at 392 GB/s: 1.8 us + 1 ms.
    const Clos cm(4, 8, Bandwidth::gbytes_per_s(392), SimTime::nanos(200));
    const Collective c{.op = CollectiveOp::kSendRecv,
                       .algorithm = Algorithm::kDirect,
                       .group = {DeviceId{3}, DeviceId{17}},
                       .bytes = Bytes::mega(392)};
    CHECK(simulate(cm, c, opts).time == SimTime::nanos(1'001'800));
    CHECK(collective_time(cm, c, opts) == SimTime::nanos(1'001'800));
  }
  SUBCASE("binomial tree on a group that is not a power of two") {
    // 12 ranks: ceil(log2 12) = 4 levels up and 4 down, each a + S/B.
    const Collective c{.op = CollectiveOp::kAllReduce, .algorithm = Algorithm::kTree,
                       .group = first_devices(12), .bytes = Bytes(S)};
    const double hand = 8 * (a + S / B);
    CHECK(simulate(xbar, c, opts).time.to_seconds() == doctest::Approx(hand).epsilon(1e-5));
  }
}

TEST_CASE("hierarchical all-reduce: inside the domain, across, inside") {
  // 4 domains x 8 GPUs: NVLink 450 GB/s, 250 ns a hop inside; 400 Gb/s NICs (50 GB/s),
  // 1 us a hop across (hw §1.3, §5). S = 256 MB, m = 8, k = 4:
  //   RS + AG inside: 2 (m-1) (2 x 0.25 us + S/(m x 450 GB/s)) = 14 x 71.61 us
  //   AR across:      2 (k-1) (2 x 1 us + S/(mk x 50 GB/s))     =  6 x 162 us
  const double S = 256e6, m = 8, k = 4;
  const TwoTier fabric(4, 8, Bandwidth::gbytes_per_s(450), SimTime::nanos(250), Bandwidth::gbytes_per_s(50),
                       SimTime::micros(1));
  const double hand = 2 * (m - 1) * (0.5e-6 + S / (m * 450e9)) + 2 * (k - 1) * (2e-6 + S / (m * k * 50e9));
  const Collective c{.op = CollectiveOp::kAllReduce, .algorithm = Algorithm::kHierarchical,
                     .group = first_devices(32), .bytes = Bytes(S)};
  const FlowRun r = simulate(fabric, c);
  CHECK(r.time.to_seconds() == doctest::Approx(hand).epsilon(1e-5));
  CHECK(collective_time(fabric, c, {}).to_seconds() == doctest::Approx(hand).epsilon(1e-5));
  // 2(m-1) inside steps of 32 flows, 2(k-1) across steps of 32 flows.
  CHECK(r.flows == 14 * 32 + 6 * 32);
  SUBCASE("pipelined in chunks (NCCL), the closed form overlaps the phases") {
    // collectives.h, "Pipelined hierarchical phases", by hand with a 16 MB chunk (C = 16):
    //   W_1 = W_3 = 7 S/(8 x 450 GB/s) = 497.8 us, W_2 = 6 S/(32 x 50 GB/s) = 960 us;
    //   W* = max(W_1 + W_3, W_2) = 995.6 us (the two inside phases share NVLink);
    //   t = latencies (14 x 0.5 + 6 x 2 us) + W* + (W_1 + W_2 + W_3 - W*) / 16.
    Collective p = c;
    p.cost.pipeline_chunk = Bytes(16e6);
    const double w1 = 7 * S / (m * 450e9), w2 = 6 * S / (m * k * 50e9);
    const double bound = std::max(2 * w1, w2);
    const double piped = 14 * 0.5e-6 + 6 * 2e-6 + bound + (2 * w1 + w2 - bound) / 16;
    CHECK(collective_time(fabric, p, {}).to_seconds() == doctest::Approx(piped).epsilon(1e-5));
    // A chunk as large as the buffer: one chunk, the phases in sequence.
    p.cost.pipeline_chunk = Bytes(S);
    CHECK(collective_time(fabric, p, {}).to_seconds() == doctest::Approx(hand).epsilon(1e-5));
    // Flow mode runs them in sequence (collectives.h).
    p.cost.pipeline_chunk = Bytes(16e6);
    CHECK(simulate(fabric, p).time.to_seconds() == doctest::Approx(hand).epsilon(1e-5));
  }
  SUBCASE("it beats a flat ring, which crosses the slow tier on every step") {
    const Collective flat{.op = CollectiveOp::kAllReduce, .group = first_devices(32), .bytes = Bytes(S)};
    CHECK(simulate(fabric, flat).time > r.time * 3);
  }
}

TEST_CASE("NCCL channels: one ring per NIC across domains, the buffer split across them") {
  // collectives.h, "Channels". 2 domains x 4 GPUs: NVLink 450 GB/s, 250 ns a hop inside;
  // a 50 GB/s NIC per GPU, 1 us a hop across (hw §1.3, §5). S = 256 MB, n = 8, C = 4.
  // Each step every ring moves S/(nC) = 8 MB a hop; every rank sends one chunk on its
  // NIC (the rings leave each domain on different ranks) and three on NVLink:
  //   NIC:    2 x 1 us + 8 MB / 50 GB/s         = 162 us
  //   NVLink: 2 x 0.25 us + 3 x 8 MB / 450 GB/s = 53.8 us
  // so a step takes 162 us: all-gather 7 steps = 1,134 us, all-reduce 14 = 2,268 us.
  // One ring crosses on one NIC with S/n = 32 MB a step: 7 x (2 + 640) us = 4,494 us.
  const double S = 256e6;
  const TwoTier fabric(2, 4, Bandwidth::gbytes_per_s(450), SimTime::nanos(250), Bandwidth::gbytes_per_s(50),
                       SimTime::micros(1));
  Collective c{.op = CollectiveOp::kAllGather, .group = first_devices(8), .bytes = Bytes(S)};
  c.cost.channels = 4;
  const FlowRun r = simulate(fabric, c);
  CHECK(us(r.time) == doctest::Approx(7 * 162.0).epsilon(1e-5));
  CHECK(us(collective_time(fabric, c, {})) == doctest::Approx(7 * 162.0).epsilon(1e-5));
  CHECK(r.flows == 7 * 4 * 8);
  // Every ring moves (n-1)/n of its S/C a rank: 7/8 S per rank in all, 2 links a hop.
  CHECK(r.link_bytes == doctest::Approx(8 * 7.0 / 8 * S * 2));
  c.op = CollectiveOp::kReduceScatter;
  CHECK(us(collective_time(fabric, c, {})) == doctest::Approx(7 * 162.0).epsilon(1e-5));
  c.op = CollectiveOp::kAllReduce;
  CHECK(us(simulate(fabric, c).time) == doctest::Approx(14 * 162.0).epsilon(1e-5));
  CHECK(us(collective_time(fabric, c, {})) == doctest::Approx(14 * 162.0).epsilon(1e-5));
  SUBCASE("one ring crosses on one NIC") {
    Collective one = c;
    one.op = CollectiveOp::kAllGather;
    one.cost.channels = 1;
    CHECK(us(collective_time(fabric, one, {})) == doctest::Approx(7 * 642.0).epsilon(1e-5));
  }
  SUBCASE("more channels than ranks in a domain: one ring per rank") {
    Collective many = c;
    many.cost.channels = 16;
    CHECK(collective_time(fabric, many, {}) == collective_time(fabric, c, {}));
  }
  SUBCASE("two rings of four: half the NICs, twice the chunk") {
    // 16 MB a step on 2 NICs: 2 + 320 us; NVLink at most 2 x 16 MB / 450 GB/s = 71 us.
    Collective two = c;
    two.op = CollectiveOp::kAllGather;
    two.cost.channels = 2;
    CHECK(us(collective_time(fabric, two, {})) == doctest::Approx(7 * 322.0).epsilon(1e-5));
    CHECK(us(simulate(fabric, two).time) == doctest::Approx(7 * 322.0).epsilon(1e-5));
  }
  SUBCASE("one domain, or a domain of one rank: the one ring") {
    for (size_t n : {4, 5}) {
      Collective odd = c;
      odd.op = CollectiveOp::kAllGather;
      odd.group = first_devices(n);
      Collective plain = odd;
      plain.cost.channels = 1;
      CHECK(collective_time(fabric, odd, {}) == collective_time(fabric, plain, {}));
    }
  }
}

TEST_CASE("NCCL channels on unequal domains: as many rings as the smallest domain has ranks") {
  // NCCL keeps the smallest node's ring count (init.cc). 4 + 2 GPUs of the fabric above,
  // S = 240 MB, 4 channels asked: 2 rings, chunk S / (6 x 2) = 20 MB. A step: every rank
  // sends at most one chunk on its NIC (2 x 1 us + 20 MB / 50 GB/s = 402 us) and two on
  // NVLink (0.5 us + 40 MB / 450 GB/s = 89.4 us); 5 steps = 2,010 us.
  const TwoTier fabric(2, 4, Bandwidth::gbytes_per_s(450), SimTime::nanos(250), Bandwidth::gbytes_per_s(50),
                       SimTime::micros(1));
  Collective c{.op = CollectiveOp::kAllGather,
               .group = {DeviceId{0}, DeviceId{1}, DeviceId{2}, DeviceId{3}, DeviceId{4}, DeviceId{5}},
               .bytes = Bytes(240e6)};
  c.cost.channels = 4;
  CHECK(us(collective_time(fabric, c, {})) == doctest::Approx(5 * 402.0).epsilon(1e-5));
  const FlowRun r = simulate(fabric, c);
  CHECK(us(r.time) == doctest::Approx(5 * 402.0).epsilon(1e-5));
  CHECK(r.flows == 5 * 2 * 6);
}

TEST_CASE("published bus bandwidths are reproduced with the link efficiency factor") {
  SUBCASE("GB200 NVL72 all-reduce, 72 GPUs, 4-8 GiB: busbw 835-847 GB/s [S34]") {
    // 900 GB/s/dir line rate; link_efficiency 0.94 (NetworkOptions) -> 846 GB/s of
    // payload; the ring's 142 x 0.5 us of latency takes the rest.
    const Crossbar nvl72(72, Bandwidth::gbytes_per_s(900), SimTime::nanos(250));
    for (double gib : {4.0, 8.0}) {
      const Collective c{.op = CollectiveOp::kAllReduce, .group = first_devices(72), .bytes = Bytes::gibi(gib)};
      const SimTime t = simulate(nvl72, c, {.link_efficiency = 0.94}).time;
      const double busbw = bus_bandwidth(c.op, 72, c.bytes, t).value() / 1e9;
      CAPTURE(gib);
      CHECK(busbw >= 835);
      CHECK(busbw <= 847);
    }
  }
  SUBCASE("CloudMatrix384 UB read across nodes: 164 GB/s per die [S1 Table 1]") {
    // 392 GB/s/dir per NPU = 2 dies x 196; link_efficiency 164/196 = 0.837. A 1 GB
    // transfer between NPUs of different nodes moves 2 x 164 GB/s per NPU.
    const Clos cm384(48, 8, Bandwidth::gbytes_per_s(392), SimTime::nanos(200));
    const Collective c{.op = CollectiveOp::kSendRecv, .algorithm = Algorithm::kDirect,
                       .group = {DeviceId{0}, DeviceId{200}}, .bytes = Bytes::giga(1)};
    const SimTime t = simulate(cm384, c, {.link_efficiency = 164.0 / 196}).time;
    CHECK(bus_bandwidth(c.op, 2, c.bytes, t).value() / 2 / 1e9 == doctest::Approx(164).epsilon(1e-3));
  }
}

TEST_CASE("all-to-all-v: uneven MoE dispatch and combine") {
  // 8 ranks; rank i sends tokens to experts on rank j with a hot expert on rank 0.
  const size_t n = 8;
  const Crossbar xbar(n, Bandwidth::gbytes_per_s(392), SimTime::nanos(200));
  std::mt19937_64 rng(3);
  std::vector<Bytes> dispatch(n * n), combine(n * n);
  double total = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      const double b = i == j ? 0 : (j == 0 ? 4e6 : 1e6 * static_cast<double>(rng() % 3));
      dispatch[i * n + j] = Bytes(b);
      combine[j * n + i] = Bytes(b);  // results go back the way tokens came
      total += b;
    }
  for (const auto& sizes : {dispatch, combine}) {
    const Collective c{.op = CollectiveOp::kAllToAllV, .algorithm = Algorithm::kDirect,
                       .group = first_devices(n), .sizes = sizes};
    const FlowRun r = simulate(xbar, c);
    CHECK(r.link_bytes == doctest::Approx(2 * total));  // every byte crosses an up and a down link
    // Rank 0 receives (or sends) 7 x 4 MB = 28 MB: 71.4 us at 392 GB/s, after 0.4 us.
    // Max-min sharing cannot beat the busiest link, and here that link is busy
    // throughout, so the closed form is exact.
    const double bound = 0.4e-6 + 28e6 / 392e9;
    CHECK(collective_time(xbar, c, {}).to_seconds() == doctest::Approx(bound).epsilon(1e-6));
    CHECK(r.time.to_seconds() >= bound * (1 - 1e-9));
    CHECK(r.time.to_seconds() == doctest::Approx(bound).epsilon(0.01));
  }
}

TEST_CASE("bad input: clear errors before any flow, or a defined no-op") {
  const Crossbar xbar(4, Bandwidth::gbytes_per_s(100), SimTime::nanos(100));
  Simulator sim(1);
  FlowNetwork net(sim, xbar.links());
  auto run = [&](Collective c) { run_collective(net, xbar, c, nullptr); };
  const Bytes mb = Bytes::mega(1);
  CHECK_THROWS_AS(run({.group = {}, .bytes = mb}), std::invalid_argument);
  CHECK_THROWS_AS(run({.group = {DeviceId{0}, DeviceId{1}, DeviceId{0}}, .bytes = mb}), std::invalid_argument);
  CHECK_THROWS_AS(run({.group = {DeviceId{0}, DeviceId{9}}, .bytes = mb}), std::invalid_argument);
  CHECK_THROWS_AS(run({.group = first_devices(4), .bytes = Bytes(-1)}), std::invalid_argument);
  CHECK_THROWS_AS(run({.group = first_devices(4), .bytes = mb, .cost = {.channels = 0}}), std::invalid_argument);
  CHECK_THROWS_AS(run({.group = first_devices(4), .bytes = mb, .cost = {.channels = 65}}), std::invalid_argument);
  CHECK_THROWS_AS(run({.op = CollectiveOp::kAllToAll, .algorithm = Algorithm::kRing, .group = first_devices(4),
                       .bytes = mb}),
                  std::invalid_argument);
  CHECK_THROWS_AS(run({.algorithm = Algorithm::kHalvingDoubling, .group = first_devices(3), .bytes = mb}),
                  std::invalid_argument);
  CHECK_THROWS_AS(run({.algorithm = Algorithm::kInSwitch, .group = first_devices(4), .bytes = mb}),
                  std::invalid_argument);  // this crossbar has no NVLS
  CHECK_THROWS_AS(run({.op = CollectiveOp::kSendRecv, .algorithm = Algorithm::kDirect, .group = first_devices(3),
                       .bytes = mb}),
                  std::invalid_argument);
  CHECK_THROWS_AS(run({.op = CollectiveOp::kAllToAllV, .algorithm = Algorithm::kDirect, .group = first_devices(2),
                       .sizes = {mb}}),
                  std::invalid_argument);
  const TwoTier uneven(2, 2, Bandwidth::gbytes_per_s(1), SimTime::zero(), Bandwidth::gbytes_per_s(1), SimTime::zero());
  CHECK_THROWS_AS(collective_time(uneven,
                                  {.algorithm = Algorithm::kHierarchical,
                                   .group = {DeviceId{0}, DeviceId{1}, DeviceId{2}},
                                   .bytes = mb},
                                  {}),
                  std::invalid_argument);
  // Unconnected devices: every step is checked before the first flow starts.
  const Islands islands;
  FlowNetwork island_net(sim, islands.links());
  CHECK_THROWS_AS(run_collective(island_net, islands, {.group = first_devices(4), .bytes = mb}, nullptr),
                  std::invalid_argument);
  CHECK(island_net.flows_started() == 0);
  CHECK(net.flows_started() == 0);

  // No-ops complete at once, in an event.
  int done = 0;
  run_collective(net, xbar, {.group = {DeviceId{2}}, .bytes = mb}, [&] { ++done; });
  run_collective(net, xbar, {.group = first_devices(4), .bytes = Bytes(0)}, [&] { ++done; });
  CHECK(done == 0);
  sim.run();
  CHECK(done == 2);
  CHECK(sim.now() == SimTime::zero());
  CHECK(collective_time(xbar, {.group = first_devices(4), .bytes = Bytes(0)}, {}) == SimTime::zero());
}

}  // namespace
}  // namespace podsim::engine
