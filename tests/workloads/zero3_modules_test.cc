// DeepSpeed ZeRO-3 fetches weights module by module (docs/models.md 5.4): before each
// Linear its fetch hook waits for the gathers in flight and for the device, then
// prefetches the next module's weights (one matrix: stage3_prefetch_bucket_size 5e7
// elements) while the module computes; a module's gradients are reduce-scattered after
// its backward. Source: DeepSpeed v0.3.15 (2021-04, commit 2c2a7f31), deepspeed/runtime/
// zero/stage3.py, PartitionedParameterCoordinator.fetch_sub_module / _synchronize_
// communication / prefetch_next_sub_modules. Per slot: max(compute_k, gather_{k+1} +
// scatter_{k-1}). Checked against a hand calculation on a crossbar with round numbers.
#include <doctest/doctest.h>

#include <algorithm>

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

// The step of the small GPT under `p` on two devices of a kB crossbar, no slowdown.
double step_s(const Plan& p) {
  const ModelSpec m = testing::small_gpt();
  validate(m, p);
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = p.devices(), .budget = {}};
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {},
                      .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .comm_slowdown = 0,
                                                 .source = "test"},
                      .dp_buckets = 4, .watts_per_device = std::nullopt};
  return simulate_step(job, place, testing::round_device(), fabric, o).step_s;
}

TEST_CASE("DeepSpeed ZeRO-3: a module's gather runs under the module before it, slot by slot") {
  // Small GPT (h 2048, FFN 8192, 16 layers, s 2048), DP 2, one micro-batch, no recompute.
  // A layer's modules and their weights: qkv 3h^2, out_proj h^2, mlp_up 4h^2, mlp_down
  // 4h^2 (of 12h^2; the layer's gather is 2 bytes x its weights, split in proportion).
  // Forward compute at 500 TF/s: qkv 103.1 us + the attention core 34.4 us (it runs
  // before the out_proj hook) = 137.4 us, out_proj 34.4, mlp_up 137.4, mlp_down 137.4.
  // Gathers at 400 GB/s over 2 ranks: qkv 31.5 us, out_proj 10.5, up and down 41.9 each;
  // reduce-scatters the same. Slots:
  //   forward  qkv: max(137.4, g_o 10.5)   o: max(34.4, g_up 41.9)        -> 7.6 exposed
  //            up: max(137.4, g_down)       down: max(137.4, g_qkv)
  //   backward down: max(274.9, g_up)       up: max(274.9, g_o + rs_down)
  //            o: max(68.7, g_qkv + rs_up 73.4)                            -> 4.7 exposed
  //            qkv: max(274.9, g_down + rs_o)
  // plus the forward's first gather (g_qkv) and the last layer's last reduce-scatter
  // (rs_qkv; the other layers' run under the next layer's first slot). A layer-wide
  // overlap (FSDP) would hide both per-layer terms.
  const ModelSpec m = testing::small_gpt();
  const Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2};
  const double step = step_s(p);
  const double h = 2048, T = 2048, L = m.layers;
  const double c_o = 2 * T * h * h / kRate;                 // 34.4 us
  const double layer_bytes = 2 * layer_params(m, 0).dense;  // 12h^2 + biases and norms
  const double g_qkv = ring2_s(layer_bytes * 3 / 12), g_o = ring2_s(layer_bytes / 12);
  const double g_up = ring2_s(layer_bytes * 4 / 12);
  CHECK(c_o == doctest::Approx(34.36e-6).epsilon(1e-3));
  CHECK(g_up == doctest::Approx(41.9e-6).epsilon(2e-3));
  CHECK(g_o < c_o);
  const double compute = 3 * forward_flops(forward_ops(m, p.shard())) / kRate;
  const double slots = L * (g_up - c_o)            // forward: out_proj slot
                       + L * (g_qkv + g_up - 2 * c_o);  // backward: out_proj slot (rs_up = g_up)
  const double exposed = g_qkv + slots + g_qkv;  // + the first gather and the last reduce-scatter
  // The embedding's and head's gathers and scatters (vocab 1024: ~5 us each) run at the
  // pass boundaries, outside the slots, and the head's logits GEMM (2 T h x 1024: 17 us)
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
  const ModelSpec m = testing::small_gpt();
  Plan p{.dp = 2, .sharding = DataSharding::kZero3, .micro_batch = 1, .global_batch = 2};
  const double none = step_s(p);
  p.recompute = Recompute::kFull;
  const double full = step_s(p);
  const double h = 2048, T = 2048, L = m.layers;
  const double c_o = 2 * T * h * h / kRate;
  const double g_up = ring2_s(2 * layer_params(m, 0).dense * 4 / 12);
  double layers_fw = 0;
  for (const OpBlock& b : forward_ops(m, p.shard()))
    if (b.is_layer)
      for (const Op& op : b.ops) layers_fw += b.repeat * op.flops / kRate;
  CHECK(full - none == doctest::Approx(layers_fw + L * (g_up - c_o)).epsilon(2e-3));
}

}  // namespace
}  // namespace podsim::workloads
