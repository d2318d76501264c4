// The statement of what a trace duration means on a mixed cluster (issue 16 item 5:
// trace durations never silently take the slowest pool's speed).
#include "sim/duration_reference.h"

#include <doctest/doctest.h>

using namespace podsim;

namespace {

scheduler::Inventory two_pools() {
  scheduler::Inventory inv = scheduler::Inventory::uniform({.pool = "h100", .relative_speed = 1.0});
  inv.add_uniform_pool({.pool = "gb200", .relative_speed = 2.5});
  return inv;
}

}  // namespace

TEST_CASE("duration reference: stated when trace jobs may run on pools of different speeds") {
  const scheduler::Inventory inv = two_pools();
  const std::vector<scheduler::JobRequest> trace = {{.name = "t", .steps = 100}};  // any pool
  CHECK(sim::duration_reference(inv, trace) ==
        "trace and synthetic run times are work at pool 'h100' speed (the slowest BF16 peak); faster pools run "
        "them in less: 'gb200' 2.50x");
}

TEST_CASE("duration reference: nothing to state") {
  const scheduler::Inventory inv = two_pools();
  // Only modelled jobs: their step model times them on each pool.
  CHECK(sim::duration_reference(inv, {{.name = "m", .workload = 1}}).empty());
  // Trace jobs kept to the reference pool run at its speed.
  CHECK(sim::duration_reference(inv, {{.name = "t", .pools = {0}}}).empty());
  // One pool.
  CHECK(sim::duration_reference(scheduler::Inventory::uniform({}), {{.name = "t"}}).empty());
}
