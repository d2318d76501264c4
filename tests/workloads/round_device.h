#pragma once
// A device with round numbers for hand calculations: 1000 TFLOP/s BF16 and FP16, 2000
// FP8, 2 TB/s HBM, 1000 GB, named "test" (so it gets the generic efficiency set).
#include "engine/device.h"

namespace podsim::workloads::testing {

inline engine::DeviceSpec round_device() {
  return {.name = "test",
          .peak_bf16 = engine::FlopRate::tera(1000),
          .peak_fp16 = engine::FlopRate::tera(1000),
          .peak_fp8 = engine::FlopRate::tera(2000),
          .peak_int8 = std::nullopt,
          .hbm_capacity = engine::Bytes::giga(1000),
          .hbm_bandwidth = engine::Bandwidth::gbytes_per_s(2000),
          .tdp_watts = 500};
}

}  // namespace podsim::workloads::testing
