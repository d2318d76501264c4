#pragma once
// Two small LLM jobs on one NVL72 rack (scenarios/smoke.textproto, without its comments
// and precisions): ~5 ms a run, for the tests of sweeps.
namespace podsim::testing {

inline constexpr const char* kSmokeScenario = R"(name: "smoke"
seed: 1
cluster { pools { name: "nvl72" preset: "nvl72" count: 1 } }
jobs {
  name: "first"
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 16 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  steps: 200
}
jobs {
  name: "second"
  arrival_s: 60
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 16 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  steps: 100
}
)";

}  // namespace podsim::testing
