// Achieved bus bandwidth by message size, per fabric: podsim's collectives (the tuner's
// choice, link_curves.h) on the presets against every point of the published
// nccl-tests curves in docs/collectives.md §2, each within 15%. The sources (copied
// numbers, not text): Azure/AI-benchmarking-guide (ND H200 v5, ND A100 v4, ND GB200
// v6), coreweave/nccl-tests README (GB200 NVL72, 64 x H100 SHARP), an A3 Mega 2 x 8 H100
// run (lessizzmore/create-a3mega-ztan-fork), NVIDIA/nccl issues 1455 and nccl-tests 212.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "engine/network/collectives.h"
#include "engine/network/comm_tuner.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"

using namespace podsim;
using engine::Bytes;
using engine::CollectiveOp;
using engine::DeviceId;

namespace {

struct Point {
  double bytes;
  double busbw_gbps;  // published
};

std::vector<DeviceId> first(size_t n, size_t stride = 1) {
  std::vector<DeviceId> g;
  for (size_t i = 0; i < n; ++i) g.push_back(DeviceId{static_cast<uint32_t>(i * stride)});
  return g;
}

double podsim_busbw(const engine::Fabric& f, const std::vector<DeviceId>& g, CollectiveOp op, double bytes) {
  const engine::Collective c = engine::tune(f, op, g, Bytes(bytes), {});
  const engine::SimTime t = engine::collective_time(f, c, {});
  return engine::bus_bandwidth(op, g.size(), Bytes(bytes), t).value() / 1e9;
}

// Every point within `tolerance` of podsim; prints the comparison when one is not.
void check_curve(const char* name, const engine::Fabric& f, const std::vector<DeviceId>& g, CollectiveOp op,
                 const std::vector<Point>& published, double tolerance = 0.15) {
  const bool fit = std::getenv("PODSIM_FIT") != nullptr;
  for (const Point& p : published) {
    const double got = podsim_busbw(f, g, op, p.bytes);
    if (fit) {
      // The fraction that would reproduce the point: scale the bandwidth part of the
      // time (t - latency) to the published time, latency = the same call at 1 byte.
      engine::Collective c = engine::tune(f, op, g, Bytes(p.bytes), {});
      const double t0 = engine::collective_time(f, c, {}).to_seconds();
      c.bytes = Bytes(1);
      const double lat = engine::collective_time(f, c, {}).to_seconds();
      const double algbw = p.busbw_gbps * 1e9 / (engine::bus_bandwidth(op, g.size(), Bytes(1), engine::SimTime::seconds_ceil(1.0)).value());
      const double t = p.bytes / algbw;
      std::printf("FIT %s %.0f alg %s/%s f0 %.4f scale %.4f (t %.1f us, lat %.1f us)\n", name, p.bytes,
                  engine::to_string(c.algorithm), engine::to_string(c.protocol), c.cost.intra_factor,
                  (t0 - lat) / (t - lat), t * 1e6, lat * 1e6);
    }
    const double err = got / p.busbw_gbps - 1;
    INFO(name << ": " << p.bytes << " B: podsim " << got << " GB/s, published " << p.busbw_gbps);
    std::printf("%s %.0f B podsim %.3f published %.3f err %+.1f%%\n", name, p.bytes, got, p.busbw_gbps, err * 100);
    CHECK(std::abs(err) <= tolerance);
  }
}

topologies::Cluster hgx(const char* device, double nvlink_gbps, int links, int count, double nic_gbits = 400) {
  topologies::HgxParams h;
  h.device = device;
  h.nvlink_gbytes_per_s = nvlink_gbps;
  h.nvlinks_per_gpu = links;
  h.nic_gbits_per_s = nic_gbits;
  topologies::ClusterParams p{.name = "hgx", .pools = {{.name = "hgx", .preset = "hgx", .count = count, .system = h}}};
  // Two leaves of 4 nodes' NICs each, non-blocking (the published runs' fabrics are not
  // described beyond their NICs).
  if (count > 1) p.fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 8 * count, .rail_optimized = false};
  return topologies::build_cluster(p);
}

constexpr double K = 1024, M = K * K, G = M * K;

}  // namespace

TEST_CASE("HGX H100 NVLink4: NVLS all-reduce of 8 GPUs (curve A1) and ring (nccl issue 1455)") {
  const topologies::Cluster c = topologies::build_preset("hgx-h100");
  const topologies::EngineFabric f(c);
  // Azure ND H200 v5 (NVLink4, the H100's NVSwitch3 board), NCCL 2.20.5, in-place busbw.
  check_curve("A1", f, first(8), CollectiveOp::kAllReduce,
              {{1 * K, 0.06},   {4 * K, 0.23},   {16 * K, 0.93},   {64 * K, 3.72},   {256 * K, 14.75},
               {1 * M, 52.96},  {2 * M, 88.78},  {4 * M, 138.44},  {8 * M, 181.94},  {16 * M, 240.41},
               {32 * M, 300.91}, {64 * M, 368.11}, {128 * M, 412.45}, {256 * M, 432.24}, {512 * M, 442.72},
               {1 * G, 467.58}, {2 * G, 472.57}, {4 * G, 477.41}, {8 * G, 479.98}});
  // Ring (NVLS off), 2-4 GB: 365-370 GB/s for 2 to 8 GPUs; reduce-scatter and
  // all-gather run rings, so the same rate.
  check_curve("H100 ring AG", f, first(8), CollectiveOp::kAllGather, {{2 * G, 368}, {4 * G, 368}});
}

TEST_CASE("HGX A100 NVLink3: all-reduce of 8 GPUs (curve C1)") {
  const topologies::Cluster c = hgx("a100", 300, 12, 1);
  const topologies::EngineFabric f(c);
  // Azure ND A100 v4, NCCL 2.18.5, in-place busbw.
  check_curve("C1", f, first(8), CollectiveOp::kAllReduce,
              {{1 * K, 0.04},    {16 * K, 0.67},    {256 * K, 10.11},  {1 * M, 36.22},  {2 * M, 53.54},
               {4 * M, 71.43},   {8 * M, 89.99},    {16 * M, 109.22},  {32 * M, 132.77}, {64 * M, 166.63},
               {128 * M, 174.18}, {256 * M, 213.87}, {512 * M, 221.58}, {1 * G, 228.10}, {2 * G, 230.22},
               {4 * G, 230.48},  {8 * G, 231.58}});
}

TEST_CASE("GB200 NVL72 NVLink5: 72 GPUs (curve D1) and one 4-GPU host (curve D4)") {
  const topologies::Cluster c = topologies::build_preset("nvl72");
  const topologies::EngineFabric f(c);
  // CoreWeave, NCCL 2.26.2, out-of-place busbw.
  check_curve("D1", f, first(72), CollectiveOp::kAllReduce,
              {{512 * M, 586.06}, {1 * G, 681.17}, {2 * G, 757.78}, {4 * G, 839.16}, {8 * G, 834.57}});
  // Azure ND GB200 v6, NCCL 2.25.1, Ring, in-place busbw.
  check_curve("D4", f, first(4), CollectiveOp::kAllReduce,
              {{1 * K, 0.10},    {16 * K, 1.46},    {256 * K, 22.41},  {1 * M, 80.48},   {2 * M, 110.43},
               {4 * M, 146.27},  {8 * M, 253.46},   {16 * M, 331.09},  {32 * M, 422.62}, {64 * M, 550.73},
               {128 * M, 574.19}, {256 * M, 593.53}, {512 * M, 618.74}, {1 * G, 646.87}, {2 * G, 666.63},
               {4 * G, 673.06},  {8 * G, 679.61}});
}

// Multi-node H100 (NDR 400G NICs, 47 of 50 GB/s measured): NCCL pipelines the
// hierarchical all-reduce's phases in 2 MiB chunks (collectives.h), so at large sizes
// the time is the slowest links' share: the in-node reduce-scatter and all-gather
// together on NVLink, 2 (m-1)/m S at 0.818 x 450 GB/s, with the across-node all-reduce
// (2 (k-1)/k S/m per NIC) beside them. B2 ran with SHARP (in-network reduction in the
// IB switches), which podsim does not model; it makes the across-node phase cheaper
// still, and that phase is already hidden behind NVLink at 8 nodes (1.75 S / 368 GB/s
// in the node against 0.22 S / 47 GB/s across), so the busbw is NVLink's either way.
TEST_CASE("H100 over InfiniBand NDR: 8 x 8 GPUs (curve B2)") {
  const topologies::Cluster eight = hgx("h100", 450, 18, 8);
  const topologies::EngineFabric f8(eight);
  check_curve("B2", f8, first(64), CollectiveOp::kAllReduce,
              {{512 * M, 356.01}, {1 * G, 365.90}, {2 * G, 380.73}, {4 * G, 383.23}, {8 * G, 386.56}});
}

// DGX A100 across nodes, 8 x HDR 200 Gb/s NICs a node: NVIDIA measures 192 GB/s of
// all-reduce bus bandwidth (NVIDIA/nccl issue 812) and NCCL's maintainers ~24 GB/s a NIC
// on 3+ nodes (nccl-tests issue 160). A ring across nodes runs as NCCL's channels, one
// ring per NIC (collectives.h, "Channels"): 8 x 0.96 x 25 GB/s = 192 GB/s of busbw for
// the ring all-reduce and for the all-gather and reduce-scatter, which NCCL runs on the
// same rings (busbw (n-1)/n S / t). One ring would give 24 GB/s.
TEST_CASE("DGX A100 over InfiniBand HDR: 4 x 8 GPUs, channels over all 8 NICs (nccl issue 812)") {
  const topologies::Cluster four = hgx("a100", 300, 12, 4, 200);
  const topologies::EngineFabric f(four);
  const std::vector<DeviceId> g = first(32);
  for (CollectiveOp op : {CollectiveOp::kAllGather, CollectiveOp::kReduceScatter}) {
    const engine::Collective c = engine::tune(f, op, g, Bytes(1 * G), {});
    CHECK(c.algorithm == engine::Algorithm::kRing);
    CHECK(c.cost.channels == 8);
    check_curve(engine::to_string(op), f, g, op, {{1 * G, 192}, {4 * G, 192}});
  }
  // The ring all-reduce (the tuner may prefer the tree or the hierarchical stand-in).
  for (double bytes : {1 * G, 4 * G}) {
    engine::Collective c = engine::tune(f, CollectiveOp::kAllReduce, g, Bytes(bytes), {});
    c.algorithm = engine::Algorithm::kRing;
    c.protocol = engine::Protocol::kSimple;
    c.cost = engine::library_terms(f.comm_profile(g[0]), c.op, c.algorithm, c.protocol, c.bytes, {.ranks = 32, .domains = 4});
    const double busbw =
        engine::bus_bandwidth(c.op, g.size(), c.bytes, engine::collective_time(f, c, {})).value() / 1e9;
    std::printf("A100 ring all-reduce %.0f B podsim %.1f published 192\n", bytes, busbw);
    CHECK(busbw == doctest::Approx(192).epsilon(0.15));
  }
}

// Known gap, kept visible: B1 is GCP A3 Mega's (GPUDirect-TCPXO, not InfiniBand: a
// 123 us floor at small sizes that podsim's IB fabric does not have). At 1-8 GB podsim,
// with the phases pipelined, is 16-30% above it: its bound is NVLink's (1.75 S), which
// A3 Mega's network (not the NDR fabric built here) and NCCL's 16-rank ring (1.875 S on
// NVLink) do not reach; sequential phases were 16-26% below.
TEST_CASE("H100 over GPUDirect-TCPXO: 2 x 8 GPUs (curve B1)" * doctest::may_fail()) {
  const topologies::Cluster two = hgx("h100", 450, 18, 2);
  const topologies::EngineFabric f2(two);
  check_curve("B1", f2, first(16), CollectiveOp::kAllReduce,
              {{64 * K, 0.77},
               {1 * M, 9.68},
               {16 * M, 32.18},
               {128 * M, 152.32},
               {1 * G, 297.86},
               {4 * G, 330.58},
               {8 * G, 338.82}});
}
