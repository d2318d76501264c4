#pragma once
// The 10,000-job mix of scenarios/scheduler/synthetic_cm384x256.textproto (hours as
// reference seconds), Poisson arrivals from the seed-7 "arrivals" stream, for the
// scheduler benchmarks.
#include <vector>

#include "engine/random.h"
#include "scheduler/synthetic.h"

namespace podsim::bench {

inline std::vector<scheduler::JobRequest> synthetic_cm384x256_jobs() {
  using scheduler::CheckpointPolicy;
  const CheckpointPolicy cp{.interval = CheckpointPolicy::Interval::kYoungDaly,
                            .write_cost = engine::SimTime::seconds(60),
                            .restart_cost = engine::SimTime::seconds(300)};
  const scheduler::SyntheticOptions mix{
      .jobs = 10000,
      .mean_interarrival_s = 40,
      .templates = {{.name = "finetune", .weight = 0.78, .devices = {{8, 1}, {16, 1}, {32, 1}, {64, 1}},
                     .median_steps = 2 * 3600.0, .sigma = 1.5, .checkpoint = cp},
                    {.name = "video-dit", .weight = 0.2, .devices = {{64, 1}, {128, 1}, {256, 1}, {512, 1}},
                     .median_steps = 12 * 3600.0, .sigma = 1, .checkpoint = cp},
                    {.name = "llm", .weight = 0.02, .devices = {{512, 1}, {1024, 1}, {2048, 1}},
                     .median_steps = 48 * 3600.0, .sigma = 1, .priority = 1, .checkpoint = cp}}};
  engine::RandomStreams streams(7);
  engine::RandomEngine rng = streams.stream("arrivals");
  return scheduler::generate_jobs(mix, rng);
}

}  // namespace podsim::bench
