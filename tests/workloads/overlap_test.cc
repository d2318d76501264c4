// Overlap as it happens (issue 14 item 4): ZeRO-3's first gather and last reduce-scatter
// exposed, the re-gather activation checkpointing causes under DeepSpeed's ZeRO-3 (not
// under FSDP), and compute slowed by the communication that runs beside it. Each
// against a hand calculation on a crossbar with round numbers.
#include <doctest/doctest.h>

#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/round_device.h"
#include "tests/workloads/small_gpt.h"
#include "workloads/accounting.h"
#include "workloads/parallel_plan.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using engine::Bandwidth;
using engine::DeviceId;
using engine::SimTime;

using testing::small_gpt;  // tests/workloads/small_gpt.h
using testing::small_gpt_step_bytes;

TrainingJob job_of(ModelSpec m, Plan p) {
  validate(m, p);
  return {.name = "t", .arrival_s = 0, .model = std::move(m), .plan = p, .devices = p.devices(), .budget = {}};
}


TEST_CASE("ZeRO-3 under full recompute: DeepSpeed gathers a layer three times per micro-batch, FSDP twice") {
  // DeepSpeed's recomputed forward fetches the weights through its forward hooks and the
  // backward fetches them again (deepspeedai/DeepSpeed#4784); FSDP(checkpoint(block))
  // keeps the backward's gather for both (fairscale#777). Per micro-batch, per device:
  // 2 bytes x the device's weights per gather. DP 2, 2 micro-batches.
  const double weights = testing::small_gpt_weights();
  Plan p{.dp = 2, .sharding = DataSharding::kZero3, .recompute = Recompute::kFull, .micro_batch = 1, .global_batch = 4};
  CHECK(small_gpt_step_bytes(p, CommKind::kDpParamAllGather) == doctest::Approx(3 * 2 * weights * 2));
  p.sharding = DataSharding::kFsdp;
  CHECK(small_gpt_step_bytes(p, CommKind::kDpParamAllGather) == doctest::Approx(2 * 2 * weights * 2));
  p.sharding = DataSharding::kZero3;
  p.recompute = Recompute::kNone;  // nothing recomputed: nothing gathered again
  CHECK(small_gpt_step_bytes(p, CommKind::kDpParamAllGather) == doctest::Approx(2 * 2 * weights * 2));
}

// Two devices on a crossbar of B bytes/s per direction, no latency: a ring all-gather or
// reduce-scatter of S bytes over 2 ranks is one step of S/2: S / (2B) (collectives.h).
constexpr double kB = 400e9;
double ring2_s(double bytes) { return bytes / (2 * kB); }

StepOptions options(double comm_slowdown) {
  return {.mode = engine::CommMode::kAnalytical, .network = {},
          .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .comm_slowdown = comm_slowdown,
                                     .source = "test"},
          .dp_buckets = 4, .watts_per_device = std::nullopt};
}

TEST_CASE("ZeRO-3: the first gather of each pass and the last reduce-scatter are exposed, the rest hides") {
  // FSDP, no recompute, one micro-batch on DP 2. Per layer: gather 2 P bytes forward and
  // backward, reduce-scatter 2 P (BF16 gradients); P = the layer's weights. At 400 GB/s a
  // layer's gather (0.1 GB of 50 M weights) takes 0.13 ms against ~0.45 ms of a layer's
  // forward at 500 TF/s, so every prefetched gather hides; what cannot hide is the
  // forward's first gather (nothing runs before the pass to hide it under) and the
  // backward's last reduce-scatter (nothing after it); the backward's first gather is
  // the forward's last layer, prefetched under the forward's end:
  // step = forward + backward compute + 2 x 2 P / (2B).
  const ModelSpec m = small_gpt();
  const Plan p{.dp = 2, .sharding = DataSharding::kFsdp, .micro_batch = 1, .global_batch = 2};
  const TrainingJob job = job_of(m, p);
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const StepResult r = simulate_step(job, place, testing::round_device(), fabric, options(0));
  const double compute = 3 * forward_flops(forward_ops(m, p.shard())) / 500e12;
  const double layer = ring2_s(2 * layer_params(m, 0).dense);
  CHECK(r.step_s == doctest::Approx(compute + 2 * layer).epsilon(1e-4));
  CHECK(r.exposed_s[size_t(CommClass::kDp)] == doctest::Approx(2 * layer).epsilon(1e-3));
}

TEST_CASE("overlapped communication slows compute: comm_slowdown x min(overlapped, compute) per pass") {
  // The same FSDP step with comm_slowdown 0.2 (efficiency.h): each pass's compute is
  // lengthened by 0.2 x the communication it overlaps (all gathers and reduce-scatters
  // of the pass but the exposed first gather and last reduce-scatter; the embedding's
  // and the head's included), which is shorter than the compute here.
  const ModelSpec m = small_gpt();
  const Plan p{.dp = 2, .sharding = DataSharding::kFsdp, .micro_batch = 1, .global_batch = 2};
  const TrainingJob job = job_of(m, p);
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const double base = simulate_step(job, place, testing::round_device(), fabric, options(0)).step_s;
  const double slowed = simulate_step(job, place, testing::round_device(), fabric, options(0.2)).step_s;
  const double all_gathers = ring2_s(small_gpt_step_bytes(p, CommKind::kDpParamAllGather));  // forward + backward
  const double all_scatters = ring2_s(small_gpt_step_bytes(p, CommKind::kDpGradReduceScatter));
  const double layer = ring2_s(2 * layer_params(m, 0).dense);
  const double overlapped = all_gathers + all_scatters - 3 * layer;
  CHECK(slowed - base == doctest::Approx(0.2 * overlapped).epsilon(1e-3));
}

TEST_CASE("gradient buckets: each bucket's reduction slows the next piece of backward, the last one is exposed") {
  // DDP on DP 2, one micro-batch: the backward is cut in 4 pieces, each followed by a
  // quarter of the gradient all-reduce (ring over 2 ranks: 2 steps of S/2, S / B).
  // Without slowdown the last quarter is exposed; with comm_slowdown 0.2 pieces 2-4
  // each run 0.2 x min(quarter, piece) longer.
  const ModelSpec m = small_gpt();
  const Plan p{.dp = 2, .micro_batch = 1, .global_batch = 2};
  const TrainingJob job = job_of(m, p);
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const double compute = 3 * forward_flops(forward_ops(m, p.shard())) / 500e12;
  const double quarter = small_gpt_step_bytes(p, CommKind::kDpGradAllReduce) / 4 / kB;
  const StepResult base = simulate_step(job, place, testing::round_device(), fabric, options(0));
  CHECK(base.step_s == doctest::Approx(compute + quarter).epsilon(1e-4));
  const StepResult slowed = simulate_step(job, place, testing::round_device(), fabric, options(0.2));
  const double piece = 2.0 / 3 * compute / 4;
  CHECK(slowed.step_s - base.step_s == doctest::Approx(3 * 0.2 * std::min(quarter, piece)).epsilon(1e-3));
}

TEST_CASE("gradients reduced after the backward (Megatron-LM's train_step before 2023-09): all exposed") {
  // The same DDP step with overlap_grad_reduce off: the whole all-reduce (ring over 2
  // ranks, S / B) runs after the backward, before the optimizer (megatron/training.py:
  // allreduce_gradients() after forward_backward_func, 2021; reduce_model_grads(), 2023).
  const ModelSpec m = small_gpt();
  Plan p{.dp = 2, .micro_batch = 1, .global_batch = 2};
  p.overlap_grad_reduce = false;
  const TrainingJob job = job_of(m, p);
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const double compute = 3 * forward_flops(forward_ops(m, p.shard())) / 500e12;
  const double all_reduce = small_gpt_step_bytes(p, CommKind::kDpGradAllReduce) / kB;
  const StepResult r = simulate_step(job, place, testing::round_device(), fabric, options(0.2));
  CHECK(r.step_s == doctest::Approx(compute + all_reduce).epsilon(1e-4));
  CHECK(r.exposed_s[size_t(CommClass::kDp)] == doctest::Approx(all_reduce).epsilon(1e-3));
}

TEST_CASE("ring context parallelism hides only under the attention it feeds") {
  // CP 2, causal small GPT: per layer one KV block of T x 2 heads x d x 2 bytes (T = s/2 =
  // 1024 tokens, 16 KV heads of 128) = 8,388,608 bytes to the other rank forward, two
  // (K,V and their gradients) backward (Liu et al. 2023). On a 10 GB/s crossbar a block
  // takes 0.84 ms, far longer than a layer's attention core (~10 us), so the CP time
  // exposed is the ring's excess over the attention: 3 L S/B - 3 x forward attention.
  const ModelSpec m = small_gpt();
  const Plan p{.cp = 2, .micro_batch = 1, .global_batch = 1};
  const TrainingJob job = job_of(m, p);
  const double bw = 10e9;
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(bw / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const StepResult r = simulate_step(job, place, testing::round_device(), fabric, options(0));
  double attention_fw = 0;
  for (const OpBlock& b : forward_ops(m, p.shard()))
    for (const Op& op : b.ops)
      if (op.kind == OpKind::kAttention) attention_fw += b.repeat * op.flops / 500e12;
  const double block = 1024.0 * 2 * 16 * 128 * 2 / bw;
  CHECK(r.exposed_s[size_t(CommClass::kCp)] == doctest::Approx(3 * m.layers * block - 3 * attention_fw).epsilon(1e-3));
}

TEST_CASE("all-gather context parallelism (Llama 3): K,V gathered before attention, exposed") {
  // The same CP 2 step with cp_algorithm all-gather: per layer an all-gather of K,V of the
  // whole sequence (S = 2 x 8,388,608 bytes, ring over 2 ranks: S / (2B)) forward, and
  // backward a second gather and a reduce-scatter of dK,dV of the same size (Dubey et al.
  // 2024 §3.3.2; Transformer Engine's all_gather CP re-gathers in backward). They block
  // the attention they feed: CP exposed = 3 L x S / (2B), nothing hidden.
  const ModelSpec m = small_gpt();
  Plan p{.cp = 2, .micro_batch = 1, .global_batch = 1};
  p.cp_algorithm = CpAlgorithm::kAllGather;
  const TrainingJob job = job_of(m, p);
  const double bw = 10e9;
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(bw / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const StepResult r = simulate_step(job, place, testing::round_device(), fabric, options(0));
  const double gathered = 2 * 1024.0 * 2 * 16 * 128 * 2;
  CHECK(r.exposed_s[size_t(CommClass::kCp)] == doctest::Approx(3 * m.layers * gathered / (2 * bw)).epsilon(1e-3));
}

TEST_CASE("the default slowdown is the published mean, for every device") {
  // Ahmed et al., arXiv 2507.03114: compute overlapped with communication runs 18.9%
  // slower on average (A100, H100, MI250, MI210).
  CHECK(default_efficiency(testing::round_device()).comm_slowdown == doctest::Approx(0.189));
}

}  // namespace
}  // namespace podsim::workloads
