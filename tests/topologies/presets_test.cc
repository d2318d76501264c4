// Each preset against docs/hardware.md, measured on the graph: injection by
// max-flow from one device to the rest of its pod, bisection by max-flow between the
// two halves of the devices, diameter by shortest paths. Every expected number is
// derived beside its check from the sourced figures, not from the builder's arithmetic.
#include <doctest/doctest.h>

#include "topologies/analysis.h"
#include "topologies/build.h"
#include "topologies/device_catalog.h"

using namespace podsim::topologies;
using podsim::engine::Bandwidth;

namespace {

double gbps(Bandwidth b) { return b.value() / 1e9; }
double tbps(Bandwidth b) { return b.value() / 1e12; }

}  // namespace

TEST_CASE("cloudmatrix384: 384 NPUs of 2 dies, 392 GB/s each, 75.3 TB/s bisection, 3 switch hops") {
  const Cluster c = build_preset("cloudmatrix384");
  const Summary s = summarize(c);
  // 48 nodes x 8 NPUs; 768 dies; 48 x 7 L1 + 7 x 16 L2 = 336 + 112 switches [S1] §3.3.
  CHECK(s.devices == 384);
  CHECK(s.die_vertices == 768);
  CHECK(s.switches_by_role.at("UB L1") == 336);
  CHECK(s.switches_by_role.at("UB L2") == 112);
  CHECK(s.cpus == 192);  // [S1] §3.2
  CHECK(s.racks == 12);
  // UB cables: 768 dies x 7 + 336 L1 x 16 = 5,376 + 5,376 (the 5,376 "scale-up" optics
  // of hardware.md §4.4 count one side), + 384 SIO + 192 CPUs x 7.
  CHECK(s.cables == 768 * 7 + 336 * 16 + 384 + 192 * 7);

  // Injection: 2 dies x 7 links x 28 GB/s = 392 GB/s per NPU per direction [S1] §3.3.2.
  for (DeviceIndex d : {0u, 200u, 383u}) {
    CHECK(gbps(injection(c, c.detailed(), d)) == doctest::Approx(392));
    CHECK(gbps(c.devices()[d].scale_up_bandwidth) == doctest::Approx(392));
  }
  // Bisection: 192 NPUs x 392 = 75,264 GB/s; the L2 tier is not the cut because each
  // node's uplink is 7 x 16 x 28 = 3,136 GB/s = 8 x 392 (hardware.md §2.1).
  CHECK(tbps(bisection(c.detailed())) == doctest::Approx(75.264));
  CHECK(tbps(s.bisection) == doctest::Approx(75.264));
  // Diameter: die -> L1 -> L2 -> L1 -> die.
  CHECK(s.diameter.switch_hops == 3);
  CHECK(s.diameter.exact);
  // 384 x 752 TFLOPS = 288.8 PF BF16; no FP8. HBM: Huawei's 49.2 TB is 384 x 128 GB
  // (hardware.md §2.1); npu-smi reports 2 x 65,536 MiB per package (§1.5):
  // 384 x 137.438953472 GB = 52.78 TB.
  CHECK(s.bf16.value() / 1e15 == doctest::Approx(288.768));
  CHECK(s.devices_without_fp8 == 384);
  CHECK(s.hbm.value() / 1e12 == doctest::Approx(384 * 2 * 65536 * 1048576.0 / 1e12));
  CHECK(s.hbm.value() / 1e12 == doctest::Approx(52.7766).epsilon(1e-5));
  CHECK(s.power_watts == doctest::Approx(559e3));
}

TEST_CASE("nvl72: 900 GB/s per GPU, 32.4 TB/s bisection, 1 switch hop") {
  const Cluster c = build_preset("nvl72");
  const Summary s = summarize(c);
  CHECK(s.devices == 72);
  CHECK(s.nodes == 18);
  CHECK(s.switches == 18);
  CHECK(s.cables == 72 * 18);  // 1,296 GPU-switch links (hardware.md §2.2)
  // 18 links x 50 GB/s [S24].
  CHECK(gbps(injection(c, c.detailed(), 5)) == doctest::Approx(900));
  // 36 x 900 = 32.4 TB/s (hardware.md §2.2).
  CHECK(tbps(bisection(c.detailed())) == doctest::Approx(32.4));
  CHECK(tbps(s.bisection) == doctest::Approx(32.4));
  CHECK(s.diameter.switch_hops == 1);
  // 72 x 2.5 PF = 180 PF BF16 dense [S9].
  CHECK(s.bf16.value() / 1e15 == doctest::Approx(180));
  CHECK(s.fp8.value() / 1e15 == doctest::Approx(360));
}

TEST_CASE("nvl36x2: same per-GPU bandwidth and bisection as NVL72, one more switch hop") {
  const Cluster c = build_preset("nvl36x2");
  const Summary s = summarize(c);
  CHECK(s.devices == 72);
  CHECK(s.racks == 2);
  CHECK(s.switches == 36);  // twice NVL72's (hardware.md §2.3)
  CHECK(gbps(injection(c, c.detailed(), 40)) == doctest::Approx(900));
  // Cross-rack cables: 18 chip pairs x 36 x 50 GB/s = 32.4 TB/s = 36 x 900: non-blocking.
  CHECK(tbps(bisection(c.detailed())) == doctest::Approx(32.4));
  CHECK(s.diameter.switch_hops == 2);
}

TEST_CASE("nvl576 (hypothetical): 576 GPUs, non-blocking second tier") {
  const Cluster c = build_preset("nvl576");
  const Summary s = summarize(c);
  CHECK(s.hypothetical);
  CHECK(s.devices == 576);
  CHECK(s.switches_by_role.at("NVSwitch L1") == 8 * 18);
  CHECK(s.switches_by_role.at("NVSwitch L2") == 18 * 8);
  CHECK(gbps(injection(c, c.detailed(), 300)) == doctest::Approx(900));
  // 288 x 900 = 259.2 TB/s if non-blocking (hardware.md §2.4).
  CHECK(tbps(s.bisection) == doctest::Approx(259.2));
  CHECK(s.diameter.switch_hops == 3);
}

TEST_CASE("HGX boards: per-GPU NVLink and in-node bisection") {
  struct Case {
    const char* preset;
    double per_gpu_gbps;
    size_t switches;
  };
  // H100/H200/H20: 18 x 25 = 450 [S10][S43]; H800: 200 [S20][S21]; B200: 900, 2 chips
  // [S13]; A100: 12 x 25 = 300 over 6 NVSwitch2 chips [S44].
  for (const Case& k : {Case{"hgx-h100", 450, 4}, Case{"hgx-h200", 450, 4}, Case{"hgx-h800", 200, 4},
                        Case{"hgx-h20", 450, 4}, Case{"hgx-b200", 900, 2}, Case{"hgx-a100", 300, 6}}) {
    CAPTURE(k.preset);
    const Cluster c = build_preset(k.preset);
    const Summary s = summarize(c);
    CHECK(s.devices == 8);
    CHECK(s.switches == k.switches);
    CHECK(gbps(injection(c, c.detailed(), 3)) == doctest::Approx(k.per_gpu_gbps));
    // In-node bisection 4 x per-GPU (hardware.md §2.6: 1.8 TB/s H100, 3.6 TB/s B200).
    CHECK(gbps(bisection(c.detailed())) == doctest::Approx(4 * k.per_gpu_gbps));
    CHECK(s.diameter.switch_hops == 1);
  }
  // 8 x 989.5 = 7.9 PF BF16 dense per H100 node (hardware.md §2.6); 10.2 kW [S31].
  const Summary h100 = summarize(build_preset("hgx-h100"));
  CHECK(h100.bf16.value() / 1e15 == doctest::Approx(7.916));
  CHECK(h100.power_watts == doctest::Approx(10.2e3));
  // H200: the H100's peaks, 141 GB each (1,128 GB per server) [S43]. A100: 8 x 312 = 2.5
  // PF BF16 dense, 640 GB, 6.5 kW (DGX A100) [S44]. HBM as nvidia-smi reports it
  // (hardware.md §1.5): 8 x 143,771 MiB = 1,206.0 GB; 8 x 81,920 MiB = 687.2 GB.
  const Summary h200 = summarize(build_preset("hgx-h200"));
  CHECK(h200.bf16.value() / 1e15 == doctest::Approx(7.916));
  CHECK(h200.hbm.value() / 1e9 == doctest::Approx(8 * 143771 * 1048576.0 / 1e9));
  CHECK(h200.hbm.value() / 1e9 == doctest::Approx(1206.04).epsilon(1e-5));
  const Summary a100 = summarize(build_preset("hgx-a100"));
  CHECK(a100.bf16.value() / 1e15 == doctest::Approx(2.496));
  CHECK(a100.hbm.value() / 1e9 == doctest::Approx(8 * 81920 * 1048576.0 / 1e9));
  CHECK(a100.hbm.value() / 1e9 == doctest::Approx(687.195).epsilon(1e-5));
  CHECK(a100.power_watts == doctest::Approx(6.5e3));
}

TEST_CASE("atlas-800t-a2: HCCS full mesh, 196 GB/s per NPU, 28 GB/s per pair, no switch") {
  const Cluster c = build_preset("atlas-800t-a2");
  const Summary s = summarize(c);
  CHECK(s.devices == 8);
  CHECK(s.switches == 0);
  CHECK(gbps(injection(c, c.detailed(), 0)) == doctest::Approx(196));  // 7 x 28 [S3]
  // A single pair: one link (hardware.md §1.2: ~1/7 of the aggregate).
  const DeviceIndex zero[] = {0}, one[] = {1};
  CHECK(gbps(max_flow(c.detailed(), zero, one)) == doctest::Approx(28));
  // Halves of 4: 4 x 4 cross pairs x 28 = 448 GB/s.
  CHECK(gbps(bisection(c.detailed())) == doctest::Approx(448));
  CHECK(s.diameter.switch_hops == 0);
  CHECK(s.devices_without_power == 8);  // 910B TDP unpublished
}

TEST_CASE("the device catalog carries hardware.md's figures") {
  const auto h100 = *find_device("h100");
  CHECK(h100.peak_bf16.value() == doctest::Approx(989.5e12));
  CHECK(h100.hbm_capacity.value() == 85520809984.0);  // nvidia-smi 81,559 MiB (hardware.md §1.5)
  const auto c910 = *find_device("910c");
  CHECK(!c910.peak_fp8.has_value());
  CHECK(c910.peak_int8->value() == doctest::Approx(1504e12));
  CHECK(!c910.tdp_watts.has_value());
  CHECK(find_device("gb200")->tdp_watts == 1200);
  // NVFP4 dense: GB200 NVL72 720 PF / 72 GPUs (hardware.md §2.2); GB300 15 PF (NVIDIA,
  // "Inside NVIDIA Blackwell Ultra"), 3x its 5 PF FP8 as NVIDIA's MLPerf v5.1 blog says.
  CHECK(find_device("gb200")->peak_fp4->value() == doctest::Approx(720e15 / 72));
  CHECK(find_device("gb300")->peak_fp4->value() == doctest::Approx(3 * find_device("gb300")->peak_fp8->value()));
  CHECK(find_device("gb300")->hbm_capacity.value() == doctest::Approx(279e9));
  CHECK(!h100.peak_fp4.has_value());
  CHECK(!find_device("a100")->peak_fp4.has_value());
  CHECK(find_device("h20")->hbm_capacity.value() == doctest::Approx(96e9));
  CHECK(!find_device("tpu-v5").has_value());
  for (const std::string& name : device_names()) CHECK(find_device(name).has_value());
}

TEST_CASE("device memory is the driver's total, and the runtime reserve's parts are their sources' figures") {
  // hardware.md §1.5. Capacities: the management tools' totals in MiB x 1,048,576.
  const double MiB = 1048576;
  CHECK(find_device("h100")->hbm_capacity.value() == 81559 * MiB);  // 85,520,809,984 B = NVML's total [S48]
  CHECK(find_device("h100")->hbm_capacity.value() == 85520809984.0);
  CHECK(find_device("h800")->hbm_capacity.value() == 81559 * MiB);   // taken as the H100
  CHECK(find_device("h200")->hbm_capacity.value() == 143771 * MiB);  // 150.75 GB [S48]
  CHECK(find_device("a100")->hbm_capacity.value() == 81920 * MiB);   // 85.90 GB [S48]
  CHECK(find_device("b200")->hbm_capacity.value() == 183359 * MiB);  // 192.27 GB, Vultr [S49]
  CHECK(find_device("gb200")->hbm_capacity.value() == 186e9);        // NVIDIA's figure, no reading cited
  CHECK(find_device("910b")->hbm_capacity.value() == 65536 * MiB);   // 68.72 GB, npu-smi [S51]
  CHECK(find_device("910b-280t")->hbm_capacity.value() == 65536 * MiB);
  CHECK(find_device("910c")->hbm_capacity.value() == 2 * 65536 * MiB);  // two chips of 65,536 MiB [S53]

  const auto h100 = find_device("h100")->runtime_reserve;
  CHECK(h100.driver.value() == doctest::Approx(564.06 * MiB));  // nvidia-smi -q "Reserved", GCP/Vultr [S48]
  CHECK(h100.driver.value() == doctest::Approx(0.5915e9).epsilon(1e-3));
  // NVML's 84.9283 GB in use less PyTorch's 84.2845 GB reserved [S48].
  CHECK(h100.context.value() == doctest::Approx(0.6438e9));
  CHECK(h100.workspaces.value() == 64 * MiB);  // cuBLAS 32 MiB + cuBLASLt 32 MiB on Hopper [S55]
  // NCCL per channel: LL 8 x 512 x 8 x 16 = 524,288 + LL128 120 x 640 x 8 x 8 = 4,915,200
  // + Simple 4,194,304 = 9,633,792 B; x 32 channels = 308,281,344 B.
  CHECK(h100.per_communicator.value() == 308281344.0);
  CHECK(!h100.total.has_value());
  const auto a100 = find_device("a100")->runtime_reserve;
  CHECK(a100.driver.value() == 0);                                   // not measured
  CHECK(a100.workspaces.value() == 8519680.0 + 4 * MiB);             // :4096:2:16:8 + 4 MiB cuBLASLt
  CHECK(find_device("gb200")->runtime_reserve.workspaces.value() == 64 * MiB);  // compute capability 10
  const auto b910 = find_device("910b")->runtime_reserve;
  CHECK(b910.driver.value() == 3369 * MiB);                          // npu-smi idle, 910B3 [S51]
  CHECK(b910.context.value() == 0);                                  // CANN's: not measured
  CHECK(b910.per_communicator.value() == 400 * MiB);                 // 2 x HCCL_BUFFSIZE 200 [S57]
  const auto c910 = find_device("910c")->runtime_reserve;
  CHECK(c910.driver.value() == (3412 + 3196) * MiB);                 // 6.93 GB, both chips [S53]
  CHECK(c910.per_communicator.value() == 2 * 400 * MiB);             // two ranks per package
}
