// DualPipe (DeepSeek-V3 technical report §3.2.1, Table 2; deepseek-ai/DualPipe README's
// table "Pipeline Bubbles and Memory Usage Comparison"): the schedule, its bubble
// against 1F1B, and its memory (2x parameters, PP + 1 micro-batches of activations),
// each against a hand calculation.
#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/round_device.h"
#include "tests/workloads/small_gpt.h"
#include "workloads/accounting.h"
#include "workloads/memory.h"
#include "workloads/parallel_plan.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using doctest::Approx;
using engine::Bandwidth;
using engine::DeviceId;
using engine::SimTime;

using testing::small_gpt;  // tests/workloads/small_gpt.h

Plan dualpipe(int pp, int dp, int global_batch) {
  return Plan{.pp = pp, .dp = dp, .schedule = PipelineSchedule::kDualPipe, .micro_batch = 1,
              .global_batch = global_batch};
}

bool has_problem(const std::vector<FieldProblem>& ps, const std::string& field, const std::string& text) {
  for (const FieldProblem& p : ps)
    if (p.field == field && p.message.find(text) != std::string::npos) return true;
  return false;
}

std::string text(const std::vector<DualPipePass>& order) {
  using K = DualPipePass::Kind;
  std::string s;
  for (const DualPipePass& p : order) {
    switch (p.kind) {
      case K::kForward: s += "F" + std::to_string(p.f_chunk) + "." + std::to_string(p.f_micro_batch); break;
      case K::kBackward: s += "B" + std::to_string(p.b_chunk) + "." + std::to_string(p.b_micro_batch); break;
      case K::kBackwardInput: s += "b" + std::to_string(p.b_chunk) + "." + std::to_string(p.b_micro_batch); break;
      case K::kWeight: s += "W"; break;
      case K::kForwardBackward:
        s += "F" + std::to_string(p.f_chunk) + "." + std::to_string(p.f_micro_batch) + "&B" +
             std::to_string(p.b_chunk) + "." + std::to_string(p.b_micro_batch);
        break;
    }
    s += " ";
  }
  return s;
}

TEST_CASE("DualPipe's requirements are checked with the field named") {
  const ModelSpec m = small_gpt();
  CHECK(check(m, dualpipe(4, 1, 8)).empty());
  // deepseek-ai/DualPipe step(): num_ranks even; num_chunks even and >= 2 x num_ranks.
  CHECK(has_problem(check(m, dualpipe(4, 1, 6)), "global_batch",
                    "gives 6 micro-batches per DP rank; DUALPIPE needs an even number of at least 2 x pp = 8"));
  CHECK(has_problem(check(m, dualpipe(4, 1, 9)), "global_batch", "DUALPIPE needs an even number"));
  ModelSpec twelve = m;
  twelve.layers = 12;
  CHECK(has_problem(check(twelve, dualpipe(3, 1, 12)), "schedule", "DUALPIPE needs an even pp >= 2 (got pp 3)"));
  Plan v2 = dualpipe(4, 1, 8);
  v2.virtual_stages = 2;
  CHECK(has_problem(check(m, v2), "virtual_stages", "with schedule DUALPIPE"));
  Plan z3 = dualpipe(4, 2, 16);
  z3.sharding = DataSharding::kZero3;
  CHECK(has_problem(check(m, z3), "sharding", "zero3 with schedule DUALPIPE is not modelled"));
  CHECK_THROWS_AS(validate(m, dualpipe(4, 1, 6)), UserError);
}

TEST_CASE("DualPipe's order follows the reference step(): pp 4, 8 micro-batches, stage 0") {
  // h = 2, r = 0: 2 near forwards; 1 pair of forwards; 1 x (backward-input, W, forward)
  // of the far direction; m/2 - pp + r + 1 = 1 main iteration of two F&B pairs; 1 x (B,
  // F&B); 1 backward pair (the second deferring its W); 1 x (W, backward-input); 1 W.
  CHECK(text(dualpipe_order(4, 0, 8)) ==
        "F0.0 F0.1 F0.2 F1.0 b1.0 W F1.1 F0.3&B1.1 F1.2&B0.0 B1.2 F1.3&B0.1 B1.3 b0.2 W b0.3 W ");
  // Every stage runs m/2 forwards and backwards each way and one W per deferred backward.
  for (int pp : {2, 4, 8})
    for (int s = 0; s < pp; ++s) {
      int f[2] = {0, 0}, b[2] = {0, 0}, deferred = 0, weights = 0;
      for (const DualPipePass& p : dualpipe_order(pp, s, 2 * pp + 4)) {
        using K = DualPipePass::Kind;
        if (p.kind == K::kForward || p.kind == K::kForwardBackward) ++f[p.f_chunk];
        if (p.kind == K::kBackward || p.kind == K::kBackwardInput || p.kind == K::kForwardBackward) ++b[p.b_chunk];
        if (p.kind == K::kBackwardInput) ++deferred;
        if (p.kind == K::kWeight) ++weights;
      }
      CAPTURE(pp);
      CAPTURE(s);
      CHECK(f[0] == pp + 2);
      CHECK(f[1] == pp + 2);
      CHECK(b[0] == pp + 2);
      CHECK(b[1] == pp + 2);
      CHECK(deferred == weights);
    }
}

TEST_CASE("DualPipe memory: 2x parameters, PP + 1 micro-batches of activations (DeepSeek-V3 Table 2)") {
  const ModelSpec m = small_gpt();
  const Plan one = Plan{.pp = 4, .micro_batch = 1, .global_batch = 8};
  const Plan dual = dualpipe(4, 1, 8);
  // Stage 1 holds stages 1 and 2 under DualPipe (4 layers each, no embedding or head).
  const MemoryBreakdown a = memory_per_stage(m, one)[1];
  const MemoryBreakdown d = memory_per_stage(m, dual)[1];
  CHECK(d.weights.value() == Approx(2 * a.weights.value()));
  CHECK(d.gradients.value() == Approx(2 * a.gradients.value()));
  CHECK(d.optimizer.value() == Approx(2 * a.optimizer.value()));  // no sharding: all of it, twice
  // Per layer, per token (memory.h, Korthikanti et al. 2022 without dropout, FlashAttention):
  // norm inputs 4h, QKV and MLP inputs 4h, Q K V and projection input 8h, GELU input and
  // output 16h, log-sum-exp 4a = 32 x 2048 + 64 = 65,600 bytes; x 2048 tokens.
  const double layer = 2048.0 * (32 * 2048 + 4 * 16);
  CHECK(layer_activation_bytes(m, dual, 5).value() == Approx(layer));
  // 1F1B stage 1 keeps min(p - i, m) = 3 micro-batches of its 4 layers; DualPipe 5 = PP + 1.
  CHECK(a.micro_batches_in_flight == 3);
  CHECK(a.activations.value() == Approx(3 * 4 * layer));
  CHECK(d.micro_batches_in_flight == 5);
  CHECK(d.activations.value() == Approx(5 * 4 * layer));
  // ZeRO-1 over dp 2: the two copies of a stage shard their optimizer states together
  // (one data-parallel group of 2 x dp), so only weights and gradients double.
  Plan one_z1 = one, dual_z1 = dualpipe(4, 2, 16);
  one_z1.dp = 2;
  one_z1.global_batch = 16;
  one_z1.sharding = dual_z1.sharding = DataSharding::kZero1;
  const MemoryBreakdown az = memory_per_stage(m, one_z1)[1];
  const MemoryBreakdown dz = memory_per_stage(m, dual_z1)[1];
  CHECK(dz.weights.value() == Approx(2 * az.weights.value()));
  CHECK(dz.optimizer.value() == Approx(az.optimizer.value()));
}

std::vector<DeviceId> first(size_t n) {
  std::vector<DeviceId> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = DeviceId{static_cast<uint32_t>(i)};
  return v;
}

TrainingJob job_of(const ModelSpec& m, const Plan& p) {
  validate(m, p);
  return {.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = p.devices(), .budget = {}};
}

TEST_CASE("DualPipe's bubble is (PP/2 - 1)(F&B + B - 3W), against 1F1B's (PP - 1)(F + B)") {
  // pp 4, 8 micro-batches, communication free (a huge crossbar), memory-bound ops free,
  // GEMM and attention at half of 1000 TFLOP/s. Per stage and micro-batch: F = a
  // quarter of the model's forward FLOPs / 500e12, B = 2F, W = the GEMMs' share of F
  // (a weight gradient costs its forward GEMM), and with nothing to hide F&B = F + B.
  // 1F1B: (m + pp - 1)(F + B) = 33F, bubble 3 x 3F = 9F (SC21 §2.2.1).
  // DualPipe: m (F + B) + (pp/2 - 1)(F&B + B - 3W) = 24F + 5F - 3W.
  const ModelSpec m = small_gpt();
  const engine::testing::Crossbar fabric(4, Bandwidth::gbytes_per_s(1e9), SimTime::zero());
  const StepOptions o{.mode = engine::CommMode::kAnalytical, .network = {},
                      .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .source = "test"},
                      .dp_buckets = 4, .watts_per_device = std::nullopt};
  const Plan one{.pp = 4, .micro_batch = 1, .global_batch = 8};
  const Plan dual = dualpipe(4, 1, 8);
  const std::vector<OpBlock> ops = forward_ops(m, dual.shard());
  double gemm = 0;
  for (const OpBlock& b : ops)
    for (const Op& op : b.ops)
      if (op.kind == OpKind::kGemm) gemm += op.flops * b.repeat;
  const double F = forward_flops(ops) / 500e12 / 4, W = gemm / 500e12 / 4;
  const StepResult r1 = simulate_step(job_of(m, one), first(4), testing::round_device(), fabric, o);
  const StepResult rd = simulate_step(job_of(m, dual), first(4), testing::round_device(), fabric, o);
  CHECK(r1.step_s == Approx(33 * F).epsilon(0.02));
  CHECK(r1.bubble_s == Approx(9 * F).epsilon(0.05));
  CHECK(rd.step_s == Approx(29 * F - 3 * W).epsilon(0.02));
  CHECK(rd.bubble_s == Approx(5 * F - 3 * W).epsilon(0.1));
  CHECK(rd.compute_s == Approx(r1.compute_s).epsilon(0.01));  // the same work, 8 F + 8 B
  // The analytic fraction (parallel_plan.h) takes W = F: (pp - 2) / (3 m) = 1/12.
  CHECK(bubble_fraction(dual) == Approx(2.0 / 24));
  CHECK(bubble_fraction(one) == Approx(3.0 / 8));
}

TEST_CASE("DualPipe with TP and data parallelism: the copies reduce together, flow and analytical agree") {
  // tp 2, pp 4, dp 2 = 16 devices on a 900 GB/s crossbar. Rank t + tp (d + dp s).
  const engine::testing::Crossbar fabric(16, Bandwidth::gbytes_per_s(900), SimTime::nanos(350));
  Plan p = dualpipe(4, 2, 16);
  p.tp = 2;
  p.sequence_parallel = true;
  p.sharding = DataSharding::kZero1;
  const std::vector<DeviceId> place = first(16);
  // Stage 0's weights are also stage 3's: its DP group is {0, 2} and {12, 14}.
  std::vector<uint32_t> ids;
  for (DeviceId d : group_devices(p, CommGroup::kDp, 0, place)) ids.push_back(engine::index(d));
  CHECK(ids == std::vector<uint32_t>{0, 2, 12, 14});
  StepOptions o;
  o.mode = engine::CommMode::kAnalytical;
  const StepResult a = simulate_step(job_of(small_gpt(), p), place, testing::round_device(), fabric, o);
  o.mode = engine::CommMode::kFlow;
  const StepResult f = simulate_step(job_of(small_gpt(), p), place, testing::round_device(), fabric, o);
  CHECK(a.step_s > 0);
  CHECK(f.flows > 0);
  CHECK(f.step_s == Approx(a.step_s).epsilon(0.05));
  CHECK(a.exposed_s[static_cast<size_t>(CommClass::kDp)] > 0);
}

}  // namespace
}  // namespace podsim::workloads
