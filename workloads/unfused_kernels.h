#pragma once
// Element-wise kernels a framework runs unfused (docs/models.md §4.3, "Unfused kernels").
//
// podsim's op graph charges an LLM's RMSNorm and SwiGLU as one fused kernel each (one HBM
// read of the input, one write of the output, 2 bytes each: Transformer Engine, apex,
// MindSpeed's torch_npu.npu_rms_norm / npu_swiglu) and RoPE not at all (applied inside
// the attention path). A framework without those fusions runs each as the chain of
// PyTorch ops of its non-fused code path, every op a kernel of its own that reads its
// inputs from HBM and writes its result back. Counted op by op from the source, per
// element of the tensor named, BF16 2 bytes, FP32 4, read + written; per-row and
// per-column vectors (the mean, rsqrt, the norm weight, the cos/sin tables of [s x d],
// shared by every head and sample) are small beside the tensor and not counted:
//
//   RMSNorm, per element of the normalised tensor (Megatron-LM megatron/legacy/model/
//   rms_norm.py; MindSpeed mindspeed/core/fusions/fused_rms_norm.py unfused_rmsnorm,
//   the same ops: self._norm(x.float()).type_as(x) * self.weight, _norm = x *
//   torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)):
//     x.float() 2+4, pow(2) 4+4, mean(-1) 4, x * rsqrt 4+4, type_as 4+2, * weight 2+2 = 36
//   SwiGLU, per element of its output (Megatron-LM legacy ParallelMLP's swiglu and
//   megatron/core/fusions/fused_bias_swiglu.py swiglu without a JIT fuser:
//   y1, y2 = chunk(y, 2); silu(y1) * y2; chunk is a view):
//     silu(y1) 2+2, * y2 2+2+2                                                   = 10
//   RoPE, per element of q and of k (Megatron-Core rope_utils.py
//   _apply_rotary_pos_emb_bshd and MindSpeed fused_rope.py without
//   use_fused_rotary_pos_emb: (t * cos) + (_rotate_half(t) * sin), then
//   torch.cat((t, t_pass)); _rotate_half = cat((-x2, x1)) of the two halves):
//     t * cos 2+2, -x2 (half the elements) 1+1, cat 2+2, * sin 2+2, + 2+2+2,
//     the final cat (a copy even with t_pass empty) 2+2                          = 24
//
// The fused counts they replace: a norm 2+2 = 4, SwiGLU 2+2+2 = 6 per output element,
// RoPE 0. Backward is 2x the forward, as for every op (accounting.h); autograd's backward
// of such a chain reads the saved tensors of each op, so this is a lower bound.
// Not counted: copies a device's runtime may add to make a strided view contiguous
// before an op (the chunk halves), kernel launch gaps, and the extra activations the
// unfused chains keep for backward (memory.h counts the fused layer's).
#include <string>

namespace podsim::workloads {

// Which of a dense or MoE LLM's element-wise kernels run unfused. Default: all fused.
struct UnfusedKernels {
  bool rmsnorm = false;  // the layer norms and the final norm
  bool swiglu = false;   // the MLP activations (dense, shared and routed experts)
  bool rope = false;     // the rotary embedding of q and k

  bool any() const { return rmsnorm || swiglu || rope; }
  bool operator==(const UnfusedKernels&) const = default;
};

// HBM bytes per element, from the op sequences above.
inline constexpr double kUnfusedRmsNormBytes = 36;  // per element of the normalised tensor
inline constexpr double kUnfusedSwiGluBytes = 10;   // per element of the activation's output
inline constexpr double kUnfusedRopeBytes = 24;     // per element of q and of k

// "RMSNorm, SwiGLU, RoPE" for the kernels set, in that order; "" for none.
std::string to_string(const UnfusedKernels& k);

}  // namespace podsim::workloads
