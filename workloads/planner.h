#pragma once
// Planner: the fastest plan that fits (issue #5 part 6). Enumerates TP, PP (with the
// interleaved schedule's virtual stages), CP, EP, ZeRO stage, recompute and
// micro-batch for a model on `devices` devices, drops plans that fail check() or do
// not fit the device's memory (memory.h), and times the rest with the step model in
// analytical mode on the domain-aligned placement (placement.h).
//
// The search space, and why it is cut where it is:
//   tp    powers of two up to the scale-up domain's size and 8 x ... no further than
//         heads allow (TP across a scale-out link is never faster: Narayanan et al.
//         SC21 §3.2, "tensor parallelism within a node")
//   pp    divisors of the devices left, up to the layer count; interleaved v in {1,2,4}
//         when layers allow; DualPipe too when the user's plan runs it (allow_dualpipe)
//   cp    1, 2, 4, 8 for sequences of 16K tokens or more (below, CP only adds traffic)
//   ep    MoE only: divisors of dp and of the experts
//   ZeRO  ZeRO-1 (Megatron's distributed optimizer) or ZeRO-3/FSDP
//   recompute  none, selective, full;  micro-batch 1, 2, 4
// global_batch is the user's (it sets convergence, not speed).
#include <functional>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/network/fabric.h"
#include "workloads/memory.h"
#include "workloads/model.h"
#include "workloads/parallel_plan.h"
#include "workloads/step_model.h"

namespace podsim::workloads {

struct PlanSearch {
  int devices = 1;
  int global_batch = 1;               // samples per step
  engine::Precision precision = engine::Precision::kBF16;
  int scale_up_domain = 8;            // devices in one scale-up domain (bounds tp)
  int top = 5;                        // plans to return
  StepOptions step;                   // analytical by default; in analytical mode without a
                                      // step.memo, the search makes one for its candidates
  // The framework's, not searched: every candidate gets them (Plan's fields).
  AttentionKernel attention_kernel = AttentionKernel::kFused;
  CudaGraphs cuda_graphs = CudaGraphs::kNone;
  TpOverlap tp_overlap = TpOverlap::kBackward;
  bool overlap_grad_reduce = true;
  std::optional<double> moe_host_overhead_s;
  // Candidates run SP whenever tp > 1, so distribute_saved_activations has nothing to
  // split there and is not kept.
  std::optional<bool> fp8_activation_cache;  // unset: the library default (Plan)
  bool fp8_swiglu_input_store = false;
  Fp8Recipe fp8_recipe = Fp8Recipe::kDelayed;
  bool nvfp4_hadamard = true;
  UnfusedKernels unfused_kernels;
  // The framework runs DualPipe (the user's plan asks for it): candidates with an even
  // pp and enough micro-batches are also tried with schedule kDualPipe.
  bool allow_dualpipe = false;
  double activation_offload = 0;  // Plan::activation_offload
  // Told (plans timed, plans to time) as the search goes, from any of the threads
  // below, one call at a time; may be empty. For a progress display.
  std::function<void(size_t done, size_t total)> progress;
  // Candidates timed at once, each on its own thread (0: one per hardware thread). The
  // result does not depend on it: every candidate is timed alone and the ranking is by
  // enumeration order among equals. With more than 1, `fabric.route` must be safe to
  // call concurrently (topologies::EngineFabric's is).
  int threads = 1;
  // When the best plan spends most of its step outside compute (bubble, exposed
  // communication), search half the devices too and note it if they are about as fast.
  bool compare_fewer_devices = true;

  // Takes the framework's fields above from the user's plan `p`.
  void keep_framework_of(const Plan& p);
};

struct PlannedStep {
  Plan plan;
  StepResult result;
  MemoryBreakdown memory;
};

struct PlanReport {
  std::vector<PlannedStep> best;  // fastest first, at most `top`
  size_t considered = 0;          // plans enumerated
  size_t valid = 0;               // passed check()
  size_t fitting = 0;             // fit in memory and were timed
  // Why the best wins over the runner-up and over the best plan of another shape; ends
  // with `note` when there is one.
  std::string explanation;
  // Empty, or why these devices are too many for the batch: half of them, searched the
  // same way, step no slower or under 10% slower (the global batch is split too thin).
  std::string note;
};

// REQUIRES: validate(m) passed; `fabric` has >= devices devices. Throws UserError when
// the device has no units for `search.precision` (FP8 on Ascend), or when no plan fits,
// naming the smallest memory need found.
PlanReport plan_search(const ModelSpec& m, const PlanSearch& search, const engine::DeviceSpec& device,
                       const engine::Fabric& fabric);

// The expert-parallel widths the planner tries for `experts` experts on `dp` replicas,
// ascending: 1, and the powers of two from 4 that divide both (EP 2 is not searched).
// sim::largest_auto_all_to_all bounds a run's memory by the widest of them.
std::vector<int> expert_parallel_choices(int experts, int dp);

// "TP8 PP16 (interleaved v2) DP64 EP8 CP1, ZeRO-1, selective recompute, mbs 1".
std::string describe(const Plan& p);

}  // namespace podsim::workloads
