#include "workloads/accounting.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "engine/check.h"
#include "workloads/fp8_casts.h"

namespace podsim::workloads {

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::kGemm: return "gemm";
    case OpKind::kAttention: return "attention";
    case OpKind::kMemoryBound: return "memory_bound";
  }
  return "?";
}

const char* to_string(Recompute r) {
  switch (r) {
    case Recompute::kNone: return "none";
    case Recompute::kSelective: return "selective";
    case Recompute::kFull: return "full";
  }
  return "?";
}

const char* to_string(RecomputeModule m) {
  switch (m) {
    case RecomputeModule::kCoreAttention: return "core_attn";
    case RecomputeModule::kMlaUpProj: return "mla_up_proj";
    case RecomputeModule::kLayerNorm: return "layernorm";
    case RecomputeModule::kMlp: return "mlp";
    case RecomputeModule::kMoeAct: return "moe_act";
    case RecomputeModule::kSharedExperts: return "shared_experts";
  }
  return "?";
}

bool RecomputePolicy::has(RecomputeModule m) const {
  if (granularity != Recompute::kSelective) return false;
  if (modules.empty()) return m == RecomputeModule::kCoreAttention;
  return std::find(modules.begin(), modules.end(), m) != modules.end();
}

bool RecomputePolicy::recomputes(const Op& op) const {
  if (granularity == Recompute::kFull) return true;
  if (granularity != Recompute::kSelective) return false;
  const std::string& n = op.name;
  return (has(RecomputeModule::kCoreAttention) && in_attention_core(op)) ||
         (has(RecomputeModule::kMlaUpProj) && (n == "q_up" || n == "kv_up")) ||
         (has(RecomputeModule::kLayerNorm) && (n == "attn_norm" || n == "mlp_norm")) ||
         (has(RecomputeModule::kMlp) && (n == "mlp_up" || n == "mlp_act" || n == "mlp_down")) ||
         (has(RecomputeModule::kMoeAct) && n == "experts_act") ||
         (has(RecomputeModule::kSharedExperts) && (n == "shared_up" || n == "shared_act" || n == "shared_down"));
}

namespace {

// Activations, norms and results are BF16 whatever the GEMM operand precision.
constexpr double kActivationBytes = 2;

int mlp_matrices(MlpKind k) { return k == MlpKind::kSwiGlu ? 3 : 2; }

// The per-device quantities every layer builder needs.
struct Ctx {
  const ModelSpec& m;
  const Shard& s;
  double b;       // samples per micro-batch
  double seq;     // tokens per sample through every layer (video + joint text)
  double tokens;  // tokens on this device: b * seq / cp
  double norm_tokens;  // tokens of norms and residuals: tokens / tp under SP
  double tp;
  double ob;           // GEMM operand bytes
  double attn_factor;  // 1/2 for executed causal attention, else 1

  Ctx(const ModelSpec& model, const Shard& shard)
      : m(model),
        s(shard),
        b(shard.micro_batch),
        seq(model.tokens_per_sample()),
        tokens(b * seq / shard.cp),
        norm_tokens(shard.sequence_parallel ? tokens / shard.tp : tokens),
        tp(shard.tp),
        ob(shard.operand_bytes),
        attn_factor(model.causal && !shard.causal_attention_as_full && shard.flash_attention ? 0.5 : 1.0) {}

  // Keys each local query is multiplied with, on average, in the attention core of a
  // layer with sliding window `window` (0: none). Full causal: s/2 executed (attn_factor),
  // s counted in full. A causal window w < s: query i sees min(i + 1, w) keys, on average
  // w - w^2 / 2s (continuous form of the sum; exact to 1/s), w counted in full. Without
  // FlashAttention every s x s product is computed and then masked: no saving.
  double attended_keys(int window) const {
    if (window <= 0 || window >= seq || !s.flash_attention) return seq * attn_factor;
    const double w = window;
    return m.causal && !s.causal_attention_as_full ? w - w * w / (2 * seq) : w;
  }

  // Heads on this device; KV heads are replicated when tp exceeds them.
  double heads() const { return m.heads / tp; }
  double kv_heads() const { return std::max(1.0, m.kv_heads_or_heads() / tp); }

  // [rows x k] x [k x n]: operands read at ob bytes, the result written in BF16.
  Op gemm(std::string name, double rows, double k, double n) const {
    return Op{.name = std::move(name), .kind = OpKind::kGemm, .flops = 2 * rows * k * n,
              .bytes = engine::Bytes((rows * k + k * n) * ob + rows * n * kActivationBytes),
              .shape = {.m = rows, .k = k, .n = n}};
  }
  static Op memory(std::string name, double elements_read, double elements_written) {
    return Op{.name = std::move(name), .kind = OpKind::kMemoryBound, .flops = 0,
              .bytes = engine::Bytes((elements_read + elements_written) * kActivationBytes)};
  }
  static Op memory_bytes(std::string name, double bytes) {
    return Op{.name = std::move(name), .kind = OpKind::kMemoryBound, .flops = 0, .bytes = engine::Bytes(bytes)};
  }
  // A norm over the token stream: one fused kernel (read and write it once), or
  // RMSNorm's unfused ops (unfused_kernels.h).
  Op norm(std::string name) const {
    const double e = norm_tokens * m.hidden;
    if (s.unfused.rmsnorm) return memory_bytes(std::move(name), e * kUnfusedRmsNormBytes);
    return memory(std::move(name), e, e);
  }
  // The MLP activation: `up` inputs per output element (2 for SwiGLU's gate and up),
  // `out` output elements; SwiGLU's unfused ops when set (unfused_kernels.h).
  Op activation(std::string name, int up, double out) const {
    if (s.unfused.swiglu && m.mlp == MlpKind::kSwiGlu) return memory_bytes(std::move(name), out * kUnfusedSwiGluBytes);
    return memory(std::move(name), up * out, out);
  }
  // Q K^T or P V of the local queries, each with `keys` keys (attended_keys()), `dim` per head.
  // Under ring CP (no sliding window) the op carries its ring (Op::ring_seq).
  Op attention(std::string name, double keys, double dim, double read_elements, double written_elements,
               int window = 0) const {
    Op op{.name = std::move(name), .kind = OpKind::kAttention,
          .flops = 2 * tokens * keys * heads() * dim,
          .bytes = engine::Bytes((read_elements + written_elements) * kActivationBytes)};
    if (s.ring_attention && s.cp > 1 && s.flash_attention && (window <= 0 || window >= seq)) {
      op.ring_seq = seq;
      op.ring_blocks = s.cp;
      op.ring_causal = m.causal && !s.causal_attention_as_full;
    }
    return op;
  }
};

// Without FlashAttention: the HBM traffic of the score matrix (Shard::flash_attention)
// around the attention GEMMs scores_op and context_op, and the softmax and dropout
// between them. E = local query tokens x keys x local heads.
void add_score_matrix_traffic(const Ctx& c, double keys, Op& scores_op, std::vector<Op>& ops) {
  const double e = c.tokens * keys * c.heads();
  scores_op.bytes += engine::Bytes(e * kActivationBytes);
  ops.push_back(scores_op);
  ops.push_back(Ctx::memory("attn_softmax", e, e));
  if (c.m.dropout) ops.push_back(Ctx::memory("attn_dropout", e, 1.5 * e));  // + 1-byte mask
}

// Pushes the score GEMM (and without FlashAttention the score traffic); the context
// GEMM then reads the probabilities back.
void add_attention_core(const Ctx& c, Op scores, Op context, std::vector<Op>& ops) {
  if (c.s.flash_attention) {
    ops.push_back(std::move(scores));
  } else {
    add_score_matrix_traffic(c, c.seq, scores, ops);
    context.bytes += engine::Bytes(c.tokens * c.seq * c.heads() * kActivationBytes);
  }
  ops.push_back(std::move(context));
}

void add_self_attention(const Ctx& c, int window, std::vector<Op>& ops) {
  const double h = c.m.hidden, T = c.tokens, keys = c.attended_keys(window);
  ops.push_back(c.norm("attn_norm"));
  if (c.m.mla) {
    const MlaSpec& a = *c.m.mla;
    const double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    // The down-projections are replicated on the TP ranks (Megatron-Core MLA).
    if (a.q_lora_rank > 0) {
      ops.push_back(c.gemm("q_down", T, h, a.q_lora_rank));
      ops.push_back(c.gemm("q_up", T, a.q_lora_rank, c.heads() * qk));
    } else {
      ops.push_back(c.gemm("q_proj", T, h, c.heads() * qk));
    }
    ops.push_back(c.gemm("kv_down", T, h, a.kv_lora_rank + a.qk_rope_head_dim));
    ops.push_back(c.gemm("kv_up", T, a.kv_lora_rank, c.heads() * (a.qk_nope_head_dim + a.v_head_dim)));
    add_attention_core(c, c.attention("attn_scores", keys, qk, 2 * T * c.heads() * qk, 0, window),
                       c.attention("attn_context", keys, a.v_head_dim, T * c.heads() * a.v_head_dim,
                                   T * c.heads() * a.v_head_dim, window),
                       ops);
    ops.push_back(c.gemm("out_proj", T, c.heads() * a.v_head_dim, h));
  } else {
    const double d = c.m.head_dim_or_default();
    ops.push_back(c.gemm("qkv", T, h, (c.heads() + 2 * c.kv_heads()) * d));
    // Fused RoPE is charged nothing (inside the attention path); unfused, its ops over q and k.
    if (c.s.unfused.rope) ops.push_back(Ctx::memory_bytes("rope", T * (c.heads() + c.kv_heads()) * d * kUnfusedRopeBytes));
    add_attention_core(c, c.attention("attn_scores", keys, d, T * (c.heads() + c.kv_heads()) * d, 0, window),
                       c.attention("attn_context", keys, d, T * c.kv_heads() * d, T * c.heads() * d, window), ops);
    ops.push_back(c.gemm("out_proj", T, c.heads() * d, h));
  }
  if (c.m.sandwich_norm) ops.push_back(c.norm("attn_post_norm"));
  // A parallel block adds both branches to the residual once, after the MLP.
  if (!c.m.parallel_block) ops.push_back(Ctx::memory("attn_residual", 2 * c.norm_tokens * h, c.norm_tokens * h));
}

// DiT cross-attention: queries from the video tokens, keys and values from the text.
void add_cross_attention(const Ctx& c, std::vector<Op>& ops) {
  const double h = c.m.hidden, T = c.tokens, text = c.b * c.m.dit->text_tokens;
  const double d = c.m.head_dim_or_default();
  ops.push_back(Ctx::memory("cross_norm", c.norm_tokens * h, c.norm_tokens * h));
  ops.push_back(c.gemm("cross_q", T, h, c.heads() * d));
  ops.push_back(c.gemm("cross_kv", text, h, 2 * c.heads() * d));  // every CP rank needs all of it
  Op scores{.name = "cross_scores", .kind = OpKind::kAttention,
            .flops = 2 * T * c.m.dit->text_tokens * c.heads() * d,
            .bytes = engine::Bytes((T + text) * c.heads() * d * kActivationBytes)};
  Op context = scores;
  context.name = "cross_context";
  context.bytes = engine::Bytes((text + T) * c.heads() * d * kActivationBytes);
  ops.push_back(scores);
  ops.push_back(context);
  ops.push_back(c.gemm("cross_out", T, c.heads() * d, h));
  ops.push_back(Ctx::memory("cross_residual", 2 * c.norm_tokens * h, c.norm_tokens * h));
}

void add_mlp(const Ctx& c, double ffn, const std::string& prefix, std::vector<Op>& ops) {
  const double h = c.m.hidden, T = c.tokens, f = ffn / c.tp;
  const int up = mlp_matrices(c.m.mlp) - 1;
  ops.push_back(c.gemm(prefix + "_up", T, h, up * f));
  ops.push_back(c.activation(prefix + "_act", up, T * f));
  ops.push_back(c.gemm(prefix + "_down", T, f, h));
}

void add_moe(const Ctx& c, std::vector<Op>& ops) {
  const MoeSpec& e = *c.m.moe;
  const double h = c.m.hidden, Tn = c.norm_tokens;
  const int up = mlp_matrices(c.m.mlp) - 1;
  ops.push_back(c.gemm("router", Tn, h, e.experts));
  ops.push_back(Ctx::memory("moe_permute", Tn * h, Tn * e.top_k * h));
  // Balanced routing: T * top_k rows per device, each through 1/tp of an expert's
  // columns; the device reads the weights of experts / ep of them.
  const double rows = c.tokens * e.top_k / c.tp;
  const double local_experts = double(e.experts) / c.s.ep / c.tp;
  ops.push_back(Op{.name = "experts_up", .kind = OpKind::kGemm, .flops = 2 * rows * h * up * e.expert_ffn,
                   .bytes = engine::Bytes((rows * h + local_experts * h * up * e.expert_ffn) * c.ob +
                                          rows * up * e.expert_ffn * kActivationBytes),
                   .shape = {.m = rows, .k = h, .n = double(up) * e.expert_ffn, .groups = std::max(1.0, std::floor(local_experts))}});
  ops.push_back(c.activation("experts_act", up, rows * e.expert_ffn));
  ops.push_back(Op{.name = "experts_down", .kind = OpKind::kGemm, .flops = 2 * rows * e.expert_ffn * h,
                   .bytes = engine::Bytes((rows * e.expert_ffn + local_experts * e.expert_ffn * h) * c.ob +
                                          rows * h * kActivationBytes),
                   .shape = {.m = rows, .k = double(e.expert_ffn), .n = h, .groups = std::max(1.0, std::floor(local_experts))}});
  ops.push_back(Ctx::memory("moe_unpermute", Tn * e.top_k * h, Tn * h));
  if (e.shared_experts > 0) add_mlp(c, double(e.shared_experts) * e.expert_ffn, "shared", ops);
}

// DiT block kernels, kDiffusersEager (DitKernels): the HBM bytes, per element of the
// token stream, of Hugging Face diffusers' WanTransformerBlock run eagerly (diffusers
// 0.35, models/transformers/transformer_wan.py, read for the op sequence), counted one
// PyTorch kernel at a time, BF16 = 2 bytes, FP32 = 4, read + written. The adaLN vectors
// ([b x 1 x h], FP32) and RoPE tables ([s x 64], shared by the heads) are small beside
// the stream and not counted. Backward is 2x, as for every op (section 4.2).
//   modulated norm (norm1, norm3): x.float() 2+4, LayerNorm in FP32 4+4,
//     * (1 + scale) 4+4, + shift 4+4, back to BF16 4+2                          = 36
//   gated residual after attention: x.float() 2+4, attn_out * gate (-> FP32) 2+4,
//     add 4+4+4, back to BF16 4+2                                               = 30
//   gated residual after the MLP: as above with ff_out.float() 2+4 first and the
//     product in FP32 4+4                                                       = 38
//   cross-attention norm (norm2, FP32LayerNorm with affine): x.float() 2+4,
//     LayerNorm 4+4, back to BF16 4+2                                           = 20
//   cross-attention residual: x + attn_out in BF16 2+2+2 (as the fused count)   =  6
//   QK RMSNorm (torch.nn.RMSNorm over all heads), one kernel assumed: 2+2 each  =  4
//   RoPE on q or k: per (even, odd) pair eight kernels, x1*cos, x2*sin 2+2 each,
//     their difference 4+2, the strided copy into the output 2+2, and the same for
//     the odd element: 36 bytes per pair                                        = 18
// The fused count (Ctx::memory) charges 2+2 for a norm and 2+2+2 for a residual.
constexpr double kEagerModulatedNormBytes = 36;
constexpr double kEagerAttnResidualBytes = 30;
constexpr double kEagerMlpResidualBytes = 38;
constexpr double kEagerCrossNormBytes = 20;
constexpr double kEagerRmsNormBytes = 4;
constexpr double kEagerRopeBytes = 18;

Op eager_memory(std::string name, double elements, double bytes_per_element) {
  return Op{.name = std::move(name), .kind = OpKind::kMemoryBound, .flops = 0,
            .bytes = engine::Bytes(elements * bytes_per_element)};
}

// Rewrites a DiT layer's element-wise ops (built by layer_ops for the fused kernels)
// as diffusers runs them eagerly, and adds the QK norms and RoPE after the projections.
void apply_diffusers_eager(const Ctx& c, std::vector<Op>& ops) {
  const double stream = c.norm_tokens * c.m.hidden;
  const double qk = c.tokens * c.heads() * c.m.head_dim_or_default();  // elements of q (and of k)
  std::vector<Op> out;
  out.reserve(ops.size() + 3);
  for (Op& op : ops) {
    const std::string name = op.name;
    if (name == "attn_norm" || name == "mlp_norm") op = eager_memory(name, stream, kEagerModulatedNormBytes);
    else if (name == "attn_residual") op = eager_memory(name, stream, kEagerAttnResidualBytes);
    else if (name == "mlp_residual") op = eager_memory(name, stream, kEagerMlpResidualBytes);
    else if (name == "cross_norm") op = eager_memory(name, stream, kEagerCrossNormBytes);
    out.push_back(std::move(op));
    if (name == "qkv") {
      out.push_back(eager_memory("qk_norm", 2 * qk, kEagerRmsNormBytes));
      out.push_back(eager_memory("rope", 2 * qk, kEagerRopeBytes));
    } else if (name == "cross_q") {
      out.push_back(eager_memory("cross_q_norm", qk, kEagerRmsNormBytes));
    }
  }
  ops = std::move(out);
}

// Where the FP8 operands of a layer linear come from (fp8_casts.h), by the GEMM's name;
// none for GEMMs Transformer Engine does not run in FP8 (adaLN, router, logits, DiT
// embeddings). Inputs written in FP8 by a fused kernel: LayerNormLinear's norm (QKV,
// the MLA projections, whose q and kv norms Megatron-Core fuses into their up-
// projections, DiT cross-attention queries, the first MLP linear) and the activation
// before the second MLP linear; the first MLP linear's output gradient comes from the
// fused dact. Cast by a kernel of their own: the attention output (out_proj), the text
// (cross_kv), the permuted tokens of the routed experts and every other gradient.
std::optional<Fp8Sources> fp8_sources(const std::string& n) {
  if (n == "qkv" || n == "q_proj" || n == "q_down" || n == "q_up" || n == "kv_down" || n == "kv_up" || n == "cross_q")
    return Fp8Sources{.input_fused = true, .grad_fused = false, .input_from_norm = true};
  if (n == "out_proj" || n == "cross_out" || n == "cross_kv") return Fp8Sources{};
  if (n == "mlp_up" || n == "shared_up") return Fp8Sources{.input_fused = true, .grad_fused = true, .input_from_norm = true};
  if (n == "experts_up") return Fp8Sources{.input_fused = false, .grad_fused = true};
  if (n == "mlp_down" || n == "shared_down" || n == "experts_down") return Fp8Sources{.input_fused = true, .grad_fused = false};
  return std::nullopt;
}

// Inserts after each FP8 (or NVFP4) layer linear its casts as one memory-bound op. The
// step model charges an op's backward twice its forward, so the op carries a third of the
// forward + backward bytes: the pass total is exact (as gemm_pass_utilisation does for
// GEMMs). NVFP4's column-wise copies are written on every device (FP4 GEMMs take K-major
// operands only), so they are in `bytes`, not in the Hopper-only transpose bytes.
void add_casts(const Shard& shard, std::vector<Op>& ops) {
  std::vector<Op> out;
  out.reserve(2 * ops.size());
  for (Op& op : ops) {
    const std::optional<Fp8Sources> from = op.kind == OpKind::kGemm ? fp8_sources(op.name) : std::nullopt;
    const std::string name = op.name;
    const GemmShape shape = op.shape;
    out.push_back(std::move(op));
    if (!from) continue;
    if (shard.nvfp4_casts) {
      out.push_back(Op{.name = name + "_nvfp4_cast", .kind = OpKind::kMemoryBound, .flops = 0,
                       .bytes = engine::Bytes(nvfp4_cast_bytes(shape, *from, shard.nvfp4_hadamard) / 3)});
      continue;
    }
    const Fp8CastBytes b = fp8_cast_bytes(shape, *from, shard.fp8_recipe);
    out.push_back(Op{.name = name + "_fp8_cast", .kind = OpKind::kMemoryBound, .flops = 0,
                     .bytes = engine::Bytes(b.quantise / 3), .fp8_transpose_bytes = engine::Bytes(b.transpose / 3)});
  }
  ops = std::move(out);
}

std::vector<Op> layer_ops(const Ctx& c, bool moe, int window) {
  std::vector<Op> ops;
  const double h = c.m.hidden;
  if (c.m.dit && c.m.dit->adaln_vectors > 0)
    ops.push_back(c.gemm("adaln", c.b, h, c.m.dit->adaln_vectors * h / c.tp));
  add_self_attention(c, window, ops);
  if (c.m.dit && c.m.dit->conditioning == TextConditioning::kCrossAttention && c.m.dit->text_tokens > 0)
    add_cross_attention(c, ops);
  if (!c.m.parallel_block) ops.push_back(c.norm("mlp_norm"));
  if (moe) add_moe(c, ops);
  else add_mlp(c, c.m.ffn, "mlp", ops);
  if (c.m.sandwich_norm) ops.push_back(c.norm("mlp_post_norm"));
  // Parallel block: x + attention + MLP, three reads and one write.
  const double residual_reads = c.m.parallel_block ? 3 : 2;
  ops.push_back(Ctx::memory("mlp_residual", residual_reads * c.norm_tokens * h, c.norm_tokens * h));
  if (c.m.dit && c.m.dit->kernels == DitKernels::kDiffusersEager) apply_diffusers_eager(c, ops);
  if (c.s.fp8_casts || c.s.nvfp4_casts) add_casts(c.s, ops);
  return ops;
}

double patch_volume(const DitSpec& d) { return double(d.latent_channels) * d.patch_t * d.patch_h * d.patch_w; }

std::vector<Op> embedding_ops(const Ctx& c) {
  const double h = c.m.hidden;
  std::vector<Op> ops;
  if (c.m.dit) {
    const DitSpec& d = *c.m.dit;
    ops.push_back(c.gemm("patch_embed", c.b * c.m.seq_len / c.s.cp, patch_volume(d), h));
    if (d.text_tokens > 0) {
      ops.push_back(c.gemm("text_proj_in", c.b * d.text_tokens, d.text_dim, h));
      ops.push_back(c.gemm("text_proj_out", c.b * d.text_tokens, h, h));
    }
    if (d.adaln_vectors == 0) ops.push_back(c.gemm("adaln_shared", c.b, h, 6 * h));
  } else {
    ops.push_back(Ctx::memory("embedding", c.norm_tokens * h, c.norm_tokens * h));
  }
  return ops;
}

std::vector<Op> head_ops(const Ctx& c) {
  const double h = c.m.hidden;
  std::vector<Op> ops;
  ops.push_back(c.norm("final_norm"));
  if (c.m.dit) {
    ops.push_back(c.gemm("unpatchify", c.b * c.m.seq_len / c.s.cp, h, patch_volume(*c.m.dit)));
  } else {
    const double v = c.m.vocab / c.tp;  // vocab-parallel output layer
    ops.push_back(c.gemm("logits", c.tokens, h, v));
    ops.push_back(Ctx::memory("loss", c.tokens * v, c.tokens * v));
  }
  return ops;
}

bool is_moe_layer(const ModelSpec& m, int i) { return m.moe && i >= m.moe->dense_layers; }
bool is_dual_stream(const ModelSpec& m, int i) { return m.dit && i < m.dit->dual_stream_layers; }

std::string layer_kind(const ModelSpec& m, int i) {
  if (is_moe_layer(m, i)) return "moe_layer";
  if (m.moe) return "dense_layer";
  if (is_dual_stream(m, i)) return "dual_stream_layer";
  return "layer";
}

}  // namespace

std::vector<OpBlock> forward_ops(const ModelSpec& m, const Shard& shard, const LayerRange& range) {
  PODSIM_CHECK(0 <= range.begin && range.begin <= range.end && range.end <= m.layers, "layer range out of bounds");
  PODSIM_CHECK(shard.tp >= 1 && shard.cp >= 1 && shard.ep >= 1 && shard.micro_batch >= 1, "shard dims must be >= 1");
  const Ctx c(m, shard);
  std::vector<OpBlock> blocks;
  if (range.embedding) blocks.push_back(OpBlock{.name = "embedding", .ops = embedding_ops(c)});
  for (int i = range.begin; i < range.end; ++i) {
    const std::string kind = layer_kind(m, i);
    const bool sliding = m.sliding_layer(i);
    if (!blocks.empty() && blocks.back().is_layer && blocks.back().name == kind &&
        blocks.back().sliding_window == sliding) {
      ++blocks.back().repeat;
      continue;
    }
    blocks.push_back(OpBlock{.name = kind, .is_layer = true, .sliding_window = sliding,
                             .routed_experts = is_moe_layer(m, i),
                             .ops = layer_ops(c, is_moe_layer(m, i), sliding ? m.sliding_window : 0)});
  }
  if (range.head) blocks.push_back(OpBlock{.name = "head", .ops = head_ops(c)});
  return blocks;
}

std::vector<OpBlock> forward_ops(const ModelSpec& m, const Shard& shard) {
  return forward_ops(m, shard, LayerRange{.begin = 0, .end = m.layers});
}

bool in_attention_core(const Op& op) {
  return op.kind == OpKind::kAttention || op.name == "attn_softmax" || op.name == "attn_dropout";
}

double forward_flops(const std::vector<OpBlock>& blocks) {
  double sum = 0;
  for (const OpBlock& b : blocks)
    for (const Op& op : b.ops) sum += b.repeat * op.flops;
  return sum;
}

double recompute_flops(const std::vector<OpBlock>& blocks, const RecomputePolicy& r) {
  double sum = 0;
  for (const OpBlock& b : blocks) {
    if (!b.is_layer) continue;
    for (const Op& op : b.ops)
      if (r.recomputes(op)) sum += b.repeat * op.flops;
  }
  return sum;
}

// ---- Parameters ----

namespace {

double norm_params(const ModelSpec& m) { return m.bias ? 2.0 * m.hidden : m.hidden; }

double attention_params(const ModelSpec& m) {
  const double h = m.hidden;
  if (m.mla) {
    const MlaSpec& a = *m.mla;
    const double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    const double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * m.heads * qk
                                       : h * m.heads * qk;
    return q + h * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank +
           a.kv_lora_rank * m.heads * (a.qk_nope_head_dim + a.v_head_dim) + m.heads * a.v_head_dim * h;
  }
  const double d = m.head_dim_or_default(), q = m.heads * d, kv = m.kv_heads_or_heads() * d;
  return h * (q + 2 * kv) + q * h + (m.bias ? q + 2 * kv + h : 0);
}

double mlp_params(const ModelSpec& m, double ffn) {
  return mlp_matrices(m.mlp) * m.hidden * ffn + (m.bias ? (mlp_matrices(m.mlp) - 1) * ffn + m.hidden : 0);
}

double expert_params(const ModelSpec& m) { return mlp_params(m, m.moe->expert_ffn); }

}  // namespace

LayerParams layer_params(const ModelSpec& m, int i) {
  const double h = m.hidden;
  double dense = attention_params(m) + ((m.parallel_block ? 1 : 2) + (m.sandwich_norm ? 2 : 0)) * norm_params(m);
  LayerParams p;
  if (is_moe_layer(m, i)) {
    dense += h * m.moe->experts + m.moe->shared_experts * expert_params(m);
    p.routed_experts = m.moe->experts * expert_params(m);
  } else {
    dense += mlp_params(m, m.ffn);
  }
  if (m.dit) {
    const DitSpec& d = *m.dit;
    if (d.conditioning == TextConditioning::kCrossAttention && d.text_tokens > 0)
      dense += 4 * h * h + norm_params(m);
    dense += d.adaln_vectors > 0 ? d.adaln_vectors * h * (h + 1) : 6 * h;  // shared: per-layer biases only
    if (is_dual_stream(m, i)) dense *= 2;  // separate text-stream weights
  }
  p.dense = dense;
  return p;
}

double input_embedding_params(const ModelSpec& m) {
  const double h = m.hidden;
  if (m.dit) {
    const DitSpec& d = *m.dit;
    double p = patch_volume(d) * h + h;
    if (d.text_tokens > 0) p += d.text_dim * h + h * h;
    if (d.adaln_vectors == 0) p += 6 * h * h;
    return p;
  }
  return double(m.vocab) * h + (m.learned_positions ? double(m.seq_len) * h : 0);
}

double head_params(const ModelSpec& m) {
  const double h = m.hidden;
  if (m.dit) return h * patch_volume(*m.dit) + norm_params(m);
  return norm_params(m) + (m.tied_embeddings ? 0 : double(m.vocab) * h);
}

ParamCounts count_params(const ModelSpec& m) {
  ParamCounts c;
  c.embedding = input_embedding_params(m) + head_params(m);
  c.total = c.active = c.embedding;
  for (int i = 0; i < m.layers; ++i) {
    const LayerParams p = layer_params(m, i);
    c.total += p.dense + p.routed_experts;
    c.routed_experts += p.routed_experts;
    c.active += p.dense + (is_moe_layer(m, i) ? m.moe->top_k * expert_params(m) : 0);
  }
  return c;
}

// ---- FLOPs ----

double model_forward_flops_per_sample(const ModelSpec& m) {
  return forward_flops(forward_ops(m, Shard{.causal_attention_as_full = true}));
}

double model_flops_per_sample(const ModelSpec& m) { return 3 * model_forward_flops_per_sample(m); }

double model_flops_per_token(const ModelSpec& m) { return model_flops_per_sample(m) / m.seq_len; }

double hardware_flops_per_sample(const ModelSpec& m, const RecomputePolicy& r) {
  const std::vector<OpBlock> ops = forward_ops(m, Shard{.causal_attention_as_full = true});
  return 3 * forward_flops(ops) + recompute_flops(ops, r);
}

double mfu(double model_flops, double seconds, int devices, engine::FlopRate peak) {
  PODSIM_CHECK(seconds > 0 && devices > 0 && peak.value() > 0, "mfu needs positive time, devices and peak");
  return model_flops / seconds / (devices * peak.value());
}

}  // namespace podsim::workloads
