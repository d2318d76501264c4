#include "scheduler/policy.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

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

class Sjf final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    std::vector<std::pair<double, uint32_t>> order;
    for (uint32_t j : v.pending()) order.emplace_back(v.remaining_seconds(j, v.allowed_pools(j).front()), j);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [s, j] : order) v.start_anywhere(j);
  }
};

// Shared by the preemptive policies: walk every job (running or queued) in `key` order,
// keeping each that still fits in its pool's usable devices; preempt the running jobs
// not kept, then start the queued ones kept. A running job is only displaced by a job
// ahead of it in the order, so equal keys never thrash.
template <typename Key>
void preemptive_pass(SchedulerView& v, Key key) {
  // Each job's key once (a key can cost a step estimate lookup), not twice per
  // comparison: the sort made ~2 log2(n) key calls per job, 75% of an SRTF run's time
  // at 5,000 jobs (perf, bench/README.md "Deep queues"). Keys end in the job id, so
  // they are distinct and the order is the one the comparator sort gave.
  using K = decltype(key(uint32_t{}));
  std::vector<std::pair<K, uint32_t>> keyed;
  keyed.reserve(v.running().size() + v.pending().size());
  for (uint32_t j : v.running()) keyed.emplace_back(key(j), j);
  for (uint32_t j : v.pending()) keyed.emplace_back(key(j), j);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<uint32_t> all;
  all.reserve(keyed.size());
  for (const auto& kj : keyed) all.push_back(kj.second);
  std::map<uint32_t, int64_t> room;
  auto room_in = [&](uint32_t pool) -> int64_t& {
    auto [it, fresh] = room.try_emplace(pool, 0);
    if (fresh) it->second = v.usable_in_pool(pool);
    return it->second;
  };
  std::vector<std::pair<uint32_t, uint32_t>> to_start;  // (job, pool)
  std::vector<uint32_t> to_preempt;
  for (uint32_t j : all) {
    const int64_t need = v.request(j).devices;
    if (v.is_running(j)) {
      int64_t& r = room_in(v.pool_of(j));
      if (r >= need) r -= need;
      else to_preempt.push_back(j);
      continue;
    }
    for (uint32_t p : v.allowed_pools(j)) {
      int64_t& r = room_in(p);
      if (r >= need) {
        r -= need;
        to_start.emplace_back(j, p);
        break;
      }
    }
  }
  for (uint32_t j : to_preempt) v.preempt(j);
  for (auto [j, p] : to_start) v.start(j, p);
}

class Srtf final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    preemptive_pass(v, [&](uint32_t j) {
      const uint32_t pool = v.is_running(j) ? v.pool_of(j) : v.allowed_pools(j).front();
      return std::make_tuple(v.remaining_seconds(j, pool), v.request(j).arrival, j);
    });
  }
};

class Priority final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    preemptive_pass(v, [&](uint32_t j) { return std::make_tuple(-v.request(j).priority, v.request(j).arrival, j); });
  }
};

class Las final : public Policy {
 public:
  explicit Las(std::vector<double> thresholds) : thresholds_(std::move(thresholds)) {
    if (thresholds_.empty()) thresholds_ = {kDefaultThreshold};
    if (!std::is_sorted(thresholds_.begin(), thresholds_.end()))
      throw std::invalid_argument("LAS thresholds must be ascending");
  }

  void schedule(SchedulerView& v) override {
    preemptive_pass(v, [&](uint32_t j) { return std::make_tuple(level(v.attained_service(j)), v.request(j).arrival, j); });
    // A running job drops a queue when its service crosses the next threshold: look
    // again then.
    for (uint32_t j : v.running()) {
      const double s = v.attained_service(j);
      const auto next = std::upper_bound(thresholds_.begin(), thresholds_.end(), s);
      if (next == thresholds_.end()) continue;
      v.wake_at(v.now() + SimTime::seconds_ceil((*next - s) / v.request(j).devices));
    }
  }

 private:
  static constexpr double kDefaultThreshold = 3600;  // one device-hour
  size_t level(double service) const {
    return static_cast<size_t>(std::upper_bound(thresholds_.begin(), thresholds_.end(), service) - thresholds_.begin());
  }
  std::vector<double> thresholds_;
};

class FairShare final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    std::map<std::string, double> held;  // devices per unit of weight, by user
    std::map<std::string, std::vector<uint32_t>> queued;
    for (uint32_t j : v.running()) held[v.request(j).user] += v.request(j).devices / v.request(j).weight;
    for (uint32_t j : v.pending()) queued[v.request(j).user].push_back(j);
    // Each round: the user furthest below its share starts its first job that fits.
    // Users with nothing that fits drop out.
    for (;;) {
      const std::string* best = nullptr;
      for (auto& [user, jobs] : queued)
        if (!jobs.empty() && (best == nullptr || held[user] < held[*best])) best = &user;
      if (best == nullptr) return;
      std::vector<uint32_t>& jobs = queued[*best];
      auto started = std::find_if(jobs.begin(), jobs.end(), [&](uint32_t j) { return v.start_anywhere(j); });
      if (started == jobs.end()) {
        jobs.clear();
        continue;
      }
      held[*best] += v.request(*started).devices / v.request(*started).weight;
      jobs.erase(started);
    }
  }
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
  switch (o.kind) {
    case PolicyKind::kFifo: return std::make_unique<Fifo>();
    case PolicyKind::kSjf: return std::make_unique<Sjf>();
    case PolicyKind::kSrtf: return std::make_unique<Srtf>();
    case PolicyKind::kEasyBackfill: return std::make_unique<EasyBackfill>();
    case PolicyKind::kLas: return std::make_unique<Las>(o.las_thresholds);
    case PolicyKind::kFairShare: return std::make_unique<FairShare>();
    case PolicyKind::kPriority: return std::make_unique<Priority>();
  }
  throw std::invalid_argument("make_policy: unknown kind");
}

}  // namespace podsim::scheduler
