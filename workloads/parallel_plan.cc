#include "workloads/parallel_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "engine/check.h"
#include "engine/error.h"

namespace podsim::workloads {

using engine::Bytes;
using engine::CollectiveOp;

const char* to_string(PipelineSchedule s) {
  switch (s) {
    case PipelineSchedule::k1F1B: return "1f1b";
    case PipelineSchedule::kInterleaved: return "interleaved";
    case PipelineSchedule::kDualPipe: return "dualpipe";
  }
  return "?";
}

const char* to_string(DataSharding s) {
  switch (s) {
    case DataSharding::kNone: return "none";
    case DataSharding::kZero1: return "zero1";
    case DataSharding::kZero2: return "zero2";
    case DataSharding::kZero3: return "zero3";
    case DataSharding::kFsdp: return "fsdp";
    case DataSharding::kFsdpShardGradOp: return "fsdp_shard_grad_op";
  }
  return "?";
}

const char* to_string(CpAlgorithm a) {
  switch (a) {
    case CpAlgorithm::kRing: return "ring";
    case CpAlgorithm::kUlysses: return "ulysses";
    case CpAlgorithm::kAllGather: return "all-gather";
  }
  return "?";
}

const char* to_string(AttentionKernel k) {
  switch (k) {
    case AttentionKernel::kFused: return "FUSED";
    case AttentionKernel::kFlashAttention2: return "FLASH_ATTENTION_2";
  }
  return "?";
}

const char* to_string(TpOverlap o) {
  switch (o) {
    case TpOverlap::kNone: return "none";
    case TpOverlap::kBackward: return "backward";
    case TpOverlap::kUserbuffers: return "userbuffers";
  }
  return "?";
}

const char* to_string(CudaGraphs g) {
  switch (g) {
    case CudaGraphs::kNone: return "none";
    case CudaGraphs::kStaticParts: return "static parts";
    case CudaGraphs::kFull: return "full";
  }
  return "?";
}

int operand_bytes(engine::Precision precision) {
  // NVFP4 operands are 0.5 byte + an E4M3 scale per 16; counted as 1 byte like FP8 (the
  // GEMMs are compute-bound at these sizes, and MoE dispatch stays FP8 or BF16).
  return precision == engine::Precision::kFP8 || precision == engine::Precision::kINT8 ||
                 precision == engine::Precision::kFP4 || precision == engine::Precision::kMXFP8
             ? 1
             : 2;
}

int Plan::operand_bytes() const { return workloads::operand_bytes(precision); }

double Plan::operand_storage_bytes() const {
  // OCP Microscaling spec v1.0: one 8-bit E8M0 scale per block of k = 32 elements.
  constexpr double kMxBlock = 32;
  return operand_bytes() + (precision == engine::Precision::kMXFP8 ? 1 / kMxBlock : 0);
}

bool Plan::fp8_activation_cache_on() const {
  // Transformer Engine's Linear, LayerNormLinear and GroupedLinear save the quantized
  // input for the weight gradient whenever they run quantized (docs/models.md §4.4).
  const bool te = precision == engine::Precision::kFP8 || precision == engine::Precision::kMXFP8 ||
                  precision == engine::Precision::kFP4;
  return fp8_activation_cache.value_or(te);
}

int Plan::offloaded_layers(int layers) const {
  if (activation_offload <= 0) return 0;
  return std::clamp(static_cast<int>(std::lround(activation_offload * layers)), 0, layers);
}

Shard Plan::shard() const {
  return Shard{.tp = tp, .cp = cp, .ep = ep, .sequence_parallel = sequence_parallel, .micro_batch = micro_batch,
               .operand_bytes = operand_bytes(),
               .fp8_casts = precision == engine::Precision::kFP8 || precision == engine::Precision::kMXFP8,
               .fp8_recipe = precision == engine::Precision::kMXFP8 ? Fp8Recipe::kMxfp8 : fp8_recipe,
               .nvfp4_casts = precision == engine::Precision::kFP4,
               .nvfp4_hadamard = nvfp4_hadamard,
               .causal_attention_as_full = false,
               .flash_attention = flash_attention,
               .unfused = unfused_kernels,
               .ring_attention = cp > 1 && cp_algorithm == CpAlgorithm::kRing};
}

// ---- Checks ----

std::vector<FieldProblem> check(const ModelSpec& m, const Plan& p) {
  std::vector<FieldProblem> out;
  auto add = [&](std::string field, std::string message) { out.push_back({std::move(field), std::move(message)}); };
  bool dims_ok = true;
  for (auto [field, v] : {std::pair{"tp", p.tp}, {"pp", p.pp}, {"dp", p.dp}, {"cp", p.cp}, {"ep", p.ep},
                          {"virtual_stages", p.virtual_stages}, {"micro_batch", p.micro_batch},
                          {"global_batch", p.global_batch}}) {
    if (v < 1) {
      add(field, fmt::format("must be >= 1, got {}", v));
      dims_ok = false;
    }
  }
  if (!dims_ok) return out;

  const std::string model = fmt::format("model {}", m.name);
  // The first TP divisibility that fails (one problem per field).
  const int kv = m.kv_heads_or_heads();
  if (m.heads % p.tp != 0)
    add("tp", fmt::format("{} does not divide the {} heads of {}", p.tp, m.heads, model));
  else if (!m.mla && kv % p.tp != 0 && p.tp % kv != 0)
    add("tp", fmt::format("{} and the {} KV heads of {} must divide one another", p.tp, kv, model));
  else if (m.ffn > 0 && m.ffn % p.tp != 0)
    add("tp", fmt::format("{} does not divide ffn {} of {}", p.tp, m.ffn, model));
  else if (m.moe && m.moe->expert_ffn % p.tp != 0)
    add("tp", fmt::format("{} does not divide expert_ffn {} of {}", p.tp, m.moe->expert_ffn, model));

  const int seq = m.tokens_per_sample();
  // Ring and all-gather CP both balance a causal mask by giving each rank chunks i and
  // 2 cp - 1 - i of 2 cp (Megatron-Core / Transformer Engine; Llama 3 §3.3.2).
  const bool ring_causal = p.cp > 1 && p.cp_algorithm != CpAlgorithm::kUlysses && m.causal;
  const int seq_unit = p.cp * (ring_causal ? 2 : 1) * (p.sequence_parallel ? p.tp : 1);
  if (seq % seq_unit != 0)
    add("cp", fmt::format("the {} tokens per sample of {} must divide into {} chunks (cp {}{}{})", seq, model,
                          seq_unit, p.cp, ring_causal ? " x 2 for load-balanced causal attention" : "",
                          p.sequence_parallel ? fmt::format(" x tp {} for sequence parallelism", p.tp) : ""));
  if (p.cp > 1 && p.cp_algorithm == CpAlgorithm::kUlysses && m.heads % (p.tp * p.cp) != 0)
    add("cp_algorithm", fmt::format("Ulysses needs tp x cp = {} to divide the {} heads of {}", p.tp * p.cp, m.heads,
                                    model));

  if (p.ep > 1 && !m.moe) add("ep", fmt::format("{} > 1 but {} has no MoE layers", p.ep, model));
  if (m.moe && m.moe->experts % p.ep != 0)
    add("ep", fmt::format("{} does not divide the {} experts of {}", p.ep, m.moe->experts, model));
  if (p.dp % p.ep != 0) add("ep", fmt::format("{} must divide dp ({}): expert parallel ranks come from DP", p.ep, p.dp));

  const int chunks = p.pp * p.virtual_stages;
  if (p.schedule == PipelineSchedule::k1F1B && p.virtual_stages != 1)
    add("virtual_stages", fmt::format("{} needs schedule INTERLEAVED", p.virtual_stages));
  if (p.schedule == PipelineSchedule::kInterleaved && (p.pp < 2 || p.virtual_stages < 2))
    add("schedule", fmt::format("INTERLEAVED needs pp >= 2 and virtual_stages >= 2 (got pp {}, virtual_stages {})",
                                p.pp, p.virtual_stages));
  if (p.schedule == PipelineSchedule::kDualPipe) {
    if (p.virtual_stages != 1)
      add("virtual_stages", fmt::format("{} with schedule DUALPIPE: each device holds two stages, set 1", p.virtual_stages));
    if (p.pp < 2 || p.pp % 2 != 0)
      add("schedule", fmt::format("DUALPIPE needs an even pp >= 2 (got pp {})", p.pp));
    if (p.sharding == DataSharding::kZero3 || p.sharding == DataSharding::kFsdp)
      add("sharding", fmt::format("{} with schedule DUALPIPE is not modelled (DeepSeek-V3 runs DualPipe with ZeRO-1)",
                                  to_string(p.sharding)));
    else if (p.grads_reduced_per_micro_batch())
      add("sharding", fmt::format("{} with schedule DUALPIPE is not modelled: its gradients are reduce-scattered micro-batch "
                                  "by micro-batch, which DualPipe's paired passes do not carry (DeepSeek-V3 runs ZeRO-1)",
                                  to_string(p.sharding)));
  }
  if (p.grads_reduced_per_micro_batch() && !p.overlap_grad_reduce)
    add("overlap_grad_reduce", fmt::format("false with sharding {} is not modelled: sharded gradients are reduce-scattered "
                                           "under every backward (set true)", to_string(p.sharding)));
  if (m.layers < chunks - (p.allow_uneven_stages && chunks > 2 ? 2 : 0))
    add("pp", fmt::format("pp x virtual_stages = {} exceeds the {} layers of {}{}", chunks, m.layers, model,
                          p.allow_uneven_stages ? " by more than the embedding and head chunks (2)" : ""));
  else if (m.layers % chunks != 0 && !p.allow_uneven_stages)
    add("pp", fmt::format("pp x virtual_stages = {} does not divide the {} layers of {} (set allow_uneven_stages)",
                          chunks, m.layers, model));

  if (p.fp8_activation_cache.value_or(false) && p.operand_bytes() != 1)
    add("fp8_activation_cache", fmt::format("needs 1-byte GEMM operands (precision FP8, MXFP8, INT8 or NVFP4), got {}",
                                            engine::to_string(p.precision)));
  if (p.zero3_fetch != Zero3Fetch::kPrefetch && p.sharding != DataSharding::kZero3)
    add("zero3_fetch", fmt::format("ZERO3_FETCH_PER_TENSOR_SYNC is DeepSpeed ZeRO-3's and needs sharding ZERO3, got {}",
                                   to_string(p.sharding)));
  if (p.fp8_recipe != Fp8Recipe::kDelayed)
    if (auto problem = fp8_recipe_precision_problem(p.fp8_recipe, p.precision)) add("fp8_recipe", *problem);
  if (p.unfused_kernels.any()) {
    // The unfused chains are counted for a dense or MoE LLM whose norms are RMSNorm and
    // whose activations are BF16 (unfused_kernels.h); Transformer Engine's FP8 casts
    // assume the fused norm and activation write FP8 themselves (fp8_casts.h).
    if (m.dit) add("unfused_kernels", fmt::format("{} is a DiT, whose element-wise kernels are set by dit.kernels", model));
    if (p.unfused_kernels.rmsnorm && m.bias)
      add("unfused_kernels", fmt::format("RMSNORM: {} has LayerNorm (bias: true), not RMSNorm", model));
    if (p.unfused_kernels.swiglu && m.mlp != MlpKind::kSwiGlu)
      add("unfused_kernels", fmt::format("SWIGLU: {} has a {} MLP", model, to_string(m.mlp)));
    if (p.unfused_kernels.rope && m.learned_positions)
      add("unfused_kernels", fmt::format("ROPE: {} has learned positions, not a rotary embedding", model));
    if (p.unfused_kernels.rope && m.mla)
      add("unfused_kernels", fmt::format("ROPE with MLA ({}) is not modelled", model));
    if (p.operand_bytes() == 1)
      add("unfused_kernels", fmt::format("with precision {} is not modelled (Transformer Engine's low-precision casts assume "
                                         "its fused norm and activation)", engine::to_string(p.precision)));
  }
  if (p.fp8_swiglu_input_store && m.mlp != MlpKind::kSwiGlu)
    add("fp8_swiglu_input_store", fmt::format("needs a SwiGLU MLP ({} has a {} MLP)", model, to_string(m.mlp)));
  if (p.tp_overlap == TpOverlap::kUserbuffers && p.tp > 1 && !p.sequence_parallel)
    add("tp_overlap", "TP_OVERLAP_USERBUFFERS needs sequence_parallel (Transformer Engine's userbuffers overlap the "
                      "all-gathers and reduce-scatters of sequence parallelism)");
  for (const auto& [field, ub] : {std::pair{"ub_proj_fprop", p.ub_proj_fprop}, std::pair{"ub_fc2_fprop", p.ub_fc2_fprop}}) {
    if (!ub.set()) continue;
    if (p.tp_overlap != TpOverlap::kUserbuffers)
      add(field, "needs tp_overlap: TP_OVERLAP_USERBUFFERS (it configures a userbuffers overlap)");
    if (ub.reserved_sms < 0 || ub.reserved_sms > 1024)
      add(field, fmt::format("reserved_sms {} is out of range (expected 0 .. 1024 SMs)", ub.reserved_sms));
    if (ub.splits < 0 || ub.splits == 1 || ub.splits > 64)
      add(field, fmt::format("splits {} is out of range (expected 0 for a ring exchange, or 2 .. 64)", ub.splits));
  }
  if (p.distribute_saved_activations) {
    if (p.recompute != Recompute::kFull)
      add("distribute_saved_activations", "needs recompute: FULL (only full recompute saves the layer inputs)");
    else if (p.tp < 2)
      add("distribute_saved_activations", "needs tp >= 2 (the saved inputs are split over the TP ranks)");
    else if (p.sequence_parallel)
      add("distribute_saved_activations", "has nothing to split: sequence_parallel already keeps 1/tp of each input");
  }
  if (!(p.activation_offload >= 0 && p.activation_offload <= 1))
    add("activation_offload", fmt::format("{} is out of range (expected a fraction of the layers, 0 .. 1)",
                                          p.activation_offload));
  if (!p.flash_attention && p.attention_kernel != AttentionKernel::kFused)
    add("attention_kernel", fmt::format("{} is a FlashAttention kernel, but flash_attention is false",
                                        to_string(p.attention_kernel)));

  if (p.global_batch % (p.dp * p.micro_batch) != 0)
    add("global_batch", fmt::format("{} is not a multiple of dp x micro_batch = {}", p.global_batch,
                                    p.dp * p.micro_batch));
  else if (p.schedule == PipelineSchedule::kInterleaved && p.pp > 1 && p.micro_batches() % p.pp != 0)
    add("global_batch", fmt::format("gives {} micro-batches per DP rank; the interleaved schedule needs a multiple "
                                    "of pp ({})", p.micro_batches(), p.pp));
  else if (p.schedule == PipelineSchedule::kDualPipe && (p.micro_batches() % 2 != 0 || p.micro_batches() < 2 * p.pp))
    add("global_batch", fmt::format("gives {} micro-batches per DP rank; DUALPIPE needs an even number of at least "
                                    "2 x pp = {} (half enter at each end of the pipeline)",
                                    p.micro_batches(), 2 * p.pp));
  return out;
}

void validate(const ModelSpec& m, const Plan& plan) {
  std::string all;
  auto append = [&](const char* prefix, const std::vector<FieldProblem>& problems) {
    for (const FieldProblem& fp : problems)
      all += fmt::format("{}{}{}: {}", all.empty() ? "" : "\n", prefix, fp.field, fp.message);
  };
  append("model.", check(m));
  if (all.empty()) append("plan.", check(m, plan));
  if (!all.empty()) throw UserError(all);
}

std::optional<std::string> precision_problem(engine::Precision p, const engine::DeviceSpec& device) {
  if (device.peak(p)) return std::nullopt;
  std::vector<std::string> have;
  for (engine::Precision q : {engine::Precision::kBF16, engine::Precision::kFP16, engine::Precision::kFP8,
                              engine::Precision::kINT8, engine::Precision::kFP4, engine::Precision::kMXFP8})
    if (q != p && device.peak(q) && (q != engine::Precision::kFP16 || have.empty())) have.push_back(to_string(q));
  const bool ascend = device.name.find("Ascend") != std::string::npos;
  const char* why = ascend && p == engine::Precision::kFP8 ? " (hardware.md §1.1, [S1] §3.3.1)"
                    : p == engine::Precision::kFP4 ? " (FP4 tensor cores are Blackwell's: B200, GB200, GB300)"
                    : p == engine::Precision::kMXFP8
                        ? " (block-scaled FP8 tensor cores are Blackwell's: B200, GB200, GB300; Hopper's FP8 scales per tensor)"
                        : "";
  return fmt::format("precision {}: device {} has no {} units{}; use {}", to_string(p), device.name, to_string(p),
                     why, fmt::join(have, " or "));
}

std::optional<std::string> fp8_recipe_precision_problem(Fp8Recipe recipe, engine::Precision precision) {
  if (precision == engine::Precision::kFP8) return std::nullopt;
  return fmt::format("{} scales FP8 tensors and needs precision FP8, got {}{}", to_string(recipe),
                     engine::to_string(precision),
                     precision == engine::Precision::kMXFP8 ? " (MXFP8 is a block scaling of its own)" : "");
}

std::optional<std::string> fp8_recipe_problem(const Plan& p, const engine::DeviceSpec& device) {
  // TE 2.8's check_fp8_block_scaling_support: compute capability 9.x (Hopper) only.
  if (p.precision != engine::Precision::kFP8 || p.fp8_recipe != Fp8Recipe::kBlockwise || !device.mxfp8) return std::nullopt;
  return fmt::format("blockwise FP8 scaling runs on Hopper only (Transformer Engine's Float8BlockScaling); device {} "
                     "scales FP8 blocks as precision MXFP8",
                     device.name);
}

void check_precision(engine::Precision p, const engine::DeviceSpec& device) {
  if (auto problem = precision_problem(p, device)) throw UserError(*problem);
}

std::optional<std::string> offload_problem(const Plan& p, const engine::DeviceSpec& device) {
  if (p.activation_offload <= 0 || (device.host_write && device.host_read)) return std::nullopt;
  return fmt::format("activation_offload: device {} has no host-link bandwidth in podsim's catalog "
                     "(docs/hardware.md §1.4); set it to 0",
                     device.name);
}

std::optional<std::string> attention_kernel_problem(AttentionKernel k, const engine::DeviceSpec& device,
                                                    const OpEfficiency& eff) {
  if (k == AttentionKernel::kFused || eff.attention_fa2) return std::nullopt;
  return fmt::format("attention_kernel {}: no published FlashAttention-2 efficiency for device {}; use FUSED",
                     to_string(k), device.name);
}

std::optional<std::string> attention_kernel_problem(AttentionKernel k, const engine::DeviceSpec& device) {
  return attention_kernel_problem(k, device, default_efficiency(device));
}

// ---- Stages ----

std::vector<LayerRange> chunk_layers(const ModelSpec& m, const Plan& p) {
  const int chunks = p.pp * p.virtual_stages;
  PODSIM_CHECK(chunks >= 1 && (chunks <= m.layers || (p.allow_uneven_stages && chunks > 2 && chunks <= m.layers + 2)),
               "pp x virtual_stages must be in [1, layers] (layers + 2 with uneven stages)");
  std::vector<int> sizes(chunks, m.layers / chunks);
  // Spare layers to the middle chunks first: chunk 1, 2, ..., then chunk 0 last.
  for (int k = 0, extra = m.layers % chunks; k < extra; ++k) sizes[(k + 1) % chunks] += 1;
  std::vector<LayerRange> out;
  int begin = 0;
  for (int j = 0; j < chunks; ++j) {
    out.push_back(LayerRange{.begin = begin, .end = begin + sizes[j], .embedding = j == 0, .head = j == chunks - 1});
    begin += sizes[j];
  }
  return out;
}

std::vector<int> stage_chunks(const Plan& p, int stage) {
  if (p.schedule == PipelineSchedule::kDualPipe) return {stage, p.pp - 1 - stage};
  std::vector<int> out;
  for (int c = 0; c < p.virtual_stages; ++c) out.push_back(c * p.pp + stage);
  return out;
}

namespace {

constexpr double kActivationBytes = 2;  // BF16 activations on the wire (TP, SP, CP, PP)

struct CommBuilder {
  const ModelSpec& m;
  const Plan& p;
  double tokens;       // b s / cp: tokens of one micro-batch on a device
  double act_tokens;   // tokens / tp under SP
  double recompute_fw; // 1 if full recompute repeats forward comms in backward

  CommBuilder(const ModelSpec& model, const Plan& plan)
      : m(model),
        p(plan),
        tokens(double(plan.micro_batch) * model.tokens_per_sample() / plan.cp),
        act_tokens(plan.sequence_parallel ? tokens / plan.tp : tokens),
        recompute_fw(plan.recompute == Recompute::kFull ? 1 : 0) {}

  // TP exchanges around `regions` tensor-parallel regions of one block (attention,
  // MLP, cross-attention, the vocab-parallel embedding). `layer`: a transformer layer,
  // whose column-parallel linears re-gather their input in backward under SP.
  void tp(std::vector<Comm>& out, int regions, bool layer) const {
    if (p.tp == 1 || regions == 0) return;
    const Bytes s(tokens * m.hidden * kActivationBytes);
    const int fw = regions, bw = regions + int(recompute_fw) * regions;
    if (p.sequence_parallel) {
      for (CommPhase ph : {CommPhase::kForward, CommPhase::kBackward}) {
        const int n = ph == CommPhase::kForward ? fw : bw;
        out.push_back({CommKind::kSpAllGather, CollectiveOp::kAllGather, CommGroup::kTp, p.tp, ph, s, n});
        out.push_back({CommKind::kSpReduceScatter, CollectiveOp::kReduceScatter, CommGroup::kTp, p.tp, ph, s, n});
      }
      // Each region's column-parallel linear keeps only its 1/tp of the input it
      // gathered and gathers it again in backward for its weight gradient (Megatron-LM
      // mpu/layers.py since 2022-05, Megatron-Core, Transformer Engine's Linear).
      if (layer)
        out.push_back({CommKind::kSpInputAllGather, CollectiveOp::kAllGather, CommGroup::kTp, p.tp,
                       CommPhase::kBackward, s, regions});
    } else {
      out.push_back({CommKind::kTpAllReduce, CollectiveOp::kAllReduce, CommGroup::kTp, p.tp, CommPhase::kForward, s, fw});
      out.push_back({CommKind::kTpAllReduce, CollectiveOp::kAllReduce, CommGroup::kTp, p.tp, CommPhase::kBackward, s, bw});
    }
  }

  // Distributed saved activations: the backward gathers the layer input from the TP
  // ranks before recomputing the layer's forward.
  void saved_input(std::vector<Comm>& out) const {
    if (!p.distribute_saved_activations) return;
    const Bytes s(tokens * m.hidden * kActivationBytes);
    out.push_back({CommKind::kCheckpointAllGather, CollectiveOp::kAllGather, CommGroup::kTp, p.tp,
                   CommPhase::kBackward, s, 1});
  }

  void ep(std::vector<Comm>& out) const {
    if (p.ep == 1) return;
    const double rows = act_tokens * m.moe->top_k * m.hidden;
    const Bytes dispatch(rows * p.operand_storage_bytes()), combine(rows * kActivationBytes);
    auto add = [&](CommKind k, CommPhase ph, Bytes b) {
      out.push_back({k, CollectiveOp::kAllToAll, CommGroup::kEp, p.ep, ph, b, 1});
    };
    add(CommKind::kEpDispatch, CommPhase::kForward, dispatch);
    add(CommKind::kEpCombine, CommPhase::kForward, combine);
    // Backward: the combine's gradient travels like a dispatch and vice versa, in BF16.
    add(CommKind::kEpDispatch, CommPhase::kBackward, combine);
    add(CommKind::kEpCombine, CommPhase::kBackward, combine);
    if (recompute_fw > 0) {  // the recomputed forward exchanges again
      add(CommKind::kEpDispatch, CommPhase::kBackward, dispatch);
      add(CommKind::kEpCombine, CommPhase::kBackward, combine);
    }
  }

  void cp(std::vector<Comm>& out) const {
    if (p.cp == 1) return;
    const double heads = double(m.heads) / p.tp;
    double q_dim, kv_dim, o_dim;  // per token on a device
    if (m.mla) {
      q_dim = heads * (m.mla->qk_nope_head_dim + m.mla->qk_rope_head_dim);
      kv_dim = q_dim + heads * m.mla->v_head_dim;
      o_dim = heads * m.mla->v_head_dim;
    } else {
      const double d = m.head_dim_or_default();
      q_dim = heads * d;
      kv_dim = 2 * std::max(1.0, double(m.kv_heads_or_heads()) / p.tp) * d;
      o_dim = q_dim;
    }
    const int fw_times = 1 + int(recompute_fw);
    if (p.cp_algorithm == CpAlgorithm::kRing) {
      const Bytes kv(tokens * kv_dim * kActivationBytes);
      out.push_back({CommKind::kCpRingKv, CollectiveOp::kSendRecv, CommGroup::kCp, p.cp, CommPhase::kForward, kv, p.cp - 1});
      out.push_back({CommKind::kCpRingKv, CollectiveOp::kSendRecv, CommGroup::kCp, p.cp, CommPhase::kBackward, kv,
                     (fw_times - 1 + 2) * (p.cp - 1)});
    } else if (p.cp_algorithm == CpAlgorithm::kAllGather) {
      // S = the gathered K,V of the whole sequence (cp x the local blocks). Backward
      // gathers again (the local K,V are what is saved) and reduce-scatters dK,dV; a
      // recomputed forward gathers once more.
      const Bytes kv(tokens * kv_dim * kActivationBytes * p.cp);
      out.push_back({CommKind::kCpAllGather, CollectiveOp::kAllGather, CommGroup::kCp, p.cp, CommPhase::kForward, kv, 1});
      out.push_back({CommKind::kCpAllGather, CollectiveOp::kAllGather, CommGroup::kCp, p.cp, CommPhase::kBackward, kv,
                     fw_times});
      out.push_back({CommKind::kCpReduceScatter, CollectiveOp::kReduceScatter, CommGroup::kCp, p.cp,
                     CommPhase::kBackward, kv, 1});
    } else {
      const Bytes qkv(tokens * (q_dim + kv_dim) * kActivationBytes), o(tokens * o_dim * kActivationBytes);
      for (CommPhase ph : {CommPhase::kForward, CommPhase::kBackward}) {
        const int n = ph == CommPhase::kForward ? 1 : fw_times;
        out.push_back({CommKind::kCpAllToAll, CollectiveOp::kAllToAll, CommGroup::kCp, p.cp, ph, qkv, n});
        out.push_back({CommKind::kCpAllToAll, CollectiveOp::kAllToAll, CommGroup::kCp, p.cp, ph, o, n});
      }
    }
  }

  bool zero3() const { return p.sharding == DataSharding::kZero3 || p.sharding == DataSharding::kFsdp; }
  // Under DualPipe the two copies of a stage (on stages s and pp-1-s) reduce their
  // gradients together: the group spans both (step comms only; ZeRO-3 is refused).
  int dense_dp() const { return p.dp * p.cp * p.weight_copies(); }
  int expert_dp() const { return p.dp * p.cp / p.ep * p.weight_copies(); }
  double grad_bytes() const { return p.fp32_gradients ? 4 : 2; }

  // ZeRO-3/FSDP: gather a block's weights forward and backward, scatter its gradients.
  // Under full recompute the backward runs the block's forward again. DeepSpeed ZeRO-3
  // fetches the weights for it through the module's forward hooks, releases them, and
  // fetches them again for the backward: two backward gathers (the recompute runs
  // DeepSpeed's pre-forward fetch, deepspeedai/DeepSpeed#4784; its release after a
  // recomputed forward, #8130). PyTorch FSDP with the checkpoint inside the FSDP unit
  // (FSDP(checkpoint(block)), the wrapping fairscale and PyTorch recommend) gathers once
  // before the recompute and keeps the weights for the backward (facebookresearch/
  // fairscale#777: "fwd during bwd - all gather, bwd during bwd - NO all gather"), as
  // Megatron-FSDP does ("keep recomputed parameters materialized until their matching
  // post-backward gradient reduction", NVIDIA/Megatron-LM#6153): one. The outer
  // wrapping, checkpoint(FSDP(block)) (e.g. Hugging Face's built-in checkpointing,
  // pytorch/pytorch#105635), gathers twice as DeepSpeed does; podsim's FSDP is the
  // recommended wrapping.
  void zero3_block(std::vector<Comm>& out, double dense_params, double expert_params) const {
    if (!zero3()) return;
    const int backward_gathers = p.sharding == DataSharding::kZero3 && recompute_fw > 0 ? 2 : 1;
    auto add = [&](double params, CommGroup g, int n) {
      if (n == 1 || params == 0) return;
      out.push_back({CommKind::kDpParamAllGather, CollectiveOp::kAllGather, g, n, CommPhase::kForward,
                     Bytes(params * 2), 1});
      out.push_back({CommKind::kDpParamAllGather, CollectiveOp::kAllGather, g, n, CommPhase::kBackward,
                     Bytes(params * 2), backward_gathers});
      out.push_back({CommKind::kDpGradReduceScatter, CollectiveOp::kReduceScatter, g, n, CommPhase::kBackward,
                     Bytes(params * grad_bytes()), 1});
    };
    add(dense_params, CommGroup::kDp, dense_dp());
    add(expert_params, CommGroup::kExpertDp, expert_dp());
  }

  // ZeRO 0/1/2: once per step over the stage's weights on a device.
  void dp_step(std::vector<Comm>& out, double dense_params, double expert_params) const {
    if (zero3()) return;
    auto add = [&](double params, CommGroup g, int n) {
      if (n == 1 || params == 0) return;
      if (p.sharding == DataSharding::kNone) {
        out.push_back({CommKind::kDpGradAllReduce, CollectiveOp::kAllReduce, g, n, CommPhase::kStep,
                       Bytes(params * grad_bytes()), 1});
      } else {
        out.push_back({CommKind::kDpGradReduceScatter, CollectiveOp::kReduceScatter, g, n, CommPhase::kStep,
                       Bytes(params * grad_bytes()), 1});
        out.push_back({CommKind::kDpParamAllGather, CollectiveOp::kAllGather, g, n, CommPhase::kStep,
                       Bytes(params * 2), 1});
      }
    };
    add(dense_params, CommGroup::kDp, dense_dp());
    add(expert_params, CommGroup::kExpertDp, expert_dp());
  }
};

// Weights of a block on one device: dense split by tp, routed experts by tp x ep.
std::pair<double, double> block_params(const ModelSpec& m, const Plan& p, const OpBlock& b, int first_layer) {
  if (b.name == "embedding") return {input_embedding_params(m) / p.tp, 0};
  if (b.name == "head") return {head_params(m) / p.tp, 0};
  const LayerParams lp = layer_params(m, first_layer);
  return {lp.dense / p.tp, lp.routed_experts / (double(p.tp) * p.ep)};
}

}  // namespace

std::vector<StageWork> plan_work(const ModelSpec& m, const Plan& p) {
  const CommBuilder comms(m, p);
  const std::vector<LayerRange> ranges = chunk_layers(m, p);
  std::vector<StageWork> stages(p.pp);
  for (int s = 0; s < p.pp; ++s) stages[s].stage = s;
  // A parallel block sums the attention and MLP outputs before one exchange (PaLM §2).
  const int regions = (m.parallel_block ? 1 : 2) +
                      (m.dit && m.dit->conditioning == TextConditioning::kCrossAttention && m.dit->text_tokens > 0 ? 1 : 0);
  for (int j = 0; j < int(ranges.size()); ++j) {
    ModelChunk chunk{.index = j, .layers = ranges[j], .blocks = forward_ops(m, p.shard(), ranges[j])};
    int layer = ranges[j].begin;
    for (OpBlock& b : chunk.blocks) {
      const auto [dense, expert] = block_params(m, p, b, layer);
      if (b.is_layer) {
        comms.tp(b.comms, regions, true);
        comms.saved_input(b.comms);
        if (b.name == "moe_layer") comms.ep(b.comms);
        comms.cp(b.comms);
        layer += b.repeat;
      } else if (!m.dit) {
        comms.tp(b.comms, 1, false);  // vocab-parallel embedding; the head's gather before the logits
      }
      comms.zero3_block(b.comms, dense, expert);
    }
    if (p.pp > 1) {
      const Bytes act(comms.act_tokens * m.hidden * kActivationBytes);
      if (j + 1 < int(ranges.size()))
        chunk.boundary.push_back({CommKind::kPpActivation, CollectiveOp::kSendRecv, CommGroup::kPp, 2,
                                  CommPhase::kForward, act, 1});
      if (j > 0)
        chunk.boundary.push_back({CommKind::kPpActivation, CollectiveOp::kSendRecv, CommGroup::kPp, 2,
                                  CommPhase::kBackward, act, 1});
    }
    if (p.schedule == PipelineSchedule::kDualPipe) {
      stages[p.pp - 1 - j].chunks.push_back(chunk);  // the second copy, run the other way
      stages[j].chunks.insert(stages[j].chunks.begin(), std::move(chunk));
    } else {
      stages[j % p.pp].chunks.push_back(std::move(chunk));
    }
  }
  for (StageWork& st : stages) {
    double dense = 0, expert = 0;
    for (const ModelChunk& c : st.chunks) {
      int layer = c.layers.begin;
      for (const OpBlock& b : c.blocks) {
        const auto [d, e] = block_params(m, p, b, layer);
        dense += d * b.repeat;
        expert += e * b.repeat;
        if (b.is_layer) layer += b.repeat;
      }
    }
    comms.dp_step(st.step_comms, dense, expert);
  }
  return stages;
}

double StageWork::forward_flops() const {
  double sum = 0;
  for (const ModelChunk& c : chunks) sum += workloads::forward_flops(c.blocks);
  return sum;
}

double bubble_fraction(const Plan& p) {
  if (p.pp == 1) return 0;
  if (p.schedule == PipelineSchedule::kDualPipe) return (p.pp - 2) / (3.0 * p.micro_batches());
  const double v = p.schedule == PipelineSchedule::kInterleaved ? p.virtual_stages : 1;
  return (p.pp - 1) / (v * p.micro_batches());
}

std::vector<PipelinePass> pipeline_order(int pp, int s, int m, int v) {
  PODSIM_CHECK(pp >= 1 && v >= 1 && m >= 1 && 0 <= s && s < pp, "pipeline_order: bad dimensions");
  PODSIM_CHECK(v == 1 || m % pp == 0, "pipeline_order: the interleaved schedule needs a multiple of pp micro-batches");
  const int total = m * v;
  auto pass = [&](int k, bool forward) {
    if (v == 1) return PipelinePass{forward, k, 0};
    const int group = pp * v;
    int chunk = (k % group) / pp;
    if (!forward) chunk = v - 1 - chunk;
    return PipelinePass{forward, (k / group) * pp + k % pp, chunk};
  };
  const int warmup = std::min(v == 1 ? pp - s - 1 : 2 * (pp - s - 1) + (v - 1) * pp, total);
  std::vector<PipelinePass> order;
  order.reserve(2 * static_cast<size_t>(total));
  for (int k = 0; k < warmup; ++k) order.push_back(pass(k, true));
  for (int i = 0; i < total - warmup; ++i) {
    order.push_back(pass(warmup + i, true));
    order.push_back(pass(i, false));
  }
  for (int k = total - warmup; k < total; ++k) order.push_back(pass(k, false));
  return order;
}

std::vector<DualPipePass> dualpipe_order(int pp, int s, int m) {
  PODSIM_CHECK(pp >= 2 && pp % 2 == 0 && m % 2 == 0 && m >= 2 * pp && 0 <= s && s < pp,
               "dualpipe_order: needs pp even >= 2 and m even >= 2 pp");
  using K = DualPipePass::Kind;
  const int half = pp / 2, r = std::min(s, pp - 1 - s);
  const bool second_half = s >= half, middle = s == half - 1 || s == half;
  // Phase 0 is the direction that enters at this stage's end of the pipeline.
  auto dir = [&](int phase) { return phase ^ (second_half ? 1 : 0); };
  int f_next[2] = {0, 0}, b_next[2] = {0, 0};
  std::vector<DualPipePass> out;
  out.reserve(static_cast<size_t>(4 * m));
  auto F = [&](int phase) {
    const int d = dir(phase);
    out.push_back({.kind = K::kForward, .f_chunk = d, .f_micro_batch = f_next[d]++});
  };
  auto B = [&](int phase, bool defer_weight) {
    const int d = dir(phase);
    out.push_back({.kind = defer_weight ? K::kBackwardInput : K::kBackward, .b_chunk = d, .b_micro_batch = b_next[d]++});
  };
  auto W = [&] { out.push_back({.kind = K::kWeight}); };
  auto FB = [&](int f_phase, int b_phase) {
    const int fd = dir(f_phase), bd = dir(b_phase);
    out.push_back({.kind = K::kForwardBackward, .f_chunk = fd, .f_micro_batch = f_next[fd]++, .b_chunk = bd,
                   .b_micro_batch = b_next[bd]++});
  };
  for (int i = 0; i < 2 * (half - r - 1); ++i) F(0);
  for (int i = 0; i < r + 1; ++i) {
    F(0);
    F(1);
  }
  for (int i = 0; i < half - r - 1; ++i) {
    B(1, true);
    W();
    F(1);
  }
  for (int i = 0; i < m / 2 - pp + r + 1; ++i) {
    if (i == 0 && middle) {  // not overlapped, to shorten the bubble (the reference's note)
      F(0);
      B(1, false);
    } else {
      FB(0, 1);
    }
    FB(1, 0);
  }
  for (int i = 0; i < half - r - 1; ++i) {
    B(1, false);
    FB(1, 0);
  }
  bool defer = false;
  for (int i = 0; i < r + 1; ++i) {
    if (i == (r + 1) / 2 && r % 2 == 1) defer = true;
    B(1, defer);
    if (i == (r + 1) / 2 && r % 2 == 0) defer = true;
    B(0, defer);
  }
  for (int i = 0; i < half - r - 1; ++i) {
    W();
    B(0, true);
  }
  for (int i = 0; i < r + 1; ++i) W();
  return out;
}

std::vector<CommTotal> comm_per_step(const StageWork& stage, const Plan& p) {
  std::map<std::tuple<CommKind, CommGroup, int>, double> sums;
  // Each chunk runs every micro-batch, except under DualPipe: half each way.
  const double m = double(p.micro_batches()) / p.weight_copies();
  for (const ModelChunk& c : stage.chunks) {
    for (const OpBlock& b : c.blocks)
      for (const Comm& x : b.comms) sums[{x.kind, x.group, x.group_size}] += m * b.repeat * x.count * x.bytes.value();
    for (const Comm& x : c.boundary) sums[{x.kind, x.group, x.group_size}] += m * x.count * x.bytes.value();
  }
  // Sharded gradients are reduce-scattered every micro-batch; SHARD_GRAD_OP gathers the
  // weights every micro-batch too (its step all-gather is the next step's first gathers).
  for (const Comm& x : stage.step_comms) {
    const bool per_micro_batch =
        (x.kind == CommKind::kDpGradReduceScatter && p.grads_reduced_per_micro_batch()) ||
        (x.kind == CommKind::kDpParamAllGather && p.sharding == DataSharding::kFsdpShardGradOp);
    sums[{x.kind, x.group, x.group_size}] += (per_micro_batch ? m : 1) * x.count * x.bytes.value();
  }
  std::vector<CommTotal> out;
  for (const auto& [key, bytes] : sums)
    out.push_back(CommTotal{std::get<0>(key), std::get<1>(key), std::get<2>(key), Bytes(bytes)});
  return out;
}

}  // namespace podsim::workloads
