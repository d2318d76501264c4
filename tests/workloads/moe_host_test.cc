// MoE host overhead (efficiency.h, OpEfficiency::moe_host_s): what it adds to a step,
// by hand, and the default's derivation from the published figures it stands on.
#include <doctest/doctest.h>

#include <array>

#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/round_device.h"
#include "workloads/efficiency.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using engine::Bandwidth;
using engine::SimTime;

using testing::round_device;

// 4 layers, the first dense, 3 with 8 routed experts (top-2).
ModelSpec small_moe() {
  ModelSpec m{.name = "small-moe", .layers = 4, .hidden = 1024, .ffn = 4096, .heads = 8, .kv_heads = 0,
              .head_dim = 0, .vocab = 1024, .seq_len = 1024, .mlp = MlpKind::kSwiGlu};
  m.moe = MoeSpec{.experts = 8, .top_k = 2, .expert_ffn = 1024, .dense_layers = 1};
  return m;
}

StepResult run(const Plan& p, double host_s) {
  const ModelSpec m = small_moe();
  validate(m, p);
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = p.devices(), .budget = {}};
  const engine::testing::Crossbar fabric(1, Bandwidth::gbytes_per_s(100), SimTime::zero());
  StepOptions o;
  o.efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .moe_host_s = host_s, .source = "test"};
  return simulate_step(job, std::array{engine::DeviceId{0}}, round_device(), fabric, o);
}

TEST_CASE("MoE host overhead: each MoE layer waits moe_host_s per micro-batch, apart from compute") {
  // One device, 4 micro-batches, 3 MoE layers: 3 x 4 x 2 ms = 24 ms more step, all of it
  // host_s; compute is what it was; the dense layer pays nothing.
  const Plan p{.micro_batch = 1, .global_batch = 4};
  const StepResult none = run(p, 0);
  const StepResult eager = run(p, 2e-3);
  CHECK(eager.step_s - none.step_s == doctest::Approx(24e-3).epsilon(1e-3));
  CHECK(eager.host_s == doctest::Approx(24e-3).epsilon(1e-6));
  CHECK(none.host_s == 0);
  CHECK(eager.compute_s == doctest::Approx(none.compute_s).epsilon(1e-4));
  CHECK(eager.compute_s + eager.host_s + eager.bubble_s == doctest::Approx(eager.step_s).epsilon(1e-4));
  // A larger micro-batch amortises it: 2 micro-batches of 2 samples pay half.
  const StepResult bigger = run(Plan{.micro_batch = 2, .global_batch = 4}, 2e-3);
  CHECK(bigger.host_s == doctest::Approx(12e-3).epsilon(1e-6));
}

TEST_CASE("MoE host overhead: the plan's figure overrides the device default") {
  Plan p{.micro_batch = 1, .global_batch = 4};
  p.moe_host_overhead_s = 0;  // a sync-free, graph-captured stack
  CHECK(run(p, 2e-3).host_s == 0);
  p.moe_host_overhead_s = 1e-3;
  CHECK(run(p, 2e-3).host_s == doctest::Approx(12e-3).epsilon(1e-6));
}

TEST_CASE("MoE host overhead default: the host-only gains of NVIDIA's DeepSeek-V3 on GB200 write-up") {
  // Megatron-LM docs/discussions/deepseek-v3-gb200-optimization §3 table (TFLOP/s per
  // GPU after each step), MXFP8, 256 GB200, PP8 VPP4 EP32, batch 2048 x 4096. FLOPs per
  // device per step: 2048 x 4096 tokens x 2.496e11 FLOP/token (Megatron-Bridge: 1003 TF
  // <-> 4018 tok/s for this model) / 256. Host-only steps: partial CUDA graphs, CPU-side
  // optimisation (NUMA binding), shared-expert graphs, CPU-side optimisation; then the
  // sync itself, "at least 10%" at the final 970.01 TF/s (§3.1).
  const double flops = 2048.0 * 4096 * (1003e12 / 4018) / 256;
  auto saved = [flops](double before_tf, double after_tf) { return flops / (before_tf * 1e12) - flops / (after_tf * 1e12); };
  const double step_final = flops / 970.01e12;
  const double host = saved(610.71, 663.27) + saved(691.49, 762.12) + saved(797.67, 829.93) + saved(943.56, 956.21) +
                      step_final * (1 - 1 / 1.1);
  CHECK(host == doctest::Approx(3.437).epsilon(0.005));  // seconds per step
  // Per MoE layer pass of one device: 58 MoE layers over 8 stages, 64 micro-batches.
  const double per_layer = host / (58.0 / 8 * 64);
  CHECK(default_efficiency(round_device()).moe_host_s == doctest::Approx(per_layer).epsilon(0.01));
  // The same figure for every device type (the host's and the framework's, not the
  // accelerator's): an H100 and an Ascend get it too.
  engine::DeviceSpec h100 = round_device();
  h100.name = "H100 SXM5";
  engine::DeviceSpec ascend = round_device();
  ascend.name = "Ascend 910C";
  CHECK(default_efficiency(h100).moe_host_s == default_efficiency(round_device()).moe_host_s);
  CHECK(default_efficiency(ascend).moe_host_s == default_efficiency(round_device()).moe_host_s);
}

}  // namespace
}  // namespace podsim::workloads
