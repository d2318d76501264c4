#include "topologies/device_catalog.h"

namespace podsim::topologies {
namespace {

using engine::Bandwidth;
using engine::Bytes;
using engine::DeviceSpec;
using engine::FlopRate;

constexpr Bandwidth tbytes_per_s(double t) { return Bandwidth::gbytes_per_s(t * 1e3); }

// Host links per device, per direction, every device of the node transferring at once
// (docs/hardware.md §1.4, where the arithmetic is shown).
// PCIe Gen5 x16: 32 GT/s x 16 lanes x 128/130 / 8 = 63.0 GB/s each way (theoretical; no
// measurement in hardware.md). Gen4 x16: half.
constexpr double kPcieGen5x16 = 32.0 * 16 * 128 / 130 / 8;
// GB200 / GB300 superchip: NVLink-C2C, 900 GB/s both ways together between the Grace CPU
// and its two GPUs ([S9]): 450 GB/s each way, shared by the two GPUs: 225 each.
constexpr double kGraceC2cPerGpu = 900.0 / 2 / 2;
// CloudMatrix384 node: 4 Kunpeng CPUs of ~160 GB/s/dir of UB each serve 8 NPUs, 80 GB/s
// per NPU each way when all transfer at once; the NPU side (per die 151 read / 110 write
// measured inside a node, 2 dies: 302 / 220) is not the limit. hardware.md §2.1, §3.1.
constexpr double kCm384CpuSharePerNpu = 4 * 160.0 / 8;

DeviceSpec with_host_link(DeviceSpec d, double gbytes_per_s_each_way) {
  d.host_write = Bandwidth::gbytes_per_s(gbytes_per_s_each_way);
  d.host_read = Bandwidth::gbytes_per_s(gbytes_per_s_each_way);
  return d;
}

// Ascend 910B (A2) by SKU: FP16 / BF16 / INT8 dense, 64 GB at 1.6 TB/s. hardware.md §1.2,
// [S3] msmodeling device profiles. TDP is not published.
DeviceSpec ascend_910b(const char* name, double fp16, double bf16, double int8) {
  return {.name = name,
          .peak_bf16 = FlopRate::tera(bf16),
          .peak_fp16 = FlopRate::tera(fp16),
          .peak_fp8 = std::nullopt,  // no FP8 unit on Ascend: hardware.md §1.1, [S1] §3.3.1
          .peak_int8 = FlopRate::tera(int8),
          .hbm_capacity = Bytes::giga(64),
          .hbm_bandwidth = tbytes_per_s(1.6),
          .tdp_watts = std::nullopt};
}

// NVIDIA tensor cores run FP16 at the BF16 rate; hardware.md §1.3 gives the one 16-bit
// figure for both.
// fp4 0: no FP4 tensor cores (before Blackwell).
// Blackwell (fp4 > 0) also runs MXFP8 at its FP8 rate: its fifth-generation tensor cores
// take the OCP MX formats with their block scales (NVIDIA Blackwell architecture technical
// brief; Transformer Engine's MXFP8BlockScaling recipe needs compute capability 10.0).
DeviceSpec nvidia(const char* name, double bf16, double fp8, double int8, double hbm_gb, double hbm_tbps,
                  double watts, double fp4 = 0) {
  DeviceSpec d{.name = name,
          .peak_bf16 = FlopRate::tera(bf16),
          .peak_fp16 = FlopRate::tera(bf16),
          .peak_fp8 = FlopRate::tera(fp8),
          .peak_int8 = FlopRate::tera(int8),
          .peak_fp4 = fp4 > 0 ? std::optional<FlopRate>(FlopRate::tera(fp4)) : std::nullopt,
          .hbm_capacity = Bytes::giga(hbm_gb),
          .hbm_bandwidth = tbytes_per_s(hbm_tbps),
          .tdp_watts = watts};
  d.mxfp8 = fp4 > 0;
  return d;
}

}  // namespace

const std::vector<std::string>& device_names() {
  static const std::vector<std::string> kNames = {"910b", "910b-313t", "910b-280t", "910c", "h100",  "h200",
                                                  "h800", "h20",       "b200",      "gb200", "gb300", "a100"};
  return kNames;
}

std::optional<DeviceSpec> find_device(std::string_view name) {
  // hardware.md §1.2, [S3]: SKUs A2_376T, A2_313T, A2_280T.
  if (name == "910b") return ascend_910b("Ascend 910B", 376, 353.9, 752);
  if (name == "910b-313t") return ascend_910b("Ascend 910B (313T)", 313, 294.9, 626);
  if (name == "910b-280t") return ascend_910b("Ascend 910B (280T)", 280, 245.8, 560);
  if (name == "910c") {
    // Per package of 2 dies. hardware.md §1.1: FP16 752 TFLOPS ([S3] 376 per die, [S7]);
    // BF16 is a CONFLICT (707.8 [S3], 752 [S7], 780 [S6]): 752 is the base case (§4.2),
    // override peak_bf16 for the others. INT8 ~1,504 TOPS ([S3], matches [S1] Tables 3-4).
    // 128 GB HBM at 3.2 TB/s: [S1] §3.3.1. TDP unpublished.
    return with_host_link(DeviceSpec{.name = "Ascend 910C",
                                     .peak_bf16 = FlopRate::tera(752),
                                     .peak_fp16 = FlopRate::tera(752),
                                     .peak_fp8 = std::nullopt,
                                     .peak_int8 = FlopRate::tera(1504),
                                     .hbm_capacity = Bytes::giga(128),
                                     .hbm_bandwidth = tbytes_per_s(3.2),
                                     .tdp_watts = std::nullopt},
                          kCm384CpuSharePerNpu);
  }
  // hardware.md §1.3. H100 SXM5: [S10][S11]. H800: same compute as H100 (third-party, no
  // datasheet [S12]). H20: BF16 148 may be a sparse figure (CONFLICT, §4.7) [S12].
  // B200 (HGX, 1,000 W): 180 GB and 8 TB/s as in DGX B200's 1,440 GB / 64 TB/s [S13]
  // (the GPU row lists 180-192 GB and 7.7-8 TB/s, §4.6). B200 in GB200 (1,200 W): [S9][S14].
  if (name == "h100") return with_host_link(nvidia("H100 SXM5", 989.5, 1979, 1979, 80, 3.35, 700), kPcieGen5x16);
  // H200 SXM: the H100's GH100 die and clocks (same dense peaks) with 141 GB of HBM3e at
  // 4.8 TB/s, 700 W, NVLink4 at 900 GB/s bidir [S43] (docs/hardware.md §1.3).
  if (name == "h200") return with_host_link(nvidia("H200 SXM", 989.5, 1979, 1979, 141, 4.8, 700), kPcieGen5x16);
  if (name == "h800") return with_host_link(nvidia("H800 SXM", 989.5, 1979, 1979, 80, 3.35, 700), kPcieGen5x16);
  if (name == "h20") return with_host_link(nvidia("H20", 148, 296, 296, 96, 4.0, 400), kPcieGen5x16);
  // FP4 (NVFP4) dense: GB200 720 PF per NVL72 rack / 72 = 10 PF (hardware.md §2.2, [S9]),
  // twice its FP8 as NVIDIA states for Blackwell (MLPerf Training v5.1 blog, Nov 2025:
  // "FP4 ... at double the rate of FP8"); B200 (HGX) 9 PF, twice its 4.5 PF FP8 on the
  // same grounds (DGX B200's 144 PF FP4 is the sparse figure for 8 GPUs [S13]).
  if (name == "b200") return nvidia("B200", 2250, 4500, 4500, 180, 8.0, 1000, 9000);
  if (name == "gb200")
    return with_host_link(nvidia("B200 (GB200)", 2500, 5000, 5000, 186, 8.0, 1200, 10000), kGraceC2cPerGpu);
  // Blackwell Ultra in GB300 NVL72 (not in hardware.md; NVIDIA's own figures):
  // - NVIDIA Technical Blog, "Inside NVIDIA Blackwell Ultra: The Chip Powering the AI
  //   Factory Era" (developer.nvidia.com, Aug 2025): 15 PF dense NVFP4, 288 GB HBM3E at
  //   8 TB/s, NVLink 5 at 1.8 TB/s bidir (the GB200's 900 GB/s/dir, so nvl72's links).
  // - NVIDIA GB300 NVL72 product page (rack, sparse): FP8 720 PF, BF16 360 PF, INT8 23
  //   POPS -> per GPU dense 5 PF FP8, 2.5 PF BF16 (as GB200), ~160 TOPS INT8; the
  //   per-GPU dense table of Verda's "GB300 NVL72 architecture" post agrees (5 / 2.5 /
  //   15 PF, 0.165 POPS).
  // - NVIDIA MLPerf Training v5.1 blog (Nov 2025): "279 GB of HBM3e" per GPU, used here as
  //   the usable capacity (GB200's 186 of 192 likewise); 1,400 W per GPU (dev blog).
  if (name == "gb300")
    return with_host_link(nvidia("B300 (GB300)", 2500, 5000, 165, 279, 8.0, 1400, 15000), kGraceC2cPerGpu);
  // A100 SXM4 80GB, for the published A100 runs (docs/validation-sources.md): 312 TF
  // dense BF16/FP16 (calibration.md, "Peak dense FLOP/s"); 624 TOPS INT8, 80 GB HBM2e at
  // 2.039 TB/s, 400 W (NVIDIA A100 datasheet). No FP8 units.
  if (name == "a100") {
    DeviceSpec d = with_host_link(nvidia("A100 SXM4 80GB", 312, 0, 624, 80, 2.039, 400), kPcieGen5x16 / 2);
    d.peak_fp8 = std::nullopt;
    return d;
  }
  return std::nullopt;
}

}  // namespace podsim::topologies
