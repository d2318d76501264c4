#include "workloads/parallel_plan.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <numeric>

#include "engine/error.h"
#include "workloads/presets.h"

using namespace podsim::workloads;
using podsim::engine::Bytes;
using podsim::engine::DeviceSpec;
using podsim::engine::FlopRate;
using podsim::engine::Precision;
using doctest::Approx;

namespace {

bool has_problem(const std::vector<FieldProblem>& ps, const std::string& field, const std::string& text) {
  for (const FieldProblem& p : ps)
    if (p.field == field && p.message.find(text) != std::string::npos) return true;
  return false;
}

// Korthikanti et al. 2022 Table 5: GPT-3 175B on 64 A100, TP8 PP8 (interleaved, v 3)
// with sequence parallelism, batch 64, micro-batch 1.
Plan korthikanti_175b() {
  return Plan{.tp = 8, .pp = 8, .dp = 1, .sequence_parallel = true, .schedule = PipelineSchedule::kInterleaved,
              .virtual_stages = 3, .recompute = Recompute::kSelective, .micro_batch = 1, .global_batch = 64,
              .flash_attention = false};
}

std::vector<Comm> comms_of(const std::vector<StageWork>& stages, const std::string& block, CommKind kind,
                           CommPhase phase) {
  std::vector<Comm> out;
  for (const ModelChunk& chunk : stages[0].chunks) {
    for (const OpBlock& b : chunk.blocks)
      if (b.name == block)
        for (const Comm& c : b.comms)
          if (c.kind == kind && c.phase == phase) out.push_back(c);
    if (!out.empty()) break;  // the first chunk with such a block
  }
  return out;
}

// hardware.md §1.1: Ascend 910C has no FP8 unit ([S1] §3.3.1).
DeviceSpec ascend_910c() {
  return DeviceSpec{.name = "Ascend 910C", .peak_bf16 = FlopRate::tera(752), .peak_fp16 = FlopRate::tera(752),
                    .peak_fp8 = std::nullopt, .peak_int8 = FlopRate::tera(1504), .hbm_capacity = Bytes::giga(128)};
}

}  // namespace

TEST_CASE("a published plan passes") {
  CHECK(check(*model_preset("gpt3-175b"), korthikanti_175b()).empty());
  CHECK(korthikanti_175b().devices() == 64);
  CHECK(korthikanti_175b().micro_batches() == 64);
}

TEST_CASE("check names each violated divisibility") {
  const ModelSpec gpt = *model_preset("gpt3-175b");  // 96 layers, 96 heads, seq 2048
  Plan p{.tp = 5, .pp = 7, .dp = 3, .global_batch = 10};
  auto ps = check(gpt, p);
  CHECK(has_problem(ps, "tp", "5 does not divide the 96 heads of model gpt3-175b"));
  CHECK(has_problem(ps, "pp", "pp x virtual_stages = 7 does not divide the 96 layers"));
  CHECK(has_problem(ps, "global_batch", "10 is not a multiple of dp x micro_batch = 3"));
  CHECK(has_problem(check(gpt, Plan{.ep = 2, .global_batch = 1}), "ep", "has no MoE layers"));
  CHECK(has_problem(check(gpt, Plan{.tp = 0}), "tp", "must be >= 1, got 0"));
  CHECK(has_problem(check(gpt, Plan{.pp = 2, .virtual_stages = 2, .global_batch = 2}), "virtual_stages",
                    "needs schedule INTERLEAVED"));
  // Causal ring attention balances load with 2 x cp chunks per sequence.
  ModelSpec odd = gpt;
  odd.seq_len = 2047;
  CHECK(has_problem(check(odd, Plan{.cp = 2}), "cp", "must divide into 4 chunks"));
  const ModelSpec ds = *model_preset("deepseek-v3");
  CHECK(has_problem(check(ds, Plan{.dp = 6, .ep = 3, .global_batch = 6}), "ep", "3 does not divide the 256 experts"));
  CHECK(has_problem(check(ds, Plan{.dp = 4, .ep = 8, .global_batch = 4}), "ep", "8 must divide dp (4)"));
}

TEST_CASE("uneven pipelines put the spare layers in the middle (Llama 3 405B, 126 layers on 16 stages)") {
  const ModelSpec m = *model_preset("llama3-405b");
  Plan p{.tp = 8, .pp = 16, .dp = 64, .global_batch = 2048};
  CHECK(has_problem(check(m, p), "pp", "set allow_uneven_stages"));
  p.allow_uneven_stages = true;
  CHECK(check(m, p).empty());
  const auto chunks = chunk_layers(m, p);
  REQUIRE(chunks.size() == 16);
  // 126 = 16 x 7 + 14: stages 1..14 get 8 layers, the first and last (embedding, head) 7.
  CHECK(chunks.front().end - chunks.front().begin == 7);
  CHECK(chunks.back().end - chunks.back().begin == 7);
  CHECK(chunks[1].end - chunks[1].begin == 8);
  CHECK(chunks.back().end == 126);
  CHECK(chunks.front().embedding);
  CHECK(chunks.back().head);
}

TEST_CASE("pipeline bubble: (p-1)/m for 1F1B, (p-1)/(v m) interleaved (Narayanan et al. SC21 §2.2)") {
  Plan p = korthikanti_175b();
  CHECK(bubble_fraction(p) == Approx(7.0 / (3 * 64)));
  p.schedule = PipelineSchedule::k1F1B;
  p.virtual_stages = 1;
  CHECK(bubble_fraction(p) == Approx(7.0 / 64));
  CHECK(bubble_fraction(Plan{.dp = 8, .global_batch = 64}) == 0);
}

TEST_CASE("pipeline_order follows Megatron's 1F1B and interleaved schedules") {
  // 1F1B, p = 4, m = 6: stage 0 warms up with 3 forwards, then F3 B0 F4 B1 F5 B2, then
  // drains B3 B4 B5; the last stage alternates from the start.
  auto text = [](const std::vector<PipelinePass>& order) {
    std::string s;
    for (const PipelinePass& x : order) s += fmt::format("{}{}.{} ", x.forward ? 'F' : 'B', x.micro_batch, x.chunk);
    return s;
  };
  CHECK(text(pipeline_order(4, 0, 6, 1)) == "F0.0 F1.0 F2.0 F3.0 B0.0 F4.0 B1.0 F5.0 B2.0 B3.0 B4.0 B5.0 ");
  CHECK(text(pipeline_order(4, 3, 6, 1)) == "F0.0 B0.0 F1.0 B1.0 F2.0 B2.0 F3.0 B3.0 F4.0 B4.0 F5.0 B5.0 ");
  // Interleaved, p = 2, v = 2, m = 4: warm-up 2 (p-1) + (v-1) p = 4 chunk forwards on
  // stage 0 -- micro-batches 0, 1 through chunk 0, then through chunk 1 -- and the
  // backwards start with the last chunk.
  CHECK(text(pipeline_order(2, 0, 4, 2)) ==
        "F0.0 F1.0 F0.1 F1.1 F2.0 B0.1 F3.0 B1.1 F2.1 B0.0 F3.1 B1.0 B2.1 B3.1 B2.0 B3.0 ");
  // Every pass once: m v forwards and m v backwards.
  for (int s = 0; s < 4; ++s) CHECK(pipeline_order(4, s, 8, 3).size() == 2 * 8 * 3);
}

TEST_CASE("per-device FLOPs over all stages and TP ranks add up to the model") {
  const ModelSpec m = *model_preset("gpt3-175b");
  const Plan p = korthikanti_175b();
  const auto stages = plan_work(m, p);
  REQUIRE(stages.size() == 8);
  CHECK(stages[0].chunks.size() == 3);
  CHECK(stages[0].chunks[1].index == 8);  // chunk j lives on stage j mod pp
  double sum = 0;
  for (const StageWork& s : stages) sum += s.forward_flops();
  // The plan has no FlashAttention (Korthikanti et al. 2022): every score is computed.
  CHECK(sum * p.tp == Approx(forward_flops(forward_ops(m, Shard{.flash_attention = false}))));
}

TEST_CASE("TP and SP exchange the same bytes per layer (Korthikanti §4.2.2)") {
  const ModelSpec m = *model_preset("gpt3-175b");
  // One layer, micro-batch 1: 2 all-reduces of s h BF16 = 2048 x 12288 x 2 = 50.3 MB forward.
  Plan p{.tp = 8, .pp = 8, .global_batch = 8};
  auto ar = comms_of(plan_work(m, p), "layer", CommKind::kTpAllReduce, CommPhase::kForward);
  REQUIRE(ar.size() == 1);
  CHECK(ar[0].count == 2);
  CHECK(ar[0].bytes.value() == Approx(2048.0 * 12288 * 2));
  CHECK(ar[0].group_size == 8);
  p.sequence_parallel = true;
  const auto stages = plan_work(m, p);
  const auto ag = comms_of(stages, "layer", CommKind::kSpAllGather, CommPhase::kForward);
  const auto rs = comms_of(stages, "layer", CommKind::kSpReduceScatter, CommPhase::kForward);
  REQUIRE(ag.size() == 1);
  REQUIRE(rs.size() == 1);
  CHECK(ag[0].bytes == ar[0].bytes);
  CHECK(ag[0].count == 2);
  CHECK(rs[0].op == podsim::engine::CollectiveOp::kReduceScatter);
  // PP sends one micro-batch's activations, 1/tp of them under SP: 2048 x 12288 x 2 / 8.
  REQUIRE(stages[0].chunks[0].boundary.size() == 1);
  CHECK(stages[0].chunks[0].boundary[0].bytes.value() == Approx(2048.0 * 12288 * 2 / 8));
  CHECK(stages[7].chunks[0].boundary[0].phase == CommPhase::kBackward);
}

TEST_CASE("EP dispatch and combine per MoE layer") {
  // DeepSeek-V3 as in calibration.md row 83: TP1 PP4 VP4 EP64 on 256 GPUs, seq 4096.
  // Per micro-batch and MoE layer a device sends its 4096 tokens x top-8 x 7168 x 2 B.
  const ModelSpec m = *model_preset("deepseek-v3");
  Plan p{.pp = 4, .dp = 64, .ep = 64, .schedule = PipelineSchedule::kInterleaved, .virtual_stages = 4,
         .allow_uneven_stages = true, .global_batch = 4096};
  REQUIRE(check(m, p).empty());
  const auto stages = plan_work(m, p);
  const auto d = comms_of(stages, "moe_layer", CommKind::kEpDispatch, CommPhase::kForward);
  REQUIRE(d.size() == 1);
  CHECK(d[0].op == podsim::engine::CollectiveOp::kAllToAll);
  CHECK(d[0].group_size == 64);
  CHECK(d[0].bytes.value() == Approx(4096.0 * 8 * 7168 * 2));
  // FP8 dispatch halves it; the combine stays BF16 (DeepSeek-V3 §3.3).
  p.precision = Precision::kFP8;
  const auto stages8 = plan_work(m, p);
  CHECK(comms_of(stages8, "moe_layer", CommKind::kEpDispatch, CommPhase::kForward)[0].bytes.value() ==
        Approx(4096.0 * 8 * 7168));
  CHECK(comms_of(stages8, "moe_layer", CommKind::kEpCombine, CommPhase::kForward)[0].bytes.value() ==
        Approx(4096.0 * 8 * 7168 * 2));
  // Experts are replicated dp/ep = 1 time: no expert-DP gradient reduction; dense
  // weights all-reduce over the 64 DP ranks.
  for (const Comm& c : stages[0].step_comms) CHECK(c.group != CommGroup::kExpertDp);
}

TEST_CASE("CP: ring passes cp-1 KV blocks forward, Ulysses 2 all-to-alls") {
  // Llama 3 70B, seq 8192, CP 4, TP 1: a device holds 2048 tokens; a KV block is
  // 2048 x 2 x 8 KV heads x 128 x 2 B = 8.4 MB, sent 3 times forward, 6 backward.
  const ModelSpec m = *model_preset("llama3-70b");
  Plan p{.cp = 4, .global_batch = 1};
  const auto ring = plan_work(m, p);
  const auto fw = comms_of(ring, "layer", CommKind::kCpRingKv, CommPhase::kForward);
  REQUIRE(fw.size() == 1);
  CHECK(fw[0].count == 3);
  CHECK(fw[0].bytes.value() == Approx(2048.0 * 2 * 8 * 128 * 2));
  CHECK(comms_of(ring, "layer", CommKind::kCpRingKv, CommPhase::kBackward)[0].count == 6);
  p.cp_algorithm = CpAlgorithm::kUlysses;
  const auto uly = comms_of(plan_work(m, p), "layer", CommKind::kCpAllToAll, CommPhase::kForward);
  REQUIRE(uly.size() == 2);
  // Q (64 heads) + K, V (8 heads each) of 128, then O (64 heads).
  CHECK(uly[0].bytes.value() == Approx(2048.0 * (64 + 16) * 128 * 2));
  CHECK(uly[1].bytes.value() == Approx(2048.0 * 64 * 128 * 2));
}

TEST_CASE("DP gradient reduction by ZeRO stage") {
  // Llama 3 8B on 8 devices, DP 8: 8.03 B parameters all-reduced in BF16 once a step.
  const ModelSpec m = *model_preset("llama3-8b");
  const double params = count_params(m).total;
  Plan p{.dp = 8, .global_batch = 8};
  auto st = plan_work(m, p)[0].step_comms;
  REQUIRE(st.size() == 1);
  CHECK(st[0].kind == CommKind::kDpGradAllReduce);
  CHECK(st[0].bytes.value() == Approx(params * 2));
  // ZeRO-1: reduce-scatter of the gradients + all-gather of the updated weights.
  p.sharding = DataSharding::kZero1;
  st = plan_work(m, p)[0].step_comms;
  REQUIRE(st.size() == 2);
  CHECK(st[0].kind == CommKind::kDpGradReduceScatter);
  CHECK(st[1].kind == CommKind::kDpParamAllGather);
  // FSDP: per layer and micro-batch, weights gathered forward and backward.
  p.sharding = DataSharding::kFsdp;
  const auto stages = plan_work(m, p);
  CHECK(stages[0].step_comms.empty());
  const auto ag = comms_of(stages, "layer", CommKind::kDpParamAllGather, CommPhase::kForward);
  REQUIRE(ag.size() == 1);
  CHECK(ag[0].bytes.value() == Approx(layer_params(m, 0).dense * 2));
  // Per step: the step model's totals add every occurrence (1 micro-batch here).
  double gathered = 0;
  for (const CommTotal& t : comm_per_step(stages[0], p))
    if (t.kind == CommKind::kDpParamAllGather) gathered += t.bytes.value();
  CHECK(gathered == Approx(2 * 2 * params));  // forward and backward, every weight
}

TEST_CASE("FP8 on a device without FP8 units is rejected with the reason") {
  const DeviceSpec npu = ascend_910c();
  CHECK(precision_problem(Precision::kFP8, npu) ==
        "precision FP8: device Ascend 910C has no FP8 units (hardware.md §1.1, [S1] §3.3.1); use BF16 or INT8");
  CHECK_FALSE(precision_problem(Precision::kBF16, npu).has_value());
  CHECK_FALSE(precision_problem(Precision::kINT8, npu).has_value());
  CHECK_THROWS_AS(check_precision(Precision::kFP8, npu), podsim::UserError);
}
