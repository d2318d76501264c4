// The cluster run's device ledger (scheduler/device_books.h): spares held at the back of
// each pool, failures taking devices out of the free map or the spares or from the job
// holding them, repairs refilling the spares first.
#include "scheduler/device_books.h"

#include <doctest/doctest.h>

#include <vector>

#include "engine/check.h"
#include "engine/error.h"

using namespace podsim::scheduler;

namespace {

// One pool: 2 nodes of 4 devices (devices 0-3 on node 0, 4-7 on node 1).
Inventory eight() { return Inventory::uniform({.domains = 1, .nodes_per_domain = 2, .devices_per_node = 4}); }

}  // namespace

TEST_CASE("spares are the last devices of each pool, out of the free map") {
  const Inventory inv = eight();
  DeviceBooks books(inv);
  books.hold_spares(2);
  CHECK(books.spares_in_pool(0) == 2);
  CHECK(books.free().free_in_pool(0) == 6);
  CHECK_FALSE(books.free().is_free(7));
  CHECK_FALSE(books.free().is_free(6));
  CHECK(books.free().is_free(5));
  DeviceBooks all(inv);
  CHECK_THROWS_WITH_AS(all.hold_spares(8), "failures.spares_per_pool: 8 leaves no device in pool 'pool' (8 devices)",
                       podsim::UserError);
}

TEST_CASE("take and release: counts held per pool, a device has one owner") {
  const Inventory inv = eight();
  DeviceBooks books(inv);
  const std::vector<NodeTake> node0 = {{.node = 0, .count = 4}};
  const std::vector<uint32_t> d = books.take(3, 0, node0);
  CHECK(d == std::vector<uint32_t>{0, 1, 2, 3});
  CHECK(books.allocated() == 4);
  CHECK(books.held_in_pool()[0] == 4);
  CHECK(books.usable_in_pool(0) == 8);  // 4 free + 4 held
  CHECK_THROWS_AS(books.release(5, 0, d), podsim::InternalError);  // not job 5's
  books.release(3, 0, d);
  CHECK(books.allocated() == 0);
  CHECK(books.free().free_in_pool(0) == 8);
}

TEST_CASE("a failure hits the jobs holding a device once each, free and spare devices leave their place") {
  // Job 1 holds node 0; devices 5 (free) and 7 (a spare) fail with 0 and 1 (job 1's).
  const Inventory inv = eight();
  DeviceBooks books(inv);
  books.hold_spares(1);
  std::vector<uint32_t> held = books.take(1, 0, std::vector<NodeTake>{{.node = 0, .count = 4}});
  CHECK(books.fail(std::vector<uint32_t>{0, 1, 5, 7}) == std::vector<uint32_t>{1});
  CHECK(books.down() == 4);
  CHECK(books.down_in_pool()[0] == 4);
  CHECK(books.spares_in_pool(0) == 0);
  CHECK_FALSE(books.free().is_free(5));
  // No spare left for job 1's two down devices: it must give them all back.
  CHECK_FALSE(books.spares_cover(0, held));
  books.release(1, 0, held);
  CHECK(books.free().free_in_pool(0) == 4);  // 2, 3, 4 and 6: 0, 1 and 5 are down, 7 was the spare
  // Repairs: the first device back refills the spare, the others are free again.
  books.repair(std::vector<uint32_t>{7, 5, 0, 1});
  CHECK(books.down() == 0);
  CHECK(books.spares_in_pool(0) == 1);
  CHECK(books.free().free_in_pool(0) == 7);
  CHECK_FALSE(books.free().is_free(7));
}

TEST_CASE("spares swap in for a job's down devices, in place") {
  const Inventory inv = eight();
  DeviceBooks books(inv);
  books.hold_spares(2);  // 6 and 7
  std::vector<uint32_t> held = books.take(1, 0, std::vector<NodeTake>{{.node = 0, .count = 4}});
  CHECK(books.fail(std::vector<uint32_t>{2}) == std::vector<uint32_t>{1});
  REQUIRE(books.spares_cover(0, held));
  const DeviceBooks::Swap swap = books.swap_in_spares(1, 0, held);
  CHECK(swap.replaced == std::vector<uint32_t>{2});
  CHECK(swap.spares == std::vector<uint32_t>{6});  // the last spare taken first
  CHECK(held == std::vector<uint32_t>{0, 1, 6, 3});
  CHECK(books.spares_in_pool(0) == 1);
  // A device down twice needs two repairs.
  CHECK(books.fail(std::vector<uint32_t>{2}).empty());
  books.repair(std::vector<uint32_t>{2});
  CHECK(books.is_down(2));
  books.repair(std::vector<uint32_t>{2});
  CHECK_FALSE(books.is_down(2));
  CHECK(books.spares_in_pool(0) == 2);
}
