// MaxMinSolver against hand calculations and against a brute-force oracle on random
// small graphs.
#include "engine/network/maxmin.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

#include "engine/network/maxmin_sums.h"

namespace podsim::engine {
namespace {

using Route = std::vector<LinkId>;

// The textbook formulation (Bertsekas & Gallager, "Data Networks", §6.5.2), written
// independently of the solver: raise every unfrozen flow by the same increment until
// some link saturates, freeze the flows crossing saturated links, repeat. From
// scratch, no heap, no components.
std::vector<double> brute_force(const std::vector<double>& capacity, const std::vector<Route>& routes) {
  std::vector<double> rate(routes.size(), 0);
  std::vector<bool> frozen(routes.size(), false);
  for (;;) {
    std::vector<double> used(capacity.size(), 0);
    std::vector<int> unfrozen(capacity.size(), 0);
    for (size_t f = 0; f < routes.size(); ++f)
      for (LinkId l : routes[f]) {
        used[index(l)] += rate[f];
        if (!frozen[f]) ++unfrozen[index(l)];
      }
    double inc = INFINITY;
    for (size_t l = 0; l < capacity.size(); ++l)
      if (unfrozen[l] > 0) inc = std::min(inc, (capacity[l] - used[l]) / unfrozen[l]);
    if (inc == INFINITY) return rate;
    for (size_t f = 0; f < routes.size(); ++f)
      if (!frozen[f]) rate[f] += inc;
    std::fill(used.begin(), used.end(), 0);
    for (size_t f = 0; f < routes.size(); ++f)
      for (LinkId l : routes[f]) used[index(l)] += rate[f];
    for (size_t f = 0; f < routes.size(); ++f)
      for (LinkId l : routes[f])
        if (!frozen[f] && used[index(l)] >= capacity[index(l)] * (1 - 1e-12)) frozen[f] = true;
  }
}

// The definition itself: feasible, and every flow has a saturated link on which no
// flow gets more than it does.
void check_max_min_fair(const std::vector<double>& capacity, const std::vector<Route>& routes,
                        const std::vector<double>& rate) {
  std::vector<double> used(capacity.size(), 0), top(capacity.size(), 0);
  for (size_t f = 0; f < routes.size(); ++f)
    for (LinkId l : routes[f]) {
      used[index(l)] += rate[f];
      top[index(l)] = std::max(top[index(l)], rate[f]);
    }
  for (size_t l = 0; l < capacity.size(); ++l) CHECK(used[l] <= capacity[l] * (1 + 1e-9));
  for (size_t f = 0; f < routes.size(); ++f) {
    bool bottlenecked = false;
    for (LinkId l : routes[f])
      bottlenecked |= used[index(l)] >= capacity[index(l)] * (1 - 1e-9) && rate[f] >= top[index(l)] * (1 - 1e-9);
    CHECK(bottlenecked);
  }
}

TEST_CASE("hand example: two links, three flows") {
  // Link 0: 10, link 1: 4. Flow a over {0}, b over {0, 1}, c over {1}.
  // Link 1's share 4/2 = 2 < link 0's 10/2 = 5: b and c freeze at 2. Link 0 then has
  // 10 - 2 = 8 for a alone: a = 8.
  MaxMinSolver s;
  const LinkId l0 = s.add_link(10), l1 = s.add_link(4);
  const FlowId a = s.add_flow(Route{l0}), b = s.add_flow(Route{l0, l1}), c = s.add_flow(Route{l1});
  for (FlowId f : {a, b, c}) s.activate(f);
  s.solve();
  CHECK(s.rate(a) == doctest::Approx(8));
  CHECK(s.rate(b) == doctest::Approx(2));
  CHECK(s.rate(c) == doctest::Approx(2));
  CHECK(s.load(l0) == doctest::Approx(10));
  CHECK(s.load(l1) == doctest::Approx(4));

  SUBCASE("removing c: link 1 (share 4/1) now caps b below link 0 (share 10/2)") {
    s.remove_flow(c);
    s.solve();
    CHECK(s.rate(b) == doctest::Approx(4));
    CHECK(s.rate(a) == doctest::Approx(6));  // 10 - 4
  }
}

TEST_CASE("a flow alone on a path runs at the bottleneck bandwidth") {
  MaxMinSolver s;
  const Route r{s.add_link(900), s.add_link(392), s.add_link(3136)};
  const FlowId f = s.add_flow(r);
  s.activate(f);
  s.solve();
  CHECK(s.rate(f) == 392);
}

TEST_CASE("suspended flows take no share") {
  MaxMinSolver s;
  const LinkId l = s.add_link(100);
  const FlowId a = s.add_flow(Route{l}), b = s.add_flow(Route{l});
  s.activate(a);
  s.solve();
  CHECK(s.rate(a) == 100);
  CHECK(s.rate(b) == 0);
  s.activate(b);
  s.solve();
  CHECK(s.rate(a) == 50);
  CHECK(s.rate(b) == 50);
}

TEST_CASE("only the affected component is recomputed") {
  MaxMinSolver s;
  const LinkId l0 = s.add_link(1), l1 = s.add_link(1), l2 = s.add_link(1);
  const FlowId a = s.add_flow(Route{l0}), b = s.add_flow(Route{l0, l1}), c = s.add_flow(Route{l2});
  for (FlowId f : {a, b, c}) s.activate(f);
  CHECK(s.solve().flows.size() == 3);
  const FlowId d = s.add_flow(Route{l1});
  s.activate(d);
  // d arrives on l1, which b crosses without being limited there (b is bottlenecked on
  // l0 at 1/2): d takes the 1/2 left, saturating l1 at a level no flow on it exceeds,
  // so a and b keep their rates and are not recomputed (maxmin.h, the precedence
  // region); c, on its own link, is not either.
  const auto changes = s.solve();
  CHECK(changes.flows.size() == 1);
  CHECK(changes.links.size() == 1);
  CHECK(s.rate(a) == 0.5);
  CHECK(s.rate(b) == 0.5);
  CHECK(s.rate(d) == 0.5);
  CHECK(s.rate(c) == 1);
  CHECK(s.regrown_solves() == 0);
}

TEST_CASE("bad input is rejected") {
  MaxMinSolver s;
  CHECK_THROWS_AS(s.add_link(0), std::invalid_argument);
  CHECK_THROWS_AS(s.add_link(-1), std::invalid_argument);
  CHECK_THROWS_AS(s.add_link(INFINITY), std::invalid_argument);
  const LinkId l = s.add_link(1);
  CHECK_THROWS_AS(s.add_flow(Route{}), std::invalid_argument);
  CHECK_THROWS_AS(s.add_flow(Route{LinkId{7}}), std::invalid_argument);
  CHECK_THROWS_AS(s.add_flow(Route{l, l}), std::invalid_argument);
  CHECK(s.flow_count() == 0);
}

struct RandomCase {
  std::vector<double> capacity;
  std::vector<Route> routes;
};

RandomCase random_case(std::mt19937_64& rng) {
  RandomCase c;
  const int links = std::uniform_int_distribution<int>(1, 10)(rng);
  const int flows = std::uniform_int_distribution<int>(1, 25)(rng);
  // Few distinct capacities, so that fair shares tie often.
  std::uniform_int_distribution<int> cap(1, 4);
  for (int l = 0; l < links; ++l) c.capacity.push_back(25.0 * cap(rng));
  for (int f = 0; f < flows; ++f) {
    std::vector<uint32_t> all(links);
    for (int l = 0; l < links; ++l) all[l] = l;
    std::shuffle(all.begin(), all.end(), rng);
    const int len = std::uniform_int_distribution<int>(1, std::min(links, 4))(rng);
    Route r;
    for (int i = 0; i < len; ++i) r.push_back(LinkId{all[i]});
    c.routes.push_back(r);
  }
  return c;
}

TEST_CASE("rates equal the brute-force max-min allocation on random graphs") {
  std::mt19937_64 rng(4);
  for (int trial = 0; trial < 500; ++trial) {
    CAPTURE(trial);
    const RandomCase c = random_case(rng);
    MaxMinSolver s;
    for (double cap : c.capacity) s.add_link(cap);
    std::vector<FlowId> ids;
    for (const Route& r : c.routes) {
      ids.push_back(s.add_flow(r));
      s.activate(ids.back());
    }
    s.solve();
    const std::vector<double> expected = brute_force(c.capacity, c.routes);
    std::vector<double> got;
    for (FlowId f : ids) got.push_back(s.rate(f));
    for (size_t f = 0; f < ids.size(); ++f) CHECK(got[f] == doctest::Approx(expected[f]).epsilon(1e-9));
    check_max_min_fair(c.capacity, c.routes, got);
  }
}

TEST_CASE("incremental solves match from-scratch solves under arrivals and departures") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    CAPTURE(trial);
    const RandomCase c = random_case(rng);
    MaxMinSolver s;
    for (double cap : c.capacity) s.add_link(cap);
    std::map<uint32_t, Route> active;  // FlowId -> route
    std::uniform_int_distribution<size_t> pick_route(0, c.routes.size() - 1);
    for (int op = 0; op < 40; ++op) {
      const int burst = std::uniform_int_distribution<int>(1, 3)(rng);
      for (int k = 0; k < burst; ++k) {
        if (!active.empty() && rng() % 3 == 0) {
          auto it = std::next(active.begin(), static_cast<long>(rng() % active.size()));
          s.remove_flow(FlowId{it->first});
          active.erase(it);
        } else {
          const Route& r = c.routes[pick_route(rng)];
          const FlowId f = s.add_flow(r);
          s.activate(f);
          active[index(f)] = r;
        }
      }
      s.solve();
      std::vector<Route> routes;
      for (const auto& [f, r] : active) routes.push_back(r);
      const std::vector<double> expected = brute_force(c.capacity, routes);
      size_t i = 0;
      for (const auto& [f, r] : active) CHECK(s.rate(FlowId{f}) == doctest::Approx(expected[i++]).epsilon(1e-9));
      for (size_t l = 0; l < c.capacity.size(); ++l) CHECK(s.load(LinkId{static_cast<uint32_t>(l)}) <= c.capacity[l] * (1 + 1e-9));
    }
  }
}


// A from-scratch solve of the same flows in a fresh solver: no history, one component
// at a time from the full capacities.
std::vector<double> fresh_solve(const std::vector<double>& capacity, const std::vector<Route>& routes) {
  MaxMinSolver s;
  for (double cap : capacity) s.add_link(cap);
  std::vector<FlowId> ids;
  for (const Route& r : routes) {
    ids.push_back(s.add_flow(r));
    s.activate(ids.back());
  }
  s.solve();
  std::vector<double> rates;
  for (FlowId f : ids) rates.push_back(s.rate(f));
  return rates;
}

// A flow of the event-by-event tests: its route and the bytes it has left.
struct LiveFlow {
  Route route;
  double bytes;
};

// Drains every live flow at its rate until the first ones run out; returns those (ties
// included), still in `live` and in the solver.
std::vector<uint32_t> drain_to_next(const MaxMinSolver& s, std::map<uint32_t, LiveFlow>& live) {
  double dt = INFINITY;
  for (const auto& [f, l] : live) dt = std::min(dt, l.bytes / s.rate(FlowId{f}));
  std::vector<uint32_t> done;
  for (auto& [f, l] : live) {
    const double t = l.bytes / s.rate(FlowId{f});
    l.bytes -= s.rate(FlowId{f}) * dt;
    if (t <= dt * (1 + 1e-12)) done.push_back(f);
  }
  return done;
}

// Flows with sizes drain at their rates; at each event every flow whose bytes run out
// first (ties included) completes, and sometimes new flows arrive at the same instant.
// After each event's solve, every rate is compared with a from-scratch solve, and with
// the textbook oracle while the case is small. Most events are completions alone, which
// the solver recomputes only from the completed flows' rate up (maxmin.h).
// What a run_events() solver did, for tests that must see a path taken.
struct EventCounts {
  uint64_t repairs = 0;
  uint64_t repair_fallbacks = 0;
  uint64_t rank_queue_solves = 0;
  uint64_t rate_bits = 0;  // every event's rates, bit patterns folded in
};

EventCounts run_events(std::mt19937_64& rng, int links, int max_len, int initial, int arrivals, bool oracle,
                       size_t window = MaxMinSolver::kWindow,
                       MaxMinSolver::QuietQueue queue = MaxMinSolver::QuietQueue::kChosen) {
  std::vector<double> capacity;
  std::uniform_int_distribution<int> cap(1, 4);
  for (int l = 0; l < links; ++l) capacity.push_back(25.0 * cap(rng));
  auto random_route = [&] {
    std::vector<uint32_t> all(links);
    for (int l = 0; l < links; ++l) all[l] = l;
    std::shuffle(all.begin(), all.end(), rng);
    const int len = std::uniform_int_distribution<int>(1, std::min(links, max_len))(rng);
    Route r;
    for (int i = 0; i < len; ++i) r.push_back(LinkId{all[i]});
    return r;
  };
  // Sizes from a handful of values, so that flows also finish together.
  auto random_bytes = [&] { return 10.0 * std::uniform_int_distribution<int>(1, 6)(rng) * (rng() % 4 == 0 ? 1 : 1.37); };
  MaxMinSolver s;
  s.set_window(window);
  s.set_quiet_queue(queue);
  for (double c : capacity) s.add_link(c);
  std::map<uint32_t, LiveFlow> live;
  uint64_t rate_bits = 0;
  auto arrive = [&] {
    const Route r = random_route();
    const FlowId f = s.add_flow(r);
    s.activate(f);
    live[index(f)] = LiveFlow{r, random_bytes()};
  };
  for (int i = 0; i < initial; ++i) arrive();
  int arrived = initial, events = 0;
  s.solve();
  while (!live.empty()) {
    ++events;
    // Next completion: the smallest bytes / rate; flows within a relative 1e-12 of it
    // finish in the same event (FlowNetwork's integer nanoseconds do this for real).
    const std::vector<uint32_t> done = drain_to_next(s, live);
    for (uint32_t f : done) {
      s.remove_flow(FlowId{f});
      live.erase(f);
    }
    if (arrived < initial + arrivals && rng() % 4 == 0) {
      const int burst = std::uniform_int_distribution<int>(1, 3)(rng);
      for (int k = 0; k < burst; ++k, ++arrived) arrive();
    }
    s.solve();
    std::vector<Route> routes;
    for (const auto& [f, l] : live) routes.push_back(l.route);
    const std::vector<double> expected = fresh_solve(capacity, routes);
    const std::vector<double> textbook = oracle ? brute_force(capacity, routes) : expected;
    std::vector<double> got;
    for (const auto& [f, l] : live) got.push_back(s.rate(FlowId{f}));
    for (const double r : got) rate_bits = rate_bits * 1099511628211u ^ std::bit_cast<uint64_t>(r);
    for (size_t i = 0; i < got.size(); ++i) {
      CAPTURE(events);
      REQUIRE(got[i] == doctest::Approx(expected[i]).epsilon(1e-9));
      REQUIRE(got[i] == doctest::Approx(textbook[i]).epsilon(1e-9));
    }
    if (oracle) check_max_min_fair(capacity, routes, got);
    // Every flow's class is its bottleneck: a saturated link on its route on which no
    // flow gets more, and the class's rate is the flow's, bit for bit.
    std::vector<double> top(links, 0);
    for (const auto& [f, l] : live)
      for (LinkId m : l.route) top[index(m)] = std::max(top[index(m)], s.rate(FlowId{f}));
    for (const auto& [f, l] : live) {
      const uint32_t c = s.class_of(FlowId{f});
      REQUIRE(std::find(l.route.begin(), l.route.end(), LinkId{c}) != l.route.end());
      CHECK(s.rate(FlowId{f}) == s.class_rate(c));
      CHECK(s.load(LinkId{c}) == doctest::Approx(capacity[c]).epsilon(1e-9));
      CHECK(s.rate(FlowId{f}) == doctest::Approx(top[c]).epsilon(1e-9));
    }
    for (int l = 0; l < links; ++l) {
      double load = 0;
      for (size_t i = 0; i < routes.size(); ++i)
        for (LinkId m : routes[i]) load += index(m) == static_cast<uint32_t>(l) ? got[i] : 0;
      CHECK(s.load(LinkId{static_cast<uint32_t>(l)}) == doctest::Approx(load).epsilon(1e-9));
    }
  }
  return EventCounts{s.quiet_repairs(), s.quiet_repair_fallbacks(), s.rank_queue_solves(), rate_bits};
}

TEST_CASE("arrivals and completions, event by event, match from-scratch solves (small, textbook oracle)") {
  std::mt19937_64 rng(19);
  for (int trial = 0; trial < 300; ++trial) {
    CAPTURE(trial);
    run_events(rng, std::uniform_int_distribution<int>(1, 10)(rng), 4, std::uniform_int_distribution<int>(1, 25)(rng),
               std::uniform_int_distribution<int>(0, 15)(rng), true);
  }
}

TEST_CASE("arrivals and completions, event by event, match from-scratch solves (hundreds of flows)") {
  std::mt19937_64 rng(23);
  for (int trial = 0; trial < 6; ++trial) {
    CAPTURE(trial);
    run_events(rng, 40, 5, 300, 100, false);
  }
}

// Completions alone on random graphs, every event checked against a from-scratch solve,
// the textbook oracle and the bottleneck definition: quiet solves repair classes whose
// links turn out slower than classes re-rated just before them (maxmin.h, "Quiet
// repairs"), and some repairs meet a case they do not handle after moving flows, so
// the fill takes over from a state with flows in new classes at old rates.
TEST_CASE("quiet repairs on random graphs, and their fallback, match from-scratch solves") {
  std::mt19937_64 rng(47);
  EventCounts total;
  for (int trial = 0; trial < 300; ++trial) {
    CAPTURE(trial);
    const EventCounts n = run_events(rng, std::uniform_int_distribution<int>(2, 12)(rng), 4,
                                     std::uniform_int_distribution<int>(5, 60)(rng), 0, true);
    total.repairs += n.repairs;
    total.repair_fallbacks += n.repair_fallbacks;
  }
  CHECK(total.repairs > 0);
  CHECK(total.repair_fallbacks > 0);
  MESSAGE("repairs: " << total.repairs << ", repair fallbacks: " << total.repair_fallbacks);
}

// The quiet solve's queue by rank pops the classes in the heap's order (maxmin.h, "The
// quiet queue"), repairs' classes taken back included: the same events give the same
// rates bit for bit either way, and both match from-scratch solves and the oracle.
TEST_CASE("the quiet queue by rank and by heap give the same rates, bit for bit") {
  std::mt19937_64 rng(53);
  EventCounts by_rank;
  for (int trial = 0; trial < 200; ++trial) {
    CAPTURE(trial);
    const int links = std::uniform_int_distribution<int>(2, 12)(rng);
    const int initial = std::uniform_int_distribution<int>(5, 60)(rng);
    const int arrivals = std::uniform_int_distribution<int>(0, 10)(rng);
    std::mt19937_64 heap_rng = rng, rank_rng = rng;
    const EventCounts h = run_events(heap_rng, links, 4, initial, arrivals, true, MaxMinSolver::kWindow,
                                     MaxMinSolver::QuietQueue::kHeap);
    const EventCounts r = run_events(rank_rng, links, 4, initial, arrivals, true, MaxMinSolver::kWindow,
                                     MaxMinSolver::QuietQueue::kRank);
    rng = rank_rng;
    CHECK(h.rank_queue_solves == 0);
    CHECK(r.rate_bits == h.rate_bits);
    CHECK(r.repairs == h.repairs);
    by_rank.rank_queue_solves += r.rank_queue_solves;
    by_rank.repairs += r.repairs;
  }
  CHECK(by_rank.rank_queue_solves > 0);
  CHECK(by_rank.repairs > 0);
}

// Completions alone, filled in the old order through windows of 1 and 2 classes
// (maxmin.h, "Ordered fills"): the order breaks often, between classes whose flows
// meet, and the fallback must give the from-scratch rates.
TEST_CASE("completions filled in the old order through narrow windows match from-scratch solves") {
  std::mt19937_64 rng(43);
  for (int trial = 0; trial < 200; ++trial) {
    CAPTURE(trial);
    run_events(rng, std::uniform_int_distribution<int>(2, 12)(rng), 4, std::uniform_int_distribution<int>(5, 40)(rng), 0,
               true, 1 + trial % 2);
  }
}

TEST_CASE("a completion recomputes only flows at or above its rate") {
  // Link 0 (capacity 2) carries a and b; link 1 (capacity 10) carries b, c, d. a and b
  // freeze at 1 on link 0; c and d share the remaining 9 of link 1: 4.5 each.
  MaxMinSolver s;
  const LinkId l0 = s.add_link(2), l1 = s.add_link(10);
  const FlowId a = s.add_flow(Route{l0}), b = s.add_flow(Route{l0, l1}), c = s.add_flow(Route{l1}),
               d = s.add_flow(Route{l1});
  for (FlowId f : {a, b, c, d}) s.activate(f);
  s.solve();
  CHECK(s.rate(b) == 1);
  CHECK(s.rate(c) == 4.5);
  // d (rate 4.5) ends: b (rate 1 < 4) keeps its rate and is not recomputed; c gets 9.
  s.remove_flow(d);
  const auto changes = s.solve();
  CHECK(changes.flows.size() == 1);
  CHECK(s.rate(c) == 9);
  CHECK(s.load(l1) == 10);
  CHECK(s.rate(a) == 1);
  // b (rate 1) ends: everything at or above 1 that is connected is recomputed.
  s.remove_flow(b);
  CHECK(s.solve().flows.size() == 2);
  CHECK(s.rate(a) == 2);
  CHECK(s.rate(c) == 10);
}


TEST_CASE("a completion recomputes only the classes downstream of its links") {
  // l0 (capacity 2): a, b at 1 (bottleneck l0). l1 (capacity 100, never saturated): b, c,
  // g. l2 (capacity 10): c, d at 5 (bottleneck l2). l3 (capacity 3): g at 3.
  MaxMinSolver s;
  const LinkId l0 = s.add_link(2), l1 = s.add_link(100), l2 = s.add_link(10), l3 = s.add_link(3);
  const FlowId a = s.add_flow(Route{l0}), b = s.add_flow(Route{l0, l1}), c = s.add_flow(Route{l1, l2}),
               d = s.add_flow(Route{l2}), g = s.add_flow(Route{l1, l3});
  for (FlowId f : {a, b, c, d, g}) s.activate(f);
  s.solve();
  CHECK(s.rate(b) == 1);
  CHECK(s.rate(c) == 5);
  CHECK(s.rate(g) == 3);
  // g (rate 3) ends. The region of flows at or above 3 connected to its links would
  // hold c and d (5 >= 3, through l1); but l1 is not saturated, so no bottleneck's
  // share moves: nothing is recomputed, and the rates are the from-scratch ones.
  s.remove_flow(g);
  const auto changes = s.solve();
  CHECK(changes.flows.empty());
  CHECK(changes.classes.empty());
  const std::vector<double> fresh = fresh_solve({2, 100, 10, 3}, {Route{l0}, Route{l0, l1}, Route{l1, l2}, Route{l2}});
  CHECK(s.rate(a) == fresh[0]);
  CHECK(s.rate(b) == fresh[1]);
  CHECK(s.rate(c) == fresh[2]);
  CHECK(s.rate(d) == fresh[3]);
  CHECK(s.load(l1) == 6);
}

TEST_CASE("a region whose level drops below a frozen flow grows and fills again") {
  // l0 (40): e, f at 20 each (bottleneck l0); f also crosses l2 (40) and l1 (30).
  MaxMinSolver s;
  const LinkId l0 = s.add_link(40), l1 = s.add_link(30), l2 = s.add_link(40), l3 = s.add_link(30);
  const FlowId e = s.add_flow(Route{l0}), f = s.add_flow(Route{l0, l2, l1});
  s.activate(e);
  s.activate(f);
  s.solve();
  CHECK(s.rate(f) == 20);
  // h arrives on l1, l3, l2. None of them is a bottleneck, so the region is h alone; it
  // would take the 10 left on l1, below f's 20 there: (*) of maxmin.h fails, f's class
  // joins, and the second fill gives the from-scratch rates: l1 shared by f and h at
  // 15, e takes the 25 f leaves on l0.
  const FlowId h = s.add_flow(Route{l1, l3, l2});
  s.activate(h);
  s.solve();
  CHECK(s.regrown_solves() == 1);
  CHECK(s.rate(h) == 15);
  CHECK(s.rate(f) == 15);
  CHECK(s.rate(e) == 25);
  CHECK(s.load(l1) == 30);
  CHECK(s.load(l0) == 40);
}

TEST_CASE("a link left out of the heap that the fill overloads joins it, and the region grows") {
  // A (3): f1, h1, g1; B (2): f2, g2; L (3.5): f1, h1, f2. A and B tie at 1 and every
  // flow freezes there; L carries 3 of its 3.5 and no flow is bottlenecked on it.
  MaxMinSolver s;
  const LinkId a = s.add_link(3), b = s.add_link(2), l = s.add_link(3.5);
  const FlowId f1 = s.add_flow(Route{a, l}), h1 = s.add_flow(Route{a, l}), g1 = s.add_flow(Route{a}),
               f2 = s.add_flow(Route{b, l}), g2 = s.add_flow(Route{b});
  for (FlowId f : {f1, h1, g1, f2, g2}) s.activate(f);
  s.solve();
  CHECK(s.rate(f1) == 1);
  CHECK(s.load(l) == 3);
  // g1 ends. The region is A's class (f1, h1); L has no class and no new flow, so it
  // is left out of the heap (maxmin.h, "Links left out"): f1 and h1 would take 1.5
  // each on A and put 4 on L. The check after the fill catches it: L joins the heap
  // and every class on it (f2's, on B) the region, and the second fill gives the
  // from-scratch rates: f2 and g2 keep 1 on B, f1 and h1 share the 2.5 left on L and
  // are bottlenecked there.
  s.remove_flow(g1);
  s.solve();
  // The quiet path (only a removal) tried first: A's equation gave 1.5 per flow, 4 on
  // L, and its feasibility check sent the solve to the fill.
  CHECK(s.quiet_fallbacks() == 1);
  CHECK(s.regrown_solves() == 1);
  CHECK(s.class_of(f1) == index(l));
  CHECK(s.load(l) == 3.5);
  CHECK(s.load(a) == 2.5);
  const std::vector<FlowId> ids{f1, h1, f2, g2};
  const std::vector<double> hand{1.25, 1.25, 1, 1};
  const std::vector<double> fresh =
      fresh_solve({3, 2, 3.5}, {Route{a, l}, Route{a, l}, Route{b, l}, Route{b}});
  for (size_t i = 0; i < ids.size(); ++i) {
    CHECK(s.rate(ids[i]) == hand[i]);
    CHECK(s.rate(ids[i]) == fresh[i]);
  }
}

// An all-to-all on a star of n ranks: flow (i, j), i != j, over up link i and down link
// n + j, activated and solved, with bytes(j) bytes (called in the order of (i, j)).
std::map<uint32_t, LiveFlow> start_star(MaxMinSolver& s, int n, const std::function<double(int)>& bytes) {
  std::map<uint32_t, LiveFlow> live;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      if (i == j) continue;
      const Route r{LinkId{static_cast<uint32_t>(i)}, LinkId{static_cast<uint32_t>(n + j)}};
      const FlowId f = s.add_flow(r);
      s.activate(f);
      live[index(f)] = LiveFlow{r, bytes(j)};
    }
  s.solve();
  return live;
}

// An all-to-all-v on a star (one up and one down link per rank, uneven sizes): dense,
// so completions reach many bottlenecks, some regions grow, and every event is checked
// against a from-scratch solve. The precedence region is smaller than the flows at or
// above the completed flow's rate connected to it (the earlier region) in over a
// quarter of the events.
TEST_CASE("all-to-all-v on a star, event by event, matches from-scratch solves") {
  std::mt19937_64 rng(31);
  const int n = 9;
  std::vector<double> capacity;
  for (int l = 0; l < 2 * n; ++l) capacity.push_back(l % 3 == 0 ? 300 : 392);
  MaxMinSolver s;
  for (double c : capacity) s.add_link(c);
  std::uniform_real_distribution<double> size(0.2, 1.0);
  // Popular destinations get more: their down links are the bottlenecks.
  std::map<uint32_t, LiveFlow> live = start_star(s, n, [&](int j) { return 100 * size(rng) * (1 + j % 4); });
  size_t smaller = 0, events = 0;
  while (!live.empty()) {
    ++events;
    const std::vector<uint32_t> done = drain_to_next(s, live);
    double theta = INFINITY;
    std::vector<char> seed(capacity.size(), 0);
    for (uint32_t f : done) {
      theta = std::min(theta, s.rate(FlowId{f}));
      for (LinkId m : live[f].route) seed[index(m)] = 1;
    }
    // The earlier region: flows at or above theta connected to the seeds through
    // such flows (counted here, after the removal, by a fixed-point sweep).
    for (uint32_t f : done) {
      s.remove_flow(FlowId{f});
      live.erase(f);
    }
    std::vector<char> in(capacity.size(), 0);
    for (size_t l = 0; l < in.size(); ++l) in[l] = seed[l];
    size_t old_region = 0;
    for (bool grew = true; grew;) {
      grew = false;
      old_region = 0;
      for (const auto& [f, l] : live) {
        if (s.rate(FlowId{f}) < theta) continue;
        bool touches = false;
        for (LinkId m : l.route) touches |= in[index(m)] != 0;
        if (!touches) continue;
        ++old_region;
        for (LinkId m : l.route)
          if (!in[index(m)]) in[index(m)] = 1, grew = true;
      }
    }
    const auto changes = s.solve();
    smaller += changes.flows.size() < old_region;
    std::vector<Route> routes;
    for (const auto& [f, l] : live) routes.push_back(l.route);
    const std::vector<double> expected = fresh_solve(capacity, routes);
    const std::vector<double> textbook = brute_force(capacity, routes);
    size_t i = 0;
    for (const auto& [f, l] : live) {
      CAPTURE(events);
      REQUIRE(s.rate(FlowId{f}) == doctest::Approx(expected[i]).epsilon(1e-9));
      REQUIRE(s.rate(FlowId{f}) == doctest::Approx(textbook[i]).epsilon(1e-9));
      ++i;
    }
    std::vector<double> got;
    for (const auto& [f, l] : live) got.push_back(s.rate(FlowId{f}));
    check_max_min_fair(capacity, routes, got);
  }
  CHECK(events > 30);
  CHECK(smaller * 4 > events);  // 28 of 72 events
  CHECK(s.regrown_solves() > 0);
}

// Adds and activates a flow per route, solves, and returns their ids in order.
std::vector<FlowId> start_all(MaxMinSolver& s, std::initializer_list<Route> routes) {
  std::vector<FlowId> ids;
  for (const Route& r : routes) s.activate(ids.emplace_back(s.add_flow(r)));
  s.solve();
  return ids;
}

// Quiet solves (maxmin.h): a completion that moves no flow between classes is re-rated
// class by class in the order of the old rates, with no fill.
TEST_CASE("a completion that moves no flow takes the quiet path") {
  // A (2): f1, f2; B (2.4): f2, f3, f4, f5. B's share 0.6 is below A's 1: f2..f5 freeze
  // at 0.6 on B, f1 takes the 1.4 left on A.
  MaxMinSolver s;
  const LinkId a = s.add_link(2), b = s.add_link(2.4);
  const std::vector<FlowId> all = start_all(s, {Route{a}, Route{a, b}, Route{b}, Route{b}, Route{b}});
  const FlowId f1 = all[0], f2 = all[1], f3 = all[2], f4 = all[3], f5 = all[4];
  CHECK(s.rate(f2) == doctest::Approx(0.6).epsilon(1e-12));
  CHECK(s.rate(f1) == doctest::Approx(1.4).epsilon(1e-12));
  // f5 ends: B's class (f2, f3, f4) takes 2.4 / 3 = 0.8 from B's equation, pushes its
  // +0.2 to A, and A's class (f1) takes the 1.2 left. Nobody changed class.
  s.remove_flow(f5);
  const auto changes = s.solve();
  CHECK(s.quiet_solves() == 1);
  CHECK(s.quiet_fallbacks() == 0);
  CHECK(changes.classes.size() == 2);
  CHECK(changes.moved.empty());
  CHECK(changes.flows.size() == 4);
  const std::vector<FlowId> ids{f1, f2, f3, f4};
  const std::vector<double> hand{1.2, 0.8, 0.8, 0.8};
  const std::vector<double> fresh = fresh_solve({2, 2.4}, {Route{a}, Route{a, b}, Route{b}, Route{b}});
  for (size_t i = 0; i < ids.size(); ++i) {
    CHECK(s.rate(ids[i]) == doctest::Approx(hand[i]).epsilon(1e-12));
    CHECK(s.rate(ids[i]) == doctest::Approx(fresh[i]).epsilon(1e-12));
  }
  CHECK(s.class_of(f2) == index(b));
  CHECK(s.load(a) == doctest::Approx(2).epsilon(1e-12));
  CHECK(s.load(b) == doctest::Approx(2.4).epsilon(1e-12));
}

TEST_CASE("a quiet solve whose bottleneck check fails on a class re-rated just before repairs it") {
  // A (2): f1, f2; B (2.4): f2, f3, f4. B's share 0.8 is below A's 1: f2..f4 at 0.8 on
  // B, f1 at 1.2 on A.
  MaxMinSolver s;
  const LinkId a = s.add_link(2), b = s.add_link(2.4);
  const std::vector<FlowId> all = start_all(s, {Route{a}, Route{a, b}, Route{b}, Route{b}});
  const FlowId f1 = all[0], f2 = all[1], f3 = all[2], f4 = all[3];
  CHECK(s.class_of(f2) == index(b));
  // f4 ends. The quiet path re-rates B's class first (old rate 0.8): 2.4 / 2 = 1.2; then
  // A's: 2 - 1.2 = 0.8, below f2's 1.2 on A. Progressive filling would have saturated A
  // first (share 2 / 2 = 1 against B's 1.2): the repair (maxmin.h, "Quiet repairs")
  // takes B's class back, freezes f1 and f2 at 1 on A (f2 moves to A's class), and
  // re-rates B's class without f2: f3 takes the 1.4 left on B. No fill.
  s.remove_flow(f4);
  const auto changes = s.solve();
  CHECK(s.quiet_solves() == 1);
  CHECK(s.quiet_fallbacks() == 0);
  CHECK(s.quiet_repairs() == 1);
  CHECK(changes.moved.size() == 1);
  CHECK(s.class_of(f2) == index(a));
  CHECK(changes.classes.size() == 2);
  const std::vector<FlowId> ids{f1, f2, f3};
  const std::vector<double> hand{1, 1, 1.4};
  const std::vector<double> fresh = fresh_solve({2, 2.4}, {Route{a}, Route{a, b}, Route{b}});
  for (size_t i = 0; i < ids.size(); ++i) {
    CHECK(s.rate(ids[i]) == doctest::Approx(hand[i]).epsilon(1e-12));
    CHECK(s.rate(ids[i]) == doctest::Approx(fresh[i]).epsilon(1e-12));
  }
  CHECK(s.load(a) == doctest::Approx(2).epsilon(1e-12));
  CHECK(s.load(b) == doctest::Approx(2.4).epsilon(1e-12));
}

TEST_CASE("a flow whose class's link ties with another of its links in a round keeps its class") {
  // A (3): f1, f2, f3; B (3): f1, f4, f5, f6. B's share 0.75 is below A's 1: f1 and
  // f4..f6 freeze at 0.75 on B, f2 and f3 take (3 - 0.75) / 2 = 1.125 on A.
  MaxMinSolver s;
  const LinkId a = s.add_link(3), b = s.add_link(3), c = s.add_link(1);
  const std::vector<FlowId> all =
      start_all(s, {Route{a, b}, Route{a}, Route{a}, Route{b}, Route{b}, Route{b}});
  const FlowId f1 = all[0], f6 = all[5];
  CHECK(s.class_of(f1) == index(b));
  CHECK(s.rate(all[1]) == doctest::Approx(1.125).epsilon(1e-12));
  // f6 ends while a flow starts on C (so the solve fills, not the quiet path). A and B
  // now both share 3 among 3 flows: 1 each, one round. f1 crosses both; B, its class's
  // link, saturates in that round, so it stays in B's class. Moving it to A (the
  // smaller id, frozen first) would be as valid, but tied links would then trade their
  // shared flows at every solve (the 1,536-rank `nvl` all-to-all-v of bench/README.md,
  // where ~68,000 flows moved per solve).
  s.remove_flow(f6);
  const FlowId g = s.add_flow(Route{c});
  s.activate(g);
  const auto changes = s.solve();
  CHECK(s.quiet_solves() == 0);
  CHECK(changes.moved.size() == 1);  // g, into C's class
  CHECK(changes.moved[0] == g);
  CHECK(s.class_of(f1) == index(b));
  const std::vector<Route> routes{Route{a, b}, Route{a}, Route{a}, Route{b}, Route{b}, Route{c}};
  const std::vector<double> fresh = fresh_solve({3, 3, 1}, routes);
  const std::vector<double> oracle = brute_force({3, 3, 1}, routes);
  const std::vector<FlowId> ids{all[0], all[1], all[2], all[3], all[4], g};
  for (size_t i = 0; i < ids.size(); ++i) {
    CHECK(s.rate(ids[i]) == doctest::Approx(1).epsilon(1e-12));
    CHECK(s.rate(ids[i]) == doctest::Approx(fresh[i]).epsilon(1e-12));
    CHECK(s.rate(ids[i]) == doctest::Approx(oracle[i]).epsilon(1e-12));
  }
  CHECK(s.load(a) == doctest::Approx(3).epsilon(1e-12));
  CHECK(s.load(b) == doctest::Approx(3).epsilon(1e-12));
}

// Completes the live flows event by event (no arrivals) until none is left, checking
// after every solve the rates against a from-scratch solve (and the textbook oracle
// when `textbook`), the loads against the capacities, and the definition itself.
void complete_all_checked(MaxMinSolver& s, std::map<uint32_t, LiveFlow>& live, const std::vector<double>& capacity,
                          bool textbook) {
  while (!live.empty()) {
    for (uint32_t f : drain_to_next(s, live)) {
      s.remove_flow(FlowId{f});
      live.erase(f);
    }
    s.solve();
    std::vector<Route> routes;
    for (const auto& [f, l] : live) routes.push_back(l.route);
    const std::vector<double> expected = fresh_solve(capacity, routes);
    const std::vector<double> oracle = textbook ? brute_force(capacity, routes) : expected;
    std::vector<double> got;
    size_t i = 0;
    for (const auto& [f, l] : live) {
      REQUIRE(s.rate(FlowId{f}) == doctest::Approx(expected[i]).epsilon(1e-9));
      REQUIRE(s.rate(FlowId{f}) == doctest::Approx(oracle[i]).epsilon(1e-9));
      got.push_back(s.rate(FlowId{f}));
      ++i;
    }
    for (size_t l = 0; l < capacity.size(); ++l)
      CHECK(s.load(LinkId{static_cast<uint32_t>(l)}) <= capacity[l] * (1 + 1e-9));
    check_max_min_fair(capacity, routes, got);
  }
}

// Completions alone on a dense star, every event checked against a from-scratch solve
// and the textbook oracle: both the quiet path and its fallback are taken.
TEST_CASE("completions on a star, quiet or not, match from-scratch solves") {
  std::mt19937_64 rng(37);
  uint64_t quiet = 0, fallbacks = 0;
  for (int star = 0; star < 20; ++star) {
    CAPTURE(star);
    const int n = std::uniform_int_distribution<int>(3, 8)(rng);
    std::uniform_int_distribution<int> hundreds(2, 5);
    std::vector<double> capacity(2 * n);
    for (double& c : capacity) c = 100.0 * hundreds(rng);
    MaxMinSolver s;
    for (double c : capacity) s.add_link(c);
    std::uniform_real_distribution<double> size(0.1, 1.0);
    std::map<uint32_t, LiveFlow> live = start_star(s, n, [&](int j) { return 100 * size(rng) * (1 + j % 3); });
    complete_all_checked(s, live, capacity, true);
    quiet += s.quiet_solves();
    fallbacks += s.quiet_fallbacks();
  }
  CHECK(quiet > 0);
  CHECK(fallbacks > 0);
}

// Completions alone on stars with more classes than the ordered fill's window
// (maxmin.h, "Ordered fills"), every event checked against a from-scratch solve:
// fills in the old order are taken, and so is their fallback when a class outside
// the window should have saturated first (windows of 1 and 2 make that common).
TEST_CASE("ordered fills on wide stars, and their fallback, match from-scratch solves") {
  std::mt19937_64 rng(41);
  uint64_t ordered = 0, fallbacks = 0;
  for (int star = 0; star < 12; ++star) {
    CAPTURE(star);
    const size_t window = star % 3 == 0 ? MaxMinSolver::kWindow : star % 3;
    CAPTURE(window);
    const int n = std::uniform_int_distribution<int>(10, 24)(rng);
    std::uniform_int_distribution<int> hundreds(2, 5);
    std::vector<double> capacity(2 * n);
    for (double& c : capacity) c = 100.0 * hundreds(rng);
    MaxMinSolver s;
    s.set_window(window);
    for (double c : capacity) s.add_link(c);
    std::lognormal_distribution<double> size(0, 1);
    std::map<uint32_t, LiveFlow> live = start_star(s, n, [&](int j) { return 100 * size(rng) * (1 + j % 5); });
    complete_all_checked(s, live, capacity, false);
    ordered += s.ordered_solves();
    fallbacks += s.ordered_fallbacks();
  }
  MESSAGE("ordered ", ordered, " fallbacks ", fallbacks);
  CHECK(ordered > 0);
  CHECK(fallbacks > 0);
}

// A wide star and several narrow ones in one solver, completions alone: the wide
// star's fills keep the order from fill to fill, the narrow ones' (a region far
// smaller than the classes kept) sort their own classes; every event against a
// from-scratch solve.
TEST_CASE("ordered fills of small regions beside a large one match from-scratch solves") {
  std::mt19937_64 rng(47);
  const std::vector<int> sizes{14, 3, 4, 3, 5};
  std::vector<double> capacity;
  std::map<uint32_t, LiveFlow> live;
  MaxMinSolver s;
  std::lognormal_distribution<double> bytes(0, 1);
  int base = 0;
  std::vector<std::pair<Route, double>> flows;
  for (int n : sizes) {
    for (int l = 0; l < 2 * n; ++l) capacity.push_back(100.0 * std::uniform_int_distribution<int>(2, 5)(rng));
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if (i != j)
          flows.emplace_back(Route{LinkId{static_cast<uint32_t>(base + i)}, LinkId{static_cast<uint32_t>(base + n + j)}},
                             100 * bytes(rng) * (1 + j % 4));
    base += 2 * n;
  }
  for (double c : capacity) s.add_link(c);
  for (const auto& [r, b] : flows) {
    const FlowId f = s.add_flow(r);
    s.activate(f);
    live[index(f)] = LiveFlow{r, b};
  }
  s.solve();
  complete_all_checked(s, live, capacity, false);
  CHECK(s.ordered_solves() > 0);
}

// maxmin_sums.h replaces m rounded subtractions (additions) of v by integer steps on
// x's significand within a binade: the result must be the loop's, bit for bit, on
// operands of every scale, chains that cross binades or drain x to ~0, ties (v / ulp
// a half-integer), negative, zero, tiny and huge x.
TEST_CASE("repeated sums equal the serial loops bit for bit") {
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> unit(0, 1);
  int mismatches = 0;
  const auto check = [&](double x, double v, uint32_t m) {
    double sub = x, add = x;
    for (uint32_t j = 0; j < m; ++j) {
      sub -= v;
      add += v;
    }
    const auto same = [](double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); };
    mismatches += !same(subtract_repeated(x, v, m), sub) + !same(add_repeated(x, v, m), add);
    mismatches += !same(sums_detail::subtract_chain(x, v, m), sub) + !same(sums_detail::add_chain(x, v, m), add);
  };
  for (int i = 0; i < 200000; ++i) {
    const uint32_t m = static_cast<uint32_t>(rng() % 300);
    double x = 0, v = 0;
    switch (i % 5) {
      case 0:  // any scales
        x = std::ldexp(0.5 + unit(rng), static_cast<int>(rng() % 80) - 20);
        v = std::ldexp(0.5 + unit(rng), static_cast<int>(rng() % 80) - 40);
        break;
      case 1: {  // a link's capacity shared by a few hundred flows, drained to ~0
        v = 392e9 / static_cast<double>(1 + rng() % 400) * (1 + unit(rng) * 1e-6);
        x = v * static_cast<double>(rng() % 400) * (1 + (unit(rng) - 0.5) * 1e-9);
        break;
      }
      case 2: {  // ties: v a half-integer multiple of x's ulp, or a quarter off one
        x = std::ldexp(1 + static_cast<double>(rng() % (uint64_t{1} << 52)) * 0x1p-52, static_cast<int>(rng() % 40));
        const double ulp = std::ldexp(1.0, std::ilogb(x) - 52);
        v = ulp * (static_cast<double>(rng() % 1000) + 0.25 * static_cast<double>(rng() % 4));
        break;
      }
      case 3:  // next to a power of two, either sign
        x = std::ldexp(1.0, static_cast<int>(rng() % 40)) * (1 + static_cast<double>(rng() % 3) * 0x1p-52);
        if (rng() % 2) x = -x;
        v = std::ldexp(unit(rng), static_cast<int>(rng() % 40) - 10);
        break;
      default:  // random bit patterns
        x = std::bit_cast<double>(rng());
        v = std::abs(std::bit_cast<double>(rng()));
        if (!std::isfinite(x) || !std::isfinite(v)) continue;
        break;
    }
    check(x, v, m);
  }
  const double tiny = std::numeric_limits<double>::denorm_min();
  check(tiny, tiny, 50);
  check(0x1p-1000, 0x1p-1060, 50);
  check(0x1p1020, 0x1p1000, 50);
  check(std::numeric_limits<double>::max(), 0x1p970, 50);
  check(1.0, 0.0, 50);
  check(0.0, 0.0, 50);
  check(0.0, 1e9, 50);
  CHECK(mismatches == 0);
}

}  // namespace
}  // namespace podsim::engine
