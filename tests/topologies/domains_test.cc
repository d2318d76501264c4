// The domain tree placement will use: cluster > pod > rack > node > device, each
// domain's devices contiguous, each device knowing its pod, rack and node.
#include <doctest/doctest.h>

#include "topologies/build.h"

using namespace podsim::topologies;

namespace {

// Children partition their parent's device range, in order.
void check_tree(const Cluster& c) {
  const auto& doms = c.domains();
  REQUIRE(!doms.empty());
  CHECK(doms[0].level == DomainLevel::kCluster);
  CHECK(doms[0].device_count == c.devices().size());
  for (size_t i = 0; i < doms.size(); ++i) {
    const Domain& d = doms[i];
    if (d.children.empty()) {
      CHECK(d.level == DomainLevel::kNode);
      continue;
    }
    DeviceIndex next = d.first_device;
    for (uint32_t ch : d.children) {
      CHECK(doms[ch].parent == i);
      CHECK(static_cast<int>(doms[ch].level) == static_cast<int>(d.level) + 1);
      CHECK(doms[ch].first_device == next);
      next += doms[ch].device_count;
    }
    CHECK(next == d.first_device + d.device_count);
  }
  for (const Device& dev : c.devices()) {
    for (uint32_t dom : {dev.pod, dev.rack, dev.node}) {
      CHECK(dev.index >= doms[dom].first_device);
      CHECK(dev.index < doms[dom].first_device + doms[dom].device_count);
    }
    CHECK(doms[dev.pod].level == DomainLevel::kPod);
    CHECK(doms[dev.rack].level == DomainLevel::kRack);
    CHECK(doms[dev.node].level == DomainLevel::kNode);
  }
}

}  // namespace

TEST_CASE("cloudmatrix384: one pod of 12 racks of 4 nodes of 8 NPUs") {
  const Cluster c = build_preset("cloudmatrix384");
  check_tree(c);
  const Domain& pod = c.domains()[c.devices()[0].pod];
  CHECK(pod.device_count == 384);
  CHECK(pod.children.size() == 12);
  CHECK(c.domains()[pod.children[0]].device_count == 32);
  const Device& d = c.devices()[77];  // node 9 (77 / 8), npu 5
  CHECK(d.name == "cloudmatrix384/node9/npu5");
  CHECK(d.local_rank == 5);
  CHECK(c.domains()[d.node].name == "cloudmatrix384/node9");
  CHECK(c.detailed().endpoints(77).size() == 2);  // two dies
  CHECK(c.collapsed().endpoints(77).size() == 1);  // one package
}

TEST_CASE("every preset and a multi-pool cluster form a proper tree") {
  for (const std::string& name : preset_names()) {
    CAPTURE(name);
    check_tree(build_preset(name));
  }
  const Cluster mixed = build_cluster({.pools = {{.preset = "nvl72", .count = 2, .system = *preset("nvl72")},
                                                 {.preset = "nvl36x2", .count = 1, .system = *preset("nvl36x2")}},
                                       .fat_tree = FatTreeParams{.radix = 36}});
  check_tree(mixed);
  CHECK(mixed.domains()[0].children.size() == 3);  // three pods
  CHECK(mixed.devices()[150].pool == 1);
  CHECK(mixed.domains()[mixed.devices()[150].pod].name == "nvl36x2-0");
}
