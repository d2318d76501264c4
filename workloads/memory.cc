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

ModelStates model_states(double params, DataSharding sharding, int nd, bool fp32_gradients) {
  PODSIM_CHECK(nd >= 1, "data-parallel degree must be >= 1");
  const double grad = fp32_gradients ? 4 : 2;
  const double shard_opt = sharding == DataSharding::kNone ? 1 : nd;
  const double shard_grad = sharding == DataSharding::kZero2 || zero3(sharding) ? nd : 1;
  const double shard_weights = zero3(sharding) ? nd : 1;
  return ModelStates{.weights = Bytes(params * kWeightBytes / shard_weights),
                     .gradients = Bytes(params * grad / shard_grad),
                     .optimizer = Bytes(params * kOptimizerBytes / shard_opt)};
}

Bytes layer_activation_bytes(const ModelSpec& m, const Plan& p, int i) {
  const double h = m.hidden, t = p.tp, seq = m.tokens_per_sample();
  const double T = double(p.micro_batch) * seq / p.cp;    // tokens on the device
  const double n = p.sequence_parallel ? T / t : T;       // tokens of the replicated part
  if (p.recompute == Recompute::kFull) return Bytes(2 * h * n);  // the layer input only

  const double drop = m.dropout ? 1 : 0;
  const double a = m.heads;
  // Bytes per token, replicated on the TP ranks: norm inputs (2h each), QKV and MLP
  // inputs (2h each), dropout masks after attention and MLP (h each).
  double replicated = 8 * h + 2 * h * drop;
  double unsplit = 0;  // per token on all T tokens, not divided by TP (MLA latents)
  double split = 0;    // per token, divided by TP
  double core = 0;     // per token, divided by TP: the score matrix rows

  if (m.mla) {
    const MlaSpec& l = *m.mla;
    const double qk = l.qk_nope_head_dim + l.qk_rope_head_dim;
    split += 2 * a * qk * 2 + 2 * a * l.v_head_dim * 2;  // Q, K, V, projection input
    unsplit += 4 * l.q_lora_rank + 2 * (l.kv_lora_rank + l.qk_rope_head_dim) + 2 * l.kv_lora_rank;
  } else {
    const double d = m.head_dim_or_default(), g = m.kv_heads_or_heads();
    split += 2 * a * d * 2 + 2 * g * d * 2;  // Q and projection input; K and V
  }
  const bool store_scores = !p.flash_attention && p.recompute == Recompute::kNone;
  // Softmax output 2 bytes, dropout mask 1 and dropout output 2 per score; with
  // FlashAttention only the FP32 log-sum-exp per head.
  const double per_score = 2 + 3 * drop;
  core += store_scores ? per_score * a * seq : (p.flash_attention ? 4 * a : 0);

  if (m.dit) {
    const DitSpec& d = *m.dit;
    replicated += 4 * h;  // the pre-modulation norm outputs (adaLN scale's gradient)
    if (d.conditioning == TextConditioning::kCrossAttention && d.text_tokens > 0) {
      replicated += 4 * h;  // cross norm input, query input
      split += 4 * h;       // Q and the projection input
      core += store_scores ? per_score * a * d.text_tokens : (p.flash_attention ? 4 * a : 0);
    }
  }

  const bool moe = m.moe && i >= m.moe->dense_layers;
  const double f_factor = m.mlp == MlpKind::kSwiGlu ? 6 : 4;  // SwiGLU: gate, up, product; GELU: input, output
  double extra = 0;  // absolute bytes
  if (moe) {
    const MoeSpec& e = *m.moe;
    extra += n * 4 * e.experts;  // FP32 router logits
    const double rows = T * e.top_k / t;
    extra += rows * (4 * h + f_factor * e.expert_ffn);  // expert input, activations, output
    split += f_factor * e.shared_experts * e.expert_ffn;
  } else {
    split += f_factor * m.ffn;
  }
  if (m.dit && m.dit->conditioning == TextConditioning::kCrossAttention && m.dit->text_tokens > 0)
    extra += double(p.micro_batch) * m.dit->text_tokens * 4 * h / t;  // text K and V

  return Bytes(n * replicated + T * unsplit + T * (split + core) / t + extra);
}

std::vector<MemoryBreakdown> memory_per_stage(const ModelSpec& m, const Plan& p) {
  const std::vector<LayerRange> ranges = chunk_layers(m, p);
  const int mb = p.micro_batches();
  const int v = int(ranges.size()) / p.pp;
  const double T = double(p.micro_batch) * m.tokens_per_sample() / p.cp;
  const double n = p.sequence_parallel ? T / p.tp : T;
  const int nd = p.dp * p.cp, nd_expert = p.dp * p.cp / p.ep;
  Plan no_recompute = p;
  no_recompute.recompute = Recompute::kNone;

  std::vector<MemoryBreakdown> out;
  for (int s = 0; s < p.pp; ++s) {
    double dense = 0, expert = 0, largest_layer = 0, chunk_act = 0, working = 0;
    bool first = false, last = false;
    for (int j = s; j < int(ranges.size()); j += p.pp) {
      const LayerRange& r = ranges[j];
      double act = 0;
      for (int i = r.begin; i < r.end; ++i) {
        const LayerParams lp = layer_params(m, i);
        dense += lp.dense / p.tp;
        expert += lp.routed_experts / (double(p.tp) * p.ep);
        largest_layer = std::max(largest_layer, lp.dense / p.tp + lp.routed_experts / (double(p.tp) * p.ep));
        act += layer_activation_bytes(m, p, i).value();
        if (p.recompute == Recompute::kFull)
          working = std::max(working, layer_activation_bytes(m, no_recompute, i).value());
      }
      chunk_act = std::max(chunk_act, act);
      if (r.embedding) {
        first = true;
        dense += input_embedding_params(m) / p.tp;
      }
      if (r.head) {
        last = true;
        dense += head_params(m) / p.tp;
        if (m.tied_embeddings && p.pp > 1) dense += input_embedding_params(m) / p.tp;  // the copy for the output layer
      }
    }
    MemoryBreakdown b{.stage = s};
    const ModelStates ds = model_states(dense, p.sharding, nd, p.fp32_gradients);
    const ModelStates es = model_states(expert, p.sharding, nd_expert, p.fp32_gradients);
    b.weights = ds.weights + es.weights;
    if (zero3(p.sharding)) b.weights += Bytes(2 * largest_layer * kWeightBytes);
    b.gradients = ds.gradients + es.gradients;
    b.optimizer = ds.optimizer + es.optimizer;

    double in_flight_chunks;
    if (p.schedule == PipelineSchedule::kInterleaved) {
      in_flight_chunks = std::min((p.pp - s - 1) * 2 + (v - 1) * p.pp + 1, mb * v);
      b.micro_batches_in_flight = std::min(mb, (int(in_flight_chunks) + v - 1) / v);
    } else {
      b.micro_batches_in_flight = std::min(p.pp - s, mb);
      in_flight_chunks = b.micro_batches_in_flight;
    }
    double act = chunk_act * in_flight_chunks + working;
    if (first && m.dropout) act += b.micro_batches_in_flight * n * m.hidden;  // 1-byte dropout mask
    if (last) act += 4 * n * m.hidden + (m.dit ? 0 : 4 * T * double(m.vocab) / p.tp);
    b.activations = Bytes(act);
    out.push_back(b);
  }
  return out;
}

MemoryBreakdown peak_memory(const ModelSpec& m, const Plan& p) {
  const std::vector<MemoryBreakdown> stages = memory_per_stage(m, p);
  return *std::max_element(stages.begin(), stages.end(),
                           [](const MemoryBreakdown& a, const MemoryBreakdown& b) { return a.total() < b.total(); });
}

FitReport check_fit(const ModelSpec& m, const Plan& p, const engine::DeviceSpec& device) {
  FitReport r;
  r.need = peak_memory(m, p);
  r.available = device.hbm_capacity;
  r.fits = r.need.total() <= r.available;
  auto gb = [](Bytes b) { return fmt::format("{:.1f} GB", b.value() / 1e9); };
  r.message = fmt::format(
      "plan needs {} per device on pipeline stage {} (weights {}, gradients {}, optimizer {}, activations {} for {} "
      "micro-batch{} in flight); device {} has {}",
      gb(r.need.total()), r.need.stage, gb(r.need.weights), gb(r.need.gradients), gb(r.need.optimizer),
      gb(r.need.activations), r.need.micro_batches_in_flight, r.need.micro_batches_in_flight == 1 ? "" : "es",
      device.name, gb(r.available));
  return r;
}

void require_fit(const ModelSpec& m, const Plan& p, const engine::DeviceSpec& device) {
  const FitReport r = check_fit(m, p, device);
  if (!r.fits) throw UserError(r.message);
}

}  // namespace podsim::workloads
