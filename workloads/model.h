#pragma once
// ModelSpec: a model as plain data -- a dense transformer, optionally with MoE layers,
// MLA attention (DeepSeek), or as a video diffusion transformer (DiT). Everything the
// accounting (accounting.h), the plans (parallel_plan.h) and the memory model
// (memory.h) know about a model is here; named published models are in presets.h.
//
// Shapes, for a layer of a dense transformer with h = hidden, f = ffn, a = heads,
// g = kv_heads, d = head_dim (default h / a):
//   attention  Q: h -> a*d, K and V: h -> g*d each (g < a is GQA, g = 1 MQA), O: a*d -> h
//   MLP        GELU: h -> f -> h (2 matrices); SwiGLU: h -> f (gate), h -> f (up), f -> h
// MoE layers replace the MLP by a router (h -> experts) and `top_k` routed plus
// `shared_experts` always-active experts, each an MLP with `expert_ffn`; the first
// `dense_layers` layers keep the dense MLP (DeepSeek-V3: 3 of 61).
// MLA (DeepSeek-V2/V3) replaces Q/K/V by low-rank projections (see MlaSpec).
// Sliding-window attention (Beltagy et al. 2020, Longformer; Jiang et al. 2023, Mistral 7B;
// GPT-OSS): a query attends to the `sliding_window` latest tokens, itself included, not to
// the whole prefix; `full_attention_every` k keeps full attention on every k-th layer
// (GPT-OSS: k = 2, layers 0, 2, 4, ... slide, 1, 3, 5, ... are full).
// A parallel block (GPT-J; Chowdhery et al. 2022, PaLM §2; MegaScale §3.1) computes
// attention and MLP from the same normalized input, y = x + Attn(LN(x)) + MLP(LN(x)):
// one norm and one residual add per layer, and under TP one exchange region instead of two.
// A DiT has no vocabulary: its tokens are patches of the VAE latent video, attention is
// bidirectional over all of them, and the text prompt enters by cross-attention
// (Wan 2.1, Movie Gen) or by joint attention over video + text tokens (HunyuanVideo).
//
// check() lists every problem as (field, message), with field names equal to the
// scenario schema's (proto/podsim/v1/workload.proto, message Model), so the loader
// can point at the line; validate() throws them as one UserError.
#include <optional>
#include <string>
#include <vector>

namespace podsim::workloads {

enum class MlpKind { kGelu, kSwiGlu };
const char* to_string(MlpKind k);

struct MoeSpec {
  int experts = 0;         // routed experts per MoE layer
  int top_k = 0;           // routed experts per token
  int shared_experts = 0;  // experts every token also goes through
  int expert_ffn = 0;      // intermediate size of one expert (routed and shared)
  int dense_layers = 0;    // leading layers that keep the dense MLP (ModelSpec::ffn)
};

// Multi-head latent attention (DeepSeek-V2 §2.1, DeepSeek-V3 §2.1.1). Per token:
//   Q: h -> q_lora_rank -> heads * (qk_nope + qk_rope)    (q_lora_rank 0: h -> heads*(..))
//   KV: h -> kv_lora_rank + qk_rope (the rope part is shared by all heads),
//       kv_lora_rank -> heads * (qk_nope + v)
//   O: heads * v -> h
struct MlaSpec {
  int q_lora_rank = 0;
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
};

enum class TextConditioning { kCrossAttention, kJointAttention };
const char* to_string(TextConditioning c);

// How a DiT block's element-wise work runs (docs/models.md §4.2, "DiT block kernels").
// kFused: the norms, modulations and residuals of a fused implementation (Megatron-Core /
// Transformer Engine), one HBM pass each, RoPE and QK-norm inside the attention path.
// kDiffusersEager: Hugging Face diffusers' WanTransformerBlock run eagerly (no
// torch.compile): every PyTorch op is its own kernel, with the block's FP32 upcasts
// around its norms and gated residuals, and RoPE and QK RMSNorm as separate passes.
enum class DitKernels { kFused, kDiffusersEager };
const char* to_string(DitKernels k);

// A video DiT's token grid. Latent dims come from the VAE: a causal video VAE encodes
// the first frame alone, so latent_frames = 1 + (frames - 1) / temporal compression
// (Wan 2.1: 81 frames -> 21); see latent_from_pixels().
struct DitSpec {
  int latent_frames = 0;
  int latent_height = 0;
  int latent_width = 0;
  int latent_channels = 16;
  int patch_t = 1;
  int patch_h = 2;
  int patch_w = 2;
  int text_tokens = 0;  // prompt length after the text encoder
  int text_dim = 0;     // text encoder width, projected to hidden once per sample
  TextConditioning conditioning = TextConditioning::kCrossAttention;
  // Joint attention: the first `dual_stream_layers` layers keep separate weights for
  // text and video tokens (MMDiT; HunyuanVideo: 20 of 60).
  int dual_stream_layers = 0;
  // adaLN: each layer projects the timestep embedding to `adaln_vectors` vectors of
  // width hidden (shift/scale/gate x 2 = 6 in DiT). 0: one projection shared by all
  // layers, each layer adding only learned biases (Wan 2.1).
  int adaln_vectors = 6;
  DitKernels kernels = DitKernels::kFused;

  int video_tokens() const {
    return (latent_frames / patch_t) * (latent_height / patch_h) * (latent_width / patch_w);
  }
};

struct PixelVideo {
  int frames = 0;
  int height = 0;
  int width = 0;
  int temporal_compression = 4;
  int spatial_compression = 8;
  bool causal_vae = true;  // first frame encoded alone (Wan, HunyuanVideo); Movie Gen's TAE is not
};
// Sets dit's latent_frames/height/width from a pixel video. REQUIRES: positive dims.
void set_latent_from_pixels(DitSpec& dit, const PixelVideo& video);

struct ModelSpec {
  std::string name;
  int layers = 0;
  int hidden = 0;
  int ffn = 0;        // dense MLP intermediate size
  int heads = 0;
  int kv_heads = 0;   // 0: = heads (MHA)
  int head_dim = 0;   // 0: hidden / heads
  int vocab = 0;      // 0 only for a DiT (no token embedding or logits)
  int seq_len = 0;    // tokens per sample; a DiT's is its video_tokens()
  MlpKind mlp = MlpKind::kSwiGlu;
  bool causal = true;            // causal (decoder LM) or bidirectional attention
  bool tied_embeddings = false;  // output projection shares the input embedding
  bool learned_positions = false;  // a seq_len x hidden position table (GPT-2/3)
  bool bias = false;     // biases on every linear layer and LayerNorm beta (GPT-3)
  bool dropout = false;  // dropout masks are stored for backward (Korthikanti 2022 §4)
  int sliding_window = 0;        // tokens a sliding-window query attends to; 0: none
  int full_attention_every = 0;  // with a window: every k-th layer is full; 0: all slide
  bool parallel_block = false;   // attention and MLP in parallel on one norm (PaLM, MegaScale)
  // Sandwich norm (Ding et al. 2021, CogView §2.4; Pangu Ultra §2.1): each sublayer's
  // output is normalised again before the residual add, y = x + Norm(Attn(Norm(x))): two
  // more norms per layer, each one HBM pass over the token stream and a weight of h.
  bool sandwich_norm = false;
  std::optional<MoeSpec> moe;
  std::optional<MlaSpec> mla;
  std::optional<DitSpec> dit;

  int kv_heads_or_heads() const { return kv_heads > 0 ? kv_heads : heads; }
  int head_dim_or_default() const { return head_dim > 0 ? head_dim : (heads > 0 ? hidden / heads : 0); }
  // Whether layer `i` (0-based) uses the sliding window.
  bool sliding_layer(int i) const {
    return sliding_window > 0 && (full_attention_every == 0 || (i + 1) % full_attention_every != 0);
  }
  // Layers whose MLP is a MoE block.
  int moe_layers() const { return moe ? layers - moe->dense_layers : 0; }
  // Tokens one sample puts through every layer: seq_len, plus the text tokens of a
  // joint-attention DiT.
  int tokens_per_sample() const;
};

struct FieldProblem {
  std::string field;    // schema path below the model, e.g. "moe.top_k"
  std::string message;  // what is wrong and what was expected
};

// Every problem with `m` (positive dims, heads divide hidden when head_dim is unset,
// kv_heads divide heads, top_k <= experts, dense_layers < layers, ...).
std::vector<FieldProblem> check(const ModelSpec& m);

// Throws UserError listing check(m), each as "model NAME: FIELD: MESSAGE".
void validate(const ModelSpec& m);

}  // namespace podsim::workloads
