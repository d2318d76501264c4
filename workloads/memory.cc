#include "workloads/memory.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/check.h"
#include "engine/error.h"
#include "workloads/accounting.h"

namespace podsim::workloads {

using engine::Bytes;

namespace {

// Mixed-precision Adam: ZeRO §3.1 ("K = 12" bytes of optimizer state per parameter).
constexpr double kWeightBytes = 2;
constexpr double kOptimizerBytes = 12;

bool zero3(DataSharding s) { return s == DataSharding::kZero3 || s == DataSharding::kFsdp; }

}  // namespace

SavedLinearInputs saved_linear_inputs(const Plan& p, bool shared_experts_kept) {
  SavedLinearInputs s;
  if (!p.fp8_activation_cache_on()) return s;
  using engine::Precision;
  // The column-wise copy the weight-gradient GEMM reads, with its scales (Transformer
  // Engine 2.x at d0067d0, tensor/*_tensor.py): FP8 one byte per element and one scale
  // per tensor (Hopper keeps the transpose, Blackwell the data itself: utils.py
  // is_non_tn_fp8_gemm_supported); blockwise FP8 an FP32 scale per 128 (1x128 blocks);
  // MXFP8 an E8M0 scale per 32; NVFP4 half a byte and an E4M3 scale per 16.
  double lin = 1;
  if (p.precision == Precision::kMXFP8 || (p.precision == Precision::kFP8 && p.fp8_recipe == Fp8Recipe::kMxfp8))
    lin = 1 + 1.0 / 32;
  else if (p.precision == Precision::kFP8 && p.fp8_recipe == Fp8Recipe::kBlockwise)
    lin = 1 + 4.0 / 128;
  else if (p.precision == Precision::kFP4)
    lin = 0.5 + 1.0 / 16;
  s.linear = lin;
  // LayerNormLinear under sequence parallelism keeps the row-wise copy too unless the
  // tensor is MXFP8 or blockwise (it all-gathers the row-wise copy in backward; delayed
  // and tensorwise FP8 keep only the row-wise one): NVFP4 keeps both (layernorm_linear.py).
  s.norm_fused = p.precision == Precision::kFP4 && p.sequence_parallel && p.tp > 1 ? 2 * lin : lin;
  // The output projection's input is also the attention kernel's output, which
  // FlashAttention keeps in BF16 for its own backward; Megatron-Core (transformer/
  // attention.py, since 781e765) makes the projection save that tensor for recipes other
  // than delayed. Not counted yet (docs/models.md §4.4): the projection keeps `lin`.
  s.projection = lin;
  // Megatron-Core's router keeps its BF16 input (moe_utils.py RouterGatingLinearFunction);
  // the shared experts' first linear its own copy.
  s.moe_mlp_input = 2 + (shared_experts_kept ? lin : 0);
  return s;
}

ModelStates model_states(double params, DataSharding sharding, int nd, bool fp32_gradients) {
  PODSIM_CHECK(nd >= 1, "data-parallel degree must be >= 1");
  const double grad = fp32_gradients ? 4 : 2;
  const double shard_opt = sharding == DataSharding::kNone ? 1 : nd;
  const double shard_grad =
      sharding == DataSharding::kZero2 || sharding == DataSharding::kFsdpShardGradOp || zero3(sharding) ? nd : 1;
  const double shard_weights = zero3(sharding) ? nd : 1;
  return ModelStates{.weights = Bytes(params * kWeightBytes / shard_weights),
                     .gradients = Bytes(params * grad / shard_grad),
                     .optimizer = Bytes(params * kOptimizerBytes / shard_opt)};
}

Bytes layer_activation_bytes(const ModelSpec& m, const Plan& p, int i) {
  const RecomputePolicy rc = p.recompute_policy();
  const double h = m.hidden, t = p.tp, seq = m.tokens_per_sample();
  const double T = double(p.micro_batch) * seq / p.cp;    // tokens on the device
  const double n = p.sequence_parallel ? T / t : T;       // tokens of the replicated part
  if (p.recompute == Recompute::kFull)  // the layer input only, split over TP when distributed
    return Bytes(2 * h * (p.distribute_saved_activations ? T / t : n));

  const double drop = m.dropout ? 1 : 0;
  const double a = m.heads;
  const bool moe = m.moe && i >= m.moe->dense_layers;
  const bool shared_kept = moe && m.moe->shared_experts > 0 && !rc.has(RecomputeModule::kSharedExperts);
  // Bytes per element of a linear layer's input kept for its weight gradient.
  const SavedLinearInputs sv = saved_linear_inputs(p, shared_kept);
  const double lin = sv.linear;
  // The normed input: QKV's (two Linears' copies under MLA, whose Q and KV down-projections
  // each quantize it) and the MLP's.
  const double qkv_in = m.mla && p.fp8_activation_cache_on() ? 2 * lin : sv.norm_fused;
  const double mlp_in = moe ? sv.moe_mlp_input : sv.norm_fused;
  // Bytes per token, replicated on the TP ranks: norm inputs (2h each), QKV and MLP
  // inputs (dropped by layernorm recompute), dropout masks after attention and MLP (h each).
  double replicated = 4 * h + (rc.has(RecomputeModule::kLayerNorm) ? 0 : (qkv_in + mlp_in) * h) + 2 * h * drop;
  // A sandwich norm's two post-norms keep their inputs (the attention and MLP outputs).
  if (m.sandwich_norm) replicated += 4 * h;
  double unsplit = 0;  // per token on all T tokens, not divided by TP (MLA latents)
  double split = 0;    // per token, divided by TP
  double core = 0;     // per token, divided by TP: the score matrix rows

  if (m.mla) {
    const MlaSpec& l = *m.mla;
    const double qk = l.qk_nope_head_dim + l.qk_rope_head_dim;
    // Q, K (after RoPE) and V, which mla_up_proj recompute discards; the projection input.
    if (!rc.has(RecomputeModule::kMlaUpProj)) split += 2 * a * qk * 2 + a * l.v_head_dim * 2;
    split += a * l.v_head_dim * sv.projection;
    // The Q latent before its norm and after (the Q up-projection's input), the KV
    // latent and RoPE key before the norm, the normed KV latent (the KV up-projection's).
    unsplit += (2 + sv.norm_fused) * l.q_lora_rank + 2 * (l.kv_lora_rank + l.qk_rope_head_dim) +
               sv.norm_fused * l.kv_lora_rank;
  } else {
    const double d = m.head_dim_or_default(), g = m.kv_heads_or_heads();
    split += 2 * a * d + sv.projection * a * d + 2 * g * d * 2;  // Q, projection input, K and V
  }
  const bool store_scores = !p.flash_attention && !rc.has(RecomputeModule::kCoreAttention);
  // Softmax output 2 bytes, dropout mask 1 and dropout output 2 per score; with
  // FlashAttention only the FP32 log-sum-exp per head.
  const double per_score = 2 + 3 * drop;
  core += store_scores ? per_score * a * seq : (p.flash_attention ? 4 * a : 0);

  if (m.dit) {
    const DitSpec& d = *m.dit;
    replicated += 4 * h;  // the pre-modulation norm outputs (adaLN scale's gradient)
    if (d.conditioning == TextConditioning::kCrossAttention && d.text_tokens > 0) {
      replicated += (2 + sv.norm_fused) * h;  // cross norm input, query input
      split += (2 + sv.projection) * h;       // Q and the projection input
      core += store_scores ? per_score * a * d.text_tokens : (p.flash_attention ? 4 * a : 0);
    }
  }

  // Per intermediate element: SwiGLU keeps gate and up (its input: 2 bytes each, 1 under
  // fp8_swiglu_input_store) and their product (the second linear's input); GELU its
  // input (2) and output (the second linear's).
  const double glu_in = p.fp8_swiglu_input_store ? 1 : 2;
  const double f_factor = (m.mlp == MlpKind::kSwiGlu ? 2 * glu_in : 2) + lin;
  double extra = 0;  // absolute bytes
  if (moe) {
    const MoeSpec& e = *m.moe;
    extra += n * 4 * e.experts;  // FP32 router logits
    const double rows = T * e.top_k / t;
    // Per routed row: the expert input (the first linear's), the activation's inputs and
    // output, and the row's FP32 router probability. The probability scales the
    // activation's output inside the expert, so the combine is a plain sum and the expert
    // output is not kept: the probability's gradient needs only the activation's output
    // (recomputed under moe_act) and the gradient arriving at the second linear's input.
    // moe_act recompute drops the activation's output (the second linear's input).
    const double act_out = rc.has(RecomputeModule::kMoeAct) ? lin * e.expert_ffn : 0;
    extra += rows * (lin * h + 4 + f_factor * e.expert_ffn - act_out);
    if (!rc.has(RecomputeModule::kSharedExperts)) split += f_factor * e.shared_experts * e.expert_ffn;
  } else if (!rc.has(RecomputeModule::kMlp)) {
    split += f_factor * m.ffn;
  }
  if (m.dit && m.dit->conditioning == TextConditioning::kCrossAttention && m.dit->text_tokens > 0)
    extra += double(p.micro_batch) * m.dit->text_tokens * 4 * h / t;  // text K and V

  return Bytes(n * replicated + T * unsplit + T * (split + core) / t + extra);
}

namespace {

// Peak activation bytes of one stage over its pipeline schedule: `chunk_act[c]` is what
// one micro-batch's forward through local chunk c leaves stored until its backward,
// `working` what one layer's backward rematerializes on top (recompute).
struct SchedulePeak {
  double bytes = 0;
  int micro_batches = 0;  // distinct micro-batches with activations stored at the peak
};

// DualPipe: a forward adds its chunk's activations, a backward (whole or for the input,
// the weight gradient deferred) frees them; an overlapped pair runs its forward first,
// so the peak counts both (the PP + 1 of DeepSeek-V3 Table 2).
SchedulePeak dualpipe_peak(const Plan& p, int stage, const std::vector<double>& chunk_act, double working) {
  using K = DualPipePass::Kind;
  const int half = p.micro_batches() / 2;
  std::vector<int> held(static_cast<size_t>(2 * half), 0);
  double live = 0;
  int live_mbs = 0;
  SchedulePeak peak;
  auto consider = [&](double bytes) {
    if (bytes > peak.bytes) peak = {bytes, live_mbs};
  };
  auto forward = [&](int chunk, int mb) {
    live += chunk_act[static_cast<size_t>(chunk)];
    if (held[static_cast<size_t>(chunk * half + mb)]++ == 0) ++live_mbs;
    consider(live);
  };
  auto backward = [&](int chunk, int mb) {
    consider(live + working);
    live -= chunk_act[static_cast<size_t>(chunk)];
    if (--held[static_cast<size_t>(chunk * half + mb)] == 0) --live_mbs;
  };
  for (const DualPipePass& ps : dualpipe_order(p.pp, stage, p.micro_batches())) {
    if (ps.kind == K::kForward || ps.kind == K::kForwardBackward) forward(ps.f_chunk, ps.f_micro_batch);
    if (ps.kind == K::kBackward || ps.kind == K::kBackwardInput || ps.kind == K::kForwardBackward)
      backward(ps.b_chunk, ps.b_micro_batch);
  }
  return peak;
}

// A step of m micro-batches walked as one of at most 4 pp: the same peak, in time and
// memory independent of m (a plan may ask for 1e9 samples). Past the warm-up (fewer
// than (v + 1) pp forward passes) the schedules repeat with a period of pp v passes
// (Megatron's interleaving) or one overlapped pair (DualPipe), so 2 pp steady micro-
// batches already show every value the live bytes take; the cool-down only frees, and
// with m a multiple of pp (interleaved) or of 2 (DualPipe) its chunk order is the same
// for every m. 4 pp keeps both divisibilities and DualPipe's m >= 2 pp. Tested against
// the full walk (memory_test.cc).
Plan walked_schedule(const Plan& p) {
  const int cap = 4 * p.pp;
  if (p.micro_batches() <= cap) return p;
  Plan q = p;
  q.global_batch = cap * p.dp * p.micro_batch;  // < p.global_batch: no overflow
  return q;
}

SchedulePeak schedule_peak(const Plan& full, int stage, const std::vector<double>& chunk_act, double working) {
  const Plan p = walked_schedule(full);
  if (p.schedule == PipelineSchedule::kDualPipe) return dualpipe_peak(p, stage, chunk_act, working);
  const int mb = p.micro_batches(), v = int(chunk_act.size());
  std::vector<int> chunks_of(static_cast<size_t>(mb), 0);
  double live = 0;
  int live_mbs = 0;
  SchedulePeak peak;
  auto consider = [&](double bytes) {
    if (bytes > peak.bytes) peak = {bytes, live_mbs};
  };
  for (const PipelinePass& ps : pipeline_order(p.pp, stage, mb, v)) {
    int& held = chunks_of[static_cast<size_t>(ps.micro_batch)];
    if (ps.forward) {
      live += chunk_act[static_cast<size_t>(ps.chunk)];
      if (held++ == 0) ++live_mbs;
      consider(live);
    } else {
      consider(live + working);
      live -= chunk_act[static_cast<size_t>(ps.chunk)];
      if (--held == 0) --live_mbs;
    }
  }
  return peak;
}

}  // namespace

std::vector<MemoryBreakdown> memory_per_stage(const ModelSpec& m, const Plan& p) {
  const std::vector<LayerRange> ranges = chunk_layers(m, p);
  const double T = double(p.micro_batch) * m.tokens_per_sample() / p.cp;
  const double n = p.sequence_parallel ? T / p.tp : T;
  // DualPipe's two copies of a stage share one data-parallel group (parallel_plan.h).
  const int nd = p.dp * p.cp * p.weight_copies(), nd_expert = p.dp * p.cp / p.ep * p.weight_copies();
  Plan no_recompute = p;
  no_recompute.recompute = Recompute::kNone;

  std::vector<MemoryBreakdown> out;
  for (int s = 0; s < p.pp; ++s) {
    double dense = 0, expert = 0, largest_layer = 0, working = 0, staging = 0;
    std::vector<double> chunk_act, chunk_host;
    for (int j : stage_chunks(p, s)) {
      const LayerRange& r = ranges[static_cast<size_t>(j)];
      double act = 0, host = 0;
      const int offloaded_end = r.begin + p.offloaded_layers(r.end - r.begin);
      for (int i = r.begin; i < r.end; ++i) {
        const LayerParams lp = layer_params(m, i);
        dense += lp.dense / p.tp;
        expert += lp.routed_experts / (double(p.tp) * p.ep);
        largest_layer = std::max(largest_layer, lp.dense / p.tp + lp.routed_experts / (double(p.tp) * p.ep));
        const double stored = layer_activation_bytes(m, p, i).value();
        if (i < offloaded_end) {
          host += stored;
          staging = std::max(staging, 2 * stored);
        } else {
          act += stored;
        }
        // During a layer's backward its recomputed activations are live again: all of
        // them under full recompute, what the recomputed modules dropped otherwise.
        if (p.recompute != Recompute::kNone) {
          const double all = layer_activation_bytes(m, no_recompute, i).value();
          working = std::max(working, p.recompute == Recompute::kFull ? all : all - stored);
        }
      }
      if (r.embedding) {
        dense += input_embedding_params(m) / p.tp;
        if (m.dropout) act += n * m.hidden;  // the embedding's 1-byte dropout mask
      }
      if (r.head) {
        dense += head_params(m) / p.tp;
        if (m.tied_embeddings && p.pp > 1) dense += input_embedding_params(m) / p.tp;  // the copy for the output layer
        // The final norm's input and the output projection's input, BF16: Megatron-Core's
        // output layer is not a Transformer Engine module (gpt_model.py), DeepSeek-V3's
        // head runs in BF16 (§3.3).
        act += (2 + 2) * n * m.hidden + (m.dit ? 0 : 4 * T * double(m.vocab) / p.tp);
      }
      chunk_act.push_back(act);
      chunk_host.push_back(host);
    }
    MemoryBreakdown b{.stage = s};
    const ModelStates ds = model_states(dense, p.sharding, nd, p.fp32_gradients);
    const ModelStates es = model_states(expert, p.sharding, nd_expert, p.fp32_gradients);
    b.weights = ds.weights + es.weights;
    if (zero3(p.sharding)) b.weights += Bytes(2 * largest_layer * kWeightBytes);
    b.gradients = ds.gradients + es.gradients;
    b.optimizer = ds.optimizer + es.optimizer;
    const SchedulePeak peak = schedule_peak(p, s, chunk_act, working);
    b.activations = Bytes(peak.bytes + staging);
    // In host memory at the peak: the same walk over what the chunks offload.
    double host_total = 0;
    for (double h : chunk_host) host_total += h;
    if (host_total > 0) b.offloaded = Bytes(schedule_peak(p, s, chunk_host, 0).bytes);
    b.micro_batches_in_flight = peak.micro_batches;
    out.push_back(b);
  }
  return out;
}

MemoryBreakdown peak_memory(const ModelSpec& m, const Plan& p) {
  const std::vector<MemoryBreakdown> stages = memory_per_stage(m, p);
  return *std::max_element(stages.begin(), stages.end(),
                           [](const MemoryBreakdown& a, const MemoryBreakdown& b) { return a.total() < b.total(); });
}

namespace {

// ", 83.6 GB after a 1.92 GB runtime reserve (driver 0.59, ...)", or "" without one.
std::string reserve_text(const FitReport& r) {
  const ReserveBreakdown& v = r.reserve;
  if (v.total().value() <= 0) return "";
  std::string parts;
  if (v.from_scenario) {
    parts = "set by the scenario";
  } else {
    auto add = [&](const char* what, engine::Bytes b, std::string tail = "") {
      if (b.value() > 0) parts += fmt::format("{}{} {:.2f}{}", parts.empty() ? "" : ", ", what, b.value() / 1e9, tail);
    };
    add("driver", v.driver);
    add("context", v.context);
    add("library workspaces", v.workspaces);
    add("collective buffers", v.collective,
        fmt::format(" GB for {} communicator{}", v.communicators, v.communicators == 1 ? "" : "s"));
    if (v.collective.value() <= 0) parts += " GB";
  }
  // A device smaller than its reserve has nothing left; "-1.4 GB after" would read as a typo.
  const std::string left =
      r.available.value() > 0 ? fmt::format("{:.1f} GB", r.available.value() / 1e9) : std::string("nothing left");
  return fmt::format(", {} after a {:.2f} GB runtime reserve ({})", left, v.total().value() / 1e9, parts);
}

}  // namespace

FitReport check_fit(const ModelSpec& m, const Plan& p, const engine::DeviceSpec& device) {
  FitReport r;
  r.need = peak_memory(m, p);
  r.capacity = device.hbm_capacity;
  r.reserve = runtime_reserve(device, p);
  r.available = r.capacity - r.reserve.total();
  r.fits = r.need.total() <= r.available;
  auto gb = [](Bytes b) { return fmt::format("{:.1f} GB", b.value() / 1e9); };
  r.message = fmt::format(
      "plan needs {} per device on pipeline stage {} (weights {}, gradients {}, optimizer {}, activations {} for {} "
      "micro-batch{} in flight); device {} has {}{}",
      gb(r.need.total()), r.need.stage, gb(r.need.weights), gb(r.need.gradients), gb(r.need.optimizer),
      gb(r.need.activations), r.need.micro_batches_in_flight, r.need.micro_batches_in_flight == 1 ? "" : "es",
      device.name, gb(r.capacity), reserve_text(r));
  return r;
}

void require_fit(const ModelSpec& m, const Plan& p, const engine::DeviceSpec& device) {
  const FitReport r = check_fit(m, p, device);
  if (!r.fits) throw UserError(r.message);
}

}  // namespace podsim::workloads
