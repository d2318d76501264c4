#include "scheduler/synthetic.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace podsim::scheduler;

TEST_CASE("Poisson arrivals at the asked rate, template mix by weight, deterministic") {
  SyntheticOptions o{.jobs = 20000,
                     .mean_interarrival_s = 10,
                     .templates = {{.name = "llm", .weight = 1, .devices = {{64, 1}}, .median_steps = 100},
                                   {.name = "dit", .weight = 3, .devices = {{8, 1}, {16, 1}}, .median_steps = 100, .sigma = 1}}};
  podsim::engine::RandomStreams streams(1);
  auto rng = streams.stream("arrivals");
  const auto jobs = generate_jobs(o, rng);
  REQUIRE(jobs.size() == 20000);
  // Mean gap 10 s: the last arrival near 200,000 s (sd of the sum: 10 x sqrt(20000) = 1,414 s).
  CHECK(jobs.back().arrival.to_seconds() == doctest::Approx(200000).epsilon(0.03));
  int llm = 0;
  std::vector<double> dit_steps;
  for (const JobRequest& j : jobs) {
    if (j.devices == 64) ++llm;
    else dit_steps.push_back(j.steps);
  }
  CHECK(llm / 20000.0 == doctest::Approx(0.25).epsilon(0.05));  // weight 1 of 4
  std::sort(dit_steps.begin(), dit_steps.end());
  CHECK(dit_steps[dit_steps.size() / 2] == doctest::Approx(100).epsilon(0.05));  // log-normal median
  auto rng2 = streams.stream("arrivals");
  CHECK(generate_jobs(o, rng2)[123].name == jobs[123].name);
}
