// GEMM efficiency by shape (workloads/gemm_waves.h): tile and wave quantisation against
// hand calculations and NVIDIA's own example, and the A100 and Blackwell defaults
// against the published GEMM measurements they are derived from (workloads/efficiency.cc).
#include <doctest/doctest.h>

#include "workloads/accounting.h"
#include "workloads/efficiency.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using doctest::Approx;
using engine::Bytes;
using engine::DeviceSpec;
using engine::FlopRate;
using engine::Precision;

constexpr GemmTiling kA100{.sms = 108, .tile_m = 256, .tile_n = 128};
constexpr GemmTiling kBlackwell{.sms = 148, .tile_m = 128, .tile_n = 256};

DeviceSpec device(const char* name, double bf16, double fp8) {
  DeviceSpec d{.name = name, .peak_bf16 = FlopRate::tera(bf16), .peak_fp16 = FlopRate::tera(bf16),
               .hbm_capacity = Bytes::giga(80), .hbm_bandwidth = engine::Bandwidth::gbytes_per_s(2039)};
  if (fp8 > 0) d.peak_fp8 = FlopRate::tera(fp8);
  return d;
}

TEST_CASE("Wave quantisation: NVIDIA's A100 examples and hand calculations") {
  // NVIDIA, Matrix Multiplication Background User's Guide, §3: a 1792 x 1792 output in
  // 256 x 128 tiles is 7 x 14 = 98 tiles, one wave of A100's 108 SMs: 98 / 108 busy.
  CHECK(wave_utilisation(kA100, 1792, 1792) == Approx(98.0 / 108));
  // 109 full tiles need a second wave that is almost empty: 109 / 216.
  CHECK(wave_utilisation(kA100, 109 * 256, 128) == Approx(109.0 / 216));
  // Tile quantisation: 257 rows take two 256-row tiles, 1024 columns eight of 128: 16
  // tiles in one wave, each paid in full: 257 x 1024 / (108 x 256 x 128) = 0.074.
  CHECK(wave_utilisation(kA100, 257, 1024) == Approx(257.0 * 1024 / (108.0 * 256 * 128)));
  // An exact multiple of full waves: 216 tiles of 256 x 128 = 2 waves, all busy.
  CHECK(wave_utilisation(kA100, 2048, 27 * 128) == Approx(1.0));
  // Grouped: 4 experts of 2048 x 4096 on 148 SMs in 128 x 256 tiles: 4 x 16 x 16 = 1024
  // tiles, 7 waves (1036 slots): 1024 / 1036. One of them alone: 256 tiles, 2 waves: 256 / 296.
  CHECK(wave_utilisation(kBlackwell, 2048, 4096, 4) == Approx(1024.0 / 1036));
  CHECK(wave_utilisation(kBlackwell, 2048, 4096) == Approx(256.0 / 296));
}

TEST_CASE("Wave quantisation: forward, data and weight gradient together") {
  // GPT 7.5B, TP4 (SC21), the qkv GEMM of one 2048-token micro-batch on A100:
  // [2048 x 4096] x [4096 x 3072].
  //   forward 2048 x 3072: 8 x 24 = 192 tiles, 2 waves: 192 / 216 = 0.889
  //   dgrad   2048 x 4096: 8 x 32 = 256 tiles, 3 waves: 256 / 324 = 0.790
  //   wgrad   4096 x 3072: 16 x 24 = 384 tiles, 4 waves: 384 / 432 = 0.889
  //   3 / (1/0.889 + 1/0.790 + 1/0.889) = 0.853
  const GemmShape qkv{.m = 2048, .k = 4096, .n = 3072};
  CHECK(gemm_pass_utilisation(kA100, qkv) == Approx(3 / (216.0 / 192 + 324.0 / 256 + 432.0 / 384)));
  CHECK(gemm_pass_utilisation(kA100, qkv) == Approx(0.853).epsilon(1e-3));
  // GPT 1T, TP8 (Korthikanti): the MLP up-projection [2048 x 25600] x [25600 x 12800]:
  //   forward 2048 x 12800: 8 x 100 = 800 tiles, 8 waves (864): 0.926
  //   dgrad 2048 x 25600: 8 x 200 = 1600 tiles, 15 waves (1620): 0.988
  //   wgrad 25600 x 12800: 100 x 100 = 10000 tiles, 93 waves (10044): 0.996
  // The wide model's GEMMs fill the device better than the 7.5B's: 0.969 against 0.853.
  const GemmShape up{.m = 2048, .k = 25600, .n = 12800};
  CHECK(gemm_pass_utilisation(kA100, up) == Approx(3 / (864.0 / 800 + 1620.0 / 1600 + 10044.0 / 10000)));
  CHECK(gemm_pass_utilisation(kA100, up) > gemm_pass_utilisation(kA100, qkv) + 0.1);
  // A shape not known (not a GEMM): no factor.
  CHECK(gemm_pass_utilisation(kA100, GemmShape{}) == 1);
}

TEST_CASE("A100 and Blackwell GEMM defaults: the published isolated measurements, scaled to training by H100's ratio") {
  // In training a GEMM reaches less than its isolated best: H100's in-training BF16 0.7
  // against the isolated 794.5 of 989 TFLOP/s (stas00/ml-engineering, Maximum Achievable
  // Matmul FLOPS table) is 0.8713; its FP8 0.6125 against 1402.6 of 1979 is 0.8642
  // (workloads/efficiency.cc). Those ratios carry to A100 and Blackwell.
  const double bf16 = 0.7 / (794.5 / 989.0), fp8 = 0.6125 / (1402.6 / 1979.0);
  CHECK(bf16 == Approx(0.8713).epsilon(1e-3));
  CHECK(fp8 == Approx(0.8642).epsilon(1e-3));
  // A100 SXM BF16 271.2 of 312 TFLOP/s at 1024 x 10240 x 5120: the model at that output
  // shape gives it back, times the ratio.
  const OpEfficiency a100 = default_efficiency(device("A100 SXM4 80GB", 312, 0));
  REQUIRE(a100.tiling);
  CHECK(a100.gemm * wave_utilisation(*a100.tiling, 1024, 10240) == Approx(bf16 * 271.2 / 312));
  // 320 tiles, 3 waves of 108: full-wave efficiency 0.8692 x 324 / 320 = 0.880 isolated,
  // 0.767 in training.
  CHECK(a100.gemm == Approx(bf16 * 271.2 / 312 * 324 / 320));
  CHECK(a100.gemm == Approx(0.767).epsilon(1e-3));
  // GB200: BF16 1822.0 of 2500 at 4096 x 9728 (1216 tiles, 9 waves of 148: 1332 slots);
  // FP8 3615.6 of 5000 at 19456 x 5120 (3040 tiles, 21 waves: 3108 slots). Both bursts:
  // B200 and GB200 keep 1237 / 1450 of them at their power limit in training (flashinfer
  // PR #2899; the test case "Blackwell at its power limit" below).
  const double sustained = 1237.0 / 1450.0;
  const OpEfficiency gb200 = default_efficiency(device("B200 (GB200)", 2500, 5000));
  REQUIRE(gb200.tiling);
  CHECK(gb200.gemm == Approx(sustained * bf16 * 1822.0 / 2500 * 1332 / 1216));
  CHECK(*gb200.gemm_fp8 == Approx(sustained * fp8 * 3615.6 / 5000 * 3108 / 3040));
  CHECK(gb200.gemm_at(Precision::kFP8) * wave_utilisation(*gb200.tiling, 19456, 5120) ==
        Approx(sustained * fp8 * 3615.6 / 5000));
  // GB300 takes GB200's bursts (same tensor cores, same catalog peaks), without the
  // sustained fraction; HGX B200 its own: BF16 1745.0 of 2250 at 1792 x 16128 (882 tiles,
  // 6 waves: 888 slots).
  CHECK(default_efficiency(device("B300 (GB300)", 2500, 5000)).gemm == Approx(gb200.gemm / sustained));
  CHECK(default_efficiency(device("B200", 2250, 4500)).gemm == Approx(sustained * bf16 * 1745.0 / 2250 * 888 / 882));
  // NVFP4 (issue 14 item 6): the part's BF16 full wave times the NVFP4/BF16 ratio measured
  // in one run (pytorch/ao PR #2427, B200, 8192^3: BF16 774 us, NVFP4 205 us; peaks 2.25
  // and 9 PF): 3.776 x 0.25 = 0.944, times FP8's in-training ratio. GB200: 0.798 x 0.944
  // x 0.864 = 0.651 of the 10 PF FP4 peak at a full wave as a burst (was 0.4, fitted on
  // its row), 0.556 at its power limit; GB300 keeps the burst.
  const double nvfp4_over_bf16 = (774.0 / 205.0) * (2250.0 / 9000.0);
  CHECK(nvfp4_over_bf16 == Approx(0.944).epsilon(1e-3));
  CHECK(*gb200.gemm_fp4 == Approx(sustained * fp8 * nvfp4_over_bf16 * 1822.0 / 2500 * 1332 / 1216));
  CHECK(*gb200.gemm_fp4 == Approx(0.651 * sustained).epsilon(2e-3));
  CHECK(*default_efficiency(device("B300 (GB300)", 2500, 5000)).gemm_fp4 == Approx(*gb200.gemm_fp4 / sustained));
  CHECK(*default_efficiency(device("B200", 2250, 4500)).gemm_fp4 ==
        Approx(sustained * fp8 * nvfp4_over_bf16 * 1745.0 / 2250 * 888 / 882));
  // Checks, not inputs: the same run at 6144^3 (BF16 319 us, NVFP4 84.4 us) gives 0.945;
  // Stas Bekman's B200 MAMF searches, NVFP4 6624 of 9000 over BF16 1745 of 2250, 0.949.
  CHECK((319.0 / 84.4) * 0.25 == Approx(nvfp4_over_bf16).epsilon(2e-3));
  CHECK((6624.0 / 9000) / (1745.0 / 2250) == Approx(nvfp4_over_bf16).epsilon(6e-3));
  // Hopper keeps one efficiency whatever the shape (its branch is calibrated apart).
  CHECK_FALSE(default_efficiency(device("H100 SXM5", 989.5, 1979)).tiling);
}

TEST_CASE("Blackwell at its power limit: B200 and GB200 keep 0.853 of the bursts they were measured at") {
  // flashinfer-ai/flashinfer PR #2899 (HGX B200, ~1,000 W): 100 back-to-back BF16
  // FlashAttention-4 iterations, 1450 TFLOP/s at their peak, 1237 once the SM clock has
  // fallen from 1965 to ~1580 MHz: 0.853.
  const double sustained = 1237.0 / 1450.0;
  CHECK(sustained == Approx(0.853).epsilon(1e-3));
  // Why the stas00 MAMF figures of B200 and GB200 are bursts and H100's is not (same
  // table, same harness): GB200 over HGX B200 is their maximum SM clocks' ratio, 2062 /
  // 1965 MHz, not their power limits' (1,200 / 1,000 W); GH200 at 900 W runs the H100 die
  // (the same maximum clock) faster than H100 SXM at 700 W, so H100's figure already sits
  // at its limit, and H100's in-training ratio carries no burst-to-sustained drop.
  CHECK(3615.6 / 3432.5 == Approx(2062.0 / 1965.0).epsilon(5e-3));
  CHECK(1822.0 / 1745.0 == Approx(2062.0 / 1965.0).epsilon(5e-3));
  CHECK(1535.0 / 1402.6 == Approx(1.094).epsilon(1e-3));
  // In training the two parts keep their burst ratio: Megatron-Bridge 25.11, Llama 3 8B,
  // FP8-CS, 8 GPUs, the same recipe: GB200 31508 against B200 30624 tokens/s/GPU, 1.029.
  CHECK(31508.0 / 30624.0 == Approx(3615.6 / 3432.5).epsilon(2.5e-2));
  // GB200 FP8 at a full wave: 0.739 isolated x 0.864 x 0.853 = 0.545 (was 0.639); every
  // compute-bound op the same, memory-bound ones not; GB300 and H100 unchanged.
  const OpEfficiency gb200 = default_efficiency(device("B200 (GB200)", 2500, 5000));
  const OpEfficiency gb300 = default_efficiency(device("B300 (GB300)", 2500, 5000));
  CHECK(*gb200.gemm_fp8 == Approx(0.545).epsilon(2e-3));
  CHECK(*gb300.gemm_fp8 == Approx(0.639).epsilon(2e-3));
  CHECK(gb200.gemm / gb300.gemm == Approx(sustained));
  CHECK(*gb200.gemm_fp4 / *gb300.gemm_fp4 == Approx(sustained));
  CHECK(gb200.memory == gb300.memory);
  CHECK(*default_efficiency(device("H100 SXM5", 989.5, 1979)).gemm_fp8 ==
        Approx(0.6125 * (14336 + 797.4) / 14336).epsilon(1e-3));
}

TEST_CASE("Op time on A100 by GEMM shape") {
  const DeviceSpec a100 = device("A100 SXM4 80GB", 312, 0);
  const OpEfficiency eff = default_efficiency(a100);
  // The 7.5B qkv above: 2 x 2048 x 4096 x 3072 FLOPs at 312 TF x 0.767 x 0.853.
  const Op qkv{.name = "qkv", .kind = OpKind::kGemm, .flops = 2.0 * 2048 * 4096 * 3072, .bytes = Bytes(1e3),
               .shape = {.m = 2048, .k = 4096, .n = 3072}};
  const double u = 3 / (216.0 / 192 + 324.0 / 256 + 432.0 / 384);
  CHECK(op_seconds(qkv, Precision::kFP16, a100, eff) == Approx(qkv.flops / (312e12 * eff.gemm * u)));
  // Without a shape the op runs at the full-wave efficiency.
  Op bare = qkv;
  bare.shape = {};
  CHECK(op_seconds(bare, Precision::kFP16, a100, eff) == Approx(qkv.flops / (312e12 * eff.gemm)));
  // Efficiencies without tiling ignore the shape.
  const OpEfficiency flat{.gemm = 0.7};
  CHECK(op_seconds(qkv, Precision::kFP16, a100, flat) == Approx(qkv.flops / (312e12 * 0.7)));
}

TEST_CASE("Reduction length: a tile's fixed cost, v(k) = k / (k + k0)") {
  // Hand calculation: k0 = 800, k = 2048: 2048 / 2848 = 0.719; no fixed cost: 1.
  CHECK(reduction_utilisation(2048, 800) == Approx(2048.0 / 2848));
  CHECK(reduction_utilisation(2048, 0) == 1);
  // Per pass: [m x k] x [k x n] reduces over k forward, n in the data gradient, m (per
  // group) in the weight gradient. No tiling: u = 1, only v.
  const GemmShape s{.m = 2048, .k = 3072, .n = 12288};
  CHECK(gemm_pass_factor(nullptr, s, 800) == Approx(3 / (3872.0 / 3072 + 13088.0 / 12288 + 2848.0 / 2048)));
  // Grouped: 4 groups of 512 rows reduce over 512 in the weight gradient.
  const GemmShape g{.m = 2048, .k = 4096, .n = 4096, .groups = 4};
  CHECK(gemm_pass_factor(nullptr, g, 800) == Approx(3 / (2 * 4896.0 / 4096 + 1312.0 / 512)));
  // With tiling, u x v per pass; k0 = 0 gives back gemm_pass_utilisation.
  CHECK(gemm_pass_factor(&kA100, s, 0) == Approx(gemm_pass_utilisation(kA100, s)));
  CHECK(gemm_pass_factor(nullptr, GemmShape{}, 800) == 1);
}

TEST_CASE("Hopper FP8 GEMMs by reduction length: DeepGEMM's H800 measurements") {
  // deepseek-ai/DeepGEMM README (Feb 2025), H800 SXM5 (H100 SXM's tensor cores and
  // clocks), dense FP8 GEMMs with M = 4096, TFLOP/s of 1979:
  //   N 7168 K 16384: 1358   N 7168 K 2048: 1025   N 4096 K 7168: 1304
  //   N 24576 K 1536: 990    N 32768 K 512: 590
  // The first two share their output tiles, so their ratio is v(16384) / v(2048): k0 =
  // 16384 x 2048 x (1 - R) / (R x 2048 - 16384) with R = 1358 / 1025, 797 elements.
  const OpEfficiency h100 = default_efficiency(device("H100 SXM5", 989.5, 1979));
  const double k0 = h100.gemm_fp8_k0;
  const double r = 1358.0 / 1025;
  CHECK(k0 == Approx(16384.0 * 2048 * (1 - r) / (r * 2048 - 16384)));
  CHECK(k0 == Approx(797).epsilon(2e-3));
  CHECK(reduction_utilisation(16384, k0) / reduction_utilisation(2048, k0) == Approx(r));
  // The others, not used to derive it, within 6%: the isolated long-k efficiency 1358 /
  // 1979 / v(16384) = 0.720 times v(k).
  const double longk = 1358.0 / 1979 / reduction_utilisation(16384, k0);
  CHECK(longk == Approx(0.720).epsilon(2e-3));
  for (auto [k, tflops] : {std::pair{7168.0, 1304.0}, {1536.0, 990.0}, {512.0, 590.0}})
    CHECK(longk * reduction_utilisation(k, k0) * 1979 == Approx(tflops).epsilon(0.06));
  // Its grouped GEMMs (the MoE experts' forward, same README, contiguous layout): 4 groups
  // of 8192 rows and 8 of 4096, at K 7168 1297 and 1288, at K 2048 1099 and 1093 TFLOP/s;
  // the forward reduces over K whatever the groups: within 7%.
  for (auto [k, tflops] : {std::pair{7168.0, 1297.0}, {7168.0, 1288.0}, {2048.0, 1099.0}, {2048.0, 1093.0}})
    CHECK(longk * reduction_utilisation(k, k0) * 1979 == Approx(tflops).epsilon(0.07));
  // In training: 0.6125 (cuBLAS 12.9's FP8/BF16 ratio on large matmuls, 0.7 x 1.75 / 2) is
  // the efficiency at the isolated measurement's shape, k = 14336 (stas00 MAMF, H100 SXM
  // FP8 best shape 1024 x 9216 x 14336); the long-reduction efficiency is 0.6125 / v(14336).
  CHECK(*h100.gemm_fp8 == Approx(0.6125 / reduction_utilisation(14336, k0)));
  CHECK(*h100.gemm_fp8 == Approx(0.647).epsilon(2e-3));
  const GemmShape mamf{.m = 14336, .k = 14336, .n = 14336};  // every pass reduces over 14336
  CHECK(h100.gemm_at(Precision::kFP8, mamf) == Approx(0.6125));
  // GPT-3 175B on TP4, 2048 tokens, out_proj [2048 x 3072] x [3072 x 12288]: forward
  // over 3072, dgrad over 12288, wgrad over 2048:
  //   0.647 x 3 / (3869/3072 + 13085/12288 + 2845/2048) = 0.647 x 0.808 = 0.523
  const GemmShape out_proj{.m = 2048, .k = 3072, .n = 12288};
  const double v = 3 / ((3072 + k0) / 3072 + (12288 + k0) / 12288 + (2048 + k0) / 2048);
  CHECK(h100.gemm_at(Precision::kFP8, out_proj) == Approx(*h100.gemm_fp8 * v));
  CHECK(h100.gemm_at(Precision::kFP8, out_proj) == Approx(0.523).epsilon(3e-3));
  // BF16 GEMMs keep one efficiency (calibrated on the Llama 3 rows, shapes and all).
  CHECK(h100.gemm_at(Precision::kBF16, out_proj) == Approx(0.7));
  // Blackwell has no such term: its FP8 measurement is at k = 1536 already (GB200 3615.6
  // of 5000 at 19456 x 5120 x 1536), nothing says its fixed cost is Hopper's.
  CHECK(default_efficiency(device("B200 (GB200)", 2500, 5000)).gemm_fp8_k0 == 0);
}

}  // namespace
}  // namespace podsim::workloads
