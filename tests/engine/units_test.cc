#include "engine/units.h"

#include <doctest/doctest.h>

#include "engine/device.h"

using namespace podsim::engine;

TEST_CASE("unit helpers and transfer time") {
  // 400 Gb/s line rate = 50 GB/s (hardware.md §1.1: 400 Gbps RoCE per NPU = 50 GB/s).
  CHECK(Bandwidth::gbits_per_s(400).value() == doctest::Approx(50e9));
  // 1 GB over one 50 GB/s NVLink5 link (hardware.md §2.2) takes 20 ms.
  CHECK(seconds_to_transfer(Bytes::giga(1), Bandwidth::gbytes_per_s(50)) == doctest::Approx(0.02));
  Bytes b = Bytes::giga(1) + Bytes::mega(500);
  CHECK(b.value() == doctest::Approx(1.5e9));
  CHECK((b / Bytes::giga(0.5)) == doctest::Approx(3.0));
}

TEST_CASE("a device without FP8 says so") {
  DeviceSpec d{.name = "npu", .peak_bf16 = FlopRate::tera(752), .peak_fp16 = FlopRate::tera(752)};
  CHECK_FALSE(d.peak(Precision::kFP8).has_value());
  CHECK(d.peak(Precision::kBF16)->value() == doctest::Approx(752e12));
}
