// Unfused RMSNorm, SwiGLU and RoPE (workloads/unfused_kernels.h): the bytes per element
// counted op by op from the frameworks' non-fused code paths, the ops forward_ops builds
// with them (Pangu Ultra's baseline plan by hand), and the plan checks.
#include <doctest/doctest.h>

#include <string>

#include "tests/workloads/op_lookup.h"
#include "workloads/accounting.h"
#include "workloads/efficiency.h"
#include "workloads/model.h"
#include "workloads/parallel_plan.h"
#include "workloads/step_model.h"
#include "workloads/unfused_kernels.h"

namespace podsim::workloads {
namespace {

using doctest::Approx;
using testing::find_op;
using testing::has_op;

// Pangu Ultra 135B (arXiv 2504.07866 §2: 94 layers, h 12288, SwiGLU 28672, 96 query and
// 8 KV heads of 128, vocab 153,376, 4096 tokens).
ModelSpec pangu() {
  return ModelSpec{.name = "pangu-ultra-135b", .layers = 94, .hidden = 12288, .ffn = 28672, .heads = 96, .kv_heads = 8,
                   .vocab = 153376, .seq_len = 4096, .mlp = MlpKind::kSwiGlu};
}

TEST_CASE("Unfused kernels: bytes per element, op by op from the source") {
  // RMSNorm: Megatron-LM megatron/legacy/model/rms_norm.py (= MindSpeed's
  // unfused_rmsnorm): self._norm(x.float()).type_as(x) * self.weight, where _norm is
  // x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps). BF16 2 bytes, FP32 4.
  const double to_fp32 = 2 + 4, square = 4 + 4, mean = 4, scale = 4 + 4, to_bf16 = 4 + 2, weight = 2 + 2;
  CHECK(kUnfusedRmsNormBytes == to_fp32 + square + mean + scale + to_bf16 + weight);
  CHECK(kUnfusedRmsNormBytes == 36);
  // SwiGLU: y1, y2 = torch.chunk(y, 2, -1) (views); F.silu(y1) * y2. Per output element.
  const double silu = 2 + 2, gate_times_up = 2 + 2 + 2;
  CHECK(kUnfusedSwiGluBytes == silu + gate_times_up);
  // RoPE: Megatron-Core _apply_rotary_pos_emb_bshd without fusion: (t * cos) +
  // (_rotate_half(t) * sin), _rotate_half = cat((-x2, x1)); then cat((t, t_pass)).
  const double t_cos = 2 + 2, negate_half = (2 + 2) / 2.0, rotate_cat = 2 + 2, times_sin = 2 + 2, add = 2 + 2 + 2,
               final_cat = 2 + 2;
  CHECK(kUnfusedRopeBytes == t_cos + negate_half + rotate_cat + times_sin + add + final_cat);
  CHECK(kUnfusedRopeBytes == 24);
  CHECK(to_string(UnfusedKernels{}) == "");
  CHECK(to_string(UnfusedKernels{.rmsnorm = true, .swiglu = true, .rope = true}) == "RMSNorm, SwiGLU, RoPE");
}

TEST_CASE("Unfused kernels: Pangu Ultra's baseline layer by hand (TP8 + SP, one 4096-token micro-batch)") {
  const ModelSpec m = pangu();
  const Shard fused{.tp = 8, .sequence_parallel = true};
  Shard unfused = fused;
  unfused.unfused = UnfusedKernels{.rmsnorm = true, .swiglu = true, .rope = true};
  const auto a = forward_ops(m, fused, LayerRange{.begin = 0, .end = 1});
  const auto b = forward_ops(m, unfused, LayerRange{.begin = 0, .end = 1});
  const OpBlock& fl = a[1];
  const OpBlock& ul = b[1];
  REQUIRE(ul.name == "layer");
  // Norms on 4096 / 8 = 512 tokens of 12288 (SP): 6,291,456 elements.
  const double stream = 512.0 * 12288;
  CHECK(find_op(fl, "attn_norm").bytes.value() == Approx(4 * stream));
  CHECK(find_op(ul, "attn_norm").bytes.value() == Approx(36 * stream));  // 226.5 MB
  CHECK(find_op(ul, "mlp_norm").bytes.value() == Approx(36 * stream));
  // SwiGLU's output: 4096 tokens x 28672 / 8 = 3584 columns.
  const double act = 4096.0 * 3584;
  CHECK(find_op(fl, "mlp_act").bytes.value() == Approx(6 * act));
  CHECK(find_op(ul, "mlp_act").bytes.value() == Approx(10 * act));  // 146.8 MB
  // RoPE on q (96 / 8 = 12 heads) and k (8 / 8 = 1 head) of 128: fused, nothing charged.
  CHECK_FALSE(has_op(fl, "rope"));
  CHECK(find_op(ul, "rope").bytes.value() == Approx(24 * 4096.0 * 13 * 128));  // 163.6 MB
  CHECK(find_op(ul, "rope").flops == 0);
  // The layer's forward moves 625 MB more: 2 x 32 x stream + 4 x act + 24 x q,k.
  double fused_bytes = 0, unfused_bytes = 0;
  for (const Op& o : fl.ops) fused_bytes += o.bytes.value();
  for (const Op& o : ul.ops) unfused_bytes += o.bytes.value();
  CHECK(unfused_bytes - fused_bytes == Approx(2 * 32 * stream + 4 * act + 24 * 4096.0 * 13 * 128));
  CHECK(unfused_bytes - fused_bytes == Approx(625.3e6).epsilon(1e-3));
  // The GEMMs and the attention are untouched.
  CHECK(find_op(ul, "qkv").flops == find_op(fl, "qkv").flops);
  CHECK(forward_flops(b) == forward_flops(a));
  // On an Ascend 910B (1.6 TB/s HBM, memory efficiency 0.8): 0.49 ms more per layer
  // forward, 1.47 ms with the backward's 2x.
  const engine::DeviceSpec npu{.name = "Ascend 910B", .peak_bf16 = engine::FlopRate::tera(353.9),
                               .peak_fp16 = engine::FlopRate::tera(376), .hbm_capacity = engine::Bytes::giga(64),
                               .hbm_bandwidth = engine::Bandwidth::gbytes_per_s(1600)};
  const OpEfficiency eff = default_efficiency(npu);
  REQUIRE(eff.memory == Approx(0.8));
  double extra_s = 0;
  for (const Op& o : ul.ops) extra_s += op_seconds(o, engine::Precision::kBF16, npu, eff);
  for (const Op& o : fl.ops) extra_s -= op_seconds(o, engine::Precision::kBF16, npu, eff);
  CHECK(extra_s == Approx(625.3e6 / (1600e9 * 0.8)).epsilon(1e-3));  // 0.489 ms
  // The head's final norm too.
  CHECK(find_op(forward_ops(m, unfused), "head", "final_norm").bytes.value() == Approx(36 * stream));
}

TEST_CASE("Unfused kernels: each alone, and the MoE experts' activation") {
  ModelSpec m = pangu();
  m.layers = 2;
  m.moe = MoeSpec{.experts = 8, .top_k = 2, .shared_experts = 1, .expert_ffn = 1024};
  Shard s{.tp = 2};
  s.unfused.swiglu = true;
  const auto ops = forward_ops(m, s);
  const OpBlock& layer = ops[1];
  REQUIRE(layer.name == "moe_layer");
  // Routed: 4096 x 2 / 2 rows of 1024 outputs; shared: 4096 tokens x 1024 / 2.
  CHECK(find_op(layer, "experts_act").bytes.value() == Approx(10 * 4096.0 * 1024));
  CHECK(find_op(layer, "shared_act").bytes.value() == Approx(10 * 4096.0 * 512));
  CHECK(find_op(layer, "attn_norm").bytes.value() == Approx(4 * 4096.0 * 12288));  // RMSNorm still fused
  CHECK_FALSE(has_op(layer, "rope"));
}

TEST_CASE("Unfused kernels: the plan checks name the field") {
  auto problems = [](const ModelSpec& m, const Plan& p) {
    std::string all;
    for (const FieldProblem& f : check(m, p))
      if (f.field == "unfused_kernels") all += f.message + "\n";
    return all;
  };
  Plan p{.tp = 8, .pp = 2, .dp = 1, .sequence_parallel = true, .global_batch = 1};
  p.unfused_kernels = UnfusedKernels{.rmsnorm = true, .swiglu = true, .rope = true};
  CHECK(problems(pangu(), p).empty());
  ModelSpec gpt = pangu();  // GPT-3 style: GELU, LayerNorm with biases, learned positions
  gpt.mlp = MlpKind::kGelu;
  gpt.bias = true;
  gpt.learned_positions = true;
  const std::string e = problems(gpt, p);
  CHECK(e.find("RMSNORM: model pangu-ultra-135b has LayerNorm (bias: true), not RMSNorm") != std::string::npos);
  CHECK(e.find("SWIGLU: model pangu-ultra-135b has a gelu MLP") != std::string::npos);
  CHECK(e.find("ROPE: model pangu-ultra-135b has learned positions, not a rotary embedding") != std::string::npos);
  Plan fp8 = p;
  fp8.precision = engine::Precision::kFP8;
  CHECK(problems(pangu(), fp8).find("with precision FP8 is not modelled") != std::string::npos);
  ModelSpec mla = pangu();
  mla.mla = MlaSpec{.q_lora_rank = 1536, .kv_lora_rank = 512, .qk_nope_head_dim = 128, .qk_rope_head_dim = 64,
                    .v_head_dim = 128};
  CHECK(problems(mla, p).find("ROPE with MLA") != std::string::npos);
  CHECK(p.shard().unfused == p.unfused_kernels);
}

}  // namespace
}  // namespace podsim::workloads
