// Step model: roofline, rank-to-device mapping, the pipeline bubble the schedule
// leaves, MFU, and flow vs analytical agreement, each against a hand calculation or
// the published formula it reproduces (sources beside each).
#include "workloads/step_model.h"

#include <doctest/doctest.h>

#include <numeric>

#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/round_device.h"
#include "tests/workloads/small_gpt.h"
#include "workloads/accounting.h"

namespace podsim::workloads {
namespace {

using engine::Bandwidth;
using engine::Bytes;
using engine::DeviceId;
using engine::FlopRate;
using engine::SimTime;

using testing::round_device;

using testing::small_gpt;  // tests/workloads/small_gpt.h

std::vector<DeviceId> first(size_t n) {
  std::vector<DeviceId> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = DeviceId{static_cast<uint32_t>(i)};
  return v;
}

TrainingJob job_of(ModelSpec m, Plan p) {
  validate(m, p);
  return {.name = "t", .arrival_s = 0, .model = std::move(m), .plan = p, .devices = p.devices(), .budget = {}};
}

// Compute-only options: memory-bound ops free, GEMM and attention at half the peak.
StepOptions compute_only() {
  return {.mode = engine::CommMode::kAnalytical, .network = {},
          .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .source = "test"},
          .dp_buckets = 4, .watts_per_device = std::nullopt};
}

TEST_CASE("roofline: an op takes the longer of its FLOPs and its bytes") {
  const engine::DeviceSpec d = round_device();
  const OpEfficiency eff{.gemm = 0.5, .attention = 0.25, .memory = 0.8, .source = ""};
  // 1e12 FLOPs at 1000 TF x 0.5 = 2 ms; its 1 GB at 2 TB/s x 0.8 = 0.625 ms.
  CHECK(op_seconds({.name = "g", .kind = OpKind::kGemm, .flops = 1e12, .bytes = Bytes::giga(1)}, engine::Precision::kBF16,
                   d, eff) == doctest::Approx(2e-3));
  // FP8 doubles the peak: 1 ms.
  CHECK(op_seconds({.name = "g", .kind = OpKind::kGemm, .flops = 1e12, .bytes = Bytes::giga(1)}, engine::Precision::kFP8,
                   d, eff) == doctest::Approx(1e-3));
  // Attention stays at the BF16 peak with its own efficiency: 1e12 / 250e12 = 4 ms.
  CHECK(op_seconds({.name = "a", .kind = OpKind::kAttention, .flops = 1e12, .bytes = Bytes::giga(1)},
                   engine::Precision::kFP8, d, eff) == doctest::Approx(4e-3));
  // Memory-bound: 4 GB / 1.6 TB/s = 2.5 ms.
  CHECK(op_seconds({.name = "m", .kind = OpKind::kMemoryBound, .flops = 0, .bytes = Bytes::giga(4)},
                   engine::Precision::kBF16, d, eff) == doctest::Approx(2.5e-3));
}

TEST_CASE("ranks map to devices in Megatron order, TP innermost") {
  // tp 2, dp 4, pp 2, ep 2: rank = t + 2 (d + 4 p).
  const Plan p{.tp = 2, .pp = 2, .dp = 4, .cp = 1, .ep = 2};
  const std::vector<DeviceId> place = first(16);
  auto ids = [](const std::vector<DeviceId>& v) {
    std::vector<uint32_t> o;
    for (DeviceId d : v) o.push_back(engine::index(d));
    return o;
  };
  CHECK(ids(group_devices(p, CommGroup::kTp, 1, place)) == std::vector<uint32_t>{8, 9});
  CHECK(ids(group_devices(p, CommGroup::kDp, 0, place)) == std::vector<uint32_t>{0, 2, 4, 6});
  CHECK(ids(group_devices(p, CommGroup::kEp, 0, place)) == std::vector<uint32_t>{0, 2});
  CHECK(ids(group_devices(p, CommGroup::kExpertDp, 0, place)) == std::vector<uint32_t>{0, 4});
  CHECK(ids(group_devices(p, CommGroup::kPp, 1, place)) == std::vector<uint32_t>{8, 0});
}

TEST_CASE("one device: the step is 3x the forward FLOPs at the GEMM rate, and MFU follows") {
  // No parallelism, no recompute: forward + backward = 3 x forward FLOPs (accounting.h),
  // all at 500 TF/s; 4 micro-batches. The optimizer is memory-bound, free here.
  const ModelSpec m = small_gpt();
  const Plan p{.micro_batch = 1, .global_batch = 4};
  const TrainingJob job = job_of(m, p);
  const engine::testing::Crossbar fabric(1, Bandwidth::gbytes_per_s(100), SimTime::zero());
  const StepResult r = simulate_step(job, first(1), round_device(), fabric, compute_only());
  const double expected = 4 * 3 * forward_flops(forward_ops(m, p.shard())) / 500e12;
  CHECK(r.step_s == doctest::Approx(expected).epsilon(1e-4));
  CHECK(r.compute_s == doctest::Approx(r.step_s).epsilon(1e-4));
  CHECK(r.bubble_s == doctest::Approx(0).epsilon(1e-6));
  // MFU: model FLOPs (causal attention counted in full, PaLM) over 1000 TF; executed
  // FLOPs skip half of causal attention, so MFU is a little above 0.5.
  CHECK(r.mfu == doctest::Approx(model_flops_per_sample(m) * 4 / r.step_s / 1000e12));
  CHECK(r.mfu > 0.5);
  CHECK(r.bottleneck == "compute");
}

TEST_CASE("the 1F1B schedule leaves the bubble of SC21 eq. (p-1)/m") {
  // Narayanan et al. SC21 §2.2.1: with p stages and m micro-batches, step = (m + p - 1)
  // (t_f + t_b) for equal stages, a bubble of (p - 1)/m of the ideal. p = 4, m = 8.
  // Communication is free (a huge crossbar), so the schedule alone sets the time.
  const ModelSpec m = small_gpt();
  const engine::testing::Crossbar fabric(4, Bandwidth::gbytes_per_s(1e9), SimTime::zero());
  SUBCASE("1F1B") {
    const Plan p{.pp = 4, .micro_batch = 1, .global_batch = 8};
    const TrainingJob job = job_of(m, p);
    const StepResult r = simulate_step(job, first(4), round_device(), fabric, compute_only());
    const double per_mb = 3 * forward_flops(forward_ops(m, p.shard())) / 500e12 / 4;  // one stage, t_f + t_b
    CHECK(r.step_s == doctest::Approx((8 + 3) * per_mb).epsilon(0.02));
    CHECK(r.bubble_s / (r.step_s - r.bubble_s) == doctest::Approx(3.0 / 8).epsilon(0.05));
  }
  SUBCASE("interleaved, v = 2: bubble (p-1)/(v m)") {
    const Plan p{.pp = 4, .schedule = PipelineSchedule::kInterleaved, .virtual_stages = 2, .micro_batch = 1,
                 .global_batch = 8};
    const TrainingJob job = job_of(m, p);
    const StepResult r = simulate_step(job, first(4), round_device(), fabric, compute_only());
    const double per_mb = 3 * forward_flops(forward_ops(m, p.shard())) / 500e12 / 4;
    CHECK(r.step_s == doctest::Approx((8 + 3.0 / 2) * per_mb).epsilon(0.02));
  }
}

TEST_CASE("flow and analytical modes agree within 5% on an uncontended placement") {
  // 8 GPUs on one NVL72-like crossbar (900 GB/s/dir, 350 ns a hop: topologies' NVLink
  // default): TP 4 x PP 2, and TP 4 x DP 2 with ZeRO-1.
  const engine::testing::Crossbar fabric(8, Bandwidth::gbytes_per_s(900), SimTime::nanos(350));
  StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {}, .efficiency = std::nullopt, .dp_buckets = 4,
                .watts_per_device = std::nullopt};
  for (const Plan& p : {Plan{.tp = 4, .pp = 2, .micro_batch = 1, .global_batch = 8},
                        Plan{.tp = 4, .dp = 2, .sequence_parallel = true, .sharding = DataSharding::kZero1,
                             .micro_batch = 1, .global_batch = 8}}) {
    const TrainingJob job = job_of(small_gpt(), p);
    o.mode = engine::CommMode::kAnalytical;
    const StepResult a = simulate_step(job, first(8), round_device(), fabric, o);
    o.mode = engine::CommMode::kFlow;
    const StepResult f = simulate_step(job, first(8), round_device(), fabric, o);
    CAPTURE(p.pp);
    CHECK(f.flows > 0);
    CHECK(f.step_s == doctest::Approx(a.step_s).epsilon(0.05));
    CHECK(a.exposed_s[static_cast<size_t>(CommClass::kTp)] > 0);
  }
}

TEST_CASE("a placement of the wrong size is refused") {
  const TrainingJob job = job_of(small_gpt(), Plan{.tp = 2});
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(100), SimTime::zero());
  CHECK_THROWS_AS(simulate_step(job, first(1), round_device(), fabric), std::invalid_argument);
}

}  // namespace
}  // namespace podsim::workloads

namespace podsim::workloads {
namespace {

TEST_CASE("a long step extrapolated from two short ones matches the whole step") {
  // pp 4, 96 micro-batches: with max_micro_batches 16 the model simulates 8 and 16 and
  // extrapolates; the schedule's steady state is periodic, so the two agree closely.
  const engine::testing::Crossbar fabric(8, engine::Bandwidth::gbytes_per_s(900), engine::SimTime::nanos(350));
  const Plan p{.tp = 2, .pp = 4, .micro_batch = 1, .global_batch = 96};
  ModelSpec m{.name = "g", .layers = 16, .hidden = 2048, .ffn = 8192, .heads = 16, .kv_heads = 0, .head_dim = 0,
              .vocab = 1024, .seq_len = 2048, .mlp = MlpKind::kGelu};
  validate(m, p);
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = 8, .budget = {}};
  std::vector<engine::DeviceId> place(8);
  for (uint32_t i = 0; i < 8; ++i) place[i] = engine::DeviceId{i};
  const engine::DeviceSpec d{.name = "test", .peak_bf16 = engine::FlopRate::tera(1000),
                             .peak_fp16 = engine::FlopRate::tera(1000), .peak_fp8 = std::nullopt,
                             .peak_int8 = std::nullopt, .hbm_capacity = engine::Bytes::giga(1000),
                             .hbm_bandwidth = engine::Bandwidth::gbytes_per_s(2000), .tdp_watts = std::nullopt};
  StepOptions whole;
  whole.max_micro_batches = 0;
  StepOptions shortcut;
  shortcut.max_micro_batches = 16;
  const StepResult a = simulate_step(job, place, d, fabric, whole);
  const StepResult b = simulate_step(job, place, d, fabric, shortcut);
  CHECK(b.graph_nodes < a.graph_nodes);
  CHECK(b.step_s == doctest::Approx(a.step_s).epsilon(0.005));
  CHECK(b.bubble_s == doctest::Approx(a.bubble_s).epsilon(0.02));
}

}  // namespace
}  // namespace podsim::workloads
