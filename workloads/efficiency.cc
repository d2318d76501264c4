#include "workloads/efficiency.h"

namespace podsim::workloads {
namespace {

// MoE host overhead (OpEfficiency::moe_host_s), from the one published measurement:
// NVIDIA's "Optimizing DeepSeek-V3 Training Performance on NVIDIA GB200 NVL72"
// (Megatron-LM docs/discussions/deepseek-v3-gb200-optimization, Nov 2025): DeepSeek-V3,
// MXFP8, 256 GB200, TP1 PP8 VPP4 EP32, micro-batch 1, batch 2048 x 4096, eager Megatron-
// Core "host bound" at its 494 TFLOP/s baseline. Its §3 table gives TFLOP/s after each
// step; the steps that change only host work, as step time per device (8,388,608 tokens
// x 2.496e11 FLOP/token, Megatron-Bridge's convention for this model: 1003 TF <-> 4018
// tok/s, / 256 devices = 8.179e15 FLOP; t = F / TFLOP/s):
//   partial CUDA graphs (attention, router, EP preprocess)  610.71 -> 663.27: 1.061 s
//   CPU-side optimisation (NUMA binding, launch latency)     691.49 -> 762.12: 1.096 s
//   CUDA graphs of the shared experts                        797.67 -> 829.93: 0.399 s
//   CPU-side optimisation                                    943.56 -> 956.21: 0.115 s
//   the device-host sync itself, "at least 10%" (§3.1, removing it; estimated on a
//   proxy model) at 970.01 TF/s: 8.432 s x (1 - 1/1.1)                         0.767 s
// = 3.437 s per step over 58 MoE layers / 8 stages x 64 micro-batches = 464 MoE layer
// passes per device: 7.4 ms each. With the static parts in CUDA graphs (Megatron-Core
// --cuda-graph-scope attn moe_router moe_preprocess, which also captures the shared
// experts), the two graph steps' 1.460 s are gone: 1.977 s / 464 = 4.3 ms. Left out as
// not host-only: the permute kernel, DeepEP, HybridEP, the up-projection recompute,
// kernel fusions (they also cut device work).
// Judgement, stated: MXFP8 launches more kernels than BF16 (quantisation), so for BF16
// this is on the high side; the steps left out also removed host work (router fusion:
// 72 -> 31 kernels), so on the low side there. The figure is the framework's and the
// host CPU's (Grace here), not the accelerator's: for want of any other measurement it
// is used for every device (HGX H100's x86 hosts; Ascend's, whose MindSpeed dropless
// MoE also reads the all-to-all splits on the host).
constexpr double kEagerMoeHostS = 7.4e-3;
constexpr double kStaticGraphsMoeHostS = 4.3e-3;
// Host time of one copy_ between small CUDA tensors issued from PyTorch's C++ (dispatch,
// TensorIterator, kernel launch), back to back (OpEfficiency::torch_copy_host_s):
// pytorch/pytorch issue #37048 (2020-04), addmm on 100 x 100 CUDA tensors with out= ran
// 100,000 calls in 2.3356 s with its internal copy_ and in 1.4708 s without it (beta=0):
// 8.65 us a copy_, which a PyTorch maintainer put down to "fully exposed overheads and
// cuda launch latency". The host and GPU are not named (PyTorch of spring 2020); used as
// PyTorch 1.8's on the SC21 DGX A100 hosts (EPYC 7742), an assumption, stated. Like the
// MoE figure it is the framework's and the CPU's, so one figure for every device.
constexpr double kTorchCopyHostS = (2.3356 - 1.4708) / 1e5;

// Compute slowed by communication running alongside it (OpEfficiency::comm_slowdown):
// the one published characterisation across devices, Ahmed et al., "Characterizing
// Compute-Communication Overlap in GPU-Accelerated Distributed Deep Learning:
// Performance and Power Implications" (arXiv 2507.03114, 2025): GPT and Llama training
// on 4 x A100, H100, MI250 and MI210, compute kernels overlapped with the collectives
// of data, tensor and pipeline parallelism run on average 18.9% slower than alone (at
// most 40%). The cause is the device's, not the network's: the collective's kernels
// hold SMs (an NCCL channel is a thread block; e.g. 24 blocks of an all-gather on
// H100's 132 SMs push a one-wave GEMM into a second wave, NVIDIA developer forums,
// "Compute-communication overlap causes severe GEMM performance degradation because
// of tail effect", 2025) and HBM bandwidth. One figure for every device: Blackwell and
// Ascend have no published measurement, so the mean of the measured GPUs stands for
// them, a stated assumption.
constexpr double kCommSlowdown = 0.189;

// Fused attention (cuDNN through Transformer Engine, what the calibration rows ran), of
// the BF16 peak, forward and backward together. Hopper's is calibrated (below); the
// Blackwell values carry it over by the published kernel figures, not as Hopper's:
//  - H100, cuDNN forward, BF16, head dim 128, 16k tokens, no mask: 595 TFLOP/s of 989
//    (FlashAttention-3 paper, Shah et al. 2024, arXiv 2407.08608, Figs. 5-6).
//  - B200, BF16: FlashAttention-4 reaches 1613 TFLOP/s forward (71% of 2.25 PF), up to
//    1.3x cuDNN 9.13 (Zadouri et al., "FlashAttention-4", arXiv 2603.05451), so cuDNN
//    reaches 1613 / 1.3 = 1241 TFLOP/s, 55% of the peak against Hopper's 60%: Blackwell
//    doubled the tensor cores but not the exponential units (16 per clock per SM) nor
//    shared-memory bandwidth (128 B per clock per SM), which now bound the forward
//    (exponentials) and the backward (shared memory).
//  - Backward against forward, cuDNN, BF16, head dim 128, 16k tokens: H100 516 against
//    595 TFLOP/s (the same FlashAttention-3 figures), 0.867; B200 1074.8 against 1332.4,
//    0.807 (NVIDIA cudnn-frontend, benchmark/sdpa_benchmark_training/artifacts/
//    sdpa_bf16_benchmark_results_NVIDIA_B200.csv, backend pyt_cudnn: 128 query and 8 KV
//    heads, causal; 0.805 at 8k, 0.781 at 32k). The backward, bound by shared memory,
//    falls further behind on Blackwell.
//    podsim's one attention efficiency covers a forward and its backward of twice the
//    FLOPs: Hopper's calibrated 0.4 against its kernels' 3 / (1 / 595 + 2 / 516) = 540
//    TFLOP/s (0.546 of 989) keeps r = 0.733 of them in training; B200 then runs the
//    forward at 0.733 x 0.551 = 0.404 and the backward at 0.404 x 0.807 = 0.326:
//    B200 = 3 / (1 / 0.404 + 2 / 0.326) = 0.348 (0.367 while the backward was assumed
//    to keep the forward's ratio).
//  - B300 (Blackwell Ultra, GB300) doubles the exponential units' throughput
//    (MUFU.EX2), which NVIDIA measures as 35% more attention-forward throughput
//    (NVIDIA technical blog, "Making Softmax More Efficient with NVIDIA Blackwell Ultra",
//    2026; FP8, DeepSeek-V3 shapes: for BF16, whose matmuls are slower, the gain is if
//    anything smaller). The backward, bound by shared memory, is B200's:
//    B300 = 3 / (1 / (1.35 x 0.404) + 2 / 0.326) = 0.377.
constexpr double kHopperAttention = 0.4;

// Hopper GEMMs. BF16: calibrated (device_efficiency below). FP8 from two published
// measurements, not from the validation rows:
//  - NVIDIA, "Boosting Matrix Multiplication Speed and Flexibility with NVIDIA cuBLAS
//    12.9" (developer blog, 2025): on Hopper, scaled FP8 matmuls run 1.75x the BF16
//    baseline for large matmuls (and at least 1.25x for most other shapes). Applied to
//    the BF16 efficiency, which already holds what the op graph leaves out, at twice
//    the peak: 0.7 x 1.75 / 2 = 0.6125.
//  - Cross-check: DeepSeek's DeepGEMM (deepseek-ai/DeepGEMM README, Feb 2025; H800
//    SXM5, whose tensor cores and clocks are H100 SXM's) measures FP8 GEMMs with M =
//    4096 rows at 1304 TFLOP/s (N 4096, K 7168) and 1358 (N 7168, K 16384), 0.66-0.69
//    of 1979 TF, but 1058 (0.53) with N = 2112, the width of a TP-split QKV projection;
//    the cuBLAS ratio sits between them.
// Transformer Engine's casts to FP8 are not in these efficiencies (the measurements are
// bare scaled matmuls): the op graph holds them as memory-bound ops of their own, with
// the transposes Hopper's TN-only FP8 GEMMs need (fp8_casts.h). Its amax reductions are
// per tensor (a few bytes) and not counted.
// That ratio holds for large matmuls only ("at least 1.25x for most other shapes", the
// same blog): an FP8 tile's main loop runs twice as fast as a BF16 one, its fixed cost
// (pipeline fill, scaling epilogue) does not, so a short reduction costs FP8 more. The
// fixed cost, from the same DeepGEMM table (H800, M = 4096): at N = 7168 (the same
// output tiles) K = 16384 runs at 1358 TFLOP/s and K = 2048 at 1025, a ratio R = 1.325
// that v(k) = k / (k + k0) (gemm_waves.h) gives with
//   k0 = k1 k2 (1 - R) / (R k2 - k1) = 797 elements.
// The table's other shapes check it, not fitted: K 7168 (N 4096) predicted 1282 against
// 1304 measured, K 1536 (N 24576) 938 against 990, K 512 (N 32768) 557 against 590.
// 0.6125 is then the efficiency at a long reduction: the isolated measurement it is
// carried to training by (kInTrainingOverIsolatedFp8) is the best shape of a search,
// 1024 x 9216 x 14336 (docs/validation-sources.md), so at k = 14336; with no fixed cost
// 0.6125 x (14336 + 797) / 14336 = 0.647. A training GEMM's passes reduce over h, the FFN
// or head widths split by TP, and the micro-batch's tokens (weight gradient): GPT-3 on
// TP4 with 2048 tokens, 3072 and 2048 of them.
constexpr double kHopperGemm = 0.7;
// H100 SXM5 (and H200, H800, the same die and configuration): 132 SMs (NVIDIA H100
// Tensor Core GPU Architecture whitepaper, 2022). H20's is not published beside its
// peaks: left unknown.
constexpr int kHopperSms = 132;
constexpr double kFp8OverBf16LargeGemm = 1.75;
constexpr double kHopperFp8Gemm = kHopperGemm * kFp8OverBf16LargeGemm / 2;
constexpr double kDeepGemmLongK = 16384, kDeepGemmShortK = 2048, kDeepGemmLongOverShort = 1358.0 / 1025.0;
constexpr double kHopperFp8K0 = kDeepGemmLongK * kDeepGemmShortK * (1 - kDeepGemmLongOverShort) /
                                (kDeepGemmLongOverShort * kDeepGemmShortK - kDeepGemmLongK);
constexpr double kH100MamfFp8K = 14336;
constexpr double kHopperFp8GemmLongK = kHopperFp8Gemm * (kH100MamfFp8K + kHopperFp8K0) / kH100MamfFp8K;
constexpr double kH100CudnnForward = 595.0 / 989.0;
constexpr double kB200CudnnForward = 1613.0 / 1.3 / 2250.0;
constexpr double kH100CudnnBackwardOverForward = 516.0 / 595.0;
constexpr double kB200CudnnBackwardOverForward = 1074.776 / 1332.415;
constexpr double kHopperAttentionInTraining =
    kHopperAttention / (3 / (1 / kH100CudnnForward + 2 / (kH100CudnnForward * kH100CudnnBackwardOverForward)));
constexpr double kB200AttentionForward = kHopperAttentionInTraining * kB200CudnnForward;
constexpr double kB200AttentionBackward = kB200AttentionForward * kB200CudnnBackwardOverForward;
constexpr double kB200Attention = 3 / (1 / kB200AttentionForward + 2 / kB200AttentionBackward);
constexpr double kB300ExpForwardGain = 1.35;

// Fused attention by block length on Blackwell, for ring context parallelism
// (attention_blocks.h): NVIDIA cudnn-frontend, benchmark/sdpa_benchmark_training/results/
// llama3.1/{gb200,gb300}/llama3.1_20260424_*.csv (commit fb682ce, 2026-04-29): cuDNN
// 9.22 (backend 92200), BF16, batch 2, 64 query and 8 KV heads of 128 (Llama 3.1 405B
// attention on TP2), square blocks of 2k-32k tokens, causal ("top_left") and unmasked
// ("no_mask"), forward and non-deterministic backward, TFLOP/s on executed FLOPs.
// {length, causal fwd, causal bwd, unmasked fwd, unmasked bwd}. Only their ratios enter
// (the level is the device's `attention` above, taken at whole-sequence causal kernels).
// Measured on the Grace parts; HGX B200 and B300 (the same dies) use them too.
const std::vector<AttentionLengthPoint> kGb200AttentionByLength{
    {2048, 1097, 885, 1433, 1124},   {4096, 1408, 1148, 1599, 1350},   {8192, 1574, 1332, 1771, 1404},
    {16384, 1708, 1328, 1697, 1374}, {32768, 1622, 1226, 1634, 1262}};
const std::vector<AttentionLengthPoint> kGb300AttentionByLength{
    {2048, 1373, 967, 1805, 1213},   {4096, 1703, 1248, 1900, 1429},   {8192, 1856, 1435, 2017, 1531},
    {16384, 1915, 1507, 2014, 1536}, {32768, 1953, 1490, 1836, 1427}};
constexpr double kB300Attention = 3 / (1 / (kB200AttentionForward * kB300ExpForwardGain) + 2 / kB200AttentionBackward);

// GEMM throughput measured by shape: the Maximum Achievable Matmul FLOPS table of
// stas00/ml-engineering (compute/accelerator/README.md, as of Aug 2026): torch.matmul,
// no sparsity, mean of 100 iterations after 50 warm-up ones, the best of a brute-force
// search over shapes, with the shape (rows x cols x reduction) that reached it. Each is
// one published point on podsim's shape model (gemm_waves.h): the full-wave efficiency
// is the measured fraction divided by the shape's tile and wave utilisation, so the
// model gives back the measurement at that shape (tests/workloads/gemm_waves_test.cc).
struct MatmulPoint {
  double tflops, peak_tflops;  // measured, and the dense peak it is a fraction of
  double rows, cols;           // the output's shape (the reduction length does not enter)
};
// A100 SXM, BF16, torch 2.6 + CUDA 12.6: 271.2 of 312 at 1024 x 10240 x 5120.
constexpr MatmulPoint kA100Mamf{271.2, 312, 1024, 10240};
// GB200, torch 2.10 + CUDA 13.0: BF16 1822.0 of 2500 at 4096 x 9728 x 2048; FP8 (e4m3)
// 3615.6 of 5000 at 19456 x 5120 x 1536.
constexpr MatmulPoint kGb200MamfBf16{1822.0, 2500, 4096, 9728};
constexpr MatmulPoint kGb200MamfFp8{3615.6, 5000, 19456, 5120};
// HGX B200, torch 2.7.1 + CUDA 12.8: BF16 1745.0 of 2250 at 1792 x 16128 x 3072; FP8
// 3432.5 of 4500 at 15360 x 4096 x 3072.
constexpr MatmulPoint kB200MamfBf16{1745.0, 2250, 1792, 16128};
constexpr MatmulPoint kB200MamfFp8{3432.5, 4500, 15360, 4096};

// NVFP4 GEMMs against BF16 ones on the same device, shape and harness: pytorch/ao PR #2427
// ("add-to-benchmarks", June 2025; benchmarks/float8/bench_matmul.py --recipe nvfp4 on
// B200, torch._scaled_mm through cuBLASLt, E2M1 with E4M3 scales per 16, peaks taken as
// 2.25 PF BF16 and 9 PF FP4). At 8192 x 8192 x 8192 (2 x 8192^3 = 1.10e12 FLOP) BF16 took
// 774 us and NVFP4 205 us: 0.631 and 0.596 of their peaks, so NVFP4 reaches 0.944 of the
// fraction BF16 reaches; the same shape fills the same tiles and waves, so this is also the
// ratio of their full-wave efficiencies. That run's absolute levels are low (BF16 0.63
// against the MAMF table's 0.78 for B200; the PR does not say why: clocks, power limit or
// library version), which a ratio within one run cancels; the absolute level comes from
// the MAMF BF16 point of the part (above). Checks, not fitted: the same run at 6144^3
// gives 0.945 (319 us against 84.4 us); Stas Bekman's MAMF search on B200 (torch 2.14, as
// quoted in a third-party write-up, Oct 2026, shape not given) found NVFP4 at 6624 of 9000
// TFLOP/s, 0.949 of his B200 BF16 fraction (1745 of 2250).
constexpr double kNvfp4OverBf16 = (774.0 / 205.0) * (2250.0 / 9000.0);

// A100: 108 SMs, the 256 x 128 tiles cuBLAS runs one per SM (NVIDIA, "Matrix
// Multiplication Background User's Guide", 2023, §3: its wave example is A100's 108
// SMs with 256 x 128 tiles). Blackwell (B200, B300): 148 SMs (B200 SXM's count; GB200's
// is taken to be the same, not published beside its peak), each computing 128 x 256 of
// the 2-SM 256 x 256 tcgen05 tile of CUTLASS's SM100 GEMM examples.
constexpr GemmTiling kA100Tiling{.sms = 108, .tile_m = 256, .tile_n = 128};
constexpr GemmTiling kBlackwellTiling{.sms = 148, .tile_m = 128, .tile_n = 256};

double full_wave(const MatmulPoint& p, const GemmTiling& t) {
  return p.tflops / p.peak_tflops / wave_utilisation(t, p.rows, p.cols);
}

// A GEMM inside a training step runs below its isolated best (docs/models.md §4.3): the
// node's sustained power and clocks, kernels sharing L2 and HBM, launch gaps. The one
// device whose in-training GEMM efficiency is known, H100 (BF16 0.7 from the Llama 3
// rows; FP8 from it by cuBLAS's FP8/BF16 ratio), against the same table's isolated
// H100 SXM figures (794.5 of 989 BF16, 1402.6 of 1979 FP8): 0.871 and 0.864. The ratio
// is carried to A100 and Blackwell, as Blackwell's attention carries Hopper's: an
// assumption, stated, for want of an in-training GEMM measurement on those devices.
constexpr double kInTrainingOverIsolatedBf16 = kHopperGemm / (794.5 / 989.0);
constexpr double kInTrainingOverIsolatedFp8 = kHopperFp8Gemm / (1402.6 / 1979.0);

// Blackwell's isolated figures are bursts; training runs at the power limit
// (docs/models.md §4.3, "Sustained, not burst, on Blackwell"). The ratio above carries
// what training loses besides the power limit: H100's isolated figures already run at
// its 700 W limit (the same table's GH200, the same die at 900 W, reaches 1535.0 FP8 and
// 828.6 BF16 TFLOP/s against H100 SXM's 1402.6 and 794.5), while GB200's and HGX
// B200's are bursts at the maximum SM clock (their ratio, 1.053 FP8 and 1.044 BF16, is
// the ratio of those clocks, 2062 / 1965 MHz, not of their 1,200 / 1,000 W limits).
// What a Blackwell part keeps once its limit binds, measured on HGX B200 (flashinfer-ai/
// flashinfer PR #2899, 2026-03: 100 back-to-back BF16 FlashAttention-4 iterations, b 4,
// s 8192, 16 heads of 128; ~1,000 W, SM clock 1965 -> ~1580 MHz): 1450 TFLOP/s at its
// peak, 1237 once fully throttled. For every compute-bound op (GEMMs at each precision,
// attention) of B200 and GB200 (the same die; their same-recipe training ratio, 1.029 in
// Megatron-Bridge 25.11's Llama 3 8B rows, is their burst ratio within 2.5%); memory-bound
// ops keep theirs (the limit lowers the SM clock, not HBM's). Blackwell Ultra (B300,
// 1,400 W for the same catalog peaks) is not given it, a stated assumption: no sustained
// measurement of it was found; cuDNN's GB300 attention backward (which its doubled
// exponential units do not speed up) runs 8-22% faster than GB200's, and one
// Megatron-Bridge recipe 1.19x GB200, about 1 / 0.853 (same section).
constexpr double kBlackwellSustainedOverBurst = 1237.0 / 1450.0;

OpEfficiency device_efficiency(const engine::DeviceSpec& device);

}  // namespace

OpEfficiency default_efficiency(const engine::DeviceSpec& device) {
  OpEfficiency e = device_efficiency(device);
  e.moe_host_s = kEagerMoeHostS;
  e.moe_host_static_graphs_s = kStaticGraphsMoeHostS;
  e.torch_copy_host_s = kTorchCopyHostS;
  e.comm_slowdown = kCommSlowdown;
  return e;
}

namespace {

// Calibration (docs/validation-sources.md; `podsim validate` prints the errors).
// Method: one set per device type, fitted by hand on the runs of that device whose
// every input is published, starting from what micro-benchmarks say a kernel class
// reaches, then moved only as far as the validation median asks. No per-run factor.
// A100 and Blackwell GEMMs are no longer calibrated that way: they come from measured
// GEMM throughput by shape (kA100Mamf, kGb200Mamf*, gemm_waves.h), not from the rows.
// The MoE host overhead, the same for every device, is set by default_efficiency above.
OpEfficiency device_efficiency(const engine::DeviceSpec& device) {
  const std::string& n = device.name;
  if (n.starts_with("A100")) {
    // GEMMs by shape (gemm_waves.h): 108 SMs, one 256 x 128 tile each, as NVIDIA's
    // Matrix Multiplication Background guide describes cuBLAS on A100. The full-wave
    // efficiency passes the model through the one published measurement: 271.2 of 312
    // TFLOP/s BF16 at 1024 x 10240 x 5120 (kA100Mamf), isolated; in training it is that
    // times H100's in-training over isolated ratio (kInTrainingOverIsolatedBf16): 0.880 x
    // 0.871 = 0.767 at a full wave. It replaces 0.62, which was fitted to the median of
    // the 12 A100 rows.
    // FlashAttention-2: on A100 it is the fused kernel class this attention value
    // describes (FA3 needs Hopper's wgmma and TMA, and cuDNN SDPA is not faster on A100:
    // 0.82x FA2, huggingface/transformers#48163), so the ratio is 1.
    OpEfficiency e{.gemm = kInTrainingOverIsolatedBf16 * full_wave(kA100Mamf, kA100Tiling), .attention = 0.45, .attention_fa2 = 0.45,
                   .memory = 0.8, .source = "A100: GEMMs by shape from a cuBLAS measurement; SC21, Korthikanti, MegaScale rows"};
    e.tiling = kA100Tiling;
    e.sm_count = kA100Tiling.sms;
    return e;
  }
  // H200 is named explicitly: the H100's die and clocks (device_catalog.cc), so its values.
  if (n.starts_with("H100") || n.starts_with("H200") || n.starts_with("H800") || n.starts_with("H20")) {
    // Llama 3 T4 (2 rows, BF16), MLPerf v3.1/v5.0 (4 rows, FP8), Megatron-Bridge 70B (FP8),
    // NeMo DFM Wan 2.1 (BF16). BF16 GEMMs at 0.7 of 989 TF (~690 TF, what large cuBLAS
    // BF16 GEMMs sustain on H100 SXM). It once put both Llama 3 rows within 5%; since their
    // pipeline and FSDP follow the paper (one-layer chunks, SHARD_GRAD_OP: docs/models.md
    // §5.5) they run 8-11% slow on data-parallel time, not GEMMs, and 0.7 was not moved.
    // FP8: kHopperFp8Gemm below, from published GEMM measurements, not from the rows
    // (the 0.55 it replaces was fitted on the FP8 rows while their TP communication was
    // all exposed; Plan::tp_overlap now models what those recipes overlap). Attention: FlashAttention-2/
    // cuDNN fused attention forward + backward on H100 averages ~40% of the BF16 peak
    // (backward is the slower half); at 0.5 the attention-bound Wan row (37 440-token
    // full attention) ran 18% fast: 0.4.
    // FlashAttention-2 (PyTorch SDPA's flash backend) on Hopper: 0.4 / 1.6 = 0.25. The
    // 0.4 above is cuDNN fused attention (the calibration rows ran Transformer Engine;
    // the Wan row with NVTE_FUSED_ATTN=1), so the ratio is cuDNN over FA2 in one
    // benchmark: FlashAttention-3 paper (Shah et al. 2024, arXiv 2407.08608, Figs. 5-6),
    // H100 SXM5, BF16, head dim 128, no causal mask, 16k tokens (the longest measured;
    // both curves are flat from 4k): forward 595 vs 370 TFLOP/s (1.61x), backward 516
    // vs 322 (1.60x). Not the paper's headline 1.5-2.0x, which is FA3 over FA2 (1.75x
    // at this shape), nor pytorch/pytorch#142132's 1.92x (631 vs 329 TFLOP/s, forward
    // only, 4608 tokens). The absolute FA2 figures, ~34% of the 989 TF peak forward
    // and backward together, are the paper's "35% utilization on H100".
    // FP8 GEMMs on Hopper take only the TN layout: Transformer Engine writes transposed
    // FP8 copies for the weight gradients (fp8_casts.h).
    // FP8 GEMMs by reduction length (kHopperFp8K0 above, DeepGEMM's measurements): the
    // efficiency of a long reduction, times v(k) per pass.
    return {.gemm = kHopperGemm, .gemm_fp8 = kHopperFp8GemmLongK, .attention = kHopperAttention, .attention_fa2 = 0.25,
            .memory = 0.8, .fp8_transposes = true, .sm_count = n.starts_with("H20 ") || n == "H20" ? 0 : kHopperSms,
            .gemm_fp8_k0 = kHopperFp8K0,
            .source = "Hopper: Llama 3, NeMo DFM rows (BF16); FP8 GEMMs from cuBLAS 12.9's FP8/BF16 ratio and "
                      "DeepGEMM's by reduction length"};
  }
  if (n.starts_with("B200") || n.starts_with("B300")) {
    // GEMMs by shape (gemm_waves.h): 148 SMs, each computing 128 x 256 of a 2-SM 256 x
    // 256 tcgen05 tile (CUTLASS's SM100 GEMMs). The full-wave efficiencies pass the
    // model through the published cuBLAS measurements of the same part (kGb200Mamf* for
    // the Grace-Blackwell parts, whose 2.5/5 PF peaks the catalog uses; kB200Mamf* for
    // HGX B200 at 2.25/4.5 PF): BF16 0.80 and FP8 0.74 of the GB200 peaks at a full wave,
    // isolated, times H100's in-training over isolated ratios (0.871, 0.864): 0.696 and
    // 0.639 in training, against 0.7 and 0.55 before, which were Hopper's, carried over. Transformer
    // Engine's FP8 casts are not in them (the measurement is a bare scaled matmul): the
    // op graph holds them as ops of their own, without transposes (fp8_casts.h).
    // B200 and GB200 then run every compute-bound op at the sustained fraction of the
    // burst (kBlackwellSustainedOverBurst, 0.853, at the end): GB200 0.594 BF16 and 0.545
    // FP8 at a full wave.
    // Blackwell Ultra (B300 in GB300) shares the BF16/FP8 tensor cores and the catalog
    // peaks with GB200; its own measurement is of HGX B300 (1769 of 2250 BF16, 3353 of
    // 4500 FP8), at the same fractions as HGX B200 within 1.4 points, so GB200's stand
    // for it, as bursts: at 1,400 W it is not given the sustained fraction. Its attention
    // is its own (kB300Attention above).
    // Attention is Blackwell's own, from the published kernel figures above (B200 0.348;
    // B300 0.377 with its doubled exponential units), not fitted to any row.
    // NVFP4 GEMMs (issue 14 item 6): the part's BF16 full-wave efficiency times the
    // NVFP4/BF16 ratio of one measured run (kNvfp4OverBf16 above: 0.944), carried to
    // training by FP8's in-training ratio (0.864; NVFP4 is the other block-scaled
    // low-precision GEMM): GB200 0.798 x 0.944 x 0.864 = 0.651 of the 10 PF FP4 peak at a
    // full wave. It replaces 0.4, which was fitted on the one NVFP4 row (MLPerf v5.1 405B on
    // 512 GB200) while the op graph held no NVFP4 casts. Those casts are now ops of their own
    // (fp8_casts.h, nvfp4_cast_bytes): a row-wise and a column-wise NVFP4 copy of every GEMM
    // input and output gradient, with an amax pass where no producer computes it; the
    // random Hadamard transform, when a plan uses it, adds a BF16 read and breaks the norm
    // and activation fusions. Not fitted to the row, which moved from +2.4% to -18.3%,
    // beside the FP8 405B row on GB200 at -23.3%: what those two runs share and podsim
    // missed was the GB200's power limit in training (the sustained fraction, -16.3% ->
    // -7.2%; docs/models.md §4.5).
    // The DeepSeek-V3 BF16 row's history (EP placement, the MoE host overhead) is in
    // docs/models.md §4.5; the BF16 value was never moved for it.
    const bool grace = n.find("(GB") != std::string::npos;
    OpEfficiency e{.gemm = kInTrainingOverIsolatedBf16 * full_wave(grace ? kGb200MamfBf16 : kB200MamfBf16, kBlackwellTiling),
                   .gemm_fp8 = kInTrainingOverIsolatedFp8 * full_wave(grace ? kGb200MamfFp8 : kB200MamfFp8, kBlackwellTiling),
                   .gemm_fp4 = kInTrainingOverIsolatedFp8 * kNvfp4OverBf16 *
                               full_wave(grace ? kGb200MamfBf16 : kB200MamfBf16, kBlackwellTiling),
                   .attention = n.starts_with("B300") ? kB300Attention : kB200Attention, .memory = 0.8,
                   .source = "Blackwell: GEMMs by shape from cuBLAS measurements; attention from FlashAttention-4 and "
                             "NVIDIA's Blackwell Ultra softmax figures"};
    e.tiling = kBlackwellTiling;
    e.sm_count = kBlackwellTiling.sms;
    e.attention_by_length = n.starts_with("B300") ? kGb300AttentionByLength : kGb200AttentionByLength;
    if (!n.starts_with("B300")) {
      e.gemm *= kBlackwellSustainedOverBurst;
      *e.gemm_fp8 *= kBlackwellSustainedOverBurst;
      *e.gemm_fp4 *= kBlackwellSustainedOverBurst;
      e.attention *= kBlackwellSustainedOverBurst;
    }
    return e;
  }
  if (n.starts_with("Ascend")) {
    // One row (Pangu Ultra 135B, 8192 x 910B, 43% MFU). It ran at -37% while TP
    // collectives inside the Atlas 800T A2 went round a ring over one 28 GB/s HCCS link;
    // with HCCL's Mesh algorithm over all 7 links (step_model.cc) it runs at +18% with
    // the generic 0.7, and which 910B SKU (hence which peak the 43% divides by) is not
    // published (calibration.md). One row with an ambiguous peak is not enough to move
    // the defaults: left at the generic values.
    return {.gemm = 0.7, .attention = 0.5, .memory = 0.8, .source = "Ascend: generic (one Pangu Ultra row, peak ambiguous)"};
  }
  return {.gemm = 0.7, .attention = 0.5, .memory = 0.8, .source = "generic (device never calibrated)"};
}

}  // namespace
}  // namespace podsim::workloads
