// FailureProcess: renewal draws per unit, earliest first, deterministic per seed.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/error.h"
#include "scheduler/failure_process.h"

using namespace podsim::scheduler;
using podsim::engine::RandomEngine;
using podsim::engine::SimTime;

namespace {

Inventory two_nodes() {  // 2 nodes of 4 devices
  return Inventory::uniform({.domains = 2, .nodes_per_domain = 1, .devices_per_node = 4});
}

}  // namespace

TEST_CASE("failures come earliest first, and a unit fails again only after its repair") {
  const Inventory inv = two_nodes();
  const std::vector<FailureKind> kinds = {
      {.unit = FailureUnit::kDevice, .mtbf_hours = 10, .repair = SimTime::seconds(3600)}};
  FailureProcess p(inv, kinds, RandomEngine(7));
  SimTime last = SimTime::zero();
  std::vector<SimTime> up_again(inv.devices().size(), SimTime::zero());
  for (int i = 0; i < 200; ++i) {
    REQUIRE(p.next().has_value());
    const SimTime at = *p.next();
    const FailureProcess::Failure f = p.take();
    CHECK(f.at == at);
    CHECK(f.at >= last);
    REQUIRE(f.devices.size() == 1);
    CHECK(f.at >= up_again[f.devices[0]]);  // renewal: drawn from the end of the repair
    up_again[f.devices[0]] = f.at + f.repair;
    last = f.at;
  }
}

TEST_CASE("the mean time between a unit's failures is its MTBF plus the repair") {
  // Exponential (shape 1), mean 10 h, repair 1 h: 8 devices over many failures average
  // about 11 h between a device's failures. 4,000 failures: the sample mean of an
  // exponential is within 5% of 10 h with overwhelming probability (sd 10/sqrt(4000)).
  const Inventory inv = two_nodes();
  const std::vector<FailureKind> kinds = {
      {.unit = FailureUnit::kDevice, .mtbf_hours = 10, .repair = SimTime::seconds(3600)}};
  FailureProcess p(inv, kinds, RandomEngine(11));
  const int n = 4000;
  SimTime end = SimTime::zero();
  for (int i = 0; i < n; ++i) end = p.take().at;
  // n failures over 8 units in `end`: each unit's cycle is 8 x end / n.
  const double cycle_h = 8 * end.to_seconds() / n / 3600;
  CHECK(cycle_h == doctest::Approx(11).epsilon(0.05));
}

TEST_CASE("a node failure takes down every device of the node") {
  const Inventory inv = two_nodes();
  const std::vector<FailureKind> kinds = {{.unit = FailureUnit::kNode, .mtbf_hours = 5}};
  FailureProcess p(inv, kinds, RandomEngine(3));
  const FailureProcess::Failure f = p.take();
  CHECK(f.devices.size() == 4);
  CHECK(unit_devices(inv, FailureUnit::kNode, 1) == std::vector<uint32_t>{4, 5, 6, 7});
}

TEST_CASE("same seed, same failures, and none without kinds") {
  const Inventory inv = two_nodes();
  const std::vector<FailureKind> kinds = {{.unit = FailureUnit::kDevice, .mtbf_hours = 2, .weibull_shape = 0.7}};
  FailureProcess a(inv, kinds, RandomEngine(5)), b(inv, kinds, RandomEngine(5));
  for (int i = 0; i < 20; ++i) {
    const auto x = a.take(), y = b.take();
    CHECK(x.at == y.at);
    CHECK(x.devices == y.devices);
  }
  const std::vector<FailureKind> none;
  CHECK_FALSE(FailureProcess(inv, none, RandomEngine(5)).next().has_value());
}

TEST_CASE("bad failure kinds and scripted failures out of range are refused") {
  const Inventory inv = two_nodes();
  const std::vector<FailureKind> bad = {{.mtbf_hours = 0}};
  CHECK_THROWS_WITH_AS(FailureProcess(inv, bad, RandomEngine(1)),
                       "failures.kinds[0]: mtbf_hours and weibull_shape must be > 0", podsim::UserError);
  CHECK_THROWS_WITH_AS(check_scripted_failures(inv, {{.unit = FailureUnit::kNode, .index = 2}}),
                       "scripted node failure: index 2 out of range (the cluster has 2)", podsim::UserError);
  CHECK_NOTHROW(check_scripted_failures(inv, {{.unit = FailureUnit::kDevice, .index = 7}}));
}
