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

// Device memory as the management tools report it, in MiB (2^20 B): nvidia-smi / NVML
// "total", npu-smi "HBM-Usage" total. hardware.md §1.5.
constexpr Bytes mib(double m) { return Bytes(m * 1048576.0); }

// The runtime reserve's parts (engine::RuntimeReserve), hardware.md §1.5 where each
// figure's source is given.
// NVIDIA, the driver's "Reserved" in nvidia-smi -q on H100 80GB: 564.06 MiB on GCP and
// Vultr (335.4 on Oracle), thundergolfer.com "Why does an NVIDIA H100 80GB card offer
// 85.52 GB?" (Jan 2025). Not measured on the other GPUs: 0 there.
constexpr Bytes kH100DriverReserved = mib(564.06);
// CUDA context with PyTorch's kernels loaded lazily (CUDA_MODULE_LOADING=LAZY, PyTorch's
// default since 1.13), H100, PyTorch 2.5.1: the same post fills the GPU with 10 KiB
// tensors until it runs out; NVML then counts 84.9283 GB used and PyTorch's allocator
// 84.2845 GB reserved, and the difference is the context: 0.6438 GB. Taken for every
// NVIDIA GPU (no other measurement).
constexpr Bytes kCudaContext = Bytes(84.9283e9 - 84.2845e9);
// PyTorch's cuBLAS and cuBLASLt workspaces, one of each for the compute stream. Compute
// capability 9.x and 10.x: 32 MiB each, cuBLAS's recommendation for Hopper (cuBLAS docs,
// cublasSetWorkspace; PyTorch PRs #89027 and #175344 for cuBLAS, #120925 for cuBLASLt).
// A100 80GB: cuBLAS ":4096:2:16:8" = 2 x 4 MiB + 8 x 16 KiB = 8,519,680 B, cuBLASLt 4 MiB.
constexpr Bytes kHopperWorkspaces = mib(32 + 32);
constexpr Bytes kA100Workspaces = Bytes(2 * 4194304.0 + 8 * 16384.0 + 4194304.0);
// NCCL's buffers for one collective communicator: on each channel the receiving end of
// the ring connection holds one buffer per protocol, sized by NCCL's defaults
// (src/init.cc, computeBuffSizes; constants in src/include/device.h): LL 8 lines x 512
// threads x 8 steps x 16 B = 524,288 B; LL128 120 x 640 threads x 8 steps x 8 B =
// 4,915,200 B; Simple NCCL_BUFFSIZE 4 MiB = 4,194,304 B; 9,633,792 B a channel. Channels:
// 32, what NCCL opens between H100s on NVLink (NVIDIA/nccl issue #1685, NCCL_DEBUG log).
// 32 x 9,633,792 = 308,281,344 B. Tree, NVLS and send/receive buffers are not counted
// (NCCL >= 2.22 connects only the algorithms a job uses, and rings carry the large
// reduce-scatters and all-gathers).
constexpr Bytes kNcclPerCommunicator = Bytes(32 * (8.0 * 512 * 8 * 16 + 120.0 * 640 * 8 * 8 + 4194304.0));
// HCCL: "each communicator occupies 2 x HCCL_BUFFSIZE" for sending and receiving,
// HCCL_BUFFSIZE 200 MB by default (CANN docs, HCCL_BUFFSIZE; the recommended value is
// computed in units of 1024 x 1024 B): 400 MiB per rank.
constexpr Bytes kHcclPerCommunicator = mib(2 * 200);

engine::RuntimeReserve cuda_reserve(Bytes driver, Bytes workspaces) {
  return {.driver = driver, .context = kCudaContext, .workspaces = workspaces, .per_communicator = kNcclPerCommunicator};
}

DeviceSpec with_host_link(DeviceSpec d, double gbytes_per_s_each_way) {
  d.host_write = Bandwidth::gbytes_per_s(gbytes_per_s_each_way);
  d.host_read = Bandwidth::gbytes_per_s(gbytes_per_s_each_way);
  return d;
}

// Ascend 910B (A2) by SKU: FP16 / BF16 / INT8 dense, 64 GB at 1.6 TB/s. hardware.md §1.2,
// [S3] msmodeling device profiles. TDP is not published.
// Memory (hardware.md §1.5): npu-smi reports 65,536 MiB of HBM, of which 3,360-3,369 MiB
// are in use with no process running on 910B3 (vllm-project/vllm-ascend issue #1903):
// the device's own system; 3,369 is kept back. HCCL's buffers per communicator; CANN's
// context and workspaces are not measured (0).
DeviceSpec ascend_910b(const char* name, double fp16, double bf16, double int8) {
  return {.name = name,
          .peak_bf16 = FlopRate::tera(bf16),
          .peak_fp16 = FlopRate::tera(fp16),
          .peak_fp8 = std::nullopt,  // no FP8 unit on Ascend: hardware.md §1.1, [S1] §3.3.1
          .peak_int8 = FlopRate::tera(int8),
          .hbm_capacity = mib(65536),
          .hbm_bandwidth = tbytes_per_s(1.6),
          .tdp_watts = std::nullopt,
          .runtime_reserve = {.driver = mib(3369), .per_communicator = kHcclPerCommunicator}};
}

// NVIDIA tensor cores run FP16 at the BF16 rate; hardware.md §1.3 gives the one 16-bit
// figure for both.
// fp4 0: no FP4 tensor cores (before Blackwell).
// Blackwell (fp4 > 0) also runs MXFP8 at its FP8 rate: its fifth-generation tensor cores
// take the OCP MX formats with their block scales (NVIDIA Blackwell architecture technical
// brief; Transformer Engine's MXFP8BlockScaling recipe needs compute capability 10.0).
// hbm: as nvidia-smi reports it; reserve: hardware.md §1.5.
DeviceSpec nvidia(const char* name, double bf16, double fp8, double int8, Bytes hbm, double hbm_tbps,
                  double watts, engine::RuntimeReserve reserve, double fp4 = 0) {
  DeviceSpec d{.name = name,
          .peak_bf16 = FlopRate::tera(bf16),
          .peak_fp16 = FlopRate::tera(bf16),
          .peak_fp8 = FlopRate::tera(fp8),
          .peak_int8 = FlopRate::tera(int8),
          .peak_fp4 = fp4 > 0 ? std::optional<FlopRate>(FlopRate::tera(fp4)) : std::nullopt,
          .hbm_capacity = hbm,
          .hbm_bandwidth = tbytes_per_s(hbm_tbps),
          .tdp_watts = watts};
  d.mxfp8 = fp4 > 0;
  d.runtime_reserve = reserve;
  return d;
}

// The GH100 SXM parts (H100, H800, H200): the H100's dense peaks (hardware.md §1.3), 700 W,
// PCIe Gen5 to the host, Hopper's library workspaces.
DeviceSpec gh100_sxm(const char* name, Bytes hbm, double hbm_tbps, Bytes driver_reserved) {
  return with_host_link(
      nvidia(name, 989.5, 1979, 1979, hbm, hbm_tbps, 700, cuda_reserve(driver_reserved, kHopperWorkspaces)),
      kPcieGen5x16);
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
    // Memory (hardware.md §1.5): npu-smi shows the package as two chips of 65,536 MiB
    // each, 3,412 and 3,196 MiB of them in use with no process running (Atlas A3,
    // vllm-project/vllm-ascend issue #2082). Each die is its own rank, so HCCL's buffers
    // are held twice per communicator.
    return with_host_link(DeviceSpec{.name = "Ascend 910C",
                                     .peak_bf16 = FlopRate::tera(752),
                                     .peak_fp16 = FlopRate::tera(752),
                                     .peak_fp8 = std::nullopt,
                                     .peak_int8 = FlopRate::tera(1504),
                                     .hbm_capacity = mib(2 * 65536),
                                     .hbm_bandwidth = tbytes_per_s(3.2),
                                     .tdp_watts = std::nullopt,
                                     .runtime_reserve = {.driver = mib(3412 + 3196),
                                                         .per_communicator = 2 * kHcclPerCommunicator}},
                          kCm384CpuSharePerNpu);
  }
  // hardware.md §1.3. H100 SXM5: [S10][S11]. H800: same compute as H100 (third-party, no
  // datasheet [S12]). H20: BF16 148 may be a sparse figure (CONFLICT, §4.7) [S12].
  // B200 (HGX, 1,000 W): 180 GB and 8 TB/s as in DGX B200's 1,440 GB / 64 TB/s [S13]
  // (the GPU row lists 180-192 GB and 7.7-8 TB/s, §4.6). B200 in GB200 (1,200 W): [S9][S14].
  // Memory as nvidia-smi reports it (hardware.md §1.5): H100 80GB 81,559 MiB = 85.52 GB
  // (Modal's table, thundergolfer.com; NVML 85,520,809,984 B); H800 taken as the H100
  // (the same 80 GB HBM3 board; no reading); H200 143,771 MiB (Modal's table); H20's 96 GB
  // is the nominal figure (no reading).
  if (name == "h100") return gh100_sxm("H100 SXM5", mib(81559), 3.35, kH100DriverReserved);
  // H200 SXM: the H100's GH100 die and clocks (same dense peaks) with 141 GB of HBM3e at
  // 4.8 TB/s, 700 W, NVLink4 at 900 GB/s bidir [S43] (docs/hardware.md §1.3).
  if (name == "h200") return gh100_sxm("H200 SXM", mib(143771), 4.8, Bytes(0));
  if (name == "h800") return gh100_sxm("H800 SXM", mib(81559), 3.35, kH100DriverReserved);
  if (name == "h20")
    return with_host_link(
        nvidia("H20", 148, 296, 296, Bytes::giga(96), 4.0, 400, cuda_reserve(Bytes(0), kHopperWorkspaces)),
        kPcieGen5x16);
  // FP4 (NVFP4) dense: GB200 720 PF per NVL72 rack / 72 = 10 PF (hardware.md §2.2, [S9]),
  // twice its FP8 as NVIDIA states for Blackwell (MLPerf Training v5.1 blog, Nov 2025:
  // "FP4 ... at double the rate of FP8"); B200 (HGX) 9 PF, twice its 4.5 PF FP8 on the
  // same grounds (DGX B200's 144 PF FP4 is the sparse figure for 8 GPUs [S13]).
  // Memory (hardware.md §1.5): HGX B200 183,359 MiB = 192.27 GB in nvidia-smi (Vultr's
  // inference cookbook, "Environment Setup", driver 580.105.08); B200 in GB200 186 GB as
  // NVIDIA gives it usable (MLPerf Training v5.1 blog), no nvidia-smi reading cited.
  if (name == "b200")
    return nvidia("B200", 2250, 4500, 4500, mib(183359), 8.0, 1000, cuda_reserve(Bytes(0), kHopperWorkspaces), 9000);
  if (name == "gb200")
    return with_host_link(nvidia("B200 (GB200)", 2500, 5000, 5000, Bytes::giga(186), 8.0, 1200,
                                 cuda_reserve(Bytes(0), kHopperWorkspaces), 10000),
                          kGraceC2cPerGpu);
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
    return with_host_link(nvidia("B300 (GB300)", 2500, 5000, 165, Bytes::giga(279), 8.0, 1400,
                                 cuda_reserve(Bytes(0), kHopperWorkspaces), 15000),
                          kGraceC2cPerGpu);
  // A100 SXM4 80GB, for the published A100 runs (docs/validation-sources.md): 312 TF
  // dense BF16/FP16 (calibration.md, "Peak dense FLOP/s"); 624 TOPS INT8, 80 GB HBM2e at
  // 2.039 TB/s, 400 W (NVIDIA A100 datasheet). No FP8 units.
  // nvidia-smi: 81,920 MiB = 85.90 GB (Modal's table, hardware.md §1.5).
  if (name == "a100") {
    DeviceSpec d = with_host_link(
        nvidia("A100 SXM4 80GB", 312, 0, 624, mib(81920), 2.039, 400, cuda_reserve(Bytes(0), kA100Workspaces)),
        kPcieGen5x16 / 2);
    d.peak_fp8 = std::nullopt;
    return d;
  }
  return std::nullopt;
}

}  // namespace podsim::topologies
