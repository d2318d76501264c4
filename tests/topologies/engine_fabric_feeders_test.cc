// EngineFabric::feeders on every preset and on a multi-pod fat tree: every route the
// fabric hands out crosses a feeder of each link it declares (the flow network refuses
// a route that does not), and leaving those links out of the solve moves no finish
// time (flow_network.h, "Links that cannot bind").
#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "engine/network/flow_network.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "topologies/params.h"

namespace podsim::topologies {
namespace {

// Random device pairs (all of them on small clusters) as one batch on a network that
// leaves the fabric's feeder-declared links out and on one that keeps them.
size_t compare_on(const Cluster& c, uint64_t seed) {
  const EngineFabric fabric(c);
  engine::Simulator sim(1);
  engine::FlowNetwork plain(sim, fabric.links()), lean(sim, fabric.links());
  const size_t left_out = lean.declare_feeders(fabric);
  const size_t n = fabric.device_count();
  std::mt19937_64 rng(seed);
  struct Pair {
    uint32_t s, d;
    double bytes;
  };
  std::vector<Pair> pairs;
  if (n * (n - 1) <= 6000) {
    for (uint32_t s = 0; s < n; ++s)
      for (uint32_t d = 0; d < n; ++d)
        if (s != d) pairs.push_back({s, d, 0});
  } else {
    for (int i = 0; i < 3000; ++i) {
      const auto s = static_cast<uint32_t>(rng() % n);
      auto d = static_cast<uint32_t>(rng() % (n - 1));
      if (d >= s) ++d;
      pairs.push_back({s, d, 0});
    }
  }
  for (Pair& p : pairs) p.bytes = 1e5 * static_cast<double>(1 + rng() % 50);
  std::vector<int64_t> got_plain(pairs.size(), -1), got_lean(pairs.size(), -1);
  for (size_t i = 0; i < pairs.size(); ++i) {
    const engine::DeviceId s{pairs[i].s}, d{pairs[i].d};
    const std::vector<engine::LinkId> route = fabric.route(s, d);
    if (route.empty()) continue;
    plain.start_flow({.src = s, .dst = d, .bytes = engine::Bytes(pairs[i].bytes), .route = route},
                     [&, i] { got_plain[i] = sim.now().ns(); });
    // Throws if the route crosses a declared link but none of its feeders.
    lean.start_flow({.src = s, .dst = d, .bytes = engine::Bytes(pairs[i].bytes), .route = route},
                    [&, i] { got_lean[i] = sim.now().ns(); });
  }
  sim.run();
  for (size_t i = 0; i < pairs.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(got_lean[i] - got_plain[i]) <= 1);
  }
  for (uint32_t l = 0; l < fabric.links().size(); ++l)
    CHECK(lean.link_stats(engine::LinkId{l}).peak_utilization ==
          doctest::Approx(plain.link_stats(engine::LinkId{l}).peak_utilization).epsilon(1e-9));
  return left_out;
}

TEST_CASE("EngineFabric feeders: every preset's routes cross them, and the run is the same without those links") {
  for (const std::string& name : preset_names()) {
    CAPTURE(name);
    const size_t left_out = compare_on(build_preset(name), 11);
    MESSAGE(name << ": " << left_out << " links left out of the solve");
  }
}

TEST_CASE("EngineFabric feeders: two-tier fat tree of HGX pods") {
  const Cluster c = build_cluster({.pools = {{.preset = "hgx-h100", .count = 8, .system = *preset("hgx-h100")}},
                                   .fat_tree = FatTreeParams{.tiers = 2}});
  const size_t left_out = compare_on(c, 12);
  MESSAGE("8 x hgx-h100, 2-tier fat tree: " << left_out << " links left out of the solve");
}

}  // namespace
}  // namespace podsim::topologies
