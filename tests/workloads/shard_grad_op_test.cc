// Llama 3's pipeline and data parallelism (Dubey et al. 2024, "The Llama 3 Herd of
// Models", §3.3.2; docs/models.md §5.5): one-layer chunks with an embedding-only first
// chunk and a head-only last chunk, gradients reduce-scattered micro-batch by
// micro-batch when they are sharded (ZeRO-2, FSDP SHARD_GRAD_OP), and SHARD_GRAD_OP's
// weights gathered before every forward under the pass before. Each against the source's
// statement or a hand calculation on a crossbar with round numbers.
#include <doctest/doctest.h>

#include <string>

#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/round_device.h"
#include "tests/workloads/small_gpt.h"
#include "workloads/accounting.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using doctest::Approx;
using engine::Bandwidth;
using engine::DeviceId;
using engine::SimTime;
using testing::small_gpt;
using testing::small_gpt_step_bytes;

bool has_problem(const std::vector<FieldProblem>& ps, const std::string& field, const std::string& text) {
  for (const FieldProblem& p : ps)
    if (p.field == field && p.message.find(text) != std::string::npos) return true;
  return false;
}

TEST_CASE("Llama 3 405B on PP16 with 8 chunks per rank: 126 one-layer chunks between the embedding and the head") {
  // §3.3.2: one Transformer layer fewer on the first and last stages, "the first model
  // chunk on the first stage has only the embedding, and the last model chunk on the
  // last stage has only output projection and loss calculation": 128 chunks of one slot.
  const ModelSpec m = *model_preset("llama3-405b");
  Plan p{.tp = 8, .pp = 16, .dp = 64, .schedule = PipelineSchedule::kInterleaved, .virtual_stages = 8,
         .global_batch = 2048};
  CHECK(has_problem(check(m, p), "pp", "exceeds the 126 layers"));
  p.allow_uneven_stages = true;
  CHECK(check(m, p).empty());
  const std::vector<LayerRange> chunks = chunk_layers(m, p);
  REQUIRE(chunks.size() == 128);
  CHECK(chunks.front().embedding);
  CHECK(chunks.front().end == chunks.front().begin);  // the embedding alone
  CHECK(chunks.back().head);
  CHECK(chunks.back().begin == 126);
  CHECK(chunks.back().end == 126);  // the head alone
  for (size_t j = 1; j + 1 < chunks.size(); ++j) CHECK(chunks[j].end - chunks[j].begin == 1);
  // Stage 0 holds the embedding and 7 layers, stage 15 7 layers and the head, the others 8.
  const std::vector<StageWork> stages = plan_work(m, p);
  auto layers_of = [&](int s) {
    int n = 0;
    for (const ModelChunk& c : stages[static_cast<size_t>(s)].chunks) n += c.layers.end - c.layers.begin;
    return n;
  };
  CHECK(layers_of(0) == 7);
  CHECK(layers_of(15) == 7);
  CHECK(layers_of(1) == 8);
  // Three chunks more than the layers would leave a chunk empty of everything.
  p.pp = 43;
  p.virtual_stages = 3;
  CHECK(has_problem(check(m, p), "pp", "by more than the embedding and head chunks"));
}


TEST_CASE("sharded gradients are reduce-scattered every micro-batch, SHARD_GRAD_OP gathers every micro-batch") {
  // W weights per device, m = 4 micro-batches on DP 2, FP32 gradients (Llama 3 §3.3.2
  // reduce-scatters in FP32). ZeRO-1 keeps a whole gradient and reduces it once: 4 W;
  // ZeRO-2 reduces each micro-batch's into the shards (DeepSpeed stage_1_and_2.py reduces
  // when `partition_gradients or is_gradient_accumulation_boundary`): 4 x 4 W, and gathers
  // the updated weights once: 2 W. SHARD_GRAD_OP also frees the weights after each
  // backward and gathers them before each forward (PyTorch FSDP ShardingStrategy
  // SHARD_GRAD_OP): 4 x 2 W.
  const double w = testing::small_gpt_weights();
  Plan p{.dp = 2, .sharding = DataSharding::kZero1, .micro_batch = 1, .global_batch = 8};
  p.fp32_gradients = true;
  CHECK(small_gpt_step_bytes(p, CommKind::kDpGradReduceScatter) == Approx(4 * w));
  CHECK(small_gpt_step_bytes(p, CommKind::kDpParamAllGather) == Approx(2 * w));
  p.sharding = DataSharding::kZero2;
  CHECK(small_gpt_step_bytes(p, CommKind::kDpGradReduceScatter) == Approx(4 * 4 * w));
  CHECK(small_gpt_step_bytes(p, CommKind::kDpParamAllGather) == Approx(2 * w));
  p.sharding = DataSharding::kFsdpShardGradOp;
  CHECK(small_gpt_step_bytes(p, CommKind::kDpGradReduceScatter) == Approx(4 * 4 * w));
  CHECK(small_gpt_step_bytes(p, CommKind::kDpParamAllGather) == Approx(4 * 2 * w));
}

TEST_CASE("SHARD_GRAD_OP and ZeRO-2 refuse what podsim does not model") {
  const ModelSpec m = small_gpt();
  Plan p{.pp = 2, .dp = 2, .schedule = PipelineSchedule::kDualPipe, .sharding = DataSharding::kFsdpShardGradOp,
         .global_batch = 16};
  CHECK(has_problem(check(m, p), "sharding", "reduce-scattered micro-batch by micro-batch"));
  p = Plan{.dp = 2, .sharding = DataSharding::kZero2, .global_batch = 4};
  p.overlap_grad_reduce = false;
  CHECK(has_problem(check(m, p), "overlap_grad_reduce", "reduce-scattered under every backward"));
}

// Two devices on a crossbar of B bytes/s per direction, no latency: a ring all-gather or
// reduce-scatter of S bytes over 2 ranks is one step of S/2: S / (2B) (collectives.h).
constexpr double kB = 400e9;
double ring2_s(double bytes) { return bytes / (2 * kB); }

StepOptions options() {
  return {.mode = engine::CommMode::kAnalytical, .network = {},
          .efficiency = OpEfficiency{.gemm = 0.5, .attention = 0.5, .memory = 1e9, .comm_slowdown = 0, .source = "test"},
          .dp_buckets = 4, .watts_per_device = std::nullopt};
}

TEST_CASE("SHARD_GRAD_OP: the first gather and the last reduce-scatter quarter are exposed, the rest hides") {
  // DP 2, 2 micro-batches: F0 B0 F1 B1. F0's gather (2 W bytes) has nothing to hide under;
  // F1's runs under B0 (issued when B0 starts: FSDP's prefetch, Llama 3's "asynchronously
  // prefetching"); each backward's reduce-scatter (2 W, BF16) goes in dp_buckets = 4
  // pieces after the backward's quarters, B0's under B0 and F1, B1's last quarter after
  // everything. No optimizer gather: the next step's forwards gather the updated weights.
  // step = compute + 2 W / (2B) + (2 W / 4) / (2B); every transfer here is shorter than
  // the compute it runs under (W ~ 0.8 G weights: 2 ms against 13 ms of a backward).
  const ModelSpec m = small_gpt();
  const double w = testing::small_gpt_weights();
  const Plan p{.dp = 2, .sharding = DataSharding::kFsdpShardGradOp, .micro_batch = 1, .global_batch = 4};
  validate(m, p);
  const TrainingJob job{.name = "t", .arrival_s = 0, .model = m, .plan = p, .devices = p.devices(), .budget = {}};
  const engine::testing::Crossbar fabric(2, Bandwidth::gbytes_per_s(kB / 1e9), SimTime::zero());
  const std::vector<DeviceId> place{DeviceId{0}, DeviceId{1}};
  const StepResult r = simulate_step(job, place, testing::round_device(), fabric, options());
  const double compute = 2 * 3 * forward_flops(forward_ops(m, p.shard())) / 500e12;
  const double exposed = ring2_s(2 * w) + ring2_s(2 * w / 4);
  CHECK(r.step_s == Approx(compute + exposed).epsilon(1e-3));
  CHECK(r.exposed_s[size_t(CommClass::kDp)] == Approx(exposed).epsilon(1e-2));
}

}  // namespace
}  // namespace podsim::workloads
