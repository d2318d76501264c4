// The scheduler's run-time invariants: device allocation never above capacity
// (FreeMap) and every job ends exactly once (JobEnds, the run loop's ledger). Each
// misuse is an internal error whose message names the invariant.
#include <doctest/doctest.h>

#include <vector>

#include "engine/check.h"
#include "scheduler/free_map.h"
#include "scheduler/job_ends.h"

using namespace podsim::scheduler;
using podsim::InternalError;

TEST_CASE("device allocation never above capacity: taking more than a node has free is an internal error") {
  const Inventory inv = Inventory::uniform({.domains = 1, .nodes_per_domain = 2, .devices_per_node = 4});
  FreeMap free(inv);
  const std::vector<NodeTake> three{{.node = 0, .count = 3}};
  CHECK(free.take(three).size() == 3);
  CHECK_THROWS_WITH_AS(free.take(three), doctest::Contains("device allocation never above capacity"), InternalError);
  CHECK_THROWS_WITH_AS(free.take_device(0), doctest::Contains("device allocation never above capacity"), InternalError);
  CHECK(free.free_on_node(1) == 4);
}

TEST_CASE("every job ends exactly once: a second end of the same job is an internal error") {
  JobEnds ends(2);
  ends.record(1, "llama-1");
  CHECK(ends.count() == 1);
  CHECK_THROWS_WITH_AS(ends.record(1, "llama-1"),
                       doctest::Contains("every job ends exactly once: job 'llama-1' ended a second time"), InternalError);
  ends.record(0, "llama-0");
  CHECK(ends.count() == 2);
}
