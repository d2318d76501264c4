#include "engine/event_queue.h"


#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
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

// The hold workload of bench/event_queue_bench.cc at a size where level-2 buckets are
// sorted into runs of thousands and ~1 push in 20 lands inside the current run (its
// heap of late entries), then zero-delay bursts that make the late heap outgrow the run
// (the run is dissolved into the buckets), with cancels mixed in last; checked against
// an ordered set of (time, sequence).
TEST_CASE("runs, late entries and dissolved runs keep (time, insertion) order") {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> delay(1.0 / 1e5);
  EventQueue<int> q;
  std::set<std::tuple<int64_t, int, int>> oracle;  // (time, sequence = id, id)
  std::vector<EventHandle> handles;
  std::vector<int64_t> times;  // by id
  int next_id = 0;
  auto push = [&](int64_t t) {
    handles.push_back(q.push(SimTime::nanos(t), next_id));
    times.push_back(t);
    oracle.emplace(t, next_id, next_id);
    ++next_id;
  };
  auto pop_and_check = [&] {
    const auto [t, s, id] = *oracle.begin();
    oracle.erase(oracle.begin());
    const auto [qt, qid] = q.pop();
    REQUIRE(qt.ns() == t);
    REQUIRE(qid == id);
    return t;
  };
  for (int i = 0; i < 50000; ++i) push(static_cast<int64_t>(delay(rng)));
  for (int phase = 0; phase < 3; ++phase) {
    for (int i = 0; i < 100000; ++i) {
      const int64_t now = pop_and_check();
      // Phase 1: bursts of three pushes per pop at the current instant (and just after)
      // flood the run's window until it is dissolved, then pops without pushes drain.
      const int in_cycle = i % 25000;
      const bool burst = phase == 1 && in_cycle < 10000;
      const int pushes = phase != 1 ? 1 : burst ? 3 : in_cycle < 20000 ? 0 : 1;
      for (int k = 0; k < pushes; ++k)
        push(now + (burst ? static_cast<int64_t>(rng() % 3) : static_cast<int64_t>(delay(rng))));
      if (phase == 2 && i % 7 == 0) {
        const int victim = static_cast<int>(rng() % handles.size());
        const auto it = oracle.find({times[victim], victim, victim});
        const bool pending = it != oracle.end();
        REQUIRE(q.cancel(handles[victim]) == pending);
        if (pending) oracle.erase(it);
      }
      REQUIRE(q.size() == oracle.size());
    }
  }
  while (!oracle.empty()) pop_and_check();
  CHECK(q.empty());
}

namespace {
struct RunEntry {
  uint64_t key;
  uint32_t id;
};
// What SortedRun::sort_from needs of a bucket: its size and its entries in order.
struct VectorFifo {
  std::vector<RunEntry> entries;
  size_t size() const { return entries.size(); }
  template <typename F>
  void for_each(F&& f) const {
    for (const RunEntry& e : entries) f(e);
  }
};
}  // namespace

// A run of up to 32 entries is sorted by insertion, a longer one by counting sort
// (engine/sorted_run.h); both must give a stable sort on the key: entries of a bucket
// share every digit above the sorted ones, ties in bucket order.
TEST_CASE("small and large runs pop as a stable sort on the key") {
  std::mt19937_64 rng(3);
  podsim::engine::SortedRun<RunEntry> run;
  for (size_t n : {1, 2, 3, 7, 31, 32, 33, 64, 500}) {
    for (int digits : {1, 2}) {
      CAPTURE(n);
      CAPTURE(digits);
      const uint64_t high = uint64_t{0x5a} << 40;  // shared by the whole bucket
      VectorFifo bucket;
      for (uint32_t i = 0; i < n; ++i) {
        // Few distinct low digits, so ties are common.
        const uint64_t low = digits == 1 ? rng() % 17 : (rng() % 9) * 256 + rng() % 5;
        bucket.entries.push_back({high | low, i});
      }
      std::vector<RunEntry> expected = bucket.entries;
      std::stable_sort(expected.begin(), expected.end(),
                       [](const RunEntry& a, const RunEntry& b) { return a.key < b.key; });
      run.sort_from(bucket, digits, high + (uint64_t{1} << (8 * digits)));
      for (const RunEntry& e : expected) {
        REQUIRE_FALSE(run.empty());
        const RunEntry got = run.pop_front();
        CHECK(got.key == e.key);
        CHECK(got.id == e.id);
      }
      CHECK(run.empty());
      run.end();
    }
  }
}
