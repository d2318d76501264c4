#include "engine/event_queue.h"


#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

using podsim::engine::EventHandle;
using podsim::engine::EventQueue;
using podsim::engine::SimTime;

TEST_CASE("equal times pop in insertion order") {
  EventQueue<int> q;
  for (int i = 0; i < 10; ++i) q.push(SimTime::nanos(5), i);
  q.push(SimTime::nanos(1), 100);
  REQUIRE(q.pop().second == 100);
  for (int i = 0; i < 10; ++i) CHECK(q.pop().second == i);
  CHECK(q.empty());
}

TEST_CASE("cancelled events never pop, and a stale handle cancels nothing") {
  EventQueue<int> q;
  EventHandle a = q.push(SimTime::nanos(3), 1);
  EventHandle b = q.push(SimTime::nanos(2), 2);
  q.push(SimTime::nanos(4), 3);
  CHECK(q.cancel(a));
  CHECK_FALSE(q.cancel(a));  // already cancelled
  CHECK(q.size() == 2);
  CHECK(q.pop().second == 2);
  CHECK_FALSE(q.cancel(b));  // already popped
  // The slot of `a` is reused by the next push; `a` must not cancel the newcomer.
  EventHandle c = q.push(SimTime::nanos(10), 4);
  CHECK_FALSE(q.cancel(a));
  CHECK(q.pop().second == 3);
  CHECK(q.pop().second == 4);
  CHECK_FALSE(q.cancel(c));
  CHECK_FALSE(q.cancel(EventHandle{}));
}

namespace {
// Delay shapes that exercise each path: ties and tiny steps (exact-key buckets, runs
// with insertions), medium steps (sorted runs of levels 1-2), and huge jumps (high
// levels, redistribution), mixed.
int64_t draw_delay(std::mt19937_64& rng, int shape) {
  switch (shape) {
    case 0: return (rng() % 8 == 0) ? static_cast<int64_t>(rng() % (1LL << 40)) : static_cast<int64_t>(rng() % 4);
    case 1: return static_cast<int64_t>(rng() % 5000);
    default: return (rng() % 3 == 0) ? 0 : static_cast<int64_t>(rng() % 70000);
  }
}
// Oracle: a vector of (time, sequence, id) kept sorted; the queue must agree exactly.
void check_against_oracle(int shape) {
  std::mt19937_64 rng(7 + static_cast<uint64_t>(shape));
  EventQueue<int> q;
  std::vector<std::tuple<int64_t, int, int>> oracle;
  std::vector<std::pair<EventHandle, int>> handles;
  int64_t now = 0;
  int seq = 0;
  for (int step = 0; step < 20000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 5 || oracle.empty()) {
      // Small deltas create many ties; occasional huge ones exercise high buckets.
      const int64_t delta = draw_delay(rng, shape);
      const int id = seq;
      handles.push_back({q.push(SimTime::nanos(now + delta), id), id});
      oracle.emplace_back(now + delta, seq++, id);
    } else if (op < 8) {
      std::sort(oracle.begin(), oracle.end());
      auto [t, s, id] = oracle.front();
      oracle.erase(oracle.begin());
      auto [qt, qid] = q.pop();
      REQUIRE(qt.ns() == t);
      REQUIRE(qid == id);
      now = t;
    } else {
      auto& [h, id] = handles[rng() % handles.size()];
      auto it = std::find_if(oracle.begin(), oracle.end(), [&](auto& e) { return std::get<2>(e) == id; });
      const bool pending = it != oracle.end();
      REQUIRE(q.cancel(h) == pending);
      if (pending) oracle.erase(it);
    }
    REQUIRE(q.size() == oracle.size());
  }
}

}  // namespace

TEST_CASE("matches a naive sorted oracle under random pushes, pops and cancels") {
  SUBCASE("ties and jumps") { check_against_oracle(0); }
  SUBCASE("medium steps") { check_against_oracle(1); }
  SUBCASE("zero-delay storms") { check_against_oracle(2); }
}

TEST_CASE("a push below a peeked minimum still pops first") {
  EventQueue<int> q;
  q.push(SimTime::nanos(100), 1);
  CHECK(q.next_time() == SimTime::nanos(100));  // peek moves the base to 100
  q.push(SimTime::nanos(50), 2);
  q.push(SimTime::nanos(100), 3);
  CHECK(q.pop().second == 2);
  CHECK(q.pop().second == 1);
  CHECK(q.pop().second == 3);
}

TEST_CASE("scheduling before the last popped time is an invariant violation") {
  EventQueue<int> q;
  q.push(SimTime::nanos(10), 1);
  q.pop();
  CHECK_THROWS_AS(q.push(SimTime::nanos(9), 2), podsim::InternalError);
}
