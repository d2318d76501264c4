// The attention kernel of a plan (Plan::attention_kernel): FlashAttention-2 time of an
// attention op against a hand calculation with the published FA2 figures
// (efficiency.cc), the same on a whole step, and the errors for devices with no
// published FA2 figure and for FA2 without flash attention.
#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/op_lookup.h"
#include "workloads/accounting.h"
#include "workloads/efficiency.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

using namespace podsim::workloads;
using doctest::Approx;
using podsim::engine::Bytes;
using podsim::engine::DeviceSpec;
using podsim::engine::FlopRate;
using podsim::engine::Precision;

namespace {

// Catalog peaks (topologies/device_catalog.cc); the names pick the efficiency set.
DeviceSpec nvidia(const char* name, double bf16_tflops) {
  return {.name = name, .peak_bf16 = FlopRate::tera(bf16_tflops), .peak_fp16 = FlopRate::tera(bf16_tflops),
          .peak_fp8 = FlopRate::tera(2 * bf16_tflops), .peak_int8 = FlopRate::tera(2 * bf16_tflops),
          .hbm_capacity = Bytes::giga(80), .hbm_bandwidth = podsim::engine::Bandwidth::gbytes_per_s(3350)};
}

// The forward attention-score op of one Wan 2.1 14B layer at `tokens` tokens.
Op wan_scores(int tokens) {
  ModelSpec m = *model_preset("wan2.1-14b");
  m.seq_len = tokens;
  return podsim::workloads::testing::find_op(forward_ops(m), "layer", "attn_scores");
}

}  // namespace

TEST_CASE("FlashAttention-2 on H100: the fused 0.4 over the published cuDNN/FA2 ratio 1.6") {
  const DeviceSpec h100 = nvidia("H100 SXM5", 989.5);
  const OpEfficiency eff = default_efficiency(h100);
  REQUIRE(eff.attention_fa2.has_value());
  // FA3 paper (arXiv 2407.08608) Figs. 5-6, head dim 128, 16k, no mask: cuDNN 595/516
  // TFLOP/s forward/backward, FA2 370/322: 1.61x and 1.60x.
  CHECK(*eff.attention_fa2 == Approx(eff.attention / 1.6));
  CHECK(*eff.attention_fa2 == Approx(0.25));
  // Wan 2.1 14B, 37 440 tokens (the DFM benchmark sample): QK^T of one layer is
  // 2 s^2 h = 2 x 37440^2 x 5120 = 1.4354e13 FLOPs, bidirectional (no causal half).
  const Op scores = wan_scores(37440);
  CHECK(scores.flops == Approx(2.0 * 37440 * 37440 * 5120));
  // FA2: 1.4354e13 / (989.5e12 x 0.25) = 58.02 ms; fused: / (989.5e12 x 0.4) = 36.27 ms.
  CHECK(op_seconds(scores, Precision::kBF16, h100, eff, AttentionKernel::kFlashAttention2) ==
        Approx(1.4354e13 / (989.5e12 * 0.25)).epsilon(1e-4));
  CHECK(op_seconds(scores, Precision::kBF16, h100, eff, AttentionKernel::kFlashAttention2) ==
        Approx(0.05802).epsilon(1e-3));
  CHECK(op_seconds(scores, Precision::kBF16, h100, eff) == Approx(0.03627).epsilon(1e-3));
  // GEMMs do not depend on the attention kernel.
  const Op gemm{.name = "qkv", .kind = OpKind::kGemm, .flops = 1e15, .bytes = Bytes(1e6)};
  CHECK(op_seconds(gemm, Precision::kBF16, h100, eff, AttentionKernel::kFlashAttention2) ==
        op_seconds(gemm, Precision::kBF16, h100, eff));
}

TEST_CASE("FlashAttention-2 on A100 is the fused kernel A100's attention efficiency describes") {
  const DeviceSpec a100 = nvidia("A100 SXM4 80GB", 312);
  const OpEfficiency eff = default_efficiency(a100);
  REQUIRE(eff.attention_fa2.has_value());
  CHECK(*eff.attention_fa2 == eff.attention);
  const Op scores = wan_scores(4096);
  CHECK(op_seconds(scores, Precision::kBF16, a100, eff, AttentionKernel::kFlashAttention2) ==
        op_seconds(scores, Precision::kBF16, a100, eff));
}

TEST_CASE("FlashAttention-2 where no FA2 figure is published: one line naming the field and the device") {
  const Op scores = wan_scores(4096);
  for (const char* name : {"B200", "B200 (GB200)", "B300 (GB300)", "Ascend 910C", "some-npu"}) {
    CAPTURE(name);
    const DeviceSpec d = nvidia(name, 2500);
    const std::string want = std::string("attention_kernel FLASH_ATTENTION_2: no published FlashAttention-2 "
                                         "efficiency for device ") + name + "; use FUSED";
    CHECK(attention_kernel_problem(AttentionKernel::kFlashAttention2, d) == want);
    CHECK_FALSE(attention_kernel_problem(AttentionKernel::kFused, d).has_value());
    const OpEfficiency eff = default_efficiency(d);
    CHECK_THROWS_WITH_AS(op_seconds(scores, Precision::kBF16, d, eff, AttentionKernel::kFlashAttention2),
                         want.c_str(), podsim::UserError);
  }
  CHECK_FALSE(attention_kernel_problem(AttentionKernel::kFlashAttention2, nvidia("H100 SXM5", 989.5)).has_value());
}

TEST_CASE("FlashAttention-2 without flash attention is a plan problem") {
  const ModelSpec m = *model_preset("wan2.1-14b");
  const Plan fa2_no_flash{.dp = 8, .global_batch = 8, .flash_attention = false,
                          .attention_kernel = AttentionKernel::kFlashAttention2};
  const auto problems = check(m, fa2_no_flash);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == "attention_kernel");
  CHECK(problems[0].message == "FLASH_ATTENTION_2 is a FlashAttention kernel, but flash_attention is false");
  CHECK(check(m, Plan{.dp = 8, .global_batch = 8, .flash_attention = false}).empty());
  CHECK(check(m, Plan{.dp = 8, .global_batch = 8, .attention_kernel = AttentionKernel::kFlashAttention2}).empty());
}

TEST_CASE("a step with FlashAttention-2: compute grows by the attention FLOPs at the slower rate") {
  // Two-layer, 4096-token model on one H100, no recompute: the forward attention FLOPs
  // run once forward and twice backward, so the step differs by
  // 3 F_attn (1 / (peak x 0.25) - 1 / (peak x 0.4)), everything else unchanged.
  const ModelSpec m{.name = "bidir", .layers = 2, .hidden = 5120, .ffn = 13824, .heads = 40, .kv_heads = 0,
                    .head_dim = 0, .vocab = 1024, .seq_len = 4096, .mlp = MlpKind::kGelu, .causal = false};
  const DeviceSpec h100 = nvidia("H100 SXM5", 989.5);
  double attn_flops = 0;
  for (const OpBlock& b : forward_ops(m))
    for (const Op& o : b.ops)
      if (o.kind == OpKind::kAttention) attn_flops += o.flops * b.repeat;
  // Per layer QK^T and PV: 4 s^2 h = 4 x 4096^2 x 5120, two layers.
  CHECK(attn_flops == Approx(2 * 4.0 * 4096 * 4096 * 5120));
  const podsim::engine::testing::Crossbar fabric(1, podsim::engine::Bandwidth::gbytes_per_s(100),
                                                 podsim::engine::SimTime::zero());
  auto step = [&](AttentionKernel k) {
    const Plan p{.global_batch = 1, .attention_kernel = k};
    validate(m, p);
    const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = 1, .budget = {}};
    const std::vector<podsim::engine::DeviceId> one{podsim::engine::DeviceId{0}};
    return simulate_step(job, one, h100, fabric).compute_s;
  };
  const double peak = 989.5e12;
  CHECK(step(AttentionKernel::kFlashAttention2) - step(AttentionKernel::kFused) ==
        Approx(3 * attn_flops * (1 / (peak * 0.25) - 1 / (peak * 0.4))).epsilon(1e-6));
}

TEST_CASE("Blackwell attention from the published kernel figures, not Hopper's (issue 14 item 6)") {
  // B200: cuDNN 9.13 forward = FlashAttention-4's 1613 TFLOP/s / 1.3 (arXiv 2603.05451)
  // of 2250: 0.5515; Hopper's cuDNN forward 595 of 989, backward 516 (arXiv 2407.08608).
  // Backward over forward on B200, cuDNN at 16k tokens (NVIDIA cudnn-frontend
  // sdpa_bf16_benchmark_results_NVIDIA_B200.csv): 1074.776 / 1332.415 = 0.8066.
  // Hopper's 0.4 over its kernels' forward + 2x backward, 3 / (1/0.6016 + 2/0.5217)
  // = 0.5459: r = 0.7327. B200 forward 0.7327 x 0.5515 = 0.4041, backward x 0.8066 =
  // 0.3259: 3 / (1/0.4041 + 2/0.3259) = 0.3484.
  const double h_fwd = 595.0 / 989.0, h_bwd = 516.0 / 989.0;
  const double r = 0.4 / (3 / (1 / h_fwd + 2 / h_bwd));
  CHECK(r == Approx(0.7327).epsilon(1e-3));
  const double fwd = r * 1613.0 / 1.3 / 2250.0, bwd = fwd * 1074.776 / 1332.415;
  const double b200 = 3 / (1 / fwd + 2 / bwd);
  CHECK(b200 == Approx(0.3484).epsilon(1e-3));
  // Kernel benchmarks are bursts: B200 and GB200 keep 1237 / 1450 of them at their power
  // limit (flashinfer PR #2899, gemm_waves_test.cc "Blackwell at its power limit").
  CHECK(default_efficiency(nvidia("B200 (GB200)", 2500)).attention == Approx(b200 * 1237.0 / 1450.0));
  CHECK(default_efficiency(nvidia("B200", 2250)).attention == Approx(b200 * 1237.0 / 1450.0));
  // B300 (GB300): doubled exponential units, +35% attention forward (NVIDIA, "Making
  // Softmax More Efficient with NVIDIA Blackwell Ultra"); backward as B200's:
  // 3 / (1 / (1.35 x 0.4041) + 2 / 0.3259) = 0.3764.
  CHECK(default_efficiency(nvidia("B300 (GB300)", 2500)).attention == Approx(3 / (1 / (1.35 * fwd) + 2 / bwd)));
  CHECK(default_efficiency(nvidia("B300 (GB300)", 2500)).attention == Approx(0.3764).epsilon(1e-3));
  // Hopper keeps its calibrated value.
  CHECK(default_efficiency(nvidia("H100 SXM5", 989.5)).attention == Approx(0.4));
}
