// Links left out of the solve (FlowNetwork::declare_feeders): a link whose feeders'
// capacities sum to at most its own can never bind, so leaving it out changes no
// finish time and no link statistic (flow_network.h, "Links that cannot bind"); the
// declaration's rules; a route that contradicts its fabric's feeders is refused.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/network/flow_network.h"

namespace podsim::engine {
namespace {

// Devices in groups of `per_group` under a leaf switch, leaves under one root. Link
// ids: device d up = d, down = n + d; leaf g up = 2n + g, down = 2n + groups + g.
struct TwoTier {
  size_t n, per_group, groups;
  std::vector<LinkSpec> links;
  uint32_t up(size_t d) const { return static_cast<uint32_t>(d); }
  uint32_t down(size_t d) const { return static_cast<uint32_t>(n + d); }
  uint32_t leaf_up(size_t g) const { return static_cast<uint32_t>(2 * n + g); }
  uint32_t leaf_down(size_t g) const { return static_cast<uint32_t>(2 * n + groups + g); }
  std::vector<LinkId> route(size_t s, size_t d) const {
    if (s / per_group == d / per_group) return {LinkId{up(s)}, LinkId{down(d)}};
    return {LinkId{up(s)}, LinkId{leaf_up(s / per_group)}, LinkId{leaf_down(d / per_group)}, LinkId{down(d)}};
  }
  std::vector<LinkId> up_feeders(size_t g) const {
    std::vector<LinkId> out;
    for (size_t d = g * per_group; d < std::min(n, (g + 1) * per_group); ++d) out.push_back(LinkId{up(d)});
    return out;
  }
  std::vector<LinkId> down_feeders(size_t g) const {
    std::vector<LinkId> out;
    for (size_t d = g * per_group; d < std::min(n, (g + 1) * per_group); ++d) out.push_back(LinkId{down(d)});
    return out;
  }
};

// Device links of 1-3 GB/s; a leaf link has exactly the sum of its devices' links
// (it can never bind), or, with `thin`, half of it (it can).
TwoTier make_two_tier(std::mt19937_64& rng, size_t n, size_t per_group, bool thin) {
  TwoTier t{n, per_group, (n + per_group - 1) / per_group, {}};
  t.links.resize(2 * n + 2 * t.groups);
  for (size_t d = 0; d < n; ++d) {
    t.links[t.up(d)] = {Bandwidth(1e9 * std::uniform_int_distribution<int>(1, 3)(rng)), SimTime::nanos(100)};
    t.links[t.down(d)] = {Bandwidth(1e9 * std::uniform_int_distribution<int>(1, 3)(rng)), SimTime::nanos(100)};
  }
  for (size_t g = 0; g < t.groups; ++g) {
    double up = 0, down = 0;
    for (LinkId l : t.up_feeders(g)) up += t.links[index(l)].capacity.value();
    for (LinkId l : t.down_feeders(g)) down += t.links[index(l)].capacity.value();
    const double scale = thin ? 0.5 : 1.0;
    t.links[t.leaf_up(g)] = {Bandwidth(up * scale), SimTime::nanos(300)};
    t.links[t.leaf_down(g)] = {Bandwidth(down * scale), SimTime::nanos(300)};
  }
  return t;
}

TEST_CASE("links that cannot bind, left out: the same finish times, loads and link statistics") {
  std::mt19937_64 rng(7);
  size_t left_out_links = 0;
  for (int trial = 0; trial < 60; ++trial) {
    CAPTURE(trial);
    const size_t per_group = std::uniform_int_distribution<size_t>(2, 4)(rng);
    const size_t n = per_group * std::uniform_int_distribution<size_t>(2, 4)(rng) - (rng() % 2);
    const TwoTier t = make_two_tier(rng, n, per_group, false);
    Simulator sim(1);
    FlowNetwork plain(sim, t.links), lean(sim, t.links);
    for (size_t g = 0; g < t.groups; ++g) {
      // A leaf of one device has a feeder of its own capacity: still left out.
      CHECK(lean.declare_feeders(LinkId{t.leaf_up(g)}, t.up_feeders(g)));
      CHECK(lean.declare_feeders(LinkId{t.leaf_down(g)}, t.down_feeders(g)));
      left_out_links += 2;
    }
    CHECK(lean.left_out(LinkId{t.leaf_up(0)}));
    CHECK_FALSE(lean.left_out(LinkId{t.up(0)}));
    // Uneven sizes on a coarse grid of start times, so that flows tie, finish together
    // and arrive as others finish.
    struct Flow {
      size_t s, d;
      int64_t start;
      double bytes;
    };
    std::vector<Flow> flows;
    const int count = std::uniform_int_distribution<int>(5, 60)(rng);
    for (int i = 0; i < count; ++i) {
      const size_t s = rng() % n;
      size_t d = rng() % (n - 1);
      if (d >= s) ++d;
      flows.push_back({s, d, std::uniform_int_distribution<int64_t>(0, 6)(rng) * 50'000'000,
                       1e7 * std::uniform_int_distribution<int>(1, 30)(rng) * (rng() % 3 == 0 ? 1.37 : 1.0)});
    }
    std::vector<int64_t> got_plain(flows.size(), -1), got_lean(flows.size(), -1);
    for (size_t i = 0; i < flows.size(); ++i)
      sim.schedule_at(SimTime::nanos(flows[i].start), [&, i] {
        const std::vector<LinkId> r = t.route(flows[i].s, flows[i].d);
        plain.start_flow({.bytes = Bytes(flows[i].bytes), .route = r}, [&, i] { got_plain[i] = sim.now().ns(); });
        lean.start_flow({.bytes = Bytes(flows[i].bytes), .route = r}, [&, i] { got_lean[i] = sim.now().ns(); });
      });
    // Between events, wherever both networks have seen the same arrivals and
    // completions, every link carries the same load in both (the left-out links' loads
    // are kept class by class, the others by the solver).
    size_t compared = 0;
    const auto compare_loads = [&] {
      if (plain.flows_started() != lean.flows_started() || plain.flows_completed() != lean.flows_completed()) return;
      ++compared;
      for (uint32_t l = 0; l < t.links.size(); ++l) {
        CAPTURE(l);
        CHECK(lean.load(LinkId{l}).value() ==
              doctest::Approx(plain.load(LinkId{l}).value()).epsilon(1e-9).scale(plain.capacity(LinkId{l}).value()));
      }
    };
    for (int64_t probe = 1; probe < 3'000'000'000; probe += 7'777'777)
      sim.schedule_at(SimTime::nanos(probe), compare_loads);
    sim.run();
    CHECK(compared > 0);
    for (size_t i = 0; i < flows.size(); ++i) {
      CAPTURE(i);
      REQUIRE(got_plain[i] >= 0);
      // Equal up to the rounding of a finish time to whole nanoseconds (the solver's
      // sums depend on which links it holds).
      CHECK(std::abs(got_lean[i] - got_plain[i]) <= 1);
    }
    for (uint32_t l = 0; l < t.links.size(); ++l) {
      CAPTURE(l);
      const LinkStats a = plain.link_stats(LinkId{l}), b = lean.link_stats(LinkId{l});
      CHECK(b.carried.value() == a.carried.value());
      CHECK(b.peak_utilization == doctest::Approx(a.peak_utilization).epsilon(1e-9));
      CHECK(b.peak_utilization <= 1.0);
      // Busy from the same instants, up to a nanosecond per finish.
      CHECK(std::abs(b.busy.ns() - a.busy.ns()) <= static_cast<int64_t>(flows.size()));
      CHECK(lean.load(LinkId{l}).value() == 0);
    }
  }
  CHECK(left_out_links > 0);
}

TEST_CASE("a link is left out only when its feeders' capacities fit in its own") {
  std::mt19937_64 rng(3);
  const TwoTier thin = make_two_tier(rng, 8, 4, true);
  Simulator sim(1);
  FlowNetwork net(sim, thin.links);
  // Half the devices' capacity: the leaf link can bind, and stays in the solve.
  CHECK_FALSE(net.declare_feeders(LinkId{thin.leaf_up(0)}, thin.up_feeders(0)));
  CHECK_FALSE(net.left_out(LinkId{thin.leaf_up(0)}));
  CHECK_FALSE(net.declare_feeders(LinkId{thin.leaf_up(1)}, {}));

  const TwoTier fat = make_two_tier(rng, 8, 4, false);
  FlowNetwork lean(sim, fat.links);
  REQUIRE(lean.declare_feeders(LinkId{fat.leaf_up(0)}, fat.up_feeders(0)));
  // No two links vouch for each other: a link left out cannot feed another, and a
  // feeder cannot be left out itself.
  CHECK_FALSE(lean.declare_feeders(LinkId{fat.leaf_down(1)}, std::vector<LinkId>{LinkId{fat.leaf_up(0)}}));
  CHECK_FALSE(lean.declare_feeders(LinkId{fat.up(0)}, std::vector<LinkId>{LinkId{fat.down(5)}}));
  CHECK_THROWS_AS(lean.declare_feeders(LinkId{fat.leaf_up(1)}, std::vector<LinkId>{LinkId{fat.leaf_up(1)}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(lean.declare_feeders(LinkId{999}, fat.up_feeders(1)), std::invalid_argument);
  CHECK_THROWS_AS(lean.declare_feeders(LinkId{fat.leaf_up(1)}, std::vector<LinkId>{LinkId{999}}), std::invalid_argument);

  // A route through a left-out link that crosses none of its feeders contradicts the
  // fabric: refused, nothing started.
  const std::vector<LinkId> stray{LinkId{fat.leaf_up(0)}, LinkId{fat.down(6)}};
  try {
    lean.start_flow({.bytes = Bytes(1e6), .route = stray}, [] {});
    FAIL("a route without a feeder was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("none of the links declared to feed it") != std::string::npos);
  }
  CHECK(lean.flows_started() == 0);
  const std::vector<LinkId> twice{LinkId{fat.up(0)}, LinkId{fat.leaf_up(0)}, LinkId{fat.leaf_up(0)}};
  CHECK_THROWS_AS(lean.start_flow({.bytes = Bytes(1e6), .route = twice}, [] {}), std::invalid_argument);

  // Feeders are declared before the first flow.
  lean.start_flow({.bytes = Bytes(1e6), .route = fat.route(0, 5)}, [] {});
  CHECK_THROWS_AS(lean.declare_feeders(LinkId{fat.leaf_up(1)}, fat.up_feeders(1)), std::invalid_argument);
  sim.run();
  CHECK(lean.flows_completed() == 1);
  CHECK(lean.link_stats(LinkId{fat.leaf_up(0)}).carried.value() == 1e6);
}

}  // namespace
}  // namespace podsim::engine
