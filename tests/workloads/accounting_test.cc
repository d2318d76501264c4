#include "workloads/accounting.h"

#include <doctest/doctest.h>

#include "tests/workloads/op_lookup.h"
#include "workloads/presets.h"

using namespace podsim::workloads;
using doctest::Approx;

using namespace podsim::workloads::testing;

TEST_CASE("a GPT-3 layer is 24 b s h^2 + 4 b s^2 h forward FLOPs (SC21 §3.1)") {
  const ModelSpec m = *model_preset("gpt3-175b");
  const double s = 2048, h = 12288;
  const auto counted = forward_ops(m, Shard{.causal_attention_as_full = true});
  REQUIRE(counted[1].name == "layer");
  CHECK(counted[1].repeat == 96);
  CHECK(block_flops(counted[1]) == Approx(24 * s * h * h + 4 * s * s * h));
  // Executed causal attention: FlashAttention skips the masked half of the s^2 products.
  CHECK(block_flops(forward_ops(m)[1]) == Approx(24 * s * h * h + 2 * s * s * h));
  // Per op: QKV 2 s h 3h, scores 2 s^2 h (full), MLP up 2 s h 4h.
  CHECK(find_op(counted, "layer", "qkv").flops == Approx(6 * s * h * h));
  CHECK(find_op(counted, "layer", "attn_scores").flops == Approx(2 * s * s * h));
  CHECK(find_op(counted, "layer", "attn_scores").kind == OpKind::kAttention);
  CHECK(find_op(counted, "layer", "mlp_up").flops == Approx(8 * s * h * h));
  CHECK(find_op(counted, "head", "logits").flops == Approx(2 * s * h * 51200));
  const Op& norm = find_op(counted, "layer", "attn_norm");
  CHECK(norm.kind == OpKind::kMemoryBound);
  CHECK(norm.flops == 0);
  CHECK(norm.bytes.value() == Approx(2 * s * h * 2));  // read and write s x h in BF16
}

TEST_CASE("GEMM bytes: both operands read, the result written") {
  // qkv of GPT-3 on one sample: [2048 x 12288] x [12288 x 36864], BF16 operands.
  const ModelSpec m = *model_preset("gpt3-175b");
  const double s = 2048, h = 12288;
  CHECK(find_op(forward_ops(m), "layer", "qkv").bytes.value() == Approx((s * h + h * 3 * h + s * 3 * h) * 2));
  // FP8 operands halve the reads; the BF16 result stays.
  CHECK(find_op(forward_ops(m, Shard{.operand_bytes = 1}), "layer", "qkv").bytes.value() ==
        Approx(s * h + h * 3 * h + s * 3 * h * 2));
}

TEST_CASE("training FLOPs match Narayanan et al. SC21 eq. (3)") {
  // F = 72 B s l h^2 (1 + s/(6h) + V/(12 l h)) without recompute, and
  // F = 96 B s l h^2 (1 + s/(6h) + V/(16 l h)) with full recompute (the head is not
  // recomputed), per iteration of batch B.
  const ModelSpec m = *model_preset("gpt3-175b");
  const double B = 1536, s = 2048, l = 96, h = 12288, V = 51200;
  CHECK(B * model_flops_per_sample(m) == Approx(72 * B * s * l * h * h * (1 + s / (6 * h) + V / (12 * l * h))));
  CHECK(B * hardware_flops_per_sample(m, Recompute::kFull) ==
        Approx(96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))));
  // Selective recompute adds the attention core once more: 4 B s^2 h per layer.
  CHECK(hardware_flops_per_sample(m, Recompute::kSelective) - model_flops_per_sample(m) == Approx(4 * s * s * h * l));
}

TEST_CASE("selective recompute modules add the forward FLOPs of their ops once (Megatron-Core recompute_modules)") {
  // DeepSeek-V3, one 4096-token sample, T = 4096: per MoE layer mla_up_proj recomputes
  // q_up 2 T 1536 (128 x 192) and kv_up 2 T 512 (128 x 256); per dense layer mlp
  // recomputes 3 matrices of 2 T h f; shared_experts 3 matrices of 2 T h 2048 per MoE
  // layer; moe_act and layernorm are memory-bound (no FLOPs, only time).
  const ModelSpec m = *model_preset("deepseek-v3");
  const double T = 4096, h = 7168;
  const auto ops = forward_ops(m);
  auto extra = [&](RecomputeModule r) { return recompute_flops(ops, RecomputePolicy(Recompute::kSelective, {r})); };
  CHECK(extra(RecomputeModule::kMlaUpProj) == Approx(61 * (2 * T * 1536 * 128 * 192 + 2 * T * 512 * 128 * 256)));
  CHECK(extra(RecomputeModule::kMlp) == Approx(3 * 3 * 2 * T * h * 18432));
  CHECK(extra(RecomputeModule::kSharedExperts) == Approx(58 * 3 * 2 * T * h * 2048));
  CHECK(extra(RecomputeModule::kMoeAct) == 0);
  CHECK(extra(RecomputeModule::kLayerNorm) == 0);
  // The default module set is the attention core, as Recompute::kSelective alone.
  CHECK(recompute_flops(ops, RecomputePolicy(Recompute::kSelective)) ==
        Approx(extra(RecomputeModule::kCoreAttention)));
  const RecomputePolicy up(Recompute::kSelective, {RecomputeModule::kMlaUpProj});
  CHECK(up.recomputes(find_op(ops, "moe_layer", "kv_up")));
  CHECK_FALSE(up.recomputes(find_op(ops, "moe_layer", "attn_scores")));
  CHECK_FALSE(RecomputePolicy(Recompute::kNone, {RecomputeModule::kMlaUpProj}).recomputes(find_op(ops, "moe_layer", "q_up")));
}

TEST_CASE("a dense model trains at 6N FLOPs per token plus attention (Kaplan et al. 2020, PaLM App. B)") {
  // Llama 3 8B, matmul weights per layer: q, o 2 h^2; k, v 2 h (h/4); MLP 3 h f;
  // with the logits V h: 6 N per token, plus 12 l s h (PaLM's 12 L H Q T, H Q = h).
  const ModelSpec m = *model_preset("llama3-8b");
  const double h = 4096, f = 14336, l = 32, V = 128256, s = 8192;
  const double n_matmul = l * (2 * h * h + 2 * h * 1024 + 3 * h * f) + V * h;
  CHECK(model_flops_per_token(m) == Approx(6 * n_matmul + 12 * l * s * h));
}

TEST_CASE("parameter counts match the published ones") {
  // GPT-3 175B: SC21's P = 12 l h^2 (1 + 13/(12h) + (V + s)/(12 l h)) = 174.6 B, plus
  // the final LayerNorm (2h) the formula leaves out.
  const double l = 96, h = 12288, V = 51200, s = 2048;
  const ParamCounts gpt = count_params(*model_preset("gpt3-175b"));
  CHECK(gpt.total == Approx(12 * l * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * l * h)) + 2 * h));
  CHECK(gpt.total == Approx(174.6e9).epsilon(0.001));
  CHECK(gpt.active == gpt.total);
  // Llama 3: the released checkpoints hold 8.03 B, 70.6 B and 405.9 B ("405B") weights.
  // By hand, 8B: embeddings 2 x 128256 x 4096 = 1.0507 B; a layer 2 h^2 + 2 h 1024 +
  // 3 h 14336 + 2h = 218.11 M, x 32 = 6.9796 B; final norm 4096 -> 8,030,261,248.
  CHECK(count_params(*model_preset("llama3-8b")).total == Approx(8030261248.0));
  CHECK(count_params(*model_preset("llama3-70b")).total == Approx(70.55e9).epsilon(0.002));
  CHECK(count_params(*model_preset("llama3-405b")).total == Approx(405e9).epsilon(0.01));
  // DeepSeek-V3: 671 B total, 37 B activated per token (report §1, Table 1; without MTP).
  // By hand: an MoE layer is 187.1 M of MLA + 257 x 44.04 M of experts + 1.8 M router;
  // active: 187.1 M + 9 x 44.04 M + 1.8 M = 585 M, x 58, + 3 dense layers of 583.5 M,
  // + 2 x 0.927 B embeddings = 37.5 B.
  const ParamCounts ds = count_params(*model_preset("deepseek-v3"));
  CHECK(ds.total == Approx(671e9).epsilon(0.01));
  CHECK(ds.active == Approx(37e9).epsilon(0.02));
  CHECK(ds.routed_experts == Approx(58.0 * 256 * 3 * 7168 * 2048));
  // Kimi K2: 1.04 T total, 32.6 B activated (K2 report, Table 2).
  const ParamCounts k2 = count_params(*model_preset("kimi-k2"));
  CHECK(k2.total == Approx(1.04e12).epsilon(0.02));
  CHECK(k2.active == Approx(32.6e9).epsilon(0.02));
  // Video models are published as rounded totals; our counts leave out small parts
  // (time embeddings, refiners) and approximate HunyuanVideo's single-stream blocks.
  CHECK(count_params(*model_preset("wan2.1-14b")).total == Approx(14e9).epsilon(0.03));
  CHECK(count_params(*model_preset("hunyuanvideo-13b")).total == Approx(13e9).epsilon(0.06));
  CHECK(count_params(*model_preset("moviegen-30b")).total == Approx(30e9).epsilon(0.05));
}

TEST_CASE("MoE and MLA ops cost 2 FLOPs per active weight per token") {
  // Outside the attention core, a forward pass is one multiply-add per active weight
  // and token. DeepSeek-V3's MoE layer, one token (s = 1 makes the core negligible).
  ModelSpec m = *model_preset("deepseek-v3");
  m.seq_len = 1;
  const auto blocks = forward_ops(m, Shard{.causal_attention_as_full = true});
  REQUIRE(blocks[2].name == "moe_layer");
  double matmul = 0;
  for (const Op& o : blocks[2].ops)
    if (o.kind == OpKind::kGemm) matmul += o.flops;
  const LayerParams lp = layer_params(m, 3);
  const double expert = 3.0 * 7168 * 2048;
  const double active = lp.dense + 8 * expert;
  const double norms = 2 * 7168 + 1536 + 512;  // norm weights are not matmul weights
  CHECK(matmul == Approx(2 * (active - norms)));
  CHECK(find_op(blocks, "moe_layer", "router").flops == Approx(2 * 7168 * 256));
  CHECK(find_op(blocks, "moe_layer", "experts_up").flops == Approx(2 * 8 * 7168 * 2 * 2048));
  CHECK(find_op(blocks, "moe_layer", "shared_up").flops == Approx(2 * 7168 * 2 * 2048));
  CHECK(find_op(blocks, "dense_layer", "kv_up").flops == Approx(2 * 512 * 128 * (128 + 128)));
}

TEST_CASE("TP and CP divide a device's FLOPs, EP does not under balanced routing") {
  const ModelSpec m = *model_preset("llama3-70b");
  const double whole = forward_flops(forward_ops(m));
  // Every GEMM is split by TP (heads, FFN columns, vocab-parallel logits); norms have no FLOPs.
  CHECK(forward_flops(forward_ops(m, Shard{.tp = 8})) == Approx(whole / 8));
  // CP splits the tokens and, with them, the attention queries.
  CHECK(forward_flops(forward_ops(m, Shard{.cp = 4})) == Approx(whole / 4));
  const ModelSpec ds = *model_preset("deepseek-v3");
  CHECK(forward_flops(forward_ops(ds, Shard{.ep = 64})) == Approx(forward_flops(forward_ops(ds))));
  // but each device reads only its 256/64 experts' weights.
  CHECK(find_op(forward_ops(ds, Shard{.ep = 64}), "moe_layer", "experts_up").bytes <
        find_op(forward_ops(ds), "moe_layer", "experts_up").bytes);
}

TEST_CASE("DiT cross-attention and joint attention") {
  // Wan 2.1, one sample: cross_scores = 2 x 75,600 video x 512 text x 5120.
  const auto wan = forward_ops(*model_preset("wan2.1-14b"));
  CHECK(find_op(wan, "layer", "cross_scores").flops == Approx(2.0 * 75600 * 512 * 5120));
  // Bidirectional self-attention: all 75,600^2 products, nothing masked.
  CHECK(find_op(wan, "layer", "attn_scores").flops == Approx(2.0 * 75600 * 75600 * 5120));
  CHECK(find_op(wan, "layer", "cross_kv").flops == Approx(2.0 * 512 * 5120 * 2 * 5120));
  // HunyuanVideo: video and text tokens in one sequence, 20 dual-stream then 40 single.
  const auto hy = forward_ops(*model_preset("hunyuanvideo-13b"));
  REQUIRE(hy[1].name == "dual_stream_layer");
  CHECK(hy[1].repeat == 20);
  CHECK(hy[2].repeat == 40);
  const double tokens = 118800 + 256;
  CHECK(find_op(hy, "layer", "attn_scores").flops == Approx(2 * tokens * tokens * 3072));
  CHECK(find_op(hy, "layer", "adaln").flops == Approx(2.0 * 3072 * 6 * 3072));
}

TEST_CASE("DiT block kernels: diffusers' eager Wan block, byte by byte") {
  // Wan 2.1 14B on the NeMo DFM benchmark sample: latent 24 x 104 x 60, patch 1 x 2 x 2
  // -> 37,440 tokens; one sample, no TP/CP. E = 37,440 x 5,120 elements of the stream.
  ModelSpec m = *model_preset("wan2.1-14b");
  m.dit->latent_frames = 24;
  m.dit->latent_height = 104;
  m.dit->latent_width = 60;
  m.seq_len = m.dit->video_tokens();
  REQUIRE(m.seq_len == 37440);
  const double E = 37440.0 * 5120;
  const auto fused = forward_ops(m);
  m.dit->kernels = DitKernels::kDiffusersEager;
  const auto eager = forward_ops(m);
  // Hand counts from diffusers' WanTransformerBlock.forward (accounting.cc): the
  // modulated norm 36 B per element (x.float() 6, LayerNorm 8, scale 8, shift 8, to
  // BF16 6) against the fused count's 4; the gated residuals 30 and 38 against 6.
  CHECK(find_op(eager, "layer", "attn_norm").bytes.value() == Approx(36 * E));
  CHECK(find_op(eager, "layer", "mlp_norm").bytes.value() == Approx(36 * E));
  CHECK(find_op(eager, "layer", "attn_residual").bytes.value() == Approx(30 * E));
  CHECK(find_op(eager, "layer", "mlp_residual").bytes.value() == Approx(38 * E));
  CHECK(find_op(eager, "layer", "cross_norm").bytes.value() == Approx(20 * E));
  CHECK(find_op(eager, "layer", "cross_residual").bytes == find_op(fused, "layer", "cross_residual").bytes);
  // New passes: q and k each normed (4 B) and rotated (18 B: 36 per even/odd pair).
  CHECK(find_op(eager, "layer", "qk_norm").bytes.value() == Approx(2 * 4 * E));
  CHECK(find_op(eager, "layer", "rope").bytes.value() == Approx(2 * 18 * E));
  CHECK(find_op(eager, "layer", "cross_q_norm").bytes.value() == Approx(4 * E));
  CHECK(find_op(eager, "layer", "rope").kind == OpKind::kMemoryBound);
  CHECK_FALSE(has_op(fused[1], "rope"));
  // Per layer forward: (36-4) x 2 + (30-6) + (38-6) + (20-4) + 8 + 36 + 4 = 184 B per
  // element more, 35.3 GB: 13.2 ms at 0.8 of H100's 3.35 TB/s. FLOPs are unchanged.
  double fused_bytes = 0, eager_bytes = 0;
  for (const Op& o : fused[1].ops) fused_bytes += o.bytes.value();
  for (const Op& o : eager[1].ops) eager_bytes += o.bytes.value();
  CHECK(eager_bytes - fused_bytes == Approx(184 * E));
  CHECK(block_flops(eager[1]) == Approx(block_flops(fused[1])));
}

TEST_CASE("MFU reproduces Korthikanti et al. 2022 Table 5") {
  // GPT-3 175B on 64 A100 (312 TFLOP/s BF16), batch 64 x 2048, 13.75 s per iteration
  // with selective recompute: MFU 51.4%. By hand: 72 x 64 x 2048 x 96 x 12288^2 x
  // (1 + 2048/73728 + 51200/1179648) = 1.411e17 FLOPs / (13.75 s x 64 x 312e12) = 0.514.
  const auto a100 = podsim::engine::FlopRate::tera(312);
  CHECK(mfu(64 * model_flops_per_sample(*model_preset("gpt3-175b")), 13.75, 64, a100) == Approx(0.514).epsilon(0.002));
  // GPT 1T (128 layers, h 25600, 160 heads) on 512 A100, batch 512, 71.49 s: 56.3%.
  const ModelSpec t1{.name = "gpt-1t", .layers = 128, .hidden = 25600, .ffn = 102400, .heads = 160, .vocab = 51200,
                     .seq_len = 2048, .mlp = MlpKind::kGelu, .tied_embeddings = true, .learned_positions = true,
                     .bias = true};
  CHECK(mfu(512 * model_flops_per_sample(t1), 71.49, 512, a100) == Approx(0.563).epsilon(0.002));
}

TEST_CASE("without FlashAttention the s x s scores go through HBM, every product computed") {
  // GPT-3 175B on TP8 (12 local heads), one sample of s = 2048: E = s x s x 12 score
  // elements. Megatron's unfused core (SC21, Korthikanti et al. 2022): QK^T writes E in
  // FP16 (2E bytes), the fused scale-mask-softmax reads and writes E (4E), dropout reads E
  // and writes E and a 1-byte mask (5E), the context GEMM reads E (2E): 13E bytes beyond
  // what FlashAttention moves, and the causal mask no longer halves the FLOPs.
  const ModelSpec m = *model_preset("gpt3-175b");
  REQUIRE(m.dropout);
  const double s = 2048, e = s * s * 96 / 8, d = 128;
  const auto flash = forward_ops(m, Shard{.tp = 8});
  const auto unfused = forward_ops(m, Shard{.tp = 8, .flash_attention = false});
  auto bytes = [](const std::vector<OpBlock>& blocks) {
    double sum = 0;
    for (const Op& op : blocks[1].ops) sum += op.bytes.value();
    return sum;
  };
  CHECK(bytes(unfused) - bytes(flash) == Approx(13 * e));
  CHECK(find_op(unfused, "layer", "attn_softmax").bytes.value() == Approx(4 * e));
  CHECK(find_op(unfused, "layer", "attn_dropout").bytes.value() == Approx(5 * e));
  CHECK(find_op(unfused, "layer", "attn_scores").flops == Approx(2 * s * s * 12 * d));
  CHECK(find_op(flash, "layer", "attn_scores").flops == Approx(s * s * 12 * d));
  // Selective recompute recomputes the whole core (Korthikanti et al. §5), softmax and
  // dropout included; norms are not part of it.
  CHECK(in_attention_core(find_op(unfused, "layer", "attn_softmax")));
  CHECK(in_attention_core(find_op(unfused, "layer", "attn_context")));
  CHECK_FALSE(in_attention_core(find_op(unfused, "layer", "attn_norm")));
}
