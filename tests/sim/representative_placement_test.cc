// The placement the step oracle simulates a shape on (sim/representative_placement.h),
// on a pool of 2 domains x 2 nodes x 4 devices: devices 0-3 node 0 and 4-7 node 1 in
// domain 0, 8-11 node 2 and 12-15 node 3 in domain 1.
#include "sim/representative_placement.h"

#include <doctest/doctest.h>

#include <vector>

namespace podsim::sim {
namespace {

std::vector<uint32_t> ids(const std::vector<engine::DeviceId>& ds) {
  std::vector<uint32_t> out;
  for (engine::DeviceId d : ds) out.push_back(engine::index(d));
  return out;
}

const scheduler::Inventory kPool =
    scheduler::Inventory::uniform({.domains = 2, .nodes_per_domain = 2, .devices_per_node = 4});

TEST_CASE("the ranks split evenly between the shape's domains, node by node") {
  // 8 ranks on 2 domains, 2 nodes: 4 per domain on one node each.
  CHECK(ids(representative_placement(kPool, {.pool = 0, .devices = 8, .domains = 2, .nodes = 2}, 8)) ==
        std::vector<uint32_t>{0, 1, 2, 3, 8, 9, 10, 11});
  // 8 ranks on 1 domain, 2 nodes: 4 per node.
  CHECK(ids(representative_placement(kPool, {.pool = 0, .devices = 8, .domains = 1, .nodes = 2}, 8)) ==
        std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
  // 6 ranks on 2 domains, 4 nodes: 3 per domain, ceil(3 / 2) = 2 per node.
  CHECK(ids(representative_placement(kPool, {.pool = 0, .devices = 6, .domains = 2, .nodes = 4}, 6)) ==
        std::vector<uint32_t>{0, 1, 4, 8, 9, 12});
}

TEST_CASE("more domains than the pool has are clamped to the pool") {
  CHECK(ids(representative_placement(kPool, {.pool = 0, .devices = 16, .domains = 5, .nodes = 4}, 16)).size() == 16);
}

}  // namespace
}  // namespace podsim::sim
