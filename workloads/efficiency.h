#pragma once
// Efficiency: the fraction of a device's peak an op reaches, by op kind -- the one
// calibration knob between the roofline and measured runs (DESIGN.md, "Workloads").
//
//   time(op) = max(flops / (peak(precision) * eff[kind]), bytes / (hbm_bw * eff_memory))
//
// peak(precision) is the plan's GEMM precision for GEMMs; attention runs in BF16 (FP8
// recipes keep the attention core in BF16: Transformer Engine's FP8 covers the linear
// layers only, NVIDIA TE docs "Using FP8 with Transformer Engine"; so do NVFP4 recipes,
// whose FP4 GEMMs are the linear layers' forward, dgrad and wgrad: NVIDIA, "Pretraining
// Large Language Models with NVFP4", arXiv 2509.25149 §4).
//
// One set per device type and op kind, never per run (docs/validation-sources.md). The
// defaults and how they were calibrated on docs/validation-sources.md are in
// efficiency.cc beside the numbers; `podsim validate` shows the resulting errors.
#include <optional>
#include <string>
#include <vector>

#include "engine/device.h"
#include "workloads/attention_blocks.h"
#include "workloads/gemm_waves.h"

namespace podsim::workloads {

struct OpEfficiency {
  double gemm = 0.7;       // of the dense matrix peak at the plan's precision
  // Of the FP8 dense peak, for FP8 plans; unset: `gemm`. FP8 GEMMs reach a smaller
  // fraction of their (doubled) peak than BF16 ones; Transformer Engine's casts around
  // each FP8 GEMM are ops of their own (fp8_casts.h), not in this efficiency.
  std::optional<double> gemm_fp8;
  // Of the NVFP4 dense peak, for NVFP4 plans; unset: gemm_fp8, else `gemm`.
  std::optional<double> gemm_fp4;
  // Of the FP8 dense peak, for MXFP8 plans; unset: gemm_fp8, else `gemm` (efficiency.cc).
  std::optional<double> gemm_mxfp8;
  double attention = 0.5;  // of the BF16 dense peak (FlashAttention forward and backward)
  // The same for FlashAttention-2 kernels (Plan::attention_kernel); `attention` is the
  // fused (cuDNN / FlashAttention-3 class) kernels'. Unset: no published figure.
  std::optional<double> attention_fa2;
  // The fused kernels' measured throughput by block length (attention_blocks.h), for
  // attention cut into a ring of context-parallel blocks; `attention` is their efficiency
  // on one causal kernel over the whole sequence. Empty: not measured (no factor).
  std::vector<AttentionLengthPoint> attention_by_length;
  double memory = 0.8;     // of HBM bandwidth, for memory-bound ops and the optimizer step
  // The device's FP8 GEMMs take only the TN layout (Hopper), so Transformer Engine also
  // writes transposed FP8 copies of GEMM inputs and gradients (Op::fp8_transpose_bytes,
  // fp8_casts.h). False on Blackwell, whose FP8 GEMMs take any layout.
  bool fp8_transposes = false;
  // Streaming multiprocessors (GPUs), for the SMs a userbuffers config reserves from a
  // GEMM (Plan::ub_proj_fprop); 0: not known.
  int sm_count = 0;
  // Host (CPU) time exposed per MoE layer with routed experts per micro-batch, forward
  // and backward together, in an eager framework with dropless routing: the forward
  // copies the tokens per expert to the host (all-to-all splits, grouped-GEMM sizes),
  // which empties the device's queue, so the host's launch work of the layer is no
  // longer hidden behind device work. Not a roofline term: added to the layer's time.
  // With Plan::cuda_graphs kStaticParts (attention, router, EP preprocess and shared
  // experts replayed from CUDA graphs) the smaller moe_host_static_graphs_s; with kFull
  // none. Plan::moe_host_overhead_s overrides both.
  double moe_host_s = 0;
  double moe_host_static_graphs_s = 0;
  // Host (CPU) time of one copy_ between small device tensors issued from PyTorch's C++
  // (dispatch and kernel launch), back to back. PyTorch 1.8's list all-gather and
  // reduce-scatter launch one per rank of the group, which DeepSpeed's per-tensor fetch
  // exposes (Plan::zero3_fetch kPerTensorSync, step_model.cc add_zero3_modules).
  double torch_copy_host_s = 0;
  // Communication kernels share the device with compute: while an overlapped collective
  // runs (DP gradient buckets, ZeRO-3 gathers and reduce-scatters, CP ring blocks),
  // compute runs 1 + comm_slowdown times slower (NCCL's kernels hold SMs and HBM
  // bandwidth). The step model lengthens a pass's compute by comm_slowdown x
  // min(overlapped communication, compute), so overlapped communication is not free.
  double comm_slowdown = 0;
  // FP8 GEMMs (Precision kFP8): each tile's fixed cost, in elements of its main loop over
  // the reduction (gemm_waves.h, v(k) = k / (k + k0)); gemm_fp8 is then what a reduction
  // long enough to hide it reaches. 0: not known (no such term).
  double gemm_fp8_k0 = 0;
  // Set: the GEMM efficiencies above are what a full wave of tiles reaches, and a GEMM
  // of known shape reaches that times its tile and wave utilisation (gemm_waves.h).
  // Unset: one efficiency whatever the shape.
  std::optional<GemmTiling> tiling;
  std::string source;      // which calibration the numbers come from

  // The GEMM efficiency at precision `p` (the fallbacks above).
  double gemm_at(engine::Precision p) const {
    if (p == engine::Precision::kFP4 && gemm_fp4) return *gemm_fp4;
    if (p == engine::Precision::kMXFP8 && gemm_mxfp8) return *gemm_mxfp8;
    if (p == engine::Precision::kMXFP8 && gemm_fp8) return *gemm_fp8;
    if ((p == engine::Precision::kFP4 || p == engine::Precision::kFP8) && gemm_fp8) return *gemm_fp8;
    return gemm;
  }
  // The same for a GEMM of shape `s`, scaled by its tile and wave utilisation when
  // `tiling` is set and, for FP8, by its reduction lengths when gemm_fp8_k0 is.
  double gemm_at(engine::Precision p, const GemmShape& s) const {
    const double k0 = p == engine::Precision::kFP8 ? gemm_fp8_k0 : 0;
    if (!tiling && k0 <= 0) return gemm_at(p);
    return gemm_at(p) * gemm_pass_factor(tiling ? &*tiling : nullptr, s, k0);
  }
};

// The defaults for `device` (matched by its catalog name), or a generic set for a
// device never calibrated (source says so).
OpEfficiency default_efficiency(const engine::DeviceSpec& device);

}  // namespace podsim::workloads
