// DeepSpeed ZeRO-3 fetches weights module by module (docs/models.md 5.4): before each
// Linear its fetch hook waits for the gathers in flight and for the device, then
// prefetches the next module's weights (one matrix: stage3_prefetch_bucket_size 5e7
// elements) while the module computes; a module's gradients are reduce-scattered after
// its backward; modules smaller than the bucket are prefetched together. Source:
// DeepSpeed v0.3.15 (2021-04, commit 2c2a7f31), deepspeed/runtime/zero/stage3.py,
// PartitionedParameterCoordinator.fetch_sub_module / _synchronize_communication /
// prefetch_next_sub_modules. Per slot: max(compute_k, gather_{k+1} + scatter_{k-1}).
// Checked against a hand calculation on a crossbar with round numbers.
#include <doctest/doctest.h>

#include <algorithm>

#include "engine/network/comm_tuner.h"
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

constexpr double kB = 400e9;     // bytes/s per direction
constexpr double kRate = 500e12;  // GEMM and attention: 1000 TF/s x efficiency 0.5
// A ring all-gather or reduce-scatter of S bytes over 2 ranks: one step of S/2.
double ring2_s(double bytes) { return bytes / (2 * kB); }

// A GPT whose every weight matrix exceeds the prefetch bucket (5e7 elements): h 8192,
// FFN 4h, 4 layers, s 2048, 1024-token vocabulary (embedding and head barely weigh).
ModelSpec wide_gpt() {
  return {.name = "wide-gpt", .layers = 4, .hidden = 8192, .ffn = 32768, .heads = 64, .kv_heads = 0,
          .head_dim = 0, .vocab = 1024, .seq_len = 2048, .mlp = MlpKind::kGelu};
}

// The step of `m` under `p` on two devices of a kB crossbar, no slowdown; `hop`: each
// link's latency.
double step_s(const ModelSpec& m, const Plan& p, SimTime hop = SimTime::zero()) {
  validate(m, p);
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = p.devices(), .budget = {}};
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), hop);
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {},
                      .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .comm_slowdown = 0,
                                                 .source = "test"},
                      .dp_buckets = 4, .watts_per_device = std::nullopt};
  return simulate_step(job, place, testing::round_device(), fabric, o).step_s;
}

TEST_CASE("DeepSpeed ZeRO-3: a module's gather runs under the module before it, slot by slot") {
  // wide_gpt, DP 2, one micro-batch, no recompute. A layer's modules and their weights:
  // qkv 3h^2 (201 M), out_proj h^2 (67 M), mlp_up 4h^2, mlp_down 4h^2 (268 M each): each
  // its own prefetch bundle. The layer's gather is 2 bytes x its weights, split in
  // proportion (biases and norms included). Forward compute at 500 TF/s (T = 2048):
  // qkv 1.649 ms + the attention core 0.137 (it runs before the out_proj hook), out_proj
  // 0.550, mlp_up and mlp_down 2.199 each. Gathers at 400 GB/s over 2 ranks (S / 2B): qkv
  // 0.503 ms, out_proj 0.168, up and down 0.671; reduce-scatters the same. Slots:
  //   forward  qkv: max(1.786, g_o)   o: max(0.550, g_up 0.671)          -> 0.121 exposed
  //            up: max(2.199, g_down)  down: max(2.199, g_qkv)
  //   backward down: max(4.398, g_up)  up: max(4.398, g_o + rs_down)
  //            o: max(1.100, g_qkv + rs_up 1.174)                        -> 0.074 exposed
  //            qkv: max(3.573, g_down + rs_o)
  // plus the forward's first gather (g_qkv) and the last layer's last reduce-scatter
  // (rs_qkv; the other layers' run under the next layer's first slot). A layer-wide
  // overlap (FSDP) would hide both per-layer terms.
  const ModelSpec m = wide_gpt();
  const Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2};
  const double step = step_s(m, p);
  const double h = 8192, T = 2048, L = m.layers;
  const double c_o = 2 * T * h * h / kRate;
  const double layer_bytes = 2 * layer_params(m, 0).dense;  // 12h^2 + biases and norms
  const double g_qkv = ring2_s(layer_bytes * 3 / 12), g_o = ring2_s(layer_bytes / 12);
  const double g_up = ring2_s(layer_bytes * 4 / 12);
  CHECK(c_o == doctest::Approx(0.5498e-3).epsilon(1e-3));
  CHECK(g_up == doctest::Approx(0.671e-3).epsilon(2e-3));
  CHECK(g_o < c_o);
  const double compute = 3 * forward_flops(forward_ops(m, p.shard())) / kRate;
  const double slots = L * (g_up - c_o)                 // forward: out_proj slot
                       + L * (g_qkv + g_up - 2 * c_o);  // backward: out_proj slot (rs_up = g_up)
  const double exposed = g_qkv + slots + g_qkv;  // + the first gather and the last reduce-scatter
  // The embedding's and head's gathers and scatters (1024 x 8192: 21 us each) run at the
  // pass boundaries, outside the slots, and the head's logits GEMM (2 T h x 1024: 69 us)
  // runs before the slots, beside the first gather: together within `ends` of the above.
  const double ends = 3 * ring2_s(2 * (input_embedding_params(m) + head_params(m))) + 2 * T * h * 1024 / kRate;
  CHECK(step == doctest::Approx(compute + exposed).epsilon(ends / (compute + exposed)));
  CHECK(slots > 3 * ends);  // the slot terms exceed the tolerance
}

TEST_CASE("DeepSpeed ZeRO-3 under full recompute: the recomputed forward's slots fetch too") {
  // The same step with full recompute: backward runs the recomputed forward's four slots
  // (each prefetching the next module, the last one the backward's mlp_down) and then the
  // backward's. The recomputed forward adds one forward's compute of the layers and its
  // out_proj slot's excess, L (g_up - c_o).
  const ModelSpec m = wide_gpt();
  Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2};
  const double none = step_s(m, p);
  p.recompute = Recompute::kFull;
  const double full = step_s(m, p);
  const double h = 8192, T = 2048, L = m.layers;
  const double c_o = 2 * T * h * h / kRate;
  const double g_up = ring2_s(2 * layer_params(m, 0).dense * 4 / 12);
  double layers_fw = 0;
  for (const OpBlock& b : forward_ops(m, p.shard()))
    if (b.is_layer)
      for (const Op& op : b.ops) layers_fw += b.repeat * op.flops / kRate;
  CHECK(full - none == doctest::Approx(layers_fw + L * (g_up - c_o)).epsilon(2e-3));
}

TEST_CASE("DeepSpeed ZeRO-3: modules under the prefetch bucket are gathered together") {
  // The small GPT's layer (h 2048: 50.3 M weights, every matrix under 5e7 elements) is
  // one bundle: the prefetch reaches 5e7 only with the whole layer, so a layer's gather
  // runs under the layer before, as FSDP's does, and nothing per module is exposed. With
  // no recompute the two steps are equal (same first gather and last reduce-scatter).
  const ModelSpec m = testing::small_gpt();
  Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2};
  const double deepspeed = step_s(m, p);
  p.sharding = DataSharding::kFsdp;
  CHECK(deepspeed == doctest::Approx(step_s(m, p)).epsilon(2e-3));
}

// DeepSpeed v0.3.13 to v0.5.4 (2021), Plan::zero3_fetch kPerTensorSync: every parameter
// tensor is its own all-gather and reduce-scatter (partition_parameters.py
// _allgather_param, _reduce_scatter_gradient), each gather after torch.cuda.synchronize()
// (DeepSpeed PR #1188: "the async version is not async at all"). Per slot (docs/models.md
// §5.4): slot_k = r_{k-1} + n_k s_k + max(c_k, g_{k+1}).
TEST_CASE("DeepSpeed ZeRO-3 tensor by tensor: the reduce-scatters wait for the next synchronize") {
  // wide_gpt with biases, no link latency: the small tensors' calls take ~20 ns each, so
  // the difference from kPrefetch is the backward's reduce-scatters. kPrefetch hides them
  // under the next slot except in the out_proj slot (g_qkv + rs_up - 2 c_o per layer,
  // the first test) and the last one (rs_qkv); kPerTensorSync exposes all of them: the
  // layer's reduce-scatter RS = S / 2B per layer. The forward is the same (its gathers
  // still run under the module before, the one issued last before the compute).
  ModelSpec m = wide_gpt();
  m.bias = true;
  Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2};
  const double prefetch = step_s(m, p);
  p.zero3_fetch = Zero3Fetch::kPerTensorSync;
  const double sync = step_s(m, p);
  const double h = 8192, T = 2048, L = m.layers;
  const double c_o = 2 * T * h * h / kRate;
  // The layer's bytes (biases and norms included) in the shares of its GEMMs' weights.
  const double layer_bytes = 2 * layer_params(m, 0).dense;
  const double g_qkv = ring2_s(layer_bytes * 3 / 12), rs_up = ring2_s(layer_bytes * 4 / 12);
  const double rs_layer = ring2_s(layer_bytes);
  const double expected = L * rs_layer - g_qkv /* rs_qkv, the last layer's, exposed by both */ - L * (g_qkv + rs_up - 2 * c_o);
  CHECK(expected > 5e-3);
  CHECK(sync - prefetch == doctest::Approx(expected).epsilon(0.01));
}

TEST_CASE("DeepSpeed ZeRO-3 tensor by tensor: every call pays its latency, the small tensors one by one") {
  // The same with a link latency: a call between the two devices (one ring step, two
  // links) costs t1 more. Per layer, exposed calls: forward, the 8 small-tensor gathers
  // (LayerNorm weight and bias twice, the four GEMMs' biases) and the out_proj slot's
  // gather of mlp_up, which exceeds its compute; backward, the 8 small gathers, the 8
  // small reduce-scatters and the 4 matrices' reduce-scatters: 29 calls per layer. The
  // gathers under compute stay hidden (t1 is far under their slack); the pass
  // boundaries (first gathers, embedding and head) add a few more calls, in the margin.
  ModelSpec m = wide_gpt();
  m.bias = true;
  const Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2,
               .zero3_fetch = Zero3Fetch::kPerTensorSync};
  const SimTime hop = SimTime::seconds_ceil(20e-6);
  const engine::testing::Crossbar slow(2, Bandwidth::gbytes_per_s(kB / 1e9), hop);
  const engine::testing::Crossbar fast(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> g{DeviceId{0}, DeviceId{1}};
  auto call_s = [&](const engine::Fabric& f) {
    return engine::collective_time(f, engine::tune(f, engine::CollectiveOp::kAllGather, g, engine::Bytes(2 * 8192), {}), {})
        .to_seconds();
  };
  const double t1 = call_s(slow) - call_s(fast);
  CHECK(t1 == doctest::Approx(40e-6).epsilon(0.01));  // two links of 20 us
  const double extra = step_s(m, p, hop) - step_s(m, p);
  CHECK(extra == doctest::Approx(29 * m.layers * t1).epsilon(8 * t1 / (29 * m.layers * t1)));
}

// PyTorch 1.8's list all-gather and reduce-scatter (ProcessGroupNCCL.cpp, allgather's copy
// loop after the NCCL call, reduce_scatter's before it) launch one copy_ per rank from the
// host; DeepSpeed v0.3.13 to v0.5.4 passes them a list of world_size views per tensor.
// Under kPerTensorSync each call's launches are exposed: a small tensor's beside its NCCL
// kernel (their excess), the prefetched matrix's before the slot's compute is launched,
// a reduce-scatter's beside the slot's compute (their excess). Costed at
// OpEfficiency::torch_copy_host_s per copy (docs/models.md §5.4).
StepResult sync_step(const ModelSpec& m, double copy_host_s, double memory,
                     Zero3Fetch fetch = Zero3Fetch::kPerTensorSync) {
  const Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2, .zero3_fetch = fetch};
  validate(m, p);
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = p.devices(), .budget = {}};
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  OpEfficiency eff{.gemm = 0.5, .attention = 0.5, .memory = memory, .comm_slowdown = 0, .source = "test"};
  eff.torch_copy_host_s = copy_host_s;
  const StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {}, .efficiency = eff, .dp_buckets = 4,
                      .watts_per_device = std::nullopt};
  return simulate_step(job, place, testing::round_device(), fabric, o);
}

TEST_CASE("DeepSpeed ZeRO-3 tensor by tensor: the host launches one copy per rank per call") {
  // wide_gpt with biases, DP 2, no recompute, copies free (HBM x 1e9). Per layer: forward
  // 8 small-tensor gathers and 4 prefetched matrices, backward the same and 12
  // reduce-scatters (4 matrices, 8 small tensors); one prefetch per pass wraps to the
  // next layer (layers - 1 of them; the pass's first gather runs before its hooks).
  // At 5 ms a copy (10 ms a call of 2 ranks) every call's launches outlast the NCCL call
  // or the compute beside them (at most 4.4 ms of a backward slot), so from 5 to 10 ms a
  // copy the step grows by calls x 2 ranks x 5 ms, all of it host time:
  //   calls = 2 x (8 L + 4 L - 1) + 12 L = 36 L - 2 = 142 (L = 4): 142 x 10 ms = 1.42 s.
  ModelSpec m = wide_gpt();
  m.bias = true;
  const StepResult a = sync_step(m, 5e-3, 1e9), b = sync_step(m, 10e-3, 1e9);
  const double calls = 36 * m.layers - 2;
  CHECK(b.step_s - a.step_s == doctest::Approx(calls * 2 * 5e-3).epsilon(1e-3));
  CHECK(b.host_s - a.host_s == doctest::Approx(calls * 2 * 5e-3).epsilon(1e-3));
  CHECK(sync_step(m, 0, 1e9).host_s == 0);
  // The default: pytorch/pytorch#37048, 100,000 addmm calls with and without their copy_.
  CHECK(default_efficiency(testing::round_device()).torch_copy_host_s ==
        doctest::Approx((2.3356 - 1.4708) / 1e5));
  // The copies themselves (no host cost, HBM at 2 TB/s), device time on the NCCL stream:
  // each reduce-scatter copies its gradient in (read and written: 2 x bytes / 2 TB/s)
  // before it runs, exposed; the prefetches' copies hide under compute except in the
  // forward's out_proj slot, whose gather of mlp_up (4/12 of the layer) already outlasts
  // its compute. The device's compute grows by them over kPrefetch, which copies nothing
  // (the same ops, so the same compute otherwise: no comm_slowdown).
  const double layer_bytes = 2 * layer_params(m, 0).dense;  // BF16 weights and gradients
  auto copy = [](double bytes) { return 2 * bytes / 2e12; };
  const double copies = m.layers * copy(layer_bytes) + m.layers * copy(layer_bytes * 4 / 12);
  CHECK(copies > 5e-3);
  const double exposed = sync_step(m, 0, 1).compute_s - sync_step(m, 0, 1, Zero3Fetch::kPrefetch).compute_s;
  CHECK(exposed == doctest::Approx(copies).epsilon(0.01));
}

TEST_CASE("DeepSpeed ZeRO-3 tensor by tensor: modules kept from the recomputed forward to the backward") {
  // Under full recompute a layer's backward runs the recomputed forwards of qkv, out_proj,
  // mlp_up, mlp_down and then the backwards in reverse. DeepSpeed keeps a module after its
  // recomputed forward when the modules run before its backward hold fewer than
  // stage3_max_reuse_distance (1e9) elements (stage3.py _keep_for_later): mlp_down (none
  // between), mlp_up (2 x 4h^2 = 0.54e9 for h 8192); not out_proj (2 x 8h^2 = 1.07e9).
  // Their backwards gather nothing: per layer 2 matrices and their 4 small tensors
  // (mlp_up's LayerNorm weight and bias and bias, mlp_down's bias). Counted as in the
  // copy-launch test above, now with the recomputed forward's calls: forward 12 L - 1
  // gathers, backward 24 L - 1 less the kept 6 L, 12 L reduce-scatters: 42 L - 2 calls
  // (48 L - 2 without keeping). At 5 and 10 ms a copy every call's launches outlast what
  // runs beside them (the largest slot, mlp_down's recomputed forward and the two kept
  // backwards, computes 11 ms against 60 ms of its reduce-scatters' launches), so the
  // host time grows by calls x 2 ranks x 5 ms.
  ModelSpec m = wide_gpt();
  m.bias = true;
  auto host = [&](double copy_host_s) {
    const Plan p{.dp = 2, .sharding = DataSharding::kZero3, .recompute = Recompute::kFull, .micro_batch = 1,
                 .global_batch = 2, .zero3_fetch = Zero3Fetch::kPerTensorSync};
    validate(m, p);
    const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = p.devices(), .budget = {}};
    const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
    const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
    OpEfficiency eff{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .comm_slowdown = 0, .source = "test"};
    eff.torch_copy_host_s = copy_host_s;
    const StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {}, .efficiency = eff, .dp_buckets = 4,
                        .watts_per_device = std::nullopt};
    return simulate_step(job, place, testing::round_device(), fabric, o).host_s;
  };
  const double calls = 42 * m.layers - 2;
  CHECK(host(10e-3) - host(5e-3) == doctest::Approx(calls * 2 * 5e-3).epsilon(1e-3));
}

}  // namespace
}  // namespace podsim::workloads
