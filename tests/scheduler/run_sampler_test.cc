// RunSampler: records every state, tells the observer only what changed.
#include <doctest/doctest.h>

#include "scheduler/run_sampler.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

namespace {

class Samples final : public RunObserver {
 public:
  void cluster_sample(SimTime t, const ClusterSampleEvent& e) override {
    times.push_back(t.to_seconds());
    allocated.push_back(e.pools[0].allocated);
  }
  std::vector<double> times;
  std::vector<uint32_t> allocated;
};

}  // namespace

TEST_CASE("a sample reaches the observer only when pools, queue or running jobs changed") {
  Samples obs;
  RunSampler s(8, &obs);
  const std::vector<uint32_t> down = {0};
  std::vector<uint32_t> held = {0};
  s.note(SimTime::zero(), {.power_w = 100}, held, down);
  s.note(SimTime::seconds(1), {.power_w = 100}, held, down);  // same: not told
  held[0] = 4;
  s.note(SimTime::seconds(2), {.allocated = 4, .running = 1, .power_w = 200}, held, down);
  s.note(SimTime::seconds(3), {.allocated = 4, .queued = 1, .running = 1, .power_w = 200}, held, down);
  CHECK(obs.times == std::vector<double>{0, 2, 3});
  CHECK(obs.allocated == std::vector<uint32_t>{0, 4, 4});
}

TEST_CASE("every state is recorded: half the time at half the devices is 25% utilization") {
  // 8 devices; 0 allocated on [0, 2), 4 on [2, 4): utilization (0 x 2 + 4 x 2) / (8 x 4) = 0.25.
  RunSampler s(8, nullptr);
  const std::vector<uint32_t> none = {0};
  s.note(SimTime::zero(), {}, none, none);
  s.note(SimTime::seconds(2), {.allocated = 4}, none, none);
  CHECK(s.recorder().totals(0, 4).utilization == doctest::Approx(0.25));
}
