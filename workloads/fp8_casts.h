#pragma once
// FP8 and NVFP4 casts around a Transformer Engine GEMM (docs/models.md §4.3, "FP8 casts",
// "NVFP4 casts").
//
// An FP8 GEMM takes FP8 operands, so Transformer Engine quantises each BF16 input before
// it and each BF16 output gradient before the backward GEMMs. These are memory-bound
// kernels of their own unless the kernel that produced the tensor writes FP8 directly
// (the fused LayerNorm before LayerNormLinear, the fused activation before the second
// MLP linear, the fused activation backward, dact, that produces the first MLP linear's
// output gradient). Per element, BF16 2 bytes, FP8 1 byte:
//
//   quantise (every FP8 device)       read 2 + write 1 = 3 bytes, unless fused (0)
//   transpose (Hopper: FP8 GEMMs only take the TN layout, so the weight-gradient GEMM
//   needs X^T and dY^T in FP8 as well)
//     beside a cast (cast_transpose)  + 1 byte (its second output)
//     after a fused norm              read 1 + write 1 = 2 bytes (a transpose kernel)
//     in a fused dact                 + 1 byte (its second output)
//
// Blackwell runs FP8 GEMMs in any layout (TE's is_non_tn_fp8_gemm_supported(): compute
// capability 10.x), so no transposes there. The weights' casts run once per step (TE
// keeps the FP8 weights across the micro-batches of a step, `is_first_microbatch`):
// under 0.1% of a step, not counted. Read from Transformer Engine's
// pytorch/module/{linear,layernorm_linear,layernorm_mlp}.py (quantizer usages) and
// pytorch/utils.py (is_non_tn_fp8_gemm_supported).
//
// The table above is delayed scaling. How the scale is found changes the bytes
// (Fp8Recipe below; TE 2.8, pytorch/csrc/quantizer.cpp, extensions/{normalization,
// activation}.cpp):
//   current scaling (tensorwise): the scale is this tensor's own amax, so it is known
//     only after a pass over the tensor. Cast by a kernel of its own: an amax kernel
//     (read 2) before the cast (read 2, write 1) = 5 bytes. After a norm, activation or
//     dact, the producer writes BF16 and its amax (FUSED_NORM_AMAX_FP8, FUSED_ACTIVATION_
//     AMAX_FP8) and a cast follows = 3 bytes. Hopper's transposed copy is the cast
//     kernel's second output, + 1 byte, whatever the source.
//   blockwise (Float8BlockScaling, 1 x 128 blocks of X and dY, FP32 scales; Hopper only:
//     TE's check_fp8_block_scaling_support): no amax pass, but neither the norm nor the
//     activation writes it (their UNFUSED path), and each tensor is written as a row-wise
//     and a column-wise (transposed) copy with their own scales in one kernel: read 2 +
//     2 x (1 + 4/128) = 4.0625 bytes, on every source.
#include "workloads/gemm_waves.h"

namespace podsim::workloads {

// How Transformer Engine scales FP8 tensors (its recipe classes DelayedScaling,
// Float8CurrentScaling, Float8BlockScaling; Megatron-Core --fp8-recipe delayed,
// tensorwise, blockwise). MXFP8 is a precision of its own (engine::Precision kMXFP8);
// kMxfp8 is what Plan::shard() gives its casts, never a plan's fp8_recipe: TE's
// MXFP8BlockScaling writes a row-wise and a column-wise copy (1 + 1/32 bytes each: an
// E8M0 scale per 32) in one kernel after reading BF16 (2) = 4.0625 bytes, except where
// the activation or dact writes MXFP8 itself (their FULLY_FUSED path); norms do not
// (UNFUSED, unless NVTE_NORM_FWD_USE_CUDNN=1, off by default).
enum class Fp8Recipe { kDelayed, kTensorwise, kBlockwise, kMxfp8 };
const char* to_string(Fp8Recipe r);

// Where a GEMM's FP8 operands come from.
struct Fp8Sources {
  bool input_fused = false;  // its input is written in FP8 by a fused norm or activation
  bool grad_fused = false;   // its output gradient is written in FP8 by a fused dact
  bool input_from_norm = false;  // that producer is a norm (MXFP8 does not fuse into norms)
};

// Bytes one forward + backward of the GEMM `s` ([m x k] x [k x n]) moves in FP8 casts,
// per micro-batch: `quantise` on every device, `transpose` only where FP8 GEMMs need
// the TN layout (OpEfficiency::fp8_transposes).
struct Fp8CastBytes {
  double quantise = 0;
  double transpose = 0;
};
Fp8CastBytes fp8_cast_bytes(const GemmShape& s, Fp8Sources from, Fp8Recipe recipe = Fp8Recipe::kDelayed);

// NVFP4 (TE's NVFP4BlockScaling recipe, read from Transformer Engine 2.8, the version of
// NGC 25.09: pytorch/csrc/quantizer.cpp NVFP4Quantizer::quantize_impl, extensions/
// {normalization,activation}.cpp, common/recipe/__init__.py). Each input X and output
// gradient dY is written twice in NVFP4, a row-wise copy (forward, dgrad) and a column-
// wise one (wgrad): the FP4 tensor cores take K-major operands only, and the two scalings
// differ, so both come from the BF16 tensor, not one from the other. Per copy 0.5 byte
// (E2M1) + 1/16 (an E4M3 scale per 16 elements); the per-tensor FP32 scale needs the
// tensor's amax before the cast. Per element:
//
//   amax fused into the producer (norm, activation, dact write BF16 and its amax;
//   TE's FUSED_NORM_AMAX_NVFP4 / FUSED_ACTIVATION_AMAX_NVFP4):
//                                      read 2 + write 2 x 0.5625       = 3.125 bytes
//   otherwise an amax kernel first:    read 2 + 3.125                  = 5.125 bytes
//   with the random Hadamard transform on the wgrad copies (the recipe's default, arXiv
//   2509.25149 §4; NVTE_NVFP4_DISABLE_RHT=1 turns it off): no producer fusion (TE runs
//   the norm and activation unfused then), an amax kernel over X and RHT(X^T) (read 2),
//   the row-wise cast (read 2, write 0.5625) and the fused RHT + column-wise cast (read
//   2, write 0.5625):                                                    7.125 bytes
//
// Stochastic rounding of the gradients is arithmetic inside the cast kernel (no bytes);
// the 16 x 16 weight scaling and the weights' casts run once per step (as FP8's, not
// counted). Bytes of one forward + backward of `s` per micro-batch, Fp8Sources naming the
// GEMMs whose producer computes the amax.
double nvfp4_cast_bytes(const GemmShape& s, Fp8Sources from, bool hadamard);

}  // namespace podsim::workloads
