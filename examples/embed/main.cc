// podsim embedded: clusters and jobs built in C++, no scenario file. One comparison
// study (sim/study.h): Llama 3 70B on one NVL72 rack, its step simulated by the step
// model. Then one cluster run (sim/cluster_run_spec.h): two NVL72 racks, a Llama 3 8B job
// and a dozen synthetic jobs under EASY backfill, with its headline metrics.
//
//   cmake --install build --prefix /tmp/podsim
//   cmake -S examples/embed -B /tmp/embed -DCMAKE_PREFIX_PATH=/tmp/podsim && cmake --build /tmp/embed
//   /tmp/embed/embed
#include <cstdio>

#include "sim/cluster_run.h"
#include "sim/cluster_run_spec.h"
#include "sim/headline_metrics.h"
#include "sim/study.h"
#include "topologies/params.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"

int main() {
  using namespace podsim;
  topologies::ClusterParams cluster{.name = "one NVL72",
                                    .pools = {{.preset = "nvl72", .count = 1, .system = *topologies::preset("nvl72")}}};
  workloads::TrainingJob job{.name = "llama3-70b", .model = *workloads::model_preset("llama3-70b")};
  // TP 8, PP 4 (20 of the 80 layers per stage), DP 2: 64 of the rack's 72 GPUs; 256
  // samples of 8,192 tokens per step, ZeRO-1.
  job.plan = {.tp = 8, .pp = 4, .dp = 2, .sequence_parallel = true, .sharding = workloads::DataSharding::kZero1,
              .micro_batch = 1, .global_batch = 256};
  job.devices = 64;
  workloads::validate(job.model, job.plan);

  const sim::StudySpec spec{.name = "embedded", .jobs = {job.name},
                            .systems = {{.name = "NVL72", .cluster = cluster, .jobs = {{.job = job}}}}};
  const sim::StudyResult r = sim::run_study(spec);
  const sim::StudyCell& c = r.cells.front();
  std::printf("%s on %s: step %.3f s, MFU %.1f%%\n", c.job.c_str(), c.system.c_str(), c.result.step_s,
              100 * c.result.mfu);

  // A cluster run: the 8B job (64 GPUs, 200 steps) and synthetic jobs of 8 to 72 GPUs,
  // one every 20 minutes, lengths log-normal around 1 hour at reference speed.
  sim::ClusterRunSpec run{.cluster = {.name = "two NVL72",
                                      .pools = {{.name = "racks", .preset = "nvl72", .count = 2,
                                                 .system = *topologies::preset("nvl72")}},
                                      .fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 36}}};
  workloads::TrainingJob l8b{.name = "llama3-8b", .model = *workloads::model_preset("llama3-8b"), .devices = 64,
                             .budget = {.unit = workloads::TrainingBudget::Unit::kSteps, .amount = 200}};
  l8b.plan = {.tp = 4, .dp = 16, .sharding = workloads::DataSharding::kZero1, .micro_batch = 2, .global_batch = 512};
  workloads::validate(l8b.model, l8b.plan);
  run.jobs.push_back({.model = l8b});
  run.sources.emplace_back(sim::SyntheticJobs{
      .jobs = 12,
      .mean_interarrival_s = 1200,
      .templates = {{.name = "mixed", .devices = {{8, 2}, {32, 1}, {72, 1}}, .median_hours = 1, .sigma = 0.5}}});
  run.options = {.seed = 1, .policy = {.kind = scheduler::PolicyKind::kEasyBackfill}};
  const sim::ClusterRunOutput out = sim::run_cluster(run);
  std::printf("cluster run on %s:", run.cluster.name.c_str());
  for (const sim::Metric& m : sim::headline_metrics(out))
    if (m.number) std::printf(" %s=%g", m.name.c_str(), *m.number);
  std::printf("\n");
  return 0;
}
