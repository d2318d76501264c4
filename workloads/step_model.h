#pragma once
// StepModel: one training step of a job on its placement, as an engine::OpGraph run on
// the network model (DESIGN.md, "Workloads"; issue #5 part 4).
//
// Ranks and devices. Rank r = t + tp (c + cp (d + dp p)) for tensor rank t, context
// rank c, data rank d, stage p (Megatron-Core's "tp-cp-ep-dp-pp" order, TP innermost so
// that TP stays inside a node or scale-up domain); rank r runs on placement[r]. EP
// groups are ep consecutive data ranks; expert-DP groups the data ranks equal mod ep.
//
// The graph. For each pipeline stage: a compute lane (compute, and the collectives
// that block it: TP/SP, EP dispatch and combine, Ulysses all-to-all), a DP lane
// (ZeRO-3 gathers prefetched under compute, gradient buckets under backward), a CP lane
// (ring-attention KV blocks, overlapped with the attention they feed, Liu et al. 2023)
// and a PP lane (activation and gradient sends; the receiving chunk waits for them).
// Per micro-batch and model chunk: forward = one compute node (roofline of every op,
// efficiency.h) then its blocking collectives; backward = 2x the forward's FLOPs and
// bytes, plus the recomputed forward (full: every layer; selective: the recomputed modules' ops, accounting.h),
// then its blocking collectives. Stages run Megatron's schedules: 1F1B (warm-up of
// pp - s - 1 forwards) or interleaved (warm-up 2 (pp - s - 1) + (v - 1) pp, model
// chunk of virtual micro-batch k = (k mod pp v) / pp; Narayanan et al. SC21 §2.2) or
// DualPipe (dualpipe_order: two stages per device, overlapped forward-backward pairs
// whose collectives run beside their compute, deferred weight gradients), so the bubble
// is not a formula but what the schedule leaves idle (tests check it against (p - 1)/m
// and DeepSeek-V3 Table 2's (PP/2 - 1)(F&B + B - 3W)). The last micro-batch's backward of each chunk is cut in
// `dp_buckets` pieces, each followed by its share of the gradient reduction (DDP and
// ZeRO bucketing; Li et al. 2020, "PyTorch Distributed", §3.2.3), so reduction overlaps
// the rest of backward. Then the optimizer (Adam: 28 bytes of HBM traffic per local
// parameter: read FP32 master, m, v and the gradient, write them and the BF16 weight),
// then ZeRO 1/2's all-gather of the updated weights (exposed). ZeRO-3 works layer by
// layer: each pass's first gather and the backward's last reduce-scatter are exposed;
// ring-CP KV blocks hide only under the attention core; and compute beside any
// overlapped collective runs OpEfficiency::comm_slowdown slower (docs/models.md §5.4).
//
// Representative simulation. Only one data-parallel replica's pipeline (tensor rank 0,
// context rank 0, data rank 0 of every stage) is simulated, with its own groups: the
// TP group of its stage, its EP group, its DP group... Placements are symmetric across
// replicas for every preset and placement podsim builds, so the other replicas run the
// same timeline; their traffic is not simulated, so flow mode sees contention between
// one replica's collectives (DP buckets against PP sends and EP all-to-all), not
// between replicas sharing a scale-out link. In flow mode each distinct collective
// (stage, kind, phase, bytes) runs as flows once -- the first micro-batch's -- and its
// later repeats reuse that measured time (op_graph.h, memo keys). Analytical mode costs
// every collective in closed form (collectives.h) on the same graph: use it for sweeps
// and the planner; the two agree within 5% on uncontended placements (tests).
//
// Results. step time = the graph's makespan. The breakdown is the busiest stage's
// device (most compute): compute, exposed communication by class (tp, cp, ep, pp, dp:
// time a collective of that class runs while the device does not compute; where
// several do, the first class in that order is charged), and idle = pipeline bubble
// (and waiting on other stages), and host_s: the MoE host overhead (after each MoE
// forward's device-host sync the device waits for the host's launches; OpEfficiency::
// moe_host_s per MoE layer per micro-batch, split 1:2 between forward and backward).
// Activation offload (Plan::activation_offload): each offloaded layer's saved activations
// go out over the host link (DeviceSpec::host_write) while the layer's forward runs and
// come back (host_read) under its backward; what the transfer needs beyond that compute
// is exposed: per layer max(0, bytes / bw - compute), in offload_s.
// compute + host + offload + exposed + bubble = step time.
// MFU = model FLOPs (PaLM definition, accounting.h) per second / (devices x dense peak
// at the plan's precision).
#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/network/collective_memo.h"
#include "engine/network/fabric.h"
#include "engine/network/flow_network.h"
#include "engine/op_graph.h"
#include "workloads/efficiency.h"
#include "workloads/job.h"
#include "workloads/step_observer.h"

namespace podsim::workloads {

// Communication classes of the breakdown, in the order exposed time is charged.
enum class CommClass { kTp, kCp, kEp, kPp, kDp };
inline constexpr size_t kCommClasses = 5;
const char* to_string(CommClass c);

struct StepOptions {
  engine::CommMode mode = engine::CommMode::kAnalytical;
  engine::NetworkOptions network;
  // Default: default_efficiency(device).
  std::optional<OpEfficiency> efficiency;
  // Gradient buckets per model chunk in the last backward.
  int dp_buckets = 4;
  // Power drawn per device while training (W), for energy; nullopt: unknown.
  std::optional<double> watts_per_device;
  // Above about this many micro-batches per step, simulate two shorter steps (m1 and
  // 2 m1 micro-batches, multiples of pp) and extrapolate linearly: the 1F1B and
  // interleaved schedules repeat the same steady state per micro-batch. 0: always the
  // whole step.
  int max_micro_batches = 64;
  // Told of the step's collectives (and flows) as they run; null: nobody. Must outlive
  // the call. See step_observer.h for which step is observed.
  StepObserver* observer = nullptr;
  // Analytical collectives' closed-form times and the tuner's choices, remembered across
  // steps (engine/network/collective_memo.h: exact keys, the same results); null: each
  // step keeps its own. Must serve the step's fabric and `network`, and outlive the call.
  engine::CollectiveMemo* memo = nullptr;
};

struct StepResult {
  double step_s = 0;
  double compute_s = 0;
  // Host (CPU) time the busiest device waits for: MoE layers' host overhead
  // (efficiency.h, OpEfficiency::moe_host_s) and the copy launches DeepSpeed ZeRO-3's
  // per-tensor gathers expose (OpEfficiency::torch_copy_host_s), not part of compute_s.
  double host_s = 0;
  // Activation offload transfers the busiest device waits for: what the host link needs
  // beyond the compute of the layer it hides under (not part of compute_s).
  double offload_s = 0;
  std::array<double, kCommClasses> exposed_s{};  // by CommClass
  // Whether the representative group of each class spans more than one scale-up domain.
  std::array<bool, kCommClasses> crosses_domains{};
  double bubble_s = 0;
  double samples_per_s = 0;
  double tokens_per_s = 0;
  double mfu = 0;                  // model FLOPs / (devices x peak)
  double model_tflops_per_device = 0;
  double hw_tflops_per_device = 0;  // with recompute FLOPs (SC21's "TFLOP/s per GPU")
  // The largest of compute, each exposed class and the bubble, named:
  // "compute", "pipeline bubble", "EP comm (scale-out)", "DP comm (scale-up)", ...
  std::string bottleneck;
  long long steps = 0;               // job.steps()
  double time_to_train_s = 0;        // steps x step_s
  std::optional<double> energy_j;    // time_to_train x devices x watts_per_device
  uint64_t flows = 0;                // flow mode: flows simulated
  size_t graph_nodes = 0;
};

// Simulates one step of `job` on `placement` (placement[r] = device of rank r, size
// job.plan.devices(), devices of `fabric`). REQUIRES: validate(job.model, job.plan)
// passed; the precision is available on `device`. Throws std::invalid_argument for a
// placement of the wrong size, UserError for offload on a device without a host link
// (offload_problem) or for an interleaved schedule whose micro-batches
// are not a multiple of pp (Megatron's requirement).
StepResult simulate_step(const TrainingJob& job, std::span<const engine::DeviceId> placement,
                         const engine::DeviceSpec& device, const engine::Fabric& fabric,
                         const StepOptions& options = {});

// Host time exposed per MoE layer per micro-batch under `plan` (its override, else the
// figure of eff for its cuda_graphs; efficiency.h).
double moe_host_seconds(const Plan& plan, const OpEfficiency& eff);

// The precision a GEMM of a `plan`-precision job runs in: the output layer (logits) and
// the MoE router stay BF16 under FP8, MXFP8, NVFP4 and INT8 plans, as the frameworks keep
// them (Megatron-Core's output layer is its own ColumnParallelLinear, not a Transformer
// Engine FP8 module; DeepSeek-V3 report §3.3.1 keeps the output head and the gating in
// their original precision; NVIDIA's NVFP4 recipe, arXiv 2509.25149 §4, keeps the last
// layers in BF16); every other GEMM the plan's (docs/models.md §4.3).
engine::Precision gemm_precision(const Op& op, engine::Precision plan);

// Roofline time of one forward op on `device` (the formula in efficiency.h); GEMMs at
// gemm_precision's peak and efficiency; attention
// ops at the efficiency of `kernel`. Throws UserError for a kernel with no efficiency on
// `device` (attention_kernel_problem).
double op_seconds(const Op& op, engine::Precision precision, const engine::DeviceSpec& device,
                  const OpEfficiency& eff, AttentionKernel kernel = AttentionKernel::kFused);

// How much longer `op`'s forward runs because a userbuffers config reserves SMs from it
// for its reduce-scatter (Plan::ub_proj_fprop, ub_fc2_fprop, with set_sm_margin):
// S / (S - reserved) for the row-parallel forward GEMMs it names (out_proj, cross_out;
// mlp_down, shared_down) under TP_OVERLAP_USERBUFFERS, 1 otherwise (docs/models.md §5.4).
// Throws UserError when the device's SM count is not known or the reservation leaves
// no SM.
double userbuffers_forward_factor(const Op& op, const Plan& plan, const OpEfficiency& eff,
                                  const engine::DeviceSpec& device);

// What in the plan's userbuffers configs `device` cannot grant (its SM count unknown, or
// a reservation that leaves no SM), as the field below the plan ("ub_proj_fprop.
// reserved_sms") and a message; nullopt when the plan runs. Scenario files report it at
// the field (scenario/job_from_proto.cc) instead of when the step is timed.
std::optional<FieldProblem> userbuffers_problem(const Plan& plan, const engine::DeviceSpec& device);

// The devices of the group of `comm` that contains rank (t = 0, c = 0, d = 0, stage)
// (DP and expert-DP under DualPipe: with those of stage pp-1-stage, which hold the same
// weights),
// in rank order; for kPp, {stage, next stage}. Exposed for tests.
std::vector<engine::DeviceId> group_devices(const Plan& plan, CommGroup group, int stage,
                                            std::span<const engine::DeviceId> placement);

}  // namespace podsim::workloads
