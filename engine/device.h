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
// Blackwell tensor cores).
enum class Precision { kBF16, kFP16, kFP8, kINT8, kFP4 };
const char* to_string(Precision p);

struct DeviceSpec {
  std::string name;
  // Dense peaks (no 2:4 sparsity). nullopt: the device has no such unit (e.g. FP8 on
  // Ascend 910B/910C), and a plan asking for it is rejected.
  FlopRate peak_bf16;
  FlopRate peak_fp16;
  std::optional<FlopRate> peak_fp8;
  std::optional<FlopRate> peak_int8;
  std::optional<FlopRate> peak_fp4;  // NVFP4; Blackwell only
  Bytes hbm_capacity;
  Bandwidth hbm_bandwidth;
  // Board power; nullopt where unpublished (Ascend 910C).
  std::optional<double> tdp_watts;

  // The dense peak for `p`, or nullopt if the device lacks it.
  std::optional<FlopRate> peak(Precision p) const {
    switch (p) {
      case Precision::kBF16: return peak_bf16;
      case Precision::kFP16: return peak_fp16;
      case Precision::kFP8: return peak_fp8;
      case Precision::kINT8: return peak_int8;
      case Precision::kFP4: return peak_fp4;
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
  }
  return "?";
}

}  // namespace podsim::engine
