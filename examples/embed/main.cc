// podsim embedded: a cluster and a job built in C++, no scenario file. One comparison
// study (sim/study.h): Llama 3 70B on one NVL72 rack, its step simulated by the step model.
//
//   cmake --install build --prefix /tmp/podsim
//   cmake -S examples/embed -B /tmp/embed -DCMAKE_PREFIX_PATH=/tmp/podsim && cmake --build /tmp/embed
//   /tmp/embed/embed
#include <cstdio>

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
  return 0;
}
