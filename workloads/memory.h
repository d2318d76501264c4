#pragma once
// Memory per device: model states (weights, gradients, optimizer) by ZeRO stage, and
// activations by recompute choice, for each pipeline stage; and the check that a plan
// fits a device, whose failure gives the numbers.
//
// Model states, mixed-precision Adam (Rajbhandari et al. 2020, "ZeRO", §3.1, §5):
// 2 bytes of BF16/FP16 weights + 2 of gradients + K = 12 of optimizer state (FP32
// master weights, momentum, variance) per parameter. With Nd data-parallel ranks:
//   ZeRO 0   (2 + 2 + K) P            ZeRO 2  2P + (2 + K) P / Nd
//   ZeRO 1   (2 + 2) P + K P / Nd     ZeRO 3  (2 + 2 + K) P / Nd   (FSDP: the same)
// Figure 1's example, P = 7.5 B, Nd = 64: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.
// P is a device's share after TP (and EP for routed experts); Nd is dp x cp for dense
// weights and dp x cp / ep for routed experts. FP32 gradients (Plan::fp32_gradients)
// make the gradient term 4 bytes. ZeRO-3 also holds the gathered weights of two layers
// (the one computing and the one prefetched).
//
// Activations per layer, Korthikanti et al. 2022 ("Reducing Activation Recomputation
// in Large Transformer Models") §4, for GPT (MHA, GELU, f = 4h, dropout), bytes, with
// s sequence, b micro-batch, h hidden, a heads, t tensor-parallel size:
//   no parallelism             s b h (34 + 5 a s / h)
//   TP                         s b h (10 + 24/t + 5 a s / (h t))
//   TP + SP                    s b h (34/t + 5 a s / (h t))
//   TP + selective recompute   s b h (10 + 24/t)
//   TP + SP + selective        s b h 34 / t
//   full recompute             2 s b h   (the layer input; / t with SP)
// The 34 is 10 s b h replicated across TP ranks (norm inputs 4, QKV and MLP inputs 4,
// dropout masks 2) + 24 split (Q, K 4, V 2, projection input 2, GELU input 8, second
// linear input 8); 5 a s^2 b is the score matrix (softmax 2, dropout mask 1, dropout
// output 2). layer_activation_bytes() computes the same terms for any layer (GQA, SwiGLU
// 6f instead of 4f, no dropout, MLA, MoE, DiT cross-attention), so for GPT it is exactly
// the table. With FlashAttention no score matrix is stored (the a s^2 term vanishes).
// CP divides s; under full recompute a device also holds one layer's full activations
// while that layer runs backward (not in the paper's table; added here).
//
// FP8 activation caching (Plan::fp8_activation_cache_on(), by default on for FP8, MXFP8
// and NVFP4): a linear layer run quantized keeps the quantized copy of its input for the
// weight gradient, not the BF16 tensor (Transformer Engine's Linear, LayerNormLinear and
// GroupedLinear, which keep only the column-wise copy the weight-gradient GEMM reads;
// DeepSeek-V3 report §3.3.3). Bytes per element: saved_linear_inputs() below. The linear
// inputs of the table are the QKV and MLP inputs (2 of the replicated 10), the projection
// input (2 of the split 24) and the second linear's input (8): with FP8 delayed scaling
// TP + SP + selective becomes s b h 27 / t. With FlashAttention the attention kernel
// itself keeps its output, the projection's input, in BF16: not counted yet (the
// projection counts its copy only; docs/models.md §4.4 says what that leaves out). In a
// MoE layer the router keeps its BF16 input, the MLP input, beside the shared experts'
// FP8 copy. The output layer runs in BF16 (Megatron-Core's default), so its input stays
// 2 bytes. Norm inputs, Q, K, V, activation-function inputs and dropout masks stay.
// FP8 SwiGLU input (Plan::fp8_swiglu_input_store): SwiGLU keeps its input, gate and up,
// as FP8 E4M3 for backward, 1 byte per element instead of 2 (Megatron-Core's
// activation_func_fp8_input_store casts it in the fused SwiGLU's forward and back in its
// backward; DeepSeek-V3 report §3.3.3 caches the MoE SwiGLU inputs in FP8 and
// recomputes the output, which is moe_act recompute here).
// MoE layers, per routed row (top-k rows per token, split over TP): the expert input
// (the first linear's), the activation's inputs and output (the second linear's input)
// and the row's FP32 router probability. The expert output is not kept: the probability
// multiplies the activation's output inside the expert and the combine is a plain sum
// (Megatron-Core TEGroupedMLP: weighted_bias_swiglu saves its input and the
// probabilities; the token dispatcher's unpermute gets no probabilities), so the
// probability's gradient is the product of the recomputable activation output and the
// gradient at the second linear's input, both at hand in backward.
// Distributed saved activations (Plan::distribute_saved_activations, full recompute,
// TP without SP): the saved layer input is split over TP, 2 s b h / t (Megatron-LM
// --distribute-saved-activations; Korthikanti §4.1 notes the same split).
//
// Activation offload (Plan::activation_offload): the first offloaded_layers() layers of
// each chunk keep nothing on the device between their forward and backward; while one
// such layer's activations are written out the next layer computes, and in backward one
// layer is fetched ahead of the one computing, so a staging area of two of the largest
// offloaded layers' activations stays resident (Transformer Engine double-buffers its CPU
// offload the same way).
// Pipeline: 1F1B keeps min(p - i, m) micro-batches in flight on stage i, so the first
// stage stores p micro-batches of L/p layers -- L layers' worth, whatever p
// (Korthikanti §4.2.3). The interleaved schedule multiplies that by 1 + (p-1)/(p v).
// The first stage adds the embedding's dropout mask, the last the output layer's
// 4 s b h / t (1 + V/h) (Korthikanti §4.3: final norm, projection input, FP32 logits).
#include <optional>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/units.h"
#include "workloads/model.h"
#include "workloads/parallel_plan.h"
#include "workloads/runtime_reserve.h"

namespace podsim::workloads {

struct ModelStates {
  engine::Bytes weights;
  engine::Bytes gradients;
  engine::Bytes optimizer;
  engine::Bytes total() const { return weights + gradients + optimizer; }
};

// Model states of `params` parameters on one device under `sharding` over `nd` ranks
// (the table above). REQUIRES: nd >= 1.
ModelStates model_states(double params, DataSharding sharding, int nd, bool fp32_gradients = false);

// Bytes per element a layer keeps of a linear layer's input for the weight gradient
// (docs/models.md §4.4, "How activations are stored"), 2 (BF16) without the FP8 cache.
struct SavedLinearInputs {
  double linear = 2;      // a Linear or GroupedLinear input (second MLP linear, experts)
  double norm_fused = 2;  // a LayerNormLinear's normed input (QKV, first MLP linear)
  // The attention output projection's input (its copy only, not the attention kernel's
  // BF16 output beside it: docs/models.md §4.4).
  double projection = 2;
  double moe_mlp_input = 2;  // a MoE layer's normed input: the router's and shared experts' copies
};
SavedLinearInputs saved_linear_inputs(const Plan& plan, bool shared_experts_kept = false);

// Activation bytes one layer (layer `i` of `m`) keeps for backward for one micro-batch
// on one device under `plan`. REQUIRES: validate(m, plan) passed.
engine::Bytes layer_activation_bytes(const ModelSpec& m, const Plan& plan, int i);

struct MemoryBreakdown {
  int stage = 0;
  engine::Bytes weights;
  engine::Bytes gradients;
  engine::Bytes optimizer;
  engine::Bytes activations;
  int micro_batches_in_flight = 0;
  engine::Bytes offloaded;  // activations kept in host memory at the peak (not in `activations`)
  engine::Bytes total() const { return weights + gradients + optimizer + activations; }
};

// One device of each pipeline stage. REQUIRES: validate(m, plan) passed.
std::vector<MemoryBreakdown> memory_per_stage(const ModelSpec& m, const Plan& plan);
// The stage that needs the most.
MemoryBreakdown peak_memory(const ModelSpec& m, const Plan& plan);

// A plan fits when its fullest stage needs no more than the device's HBM less the
// runtime reserve (runtime_reserve.h): capacity - reserve = available.
struct FitReport {
  bool fits = false;
  MemoryBreakdown need;     // the fullest stage's device
  engine::Bytes capacity;   // the device's HBM as the driver reports it
  ReserveBreakdown reserve;
  engine::Bytes available;  // capacity - reserve.total()
  // "plan needs 93.1 GB per device on pipeline stage 0 (weights 21.9 GB, gradients
  // 21.9 GB, optimizer 0.7 GB, activations 48.6 GB for 8 micro-batches in flight);
  // device H100 SXM5 has 85.5 GB, 83.6 GB after a 1.92 GB runtime reserve (driver
  // 0.59, context 0.64, library workspaces 0.07, collective buffers 0.62 GB for 2
  // communicators)"; without a reserve "...; device H100 SXM5 has 80.0 GB".
  std::string message;
};
FitReport check_fit(const ModelSpec& m, const Plan& plan, const engine::DeviceSpec& device);
// Throws UserError with check_fit().message unless it fits.
void require_fit(const ModelSpec& m, const Plan& plan, const engine::DeviceSpec& device);

}  // namespace podsim::workloads
