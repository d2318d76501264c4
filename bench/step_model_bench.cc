// How fast the step model evaluates one training step (issue #5 part 4), in flow mode
// (collectives as flows on the max-min network) and analytical mode (closed-form
// collectives), for a few model and system sizes. bench/README.md, "Step model".
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/placement.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim {
namespace {

using topologies::ClusterParams;
using topologies::FatTreeParams;
using workloads::Plan;

struct Case {
  const char* name;
  ClusterParams cluster;
  const char* model;
  Plan plan;
};

const std::vector<Case>& cases() {
  using topologies::preset;
  static const std::vector<Case> kCases = {
      // Llama 3 8B on one NVL72 rack, 64 GPUs: TP2 DP32, ZeRO-1, 8 micro-batches per rank.
      {"llama3-8b/nvl72x1/64", {.pools = {{.preset = "nvl72", .count = 1, .system = *preset("nvl72")}}},
       "llama3-8b",
       Plan{.tp = 2, .dp = 32, .sequence_parallel = true, .sharding = workloads::DataSharding::kZero1,
            .micro_batch = 1, .global_batch = 256}},
      // GPT-3 175B on 16 HGX H100 (128 GPUs): TP8 PP8 v2 DP2, 64 micro-batches.
      {"gpt3-175b/hgx-h100x16/128",
       {.pools = {{.preset = "hgx-h100", .count = 16, .system = *preset("hgx-h100")}},
        .fat_tree = FatTreeParams{.tiers = 2, .rail_optimized = false}},
       "gpt3-175b",
       Plan{.tp = 8, .pp = 8, .dp = 2, .sequence_parallel = true,
            .schedule = workloads::PipelineSchedule::kInterleaved, .virtual_stages = 2,
            .sharding = workloads::DataSharding::kZero1, .recompute = workloads::Recompute::kSelective,
            .micro_batch = 1, .global_batch = 128}},
      // DeepSeek-V3 on 4 NVL72 racks (256 GPUs): the validation plan TP1 PP4 v4 EP64.
      {"deepseek-v3/nvl72x4/256",
       {.pools = {{.preset = "nvl72", .count = 4, .system = *preset("nvl72")}},
        .fat_tree = FatTreeParams{.tiers = 2, .rail_optimized = false}},
       "deepseek-v3",
       Plan{.tp = 1, .pp = 4, .dp = 64, .ep = 64, .schedule = workloads::PipelineSchedule::kInterleaved,
            .virtual_stages = 4, .allow_uneven_stages = true, .sharding = workloads::DataSharding::kZero1,
            .recompute = workloads::Recompute::kFull, .micro_batch = 1, .global_batch = 1024}},
      // Llama 3 405B on 128 HGX H100 (1,024 GPUs): TP8 PP16 DP8, 1F1B, 64 micro-batches.
      {"llama3-405b/hgx-h100x128/1024",
       {.pools = {{.preset = "hgx-h100", .count = 128, .system = *preset("hgx-h100")}},
        .fat_tree = FatTreeParams{.tiers = 2, .rail_optimized = false}},
       "llama3-405b",
       Plan{.tp = 8, .pp = 16, .dp = 8, .sequence_parallel = true, .allow_uneven_stages = true,
            .sharding = workloads::DataSharding::kZero1, .micro_batch = 1, .global_batch = 512}},
  };
  return kCases;
}

// range(0): case index; range(1): 0 analytical, 1 flow.
void BM_Step(benchmark::State& state) {
  const Case& c = cases()[static_cast<size_t>(state.range(0))];
  const topologies::Cluster cluster = topologies::build_cluster(c.cluster);
  const topologies::EngineFabric fabric(cluster);
  const engine::DeviceSpec& device = *cluster.devices().front().spec;
  const workloads::ModelSpec model = *workloads::model_preset(c.model);
  workloads::validate(model, c.plan);
  const workloads::TrainingJob job{.name = c.name, .arrival_s = 0, .model = model, .plan = c.plan,
                                   .devices = c.plan.devices(), .budget = {}};
  const std::vector<engine::DeviceId> placement = workloads::aligned_placement(c.plan, fabric);
  workloads::StepOptions o;
  o.mode = state.range(1) == 1 ? engine::CommMode::kFlow : engine::CommMode::kAnalytical;
  workloads::StepResult r;
  for (auto _ : state) {
    r = workloads::simulate_step(job, placement, device, fabric, o);
    benchmark::DoNotOptimize(r);  // the struct (memory); DoNotOptimize(double&) lets GCC clobber it
  }
  state.SetLabel(std::string(c.name) + (state.range(1) == 1 ? " flow" : " analytical") +
                 " step " + std::to_string(r.step_s) + " s");
  state.counters["nodes"] = static_cast<double>(r.graph_nodes);
  state.counters["flows"] = static_cast<double>(r.flows);
}
BENCHMARK(BM_Step)->ArgsProduct({{0, 1, 2, 3}, {0, 1}})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace podsim

BENCHMARK_MAIN();
