// The tuner (engine/network/comm_tuner.h) on the presets: NCCL's choices and latency
// terms against hand calculations from its tables (docs/collectives.md §1: NVIDIA/nccl
// src/graph/tuning.cc, 2.30.7), HCCL's on the Ascend systems, flow mode against the
// closed form with the library's terms, and the CloudMatrix384 UB figures of its paper
// (arXiv 2506.12708 v2, Table 1).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <vector>

#include "engine/network/collectives.h"
#include "engine/network/comm_tuner.h"
#include "engine/network/link_curves.h"
#include "engine/network/moe_exchange.h"
#include "engine/simulator.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "topologies/params.h"

using namespace podsim;
using engine::Algorithm;
using engine::Bytes;
using engine::Collective;
using engine::CollectiveOp;
using engine::DeviceId;
using engine::Protocol;
using engine::SimTime;

namespace {

std::vector<DeviceId> first(size_t n, size_t stride = 1) {
  std::vector<DeviceId> g;
  for (size_t i = 0; i < n; ++i) g.push_back(DeviceId{static_cast<uint32_t>(i * stride)});
  return g;
}

double us(SimTime t) { return static_cast<double>(t.ns()) / 1e3; }

SimTime flow_time(const engine::Fabric& f, const Collective& c) {
  engine::Simulator sim(1);
  engine::FlowNetwork net(sim, f.links());
  SimTime done = SimTime::max();
  engine::run_collective(net, f, c, [&] { done = sim.now(); });
  sim.run();
  return done;
}

topologies::Cluster hgx_h100s(int count) {
  topologies::ClusterParams p{.name = "h100s",
                              .pools = {{.name = "h100", .preset = "hgx-h100", .count = count,
                                         .system = *topologies::preset("hgx-h100")}}};
  p.fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 8 * count, .rail_optimized = false};
  return topologies::build_cluster(p);
}

}  // namespace

TEST_CASE("NCCL on 8 H100: ring LL for small all-reduces, NVLS for large, latency from tuning.cc") {
  const topologies::Cluster c = topologies::build_preset("hgx-h100");
  const topologies::EngineFabric f(c);
  const Collective small = engine::tune(f, CollectiveOp::kAllReduce, first(8), Bytes(4096), {});
  CHECK(small.algorithm == Algorithm::kRing);
  CHECK(small.protocol == Protocol::kLL);
  // Hand calculation: call overhead 14.6 us (link_curves.cc) + ring LL base 6.6 us +
  // 14 steps of max(route 2 x 0.35 us, NVLink LL 0.6 us) = 0.7 us, plus 512 B a step at
  // 0.5 (LL) x 450 GB/s: 2.3 ns. = 31.03 us. nccl-tests on 8 x H200: 31.2 us (curve A1).
  CHECK(us(engine::collective_time(f, small, {})) == doctest::Approx(14.6 + 6.6 + 14 * (0.7 + 0.0023)).epsilon(1e-3));
  const Collective large = engine::tune(f, CollectiveOp::kAllReduce, first(8), Bytes::giga(1), {});
  // NCCL 2.26 on an 8 x H100 board: Ring/LL up to 1 MB, NVLS/Simple from 2 MB
  // (nccl-tests issue 309).
  CHECK(large.algorithm == Algorithm::kInSwitch);
  CHECK(large.protocol == Protocol::kSimple);
  // All-gather has no NVLS candidate here: ring, Simple at large sizes.
  const Collective ag = engine::tune(f, CollectiveOp::kAllGather, first(8), Bytes::giga(1), {});
  CHECK(ag.algorithm == Algorithm::kRing);
  CHECK(ag.protocol == Protocol::kSimple);
}

TEST_CASE("latency grows with ranks: a ring pays a step latency per step") {
  const topologies::Cluster c = topologies::build_preset("nvl72");
  const topologies::EngineFabric f(c);
  // 1 KB rings on NVL72 (ring LL): 2(n-1) steps of max(0.7, 0.6) = 0.7 us each, so 72
  // ranks pay (142 - 14) x 0.7 us = 89.6 us more than 8 (the bytes are a few ns).
  auto ring_ll = [&](size_t n) {
    Collective col = engine::tune(f, CollectiveOp::kAllReduce, first(n), Bytes(1024), {});
    col.algorithm = Algorithm::kRing;
    col.protocol = Protocol::kLL;
    col.cost = engine::library_terms(f.comm_profile(DeviceId{0}), CollectiveOp::kAllReduce, Algorithm::kRing,
                                     Protocol::kLL, Bytes(1024));
    return engine::collective_time(f, col, {});
  };
  CHECK(us(ring_ll(72)) - us(ring_ll(8)) == doctest::Approx(128 * 0.7).epsilon(0.01));
}

TEST_CASE("across nodes a ring pays NET latency on (N-1)/(n-1) of its steps") {
  const topologies::Cluster c = hgx_h100s(2);
  const topologies::EngineFabric f(c);
  // All-gather on 16 ranks over 2 nodes: 15 steps, 1 of them at NET's Simple 14 us and
  // 14 at max(route, NVLink's 3.4 us) (tuning.cc's nInter = N - 1).
  Collective col{.op = CollectiveOp::kAllGather, .algorithm = Algorithm::kRing, .group = first(16), .bytes = Bytes(16)};
  col.cost = engine::library_terms(f.comm_profile(DeviceId{0}), col.op, Algorithm::kRing, Protocol::kSimple, col.bytes);
  CHECK(us(engine::collective_time(f, col, {})) == doctest::Approx(14.6 + 8.4 + 14.0 + 14 * 3.4).epsilon(1e-3));
  // At 1 GB the tuner weighs ring against the hierarchical all-reduce.
  const Collective big = engine::tune(f, CollectiveOp::kAllReduce, first(16), Bytes::giga(1), {});
  CHECK(big.algorithm == Algorithm::kHierarchical);
}

TEST_CASE("flow mode and closed form agree with the library's terms") {
  const topologies::Cluster h = topologies::build_preset("hgx-h100");
  const topologies::EngineFabric fh(h);
  const topologies::Cluster two = hgx_h100s(2);
  const topologies::EngineFabric f2(two);
  const topologies::Cluster cm = topologies::build_preset("cloudmatrix384");
  const topologies::EngineFabric fc(cm);
  const topologies::Cluster a2 = topologies::build_preset("atlas-800t-a2");
  const topologies::EngineFabric fa(a2);
  struct Case {
    const engine::Fabric* f;
    CollectiveOp op;
    std::vector<DeviceId> g;
    Bytes bytes;
  };
  const std::vector<Case> cases = {
      {&fh, CollectiveOp::kAllReduce, first(8), Bytes(4096)},          // ring LL
      {&fh, CollectiveOp::kAllReduce, first(8), Bytes::mega(64)},      // NVLS
      {&fh, CollectiveOp::kReduceScatter, first(8), Bytes::mega(64)},  // ring Simple
      {&f2, CollectiveOp::kAllReduce, first(16), Bytes::mega(256)},    // hierarchical
      {&f2, CollectiveOp::kAllGather, first(16), Bytes::kilo(64)},     // ring across nodes
      {&fc, CollectiveOp::kAllToAll, first(16, 8), Bytes::mega(8)},    // HCCL, 16 nodes
      {&fc, CollectiveOp::kSendRecv, {DeviceId{0}, DeviceId{9}}, Bytes(512)},
      {&fa, CollectiveOp::kAllReduce, first(8), Bytes::mega(64)},  // HCCL mesh
  };
  for (const Case& k : cases) {
    const Collective col = engine::tune(*k.f, k.op, k.g, k.bytes, {});
    INFO(engine::to_string(k.op) << " " << k.bytes.value() << " B, " << engine::to_string(col.algorithm) << "/"
                                 << engine::to_string(col.protocol));
    // Flow mode runs a hierarchical all-reduce's phases in sequence: the closed form
    // without the pipeline (collectives.h); the pipeline only shortens it.
    Collective sequential = col;
    sequential.cost.pipeline_chunk = Bytes(0);
    const SimTime closed = engine::collective_time(*k.f, sequential, {});
    const SimTime flows = flow_time(*k.f, col);
    CHECK(us(flows) == doctest::Approx(us(closed)).epsilon(0.01));
    CHECK(engine::collective_time(*k.f, col, {}) <= closed);
  }
}

TEST_CASE("HCCL: mesh on the Atlas 800T A2's HCCS, ring or hierarchical on the UB") {
  const topologies::Cluster a2 = topologies::build_preset("atlas-800t-a2");
  const topologies::EngineFabric fa(a2);
  const Collective mesh = engine::tune(fa, CollectiveOp::kAllReduce, first(8), Bytes::mega(64), {});
  CHECK(mesh.algorithm == Algorithm::kMesh);
  // Mesh all-reduce: two steps of S/8 = 8 MB to each of 7 peers, each on its own 28 GB/s
  // link (285.7 us) after its 0.5 us hop, plus HCCL's 10 us per call: 582.4 us.
  CHECK(us(engine::collective_time(fa, mesh, {})) == doctest::Approx(10 + 2 * (0.5 + 64e6 / 8 / 28e9 * 1e6)).epsilon(1e-3));
  const topologies::Cluster cm = topologies::build_preset("cloudmatrix384");
  const topologies::EngineFabric fc(cm);
  const Collective ring = engine::tune(fc, CollectiveOp::kAllGather, first(16), Bytes::mega(64), {});
  CHECK(ring.algorithm == Algorithm::kRing);
  CHECK(ring.cost.base == SimTime::micros(10));
  CHECK(ring.cost.endpoint == SimTime::nanos(500));
}

TEST_CASE("CloudMatrix384 UB point to point: Table 1's latency and read bandwidth") {
  // arXiv 2506.12708 v2, Table 1, per die, NPU-NPU read: 512 B in 1.2 us intra-node and
  // 1.9 us inter-node; 167 (intra) and 164 (inter) GB/s of 196 per die. podsim's devices
  // are NPUs of 2 dies (392 GB/s); a transfer between two NPUs uses both dies' links.
  const topologies::Cluster cm = topologies::build_preset("cloudmatrix384");
  const topologies::EngineFabric f(cm);
  auto p2p = [&](uint32_t dst, Bytes b) {
    const Collective c = engine::tune(f, CollectiveOp::kSendRecv, {DeviceId{0}, DeviceId{dst}}, b, {});
    return engine::collective_time(f, c, {});
  };
  // Device 1 shares node 0; device 8 is on node 1.
  CHECK(us(p2p(1, Bytes(512))) == doctest::Approx(1.2).epsilon(0.15));
  CHECK(us(p2p(8, Bytes(512))) == doctest::Approx(1.9).epsilon(0.15));
  const double intra_die = Bytes::giga(1).value() / p2p(1, Bytes::giga(1)).to_seconds() / 2 / 1e9;
  const double inter_die = Bytes::giga(1).value() / p2p(8, Bytes::giga(1)).to_seconds() / 2 / 1e9;
  CHECK(intra_die == doctest::Approx(167).epsilon(0.15));
  CHECK(inter_die == doctest::Approx(164).epsilon(0.15));
  // ~85% of the 196 GB/s line rate per die.
  CHECK(inter_die / 196 == doctest::Approx(0.84).epsilon(0.02));
}

TEST_CASE("CloudMatrix384 MoE dispatch and combine: Table 7 at EP8-EP256") {
  // arXiv 2506.12708 v2, Table 7: CANN's dispatch and combine of 128 tokens per die
  // (DeepSeek-V3: hidden 7168, top-8; dispatch in INT8, combine in BF16), per die. A
  // podsim rank is a 910C package of 2 dies: EP w dies = w/2 packages with 256 tokens each.
  const topologies::Cluster cm = topologies::build_preset("cloudmatrix384");
  const topologies::EngineFabric f(cm);
  struct Row {
    size_t ep_dies;
    double dispatch_us, combine_us;
  };
  const std::vector<Row> table7 = {{8, 116, 118},   {16, 131, 132},  {32, 133, 146},
                                   {64, 141, 150},  {128, 152, 150}, {256, 152, 149}};
  const double copies = 2 * 128 * 8 * 7168.0;  // token copies x hidden, per package
  const bool fit = std::getenv("PODSIM_FIT") != nullptr;
  for (const Row& r : table7) {
    const std::vector<DeviceId> g = first(r.ep_dies / 2);
    for (auto [kind, bytes, published] : {std::tuple{engine::MoeExchange::kDispatch, copies * 1, r.dispatch_us},
                                          std::tuple{engine::MoeExchange::kCombine, copies * 2, r.combine_us}}) {
      const Collective c = engine::moe_exchange(f, kind, g, Bytes(bytes), {});
      const double t = us(engine::collective_time(f, c, {}));
      if (fit) {
        const Collective bare = engine::tune(f, CollectiveOp::kAllToAll, g, Bytes(bytes), {});
        std::printf("FITMOE %d %zu %.3f %.3f\n", int(kind), g.size(), us(engine::collective_time(f, bare, {})),
                    published);
      }
      INFO("EP" << r.ep_dies << (kind == engine::MoeExchange::kDispatch ? " dispatch " : " combine ") << t
                << " us, published " << published);
      CHECK(t == doctest::Approx(published).epsilon(0.15));
    }
  }
}

// A collective of `a`/`p` with the library's terms for its group's shape.
Collective forced(const engine::Fabric& f, CollectiveOp op, Algorithm a, Protocol p, std::vector<DeviceId> g,
                  Bytes bytes, size_t domains) {
  Collective col{.op = op, .algorithm = a, .group = std::move(g), .bytes = bytes};
  col.protocol = p;
  col.cost = engine::library_terms(f.comm_profile(col.group.front()), op, a, p, bytes, {col.group.size(), domains});
  return col;
}

TEST_CASE("NCCL's double binary tree: latency grows with log2 of the nodes, not the ranks (tuning.cc)") {
  // One rank per HGX H100 node (a DP group under TP8). NVIDIA/nccl src/graph/tuning.cc
  // (2.30.7; docs/collectives.md §1): tree LL base 6.8 us, NET step 5.0 us, latency
  // base + 2 (ppn - 1) L_nvlink + 2 log2(nodes) L_net; bandwidth 0.92 / 3.8 of the bus
  // bandwidth for LL, times treeCorrectionFactor[LL][log2(1024 / 64) = 4] = 0.9, times
  // NDR's achieved 47/50 (link_curves.cc). Plus the board's call overhead, 14.6 us.
  const topologies::Cluster c = hgx_h100s(64);
  const topologies::EngineFabric f(c);
  const double factor = 0.92 / 3.8 * 0.9 * 47.0 / 50;
  auto tree_ll = [&](size_t nodes) {
    return forced(f, CollectiveOp::kAllReduce, Algorithm::kDoubleTree, Protocol::kLL, first(nodes, 8), Bytes(1024),
                  nodes);
  };
  // 16 nodes: every node sends 2S on its 400 Gb/s NIC (parent and two children in one
  // tree, a parent in the other, S/2 each): 14.6 + 6.8 + 2 x 4 x 5.0 + 2048 B / (factor x 50 GB/s).
  const double t16 = 14.6 + 6.8 + 40 + 2048 / (factor * 50e9) * 1e6;
  CHECK(us(engine::collective_time(f, tree_ll(16), {})) == doctest::Approx(t16).epsilon(1e-3));
  CHECK(us(flow_time(f, tree_ll(16))) == doctest::Approx(t16).epsilon(0.01));
  // 4x the nodes: 2 x 2 more NET steps (20 us), not 2 x 48 more ring steps.
  CHECK(us(engine::collective_time(f, tree_ll(64), {})) - us(engine::collective_time(f, tree_ll(16), {})) ==
        doctest::Approx(20).epsilon(0.01));
  // A ring LL on the same 16 ranks pays 30 NET steps at the tree's 5.0 us (one rank per
  // node): 14.6 + 6.8 ... (6.6 base) + 150 us; the tuner takes the tree.
  Collective ring = forced(f, CollectiveOp::kAllReduce, Algorithm::kRing, Protocol::kLL, first(16, 8), Bytes(1024), 16);
  CHECK(ring.cost.step_inter == SimTime::micros(5));
  CHECK(us(engine::collective_time(f, ring, {})) > 14.6 + 6.6 + 150);
  const Collective col = engine::tune(f, CollectiveOp::kAllReduce, first(16, 8), Bytes::kilo(64), {});
  CHECK(col.algorithm == Algorithm::kDoubleTree);
  // At 1 GB the ring (full bus bandwidth) beats the tree (0.92 of it).
  const Collective big = engine::tune(f, CollectiveOp::kAllReduce, first(16, 8), Bytes::giga(1), {});
  CHECK(big.algorithm == Algorithm::kRing);
}

TEST_CASE("NCCL's tree on 2 x 8 H100: chains inside the nodes, trees between, one pipelined step") {
  // S = 1 GB, tree Simple (0.92, no size correction at >= 512 MB). Each GPU heads one of
  // 8 parts (S/8): on NVLink it sends 2 (m-1)/m S = 1.75 GB at 450 GB/s x 0.92 x 0.818
  // (NVLink 4 ring fraction); its NIC carries S/8 (up one tree, down the other, S/16
  // each) at 50 GB/s x 0.92 x 0.94. NVLink binds: 4.23 ms + latency 8.4 + 14.6 + 2 x (7
  // x 4.0 + 1 x 14) us.
  const topologies::Cluster c = hgx_h100s(2);
  const topologies::EngineFabric f(c);
  const Collective col =
      forced(f, CollectiveOp::kAllReduce, Algorithm::kDoubleTree, Protocol::kSimple, first(16), Bytes::giga(1), 2);
  const double nvlink = 1.75e9 / (450e9 * 0.92 * 368.0 / 450) * 1e6;
  CHECK(us(engine::collective_time(f, col, {})) == doctest::Approx(8.4 + 14.6 + 2 * (7 * 4.0 + 14) + nvlink).epsilon(1e-3));
  CHECK(us(flow_time(f, col)) == doctest::Approx(us(engine::collective_time(f, col, {}))).epsilon(0.01));
  // Unequal domains are refused, as for the hierarchical all-reduce.
  Collective uneven = col;
  uneven.group = first(12);
  CHECK_THROWS_AS(engine::collective_time(f, uneven, {}), std::invalid_argument);
}

TEST_CASE("PAT: all-gather and reduce-scatter in log2 n steps at one rank per node (tuning.cc)") {
  // 16 nodes x 1 rank, S = 64 KB. tuning.cc: PAT base 8 us + 2.8 us x 16 ranks, 4 steps
  // of 14 / 3.5 = 4 us (above the route's 4 x 0.5 us), bandwidth 0.75 of the bus
  // bandwidth on the whole S. Steps move 1, 2, 4, 8 blocks of S/16 (Bruck), (n-1)/n S
  // in all, at 0.75 x 15/16 x 0.94 of 50 GB/s: S / (0.75 x 0.94 x 50 GB/s) = 1.86 us.
  const topologies::Cluster c = hgx_h100s(16);
  const topologies::EngineFabric f(c);
  const double bytes = 65536;
  const double expected = 14.6 + 8 + 2.8 * 16 + 4 * 4.0 + bytes / (0.75 * 0.94 * 50e9) * 1e6;
  for (CollectiveOp op : {CollectiveOp::kAllGather, CollectiveOp::kReduceScatter}) {
    const Collective col = forced(f, op, Algorithm::kPat, Protocol::kSimple, first(16, 8), Bytes(bytes), 16);
    INFO(engine::to_string(op));
    CHECK(us(engine::collective_time(f, col, {})) == doctest::Approx(expected).epsilon(1e-3));
    CHECK(us(flow_time(f, col)) == doctest::Approx(expected).epsilon(0.01));
    // The ring pays 15 NET steps of 14 us: PAT wins at this size, the ring at 1 GB.
    CHECK(engine::tune(f, op, first(16, 8), Bytes(bytes), {}).algorithm == Algorithm::kPat);
    CHECK(engine::tune(f, op, first(16, 8), Bytes::giga(1), {}).algorithm == Algorithm::kRing);
    // Two ranks per node: no PAT (NCCL: "PAT only supports 1 GPU per node").
    for (const Bytes b : {Bytes(bytes), Bytes::giga(1)})
      CHECK(engine::tune(f, op, first(16, 4), b, {}).algorithm != Algorithm::kPat);
  }
  // A group of 12 (not a power of two): ceil(log2 12) = 4 steps, the last of 12 - 8 = 4
  // blocks; still (n-1)/n S per rank.
  const Collective odd =
      forced(f, CollectiveOp::kAllGather, Algorithm::kPat, Protocol::kSimple, first(12, 8), Bytes(bytes), 12);
  CHECK(us(flow_time(f, odd)) == doctest::Approx(us(engine::collective_time(f, odd, {}))).epsilon(0.01));
}

TEST_CASE("NCCL channels: one ring per NIC across nodes, fewer for small calls (search.cc, enqueue.cc)") {
  using engine::GroupShape;
  using engine::nccl_ring_channels;
  const GroupShape dgx{.ranks = 64, .domains = 8};  // 8 nodes x 8 GPUs, a NIC each
  // Large calls: one ring per GPU's NIC (the search's 8 channels, duplicated to 16).
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes::giga(1), dgx) == 8);
  // enqueue.cc: nc-- while S < nc x 512 threads x 64 (Simple): 16 x 32 KiB = 512 KiB
  // keeps all 16 channels, 8 rings; 128 KiB keeps 4 channels, 64 KiB 2, 16 KiB 1.
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes(512 * 1024), dgx) == 8);
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes(128 * 1024), dgx) == 4);
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes(64 * 1024), dgx) == 2);
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes(16 * 1024), dgx) == 1);
  // Ring LL's threshold is 8 x nRanks: 512 x 8 x 64 = 256 KiB a channel.
  CHECK(nccl_ring_channels(Protocol::kLL, Bytes(1024 * 1024), dgx) == 4);
  // LL128: 640 threads x 8 = 5 KiB a channel.
  CHECK(nccl_ring_channels(Protocol::kLL128, Bytes(40 * 1024), dgx) == 8);
  // One domain, one rank per domain, or unequal domains: one ring.
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes::giga(1), {.ranks = 8, .domains = 1}) == 1);
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes::giga(1), {.ranks = 8, .domains = 8}) == 1);
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes::giga(1), {.ranks = 8, .domains = 0}) == 1);
  // Unequal nodes: the smallest node's count (init.cc), here 2 of 8 + 2 ranks.
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes::giga(1), {.ranks = 10, .domains = 0, .smallest = 2}) == 2);
  // 72 GPUs a domain (NVL72 racks): the search stops at MAXCHANNELS / 2 = 32 rings.
  CHECK(nccl_ring_channels(Protocol::kSimple, Bytes::giga(1), {.ranks = 144, .domains = 2}) == 32);
}

TEST_CASE("NCCL channels on 2 x 8 H100: an all-gather leaves on every NIC") {
  const topologies::Cluster two = hgx_h100s(2);
  const topologies::EngineFabric f(two);
  const Collective ag = engine::tune(f, CollectiveOp::kAllGather, first(16), Bytes::giga(1), {});
  CHECK(ag.algorithm == Algorithm::kRing);
  CHECK(ag.protocol == Protocol::kSimple);
  CHECK(ag.cost.channels == 8);
  // Hand calculation: 15 steps; a step's chunk is S / (16 x 8) = 7.81 MB a ring (S = 1e9
  // B), one on every NIC at 0.94 x 50 GB/s (IB NDR's curve, link_curves.cc) = 166.2 us,
  // seven on NVLink at 0.818 x 450 GB/s = 148.5 us: the NIC binds. Latency: 14.6 + 8.4 us once,
  // one step at NET's 14 us, 14 at NVLink's 3.4 us (routes are shorter).
  const double chunk = 1e9 / 128;
  const double hand = 14.6 + 8.4 + 14.0 + 14 * 3.4 + 15 * chunk / (0.94 * 50e9) * 1e6;
  CHECK(us(engine::collective_time(f, ag, {})) == doctest::Approx(hand).epsilon(2e-3));
  CHECK(us(flow_time(f, ag)) == doctest::Approx(us(engine::collective_time(f, ag, {}))).epsilon(0.01));
  // The one ring NCCL does not run: every crossing on one NIC, 8x the time on the wire.
  Collective one = ag;
  one.cost.channels = 1;
  CHECK(engine::collective_time(f, one, {}) > engine::collective_time(f, ag, {}) * 6);
}

TEST_CASE("NCCL's bandwidth ceilings across nodes (tuning.cc llMaxBws, perChMaxRingLL128Bws, perChMaxTreeBws)") {
  using engine::CeilingFactors;
  using engine::GpuGeneration;
  using engine::GroupShape;
  using engine::nccl_ceiling_factors;
  using engine::RankRates;
  // HGX H100: 450 GB/s of NVLink a GPU, a 400 Gb/s (50 GB/s) NIC a GPU; 8 GPUs a node,
  // so NCCL's search finds 8 channels, one a NIC. NVIDIA/nccl src/graph/tuning.cc
  // (2.30.7; docs/collectives.md §1.4).
  const RankRates h100{.scale_up = 450e9, .scale_out = 50e9};
  const GroupShape two{.ranks = 16, .domains = 2};
  const GroupShape four{.ranks = 32, .domains = 4};
  auto f = [](GpuGeneration g, Algorithm a, Protocol p, GroupShape s, RankRates r) {
    return nccl_ceiling_factors(g, a, p, s, r);
  };
  // Ring LL128: 36.7 GB/s a channel on Hopper: 36.7 / 50 of a NIC, 8 x 36.7 / 450 of NVLink.
  CeilingFactors c = f(GpuGeneration::kHopper, Algorithm::kRing, Protocol::kLL128, four, h100);
  CHECK(c.inter == doctest::Approx(36.7 / 50));
  CHECK(c.intra == doctest::Approx(8 * 36.7 / 450));
  // Ring LL: the whole bus at llMaxBws' non-AMD row, 39.0 GB/s on 2 nodes, 20.4 on more.
  c = f(GpuGeneration::kHopper, Algorithm::kRing, Protocol::kLL, two, h100);
  CHECK(c.inter == doctest::Approx(39.0 / (8 * 50)));
  CHECK(c.intra == doctest::Approx(39.0 / 450));
  CHECK(f(GpuGeneration::kHopper, Algorithm::kRing, Protocol::kLL, four, h100).inter == doctest::Approx(20.4 / 400));
  // Ampere takes the AMD row (DGX A100's EPYC hosts): 19.0 GB/s on more than 2 nodes.
  const RankRates a100{.scale_up = 300e9, .scale_out = 25e9};
  CHECK(f(GpuGeneration::kAmpere, Algorithm::kRing, Protocol::kLL, four, a100).inter == doctest::Approx(19.0 / 200));
  // Tree all-reduce, Simple: perChMaxTreeBws, 36.0 GB/s a channel on Hopper at 4+ nodes,
  // 17.8 on Ampere (a 25 GB/s HDR NIC keeps 0.712 of it).
  CHECK(f(GpuGeneration::kHopper, Algorithm::kDoubleTree, Protocol::kSimple, four, h100).inter ==
        doctest::Approx(36.0 / 50));
  CHECK(f(GpuGeneration::kAmpere, Algorithm::kDoubleTree, Protocol::kSimple, four, a100).inter ==
        doctest::Approx(17.8 / 25));
  // Tree LL: min(8 x 36.0 / 3.8, llMax 20.4); LL128: min(8 x 36.0 x 120/128, 8 x 29.0).
  CHECK(f(GpuGeneration::kHopper, Algorithm::kDoubleTree, Protocol::kLL, four, h100).inter ==
        doctest::Approx(20.4 / 400));
  CHECK(f(GpuGeneration::kHopper, Algorithm::kDoubleTree, Protocol::kLL128, four, h100).inter ==
        doctest::Approx(8 * 29.0 / 400));
  // 2 nodes index NCCL's N2 column: tree 41.4 GB/s a channel on Hopper.
  CHECK(f(GpuGeneration::kHopper, Algorithm::kDoubleTree, Protocol::kSimple, two, h100).inter ==
        doctest::Approx(41.4 / 50));
  // No ceiling: Simple rings, one node, HCCL's Ascend, unknown rates.
  for (const CeilingFactors none :
       {f(GpuGeneration::kHopper, Algorithm::kRing, Protocol::kSimple, four, h100),
        f(GpuGeneration::kHopper, Algorithm::kRing, Protocol::kLL, {.ranks = 8, .domains = 1}, h100),
        f(GpuGeneration::kAscend, Algorithm::kRing, Protocol::kLL, four, h100),
        f(GpuGeneration::kHopper, Algorithm::kRing, Protocol::kLL128, four, {})}) {
    CHECK(none.intra == 1);
    CHECK(none.inter == 1);
  }
}

TEST_CASE("NCCL chooses with its ceilings, then the call runs at the measured rate") {
  // 4 x 8 H100 over NDR: over sizes from 4 KB to 1 GB the tuner's choice is the fastest
  // candidate under the ceilings (its model), and the returned terms are those without
  // them (link_curves' measured fractions).
  const topologies::Cluster c = hgx_h100s(4);
  const topologies::EngineFabric f(c);
  const engine::RankRates rates{.scale_up = 450e9, .scale_out = 50e9};
  const engine::GroupShape shape{.ranks = 32, .domains = 4};
  const engine::CommProfile profile = f.comm_profile(DeviceId{0});
  for (double bytes = 4096; bytes <= 1.1e9; bytes *= 8) {
    for (CollectiveOp op : {CollectiveOp::kAllReduce, CollectiveOp::kAllGather}) {
      const Collective col = engine::tune(f, op, first(32), Bytes(bytes), {});
      INFO(engine::to_string(op) << " " << bytes << " B: " << engine::to_string(col.algorithm) << "/"
                                 << engine::to_string(col.protocol));
      const engine::CostTerms measured =
          engine::library_terms(profile, op, col.algorithm, col.protocol, Bytes(bytes), shape);
      CHECK(col.cost.intra_factor == measured.intra_factor);
      CHECK(col.cost.inter_factor == measured.inter_factor);
      auto modelled = [&](Algorithm a, Protocol p) {
        Collective k = col;
        k.algorithm = a;
        k.protocol = p;
        k.cost = engine::library_terms(profile, op, a, p, Bytes(bytes), shape, rates);
        return engine::collective_time(f, k, {});
      };
      const SimTime chosen = modelled(col.algorithm, col.protocol);
      std::vector<Algorithm> algorithms = {Algorithm::kRing};
      if (op == CollectiveOp::kAllReduce) algorithms = {Algorithm::kRing, Algorithm::kHierarchical, Algorithm::kDoubleTree};
      for (Algorithm a : algorithms)
        for (Protocol p : {Protocol::kLL, Protocol::kLL128, Protocol::kSimple}) CHECK(chosen <= modelled(a, p));
    }
  }
}

TEST_CASE("NCCL on 8 A100: LL128 between LL and Simple, no NVLS (tuning.cc enables LL128 from sm70)") {
  // NCCL's tuning.cc turns LL128 on by default from compute capability 7.0 on NVLink
  // nodes (NCCL 2.8.4 already for 7.0 and 8.0); NVLS needs NVSwitch 3 (Hopper).
  const topologies::Cluster c = topologies::build_preset("hgx-a100");
  const topologies::EngineFabric f(c);
  bool ll128_chosen = false;
  for (double bytes = 1024; bytes <= 4e9; bytes *= 2) {
    const Collective ar = engine::tune(f, CollectiveOp::kAllReduce, first(8), Bytes(bytes), {});
    CHECK(ar.algorithm != Algorithm::kInSwitch);
    ll128_chosen |= ar.protocol == Protocol::kLL128;
  }
  CHECK(ll128_chosen);
  CHECK(engine::tune(f, CollectiveOp::kAllReduce, first(8), Bytes(4096), {}).protocol == Protocol::kLL);
  CHECK(engine::tune(f, CollectiveOp::kAllReduce, first(8), Bytes::giga(1), {}).protocol == Protocol::kSimple);
}
