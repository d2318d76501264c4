#include "workloads/presets.h"

namespace podsim::workloads {
namespace {

// GPT-3 175B as Megatron trains it: Narayanan et al. SC21 Table 1 (96 layers, h 12288,
// 96 heads, vocab 51,200, seq 2048); ffn = 4h; learned positions, tied embeddings,
// biases and dropout as in GPT-2/Megatron-LM. 174.6 B parameters (SC21 Table 1).
ModelSpec gpt3_175b() {
  return ModelSpec{.name = "gpt3-175b", .layers = 96, .hidden = 12288, .ffn = 49152, .heads = 96, .kv_heads = 96,
                   .vocab = 51200, .seq_len = 2048, .mlp = MlpKind::kGelu, .tied_embeddings = true,
                   .learned_positions = true, .bias = true, .dropout = true};
}

// Llama 3: Dubey et al. 2024 ("The Llama 3 Herd of Models") Table 3 for layers, width,
// heads (8 KV heads), vocab 128,256 and 8K pre-training sequence; the FFN widths are
// those of the released configs (14,336 / 28,672 / 53,248; the paper's Table 3 prints
// other numbers, see docs/validation-sources.md). Untied embeddings, RMSNorm, no biases.
ModelSpec llama3(const char* name, int layers, int hidden, int ffn, int heads) {
  return ModelSpec{.name = name, .layers = layers, .hidden = hidden, .ffn = ffn, .heads = heads, .kv_heads = 8,
                   .vocab = 128256, .seq_len = 8192, .mlp = MlpKind::kSwiGlu};
}

// DeepSeek-V3 technical report (arXiv 2412.19437) §2 and §4.2: 61 layers (first 3
// dense), h 7168, dense ffn 18432, 256 routed + 1 shared experts of 2048, top-8, MLA
// with 128 heads, q_lora 1536, kv_lora 512, qk 128 + 64 rope, v 128; vocab 129,280;
// pre-training sequence 4K. 671 B total / 37 B active, excluding the 14 B multi-token
// prediction module (not modelled; TODO(#5) MTP depth).
ModelSpec deepseek_v3() {
  return ModelSpec{.name = "deepseek-v3", .layers = 61, .hidden = 7168, .ffn = 18432, .heads = 128,
                   .vocab = 129280, .seq_len = 4096, .mlp = MlpKind::kSwiGlu,
                   .moe = MoeSpec{.experts = 256, .top_k = 8, .shared_experts = 1, .expert_ffn = 2048, .dense_layers = 3},
                   .mla = MlaSpec{.q_lora_rank = 1536, .kv_lora_rank = 512, .qk_nope_head_dim = 128,
                                  .qk_rope_head_dim = 64, .v_head_dim = 128}};
}

// Kimi K2 (Moonshot AI, arXiv 2507.20534; HF moonshotai/Kimi-K2-Instruct config.json):
// the DeepSeek-V3 architecture with 384 routed experts, 64 heads and 1 leading dense
// layer; vocab 163,840. 1.04 T total / 32.6 B active. The pre-training sequence (4K)
// is from the report's description, UNVERIFIED here.
ModelSpec kimi_k2() {
  ModelSpec m = deepseek_v3();
  m.name = "kimi-k2";
  m.heads = 64;
  m.vocab = 163840;
  m.moe->experts = 384;
  m.moe->dense_layers = 1;
  return m;
}

// GPT-OSS 120B (OpenAI, Aug 2025). The released configuration, as in Hugging Face
// transformers src/transformers/models/gpt_oss/configuration_gpt_oss.py (GptOssConfig,
// whose defaults are openai/gpt-oss-120b's config.json): 36 layers, hidden 2880, 64
// heads of 64 with 8 KV heads (head_dim set: 64 x 64 != 2880), attention biases, 128
// experts of intermediate 2880 (SwiGLU, with biases), top-4, no shared expert, vocab
// 201,088, untied embeddings, RMSNorm; sliding window 128 on the even-indexed layers,
// full attention on the odd ones (layer_types). Attention sinks (one learned logit per
// head in the softmax denominator, modeling_gpt_oss.py) add no matmul FLOPs. 116.8 B
// total, 5.1 B active without the input embedding (OpenAI's model card: 116.83 B / 5.13
// B). seq 4096 is the pre-training context (initial_context_length; Megatron-Bridge's
// recipe trains at 4096, docs/validation-sources.md).
ModelSpec gpt_oss_120b() {
  return ModelSpec{.name = "gpt-oss-120b", .layers = 36, .hidden = 2880, .heads = 64, .kv_heads = 8, .head_dim = 64,
                   .vocab = 201088, .seq_len = 4096, .mlp = MlpKind::kSwiGlu, .bias = true, .sliding_window = 128,
                   .full_attention_every = 2,
                   .moe = MoeSpec{.experts = 128, .top_k = 4, .shared_experts = 0, .expert_ffn = 2880, .dense_layers = 0}};
}

// Qwen3-235B-A22B (Qwen team, arXiv 2505.09388, Table 2; the released configuration as
// Megatron arguments in THUDM/slime scripts/models/qwen3-235B-A22B.sh): 94 layers, all
// MoE; hidden 4096; 64 query heads of 128 (head_dim set: 64 x 128 != 4096) with 4 KV
// heads; 128 experts of 1536 (SwiGLU), top-8, no shared expert; vocab 151,936,
// untied embeddings, RMSNorm, no biases. QK-norm (RMSNorm per head on Q and K) adds no
// matmul. 235 B total, 22 B active (the report's names). Pre-training sequence 4,096
// (the report's first stage, §3.2).
ModelSpec qwen3_235b_a22b() {
  return ModelSpec{.name = "qwen3-235b-a22b", .layers = 94, .hidden = 4096, .heads = 64, .kv_heads = 4,
                   .head_dim = 128, .vocab = 151936, .seq_len = 4096, .mlp = MlpKind::kSwiGlu,
                   .moe = MoeSpec{.experts = 128, .top_k = 8, .shared_experts = 0, .expert_ffn = 1536, .dense_layers = 0}};
}

// Pangu Ultra 135B (Huawei, arXiv 2504.07866, Table 1): 94 layers, hidden 12288, SwiGLU
// FFN 28672, 96 heads with 8 KV heads (GQA), vocab 153,376, untied embeddings, RMSNorm
// in the "sandwich" arrangement (§2.1: four norms a layer, each a memory-bound pass, no
// matmul: sandwich_norm). Pre-training sequence 4K (the
// first stage; 8K, 32K and 128K come later). The calibration row
// scenarios/validation/pangu-ultra-135b-base.textproto spells the same fields out.
ModelSpec pangu_ultra_135b() {
  return ModelSpec{.name = "pangu-ultra-135b", .layers = 94, .hidden = 12288, .ffn = 28672, .heads = 96,
                   .kv_heads = 8, .vocab = 153376, .seq_len = 4096, .mlp = MlpKind::kSwiGlu, .sandwich_norm = true};
}

// Wan 2.1 T2V 14B (Wan team, arXiv 2503.20314; HF Wan2.1-T2V-14B config): 40 layers,
// dim 5120, ffn 13824 (GELU), 40 heads, cross-attention to 512 umT5-XXL tokens of 4096;
// one time-embedding projection shared by all blocks (adaln_vectors 0).
// VAE 4x temporal, 8x spatial (causal), 16 channels, patch 1x2x2: 720p (1280x720) x 81
// frames -> latent 21 x 90 x 160 -> 21 x 45 x 80 = 75,600 tokens (DERIVED).
ModelSpec wan21_14b() {
  ModelSpec m{.name = "wan2.1-14b", .layers = 40, .hidden = 5120, .ffn = 13824, .heads = 40,
              .mlp = MlpKind::kGelu, .causal = false};
  DitSpec d{.text_tokens = 512, .text_dim = 4096, .adaln_vectors = 0};
  set_latent_from_pixels(d, PixelVideo{.frames = 81, .height = 720, .width = 1280});
  m.seq_len = d.video_tokens();
  m.dit = d;
  return m;
}

// HunyuanVideo (Tencent, arXiv 2412.03603; released config HUNYUAN_VIDEO_CONFIG):
// 20 dual-stream + 40 single-stream blocks, hidden 3072, 24 heads, mlp ratio 4
// (GELU-tanh), joint attention over video + 256 text tokens from a 4096-wide MLLM.
// Causal 3D VAE 4x8x8, 16 channels, patch 1x2x2: 720p x 129 frames -> 33 x 45 x 80 =
// 118,800 tokens (DERIVED). Approximation: the single-stream blocks are modelled as
// standard blocks with 6 adaLN vectors (they have 3 and fuse attention and MLP), so the
// parameter count is ~5% above the released ~12.8 B.
ModelSpec hunyuanvideo_13b() {
  ModelSpec m{.name = "hunyuanvideo-13b", .layers = 60, .hidden = 3072, .ffn = 12288, .heads = 24,
              .mlp = MlpKind::kGelu, .causal = false};
  DitSpec d{.text_tokens = 256, .text_dim = 4096, .conditioning = TextConditioning::kJointAttention,
            .dual_stream_layers = 20, .adaln_vectors = 6};
  set_latent_from_pixels(d, PixelVideo{.frames = 129, .height = 720, .width = 1280});
  m.seq_len = d.video_tokens();
  m.dit = d;
  return m;
}

// Movie Gen Video 30B (Meta, arXiv 2410.13720, Table 1 via docs/validation-sources.md):
// 48 layers, 6144, ffn 16384, 48 heads; Llama-3-style blocks (SwiGLU) plus cross-attention
// to the text embeddings. TAE 8x8x8 (not causal), patch 1x2x2:
// 768 x 768 x 256 frames (16 s at 16 fps) -> 32 x 48 x 48 = 73,728 tokens, the paper's
// "73K" (DERIVED; the aspect ratio of that figure is UNVERIFIED). Text tokens (512) and
// their width after projection (6144) are UNVERIFIED assumptions; adaLN is modelled as
// shared (per-layer projections would add ~11 B, contradicting the 30 B total).
ModelSpec moviegen_30b() {
  ModelSpec m{.name = "moviegen-30b", .layers = 48, .hidden = 6144, .ffn = 16384, .heads = 48,
              .mlp = MlpKind::kSwiGlu, .causal = false};
  DitSpec d{.text_tokens = 512, .text_dim = 6144, .adaln_vectors = 0};
  set_latent_from_pixels(d, PixelVideo{.frames = 256, .height = 768, .width = 768, .temporal_compression = 8,
                                       .spatial_compression = 8, .causal_vae = false});
  m.seq_len = d.video_tokens();
  m.dit = d;
  return m;
}

}  // namespace

const std::vector<std::string>& model_preset_names() {
  static const std::vector<std::string> kNames = {"gpt3-175b",   "llama3-8b", "llama3-70b", "llama3-405b",
                                                  "deepseek-v3", "kimi-k2",   "gpt-oss-120b", "qwen3-235b-a22b",
                                                  "pangu-ultra-135b", "wan2.1-14b", "hunyuanvideo-13b",
                                                  "moviegen-30b"};
  return kNames;
}

std::optional<ModelSpec> model_preset(std::string_view name) {
  if (name == "gpt3-175b") return gpt3_175b();
  if (name == "llama3-8b") return llama3("llama3-8b", 32, 4096, 14336, 32);
  if (name == "llama3-70b") return llama3("llama3-70b", 80, 8192, 28672, 64);
  if (name == "llama3-405b") return llama3("llama3-405b", 126, 16384, 53248, 128);
  if (name == "deepseek-v3") return deepseek_v3();
  if (name == "kimi-k2") return kimi_k2();
  if (name == "gpt-oss-120b") return gpt_oss_120b();
  if (name == "qwen3-235b-a22b") return qwen3_235b_a22b();
  if (name == "pangu-ultra-135b") return pangu_ultra_135b();
  if (name == "wan2.1-14b") return wan21_14b();
  if (name == "hunyuanvideo-13b") return hunyuanvideo_13b();
  if (name == "moviegen-30b") return moviegen_30b();
  return std::nullopt;
}

}  // namespace podsim::workloads
