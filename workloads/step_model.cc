#include "workloads/step_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "engine/check.h"
#include "engine/error.h"
#include "engine/network/comm_tuner.h"
#include "engine/network/moe_exchange.h"
#include "workloads/memory.h"

namespace podsim::workloads {

using engine::Collective;
using engine::CollectiveOp;
using engine::DeviceId;
using engine::NodeId;
using engine::SimTime;

const char* to_string(CommClass c) {
  switch (c) {
    case CommClass::kTp: return "TP";
    case CommClass::kCp: return "CP";
    case CommClass::kEp: return "EP";
    case CommClass::kPp: return "PP";
    case CommClass::kDp: return "DP";
  }
  return "?";
}

double moe_host_seconds(const Plan& plan, const OpEfficiency& eff) {
  if (plan.moe_host_overhead_s) return *plan.moe_host_overhead_s;
  switch (plan.cuda_graphs) {
    case CudaGraphs::kNone: return eff.moe_host_s;
    case CudaGraphs::kStaticParts: return eff.moe_host_static_graphs_s;
    case CudaGraphs::kFull: return 0;
  }
  return eff.moe_host_s;
}

// The userbuffers config of the row-parallel forward GEMM `name` runs with, if any.
const UserbuffersGemm* userbuffers_gemm(const std::string& name, const Plan& plan) {
  if (plan.tp_overlap != TpOverlap::kUserbuffers || plan.tp < 2) return nullptr;
  if (name == "out_proj" || name == "cross_out") return &plan.ub_proj_fprop;
  if (name == "mlp_down" || name == "shared_down") return &plan.ub_fc2_fprop;
  return nullptr;
}

// What a device of `sms` SMs (0: unknown) cannot grant of `ub`'s reservation.
std::optional<std::string> reservation_problem(const UserbuffersGemm& ub, int sms, const std::string& device) {
  if (ub.reserved_sms <= 0) return std::nullopt;
  if (sms <= 0) return fmt::format("the SM count of device {} is not known", device);
  if (ub.reserved_sms >= sms)
    return fmt::format("expected fewer SMs than device {} has ({}), got {}", device, sms, ub.reserved_sms);
  return std::nullopt;
}

std::optional<FieldProblem> userbuffers_problem(const Plan& plan, const engine::DeviceSpec& device) {
  if (plan.tp_overlap != TpOverlap::kUserbuffers) return std::nullopt;
  const int sms = default_efficiency(device).sm_count;
  for (const auto& [name, ub] : {std::pair{"ub_proj_fprop", &plan.ub_proj_fprop}, {"ub_fc2_fprop", &plan.ub_fc2_fprop}})
    if (auto p = reservation_problem(*ub, sms, device.name)) return FieldProblem{fmt::format("{}.reserved_sms", name), *p};
  return std::nullopt;
}

double userbuffers_forward_factor(const Op& op, const Plan& plan, const OpEfficiency& eff,
                                  const engine::DeviceSpec& device) {
  const UserbuffersGemm* ub = op.kind == OpKind::kGemm ? userbuffers_gemm(op.name, plan) : nullptr;
  if (ub == nullptr || ub->reserved_sms <= 0) return 1;
  if (auto p = reservation_problem(*ub, eff.sm_count, device.name))
    throw UserError(fmt::format("plan {}.reserved_sms: {}", ub == &plan.ub_proj_fprop ? "ub_proj_fprop" : "ub_fc2_fprop", *p));
  return double(eff.sm_count) / (eff.sm_count - ub->reserved_sms);
}

engine::Precision gemm_precision(const Op& op, engine::Precision plan) {
  const bool low = operand_bytes(plan) == 1;
  if (low && op.kind == OpKind::kGemm && (op.name == "logits" || op.name == "router")) return engine::Precision::kBF16;
  return plan;
}

double op_seconds(const Op& op, engine::Precision plan_precision, const engine::DeviceSpec& device,
                  const OpEfficiency& eff, AttentionKernel kernel) {
  const engine::Precision precision = gemm_precision(op, plan_precision);
  double t = 0;
  if (op.flops > 0) {
    if (op.kind == OpKind::kAttention) {
      const bool fa2 = kernel == AttentionKernel::kFlashAttention2;
      if (auto problem = attention_kernel_problem(kernel, device, eff)) throw UserError(*problem);
      // The fused kernels' curve by block length applies to them, not to FlashAttention-2.
      const double ring = fa2 ? 1 : ring_attention_factor(eff.attention_by_length, op.ring_seq, op.ring_blocks, op.ring_causal);
      t = op.flops / (device.peak_bf16.value() * (fa2 ? *eff.attention_fa2 : eff.attention) * ring);
    } else {
      const std::optional<engine::FlopRate> peak = device.peak(precision);
      if (!peak) throw std::invalid_argument(fmt::format("{} has no {} peak", device.name, engine::to_string(precision)));
      t = op.flops / (peak->value() * eff.gemm_at(precision, op.shape));
    }
  }
  const double bytes = op.bytes.value() + (eff.fp8_transposes ? op.fp8_transpose_bytes.value() : 0);
  return std::max(t, bytes / (device.hbm_bandwidth.value() * eff.memory));
}

std::vector<DeviceId> group_devices(const Plan& p, CommGroup group, int stage, std::span<const DeviceId> placement) {
  auto rank = [&](int t, int c, int d, int s) { return t + p.tp * (c + p.cp * (d + p.dp * s)); };
  std::vector<DeviceId> out;
  auto add = [&](int r) { out.push_back(placement[static_cast<size_t>(r)]); };
  switch (group) {
    case CommGroup::kTp:
      for (int t = 0; t < p.tp; ++t) add(rank(t, 0, 0, stage));
      break;
    case CommGroup::kCp:
      for (int c = 0; c < p.cp; ++c) add(rank(0, c, 0, stage));
      break;
    case CommGroup::kEp:
      for (int d = 0; d < p.ep; ++d) add(rank(0, 0, d, stage));
      break;
    case CommGroup::kPp:
      add(rank(0, 0, 0, stage));
      add(rank(0, 0, 0, (stage + 1) % p.pp));
      break;
    // Under DualPipe a stage's weights also live on stage pp-1-stage (parallel_plan.h):
    // its data-parallel ranks join the group.
    case CommGroup::kDp:
      for (int st : {stage, p.pp - 1 - stage}) {
        for (int d = 0; d < p.dp; ++d)
          for (int c = 0; c < p.cp; ++c) add(rank(0, c, d, st));
        if (p.weight_copies() == 1) break;
      }
      break;
    case CommGroup::kExpertDp:
      for (int st : {stage, p.pp - 1 - stage}) {
        for (int d = 0; d < p.dp; d += p.ep)
          for (int c = 0; c < p.cp; ++c) add(rank(0, c, d, st));
        if (p.weight_copies() == 1) break;
      }
      break;
  }
  return out;
}

namespace {

CommClass comm_class(CommKind k) {
  switch (k) {
    case CommKind::kTpAllReduce:
    case CommKind::kSpAllGather:
    case CommKind::kSpReduceScatter:
    case CommKind::kSpInputAllGather:
    case CommKind::kCheckpointAllGather: return CommClass::kTp;
    case CommKind::kEpDispatch:
    case CommKind::kEpCombine: return CommClass::kEp;
    case CommKind::kCpRingKv:
    case CommKind::kCpAllToAll:
    case CommKind::kCpAllGather:
    case CommKind::kCpReduceScatter: return CommClass::kCp;
    case CommKind::kPpActivation: return CommClass::kPp;
    case CommKind::kDpGradAllReduce:
    case CommKind::kDpGradReduceScatter:
    case CommKind::kDpParamAllGather: return CommClass::kDp;
  }
  return CommClass::kDp;
}

uint32_t tag(CommKind k) { return static_cast<uint32_t>(comm_class(k)); }

bool spans_domains(const engine::Fabric& f, const std::vector<DeviceId>& g) {
  for (DeviceId d : g)
    if (f.domain(d) != f.domain(g.front())) return true;
  return false;
}

uint64_t mix(uint64_t h, uint64_t v) {
  // splitmix64 finaliser over the running hash: keys only need to differ.
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

// A collective a chunk issues, with the number of back-to-back repeats per micro-batch.
struct ChunkComm {
  Comm comm;
  int repeat = 1;
};

// TP collectives that run beside the GEMM they overlap (Plan::tp_overlap): `repeat` of
// `comm` beside `hide_s` of the pass's compute (all repeats together). A pass runs each
// group as its GEMMs beside its collectives, so what the group exposes is
// max(0, repeat x t(comm) - hide_s): per layer, max(0, t(comm) - t(GEMM)).
struct TpOverlapGroup {
  Comm comm;
  int repeat = 0;
  double hide_s = 0;
};

// The forward times of one tensor-parallel region of a layer (attention, cross-
// attention, MLP): its column-parallel GEMMs, which take the gathered input, and its
// row-parallel GEMMs, whose partial sums are reduced (Megatron's f and g, Shoeybi et
// al. 2019 §3).
struct TpRegion {
  double column_s = 0, row_s = 0;
  // The row-parallel GEMMs' forward (row_s, longer by the SMs a userbuffers config
  // reserves from them), and the chunks their forward reduce-scatter is cut into (a
  // userbuffers pipeline's splits; 0: a ring exchange, tp chunks).
  double row_fw_s = 0;
  int rs_splits = 0;
};

// The regions of a layer from its ops' names (accounting.cc), in the order attention,
// cross-attention, MLP; merged into one when the layer has `regions` = 1 (a parallel
// block's single exchange). Empty if the ops do not make `regions` of them. The routed
// experts are left out: the MoE dispatcher, not a TE/Megatron linear, moves their
// tokens, and no framework overlaps that with their grouped GEMMs.
// `op_fw_s`: each op's forward time (op_s, longer under a userbuffers SM reservation).
std::vector<TpRegion> tp_regions(const OpBlock& b, const std::vector<double>& op_s, const std::vector<double>& op_fw_s,
                                 int regions, const Plan& plan) {
  TpRegion attention{.rs_splits = plan.ub_proj_fprop.splits}, cross{.rs_splits = plan.ub_proj_fprop.splits},
      mlp{.rs_splits = plan.ub_fc2_fprop.splits};
  for (size_t i = 0; i < b.ops.size(); ++i) {
    const std::string& n = b.ops[i].name;
    if (b.ops[i].kind != OpKind::kGemm || n.starts_with("experts_")) continue;
    const double t = op_s[i];
    auto row = [&](TpRegion& r) {
      r.row_s += t;
      r.row_fw_s += op_fw_s[i];
    };
    if (n == "qkv" || n == "q_proj" || n == "q_down" || n == "q_up" || n == "kv_down" || n == "kv_up") attention.column_s += t;
    else if (n == "out_proj") row(attention);
    else if (n == "cross_q" || n == "cross_kv") cross.column_s += t;
    else if (n == "cross_out") row(cross);
    else if (n.ends_with("_up")) mlp.column_s += t;
    else if (n.ends_with("_down")) row(mlp);
  }
  std::vector<TpRegion> out;
  for (const TpRegion& r : {attention, cross, mlp})
    if (r.column_s > 0 || r.row_s > 0) out.push_back(r);
  if (regions == 1 && out.size() > 1) {  // one exchange after the MLP: its reduce-scatter is the MLP's
    TpRegion all{.rs_splits = out.back().rs_splits};
    for (const TpRegion& r : out) {
      all.column_s += r.column_s;
      all.row_s += r.row_s;
      all.row_fw_s += r.row_fw_s;
    }
    out = {all};
  }
  if (static_cast<int>(out.size()) != regions) out.clear();
  return out;
}

// A TP collective's occurrences per layer under Plan::tp_overlap (split_tp).
struct TpSplit {
  std::vector<double> hides;  // per overlapped occurrence: the GEMM seconds beside it
  int blocking = 0;           // occurrences left blocking
};

// Per stage and model chunk: compute times and the collectives of one micro-batch.
// DeepSpeed ZeRO-3 runs a layer module by module: a fetch hook before each module that
// holds weights (each Linear) gathers them, and prefetches the next module's. One slot
// per weight GEMM in forward order: its compute (the GEMM and the weightless ops after it
// up to the next GEMM; those before the layer's first GEMM go with the last slot, as they
// run under the next layer's first gather) and its share of the layer's weights.
struct Zero3Slot {
  double forward_s = 0;
  double recompute_s = 0;  // of its ops that a selective recompute re-runs
  double share = 0;        // of the layer's weights
  // Its small parameter tensors: the GEMM's bias and the norms run since the previous
  // GEMM (LayerNorm: weight and bias; RMSNorm: weight), and their elements. Only
  // Zero3Fetch::kPerTensorSync gathers them apart (add_zero3_modules).
  int small = 0;
  double small_elements = 0;
};
// DeepSpeed's stage3_prefetch_bucket_size default (v0.3.15 stage3.py
// FP16_DeepSpeedZeroOptimizer_Stage3(prefetch_bucket_size=50000000); the same in the
// config's defaults since): elements of weights prefetched at a time.
constexpr double kZero3PrefetchElements = 5e7;
// DeepSpeed's stage3_max_reuse_distance default (1e9 elements, the same releases):
// release_sub_module keeps a module's weights when the parameters of the modules run
// before its next use hold fewer elements than this (_keep_for_later).
constexpr double kZero3MaxReuseElements = 1e9;
constexpr double kWeightBytes = 2;  // the gathered BF16/FP16 weights (parallel_plan.cc)
// Consecutive slots of a pass whose weights DeepSpeed prefetches together.
struct Zero3Bundle {
  double compute_s = 0;       // per layer
  double share = 0;           // of the layer's weights
  double backward_share = 0;  // of them, the modules whose backward is in the bundle
  // The bundle's small tensors (Zero3Slot::small), and of them the backward modules'.
  int small = 0, backward_small = 0;
  double small_elements = 0, backward_small_elements = 0;
  int backward_matrices = 0;  // the backward modules' weight matrices
};
struct Zero3Modules {
  std::vector<Zero3Slot> slots;
  int layers = 0;            // identical layers in the chunk
  Comm gather, scatter;      // one layer's weight all-gather and gradient reduce-scatter
  int backward_gathers = 1;  // 2 under full recompute: the recomputed forward fetches again
  bool per_tensor_sync = false;  // Plan::zero3_fetch kPerTensorSync
};

// The slots of one layer block's ops (`op_s`: each op's forward time) of model `m`.
std::vector<Zero3Slot> zero3_slots(const ModelSpec& m, const OpBlock& b, const std::vector<double>& op_s,
                                   const RecomputePolicy& policy) {
  std::vector<Zero3Slot> slots;
  double before = 0, before_rc = 0, weights = 0;
  // Norm tensors met since the last GEMM: they go with the next GEMM's slot (the norm's
  // module runs just before it, and its gather with that module's).
  int norms = 0;
  for (size_t i = 0; i < b.ops.size(); ++i) {
    const Op& op = b.ops[i];
    const double rc = policy.recomputes(op) ? op_s[i] : 0;
    if (op.name == "attn_norm" || op.name == "mlp_norm" || op.name == "cross_norm") norms += m.bias ? 2 : 1;
    if (op.kind == OpKind::kGemm && op.shape.known()) {
      const double w = op.shape.k * op.shape.n * op.shape.groups;
      const int bias = m.bias ? 1 : 0;
      slots.push_back({.forward_s = op_s[i], .recompute_s = rc, .share = w, .small = norms + bias,
                       .small_elements = norms * double(m.hidden) + bias * op.shape.n * op.shape.groups});
      norms = 0;
      weights += w;
    } else if (slots.empty()) {
      before += op_s[i];
      before_rc += rc;
    } else {
      slots.back().forward_s += op_s[i];
      slots.back().recompute_s += rc;
    }
  }
  if (slots.empty() || weights <= 0) return {};
  slots.back().forward_s += before;
  slots.back().recompute_s += before_rc;
  for (Zero3Slot& z : slots) z.share /= weights;
  return slots;
}

struct ChunkTiming {
  int global_index = 0;
  double forward_s = 0;
  double backward_s = 0;  // including recompute
  double host_s = 0;      // of forward_s + backward_s: MoE host overhead (efficiency.h)
  // Of forward_s and backward_s: the attention core (OpKind::kAttention), which is
  // all a ring-attention KV transfer can hide under.
  double attention_fw_s = 0, attention_bw_s = 0;
  // Of backward_s: the weight gradients (a GEMM's dW costs its forward), which DualPipe
  // defers to fill its bubbles (W of DeepSeek-V3 Table 2).
  double weight_s = 0;
  // Of forward_s + backward_s: activation offload transfers not hidden under the
  // compute of their layer (step_model.h).
  double offload_s = 0;
  std::vector<ChunkComm> fw_blocking, bw_blocking;  // TP, EP, Ulysses
  std::vector<ChunkComm> fw_overlap, bw_overlap;    // CP ring, ZeRO-3 (DP lane)
  std::vector<TpOverlapGroup> fw_tp_overlap, bw_tp_overlap;  // Plan::tp_overlap (TP lane)
  std::optional<Comm> send_forward, send_backward;
  int layers = 0;
  // DeepSpeed ZeRO-3 (Plan sharding kZero3) fetches weights module by module (zero3_modules).
  std::optional<Zero3Modules> zero3;
};

bool blocking(const Comm& c) {
  return c.group == CommGroup::kTp || c.group == CommGroup::kEp || c.kind == CommKind::kCpAllToAll ||
         c.kind == CommKind::kCpAllGather || c.kind == CommKind::kCpReduceScatter;
}

// How one layer's TP collective `c` (count per layer) runs under Plan::tp_overlap: the
// GEMM time each overlapped occurrence hides under (one entry per occurrence), and how
// many still block. Per region, with f = (tp - 1) / tp, the part of a GEMM a ring
// exchange overlaps (its first chunk, forward, or last, reduce-scatter, runs alone):
//   backward (kBackward and kUserbuffers; Megatron-Core's LinearWithGradAccumulation-
//   AndAsyncCommunication, TE's Linear):
//     input-gradient all-reduce (no SP) / reduce-scatter (SP)  under column wgrad
//     re-gather of the saved input (SP)                        under column dgrad
//   kUserbuffers (TE tp_comm_overlap, ring exchange, Megatron-Bridge's userbuffers
//   configs for these models):
//     forward all-gather                                       under f x column fprop
//     forward reduce-scatter                                   under f x row fprop
//     backward gradient all-gather                             under f x row dgrad
//     the recomputed forward's (full recompute)                as the forward's
// The rest blocks: without userbuffers the forward's collectives, the backward's
// gradient all-gather, and the recomputed forward's.
TpSplit split_tp(const Comm& c, const std::vector<TpRegion>& regions, const Plan& plan) {
  const bool ub = plan.tp_overlap == TpOverlap::kUserbuffers;
  const double f = double(plan.tp - 1) / plan.tp;
  const bool fwd = c.phase == CommPhase::kForward;
  TpSplit out;
  auto each = [&](auto hide) {
    for (const TpRegion& r : regions) out.hides.push_back(hide(r));
  };
  switch (c.kind) {
    case CommKind::kTpAllReduce:
      if (!fwd) each([](const TpRegion& r) { return r.column_s; });
      break;
    case CommKind::kSpInputAllGather:
      each([](const TpRegion& r) { return r.column_s; });
      break;
    case CommKind::kSpReduceScatter:
      if (!fwd) each([](const TpRegion& r) { return r.column_s; });
      if (ub) {  // forward, or the recomputed forward's in backward; a pipeline's last chunk runs alone
        const int passes = fwd ? 1 : (c.count - static_cast<int>(regions.size())) / static_cast<int>(regions.size());
        for (int k = 0; k < passes; ++k)
          each([f](const TpRegion& r) { return (r.rs_splits > 0 ? double(r.rs_splits - 1) / r.rs_splits : f) * r.row_fw_s; });
      }
      break;
    case CommKind::kSpAllGather:
      if (ub) {
        if (!fwd) each([f](const TpRegion& r) { return f * r.row_s; });  // the gradient's, under row dgrad
        const int passes = fwd ? 1 : (c.count - static_cast<int>(regions.size())) / static_cast<int>(regions.size());
        for (int k = 0; k < passes; ++k) each([f](const TpRegion& r) { return f * r.column_s; });
      }
      break;
    default:
      break;
  }
  out.blocking = c.count - static_cast<int>(out.hides.size());
  if (out.blocking < 0) {  // counts the regions do not explain: leave it blocking
    out.hides.clear();
    out.blocking = c.count;
  }
  return out;
}

ChunkTiming time_chunk(const ModelSpec& m, const ModelChunk& chunk, const Plan& plan, const engine::DeviceSpec& dev,
                       const OpEfficiency& eff) {
  ChunkTiming ct;
  ct.global_index = chunk.index;
  ct.layers = chunk.layers.end - chunk.layers.begin;
  // Merge equal collectives of a chunk (all layers of a kind issue the same ones).
  std::map<std::tuple<int, int, int, int, double>, ChunkComm> fw_b, bw_b, fw_o, bw_o;
  std::map<std::tuple<int, int, double, double>, TpOverlapGroup> fw_t, bw_t;  // by kind, phase, bytes, GEMM per repeat
  const RecomputePolicy policy = plan.recompute_policy();
  const double moe_host_s = moe_host_seconds(plan, eff);
  const int offloaded_end = chunk.layers.begin + plan.offloaded_layers(chunk.layers.end - chunk.layers.begin);
  int layer = chunk.layers.begin;
  // DeepSpeed's module-by-module fetch, on chunks of one kind of dense layer (others keep
  // the layer-by-layer model of add_pass).
  int layer_blocks = 0;
  for (const OpBlock& b : chunk.blocks) layer_blocks += b.is_layer ? 1 : 0;
  const bool by_module = plan.sharding == DataSharding::kZero3 && layer_blocks == 1;
  for (const OpBlock& b : chunk.blocks) {
    double fw = 0, fw_reserved = 0, recompute = 0;
    double attn = 0, attn_recompute = 0, wgrad = 0;
    std::vector<double> op_s, op_fw_s;
    op_s.reserve(b.ops.size());
    op_fw_s.reserve(b.ops.size());
    for (const Op& op : b.ops) {
      const double t = op_seconds(op, plan.precision, dev, eff, plan.attention_kernel);
      // A userbuffers SM reservation slows the forward only (the backward's GEMMs of
      // these linears run on the whole device).
      const double t_fw = b.is_layer ? t * userbuffers_forward_factor(op, plan, eff, dev) : t;
      op_s.push_back(t);
      op_fw_s.push_back(t_fw);
      fw += t;
      fw_reserved += t_fw - t;
      if (op.kind == OpKind::kGemm) wgrad += t;
      if (b.is_layer && policy.recomputes(op)) recompute += t_fw;
      if (op.kind == OpKind::kAttention) {
        attn += t;
        if (b.is_layer && policy.recomputes(op)) attn_recompute += t;
      }
    }
    ct.attention_fw_s += attn * b.repeat;
    ct.attention_bw_s += (2 * attn + attn_recompute) * b.repeat;
    ct.forward_s += (fw + fw_reserved) * b.repeat;
    ct.backward_s += (2 * fw + recompute) * b.repeat;
    ct.weight_s += wgrad * b.repeat;
    if (b.is_layer) {
      // Activation offload: the layer's saved activations go out under its forward and
      // come back under its backward; the excess of each transfer is exposed.
      const int offloaded = std::clamp(offloaded_end - layer, 0, b.repeat);
      if (offloaded > 0) {
        const double bytes = layer_activation_bytes(m, plan, layer).value();
        const double out = std::max(0.0, bytes / dev.host_write->value() - fw);
        const double back = std::max(0.0, bytes / dev.host_read->value() - (2 * fw + recompute));
        ct.forward_s += out * offloaded;
        ct.backward_s += back * offloaded;
        ct.offload_s += (out + back) * offloaded;
      }
      layer += b.repeat;
    }
    if (b.routed_experts) {
      // The sync is in the forward, but the host work it exposes is the layer's kernel
      // launches, about twice as many in backward (dgrad and wgrad per GEMM): split 1:2.
      ct.forward_s += moe_host_s / 3 * b.repeat;
      ct.backward_s += 2 * moe_host_s / 3 * b.repeat;
      ct.host_s += moe_host_s * b.repeat;
    }
    const bool zero3_modules = by_module && b.is_layer && !b.routed_experts && !b.ops.empty();
    if (zero3_modules) {
      Zero3Modules z{.slots = zero3_slots(m, b, op_s, policy), .layers = b.repeat, .gather = {}, .scatter = {},
                     .backward_gathers = 1, .per_tensor_sync = plan.zero3_fetch == Zero3Fetch::kPerTensorSync};
      for (const Comm& c : b.comms) {
        if (c.kind == CommKind::kDpParamAllGather && c.phase == CommPhase::kForward) z.gather = c;
        if (c.kind == CommKind::kDpParamAllGather && c.phase == CommPhase::kBackward) z.backward_gathers = c.count;
        if (c.kind == CommKind::kDpGradReduceScatter) z.scatter = c;
      }
      if (!z.slots.empty() && z.gather.group_size > 1 && z.gather.bytes.value() > 0) ct.zero3 = std::move(z);
    }
    // The layer's TP regions, when the plan overlaps TP communication with them.
    std::vector<TpRegion> regions;
    if (b.is_layer && plan.tp > 1 && plan.tp_overlap != TpOverlap::kNone) {
      for (const Comm& c : b.comms)
        if (c.phase == CommPhase::kForward && (c.kind == CommKind::kSpAllGather || c.kind == CommKind::kTpAllReduce))
          regions = tp_regions(b, op_s, op_fw_s, c.count, plan);
    }
    for (const Comm& c : b.comms) {
      if (c.group_size <= 1 || c.bytes.value() <= 0) continue;
      if (zero3_modules && ct.zero3 &&
          (c.kind == CommKind::kDpParamAllGather || c.kind == CommKind::kDpGradReduceScatter))
        continue;  // add_zero3_modules runs them
      const bool fwd = c.phase == CommPhase::kForward;
      int count = c.count;
      if (!regions.empty() && comm_class(c.kind) == CommClass::kTp) {
        const TpSplit split = split_tp(c, regions, plan);
        count = split.blocking;
        for (double hide : split.hides) {
          const auto key = std::tuple{int(c.kind), int(c.phase), c.bytes.value(), hide};
          auto [it, fresh] = (fwd ? fw_t : bw_t).try_emplace(key, TpOverlapGroup{c, 0, 0});
          it->second.repeat += b.repeat;
          it->second.hide_s += hide * b.repeat;
        }
      }
      if (count <= 0) continue;
      auto& into = blocking(c) ? (fwd ? fw_b : bw_b) : (fwd ? fw_o : bw_o);
      const auto key = std::tuple{int(c.kind), int(c.op), int(c.group), int(c.phase), c.bytes.value()};
      auto [it, fresh] = into.try_emplace(key, ChunkComm{c, 0});
      it->second.repeat += count * b.repeat;
    }
  }
  for (auto& [k, v] : fw_t) ct.fw_tp_overlap.push_back(v);
  for (auto& [k, v] : bw_t) ct.bw_tp_overlap.push_back(v);
  for (auto& [k, v] : fw_b) ct.fw_blocking.push_back(v);
  for (auto& [k, v] : bw_b) ct.bw_blocking.push_back(v);
  for (auto& [k, v] : fw_o) ct.fw_overlap.push_back(v);
  for (auto& [k, v] : bw_o) ct.bw_overlap.push_back(v);
  for (const Comm& c : chunk.boundary) {
    if (c.phase == CommPhase::kForward) ct.send_forward = c;
    else ct.send_backward = c;
  }
  return ct;
}

using Slot = PipelinePass;

class GraphBuilder {
 public:
  GraphBuilder(const TrainingJob& job, std::span<const DeviceId> placement, const engine::DeviceSpec& dev,
               const engine::Fabric& fabric, const StepOptions& o, const OpEfficiency& eff)
      : job_(job), p_(job.plan), placement_(placement), dev_(dev), fabric_(fabric), o_(o), eff_(eff) {}

  void build() {
    const std::vector<StageWork> work = plan_work(job_.model, p_);
    const int pp = p_.pp, v = p_.virtual_stages, m = p_.micro_batches();
    if (v > 1 && m % pp != 0)
      throw UserError(fmt::format("plan: the interleaved schedule needs micro-batches ({}) to be a multiple of pp ({})",
                                  m, pp));
    const bool dualpipe = p_.schedule == PipelineSchedule::kDualPipe;
    if (dualpipe && (pp % 2 != 0 || m % 2 != 0 || m < 2 * pp))
      throw UserError(fmt::format("plan: DUALPIPE needs an even pp and an even number of micro-batches >= 2 x pp "
                                  "(got pp {}, {} micro-batches)", pp, m));
    timing_.resize(pp);
    pass_end_.assign(static_cast<size_t>(pp), std::nullopt);
    gathered_.assign(static_cast<size_t>(pp), std::nullopt);
    zero3_host_s_.assign(static_cast<size_t>(pp), 0.0);
    for (int s = 0; s < pp; ++s) {
      for (const ModelChunk& c : work[s].chunks) timing_[s].push_back(time_chunk(job_.model, c, p_, dev_, eff_));
      lanes_.push_back({g_.add_lane(fmt::format("stage {} compute", s)), g_.add_lane(fmt::format("stage {} dp", s)),
                        g_.add_lane(fmt::format("stage {} cp", s)), g_.add_lane(fmt::format("stage {} pp", s)), 0, 0});
      lanes_.back().overlap = dualpipe ? g_.add_lane(fmt::format("stage {} overlap", s)) : lanes_.back().cp;
      lanes_.back().tp = p_.tp > 1 && p_.tp_overlap != TpOverlap::kNone ? g_.add_lane(fmt::format("stage {} tp", s))
                                                                         : lanes_.back().cp;
    }
    const std::vector<MemoryBreakdown> mem = memory_per_stage(job_.model, p_);
    std::vector<std::vector<NodeId>> bucket_nodes(pp);
    if (dualpipe)
      add_dualpipe(work, bucket_nodes);
    else
      add_megatron(work, bucket_nodes);
    // Without overlap_grad_reduce the stage's gradients are reduced after its last
    // backward, whole (Megatron-LM's train_step before 2023-09).
    if (!p_.overlap_grad_reduce)
      for (int s = 0; s < pp; ++s)
        for (const Comm& c : work[s].step_comms) {
          if (c.kind == CommKind::kDpParamAllGather) continue;
          const std::optional<NodeId>& end = pass_end_[static_cast<size_t>(s)];
          const NodeId n = collective(lanes_[s].dp, c, devices_of(c.group, s), c.count, {});
          if (end) g_.add_dependency(*end, n);
          bucket_nodes[s].push_back(n);
        }
    // Optimizer after the stage's gradients are reduced, then ZeRO 1/2 weight gathers.
    for (int s = 0; s < pp; ++s) {
      const double opt_s = mem[static_cast<size_t>(s)].optimizer.value() * kAdamBytesPerOptimizerByte /
                           (dev_.hbm_bandwidth.value() * eff_.memory);
      const NodeId opt = g_.add_compute(lanes_[s].compute, SimTime::seconds_ceil(opt_s));
      for (NodeId b : bucket_nodes[s]) g_.add_dependency(b, opt);
      for (const Comm& c : work[s].step_comms) {
        // SHARD_GRAD_OP: the next step's forwards gather the updated weights.
        if (c.kind != CommKind::kDpParamAllGather || p_.sharding == DataSharding::kFsdpShardGradOp) continue;
        collective(lanes_[s].dp, c, devices_of(c.group, s), c.count, {opt});
      }
    }
  }

  // The 1F1B and interleaved schedules (pipeline_order).
  void add_megatron(const std::vector<StageWork>& work, std::vector<std::vector<NodeId>>& bucket_nodes) {
    const int pp = p_.pp, v = p_.virtual_stages, m = p_.micro_batches();
    // Cross-stage dependencies: the send of (micro-batch, global chunk, direction).
    std::map<std::tuple<int, int, bool>, NodeId> sends;
    std::vector<std::vector<Slot>> orders(pp);
    std::vector<size_t> next(pp, 0);
    for (int s = 0; s < pp; ++s) orders[s] = pipeline_order(pp, s, m, v);
    const int chunks_total = pp * v;
    // Add slots round-robin, each as soon as what it receives has been added.
    for (bool progress = true; progress;) {
      progress = false;
      for (int s = 0; s < pp; ++s) {
        while (next[s] < orders[s].size()) {
          const Slot& slot = orders[s][next[s]];
          const ChunkTiming& ct = timing_[s][static_cast<size_t>(slot.chunk)];
          const int g = ct.global_index;
          std::optional<NodeId> recv;
          if (slot.forward && g > 0) {
            auto it = sends.find({slot.micro_batch, g - 1, true});
            if (it == sends.end()) break;
            recv = it->second;
          }
          if (!slot.forward && g + 1 < chunks_total) {
            auto it = sends.find({slot.micro_batch, g + 1, false});
            if (it == sends.end()) break;
            recv = it->second;
          }
          // Gradients reduced under this backward: the last micro-batch's (DDP, ZeRO-1),
          // or every micro-batch's when they are sharded (ZeRO-2, SHARD_GRAD_OP).
          const bool reduce_here = !slot.forward && p_.overlap_grad_reduce &&
                                   (slot.micro_batch == m - 1 || p_.grads_reduced_per_micro_batch());
          // SHARD_GRAD_OP: the pass waits for its weights, gathered under the pass before.
          if (p_.sharding == DataSharding::kFsdpShardGradOp) {
            if (next[s] == 0) prefetch_gather(s, work[s]);
            std::optional<NodeId>& gathered = gathered_[static_cast<size_t>(s)];
            if (gathered) {
              const NodeId ready = g_.add_compute(lanes_[s].compute, SimTime::zero());
              g_.add_dependency(*gathered, ready);
              if (recv) g_.add_dependency(*recv, ready);
              recv = ready;
              gathered.reset();
            }
            if (next[s] + 1 < orders[s].size() && orders[s][next[s] + 1].forward) prefetch_gather(s, work[s]);
          }
          const NodeId done = add_pass(s, ct, slot, recv, reduce_here ? &bucket_nodes[s] : nullptr, work[s]);
          const std::optional<Comm>& out = slot.forward ? ct.send_forward : ct.send_backward;
          if (out) {
            const int to = slot.forward ? (s + 1) % pp : (s + pp - 1) % pp;
            const DeviceId a = devices_of(CommGroup::kPp, s)[0];
            const DeviceId b = devices_of(CommGroup::kPp, to)[0];
            const NodeId snd = collective(lanes_[s].pp, *out, {a, b}, 1, {done});
            sends[{slot.micro_batch, g, slot.forward}] = snd;
          }
          ++next[s];
          progress = true;
        }
      }
    }
    for (int s = 0; s < pp; ++s)
      PODSIM_CHECK(next[s] == orders[s].size(), "step model: pipeline schedule cannot proceed");
  }

  // FSDP SHARD_GRAD_OP (Plan sharding kFsdpShardGradOp): gathers the weights of the
  // stage's next forward pass on its DP lane now, as soon as the pass before it starts
  // (FSDP's forward prefetch; Llama 3 §3.3.2 "asynchronously prefetching sharded model
  // weights"): one chunk's share of the stage's weights (the step's all-gather over the
  // chunks per device). The pass waits for it (gathered_): for the last of the stage's
  // gathers (dense, then expert weights), which the DP lane runs after the others.
  void prefetch_gather(int s, const StageWork& work) {
    for (const Comm& c : work.step_comms) {
      if (c.kind != CommKind::kDpParamAllGather) continue;
      Comm share = c;
      share.phase = CommPhase::kForward;
      share.bytes = c.bytes / double(p_.chunks_per_device());
      const NodeId n = collective(lanes_[s].dp, share, devices_of(c.group, s), c.count, {});
      const std::optional<NodeId>& before = pass_end_[static_cast<size_t>(s)];
      if (before) g_.add_dependency(*before, n);
      gathered_[static_cast<size_t>(s)] = n;
    }
  }

  // DualPipe (dualpipe_order): local chunk d of every stage carries direction d, whose
  // micro-batches enter at stage 0 (d = 0) or pp - 1 (d = 1). A deferred weight
  // gradient runs as its own compute when the schedule says W (first in, first out).
  void add_dualpipe(const std::vector<StageWork>& work, std::vector<std::vector<NodeId>>& bucket_nodes) {
    using K = DualPipePass::Kind;
    const int pp = p_.pp, m = p_.micro_batches(), half = m / 2;
    std::vector<std::vector<DualPipePass>> orders(pp);
    for (int s = 0; s < pp; ++s) orders[s] = dualpipe_order(pp, s, m);
    std::vector<size_t> next(pp, 0);
    std::vector<std::deque<double>> deferred(pp);
    // Sends by (direction, micro-batch, model chunk, forward).
    std::map<std::tuple<int, int, int, bool>, NodeId> sends;
    // What pass (d, mb) at stage s waits for; false if it has not been added yet.
    auto received = [&](int s, int d, int mb, bool forward, std::optional<NodeId>& recv) {
      const int g = timing_[s][static_cast<size_t>(d)].global_index;
      if (forward ? g == 0 : g + 1 == pp) return true;
      auto it = sends.find({d, mb, forward ? g - 1 : g + 1, forward});
      if (it == sends.end()) return false;
      recv = it->second;
      return true;
    };
    auto send = [&](int s, int d, int mb, bool forward, NodeId done) {
      const ChunkTiming& ct = timing_[s][static_cast<size_t>(d)];
      const std::optional<Comm>& out = forward ? ct.send_forward : ct.send_backward;
      if (!out) return;
      const int to = (forward == (d == 0)) ? s + 1 : s - 1;
      const DeviceId a = devices_of(CommGroup::kPp, s)[0];
      const DeviceId b = devices_of(CommGroup::kPp, to)[0];
      sends[{d, mb, ct.global_index, forward}] = collective(lanes_[s].pp, *out, {a, b}, 1, {done});
    };
    for (bool progress = true; progress;) {
      progress = false;
      for (int s = 0; s < pp; ++s) {
        while (next[s] < orders[s].size()) {
          const DualPipePass& ps = orders[s][next[s]];
          std::optional<NodeId> recv_f, recv_b;
          const bool has_f = ps.kind == K::kForward || ps.kind == K::kForwardBackward;
          const bool has_b = ps.kind == K::kBackward || ps.kind == K::kBackwardInput || ps.kind == K::kForwardBackward;
          if (has_f && !received(s, ps.f_chunk, ps.f_micro_batch, true, recv_f)) break;
          if (has_b && !received(s, ps.b_chunk, ps.b_micro_batch, false, recv_b)) break;
          const ChunkTiming& f = timing_[s][static_cast<size_t>(ps.f_chunk)];
          const ChunkTiming& b = timing_[s][static_cast<size_t>(ps.b_chunk)];
          if (ps.kind == K::kWeight) {
            PODSIM_CHECK(!deferred[s].empty(), "step model: DualPipe weight pass with nothing deferred");
            const NodeId w = g_.add_compute(lanes_[s].compute, SimTime::seconds_ceil(deferred[s].front()));
            deferred[s].pop_front();
            pass_end_[static_cast<size_t>(s)] = w;
          } else if (ps.kind == K::kForward) {
            const NodeId done = add_pass(s, f, Slot{true, ps.f_micro_batch, ps.f_chunk}, recv_f, nullptr, work[s]);
            send(s, ps.f_chunk, ps.f_micro_batch, true, done);
          } else if (ps.kind == K::kForwardBackward) {
            const NodeId done = add_pair(s, f, b, recv_f, recv_b);
            send(s, ps.f_chunk, ps.f_micro_batch, true, done);
            send(s, ps.b_chunk, ps.b_micro_batch, false, done);
          } else {
            const bool defer = ps.kind == K::kBackwardInput;
            if (defer) deferred[s].push_back(b.weight_s);
            const bool last = ps.b_micro_batch == half - 1;
            const NodeId done = add_pass(s, b, Slot{false, ps.b_micro_batch, ps.b_chunk}, recv_b,
                                         last && p_.overlap_grad_reduce ? &bucket_nodes[s] : nullptr, work[s], defer ? b.weight_s : 0);
            send(s, ps.b_chunk, ps.b_micro_batch, false, done);
          }
          ++next[s];
          progress = true;
        }
      }
    }
    for (int s = 0; s < pp; ++s)
      PODSIM_CHECK(next[s] == orders[s].size() && deferred[s].empty(), "step model: DualPipe schedule cannot proceed");
  }

  // DualPipe's overlapped pair: the forward of one direction and the backward of the
  // other run as one compute span while the blocking collectives of both (TP, EP
  // dispatch and combine, CP all-to-all or all-gather) run beside it on the stage's
  // overlap lane (DeepSeek-V3 §3.2.1: one chunk's attention and MLP hide the other's
  // all-to-all and PP communication); overlapped ones (CP ring) on their lane. The pair
  // ends when compute and collectives are all done: what the compute cannot hide is
  // exposed. Compute beside communication runs slower by comm_slowdown, as in add_pass.
  NodeId add_pair(int s, const ChunkTiming& f, const ChunkTiming& b, std::optional<NodeId> recv_f,
                  std::optional<NodeId> recv_b) {
    const Lanes& L = lanes_[s];
    const std::optional<NodeId> before = pass_end_[static_cast<size_t>(s)];
    std::vector<NodeId> side;
    double comm_s = 0;
    auto run = [&](const std::vector<ChunkComm>& list, bool blocking_list) {
      for (const ChunkComm& cc : list) {
        std::vector<DeviceId> grp = devices_of(cc.comm.group, s);
        if (cc.comm.op == CollectiveOp::kSendRecv) grp = {grp[0], grp[1 % grp.size()]};
        comm_s += estimate_seconds(cc.comm, grp, cc.repeat);
        const uint32_t lane = blocking_list ? L.overlap : cc.comm.group == CommGroup::kCp ? L.cp : L.dp;
        const NodeId n = collective(lane, cc.comm, grp, cc.repeat, {});
        for (const std::optional<NodeId>& d : {recv_f, recv_b, before})
          if (d) g_.add_dependency(*d, n);
        side.push_back(n);
      }
    };
    run(f.fw_blocking, true);
    run(b.bw_blocking, true);
    for (const auto* groups : {&f.fw_tp_overlap, &b.bw_tp_overlap}) {
      std::vector<ChunkComm> as_blocking;
      for (const TpOverlapGroup& tg : *groups) as_blocking.push_back({tg.comm, tg.repeat});
      run(as_blocking, true);
    }
    run(f.fw_overlap, false);
    run(b.bw_overlap, false);
    const double compute = f.forward_s + b.backward_s;
    const NodeId work = g_.add_compute(L.compute, SimTime::seconds_ceil(compute + eff_.comm_slowdown * std::min(comm_s, compute)));
    if (recv_f) g_.add_dependency(*recv_f, work);
    if (recv_b) g_.add_dependency(*recv_b, work);
    NodeId last = work;
    if (!side.empty()) {
      last = g_.add_compute(L.compute, SimTime::zero());
      for (NodeId n : side) g_.add_dependency(n, last);
    }
    pass_end_[static_cast<size_t>(s)] = last;
    return last;
  }

  const engine::OpGraph& graph() const { return g_; }
  std::vector<uint32_t> stage_lanes(int s) const {
    std::vector<uint32_t> l = {lanes_[s].compute, lanes_[s].dp, lanes_[s].cp, lanes_[s].pp};
    if (lanes_[s].overlap != lanes_[s].cp) l.push_back(lanes_[s].overlap);
    if (lanes_[s].tp != lanes_[s].cp) l.push_back(lanes_[s].tp);
    // Incoming transfers: the neighbours' PP lanes carry what this stage waits for.
    if (p_.pp > 1) {
      l.push_back(lanes_[(s + p_.pp - 1) % p_.pp].pp);
      if (p_.pp > 2) l.push_back(lanes_[(s + 1) % p_.pp].pp);
    }
    return l;
  }
  double stage_compute_s(int s) const {
    double t = 0;
    for (const ChunkTiming& c : timing_[s]) t += c.forward_s + c.backward_s;
    return t;
  }
  // Of the stage's compute-lane time in the step: the MoE host overhead, and the host
  // time ZeRO-3's per-tensor gathers expose (add_zero3_modules; its nodes, summed).
  double stage_host_s(int s) const {
    double t = 0;
    for (const ChunkTiming& c : timing_[s]) t += c.host_s;
    // DualPipe: each chunk runs half of them.
    return t * p_.micro_batches() / p_.weight_copies() + zero3_host_s_[static_cast<size_t>(s)];
  }
  // Of the stage's compute-lane time in the step: exposed activation offload.
  double stage_offload_s(int s) const {
    double t = 0;
    for (const ChunkTiming& c : timing_[s]) t += c.offload_s;
    return t * p_.micro_batches() / p_.weight_copies();
  }
  std::array<bool, kCommClasses> crossing() const { return crossing_; }
  // With StepOptions::observer: the groups, and what each collective node is.
  std::span<const StepGroup> observed_groups() const { return groups_; }
  const StepCollective* observed(NodeId n) const {
    auto it = observed_.find(index(n));
    return it == observed_.end() ? nullptr : &it->second;
  }
  std::optional<uint32_t> rank_of(DeviceId d) const {
    auto it = rank_.find(engine::index(d));
    if (it == rank_.end()) return std::nullopt;
    return it->second;
  }

 private:
  // Adam's traffic per byte of optimizer state (12 bytes per parameter): read FP32
  // master, m, v (12) and a BF16 gradient (2), write master, m, v (12) and the BF16
  // weight (2) = 28 bytes per parameter.
  static constexpr double kAdamBytesPerOptimizerByte = 28.0 / 12.0;

  struct Lanes {
    uint32_t compute, dp, cp, pp;
    uint32_t overlap;  // DualPipe's overlapped pairs' collectives; else the cp lane (unused)
    uint32_t tp;       // TP collectives beside their GEMMs (Plan::tp_overlap); else the cp lane (unused)
  };

  // group_devices of (group, stage), built once per step: the graph asks for the same
  // few groups at every pass.
  const std::vector<DeviceId>& devices_of(CommGroup group, int stage) {
    auto [it, fresh] = devices_.try_emplace({static_cast<int>(group), stage});
    if (fresh) it->second = group_devices(p_, group, stage, placement_);
    return it->second;
  }

  // The collective the library runs for `c` on `group`: its algorithm, protocol and
  // terms (comm_tuner.h), once per distinct collective (the tuner costs its candidates
  // in closed form). MoE dispatch and combine are their own operations (moe_exchange.h):
  // the all-to-all plus the dispatcher's fixed cost per call.
  const Collective& tuned(const Comm& c, const std::vector<DeviceId>& group) {
    const bool moe = c.kind == CommKind::kEpDispatch || c.kind == CommKind::kEpCombine;
    // By (variant, bytes, group, op), hashed as the graph's memo keys are.
    uint64_t tkey = mix(0, moe ? static_cast<uint64_t>(c.kind) + 1 : 0);
    tkey = mix(tkey, static_cast<uint64_t>(c.bytes.value()));
    for (DeviceId d : group) tkey = mix(tkey, engine::index(d));
    tkey = mix(tkey, static_cast<uint64_t>(c.op));
    auto [it, fresh] = tuned_.try_emplace(tkey);
    if (fresh) {
      it->second = moe ? engine::moe_exchange(fabric_,
                                              c.kind == CommKind::kEpDispatch ? engine::MoeExchange::kDispatch
                                                                              : engine::MoeExchange::kCombine,
                                              group, c.bytes, o_.network, o_.memo)
                       : engine::tuned(fabric_, c.op, group, c.bytes, o_.network, o_.memo);
    }
    return it->second;
  }

  // Closed-form seconds of `repeat` back-to-back runs of `c` on `group` (collectives.h),
  // memoised: what the interference of an overlapped collective is charged on, in both
  // modes (flow mode's measured time is not known while the graph is built).
  double estimate_seconds(const Comm& c, const std::vector<DeviceId>& group, int repeat) {
    uint64_t key = mix(mix(mix(0, static_cast<uint64_t>(c.kind)), static_cast<uint64_t>(c.bytes.value())),
                       static_cast<uint64_t>(c.op));
    for (DeviceId d : group) key = mix(key, engine::index(d));
    auto it = estimates_.find(key);
    if (it == estimates_.end())
      it = estimates_.emplace(key, engine::collective_time(fabric_, tuned(c, group), o_.network, o_.memo).to_seconds())
               .first;
    return it->second * repeat;
  }

  NodeId collective(uint32_t lane, const Comm& c, const std::vector<DeviceId>& group, int repeat,
                    std::initializer_list<NodeId> deps) {
    if (spans_domains(fabric_, group)) crossing_[static_cast<size_t>(comm_class(c.kind))] = true;
    uint64_t key = 0;
    key = mix(key, static_cast<uint64_t>(c.kind));
    key = mix(key, static_cast<uint64_t>(c.phase));
    key = mix(key, static_cast<uint64_t>(c.bytes.value()));
    for (DeviceId d : group) key = mix(key, engine::index(d));
    key = mix(key, static_cast<uint64_t>(c.op));
    Collective col = tuned(c, group);
    std::optional<StepCollective> seen;
    if (o_.observer) seen = observed(lane, c, group, col.algorithm, repeat);
    const NodeId n = g_.add_collective(lane, std::move(col), tag(c.kind), repeat, key);
    if (seen) observed_[index(n)] = *seen;
    for (NodeId d : deps) g_.add_dependency(d, n);
    return n;
  }

  // The TP collectives of `groups` beside their GEMMs, at the start of a pass on stage
  // s. Each group takes max(GEMM', collectives) on the compute lane, with
  //   GEMM' = GEMM x scale + comm_slowdown x min(collectives, GEMM) + share x GEMM
  // (compute beside communication is slower, efficiency.h; `share`: the pass's DP
  // slowdown per second of its compute): its GEMM is a compute node, its collectives run
  // on the TP lane starting with it, and what follows waits for both. The groups whose
  // collectives the closed form says their GEMM hides are run as one such segment (the
  // sum of maxima is then the max of the sums) to keep the graph small; each other group
  // is its own. With `fold_hidden`, the hidden segment's compute is returned in
  // `hidden_work_s` for the pass's own compute and its nodes are not added: its
  // collectives end before its GEMM by construction (in analytical mode) and change
  // nothing, so the planner's graphs stay the size they were; and a pass cut into
  // gradient-bucket pieces spreads that GEMM time over its pieces in both modes.
  // `after`: what the pass waits for. Returns the last collective node, for the pass's
  // next compute to wait on.
  std::optional<NodeId> add_tp_groups(int s, const std::vector<TpOverlapGroup>& groups, double scale, double share,
                                      std::initializer_list<std::optional<NodeId>> after, bool fold_hidden,
                                      double& hidden_work_s) {
    if (groups.empty()) {
      hidden_work_s = 0;
      return std::nullopt;
    }
    const std::vector<DeviceId>& grp = devices_of(CommGroup::kTp, s);
    // The same chunk's passes have the same groups: segment them once.
    auto [cached, fresh] = tp_segments_.try_emplace(std::tuple{&groups, scale, share});
    std::vector<TpSegment>& segments = cached->second;
    if (fresh) segments.resize(1);  // segments[0]: the hidden groups
    for (size_t g = 0; fresh && g < groups.size(); ++g) {
      const TpOverlapGroup& tg = groups[g];
      const double h = tg.hide_s * scale;
      const double c = estimate_seconds(tg.comm, grp, tg.repeat);
      const double work = h + eff_.comm_slowdown * std::min(c, h) + share * h;
      TpSegment& seg = c <= work ? segments[0] : segments.emplace_back();
      seg.work_s += work;
      auto same = [&](const ChunkComm& cc) {
        return cc.comm.kind == tg.comm.kind && cc.comm.phase == tg.comm.phase && cc.comm.bytes == tg.comm.bytes;
      };
      auto it = std::find_if(seg.comms.begin(), seg.comms.end(), same);
      if (it == seg.comms.end()) seg.comms.push_back({tg.comm, tg.repeat});
      else it->repeat += tg.repeat;
    }
    hidden_work_s = fold_hidden ? segments[0].work_s : 0;
    const Lanes& L = lanes_[s];
    std::optional<NodeId> prev_comm, prev_work = pass_end_[static_cast<size_t>(s)];
    for (size_t k = fold_hidden ? 1 : 0; k < segments.size(); ++k) {
      const TpSegment& seg = segments[k];
      if (seg.comms.empty()) continue;
      const NodeId work = g_.add_compute(L.compute, SimTime::seconds_ceil(seg.work_s));
      for (const std::optional<NodeId>& d : after)
        if (d) g_.add_dependency(*d, work);
      if (prev_comm) g_.add_dependency(*prev_comm, work);
      for (size_t k = 0; k < seg.comms.size(); ++k) {
        const NodeId comm = collective(L.tp, seg.comms[k].comm, grp, seg.comms[k].repeat, {});
        if (k == 0) {
          for (const std::optional<NodeId>& d : after)
            if (d) g_.add_dependency(*d, comm);
          if (prev_work) g_.add_dependency(*prev_work, comm);
        }
        prev_comm = comm;
      }
      prev_work = work;
    }
    return prev_comm;
  }

  // The order in which a pass runs DeepSpeed ZeRO-3's module slots: (slot, backward?).
  // Forward: the modules in order. Backward: under full recompute (two backward
  // gathers) the recomputed forward's modules in order, then every module's backward in
  // reverse; else only the backward.
  static std::vector<std::pair<int, bool>> zero3_order(const Zero3Modules& z, bool forward) {
    const int n = static_cast<int>(z.slots.size());
    std::vector<std::pair<int, bool>> order;
    if (forward || z.backward_gathers > 1)
      for (int k = 0; k < n; ++k) order.push_back({k, false});
    if (!forward)
      for (int k = n - 1; k >= 0; --k) order.push_back({k, true});
    return order;
  }
  static double zero3_slot_s(const Zero3Modules& z, int k, bool backward) {
    const Zero3Slot& sl = z.slots[static_cast<size_t>(k)];
    if (!backward) return sl.forward_s;
    return 2 * sl.forward_s + (z.backward_gathers > 1 ? 0 : sl.recompute_s);
  }
  // The compute of a pass's layers (of one micro-batch through the chunk).
  static double zero3_compute_s(const Zero3Modules& z, bool forward) {
    double t = 0;
    for (auto [k, bw] : zero3_order(z, forward)) t += zero3_slot_s(z, k, bw);
    return t * z.layers;
  }
  // kPerTensorSync under full recompute: which modules DeepSpeed keeps from their
  // recomputed forward to their backward. Between the two run the recomputed forwards and
  // the backwards of every later module of the layer, so module k is kept when
  // 2 x (their elements) < stage3_max_reuse_distance (the layer's last module always).
  static std::vector<bool> zero3_kept(const Zero3Modules& z) {
    std::vector<bool> kept(z.slots.size(), false);
    if (!z.per_tensor_sync || z.backward_gathers < 2) return kept;
    const double layer_elements = z.gather.bytes.value() / kWeightBytes;
    double later = 0;
    for (size_t k = z.slots.size(); k-- > 0;) {
      kept[k] = 2 * later < kZero3MaxReuseElements;
      later += z.slots[k].share * layer_elements;
    }
    return kept;
  }
  // A pass's slots, in its order, cut into prefetch bundles: consecutive modules until
  // their weights reach stage3_prefetch_bucket_size (5e7 elements per device; the
  // layer's last bundle may hold less). One bundle's gather runs under the bundle before.
  // A kept module's backward (zero3_kept) fetches nothing and its hook waits for nothing:
  // it runs in the bundle before it, whose prefetch runs under it too.
  static std::vector<Zero3Bundle> zero3_bundles(const Zero3Modules& z, bool forward) {
    const double layer_elements = z.gather.bytes.value() / kWeightBytes;
    const std::vector<bool> kept = forward ? std::vector<bool>(z.slots.size(), false) : zero3_kept(z);
    std::vector<Zero3Bundle> out;
    double elements = 0;
    for (auto [k, bw] : zero3_order(z, forward)) {
      const Zero3Slot& sl = z.slots[static_cast<size_t>(k)];
      const double share = sl.share;
      const bool keeps = kept[static_cast<size_t>(k)];
      if (bw && keeps && !out.empty()) {
        Zero3Bundle& b = out.back();
        b.compute_s += zero3_slot_s(z, k, bw);
        b.backward_share += share;
        b.backward_small += sl.small;
        b.backward_small_elements += sl.small_elements;
        ++b.backward_matrices;
        continue;
      }
      if (out.empty() || elements >= kZero3PrefetchElements) {
        out.push_back({});
        elements = 0;
      }
      Zero3Bundle& b = out.back();
      b.compute_s += zero3_slot_s(z, k, bw);
      b.share += share;
      b.small += sl.small;
      b.small_elements += sl.small_elements;
      if (bw) {
        b.backward_share += share;
        b.backward_small += sl.small;
        b.backward_small_elements += sl.small_elements;
        ++b.backward_matrices;
      }
      elements += share * layer_elements;
    }
    return out;
  }

  // DeepSpeed ZeRO-3 (v0.3.15, 2021-04, deepspeed/runtime/zero/stage3.py,
  // PartitionedParameterCoordinator): before each module the fetch hook waits for every
  // gather in flight and for the device (`_synchronize_communication`: the comm stream's
  // and torch.cuda.synchronize), then prefetches the next modules' weights up to
  // stage3_prefetch_bucket_size (5e7 elements: one matrix of a large model) but only when
  // no prefetch is in flight (`prefetch_next_sub_modules`); a backward's gradients are
  // reduce-scattered after the module's backward. So the gather of a module runs under the
  // compute of the module before it, and each slot takes
  //     max(compute_k, gather_{k+1} + scatter_{k-1})
  // A small module before a large one (the attention's output projection before the MLP's
  // up projection) exposes the difference, which a layer-wide overlap would hide. The
  // layers are identical, so a slot runs for all `layers` at once (the sum of the maxima
  // is the maximum of the sums); the gather that wraps to the next layer's first module
  // repeats layers - 1 times, as does the last slot's reduce-scatter, which runs under the
  // next layer's first slot. The first gather is exposed (first_deps), as is the last
  // layer's last reduce-scatter (`side`). Compute beside communication slows by
  // comm_slowdown.
  //
  // Zero3Fetch::kPerTensorSync (DeepSpeed v0.3.13 to v0.5.4): every parameter tensor is
  // its own NCCL call (partition_parameters.py: _allgather_param per tensor,
  // _reduce_scatter_gradient per tensor), and each gather is issued after
  // torch.cuda.synchronize(), which waits for everything the device has queued on any
  // stream (compute, earlier gathers, the reduce-scatters). So a slot runs
  //     slot_k = r_{k-1} + n_k x s_k + max(c_k', g_{k+1}),   c_k' = c_k + comm_slowdown x min(g_{k+1}, c_k)
  // with r_{k-1} the previous slot's reduce-scatters (its matrix and its n small tensors,
  // waited for by this slot's first synchronize), n_k x s_k the slot's small tensors
  // (bias, norms: gathered one after another, each after a synchronize; s_k the
  // tuner's time of one call of their mean size, latency-bound) and g_{k+1} the
  // next module's weight, the one gather issued last before the module's compute is
  // launched. The first gather and the last reduce-scatter are exposed as above.
  // Each of these calls passes PyTorch 1.8 a list of one view per rank (DeepSpeed's
  // `partitions` and `input_list`), and ProcessGroupNCCL (torch/lib/c10d/
  // ProcessGroupNCCL.cpp) runs the collective on a flat buffer and copies each rank's
  // chunk apart: out of it after an all-gather, into it before a reduce-scatter, one
  // copy_ launched from the host per rank, h = ranks x torch_copy_host_s per call. So:
  // a small tensor's gather takes max(s_k, h) (the launches run beside its NCCL
  // kernel); the prefetch's launches come before the host launches the slot's compute,
  // which then takes max(h + c_k', g_{k+1} + its copies); a slot's reduce-scatters'
  // launches run beside its compute and what they need beyond it, then the copies,
  // precede the calls. The copies read and write their tensor once in HBM. Modules kept
  // from their recomputed forward to their backward fetch nothing there (zero3_kept).
  // Not modelled: DeepSpeed's own loop of `narrow` views per rank (no measured cost), the
  // pass's first gather's launches, stage3_max_live_parameters (docs/models.md §5.4: its
  // count drifts down every step, so in a long run it stops holding prefetches back).
  NodeId add_zero3_modules(int s, const Zero3Modules& z, bool forward, double scale, NodeId after,
                           std::initializer_list<std::optional<NodeId>> first_deps, std::vector<NodeId>& side) {
    const Lanes& L = lanes_[s];
    const std::vector<Zero3Bundle> bundles = zero3_bundles(z, forward);
    const std::vector<DeviceId>& grp = devices_of(z.gather.group, s);
    auto part = [](const Comm& c, double share) {
      Comm m = c;
      m.bytes = engine::Bytes(c.bytes.value() * share);
      return m;
    };
    NodeId ready = collective(L.dp, part(z.gather, bundles.front().share), grp, 1, {});
    for (const std::optional<NodeId>& d : first_deps)
      if (d) g_.add_dependency(*d, ready);
    side.push_back(ready);
    NodeId prev = after;
    const bool scatters = !forward && z.scatter.group_size > 1;
    const bool sync = z.per_tensor_sync;
    // One call of `count` small tensors' mean size (`elements` in all), gather or
    // reduce-scatter (`c`: the layer's, whose bytes per element it keeps: FP32 gradients
    // are 4).
    const double layer_elements = z.gather.bytes.value() / kWeightBytes;
    auto small = [&](const Comm& c, double elements, int count) {
      Comm m = c;
      m.bytes = engine::Bytes(c.bytes.value() / layer_elements * elements / count);
      return m;
    };
    double scatter_s = 0;  // the previous slot's reduce-scatter, running under this one
    std::vector<NodeId> waited;  // kPerTensorSync: the previous slot's reduce-scatters
    // kPerTensorSync: PyTorch 1.8's list all-gather and reduce-scatter copy every rank's
    // chunk apart, one copy_ launched from the host per rank (OpEfficiency::
    // torch_copy_host_s each), and the copies move the whole tensor through HBM (read and
    // written once).
    const double list_host_s = z.gather.group_size * eff_.torch_copy_host_s;
    const double copy_rate = dev_.hbm_bandwidth.value() * eff_.memory;
    // Host time `host` (the device waits for it; reported as host_s), then the copies of
    // `bytes`, on `lane` after `deps`.
    auto host_then_copies = [&](uint32_t lane, double host, double bytes, std::initializer_list<NodeId> deps) {
      const SimTime h = SimTime::seconds_ceil(host);
      const NodeId wait = g_.add_compute(lane, h);
      for (NodeId d : deps) g_.add_dependency(d, wait);
      zero3_host_s_[static_cast<size_t>(s)] += h.to_seconds();
      const NodeId copies = g_.add_compute(lane, SimTime::seconds_ceil(2 * bytes / copy_rate));
      g_.add_dependency(wait, copies);
      return copies;
    };
    // The reduce-scatters of bundle `b`'s backward modules, `n` times, after `work`.
    // kPerTensorSync: each call's copy launches (before its NCCL call) run while the
    // device computes the slot; what they need beyond that compute, then the copies,
    // come before the reduce-scatters.
    auto scatter = [&](const Zero3Bundle& b, int n, NodeId work) {
      // kPerTensorSync: each matrix its own call (their mean size); else one.
      const int mats = sync ? std::max(1, b.backward_matrices) : 1;
      const Comm rs = part(z.scatter, b.backward_share / mats);
      const auto rs_small = [&] { return small(z.scatter, b.backward_small_elements, b.backward_small); };
      NodeId start = work;
      if (sync) {
        const double calls = double(n) * (mats + b.backward_small);
        const double small_bytes = b.backward_small > 0 ? b.backward_small * rs_small().bytes.value() : 0;
        start = host_then_copies(L.dp, std::max(0.0, calls * list_host_s - b.compute_s * n * scale),
                                 n * (mats * rs.bytes.value() + small_bytes), {work});
      }
      const NodeId r = collective(L.dp, rs, grp, n * mats, {start});
      side.push_back(r);
      if (!sync) {
        scatter_s = estimate_seconds(rs, grp, n);
        return;
      }
      waited.push_back(r);
      if (b.backward_small > 0) {
        const NodeId rs_s = collective(L.dp, rs_small(), grp, b.backward_small * n, {r});
        side.push_back(rs_s);
        waited.push_back(rs_s);
      }
    };
    for (size_t j = 0; j < bundles.size(); ++j) {
      const Zero3Bundle& b = bundles[j];
      // This slot's prefetch: the next bundle, or (last slot) the next layer's first.
      const bool wrap = j + 1 == bundles.size();
      const double next = wrap ? bundles.front().share : bundles[j + 1].share;
      const int repeat = wrap ? z.layers - 1 : z.layers;
      // The last slot's reduce-scatter runs under the next layer's first slot (all but the
      // last layer's, which is exposed after the pass).
      if (j == 0 && scatters && z.layers > 1 && bundles.back().backward_share > 0) scatter(bundles.back(), z.layers - 1, prev);
      // kPerTensorSync: the slot waits for the previous reduce-scatters, then gathers its
      // small tensors one by one, exposed.
      std::vector<NodeId> before = {ready, prev};
      if (sync) {
        before.insert(before.end(), waited.begin(), waited.end());
        waited.clear();
        if (b.small > 0) {
          const Comm sg = small(z.gather, b.small_elements, b.small);
          const int calls = b.small * z.layers;
          const NodeId n = collective(L.dp, sg, grp, calls, {});
          for (NodeId d : before) g_.add_dependency(d, n);
          side.push_back(n);
          before.push_back(n);
          // Each call's copy launches run beside its NCCL kernel: their excess is exposed.
          before.push_back(host_then_copies(L.compute, calls * std::max(0.0, list_host_s - estimate_seconds(sg, grp, 1)),
                                            calls * sg.bytes.value(), {n}));
        }
      }
      std::optional<NodeId> fetch;
      std::optional<NodeId> launches;  // kPerTensorSync: the fetch's copy launches
      double comm_s = scatter_s;
      if (repeat > 0) {
        const Comm g = part(z.gather, next);
        fetch = collective(L.dp, g, grp, repeat, {});
        for (NodeId d : before) g_.add_dependency(d, *fetch);
        comm_s += estimate_seconds(g, grp, repeat);
        side.push_back(*fetch);
        if (sync) {
          // The host launches the fetch's copies (beside its NCCL kernel) before it
          // launches this slot's compute; the copies run after the kernel, on its stream.
          const SimTime h = SimTime::seconds_ceil(repeat * list_host_s);
          launches = g_.add_compute(L.compute, h);
          for (NodeId d : before) g_.add_dependency(d, *launches);
          zero3_host_s_[static_cast<size_t>(s)] += h.to_seconds();
          fetch = g_.add_compute(L.dp, SimTime::seconds_ceil(2 * repeat * g.bytes.value() / copy_rate));
          side.push_back(*fetch);
        }
      }
      const double c = b.compute_s * z.layers * scale;
      const NodeId work = g_.add_compute(L.compute, SimTime::seconds_ceil(c + eff_.comm_slowdown * std::min(comm_s, c)));
      for (NodeId d : before) g_.add_dependency(d, work);
      if (launches) g_.add_dependency(*launches, work);
      scatter_s = 0;
      if (scatters && b.backward_share > 0) scatter(b, wrap ? 1 : z.layers, work);
      prev = work;
      if (fetch) ready = *fetch;
    }
    return prev;
  }

  // One pass (forward or backward of one micro-batch through one chunk) on stage s.
  // Overlapped collectives start with the pass and the pass's end waits for them:
  //  - ZeRO-3 gathers and reduce-scatters (DP lane) work layer by layer: the pass's
  //    first gather runs before its compute (no earlier layer to prefetch it under),
  //    the backward's last reduce-scatter after it (no later layer to hide it);
  //  - ring-attention KV blocks (CP lane) hide only under the attention core they feed
  //    (Liu et al. 2023 §3: block k's transfer overlaps block k-1's attention), so the
  //    pass runs its other compute, then its attention beside the ring: the ring's
  //    excess over the attention is exposed.
  // Compute runs slower by eff.comm_slowdown while a collective shares the device
  // (efficiency.h): by comm_slowdown x min(overlapped comm, the compute beside it).
  // `deferred_s`: of a backward, the weight gradient left for later (DualPipe's W).
  NodeId add_pass(int s, const ChunkTiming& ct, const Slot& slot, std::optional<NodeId> recv,
                  std::vector<NodeId>* buckets, const StageWork& work, double deferred_s = 0) {
    const Lanes& L = lanes_[s];
    const auto& overlap = slot.forward ? ct.fw_overlap : ct.bw_overlap;
    const auto& block = slot.forward ? ct.fw_blocking : ct.bw_blocking;
    std::vector<NodeId> side;
    auto group_of = [&](const Comm& c) {
      std::vector<DeviceId> grp = devices_of(c.group, s);
      if (c.op == CollectiveOp::kSendRecv) grp = {grp[0], grp[1 % grp.size()]};
      return grp;
    };
    // ZeRO-3's layer gather (the chunk's most frequent one) and, in backward, its
    // gradient reduce-scatter: one of each is exposed.
    const ChunkComm* gather = nullptr;
    const ChunkComm* scatter = nullptr;
    std::vector<const ChunkComm*> ring;
    for (const ChunkComm& cc : overlap) {
      if (cc.comm.kind == CommKind::kDpParamAllGather && (!gather || cc.repeat > gather->repeat)) gather = &cc;
      if (cc.comm.kind == CommKind::kDpGradReduceScatter && (!scatter || cc.repeat > scatter->repeat)) scatter = &cc;
      if (cc.comm.kind == CommKind::kCpRingKv) ring.push_back(&cc);
    }
    auto start = [&](const ChunkComm& cc, int repeat, std::optional<NodeId> after) {
      const uint32_t lane = cc.comm.group == CommGroup::kCp ? L.cp : L.dp;
      const NodeId n = collective(lane, cc.comm, group_of(cc.comm), repeat, {});
      if (recv) g_.add_dependency(*recv, n);
      if (after) g_.add_dependency(*after, n);
      side.push_back(n);
      return n;
    };
    // A forward's first gather starts with the pass (no hook runs earlier); a backward's
    // first layer is the forward's last, whose gather may run as soon as the DP lane is
    // free (torchtitan keeps the last block unsharded after forward; FSDP and DeepSpeed
    // prefetch in backward).
    std::optional<NodeId> first_gather;
    if (gather) first_gather = start(*gather, 1, slot.forward ? pass_end_[static_cast<size_t>(s)] : std::nullopt);
    double dp_overlapped_s = 0, ring_s = 0;
    for (const ChunkComm& cc : overlap) {
      const int repeat = cc.repeat - ((&cc == gather || &cc == scatter) ? 1 : 0);
      if (repeat <= 0 || cc.comm.kind == CommKind::kCpRingKv) continue;
      start(cc, repeat, std::nullopt);
      dp_overlapped_s += estimate_seconds(cc.comm, group_of(cc.comm), repeat);
    }
    for (const ChunkComm* cc : ring) ring_s += estimate_seconds(cc->comm, group_of(cc->comm), cc->repeat);
    const double total = (slot.forward ? ct.forward_s : ct.backward_s) - deferred_s;
    // With a ring, the attention core runs last, beside it.
    const double attention = ring.empty() ? 0 : (slot.forward ? ct.attention_fw_s : ct.attention_bw_s);
    // TP collectives beside their GEMMs run first, group by group (a DualPipe backward
    // whose weight gradients are deferred has less GEMM time to hide them: scaled).
    const auto& tp_groups = slot.forward ? ct.fw_tp_overlap : ct.bw_tp_overlap;
    double hide = 0;
    for (const TpOverlapGroup& tg : tp_groups) hide += tg.hide_s;
    const double hide_scale = hide > 0 ? std::min(1.0, std::max(0.0, total - attention) / hide) : 0;
    hide *= hide_scale;
    const double rest_share = total > 0 ? (total - attention - hide) / total : 1;
    const double slowdown = eff_.comm_slowdown * std::min(dp_overlapped_s, total);
    double hidden_tp_s = 0;  // TP groups run as part of the rest (add_tp_groups)
    const bool fold = buckets != nullptr || (o_.mode == engine::CommMode::kAnalytical && o_.observer == nullptr);
    std::optional<NodeId> tp_last = add_tp_groups(s, tp_groups, hide_scale, total > 0 ? slowdown / total : 0,
                                                  {recv, first_gather}, fold, hidden_tp_s);
    double rest = total - attention - hide + hidden_tp_s;
    // DeepSpeed ZeRO-3's layers run module by module after the rest (add_zero3_modules).
    double zero3_scale = 0;
    if (ct.zero3) {
      const double layers_s = zero3_compute_s(*ct.zero3, slot.forward);
      zero3_scale = layers_s > 0 ? std::min(1.0, std::max(0.0, rest) / layers_s) : 0;
      rest = std::max(0.0, rest - layers_s * zero3_scale);
    }
    const int pieces = buckets ? std::max(1, std::min(o_.dp_buckets, std::max(ct.layers, 1))) : 1;
    NodeId last{};
    double bucket_s = 0;  // the previous piece's gradient reduction, running under this piece
    for (int k = 0; k < pieces; ++k) {
      const double piece = rest / pieces;
      const double shared = slowdown * rest_share / pieces + eff_.comm_slowdown * std::min(bucket_s, piece);
      last = g_.add_compute(L.compute, SimTime::seconds_ceil(piece + shared));
      if (k == 0 && recv) g_.add_dependency(*recv, last);
      if (k == 0 && first_gather) g_.add_dependency(*first_gather, last);
      if (k == 0 && tp_last) g_.add_dependency(*tp_last, last);
      bucket_s = 0;
      if (buckets) {
        // This piece's share of the stage's gradient reduction (all chunks together make
        // the whole of step_comms).
        for (const Comm& c : work.step_comms) {
          if (c.kind == CommKind::kDpParamAllGather) continue;
          Comm share = c;
          share.bytes = c.bytes / (double(pieces) * double(p_.chunks_per_device()));
          const std::vector<DeviceId>& grp = devices_of(c.group, s);
          bucket_s += estimate_seconds(share, grp, c.count);
          buckets->push_back(collective(L.dp, share, grp, c.count, {last}));
        }
      }
    }
    if (ct.zero3)
      last = add_zero3_modules(s, *ct.zero3, slot.forward, zero3_scale, last,
                               {recv, slot.forward ? pass_end_[static_cast<size_t>(s)] : std::nullopt}, side);
    if (!ring.empty()) {
      const NodeId before = last;
      for (const ChunkComm* cc : ring) start(*cc, cc->repeat, before);
      const double shared = (total > 0 ? slowdown * attention / total : 0) +
                            eff_.comm_slowdown * std::min(ring_s + bucket_s, attention);
      last = g_.add_compute(L.compute, SimTime::seconds_ceil(attention + shared));
    }
    if (scatter) side.push_back(collective(L.dp, scatter->comm, group_of(scatter->comm), 1, {last}));
    for (const ChunkComm& cc : block) last = collective(L.compute, cc.comm, devices_of(cc.comm.group, s), cc.repeat, {});
    if (!side.empty()) {
      // A zero-length join keeps the lane order: the next pass starts after both.
      const NodeId join = g_.add_compute(L.compute, SimTime::zero());
      for (NodeId n : side) g_.add_dependency(n, join);
      last = join;
    }
    pass_end_[static_cast<size_t>(s)] = last;
    return last;
  }

  // The observer's description of a collective added on `lane` (its stage's).
  StepCollective observed(uint32_t lane, const Comm& c, const std::vector<DeviceId>& group, engine::Algorithm alg,
                          int count) {
    if (rank_.empty())
      for (uint32_t r = 0; r < placement_.size(); ++r) rank_.emplace(engine::index(placement_[r]), r);
    int stage = 0;
    for (size_t s = 0; s < lanes_.size(); ++s) {
      const Lanes& l = lanes_[s];
      if (lane == l.compute || lane == l.dp || lane == l.cp || lane == l.pp || lane == l.overlap || lane == l.tp)
        stage = static_cast<int>(s);
    }
    StepGroup g{.kind = c.group, .stage = stage, .ranks = {}};
    for (DeviceId d : group) g.ranks.push_back(rank_.at(engine::index(d)));
    auto [it, fresh] = group_index_.try_emplace(std::tuple{int(g.kind), stage, g.ranks}, uint32_t(groups_.size()));
    if (fresh) groups_.push_back(std::move(g));
    return {.id = next_observed_++, .group = it->second, .kind = c.kind, .phase = c.phase, .op = c.op,
            .algorithm = alg, .bytes = c.bytes.value(), .count = count, .start = {}, .end = {}};
  }

  // Whether every pair of `g` (more than two devices) has a direct link, as in the
  // Atlas 800T A2's HCCS full mesh; cached per group.

  const TrainingJob& job_;
  const Plan& p_;
  std::span<const DeviceId> placement_;
  const engine::DeviceSpec& dev_;
  const engine::Fabric& fabric_;
  const StepOptions& o_;
  const OpEfficiency& eff_;
  engine::OpGraph g_;
  std::vector<Lanes> lanes_;
  std::vector<std::vector<ChunkTiming>> timing_;
  std::array<bool, kCommClasses> crossing_{};
  std::map<std::pair<int, int>, std::vector<DeviceId>> devices_;  // devices_of, by (CommGroup, stage)
  std::unordered_map<uint64_t, Collective> tuned_;  // by a hash of variant, bytes, group, op
  std::map<uint64_t, double> estimates_;  // estimate_seconds, per repeat
  // add_tp_groups: a pass's TP groups as segments, by (its chunk's groups, scale, share).
  struct TpSegment {
    double work_s = 0;
    std::vector<ChunkComm> comms;
  };
  std::map<std::tuple<const std::vector<TpOverlapGroup>*, double, double>, std::vector<TpSegment>> tp_segments_;
  std::vector<std::optional<NodeId>> pass_end_;  // per stage: the last pass's end on its compute lane
  std::vector<std::optional<NodeId>> gathered_;  // per stage: SHARD_GRAD_OP's gather for the next pass
  std::vector<double> zero3_host_s_;  // per stage: host time of add_zero3_modules' nodes
  // Observed steps only.
  std::map<uint32_t, StepCollective> observed_;  // by node
  std::vector<StepGroup> groups_;
  std::map<std::tuple<int, int, std::vector<uint32_t>>, uint32_t> group_index_;
  std::map<uint32_t, uint32_t> rank_;  // device -> rank
  uint32_t next_observed_ = 0;
};

// Forwards a graph run's collectives and flows to a StepObserver, as step_observer.h
// describes them.
class ObserverAdapter final : public engine::GraphObserver {
 public:
  ObserverAdapter(const GraphBuilder& b, StepObserver& o) : b_(b), o_(o) {}
  bool wants_flows() const override { return o_.wants_flows(); }
  void collective_finished(NodeId n, SimTime start, SimTime end) override {
    const StepCollective* c = b_.observed(n);
    PODSIM_CHECK(c != nullptr, "step model: a collective node without its description");
    StepCollective out = *c;
    out.start = start;
    out.end = end;
    o_.collective(out);
  }
  void flow_finished(NodeId n, const engine::FinishedFlow& f) override {
    const StepCollective* c = b_.observed(n);
    PODSIM_CHECK(c != nullptr, "step model: a flow of a collective node without its description");
    o_.flow({.collective = c->id, .src = b_.rank_of(f.src), .dst = b_.rank_of(f.dst), .bytes = f.bytes.value(),
             .start = f.start, .end = f.end});
  }

 private:
  const GraphBuilder& b_;
  StepObserver& o_;
};

}  // namespace

namespace {

// The timeline part of a result: step, breakdown, flows. `micro_batches`: of the real
// step, for the observer (`job` may be a shorter one).
StepResult simulate_once(const TrainingJob& job, std::span<const DeviceId> placement, const engine::DeviceSpec& device,
                         const engine::Fabric& fabric, const StepOptions& options, const OpEfficiency& eff,
                         int micro_batches) {
  const Plan& p = job.plan;
  GraphBuilder builder(job, placement, device, fabric, options, eff);
  builder.build();
  std::optional<ObserverAdapter> adapter;
  if (options.observer) {
    adapter.emplace(builder, *options.observer);
    options.observer->step_begins({.micro_batches = micro_batches, .traced_micro_batches = p.micro_batches(),
                                   .stages = p.pp, .groups = builder.observed_groups()});
  }
  const engine::GraphRun run = engine::run_graph(
      builder.graph(), fabric,
      {.mode = options.mode, .network = options.network, .observer = adapter ? &*adapter : nullptr,
       .memo = options.memo});
  if (options.observer) options.observer->step_ends(run.makespan);
  StepResult r;
  r.step_s = run.makespan.to_seconds();
  r.flows = run.flows;
  r.graph_nodes = builder.graph().node_count();
  r.crosses_domains = builder.crossing();
  int busiest = 0;
  for (int s = 1; s < p.pp; ++s)
    if (builder.stage_compute_s(s) > builder.stage_compute_s(busiest)) busiest = s;
  const std::vector<uint32_t> lanes = builder.stage_lanes(busiest);
  const engine::LaneBreakdown bd = engine::breakdown(builder.graph(), run, lanes, kCommClasses);
  // The host overhead runs on the compute lane (the device waits for the host there):
  // reported apart from compute.
  r.host_s = builder.stage_host_s(busiest);
  r.offload_s = builder.stage_offload_s(busiest);
  r.compute_s = bd.compute.to_seconds() - r.host_s - r.offload_s;
  for (size_t k = 0; k < kCommClasses; ++k) r.exposed_s[k] = bd.exposed[k].to_seconds();
  r.bubble_s = bd.idle.to_seconds();
  return r;
}

// a + (b - a) x t, field by field, for the linear extrapolation in micro-batches.
StepResult extrapolate(const StepResult& a, const StepResult& b, double t) {
  auto lerp = [t](double x, double y) { return x + (y - x) * t; };
  StepResult r = b;
  r.step_s = lerp(a.step_s, b.step_s);
  r.compute_s = lerp(a.compute_s, b.compute_s);
  r.host_s = lerp(a.host_s, b.host_s);
  r.offload_s = lerp(a.offload_s, b.offload_s);
  r.bubble_s = lerp(a.bubble_s, b.bubble_s);
  for (size_t k = 0; k < kCommClasses; ++k) r.exposed_s[k] = lerp(a.exposed_s[k], b.exposed_s[k]);
  r.flows = a.flows + b.flows;
  r.graph_nodes = a.graph_nodes + b.graph_nodes;
  return r;
}

}  // namespace

StepResult simulate_step(const TrainingJob& job, std::span<const DeviceId> placement, const engine::DeviceSpec& device,
                         const engine::Fabric& fabric, const StepOptions& options) {
  const Plan& p = job.plan;
  if (placement.size() != static_cast<size_t>(p.devices()))
    throw std::invalid_argument(fmt::format("simulate_step: placement has {} devices, the plan needs {}",
                                            placement.size(), p.devices()));
  if (auto problem = offload_problem(p, device)) throw UserError(*problem);
  if (auto problem = fp8_recipe_problem(p, device)) throw UserError(fmt::format("plan.fp8_recipe: {}", *problem));
  const OpEfficiency eff = options.efficiency ? *options.efficiency : default_efficiency(device);
  const int m = p.micro_batches();
  // Past the warm-up every further micro-batch adds the same steady-state time (the
  // schedule repeats), so a long step is two short ones extrapolated: m1 and m2 = 2 m1
  // micro-batches, both multiples of pp, step(m) = step(m1) + (m - m1) (step(m2) -
  // step(m1)) / (m2 - m1). Exact for the schedule; a test checks it against the full run.
  const int m1 = std::max(2, options.max_micro_batches / 2 / p.pp) * p.pp;
  StepResult r;
  if (options.max_micro_batches > 0 && m > 2 * m1) {
    TrainingJob short_job = job;
    short_job.plan.global_batch = m1 * p.dp * p.micro_batch;
    StepOptions unobserved = options;  // the longer of the two is observed (step_observer.h)
    unobserved.observer = nullptr;
    const StepResult a = simulate_once(short_job, placement, device, fabric, unobserved, eff, m);
    short_job.plan.global_batch = 2 * m1 * p.dp * p.micro_batch;
    const StepResult b = simulate_once(short_job, placement, device, fabric, options, eff, m);
    r = extrapolate(a, b, double(m - m1) / m1);
  } else {
    r = simulate_once(job, placement, device, fabric, options, eff, m);
  }

  const double samples = p.global_batch;
  r.samples_per_s = samples / r.step_s;
  r.tokens_per_s = r.samples_per_s * job.model.seq_len;
  const engine::FlopRate peak = *device.peak(p.precision);
  const double model_flops = model_flops_per_sample(job.model) * samples;
  r.mfu = mfu(model_flops, r.step_s, p.devices(), peak);
  r.model_tflops_per_device = model_flops / r.step_s / p.devices() / 1e12;
  r.hw_tflops_per_device = hardware_flops_per_sample(job.model, p.recompute_policy()) * samples / r.step_s / p.devices() / 1e12;

  // The bottleneck: the largest share of the busiest device's step.
  double worst = r.compute_s;
  r.bottleneck = "compute";
  if (r.bubble_s > worst) {
    worst = r.bubble_s;
    r.bottleneck = "pipeline bubble";
  }
  if (r.host_s > worst) {
    worst = r.host_s;
    r.bottleneck = "host overhead";
  }
  if (r.offload_s > worst) {
    worst = r.offload_s;
    r.bottleneck = "activation offload";
  }
  for (size_t k = 0; k < kCommClasses; ++k) {
    if (r.exposed_s[k] > worst) {
      worst = r.exposed_s[k];
      r.bottleneck = fmt::format("{} comm ({})", to_string(static_cast<CommClass>(k)),
                                 r.crosses_domains[k] ? "scale-out" : "scale-up");
    }
  }
  r.steps = job.steps();
  r.time_to_train_s = static_cast<double>(r.steps) * r.step_s;
  if (options.watts_per_device) r.energy_j = r.time_to_train_s * p.devices() * *options.watts_per_device;
  return r;
}

}  // namespace podsim::workloads
