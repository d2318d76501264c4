#include "scheduler/policy.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "engine/check.h"
#include "scheduler/class_queue.h"
#include "scheduler/fair_share.h"
#include "scheduler/policy_keys.h"
#include "scheduler/policy_reference.h"

namespace podsim::scheduler {
namespace {

using engine::SimTime;

class Fifo final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    for (auto j = v.next_pending(std::nullopt); j; j = v.next_pending(*j))
      if (!v.start_anywhere(*j)) return;  // the head blocks the queue
  }
};

// SJF: walk the queue in key order and start every job that fits. A job that does not
// fit is skipped, and every job of its class with it: the walk goes from one class
// that can start a job to the next, O(classes x log n) per start, not O(n) per pass.
class Sjf final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    queue_.settle([&](uint32_t j) { return sjf_key(v, j); }, [&](uint32_t j) { return v.queue_class(j); });
    std::optional<Queue::Entry> after;  // the last job started
    for (;;) {
      // The first job after `after`, in key order, that can start now: every job between
      // is of a class that cannot (nothing changed since they were passed).
      const Queue::Entry* next = nullptr;
      for (uint32_t c : queue_.nonempty()) {
        if (!v.class_could_start(c)) continue;
        const Queue::Set& jobs = queue_.jobs_of(c);
        const auto it = after ? jobs.upper_bound(*after) : jobs.begin();
        if (it != jobs.end() && (next == nullptr || *it < *next)) next = &*it;
      }
      if (next == nullptr) return;
      after = *next;
      const uint32_t j = next->second;
      const bool started = v.start_anywhere(j);
      PODSIM_CHECK(started, "SJF: a job of a class that could start did not");
      queue_.erase(j);
    }
  }
  void queued(uint32_t j) override { queue_.queued(j); }
  void left_queue(uint32_t j) override { queue_.left(j); }

 private:
  using Queue = ClassQueue<decltype(sjf_key(std::declval<SchedulerView&>(), 0))>;
  Queue queue_;
};

// Shared by the preemptive policies: walk every job (running or queued) in `key` order,
// keeping each that still fits in its pool's usable devices; preempt the running jobs
// not kept, then start the queued ones kept. A running job is only displaced by a job
// ahead of it in the order, so equal keys never thrash.
//
// Queued jobs' keys are fixed while they wait (policy_keys.h), so they stay sorted in
// `queue` between passes; only the running jobs (at most one per device) are keyed and
// sorted per pass. The walk merges the two. A queued job is kept iff some pool it may
// use has room for it; room only shrinks during the walk, so a class that has none once
// never has again and its remaining jobs are passed over at once: O(R log R + (R +
// starts) x (pools + log classes) + classes x log n) per pass, R running, not
// O(n log n).
template <typename Key, typename KeyOf>
void preemptive_pass(SchedulerView& v, ClassQueue<Key>& queue, KeyOf key) {
  queue.settle(key, [&](uint32_t j) { return v.queue_class(j); });
  using Entry = typename ClassQueue<Key>::Entry;
  std::vector<Entry> running;
  running.reserve(v.running().size());
  for (uint32_t j : v.running()) running.emplace_back(key(j), j);
  std::sort(running.begin(), running.end());
  PoolRoom room_in(v);
  struct Cursor {
    uint32_t c;
    typename ClassQueue<Key>::Set::const_iterator at, end;
    size_t pool = 0;  // allowed pools before this one have no room for the class's jobs
  };
  // The first pool of the class's jobs with room for one, if any. Room only shrinks, so
  // the search resumes where it stopped.
  auto pool_with_room = [&](Cursor& k) -> std::optional<uint32_t> {
    const uint32_t j = queue.member(k.c);
    const int64_t need = v.request(j).devices;
    const std::vector<uint32_t>& pools = v.allowed_pools(j);
    for (; k.pool < pools.size(); ++k.pool)
      if (room_in(pools[k.pool]) >= need) return pools[k.pool];
    return std::nullopt;
  };
  // The classes whose next job may still be kept, as a heap on that job's key: a step
  // costs O(pools + log classes), not a look at every class (with thousands of jobs
  // running and hundreds of classes that was slower than the sort it replaced).
  auto later = [](const Cursor& a, const Cursor& b) { return *b.at < *a.at; };
  std::vector<Cursor> heap;
  for (uint32_t c : queue.nonempty()) heap.push_back({c, queue.jobs_of(c).begin(), queue.jobs_of(c).end()});
  std::make_heap(heap.begin(), heap.end(), later);
  std::vector<std::pair<uint32_t, uint32_t>> to_start;  // (job, pool)
  std::vector<uint32_t> to_preempt;
  size_t r = 0;
  for (;;) {
    // A class with no room now never has again in this pass: drop it.
    std::optional<uint32_t> pool;
    while (!heap.empty() && !(pool = pool_with_room(heap.front()))) {
      std::pop_heap(heap.begin(), heap.end(), later);
      heap.pop_back();
    }
    if (r < running.size() && (heap.empty() || running[r] < *heap.front().at)) {
      const uint32_t j = running[r++].second;
      const int64_t need = v.request(j).devices;
      int64_t& left = room_in(v.pool_of(j));
      if (left >= need) left -= need;
      else to_preempt.push_back(j);
      continue;
    }
    if (heap.empty()) break;
    std::pop_heap(heap.begin(), heap.end(), later);
    Cursor& next = heap.back();
    const uint32_t j = next.at->second;
    room_in(*pool) -= v.request(j).devices;
    to_start.emplace_back(j, *pool);
    if (++next.at == next.end) heap.pop_back();
    else std::push_heap(heap.begin(), heap.end(), later);
  }
  for (uint32_t j : to_preempt) v.preempt(j);
  for (auto [j, p] : to_start) v.start(j, p);  // the queue follows through left_queue
}

// A preemptive policy ranking by KeyFn (policy_keys.h) and keeping its queue sorted.
template <typename KeyFn>
class Preemptive : public Policy {
 public:
  explicit Preemptive(KeyFn key) : key_(std::move(key)) {}
  void schedule(SchedulerView& v) override {
    preemptive_pass(v, queue_, [&](uint32_t j) { return key_(v, j); });
  }
  void queued(uint32_t j) override { queue_.queued(j); }
  void left_queue(uint32_t j) override { queue_.left(j); }

 private:
  KeyFn key_;
  ClassQueue<decltype(std::declval<KeyFn&>()(std::declval<SchedulerView&>(), 0u))> queue_;
};

template <typename KeyFn>
std::unique_ptr<Policy> make_preemptive(KeyFn key) {
  return std::make_unique<Preemptive<KeyFn>>(std::move(key));
}

class Las final : public Policy {
 public:
  explicit Las(std::vector<double> thresholds) : levels_(std::move(thresholds)) {}
  void schedule(SchedulerView& v) override {
    preemptive_pass(v, queue_, [&](uint32_t j) { return levels_.key(v, j); });
    levels_.wake_at_crossings(v);
  }
  void queued(uint32_t j) override { queue_.queued(j); }
  void left_queue(uint32_t j) override { queue_.left(j); }

 private:
  LasLevels levels_;
  ClassQueue<decltype(std::declval<const LasLevels&>().key(std::declval<SchedulerView&>(), 0))> queue_;
};

class EasyBackfill final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    std::optional<uint32_t> head = v.next_pending(std::nullopt);
    while (head && v.start_anywhere(*head)) head = v.next_pending(*head);
    if (!head) return;
    const Reservation r = reserve(v, *head);
    if (r.shadow != SimTime::max()) v.reserve(*head, r.shadow);
    SchedulerView::BackfillWindow window{.pool = r.pool, .shadow = r.shadow, .extra = r.extra};
    // Only the queued jobs whose attempt below can change anything (next_backfill); the
    // rest would fail on every pool.
    for (auto next = v.next_backfill(*head, window); next; next = v.next_backfill(*next, window)) {
      const uint32_t j = *next;
      for (uint32_t p : v.allowed_pools(j)) {
        if (p != r.pool) {
          if (v.start(j, p)) break;
          continue;
        }
        // No reservation (devices down): the head needs every usable device of its pool
        // back, so nothing may take one. Without this, start(j, p, SimTime::max()) let
        // anything in, and the head could starve behind long jobs started meanwhile.
        if (r.shadow == SimTime::max()) continue;
        // In the reserved pool: either done before the shadow time, or small enough to
        // live in the devices the head will leave over.
        if (v.start(j, p, r.shadow)) break;
        if (v.request(j).devices <= window.extra && v.start(j, p)) {
          window.extra -= v.request(j).devices;
          break;
        }
      }
    }
  }

 private:
  struct Reservation {
    uint32_t pool = 0;
    SimTime shadow = SimTime::max();
    uint32_t extra = 0;  // devices free at the shadow time beyond the head's need
  };

  // The allowed pool where the head can start earliest, assuming running jobs end when
  // expected.
  static Reservation reserve(const SchedulerView& v, uint32_t head) {
    const uint32_t need = v.request(head).devices;
    Reservation best;
    bool found = false;
    for (uint32_t p : v.allowed_pools(head)) {
      std::vector<std::pair<SimTime, uint32_t>> ends;
      for (uint32_t j : v.running())
        if (v.pool_of(j) == p) ends.emplace_back(v.expected_end(j), v.request(j).devices);
      std::sort(ends.begin(), ends.end());
      uint32_t avail = v.free_in_pool(p);
      for (const auto& [t, n] : ends) {
        avail += n;
        if (avail >= need) {
          if (!found || t < best.shadow) best = {.pool = p, .shadow = t, .extra = avail - need};
          found = true;
          break;
        }
      }
    }
    // No reservation possible (too many devices down): nothing backfills into the
    // head's first pool; jobs still backfill into other pools.
    if (!found) best = {.pool = v.allowed_pools(head).front(), .shadow = SimTime::max(), .extra = 0};
    return best;
  }
};

}  // namespace

const char* to_string(PolicyKind k) {
  switch (k) {
    case PolicyKind::kFifo: return "fifo";
    case PolicyKind::kSjf: return "sjf";
    case PolicyKind::kSrtf: return "srtf";
    case PolicyKind::kEasyBackfill: return "easy-backfill";
    case PolicyKind::kLas: return "las";
    case PolicyKind::kFairShare: return "fair-share";
    case PolicyKind::kPriority: return "priority";
  }
  return "?";
}

std::unique_ptr<Policy> make_policy(const PolicyOptions& o) {
  if (o.whole_queue_sort)
    if (auto reference = make_reference_policy(o)) return reference;
  switch (o.kind) {
    case PolicyKind::kFifo: return std::make_unique<Fifo>();
    case PolicyKind::kSjf: return std::make_unique<Sjf>();
    case PolicyKind::kSrtf: return make_preemptive([](const SchedulerView& v, uint32_t j) { return srtf_key(v, j); });
    case PolicyKind::kEasyBackfill: return std::make_unique<EasyBackfill>();
    case PolicyKind::kLas: return std::make_unique<Las>(o.las_thresholds);
    case PolicyKind::kFairShare: return make_fair_share();
    case PolicyKind::kPriority:
      return make_preemptive([](const SchedulerView& v, uint32_t j) { return priority_key(v, j); });
  }
  throw std::invalid_argument("make_policy: unknown kind");
}

}  // namespace podsim::scheduler
