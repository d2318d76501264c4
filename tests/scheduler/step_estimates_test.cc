// The run loop's estimate cache (scheduler/step_estimates.h): one oracle call per
// (workload, devices, shape), and the nominal step a policy ranks queued jobs by is the
// compact placement's on the empty pool.
#include "scheduler/step_estimates.h"

#include <doctest/doctest.h>

#include "engine/check.h"

using namespace podsim::scheduler;

namespace {

// Step time = 1 s + 0.5 s per extra scale-up domain spanned; counts its calls.
class CountingOracle final : public StepModelOracle {
 public:
  StepEstimate estimate(const JobRequest& /*job*/, const PlacementShape& shape) override {
    ++calls;
    return {.step_seconds = step_s > 0 ? 1.0 + 0.5 * (static_cast<double>(shape.domains) - 1) : step_s};
  }
  int calls = 0;
  double step_s = 1;
};

// 4 domains of 2 nodes of 4 devices.
Inventory four_domains() { return Inventory::uniform({.domains = 4, .nodes_per_domain = 2, .devices_per_node = 4}); }

}  // namespace

TEST_CASE("one oracle call per (workload, devices, shape)") {
  const Inventory inv = four_domains();
  CountingOracle oracle;
  StepEstimates estimates(inv, oracle);
  const JobRequest a{.name = "a", .devices = 8, .workload = 1};
  const PlacementShape two{.pool = 0, .devices = 8, .domains = 2, .nodes = 2, .leaves = 1};
  CHECK(estimates.estimate(a, two).step_seconds == 1.5);
  CHECK(estimates.estimate(a, two).step_seconds == 1.5);
  CHECK(oracle.calls == 1);
  const JobRequest b{.name = "b", .devices = 8, .workload = 2};
  estimates.estimate(b, two);
  CHECK(oracle.calls == 2);
  CHECK(estimates.size() == 2);
}

TEST_CASE("nominal step: the compact placement on the empty pool, asked once") {
  // 8 devices pack into one domain (2 nodes of 4): 1 s, whatever a placement took.
  const Inventory inv = four_domains();
  CountingOracle oracle;
  StepEstimates estimates(inv, oracle);
  const JobRequest a{.name = "a", .devices = 8, .workload = 1};
  CHECK(estimates.nominal_step_seconds(a, 0) == 1.0);
  CHECK(estimates.nominal_step_seconds(a, 0) == 1.0);
  CHECK(oracle.calls == 1);
  // 16 devices: two domains, 1.5 s.
  CHECK(estimates.nominal_step_seconds({.name = "b", .devices = 16, .workload = 1}, 0) == 1.5);
  CHECK(estimates.size() == 0);  // nominal shapes are not placements taken
}

TEST_CASE("a non-positive step time from the oracle is an internal error") {
  const Inventory inv = four_domains();
  CountingOracle oracle;
  oracle.step_s = 0;
  StepEstimates estimates(inv, oracle);
  CHECK_THROWS_AS(estimates.estimate({.name = "a", .devices = 4, .workload = 1}, {.pool = 0, .devices = 4, .domains = 1}),
                  podsim::InternalError);
}
