#pragma once
// Accounting: a model as a list of forward ops per device per micro-batch, each with
// its FLOPs, HBM bytes and kind (for a roofline), and the model's parameter and FLOP
// counts.
//
// FLOPs per op (forward; a multiply-add is 2 FLOPs), T = tokens on the device,
// b = micro-batch, s = sequence, h = hidden, f = ffn, a = heads, g = KV heads,
// d = head dim, V = vocab (before any parallel split):
//   qkv          2 T h (a d + 2 g d)            out_proj     2 T a d h
//   attn_scores  2 b s^2 a d                    attn_context 2 b s^2 a d
//                (causal: half of both, as FlashAttention skips masked blocks;
//                without FlashAttention the s^2 score traffic of Shard::flash_attention;
//                sliding window w < s: s^2 becomes s w counted in full, s w - w^2/2
//                executed, e.g. GPT-OSS w = 128, s = 4096: 126 keys per query, not 2048)
//   mlp          GELU 4 T h f, SwiGLU 6 T h f   logits       2 T h V
//   router       2 T h E                        experts      (top_k + shared) x mlp(expert_ffn)
//   MLA          q_a 2 T h q_r, q_b 2 T q_r a (d_n + d_r), kv_a 2 T h (kv_r + d_r),
//                kv_b 2 T kv_r a (d_n + d_v), scores 2 b s^2 a (d_n + d_r),
//                context 2 b s^2 a d_v, out_proj 2 T a d_v h
//   DiT          cross-attention: q 2 T h^2, kv 4 b n_text h^2, scores and context
//                2 b s n_text h each, out 2 T h^2; adaLN 2 b h (vectors h) per layer
// For GPT-3 (MHA, GELU, f = 4h) a layer is 24 b s h^2 + 4 b s^2 h, and the model's
// training step 72 B s l h^2 (1 + s/6h + V/12lh) FLOPs (Narayanan et al. SC21, eq. 3
// before recompute); with full recompute 96 B s l h^2 (1 + s/6h + V/16lh).
// Memory-bound ops (norms, activations, residual adds, MoE permutes) carry bytes and
// no FLOPs: the published conventions count matmuls only, and so do we.
//
// Backward costs 2x forward (gradients of inputs and of weights); recompute adds a
// forward: all layers under full recompute; under selective recompute, the ops of the
// recomputed modules (RecomputePolicy below; by default the attention core -- scores,
// softmax, context -- as in Korthikanti et al. 2022 §5).
#include <string>
#include <utility>
#include <vector>

#include "engine/units.h"
#include "workloads/comm.h"
#include "workloads/fp8_casts.h"
#include "workloads/gemm_waves.h"
#include "workloads/model.h"
#include "workloads/unfused_kernels.h"

namespace podsim::workloads {

// How an op is timed later: GEMM and attention on the matrix units at their own
// efficiencies, memory-bound ops at HBM bandwidth.
enum class OpKind { kGemm, kAttention, kMemoryBound };
const char* to_string(OpKind k);

enum class Recompute { kNone, kSelective, kFull };
const char* to_string(Recompute r);

// The modules selective recompute can recompute, Megatron-Core's recompute_modules
// (TransformerConfig; "core_attn", "mla_up_proj", "layernorm", "mlp", "moe_act",
// "shared_experts"). Each drops some activations of a layer (memory.h) and repeats
// some of its forward ops in backward (RecomputePolicy::recomputes):
//   core_attention  attn_scores, softmax, dropout, attn_context (and the cross-attention
//                   core): the s x s score matrix is not stored
//   mla_up_proj     q_up, kv_up (and RoPE): Q, K and V are not stored, only the latents
//   layernorm       attn_norm, mlp_norm: their outputs (the QKV and MLP inputs) are not stored
//   mlp             mlp_up, mlp_act, mlp_down of dense layers: only the MLP input is stored
//   moe_act         experts_act: the routed experts' activation output is not stored
//   shared_experts  shared_up, shared_act, shared_down: only their input is stored
struct Op;

enum class RecomputeModule { kCoreAttention, kMlaUpProj, kLayerNorm, kMlp, kMoeAct, kSharedExperts };
const char* to_string(RecomputeModule m);

// What a plan recomputes. Under kSelective, `modules` lists the recomputed modules;
// empty means Megatron's default, {kCoreAttention}. Ignored otherwise.
struct RecomputePolicy {
  Recompute granularity = Recompute::kNone;
  std::vector<RecomputeModule> modules;

  RecomputePolicy() = default;
  // Implicit on purpose: a bare granularity is the policy with the default modules.
  RecomputePolicy(Recompute g, std::vector<RecomputeModule> m = {}) : granularity(g), modules(std::move(m)) {}

  // Whether the policy recomputes module `m` (false unless kSelective).
  bool has(RecomputeModule m) const;
  // Whether backward recomputes `op` of a transformer layer (every op under kFull).
  bool recomputes(const Op& op) const;
};

struct Op {
  std::string name;  // "qkv", "attn_scores", "mlp_up", "experts_down", ...
  OpKind kind = OpKind::kGemm;
  double flops = 0;     // forward FLOPs on one device for one micro-batch
  engine::Bytes bytes;  // forward HBM traffic: operands read + results written
  GemmShape shape;      // a GEMM's [m x k] x [k x n] (its kernel's tiles and waves)
  // Of a memory-bound FP8 cast op (fp8_casts.h): the transposed copies' bytes, moved
  // only on devices whose FP8 GEMMs need the TN layout (OpEfficiency::fp8_transposes).
  engine::Bytes fp8_transpose_bytes;
  // Of a self-attention core op under ring context parallelism (Shard::ring_attention):
  // the sequence it belongs to, in tokens, and the ring's blocks (cp), for the kernels'
  // efficiency by block length (attention_blocks.h). 0 / 1: one kernel, no factor.
  double ring_seq = 0;
  int ring_blocks = 1;
  bool ring_causal = false;

  double backward_flops() const { return 2 * flops; }
};

// `repeat` identical consecutive blocks (the layers of one kind), or the embedding and
// the head. `comms` are the collectives one repeat issues per micro-batch (filled by
// parallel_plan.h; empty from forward_ops()).
struct OpBlock {
  std::string name;  // "embedding", "dense_layer", "moe_layer", "dual_stream_layer", "layer", "head"
  int repeat = 1;
  bool is_layer = false;  // a transformer layer: recomputed under full recompute
  bool sliding_window = false;  // its layers attend over ModelSpec::sliding_window keys
  // A MoE layer with routed experts: dropless routing copies the tokens per expert to
  // the host once per forward (the all-to-all splits and grouped-GEMM sizes), which
  // drains the device queue (StepModel's MoE host overhead, efficiency.h).
  bool routed_experts = false;
  std::vector<Op> ops;
  std::vector<Comm> comms;
};

// How one device's share of the model is cut. Defaults: the whole model on one device.
struct Shard {
  int tp = 1;  // tensor parallel: heads, FFN columns, expert FFN columns (expert TP = TP)
  int cp = 1;  // context parallel: tokens (and attention queries) split cp ways
  int ep = 1;  // expert parallel: routed experts split ep ways (weights; FLOPs per device
               // are unchanged under balanced routing, as each device serves ep x tokens)
  bool sequence_parallel = false;  // norms and residuals on T/tp tokens
  int micro_batch = 1;             // samples per micro-batch
  int operand_bytes = 2;           // GEMM operand element: 2 BF16/FP16, 1 FP8/INT8
  // Transformer Engine's FP8 (Precision kFP8, and kMXFP8 with fp8_recipe kMxfp8): each
  // layer linear's GEMM gets an op "<gemm>_fp8_cast" with the casts of its input and
  // output gradient (fp8_casts.h).
  bool fp8_casts = false;
  Fp8Recipe fp8_recipe = Fp8Recipe::kDelayed;  // how those casts find their scales
  // Transformer Engine's NVFP4 (Precision kFP4): each layer linear's GEMM gets an op
  // "<gemm>_nvfp4_cast" with the NVFP4 casts of its input and output gradient
  // (fp8_casts.h, nvfp4_cast_bytes), `nvfp4_hadamard`: with the random Hadamard
  // transform on the wgrad copies.
  bool nvfp4_casts = false;
  bool nvfp4_hadamard = false;
  // Attention FLOPs of a causal model: executed (half the s^2 products, false), or
  // counted in full as the SC21 and PaLM formulas do (true).
  bool causal_attention_as_full = false;
  // FlashAttention (Dao et al. 2022): scores stay on chip, masked blocks are skipped.
  // Without it (Megatron before FlashAttention: SC21, Korthikanti et al. 2022) the
  // attention core is two batched GEMMs around a fused scale-mask-softmax and a
  // dropout, all over the whole s x s score matrix of every local head (E elements):
  // QK^T writes E (2 bytes each), softmax reads and writes E, dropout reads E and
  // writes E plus a 1-byte mask, the context GEMM reads E; and every product is
  // computed, masked or not (causal halving does not apply).
  bool flash_attention = true;
  // RMSNorm, SwiGLU, RoPE run as the ops of the framework's non-fused code path
  // (unfused_kernels.h) instead of one fused kernel each.
  UnfusedKernels unfused;
  // cp > 1 runs each layer's attention as a ring of KV blocks (p2p context parallelism),
  // not one kernel: the attention core ops carry the ring (Op::ring_seq).
  bool ring_attention = false;
};

// The layers [begin, end) of a pipeline stage, and whether it holds the embedding
// (first stage) and the head (last stage).
struct LayerRange {
  int begin = 0;
  int end = 0;
  bool embedding = true;
  bool head = true;
};

// Forward ops of the layers in `range` on one device cut by `shard`, per micro-batch.
// REQUIRES: validate(m) passed; 0 <= begin <= end <= layers.
std::vector<OpBlock> forward_ops(const ModelSpec& m, const Shard& shard, const LayerRange& range);
// The whole model.
std::vector<OpBlock> forward_ops(const ModelSpec& m, const Shard& shard = {});

// The attention core that selective recompute recomputes (Korthikanti et al. 2022 §5):
// the score and context GEMMs and, without FlashAttention, the softmax and dropout.
bool in_attention_core(const Op& op);

// Sum of op FLOPs over the blocks (each counted `repeat` times).
double forward_flops(const std::vector<OpBlock>& blocks);
// FLOPs recompute adds to one forward+backward of `blocks`.
double recompute_flops(const std::vector<OpBlock>& blocks, const RecomputePolicy& r);

// Parameters. `total` counts every weight once (a tied output projection is the input
// embedding); `active` those one token uses (top_k + shared experts of each MoE layer).
// Norm weights and biases are included.
struct ParamCounts {
  double total = 0;
  double active = 0;
  double embedding = 0;      // input embedding + positions + untied output (or DiT patch/text/head)
  double routed_experts = 0; // all routed experts of all MoE layers
};
ParamCounts count_params(const ModelSpec& m);

// Parameters of layer `i` (0-based), split into those tensor parallelism divides
// (attention, dense MLP, shared experts, router, norms) and routed experts.
struct LayerParams {
  double dense = 0;
  double routed_experts = 0;
};
LayerParams layer_params(const ModelSpec& m, int i);
// Embedding-side parameters of the first stage and head-side parameters of the last.
double input_embedding_params(const ModelSpec& m);
double head_params(const ModelSpec& m);  // 0 when tied (the embedding is shared)

// Model FLOPs, the PaLM definition (Chowdhery et al. 2022, App. B): matmul FLOPs of
// forward + backward without recompute, attention counted in full (12 l s h per token
// for MHA). Training = 3 x forward.
double model_forward_flops_per_sample(const ModelSpec& m);
double model_flops_per_sample(const ModelSpec& m);
double model_flops_per_token(const ModelSpec& m);
// Hardware FLOPs: model FLOPs plus what `r` recomputes (the HFU numerator; SC21's
// "TFLOP/s per GPU" under full recompute).
double hardware_flops_per_sample(const ModelSpec& m, const RecomputePolicy& r);

// Model FLOP utilisation: model FLOPs per second over devices x the dense peak.
// REQUIRES: seconds > 0, devices > 0, peak > 0.
double mfu(double model_flops, double seconds, int devices, engine::FlopRate peak);

}  // namespace podsim::workloads
