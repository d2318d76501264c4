// Tensor-parallel communication overlap (issue 14 item 4; Plan::tp_overlap,
// docs/models.md §5.4): Megatron-Core's backward overlap (input-gradient all-reduce or
// reduce-scatter under the weight-gradient GEMM, the saved input's re-gather under the
// input-gradient GEMM) and Transformer Engine's userbuffers (the forward's all-gather
// and reduce-scatter and the backward's gradient all-gather under the GEMMs beside
// them, ring exchange: (tp - 1)/tp of the GEMM). Each against a hand calculation on a
// two-device crossbar with round numbers.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/round_device.h"
#include "tests/workloads/small_gpt.h"
#include "engine/error.h"
#include "workloads/efficiency.h"
#include "workloads/parallel_plan.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using engine::Bandwidth;
using engine::DeviceId;
using engine::SimTime;
using testing::small_gpt;  // 16 layers, h 2048, ffn 8192, 16 heads, sequence 2048

TrainingJob job_of(const Plan& p) {
  validate(small_gpt(), p);
  return {.name = "t", .arrival_s = 0, .model = small_gpt(), .plan = p, .devices = p.devices(), .budget = {}};
}

StepOptions options(double comm_slowdown) {
  return {.mode = engine::CommMode::kAnalytical, .network = {},
          .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .comm_slowdown = comm_slowdown,
                                     .source = "test"},
          .dp_buckets = 4, .watts_per_device = std::nullopt};
}

// Hand figures for small_gpt on TP 2, one micro-batch of T = 2048 tokens, GEMMs at 0.5
// of 1000 TF/s: per layer and TP rank, the column-parallel GEMMs' forward is
//   QKV     2 T h (3h / 2)  = 2.577e10 FLOP -> 51.54 us
//   MLP up  2 T h (4h / 2)  = 3.436e10 FLOP -> 68.72 us
// and the row-parallel ones' (attention output, MLP down): 17.18 us and 68.72 us.
constexpr double kT = 2048, kH = 2048, kRate = 0.5 * 1000e12;
constexpr double kQkv = 2 * kT * kH * (3 * kH / 2) / kRate;
constexpr double kUp = 2 * kT * kH * (4 * kH / 2) / kRate;
constexpr double kOut = 2 * kT * (kH / 2) * kH / kRate;
constexpr double kDown = kUp;
constexpr int kLayers = 16;
// Each TP collective moves the S = T h x 2 bytes of a layer's activations. On two
// devices of B bytes/s per direction, no latency (collectives.h): all-reduce S / B,
// all-gather and reduce-scatter S / (2B).
constexpr double kS = kT * kH * 2;

double step(const Plan& p, double gbytes_per_s, double comm_slowdown = 0) {
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(gbytes_per_s), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  return simulate_step(job_of(p), place, testing::round_device(), fabric, options(comm_slowdown)).step_s;
}

TEST_CASE("sequence parallelism re-gathers each region's saved input in backward") {
  // Megatron-LM mpu/layers.py (2022-05) and Transformer Engine's Linear keep 1/tp of the
  // input they gathered and gather it again for the weight gradient: one all-gather of
  // S per region (attention, MLP) per layer, backward.
  const Plan p{.tp = 2, .sequence_parallel = true};
  int count = 0;
  double bytes = 0;
  // The stages must outlive the loop: a range-for over a member of a temporary reads
  // freed memory (the temporary dies before the loop body runs).
  const std::vector<StageWork> stages = plan_work(small_gpt(), p);
  for (const OpBlock& b : stages[0].chunks[0].blocks)
    for (const Comm& c : b.comms)
      if (c.kind == CommKind::kSpInputAllGather) {
        CHECK(b.is_layer);
        CHECK(c.phase == CommPhase::kBackward);
        count += c.count * b.repeat;
        bytes = c.bytes.value();
      }
  CHECK(count == 2 * kLayers);
  CHECK(bytes == doctest::Approx(kS));
}

TEST_CASE("backward overlap, no SP: the input-gradient all-reduce hides under the weight-gradient GEMM") {
  // At 400 GB/s an all-reduce takes S / B = 21.0 us, less than QKV's and MLP up's weight
  // gradients (51.5 and 68.7 us): all 2 x 16 backward all-reduces of the layers hide,
  // the forward's (and the embedding's) still block.
  Plan p{.tp = 2, .tp_overlap = TpOverlap::kNone};
  const double blocking = step(p, 400);
  p.tp_overlap = TpOverlap::kBackward;
  const double overlapped = step(p, 400);
  CHECK(blocking - overlapped == doctest::Approx(2 * kLayers * kS / 400e9).epsilon(1e-3));
}

TEST_CASE("backward overlap: what the GEMM cannot hide is exposed, max(0, comm - GEMM) per layer") {
  // At 40 GB/s an all-reduce takes 210 us, longer than either weight gradient: each
  // layer hides only QKV's 51.5 us and MLP up's 68.7 us of it.
  Plan p{.tp = 2, .tp_overlap = TpOverlap::kNone};
  const double blocking = step(p, 40);
  p.tp_overlap = TpOverlap::kBackward;
  const double overlapped = step(p, 40);
  CHECK(kS / 40e9 > kUp);
  CHECK(blocking - overlapped == doctest::Approx(kLayers * (kQkv + kUp)).epsilon(1e-3));
}

TEST_CASE("backward overlap is not free: the GEMM beside it runs comm_slowdown x min(comm, GEMM) longer") {
  // comm_slowdown 0.2 (Ahmed et al. 2025 measure 0.189 on average, efficiency.cc): each of
  // the 32 hidden all-reduces lengthens its GEMM by 0.2 x 21.0 us.
  const Plan p{.tp = 2};
  CHECK(step(p, 400, 0.2) - step(p, 400, 0) == doctest::Approx(2 * kLayers * 0.2 * kS / 400e9).epsilon(1e-3));
}

TEST_CASE("backward overlap with SP: the re-gather and the reduce-scatter hide, the gradient all-gather blocks") {
  // Per region: re-gather (S / 2B) under the column dgrad, reduce-scatter (S / 2B) under
  // the column wgrad; without overlap both block. At 400 GB/s each takes 10.5 us.
  Plan p{.tp = 2, .sequence_parallel = true, .tp_overlap = TpOverlap::kNone};
  const double blocking = step(p, 400);
  p.tp_overlap = TpOverlap::kBackward;
  const double overlapped = step(p, 400);
  CHECK(blocking - overlapped == doctest::Approx(2 * kLayers * 2 * kS / (2 * 400e9)).epsilon(1e-3));
}

TEST_CASE("userbuffers: the forward's all-gather and reduce-scatter and the gradient all-gather under (tp-1)/tp of a GEMM") {
  // On top of the backward overlap, per region and layer (ring exchange on 2 ranks: half
  // of each GEMM runs beside the exchange, the other half alone):
  //   forward all-gather      under 1/2 of QKV / MLP up     (25.8, 34.4 us)
  //   forward reduce-scatter  under 1/2 of out / MLP down   ( 8.6, 34.4 us)
  //   gradient all-gather     under 1/2 of out / MLP down dgrad
  // Each collective takes S / 2B = 10.5 us at 400 GB/s: all hide but those under half of
  // the attention output projection, which expose 10.5 - 8.6 = 1.9 us each.
  Plan p{.tp = 2, .sequence_parallel = true, .tp_overlap = TpOverlap::kBackward};
  const double backward_only = step(p, 400);
  p.tp_overlap = TpOverlap::kUserbuffers;
  const double userbuffers = step(p, 400);
  const double c = kS / (2 * 400e9);
  const double saved = kLayers * (3 * c + 3 * c) - kLayers * 2 * std::max(0.0, c - kOut / 2);
  CHECK(c > kOut / 2);
  CHECK(c < std::min({kQkv, kDown}) / 2);
  CHECK(backward_only - userbuffers == doctest::Approx(saved).epsilon(1e-3));
}

TEST_CASE("userbuffers SM margin and pipeline: the row-parallel forward GEMM on S - r SMs, its last chunk's reduce-scatter alone") {
  // MLPerf v3.1 GPT-3's userbuffers config (training_results_v3.1, NVIDIA gpt3
  // conf/tp_overlap/h100tp4pp8mbs1.yaml): proj_fprop `method: pipeline`, `num_splits: 4`,
  // `set_sm_margin: 1`, `num_sm: 24`; TE runs the GEMM on sm_count - num_sm SMs
  // (comm_gemm_overlap.cpp, _math_sms). Here on a device of 100 SMs reserving 20: the
  // attention output projection's forward takes 100/80 = 1.25 x 17.18 us, and its
  // reduce-scatter (10.5 us) hides under 3/4 of it (16.1 us) instead of under 1/2 of the
  // unreserved GEMM (8.6 us, 1.9 us exposed). Per layer: +0.25 x 17.18 us of GEMM,
  // -1.9 us of exposed reduce-scatter; the backward is unchanged.
  Plan p{.tp = 2, .sequence_parallel = true, .tp_overlap = TpOverlap::kUserbuffers};
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(400), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  StepOptions o = options(0);
  o.efficiency->sm_count = 100;
  const double ring = simulate_step(job_of(p), place, testing::round_device(), fabric, o).step_s;
  p.ub_proj_fprop = {.reserved_sms = 20, .splits = 4};
  const double pipeline = simulate_step(job_of(p), place, testing::round_device(), fabric, o).step_s;
  const double c = kS / (2 * 400e9);
  CHECK(0.75 * 1.25 * kOut > c);
  CHECK(pipeline - ring == doctest::Approx(kLayers * (0.25 * kOut - (c - kOut / 2))).epsilon(1e-3));
}

TEST_CASE("userbuffers SM margin: the factor S / (S - r), on the GEMMs it names, with the device's SM count") {
  Plan p{.tp = 4, .sequence_parallel = true, .tp_overlap = TpOverlap::kUserbuffers};
  p.ub_proj_fprop = {.reserved_sms = 24, .splits = 4};
  p.ub_fc2_fprop = {.reserved_sms = 4, .splits = 4};
  engine::DeviceSpec h100 = testing::round_device();
  h100.name = "H100 SXM5";
  const OpEfficiency eff = default_efficiency(h100);  // 132 SMs (NVIDIA's H100 whitepaper)
  const Op out{.name = "out_proj", .kind = OpKind::kGemm}, down{.name = "mlp_down", .kind = OpKind::kGemm},
      qkv{.name = "qkv", .kind = OpKind::kGemm};
  CHECK(userbuffers_forward_factor(out, p, eff, h100) == doctest::Approx(132.0 / 108));
  CHECK(userbuffers_forward_factor(down, p, eff, h100) == doctest::Approx(132.0 / 128));
  CHECK(userbuffers_forward_factor(qkv, p, eff, h100) == 1);
  CHECK_FALSE(userbuffers_problem(p, h100));
  p.ub_proj_fprop.reserved_sms = 132;
  CHECK_THROWS_AS(userbuffers_forward_factor(out, p, eff, h100), UserError);
  // The same, found before the step is timed and named by its field (scenario files).
  const std::optional<FieldProblem> all = userbuffers_problem(p, h100);
  REQUIRE(all);
  CHECK(all->field == "ub_proj_fprop.reserved_sms");
  engine::DeviceSpec h20 = h100;
  h20.name = "H20";  // no published SM count
  CHECK_THROWS_AS(userbuffers_forward_factor(down, p, default_efficiency(h20), h20), UserError);
  p.ub_proj_fprop.reserved_sms = 24;
  const std::optional<FieldProblem> unknown = userbuffers_problem(p, h20);
  REQUIRE(unknown);
  CHECK(unknown->field == "ub_proj_fprop.reserved_sms");
  CHECK(unknown->message.find("not known") != std::string::npos);
  p.tp_overlap = TpOverlap::kBackward;  // not userbuffers: nothing reserved, and check() says so
  CHECK(userbuffers_forward_factor(down, p, eff, h100) == 1);
  p.ub_proj_fprop = {.reserved_sms = 0, .splits = 1};
  const std::vector<FieldProblem> problems = check(small_gpt(), p);
  REQUIRE(problems.size() == 3);  // ub_proj_fprop: needs userbuffers, splits 1; ub_fc2_fprop: needs userbuffers
  CHECK(problems[0].field == "ub_proj_fprop");
}

TEST_CASE("userbuffers needs sequence parallelism") {
  const Plan p{.tp = 2, .tp_overlap = TpOverlap::kUserbuffers};
  const std::vector<FieldProblem> problems = check(small_gpt(), p);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == "tp_overlap");
}

TEST_CASE("TP overlap: flow and analytical modes agree within 5%") {
  // 4 GPUs on an NVLink-like crossbar (900 GB/s, 350 ns), TP 4 + SP, each overlap mode.
  const engine::testing::Crossbar fabric(4, Bandwidth::gbytes_per_s(900), SimTime::nanos(350));
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}, DeviceId{2}, DeviceId{3}};
  for (TpOverlap o : {TpOverlap::kNone, TpOverlap::kBackward, TpOverlap::kUserbuffers}) {
    const Plan p{.tp = 4, .sequence_parallel = true, .micro_batch = 1, .global_batch = 2, .tp_overlap = o};
    StepOptions opt = options(0.189);
    const StepResult a = simulate_step(job_of(p), place, testing::round_device(), fabric, opt);
    opt.mode = engine::CommMode::kFlow;
    const StepResult f = simulate_step(job_of(p), place, testing::round_device(), fabric, opt);
    CAPTURE(to_string(o));
    CHECK(f.flows > 0);
    CHECK(f.step_s == doctest::Approx(a.step_s).epsilon(0.05));
  }
}

}  // namespace
}  // namespace podsim::workloads
