// Activation offload (Plan::activation_offload): the memory it saves and the transfer
// time it exposes, each against a hand calculation.
#include <doctest/doctest.h>

#include "engine/error.h"
#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/round_device.h"
#include "tests/workloads/small_gpt.h"
#include "workloads/accounting.h"
#include "workloads/memory.h"
#include "workloads/parallel_plan.h"
#include "workloads/planner.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using doctest::Approx;
using engine::Bandwidth;
using engine::DeviceId;
using engine::SimTime;

using testing::small_gpt;  // tests/workloads/small_gpt.h

// Per layer and micro-batch (memory.h, Korthikanti et al. 2022 without dropout, with
// FlashAttention): 32 h + 4 a bytes per token = 65,600, x 2048 tokens.
constexpr double kLayerBytes = 2048.0 * (32 * 2048 + 4 * 16);

engine::DeviceSpec with_link(double write_gbps, double read_gbps) {
  engine::DeviceSpec d = testing::round_device();
  d.host_write = Bandwidth::gbytes_per_s(write_gbps);
  d.host_read = Bandwidth::gbytes_per_s(read_gbps);
  return d;
}

TEST_CASE("activation offload: the offloaded layers leave the device, two layers stage the copies") {
  const ModelSpec m = small_gpt();
  Plan p{.micro_batch = 1, .global_batch = 1};
  const MemoryBreakdown base = memory_per_stage(m, p)[0];
  CHECK(layer_activation_bytes(m, p, 3).value() == Approx(kLayerBytes));
  // Half of the 16 layers: 8 x 134.3 MB go to host memory, 2 stay as the staging area.
  p.activation_offload = 0.5;
  CHECK(p.offloaded_layers(16) == 8);
  const MemoryBreakdown half = memory_per_stage(m, p)[0];
  CHECK(half.activations.value() == Approx(base.activations.value() - 8 * kLayerBytes + 2 * kLayerBytes));
  CHECK(half.offloaded.value() == Approx(8 * kLayerBytes));
  // All of them: only the embedding and head activations and the staging area remain.
  p.activation_offload = 1;
  const MemoryBreakdown all = memory_per_stage(m, p)[0];
  CHECK(all.activations.value() == Approx(base.activations.value() - 14 * kLayerBytes));
  CHECK(all.offloaded.value() == Approx(16 * kLayerBytes));
  CHECK(all.weights == base.weights);
  // Rounded to whole layers of each chunk: 0.3 of 16 is 5 (4.8).
  p.activation_offload = 0.3;
  CHECK(p.offloaded_layers(16) == 5);
}

TEST_CASE("activation offload: the transfer beyond the layer's compute is exposed, the rest hidden") {
  // One device, one micro-batch, GEMM and attention at half of 1000 TFLOP/s, memory-bound
  // ops free. A layer's forward takes fw = its FLOPs / 500e12, its backward 2 fw. Host
  // link 10 GB/s out, 20 GB/s back: per offloaded layer max(0, A/10e9 - fw) in forward
  // and max(0, A/20e9 - 2 fw) in backward, A = 134,348,800 bytes.
  const ModelSpec m = small_gpt();
  const engine::testing::Crossbar fabric(1, Bandwidth::gbytes_per_s(1e9), SimTime::zero());
  const StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {},
                      .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .source = "test"},
                      .dp_buckets = 4, .watts_per_device = std::nullopt};
  Plan p{.micro_batch = 1, .global_batch = 1};
  double layer_flops = 0;
  for (const OpBlock& b : forward_ops(m, p.shard()))
    if (b.is_layer) layer_flops = forward_flops(std::vector<OpBlock>{b}) / b.repeat;
  const double fw = layer_flops / 500e12;
  const std::vector<DeviceId> place{DeviceId{0}};
  auto job = [&](const Plan& plan) {
    return TrainingJob{.name = "t", .arrival_s = 0, .model = m, .plan = plan, .devices = 1, .budget = {}};
  };
  const engine::DeviceSpec slow = with_link(10, 20);
  const StepResult base = simulate_step(job(p), place, slow, fabric, o);
  CHECK(base.offload_s == 0);
  p.activation_offload = 0.5;
  const StepResult r = simulate_step(job(p), place, slow, fabric, o);
  const double out = kLayerBytes / 10e9 - fw, back = kLayerBytes / 20e9 - 2 * fw;
  REQUIRE(out > 0);
  REQUIRE(back > 0);
  CHECK(r.offload_s == Approx(8 * (out + back)));
  CHECK(r.step_s == Approx(base.step_s + 8 * (out + back)).epsilon(1e-6));
  CHECK(r.compute_s == Approx(base.compute_s).epsilon(1e-6));
  CHECK(r.bottleneck == "activation offload");
  // A link fast enough to hide every copy under its layer's compute: nothing exposed.
  const StepResult hidden = simulate_step(job(p), place, with_link(1e4, 1e4), fabric, o);
  REQUIRE(kLayerBytes / 1e13 < fw);
  CHECK(hidden.offload_s == 0);
  CHECK(hidden.step_s == Approx(base.step_s).epsilon(1e-6));
}

TEST_CASE("activation offload is checked: a fraction 0..1, a device with a host link") {
  const ModelSpec m = small_gpt();
  Plan p{.micro_batch = 1, .global_batch = 1, .activation_offload = 1.5};
  bool named = false;
  for (const FieldProblem& fp : check(m, p)) named |= fp.field == "activation_offload";
  CHECK(named);
  p.activation_offload = 0.5;
  CHECK(check(m, p).empty());
  CHECK(offload_problem(p, testing::round_device()) ==
        "activation_offload: device test has no host-link bandwidth in podsim's catalog (docs/hardware.md §1.4); "
        "set it to 0");
  CHECK_FALSE(offload_problem(p, with_link(63, 63)).has_value());
  const engine::testing::Crossbar fabric(1, Bandwidth::gbytes_per_s(1e9), SimTime::zero());
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = 1, .budget = {}};
  CHECK_THROWS_AS(simulate_step(job, std::vector<DeviceId>{DeviceId{0}}, testing::round_device(), fabric), UserError);
  // The planner keeps it as a framework field.
  PlanSearch q;
  q.keep_framework_of(p);
  CHECK(q.activation_offload == 0.5);
}

}  // namespace
}  // namespace podsim::workloads
