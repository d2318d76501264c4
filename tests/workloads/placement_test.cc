// Domain-aligned placement (placement.h) and the HCCL Mesh algorithm on a full-mesh
// server (step_model.cc), against hand calculations.
#include "workloads/placement.h"

#include <doctest/doctest.h>

#include <set>

#include "tests/engine/network/test_fabrics.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using engine::Bandwidth;
using engine::DeviceId;
using engine::SimTime;

// 8 devices, one direct link per ordered pair (link a*8+b: a -> b), like the Atlas 800T
// A2's HCCS mesh (hardware.md §1.2: 28 GB/s per pair, 7 peers).
class FullMesh : public engine::testing::HandFabric {
 public:
  FullMesh(size_t n, Bandwidth bw) : n_(n) {
    devices_ = n;
    for (size_t i = 0; i < n * n; ++i) add(bw, SimTime::zero());
  }
  const std::vector<engine::LinkId>& route(DeviceId s, DeviceId d) const override {
    return set_route({engine::LinkId{static_cast<uint32_t>(engine::index(s) * n_ + engine::index(d))}});
  }

 private:
  size_t n_;
};

}  // namespace

TEST_CASE("EP groups stay inside a rack: 256 ranks of EP64 on 4 NVL72 racks use 64 devices of each") {
  const engine::testing::TwoTier racks(4, 72, Bandwidth::gbytes_per_s(900), SimTime::zero(),
                                       Bandwidth::gbytes_per_s(50), SimTime::zero());
  const Plan p{.tp = 1, .pp = 4, .dp = 64, .ep = 64, .micro_batch = 1, .global_batch = 64};
  CHECK(aligned_block(p, 72) == 64);
  const std::vector<DeviceId> placement = aligned_placement(p, racks);
  REQUIRE(placement.size() == 256);
  CHECK(engine::index(placement[63]) == 63);
  CHECK(engine::index(placement[64]) == 72);   // rank 64 starts rack 1
  CHECK(engine::index(placement[255]) == 279);  // 3 x 72 + 63
  for (int stage = 0; stage < 4; ++stage) {
    std::set<uint32_t> domains;
    for (DeviceId d : group_devices(p, CommGroup::kEp, stage, placement)) domains.insert(racks.domain(d));
    CHECK(domains.size() == 1);
  }
}

TEST_CASE("placement: blocks shrink to what a domain holds, a job that needs every device is contiguous") {
  const Plan p{.tp = 8, .pp = 2, .dp = 8, .cp = 2, .ep = 4, .micro_batch = 1, .global_batch = 8};
  CHECK(aligned_block(p, 72) == 64);   // tp cp ep
  CHECK(aligned_block(p, 32) == 16);   // tp cp
  CHECK(aligned_block(p, 8) == 8);     // tp
  CHECK(aligned_block(p, 4) == 1);
  // 256 ranks of EP64 on 4 domains of 64: aligned and contiguous are the same.
  const engine::testing::TwoTier exact(4, 64, Bandwidth::gbytes_per_s(900), SimTime::zero(),
                                       Bandwidth::gbytes_per_s(50), SimTime::zero());
  const Plan q{.tp = 1, .pp = 4, .dp = 64, .ep = 64, .micro_batch = 1, .global_batch = 64};
  const std::vector<DeviceId> placement = aligned_placement(q, exact);
  for (uint32_t r = 0; r < 256; ++r) CHECK(engine::index(placement[r]) == r);
  // 3 domains of 100 cannot hold 256 ranks in blocks of 64 (192): contiguous fallback.
  const engine::testing::TwoTier small(3, 100, Bandwidth::gbytes_per_s(900), SimTime::zero(),
                                       Bandwidth::gbytes_per_s(50), SimTime::zero());
  const std::vector<DeviceId> fallback = aligned_placement(q, small);
  CHECK(engine::index(fallback[255]) == 255);
}

TEST_CASE("TP on a full mesh runs HCCL's Mesh algorithm: each rank's S/8 to 7 peers at once") {
  // small GPT (16 layers, h 2048, s 2048), TP8 + SP, one micro-batch, compute free.
  // Collectives: per layer 2 all-gathers + 2 reduce-scatters forward and the same
  // backward; the embedding and the head 1 + 1 each way: 16 x 8 + 2 x 4 = 136, each of
  // S = s h 2 bytes = 8.39 MB. Mesh: S/8 on each direct 28 GB/s link at once, so
  // 136 x S / (8 x 28 GB/s) = 5.09 ms. A ring would take 7x that.
  const FullMesh mesh(8, Bandwidth::gbytes_per_s(28));
  const ModelSpec m{.name = "small-gpt", .layers = 16, .hidden = 2048, .ffn = 8192, .heads = 16, .kv_heads = 0,
                    .head_dim = 0, .vocab = 1024, .seq_len = 2048, .mlp = MlpKind::kGelu};
  const Plan p{.tp = 8, .sequence_parallel = true, .micro_batch = 1, .global_batch = 1};
  validate(m, p);
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = 8, .budget = {}};
  const engine::DeviceSpec dev{.name = "test", .peak_bf16 = engine::FlopRate::tera(1000),
                               .peak_fp16 = engine::FlopRate::tera(1000), .peak_fp8 = std::nullopt,
                               .peak_int8 = std::nullopt, .hbm_capacity = engine::Bytes::giga(1000),
                               .hbm_bandwidth = Bandwidth::gbytes_per_s(2000), .tdp_watts = 500};
  StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {},
                .efficiency = OpEfficiency{.gemm = 1e9, .attention = 1e9, .memory = 1e9, .source = "test"},
                .dp_buckets = 4, .watts_per_device = std::nullopt};
  const double s_bytes = 2048.0 * 2048 * 2;
  const double expected = 136 * s_bytes / (8 * 28e9);
  const StepResult a = simulate_step(job, aligned_placement(p, mesh), dev, mesh, o);
  CHECK(a.exposed_s[static_cast<size_t>(CommClass::kTp)] == doctest::Approx(expected).epsilon(0.01));
  o.mode = engine::CommMode::kFlow;
  const StepResult f = simulate_step(job, aligned_placement(p, mesh), dev, mesh, o);
  CHECK(f.exposed_s[static_cast<size_t>(CommClass::kTp)] == doctest::Approx(expected).epsilon(0.01));
}

}  // namespace podsim::workloads
