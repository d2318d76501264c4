// Sliding-window attention, the parallel transformer block, GPT-OSS 120B and NVFP4:
// each against a hand calculation or a published figure.
#include <doctest/doctest.h>

#include "engine/error.h"
#include "tests/workloads/op_lookup.h"
#include "workloads/accounting.h"
#include "workloads/memory.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

using namespace podsim::workloads;
using doctest::Approx;
using podsim::engine::Bytes;
using podsim::engine::DeviceSpec;
using podsim::engine::FlopRate;
using podsim::engine::Precision;

using namespace podsim::workloads::testing;

TEST_CASE("sliding window: GPT-OSS's 128-token window costs 126 keys per query of 4096, not 2048") {
  const ModelSpec m = *model_preset("gpt-oss-120b");
  const double s = 4096, w = 128, heads = 64, d = 64;
  const auto blocks = forward_ops(m);
  // Embedding, 36 layers alternating sliding (even) and full (odd), head: no two merge.
  REQUIRE(blocks.size() == 38);
  CHECK(blocks[1].sliding_window);
  CHECK_FALSE(blocks[2].sliding_window);
  CHECK(blocks[1].name == "moe_layer");
  // Hand calculation: query i (1-based) sees min(i, w) keys; the mean over the sequence is
  // (w (w + 1) / 2 + (s - w) w) / s = 126.016; the model's w - w^2 / 2s = 126.0.
  const double exact_keys = (w * (w + 1) / 2 + (s - w) * w) / s;
  const Op& slide = find_op(blocks[1], "attn_scores");
  CHECK(slide.flops == Approx(2 * s * exact_keys * heads * d).epsilon(2e-4));
  CHECK(find_op(blocks[1], "attn_context").flops == Approx(slide.flops));
  // A full causal layer executes half the s^2 products (FlashAttention).
  CHECK(find_op(blocks[2], "attn_scores").flops == Approx(2 * s * (s / 2) * heads * d));
  // Counted in full (the model-FLOP convention): w keys per query, against s.
  const auto counted = forward_ops(m, Shard{.causal_attention_as_full = true});
  CHECK(find_op(counted[1], "attn_scores").flops == Approx(2 * s * w * heads * d));
  CHECK(find_op(counted[2], "attn_scores").flops == Approx(2 * s * s * heads * d));
  // Without FlashAttention every product is computed and masked: no saving.
  const auto unfused = forward_ops(m, Shard{.flash_attention = false});
  CHECK(find_op(unfused[1], "attn_scores").flops == Approx(2 * s * s * heads * d));
}

TEST_CASE("sliding window: a window as long as the sequence changes nothing") {
  ModelSpec m = *model_preset("llama3-8b");
  const double full = forward_flops(forward_ops(m));
  m.sliding_window = m.seq_len;
  CHECK(forward_flops(forward_ops(m)) == Approx(full));
  m.sliding_window = 4096;  // Mistral 7B's window on an 8K sequence, every layer
  // Per layer the two attention GEMMs drop from 2 x 2 s (s/2) a d to 2 x 2 s (w - w^2/2s) a d.
  const double s = 8192, w = 4096, ad = 4096, layers = 32;
  CHECK(full - forward_flops(forward_ops(m)) == Approx(layers * 4 * s * ad * (s / 2 - (w - w * w / (2 * s)))));
}

TEST_CASE("sliding window: check() wants a causal model and a window for full_attention_every") {
  ModelSpec m = *model_preset("wan2.1-14b");
  m.sliding_window = 128;
  CHECK(check(m).size() == 1);
  m = *model_preset("llama3-8b");
  m.full_attention_every = 2;
  REQUIRE(check(m).size() == 1);
  CHECK(check(m)[0].field == "full_attention_every");
}

TEST_CASE("GPT-OSS 120B: 116.8 B parameters, 5.1 B active without the input embedding (OpenAI model card)") {
  const ModelSpec m = *model_preset("gpt-oss-120b");
  CHECK(check(m).empty());
  const ParamCounts p = count_params(m);
  // Model card (OpenAI, "gpt-oss-120b & gpt-oss-20b Model Card", Aug 2025): 116.83 B total,
  // 5.13 B active per token (the input embedding is a lookup and not counted).
  CHECK(p.total == Approx(116.83e9).epsilon(0.005));
  CHECK(p.active - double(m.vocab) * m.hidden == Approx(5.13e9).epsilon(0.01));
}

TEST_CASE("Qwen3-235B-A22B: 235 B parameters, 22 B active (Qwen3 technical report, arXiv 2505.09388)") {
  const ModelSpec m = *model_preset("qwen3-235b-a22b");
  CHECK(check(m).empty());
  const ParamCounts p = count_params(m);
  // By hand, per layer: Q and O 2 x 4096 x 8192 = 67.1 M, K and V 2 x 4096 x 512 = 4.2 M,
  // router 4096 x 128 = 0.5 M, experts 128 x 3 x 4096 x 1536 = 2,415.9 M: 2,487.7 M x 94
  // = 233.84 B, plus two embeddings of 151,936 x 4096 (1.245 B): 235.09 B. Active: 8 of
  // the 128 experts (151.0 M) with the rest of the layer: 222.8 M x 94 + 1.245 B = 22.19 B.
  CHECK(p.total == Approx(235.09e9).epsilon(0.002));
  CHECK(p.active == Approx(22.19e9).epsilon(0.002));
  CHECK(p.total == Approx(235e9).epsilon(0.01));  // the report's names
  CHECK(p.active == Approx(22e9).epsilon(0.01));
}

TEST_CASE("Pangu Ultra 135B: 135 B parameters (arXiv 2504.07866) and the calibration row's fields") {
  const ModelSpec m = *model_preset("pangu-ultra-135b");
  CHECK(check(m).empty());
  // By hand, per layer: Q and O 2 x 12288^2 = 302.0 M, K and V 2 x 12288 x 1024 = 25.2 M,
  // SwiGLU 3 x 12288 x 28672 = 1,056.9 M: 1,384.1 M x 94 = 130.11 B, plus two embeddings
  // of 153,376 x 12288 (3.77 B): 133.88 B, the paper's "135B" to 1%.
  const ParamCounts p = count_params(m);
  CHECK(p.total == Approx(133.88e9).epsilon(0.002));
  CHECK(p.total == Approx(135e9).epsilon(0.01));
}

TEST_CASE("parallel block: one TP exchange per layer and direction, one norm, same FLOPs") {
  // GPT-3 175B on TP8 without SP: per layer forward 2 all-reduce of s h 2 bytes (SC21
  // §2.3); with attention and MLP in parallel their partial sums are added before one
  // (PaLM §2; MegaScale §3.1, which runs GPT-3 175B this way).
  ModelSpec m = *model_preset("gpt3-175b");
  const Plan plan{.tp = 8, .dp = 1, .global_batch = 1};
  auto forward_all_reduces = [&](const ModelSpec& model) {
    const auto stages = plan_work(model, plan);
    for (const OpBlock& b : stages[0].chunks[0].blocks)
      if (b.is_layer)
        for (const Comm& c : b.comms)
          if (c.kind == CommKind::kTpAllReduce && c.phase == CommPhase::kForward) return std::pair{c.count, c.bytes};
    FAIL("no forward TP all-reduce");
    throw;
  };
  const auto [serial_count, serial_bytes] = forward_all_reduces(m);
  CHECK(serial_count == 2);
  CHECK(serial_bytes.value() == Approx(2048.0 * 12288 * 2));
  const double serial_layer_flops = block_flops(forward_ops(m)[1]);
  const double serial_params = layer_params(m, 0).dense;

  m.parallel_block = true;
  const auto [parallel_count, parallel_bytes] = forward_all_reduces(m);
  CHECK(parallel_count == 1);
  CHECK(parallel_bytes.value() == Approx(serial_bytes.value()));
  const OpBlock layer = forward_ops(m)[1];
  CHECK_FALSE(has_op(layer, "mlp_norm"));
  CHECK_FALSE(has_op(layer, "attn_residual"));
  CHECK(block_flops(layer) == Approx(serial_layer_flops));
  // One LayerNorm (gamma and beta, 2h) fewer per layer.
  CHECK(serial_params - layer_params(m, 0).dense == Approx(2 * 12288));
}

TEST_CASE("NVFP4: GEMMs at the FP4 peak, attention at BF16, rejected without FP4 units") {
  // GB200: FP4 720 PF dense per NVL72 rack / 72 GPUs = 10 PF (hardware.md §2.2).
  const DeviceSpec gb200{.name = "B200 (GB200)", .peak_bf16 = FlopRate::tera(2500), .peak_fp16 = FlopRate::tera(2500),
                         .peak_fp8 = FlopRate::tera(5000), .peak_int8 = FlopRate::tera(5000),
                         .peak_fp4 = FlopRate::tera(720e3 / 72), .hbm_capacity = Bytes::giga(186),
                         .hbm_bandwidth = podsim::engine::Bandwidth::gbytes_per_s(8000)};
  const OpEfficiency eff{.gemm = 0.7, .gemm_fp8 = 0.55, .gemm_fp4 = 0.5, .attention = 0.4, .memory = 0.8};
  const Op gemm{.name = "mlp_up", .kind = OpKind::kGemm, .flops = 1e15, .bytes = Bytes(1e6)};
  const Op attn{.name = "attn_scores", .kind = OpKind::kAttention, .flops = 1e15, .bytes = Bytes(1e6)};
  CHECK(op_seconds(gemm, Precision::kFP4, gb200, eff) == Approx(1e15 / (10e15 * 0.5)));
  CHECK(op_seconds(attn, Precision::kFP4, gb200, eff) == Approx(1e15 / (2.5e15 * 0.4)));
  // Without its own efficiency FP4 takes FP8's (both pay scaling overhead), then `gemm`.
  CHECK(OpEfficiency{.gemm = 0.7, .gemm_fp8 = 0.55}.gemm_at(Precision::kFP4) == 0.55);
  CHECK(OpEfficiency{.gemm = 0.7}.gemm_at(Precision::kFP4) == 0.7);
  CHECK(Plan{.precision = Precision::kFP4}.operand_bytes() == 1);

  const DeviceSpec h100{.name = "H100 SXM5", .peak_bf16 = FlopRate::tera(989.5), .peak_fp16 = FlopRate::tera(989.5),
                        .peak_fp8 = FlopRate::tera(1979), .peak_int8 = FlopRate::tera(1979)};
  CHECK(precision_problem(Precision::kFP4, h100) ==
        "precision NVFP4: device H100 SXM5 has no NVFP4 units (FP4 tensor cores are Blackwell's: B200, GB200, "
        "GB300); use BF16 or FP8 or INT8");
  CHECK_THROWS_AS(check_precision(Precision::kFP4, h100), podsim::UserError);
  CHECK_FALSE(precision_problem(Precision::kFP4, gb200).has_value());
}

TEST_CASE("sandwich norm: two more norms a layer, their weights and their saved inputs, same FLOPs") {
  // Pangu Ultra §2.1 (CogView §2.4): y = x + Norm(Attn(Norm(x))), and the same for the
  // MLP. On TP8 + SP with one 4096-token micro-batch a norm runs over 512 tokens of 12288.
  const ModelSpec m = *model_preset("pangu-ultra-135b");
  REQUIRE(m.sandwich_norm);
  ModelSpec pre = m;
  pre.sandwich_norm = false;
  const Shard s{.tp = 8, .sequence_parallel = true};
  const auto with = forward_ops(m, s, LayerRange{.begin = 0, .end = 1});
  const auto without = forward_ops(pre, s, LayerRange{.begin = 0, .end = 1});
  const double stream = 512.0 * 12288;
  CHECK(find_op(with, "layer", "attn_post_norm").bytes.value() == Approx(4 * stream));  // read 2 + write 2
  CHECK(find_op(with, "layer", "mlp_post_norm").bytes.value() == Approx(4 * stream));
  CHECK_FALSE(has_op(without[1], "attn_post_norm"));
  CHECK(with[1].ops.size() == without[1].ops.size() + 2);
  CHECK(forward_flops(with) == forward_flops(without));
  // Unfused RMSNorm (unfused_kernels.h) charges the post-norms its 36 bytes too.
  Shard u = s;
  u.unfused.rmsnorm = true;
  CHECK(find_op(forward_ops(m, u, LayerRange{.begin = 0, .end = 1}), "layer", "mlp_post_norm").bytes.value() ==
        Approx(36 * stream));
  // Two RMSNorm weights of h more per layer: 94 x 2 x 12288 = 2.31 M parameters.
  CHECK(count_params(m).total - count_params(pre).total == Approx(94.0 * 2 * 12288));
  // Saved for backward: each post-norm's input, 2 bytes x h per token of the SP shard.
  const Plan plan{.tp = 8, .dp = 1, .sequence_parallel = true, .global_batch = 1};
  CHECK(layer_activation_bytes(m, plan, 0).value() - layer_activation_bytes(pre, plan, 0).value() ==
        Approx(2 * 2 * 12288.0 * 512));
  // Not with a parallel block (one norm feeds both branches).
  ModelSpec both = m;
  both.parallel_block = true;
  bool named = false;
  for (const FieldProblem& f : check(both)) named = named || f.field == "sandwich_norm";
  CHECK(named);
}
