#pragma once
// Plan: how a training job is cut across devices, and what that cut costs per device:
// the ops of each pipeline stage (per device, per micro-batch), the collectives they
// issue, and the pipeline bubble.
//
// devices = tp x pp x cp x dp. EP is carved out of DP (ep divides dp): the routed
// experts of a MoE layer are spread over ep ranks of one DP group, and each expert is
// replicated dp x cp / ep times (its own "expert data parallel" group); dense weights
// are replicated dp x cp times (CP ranks hold the same weights, as in Megatron-Core).
//
// Collectives per micro-batch (S = per-rank buffer, nccl-tests convention; a = act.
// bytes (BF16), T = b s / cp tokens on a device, h = hidden):
//   TP, no SP   per layer: 2 all-reduce of T h a forward, 2 backward (+1 each for DiT
//               cross-attention; 1 each for a parallel block, whose attention and MLP
//               partial sums are added before one all-reduce: Chowdhery et al. 2022
//               §2, MegaScale §3.1); full recompute repeats the forward ones in backward
//   TP + SP     the same as all-gather + reduce-scatter pairs (same bytes on the wire;
//               Korthikanti et al. 2022 §4.2.2)
//   EP          per MoE layer: dispatch + combine all-to-all of (T/tp) top_k h bytes,
//               forward and again backward (dispatch in the GEMM operand precision:
//               FP8 halves it, as DeepSeek-V3 §3.3 does)
//   CP ring     per layer: cp-1 KV blocks sent forward, 2(cp-1) (KV and dKV) backward
//               (Liu et al. 2023, Ring Attention; Megatron-Core context parallel)
//   CP Ulysses  per layer: all-to-all of Q,K,V and of O, forward and backward
//               (Jacobs et al. 2023, DeepSpeed-Ulysses)
//   CP all-gather per layer: all-gather of K,V forward; backward all-gathers them
//               again and reduce-scatters dK,dV (Dubey et al. 2024 §3.3.2; TE's
//               AttnFuncWithCPAndKVAllGather keeps only the local K,V)
//   PP          per chunk boundary: T h a (/tp under SP) forward, the same backward
//   DP          per step: gradient all-reduce (ZeRO 0), reduce-scatter + all-gather of
//               the updated weights (ZeRO 1/2); ZeRO-3/FSDP: per layer and micro-batch,
//               all-gather of the weights forward and backward, reduce-scatter of the
//               gradients backward (Rajbhandari et al. 2020 §5, §7)
//
// Precision MXFP8 (OCP Microscaling, block-scaled FP8): GEMMs at the device's FP8 peak
// (Blackwell only, DeviceSpec::mxfp8), at OpEfficiency::gemm_at(kMXFP8); what is kept or
// sent in FP8 (the FP8 activation cache, the MoE dispatch) carries 1 + 1/32 bytes per
// element, the block scales included.
//
// Pipeline bubble (Narayanan et al. SC21 §2.2): with p stages and m micro-batches the
// bubble is (p-1)/m of the ideal step time for 1F1B, (p-1)/(v m) for the interleaved
// schedule with v model chunks per device.
//
// DualPipe (DeepSeek-V3 report §3.2.1 and Table 2; deepseek-ai/DualPipe): the model is
// cut in pp stages and every device holds two of them, stage s and stage pp-1-s, so
// that half the micro-batches enter at device 0 and run "forward" and the other half
// enter at device pp-1 and run the other way. Each device holds 2x the parameters of a
// 1F1B stage; the middle of the schedule runs a forward of one direction and a
// backward of the other as one overlapped pair (F&B), each hiding the other's
// communication, and ends by filling the drain with deferred weight gradients (W,
// zero-bubble). Bubble (PP/2 - 1)(F&B + B - 3W), PP + 1 micro-batches' activations in
// flight. Needs pp even and an even number of micro-batches, at least 2 pp (the
// reference implementation's step() asserts both).
#include <optional>
#include <string>
#include <vector>

#include "engine/device.h"
#include "workloads/accounting.h"
#include "workloads/efficiency.h"
#include "workloads/model.h"

namespace podsim::workloads {

enum class PipelineSchedule { k1F1B, kInterleaved, kDualPipe };
// FSDP = full shard (ZeRO-3). kFsdpShardGradOp: PyTorch FSDP's SHARD_GRAD_OP, gradients
// and optimizer states sharded, weights gathered before each forward and freed after
// the backward (kept between them); Llama 3's FSDP (Dubey et al. 2024 §3.3.2).
enum class DataSharding { kNone, kZero1, kZero2, kZero3, kFsdp, kFsdpShardGradOp };
// Context parallelism: ring attention (KV blocks passed round the ring, hidden under
// attention), DeepSpeed-Ulysses (all-to-all of Q, K, V, O) or all-gather (K and V
// gathered whole before attention, as Llama 3 trains; its gradients reduce-scattered).
enum class CpAlgorithm { kRing, kUlysses, kAllGather };
// The attention kernel class (efficiency.h): cuDNN fused / FlashAttention-3 class, or
// FlashAttention-2 (PyTorch SDPA's flash backend).
enum class AttentionKernel { kFused, kFlashAttention2 };
// How DeepSpeed ZeRO-3 (DataSharding::kZero3) fetches weights (docs/models.md §5.4,
// "DeepSpeed ZeRO-3 tensor by tensor"). kPrefetch: module by module, the next modules'
// weights gathered under the current module's compute. kPerTensorSync: the same hooks,
// but every parameter tensor (weight, bias, norm) gathered and its gradient
// reduce-scattered by its own NCCL call, each gather issued after a device-wide
// synchronize, so only the weight prefetched last runs beside compute (DeepSpeed
// v0.3.13 to v0.5.4, 2021: partition_parameters.py _allgather_param calls
// torch.cuda.synchronize() before each all_gather; DeepSpeed PR #1188, 2021-10: "the
// async version is not async at all").
enum class Zero3Fetch { kPrefetch, kPerTensorSync };
const char* to_string(PipelineSchedule s);
const char* to_string(DataSharding s);
const char* to_string(CpAlgorithm a);
const char* to_string(AttentionKernel k);

// CUDA graphs (Megatron-Core --cuda-graph-impl/--cuda-graph-scope): none (eager), the
// static parts of each layer (attention, MoE router and EP preprocess, shared experts:
// scope attn moe_router moe_preprocess), or the whole step (drop-and-pad or sync-free MoE).
enum class CudaGraphs { kNone, kStaticParts, kFull };
const char* to_string(CudaGraphs g);

// How the framework overlaps tensor-parallel communication with the GEMMs beside it
// (docs/models.md §5.4, step_model.h):
//  - kNone: every TP collective blocks (Megatron-LM before September 2021, e.g. the SC21
//    paper's runs: the asynchronous all-reduce came with commit b462d2545d, 2021-09-07).
//  - kBackward: Megatron-Core's LinearWithGradAccumulationAndAsyncCommunication and
//    Transformer Engine's Linear: in backward, a column-parallel linear's input-gradient
//    all-reduce (no SP) or reduce-scatter (SP) runs under its weight-gradient GEMM, and
//    with SP the re-gather of its saved input (for that weight gradient) under its
//    input-gradient GEMM (Megatron-LM since 2021-09 without SP, since 2022-05 with SP).
//  - kUserbuffers: Transformer Engine's userbuffers (`tp_comm_overlap`, needs SP): also
//    the forward's all-gather and reduce-scatter, and the backward's gradient all-gather,
//    run chunk by chunk (ring exchange) under the GEMM they feed or follow.
enum class TpOverlap { kNone, kBackward, kUserbuffers };
const char* to_string(TpOverlap o);

// How Transformer Engine's userbuffers run one row-parallel forward GEMM and its
// reduce-scatter (the `proj_fprop` and `fc2_fprop` entries of a userbuffers config:
// `num_sm`, `set_sm_margin`, `method`, `num_splits`; docs/models.md §5.4):
//  - reserved_sms: with `set_sm_margin`, the GEMM runs on the device's SMs minus the
//    communication kernel's `num_sm` (TE comm_gemm_overlap.cpp: _math_sms = sm_count -
//    num_comm_sm), 0: all of them.
//  - splits: `method: pipeline` cuts the GEMM into `num_splits` chunks, each chunk's
//    reduce-scatter under the next chunk, the last one alone; 0: `ring_exchange`, tp
//    chunks.
struct UserbuffersGemm {
  int reserved_sms = 0;
  int splits = 0;

  bool set() const { return reserved_sms > 0 || splits > 0; }
};

// GEMM operand bytes of a precision: 1 for FP8, MXFP8, INT8 and NVFP4 (the low
// precisions), else 2.
int operand_bytes(engine::Precision precision);

struct Plan {
  int tp = 1;
  int pp = 1;
  int dp = 1;
  int cp = 1;
  int ep = 1;
  bool sequence_parallel = false;
  PipelineSchedule schedule = PipelineSchedule::k1F1B;
  int virtual_stages = 1;  // model chunks per device; > 1 only with kInterleaved (kDualPipe: 1, two stages)
  // Layers need not divide pp x virtual_stages: the spare layers go to the middle
  // chunks, so the first and last stages (embedding, head) get fewer (Llama 3 405B:
  // 126 layers on 16 stages, Dubey et al. 2024 §3.3.2). pp x virtual_stages may exceed
  // the layers by up to 2: the first chunk then holds only the embedding and the last
  // only the head (Llama 3's 128 one-layer chunks on PP16, §3.3.2: "the first model
  // chunk on the first stage has only the embedding, and the last model chunk on the
  // last stage has only output projection and loss calculation").
  bool allow_uneven_stages = false;
  DataSharding sharding = DataSharding::kNone;
  Recompute recompute = Recompute::kNone;
  CpAlgorithm cp_algorithm = CpAlgorithm::kRing;
  int micro_batch = 1;   // samples per micro-batch
  int global_batch = 1;  // samples per step
  engine::Precision precision = engine::Precision::kBF16;
  // FlashAttention keeps no s x s score matrix: it recomputes it in backward (its
  // FLOPs are not counted as recompute, matching the published conventions).
  bool flash_attention = true;
  // Which flash kernel runs the attention core (only with flash_attention).
  AttentionKernel attention_kernel = AttentionKernel::kFused;
  // Gradients accumulated and reduced in FP32 (Megatron's default main grads) instead
  // of BF16 (the ZeRO paper's 2 bytes per parameter).
  bool fp32_gradients = false;
  // With recompute kSelective: the recomputed modules (accounting.h); empty: the
  // attention core, Megatron's default.
  std::vector<RecomputeModule> recompute_modules;
  // What the framework replays from CUDA graphs, which decides the MoE host overhead
  // (OpEfficiency::moe_host_s and moe_host_static_graphs_s; kFull: none).
  CudaGraphs cuda_graphs = CudaGraphs::kNone;
  // TP communication overlap (above). Default: Megatron-Core's and Transformer Engine's
  // backward overlap, which every Megatron-based framework since 2022 runs.
  TpOverlap tp_overlap = TpOverlap::kBackward;
  // Data-parallel gradients reduced in buckets under the last backward (PyTorch DDP,
  // Megatron-Core's overlap_grad_reduce, NeMo and MLPerf configs), or after the whole
  // backward (false): Megatron-LM's own DDP did so until --overlap-grad-reduce (opt-in)
  // came in 2023-09, in `train_step` (allreduce_gradients, 2021; reduce_model_grads, 2023).
  bool overlap_grad_reduce = true;
  // With kUserbuffers: the attention output projection's (proj_fprop, also the DiT
  // cross-attention's) and the second MLP linear's (fc2_fprop, also shared experts').
  UserbuffersGemm ub_proj_fprop, ub_fc2_fprop;
  // Host time exposed per MoE layer per micro-batch, overriding the above; nullopt:
  // the device type's figure for cuda_graphs.
  std::optional<double> moe_host_overhead_s;
  // How stored activations are kept (memory.h). FP8 activation caching: each linear
  // layer keeps the low-precision copy of its input it made for the forward GEMM, for
  // the weight gradient, instead of the BF16 tensor. Unset: what the library does, which
  // is fp8_activation_cache_on() (Transformer Engine keeps the quantized copy for FP8,
  // MXFP8 and NVFP4; INT8 runs no TE path). true needs 1-byte GEMM operands; false keeps
  // BF16 inputs (a framework that casts inside its GEMM only).
  std::optional<bool> fp8_activation_cache;
  // SwiGLU keeps its input (gate and up) for backward as FP8 E4M3, 1 byte per element
  // instead of 2, cast back before its backward (Megatron-Core's
  // activation_func_fp8_input_store; DeepSeek-V3 report §3.3.3, which caches the MoE
  // SwiGLU inputs in FP8). Any precision; needs a SwiGLU MLP. memory.h.
  bool fp8_swiglu_input_store = false;
  // With full recompute and TP without SP: each TP rank keeps 1/tp of the saved layer
  // input and the backward all-gathers it before recomputing (Megatron-LM's
  // --distribute-saved-activations, DeepSpeed's partition_activations).
  bool distribute_saved_activations = false;
  // Activation offload: of each model chunk's layers, this fraction (rounded to whole
  // layers, the first ones: their activations wait longest for backward) keep their
  // saved activations in host memory: written out over the device's host link during
  // forward, fetched back for backward (Transformer Engine's CPU offload of num_layers
  // layers; Megatron-Core's activation offloading). 0: none, 1: all. memory.h.
  double activation_offload = 0;
  // With sharding kZero3: how DeepSpeed fetches weights (Zero3Fetch above).
  Zero3Fetch zero3_fetch = Zero3Fetch::kPrefetch;
  // With precision kFP8: how Transformer Engine scales the FP8 tensors, which decides
  // the bytes of its casts (fp8_casts.h). Default delayed scaling (TE's DelayedScaling,
  // the recipe of every TE release and of MLPerf's FP8 submissions).
  Fp8Recipe fp8_recipe = Fp8Recipe::kDelayed;
  // With precision kFP4 (NVFP4): the random Hadamard transform on the weight-gradient
  // copies of X and dY (TE's NVFP4BlockScaling default, arXiv 2509.25149 §4; off with
  // NVTE_NVFP4_DISABLE_RHT=1), which adds a BF16 read and stops the producers computing
  // the amax (fp8_casts.h, nvfp4_cast_bytes).
  bool nvfp4_hadamard = true;
  // RMSNorm, SwiGLU and RoPE run as the ops of the framework's non-fused code path
  // (unfused_kernels.h): MindSpeed without --use-fused-rmsnorm, --use-fused-swiglu,
  // --use-fused-rotary-pos-emb. Default: all fused. BF16/FP16/INT8 plans of an LLM only.
  UnfusedKernels unfused_kernels;

  int devices() const { return tp * pp * cp * dp; }
  // Layers of a chunk of `layers` whose activations are offloaded (activation_offload).
  int offloaded_layers(int layers) const;
  // Model chunks each device holds: virtual_stages, or 2 under DualPipe.
  int chunks_per_device() const { return schedule == PipelineSchedule::kDualPipe ? 2 : virtual_stages; }
  // Gradients sharded but weights whole through the passes (ZeRO-2, FSDP SHARD_GRAD_OP):
  // every backward reduce-scatters the gradients it made into their owners' shards,
  // micro-batch by micro-batch, for a sharded gradient cannot accumulate a local sum
  // (DeepSpeed stage_1_and_2.py, reduce_ready_partitions_and_remove_grads: it reduces
  // when `partition_gradients or is_gradient_accumulation_boundary`; PyTorch FSDP outside
  // no_sync). docs/models.md §5.5.
  bool grads_reduced_per_micro_batch() const {
    return sharding == DataSharding::kZero2 || sharding == DataSharding::kFsdpShardGradOp;
  }
  // Copies of each weight across the pipeline: 2 under DualPipe (stage s lives on
  // devices s and pp-1-s), else 1. The data-parallel group of a weight spans them all.
  int weight_copies() const { return schedule == PipelineSchedule::kDualPipe ? 2 : 1; }
  // Micro-batches per step on each DP rank. REQUIRES: check() passed.
  int micro_batches() const { return global_batch / (dp * micro_batch); }
  // workloads::operand_bytes(precision).
  int operand_bytes() const;
  // Bytes per element of a GEMM operand as stored or sent: operand_bytes(), plus MXFP8's
  // E8M0 scale, 1 byte per block of 32 elements (1 + 1/32).
  double operand_storage_bytes() const;
  // fp8_activation_cache, or where unset the library default: on for the precisions
  // Transformer Engine runs (FP8, MXFP8, NVFP4), off otherwise (memory.h).
  bool fp8_activation_cache_on() const;
  Shard shard() const;
  RecomputePolicy recompute_policy() const { return {recompute, recompute_modules}; }
};

// Every problem with `plan` for `m`, fields named as in the schema's ParallelPlan
// ("tp", "virtual_stages", ...), plus "precision". REQUIRES: check(m) is empty.
std::vector<FieldProblem> check(const ModelSpec& m, const Plan& plan);
// Throws UserError listing check(m) and check(m, plan).
void validate(const ModelSpec& m, const Plan& plan);

// Why `device` cannot run `p` ("precision FP8: device Ascend 910C has no FP8 units
// (hardware.md §1.1, [S1] §3.3.1); use BF16 or INT8"), or nullopt if it can.
std::optional<std::string> precision_problem(engine::Precision p, const engine::DeviceSpec& device);
// Throws UserError with precision_problem().
void check_precision(engine::Precision p, const engine::DeviceSpec& device);
// Why `recipe` cannot scale tensors of `precision` (every FP8 recipe is precision FP8's;
// MXFP8 and NVFP4 scale blocks their own way), for the field fp8_recipe; nullopt if it can.
// Ask only for a recipe the user chose: the default DELAYED beside BF16 is no choice.
std::optional<std::string> fp8_recipe_precision_problem(Fp8Recipe recipe, engine::Precision precision);
// Why `device` cannot run `plan`'s FP8 recipe (blockwise scaling off Hopper), for the
// field fp8_recipe; nullopt if it can.
std::optional<std::string> fp8_recipe_problem(const Plan& plan, const engine::DeviceSpec& device);
// Why `device` cannot offload activations for `plan` ("activation_offload: device B200
// has no host-link bandwidth in podsim's catalog (docs/hardware.md §1.4); set it to 0"),
// or nullopt.
std::optional<std::string> offload_problem(const Plan& plan, const engine::DeviceSpec& device);
// Why `eff` (default: the defaults of `device`, efficiency.cc) has no efficiency for
// attention kernel `k` on `device` ("attention_kernel FLASH_ATTENTION_2: no published
// FlashAttention-2 efficiency for device B200; use FUSED"), or nullopt if it has one.
std::optional<std::string> attention_kernel_problem(AttentionKernel k, const engine::DeviceSpec& device,
                                                    const OpEfficiency& eff);
std::optional<std::string> attention_kernel_problem(AttentionKernel k, const engine::DeviceSpec& device);

// One model chunk a stage runs per micro-batch (a stage runs virtual_stages of them,
// chunk j of the model lives on stage j mod pp).
struct ModelChunk {
  int index = 0;  // position in the model, 0 .. pp*virtual_stages-1
  LayerRange layers;
  std::vector<OpBlock> blocks;  // per device, per micro-batch, with their TP/EP/CP/ZeRO-3 comms
  std::vector<Comm> boundary;   // PP send-recv of this chunk's output (forward) and input grad (backward)
};

struct StageWork {
  int stage = 0;
  std::vector<ModelChunk> chunks;
  std::vector<Comm> step_comms;  // once per step: DP gradient reduction / weight gathering

  double forward_flops() const;  // per device per micro-batch, all chunks
};

// Per-stage work of `plan`. REQUIRES: validate(m, plan) passed.
std::vector<StageWork> plan_work(const ModelSpec& m, const Plan& plan);

// Layers of each model chunk, in model order (pp x virtual_stages of them; pp under
// DualPipe).
std::vector<LayerRange> chunk_layers(const ModelSpec& m, const Plan& plan);

// The model chunks stage `stage` holds, by local index: chunk c pp + stage for the
// 1F1B and interleaved schedules; {stage, pp - 1 - stage} under DualPipe (local chunk 0
// runs the micro-batches that enter at stage 0, chunk 1 those that enter at pp - 1).
std::vector<int> stage_chunks(const Plan& plan, int stage);

// Idle fraction of the ideal step time (above). 0 without pipelining. DualPipe:
// (pp/2 - 1)(F&B + B - 3W) / (m (F + B)) taken with B = 2F, W = F (a GEMM's weight
// gradient costs its forward) and F&B = F + B (the pair's compute, its communication
// hidden): (pp - 2) / (3 m).
double bubble_fraction(const Plan& plan);

// One pass a pipeline stage runs: the forward or backward of one micro-batch through
// one of its model chunks (local index: chunk c of stage s is model chunk c pp + s).
struct PipelinePass {
  bool forward = true;
  int micro_batch = 0;
  int chunk = 0;
};
// The order stage `stage` of `pp` runs its passes in, Megatron-LM's schedules
// (megatron/core/pipeline_parallel/schedules.py): 1F1B (v = 1) runs pp - stage - 1
// warm-up forwards, then alternates one forward and one backward, then drains; the
// interleaved schedule (v chunks) warms up with 2 (pp - stage - 1) + (v - 1) pp chunk
// forwards, virtual micro-batch k running chunk (k mod pp v) / pp of micro-batch
// (k / pp v) pp + k mod pp (Narayanan et al. SC21 §2.2); backwards take the chunks in
// reverse. `m` micro-batches. REQUIRES: pp, v, m >= 1; with v > 1, m a multiple of pp.
std::vector<PipelinePass> pipeline_order(int pp, int stage, int m, int v);

// One step of stage `stage` under DualPipe. Local chunk c is direction c (stage_chunks);
// micro-batch indices count within a direction (0 .. m/2 - 1).
struct DualPipePass {
  enum class Kind {
    kForward,          // forward of (f_chunk, f_micro_batch)
    kBackward,         // whole backward of (b_chunk, b_micro_batch)
    kBackwardInput,    // backward for the input only; its weight gradient is deferred
    kWeight,           // the oldest deferred weight gradient
    kForwardBackward,  // forward of (f_chunk, f_micro_batch) overlapped with backward of (b_chunk, b_micro_batch)
  };
  Kind kind = Kind::kForward;
  int f_chunk = 0, f_micro_batch = 0;
  int b_chunk = 0, b_micro_batch = 0;
};
// The order of deepseek-ai/DualPipe's step() (dualpipe/dualpipe.py), its eight phases:
// with h = pp/2 and r = min(stage, pp-1-stage), 2(h-r-1) forwards of the near direction;
// r+1 forward pairs of both; h-r-1 times (backward-input, weight, forward) of the far
// direction; the main phase of m/2 - pp + r + 1 pairs of overlapped F&B (the middle
// stages' first pair not overlapped); h-r-1 times (backward, F&B); r+1 backward pairs
// (the second half defer their weight gradients); h-r-1 times (weight, backward-input);
// r+1 weights. m micro-batches in all, m/2 each way. REQUIRES: pp even >= 2, m even >= 2 pp.
std::vector<DualPipePass> dualpipe_order(int pp, int stage, int m);

// Total bytes per step per device of each kind, summed over stages' devices' view
// (one device of `stage`): count x S x micro-batches (or x 1 for step comms).
struct CommTotal {
  CommKind kind;
  CommGroup group;
  int group_size = 1;
  engine::Bytes bytes;
};
std::vector<CommTotal> comm_per_step(const StageWork& stage, const Plan& plan);

}  // namespace podsim::workloads
