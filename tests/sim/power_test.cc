// One power model for cluster runs and studies (sim/power.h), by hand on the presets'
// published figures (topologies/params.h, device_catalog.cc).
#include "sim/power.h"

#include <doctest/doctest.h>

#include "topologies/build.h"

namespace podsim::sim {
namespace {

TEST_CASE("a system's estimate beyond its devices' TDP is static power") {
  // NVL72: 120 kW, 72 GB200 GPUs of 1,200 W: busy 1,200 W, static 120,000 - 86,400 W.
  const topologies::Cluster nvl72 = topologies::build_preset("nvl72");
  const ClusterPower p = cluster_power(nvl72);
  REQUIRE(p.busy_watts.size() == 72);
  CHECK(p.busy_watts[0] == doctest::Approx(1200));
  CHECK(p.static_watts == doctest::Approx(33600));
  // At full load: 33,600 + 72 x 1,200 = 120,000 W over 72 GPUs.
  CHECK(*full_load_watts_per_device(nvl72) == doctest::Approx(120000.0 / 72));
  // DGX H100: 10.2 kW, 8 x 700 W: static 4,600 W; full load 10,200 / 8 = 1,275 W.
  const topologies::Cluster hgx = topologies::build_preset("hgx-h100");
  CHECK(cluster_power(hgx).static_watts == doctest::Approx(4600));
  CHECK(*full_load_watts_per_device(hgx) == doctest::Approx(1275));
}

TEST_CASE("without a device TDP the estimate is shared while busy, and nothing is static") {
  // CloudMatrix384: 559 kW EST, Ascend 910C without a published TDP: 559,000 / 384 W.
  const topologies::Cluster cm = topologies::build_preset("cloudmatrix384");
  const ClusterPower p = cluster_power(cm);
  CHECK(p.static_watts == 0);
  CHECK(p.busy_watts[0] == doctest::Approx(559000.0 / 384));
  CHECK(*full_load_watts_per_device(cm) == doctest::Approx(559000.0 / 384));
}

TEST_CASE("without an estimate: the TDP while busy") {
  // NVL36x2 publishes no whole-system figure: GB200's 1,200 W.
  const topologies::Cluster c = topologies::build_preset("nvl36x2");
  CHECK(cluster_power(c).static_watts == 0);
  CHECK(cluster_power(c).busy_watts[0] == doctest::Approx(1200));
  CHECK(*full_load_watts_per_device(c) == doctest::Approx(1200));
}

}  // namespace
}  // namespace podsim::sim
