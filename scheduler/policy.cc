#include "scheduler/policy.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "engine/check.h"
#include "scheduler/class_queue.h"
#include "scheduler/fair_share.h"
#include "scheduler/las_crossings.h"
#include "scheduler/policy_keys.h"
#include "scheduler/policy_reference.h"
#include "scheduler/running_order.h"

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
// fit is skipped, and every job of its class with it: the classes' first jobs are kept
// in a heap on their keys, and a class whose first job cannot start now is dropped for
// the rest of the pass (starts only take devices, so it could not start later in the
// pass either). O(classes) looks per pass and O(log classes) per start; it looked at
// every class again per start, O(classes) (bench/README.md "Scheduler").
class Sjf final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    queue_.settle([&](uint32_t j) { return sjf_key(v, j); }, [&](uint32_t j) { return v.queue_class(j); });
    auto later = [&](uint32_t a, uint32_t b) { return *queue_.jobs_of(b).begin() < *queue_.jobs_of(a).begin(); };
    std::vector<uint32_t> heap(queue_.nonempty().begin(), queue_.nonempty().end());
    std::make_heap(heap.begin(), heap.end(), later);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      const uint32_t c = heap.back();
      if (!v.class_could_start(c)) {
        heap.pop_back();
        continue;
      }
      const uint32_t j = queue_.jobs_of(c).begin()->second;
      const bool started = v.start_anywhere(j);
      PODSIM_CHECK(started, "SJF: a job of a class that could start did not");
      queue_.erase(j);
      if (queue_.jobs_of(c).empty()) heap.pop_back();
      else std::push_heap(heap.begin(), heap.end(), later);
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
// ahead of it in the order, so equal keys never thrash. (The whole-queue version, as
// plain as that: policy_reference.cc.)
//
// Queued jobs' keys are fixed while they wait (policy_keys.h), so they stay sorted in
// `queue` between passes, and a queued job is kept iff some pool it may use has room for
// it; room only shrinks during the walk, so a class that has none once never has again
// and its remaining jobs are passed over at once.
//
// The running jobs are left to `Running` (KeptRunning, below), which walks the pools'
// kept orders (running_order.h) as the queued jobs come, in O(log R) per queued job
// looked at and per job preempted: Running::room(p, x) is the room in pool p at queued
// job x in the walk, after the running jobs ranked before x; take(p, x, n) gives n of it
// to x; finish() walks the rest and returns the jobs to preempt, in key order.
template <typename Key, typename KeyOf, typename Running>
void preemptive_pass(SchedulerView& v, ClassQueue<Key>& queue, KeyOf key, Running& running) {
  queue.settle(key, [&](uint32_t j) { return v.queue_class(j); });
  struct Cursor {
    uint32_t c;
    typename ClassQueue<Key>::Set::const_iterator at, end;
    size_t pool = 0;  // allowed pools before this one have no room for the class's jobs
  };
  // The first pool of the class's jobs with room for its next one, if any. Room only
  // shrinks, so the search resumes where it stopped.
  auto pool_with_room = [&](Cursor& k) -> std::optional<uint32_t> {
    const uint32_t j = queue.member(k.c);
    const int64_t need = v.request(j).devices;
    const std::vector<uint32_t>& pools = v.allowed_pools(j);
    for (; k.pool < pools.size(); ++k.pool)
      if (running.room(pools[k.pool], k.at->first) >= need) return pools[k.pool];
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
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Cursor& next = heap.back();
    // A class with no room now never has again in this pass: drop it.
    const std::optional<uint32_t> pool = pool_with_room(next);
    if (!pool) {
      heap.pop_back();
      continue;
    }
    const uint32_t j = next.at->second;
    running.take(*pool, next.at->first, v.request(j).devices);
    to_start.emplace_back(j, *pool);
    if (++next.at == next.end) heap.pop_back();
    else std::push_heap(heap.begin(), heap.end(), later);
  }
  for (uint32_t j : running.finish()) v.preempt(j);
  for (auto [j, p] : to_start) v.start(j, p);  // the queue follows through left_queue
}

// The running jobs of each pool in their kept order (running_order.h). In a pool, the
// room at queued job x is usable - (held by running jobs kept before x) - (given to
// queued jobs before x) = (held by running jobs ranked at or after x) - deficit, where
// deficit = given - (held by those preempted) - (usable - held by all). A running job y
// is kept iff the room at it covers it, i.e. iff its followers hold at least `deficit`;
// those whose followers hold less are a suffix of the order. So while deficit <= 0
// (nothing given yet, or all paid back) every one is kept and none need be looked at;
// after, the next one preempted is the first whose followers hold less than `deficit`.
// It is never one walked past already: a job given room at x leaves at least `deficit`
// held at and after x (room >= need), and a job preempted at y leaves at least the new
// deficit held after the job before y; so every job before the walk's place has
// followers holding at least `deficit`.
template <typename Key, typename KeyOf, typename RunKey>
class KeptRunning {
 public:
  using Order = RunningOrder<RunKey>;
  KeptRunning(SchedulerView& v, KeyOf key, const Order& order) : v_(v), key_(key), order_(order) {}
  int64_t room(uint32_t pool, const Key& x) {
    const int64_t deficit = walk_to(pool, &x);
    return Order::held_from(order_.pool(pool), [&](const auto& e) { return key_(e.job) < x; }) - deficit;
  }
  void take(uint32_t pool, const Key& x, int64_t devices) {
    walk_to(pool, &x);
    deficit_[pool] += devices;
  }
  std::vector<uint32_t> finish() {
    for (const auto& [pool, deficit] : deficit_)
      if (deficit > 0) walk_to(pool, nullptr);
    std::sort(to_preempt_.begin(), to_preempt_.end());
    std::vector<uint32_t> jobs;
    for (const auto& kj : to_preempt_) jobs.push_back(kj.second);
    return jobs;
  }

 private:
  // Preempts, in `pool`, the running jobs ranked before x (all if null) not kept;
  // returns the deficit after them.
  int64_t walk_to(uint32_t pool, const Key* x) {
    const typename Order::Tree& t = order_.pool(pool);
    auto [it, fresh] = deficit_.try_emplace(pool);
    int64_t& deficit = it->second;
    if (fresh) deficit = Order::held(t) - v_.usable_in_pool(pool);
    std::optional<typename Order::Iterator> last;  // preempted here
    while (deficit > 0) {
      const auto y = Order::first_with_followers_below(t, deficit);
      if (y == t.end()) break;
      PODSIM_CHECK(!last || **last < *y, "preemptive pass: a running job walked past came up again");
      Key k = key_(y->job);  // a copy
      if (x && !(k < *x)) break;
      to_preempt_.emplace_back(std::move(k), y->job);
      deficit -= y->devices;
      last = y;
    }
    return deficit;
  }
  SchedulerView& v_;
  KeyOf key_;
  const Order& order_;
  std::map<uint32_t, int64_t> deficit_;  // by pool looked at
  std::vector<std::pair<Key, uint32_t>> to_preempt_;
};

// Running jobs' ranks, each computed at most once per pass: the walk compares a pool's
// running jobs with every class's next queued job, and an SRTF or LAS rank is a few
// virtual calls (these compares made the walk dearer than a map look-up per class).
template <typename Key>
class PassMemo {
 public:
  void next_pass() { ++pass_; }
  template <typename KeyOf>
  const Key& operator()(uint32_t j, KeyOf key) {
    if (j >= pass_of_.size()) {
      pass_of_.resize(j + 1, 0);
      keys_.resize(j + 1);
    }
    if (pass_of_[j] != pass_) {
      keys_[j] = key(j);
      pass_of_[j] = pass_;
    }
    return keys_[j];
  }

 private:
  uint64_t pass_ = 1;
  std::vector<uint64_t> pass_of_;  // by job: the pass keys_[j] is of
  std::vector<Key> keys_;
};

// Brings `order` up to date with the running jobs: run_key(j) for those that changed.
template <typename RunKey, typename RunKeyOf>
void settle_running(const SchedulerView& v, RunningOrder<RunKey>& order, RunKeyOf run_key) {
  order.settle([&](uint32_t j) { return v.is_running(j); }, run_key, [&](uint32_t j) { return v.pool_of(j); },
               [&](uint32_t j) { return int64_t{v.request(j).devices}; });
}

// A preemptive policy ranking by KeyFn (policy_keys.h), keeping its queue sorted and
// its running jobs in the order of RunKeyFn, which must rank running jobs as KeyFn does
// at every instant and change only with Policy::running_changed.
template <typename KeyFn, typename RunKeyFn>
class Preemptive : public Policy {
 public:
  Preemptive(KeyFn key, RunKeyFn run_key) : key_(std::move(key)), run_key_(std::move(run_key)) {}
  void schedule(SchedulerView& v) override {
    settle_running(v, running_, [&](uint32_t j) { return run_key_(v, j); });
    auto key = [&](uint32_t j) { return key_(v, j); };
    memo_.next_pass();
    auto rank = [&](uint32_t j) -> const Key& { return memo_(j, key); };
    KeptRunning<Key, decltype(rank), RunKey> running(v, rank, running_);
    preemptive_pass(v, queue_, key, running);
  }
  void queued(uint32_t j) override { queue_.queued(j); }
  void left_queue(uint32_t j) override { queue_.left(j); }
  void running_changed(uint32_t j) override { running_.changed(j); }

 private:
  using Key = decltype(std::declval<KeyFn&>()(std::declval<SchedulerView&>(), 0u));
  using RunKey = decltype(std::declval<RunKeyFn&>()(std::declval<SchedulerView&>(), 0u));
  KeyFn key_;
  RunKeyFn run_key_;
  ClassQueue<Key> queue_;
  RunningOrder<RunKey> running_;
  PassMemo<Key> memo_;
};

template <typename KeyFn, typename RunKeyFn>
std::unique_ptr<Policy> make_preemptive(KeyFn key, RunKeyFn run_key) {
  return std::make_unique<Preemptive<KeyFn, RunKeyFn>>(std::move(key), std::move(run_key));
}

// LAS: a running job's level moves with its attained service, at threshold crossings
// LasCrossings finds; between them its rank is fixed, so running jobs are kept ordered
// by (level, arrival, id) as SRTF's and PRIORITY's are.
class Las final : public Policy {
 public:
  explicit Las(std::vector<double> thresholds) : levels_(std::move(thresholds)), crossings_(levels_) {}
  void schedule(SchedulerView& v) override {
    auto key = [&](uint32_t j) { return levels_.key(v, j); };
    crossings_.update(v, [&](uint32_t j) { running_.changed(j); });
    settle_running(v, running_, key);
    memo_.next_pass();
    auto rank = [&](uint32_t j) -> const Key& { return memo_(j, key); };
    KeptRunning<Key, decltype(rank), Key> running(v, rank, running_);
    preemptive_pass(v, queue_, key, running);
    crossings_.wake_at_next(v);
  }
  void queued(uint32_t j) override { queue_.queued(j); }
  void left_queue(uint32_t j) override { queue_.left(j); }
  void running_changed(uint32_t j) override {
    running_.changed(j);
    crossings_.changed(j);
  }

 private:
  using Key = decltype(std::declval<const LasLevels&>().key(std::declval<SchedulerView&>(), 0));
  LasLevels levels_;
  LasCrossings crossings_;  // of levels_
  ClassQueue<Key> queue_;
  RunningOrder<Key> running_;
  PassMemo<Key> memo_;
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
    case PolicyKind::kSrtf:
      return make_preemptive([](const SchedulerView& v, uint32_t j) { return srtf_key(v, j); },
                             [](const SchedulerView& v, uint32_t j) { return srtf_running_key(v, j); });
    case PolicyKind::kEasyBackfill: return std::make_unique<EasyBackfill>();
    case PolicyKind::kLas: return std::make_unique<Las>(o.las_thresholds);
    case PolicyKind::kFairShare: return make_fair_share();
    case PolicyKind::kPriority:
      return make_preemptive([](const SchedulerView& v, uint32_t j) { return priority_key(v, j); },
                             [](const SchedulerView& v, uint32_t j) { return priority_key(v, j); });
  }
  throw std::invalid_argument("make_policy: unknown kind");
}

}  // namespace podsim::scheduler
