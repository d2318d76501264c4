// Links left out of the solve (FlowNetwork::declare_feeders): a link whose feeders'
// capacities sum to at most its own can never bind, so leaving it out changes no
// finish time and no link statistic (flow_network.h, "Links that cannot bind"); the
// declaration's rules; a route that contradicts its fabric's feeders is refused; the
// limits of the per-class counts (a count's 65,535 flows, 65,535 links left out).
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

TEST_CASE("a class with more than 65,535 flows on a left-out link counts them in parts") {
  // Device 0's 1 GB/s up link (0) feeds leaf 0's up link (1, 1 GB/s); device 1's
  // 2 GB/s down link (3) feeds leaf 1's down link (2, 2 GB/s): both left out. 65,540
  // flows from device 0 to device 1 share link 0, one class, and cross both left-out
  // links: 65,535 flows in one count and 5 in another. Each moves at 1e9 / 65,540 B/s:
  // the 3 flows of 1,000 B finish at 1,000 * 65,540 / 1e9 s = 65.54 ms; the other
  // 65,537 have 1,000 B of their 2,000 left and then move at 1e9 / 65,537 B/s: done
  // 65.537 ms later, at 131.077 ms (finish times round up to whole nanoseconds).
  const std::vector<LinkSpec> links{{Bandwidth::gbytes_per_s(1), SimTime::zero()},
                                    {Bandwidth::gbytes_per_s(1), SimTime::zero()},
                                    {Bandwidth::gbytes_per_s(2), SimTime::zero()},
                                    {Bandwidth::gbytes_per_s(2), SimTime::zero()}};
  const std::vector<LinkId> route{LinkId{0}, LinkId{1}, LinkId{2}, LinkId{3}};
  Simulator sim(1);
  FlowNetwork net(sim, links);
  REQUIRE(net.declare_feeders(LinkId{1}, std::vector<LinkId>{LinkId{0}}));
  REQUIRE(net.declare_feeders(LinkId{2}, std::vector<LinkId>{LinkId{3}}));
  constexpr size_t kShort = 3, kLong = 65'537;
  int64_t short_done = -1, long_done = -1;
  net.start_flows(kShort, [&](size_t) { return FlowSpec{.bytes = Bytes(1000), .route = route}; },
                  [&] { short_done = sim.now().ns(); });
  net.start_flows(kLong, [&](size_t) { return FlowSpec{.bytes = Bytes(2000), .route = route}; },
                  [&] { long_done = sim.now().ns(); });
  std::vector<double> up, down;  // the left-out links' loads, before and after the 3 finish
  for (const int64_t probe : {30'000'000, 100'000'000})
    sim.schedule_at(SimTime::nanos(probe), [&] {
      up.push_back(net.load(LinkId{1}).value());
      down.push_back(net.load(LinkId{2}).value());
    });
  sim.run();
  CHECK(std::abs(short_done - 65'540'000) <= 1);
  CHECK(std::abs(long_done - 131'077'000) <= 2);
  REQUIRE(up.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(up[i] == doctest::Approx(1e9).epsilon(1e-12));
    CHECK(down[i] == doctest::Approx(1e9).epsilon(1e-12));
  }
  CHECK(net.load(LinkId{1}).value() == 0);
  CHECK(net.link_stats(LinkId{1}).carried.value() == kShort * 1000.0 + kLong * 2000.0);
  CHECK(net.link_stats(LinkId{1}).peak_utilization == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(net.link_stats(LinkId{2}).peak_utilization == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(net.link_stats(LinkId{2}).busy.ns() == long_done);
}

TEST_CASE("at most 65,535 links are left out, the rest stay in the solve") {
  // Link 0 (1 GB/s) feeds each of 65,536 links of 1 GB/s: the first 65,535 are left
  // out, the last stays. A flow over link 0 and link 1 (left out) and one over link 0
  // and the last link share link 0: 0.5 GB/s each, 1 GB in 2 s.
  constexpr uint32_t kFed = 65'536;
  const std::vector<LinkSpec> links(kFed + 1, LinkSpec{Bandwidth::gbytes_per_s(1), SimTime::zero()});
  Simulator sim(1);
  FlowNetwork net(sim, links);
  const std::vector<LinkId> feeder{LinkId{0}};
  size_t left_out = 0;
  for (uint32_t l = 1; l <= kFed; ++l) left_out += net.declare_feeders(LinkId{l}, feeder);
  CHECK(left_out == kFed - 1);
  CHECK(net.left_out(LinkId{kFed - 1}));
  CHECK_FALSE(net.left_out(LinkId{kFed}));
  std::vector<int64_t> done;
  for (const uint32_t l : {1u, kFed}) {
    const std::vector<LinkId> route{LinkId{0}, LinkId{l}};
    net.start_flow({.bytes = Bytes::giga(1), .route = route}, [&] { done.push_back(sim.now().ns()); });
  }
  double left_out_load = -1, kept_load = -1;
  sim.schedule_at(SimTime::seconds(1), [&] {
    left_out_load = net.load(LinkId{1}).value();
    kept_load = net.load(LinkId{kFed}).value();
  });
  sim.run();
  CHECK(done == std::vector<int64_t>{2'000'000'000, 2'000'000'000});
  CHECK(left_out_load == 0.5e9);
  CHECK(kept_load == 0.5e9);
  CHECK(net.link_stats(LinkId{1}).carried.value() == 1e9);
  CHECK(net.link_stats(LinkId{kFed}).carried.value() == 1e9);
}

}  // namespace
}  // namespace podsim::engine
