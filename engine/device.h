#pragma once
// DeviceSpec: what the engine and the workload models need to know about one
// accelerator (a GPU, or an NPU package), as plain data. The named catalog of real
// devices, with sources, lives in topologies/ (device_catalog.h); workloads take a
// DeviceSpec and never a name.
#include <optional>
#include <string>

#include "engine/units.h"

namespace podsim::engine {

// kFP4: NVFP4 (E2M1 elements, an E4M3 scale per 16, an FP32 scale per tensor: NVIDIA
// Blackwell tensor cores). kMXFP8: OCP Microscaling FP8 (E4M3/E5M2 elements, one E8M0
// power-of-two scale per block of 32 along the dot product), which Blackwell's tensor
// cores apply in the MMA at the FP8 rate; Hopper's FP8 takes one scale per tensor.
enum class Precision { kBF16, kFP16, kFP8, kINT8, kFP4, kMXFP8 };
const char* to_string(Precision p);

// Device memory the software stack holds outside the model's tensors, by part, so a plan
// is checked against what a training process can actually use (docs/hardware.md §1.5).
// The catalog fills it per device from measured or documented figures; a part nobody has
// measured is 0 and says so there. All zero: nothing held back (hand-made test devices).
struct RuntimeReserve {
  Bytes driver;      // held at idle by the driver or the device's firmware, out of the reported total
  Bytes context;     // the runtime's context on the device (the CUDA context with the framework's kernels)
  Bytes workspaces;  // math-library workspaces for the compute stream (cuBLAS, cuBLASLt)
  // The collective library's buffers for one collective communicator (NCCL ring
  // buffers, HCCL's send and receive buffers); the fit check counts the plan's.
  Bytes per_communicator;
  // The whole reserve as a scenario sets it (DeviceOverrides.runtime_reserve_gbytes);
  // the parts above are then not used.
  std::optional<Bytes> total;
};

struct DeviceSpec {
  std::string name;
  // Dense peaks (no 2:4 sparsity). nullopt: the device has no such unit (e.g. FP8 on
  // Ascend 910B/910C), and a plan asking for it is rejected.
  FlopRate peak_bf16;
  FlopRate peak_fp16;
  std::optional<FlopRate> peak_fp8;
  std::optional<FlopRate> peak_int8;
  std::optional<FlopRate> peak_fp4;  // NVFP4; Blackwell only
  // Device memory as the driver reports it (nvidia-smi / NVML total, npu-smi HBM total),
  // not the marketing round number (docs/hardware.md §1.5).
  Bytes hbm_capacity;
  Bandwidth hbm_bandwidth;
  // Board power; nullopt where unpublished (Ascend 910C).
  std::optional<double> tdp_watts;
  // The host link (device <-> CPU memory) per direction, per device while every device
  // of its node uses its link at once (what activation offload does): host_write for
  // device to host, host_read for host to device. nullopt: unpublished, and a plan
  // that offloads is refused. docs/hardware.md §1.4.
  std::optional<Bandwidth> host_write;
  std::optional<Bandwidth> host_read;
  // Block-scaled FP8 (MXFP8) in the tensor cores, at the FP8 peak: Blackwell (B200,
  // GB200, GB300). false: MXFP8 plans are refused (Hopper, Ampere, Ascend).
  bool mxfp8 = false;
  // What the software stack keeps of hbm_capacity; see RuntimeReserve.
  RuntimeReserve runtime_reserve;

  // The dense peak for `p`, or nullopt if the device lacks it.
  std::optional<FlopRate> peak(Precision p) const {
    switch (p) {
      case Precision::kBF16: return peak_bf16;
      case Precision::kFP16: return peak_fp16;
      case Precision::kFP8: return peak_fp8;
      case Precision::kINT8: return peak_int8;
      case Precision::kFP4: return peak_fp4;
      case Precision::kMXFP8: return mxfp8 ? peak_fp8 : std::nullopt;
    }
    return std::nullopt;
  }
};

inline const char* to_string(Precision p) {
  switch (p) {
    case Precision::kBF16: return "BF16";
    case Precision::kFP16: return "FP16";
    case Precision::kFP8: return "FP8";
    case Precision::kINT8: return "INT8";
    case Precision::kFP4: return "NVFP4";
    case Precision::kMXFP8: return "MXFP8";
  }
  return "?";
}

}  // namespace podsim::engine
