#include "workloads/model.h"

#include <fmt/format.h>

#include "engine/error.h"

namespace podsim::workloads {

const char* to_string(MlpKind k) {
  switch (k) {
    case MlpKind::kGelu: return "gelu";
    case MlpKind::kSwiGlu: return "swiglu";
  }
  return "?";
}

const char* to_string(TextConditioning c) {
  switch (c) {
    case TextConditioning::kCrossAttention: return "cross_attention";
    case TextConditioning::kJointAttention: return "joint_attention";
  }
  return "?";
}

const char* to_string(DitKernels k) {
  switch (k) {
    case DitKernels::kFused: return "fused";
    case DitKernels::kDiffusersEager: return "diffusers_eager";
  }
  return "?";
}

void set_latent_from_pixels(DitSpec& dit, const PixelVideo& v) {
  dit.latent_frames = v.causal_vae ? 1 + (v.frames - 1) / v.temporal_compression
                                   : v.frames / v.temporal_compression;
  dit.latent_height = v.height / v.spatial_compression;
  dit.latent_width = v.width / v.spatial_compression;
}

int ModelSpec::tokens_per_sample() const {
  if (dit && dit->conditioning == TextConditioning::kJointAttention) return seq_len + dit->text_tokens;
  return seq_len;
}

namespace {

class Checker {
 public:
  void positive(const std::string& field, long long v) {
    if (v <= 0) add(field, fmt::format("must be > 0, got {}", v));
  }
  void non_negative(const std::string& field, long long v) {
    if (v < 0) add(field, fmt::format("must be >= 0, got {}", v));
  }
  void add(const std::string& field, std::string message) { problems_.push_back({field, std::move(message)}); }
  std::vector<FieldProblem> take() { return std::move(problems_); }

 private:
  std::vector<FieldProblem> problems_;
};

void check_moe(const ModelSpec& m, Checker& c) {
  const MoeSpec& e = *m.moe;
  c.positive("moe.experts", e.experts);
  c.positive("moe.top_k", e.top_k);
  c.positive("moe.expert_ffn", e.expert_ffn);
  c.non_negative("moe.shared_experts", e.shared_experts);
  c.non_negative("moe.dense_layers", e.dense_layers);
  if (e.top_k > e.experts && e.experts > 0)
    c.add("moe.top_k", fmt::format("{} exceeds moe.experts ({})", e.top_k, e.experts));
  if (e.dense_layers > 0 && e.dense_layers >= m.layers && m.layers > 0)
    c.add("moe.dense_layers", fmt::format("{} leaves no MoE layer of {} layers", e.dense_layers, m.layers));
  if (e.dense_layers > 0 && m.ffn <= 0) c.add("ffn", "must be > 0 for the leading dense layers (moe.dense_layers)");
}

void check_mla(const ModelSpec& m, Checker& c) {
  const MlaSpec& a = *m.mla;
  c.non_negative("mla.q_lora_rank", a.q_lora_rank);
  c.positive("mla.kv_lora_rank", a.kv_lora_rank);
  c.positive("mla.qk_nope_head_dim", a.qk_nope_head_dim);
  c.non_negative("mla.qk_rope_head_dim", a.qk_rope_head_dim);
  c.positive("mla.v_head_dim", a.v_head_dim);
  if (m.kv_heads > 0 && m.kv_heads != m.heads)
    c.add("kv_heads", "must be unset or equal to heads with MLA (every head has its own K and V)");
}

void check_dit(const ModelSpec& m, Checker& c) {
  const DitSpec& d = *m.dit;
  c.positive("dit.latent_frames", d.latent_frames);
  c.positive("dit.latent_height", d.latent_height);
  c.positive("dit.latent_width", d.latent_width);
  c.positive("dit.latent_channels", d.latent_channels);
  c.positive("dit.patch_t", d.patch_t);
  c.positive("dit.patch_h", d.patch_h);
  c.positive("dit.patch_w", d.patch_w);
  c.non_negative("dit.text_tokens", d.text_tokens);
  c.non_negative("dit.adaln_vectors", d.adaln_vectors);
  c.non_negative("dit.dual_stream_layers", d.dual_stream_layers);
  if (d.text_tokens > 0) c.positive("dit.text_dim", d.text_dim);
  if (d.patch_t > 0 && d.latent_frames % d.patch_t != 0)
    c.add("dit.latent_frames", fmt::format("{} is not divisible by dit.patch_t ({})", d.latent_frames, d.patch_t));
  if (d.patch_h > 0 && d.latent_height % d.patch_h != 0)
    c.add("dit.latent_height", fmt::format("{} is not divisible by dit.patch_h ({})", d.latent_height, d.patch_h));
  if (d.patch_w > 0 && d.latent_width % d.patch_w != 0)
    c.add("dit.latent_width", fmt::format("{} is not divisible by dit.patch_w ({})", d.latent_width, d.patch_w));
  if (d.dual_stream_layers > m.layers)
    c.add("dit.dual_stream_layers", fmt::format("{} exceeds layers ({})", d.dual_stream_layers, m.layers));
  if (d.dual_stream_layers > 0 && d.conditioning != TextConditioning::kJointAttention)
    c.add("dit.dual_stream_layers", "needs conditioning JOINT_ATTENTION");
  if (d.patch_t > 0 && d.patch_h > 0 && d.patch_w > 0 && m.seq_len != d.video_tokens())
    c.add("seq_len", fmt::format("{} differs from the DiT's video tokens {} ({}x{}x{} latent / {}x{}x{} patch); leave it unset",
                                 m.seq_len, d.video_tokens(), d.latent_frames, d.latent_height, d.latent_width,
                                 d.patch_t, d.patch_h, d.patch_w));
  if (m.vocab != 0) c.add("vocab", "must be 0 for a DiT (it has no token embedding)");
  if (m.moe) c.add("moe", "a MoE DiT is not modelled");
}

}  // namespace

std::vector<FieldProblem> check(const ModelSpec& m) {
  Checker c;
  c.positive("layers", m.layers);
  c.positive("hidden", m.hidden);
  c.positive("heads", m.heads);
  c.non_negative("kv_heads", m.kv_heads);
  c.non_negative("head_dim", m.head_dim);
  c.positive("seq_len", m.seq_len);
  if (!m.moe || m.moe->dense_layers > 0) c.positive("ffn", m.ffn);
  if (!m.dit) c.positive("vocab", m.vocab);
  if (m.heads > 0 && m.head_dim == 0 && !m.mla && m.hidden % m.heads != 0)
    c.add("heads", fmt::format("{} does not divide hidden ({}); set head_dim", m.heads, m.hidden));
  if (m.heads > 0 && m.kv_heads > 0 && m.heads % m.kv_heads != 0)
    c.add("kv_heads", fmt::format("{} does not divide heads ({})", m.kv_heads, m.heads));
  c.non_negative("sliding_window", m.sliding_window);
  c.non_negative("full_attention_every", m.full_attention_every);
  if (m.sliding_window > 0 && !m.causal)
    c.add("sliding_window", "needs causal attention (a bidirectional window is not modelled)");
  if (m.full_attention_every > 0 && m.sliding_window == 0)
    c.add("full_attention_every", "needs sliding_window > 0");
  if (m.sandwich_norm && m.parallel_block)
    c.add("sandwich_norm", "with parallel_block is not modelled (a sandwich norms each sublayer's output on its own)");
  if (m.sandwich_norm && m.dit) c.add("sandwich_norm", "on a DiT is not modelled (its block has norms of its own)");
  if (m.moe) check_moe(m, c);
  if (m.mla) check_mla(m, c);
  if (m.dit) check_dit(m, c);
  return c.take();
}

void validate(const ModelSpec& m) {
  const std::vector<FieldProblem> problems = check(m);
  if (problems.empty()) return;
  std::string all;
  for (const FieldProblem& p : problems)
    all += fmt::format("{}model {}: {}: {}", all.empty() ? "" : "\n", m.name.empty() ? "(unnamed)" : m.name, p.field,
                       p.message);
  throw UserError(all);
}

}  // namespace podsim::workloads
