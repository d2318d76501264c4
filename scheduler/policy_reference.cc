#include "scheduler/policy_reference.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "scheduler/policy_keys.h"

namespace podsim::scheduler {
namespace {

// The preemptive pass's books: devices of each pool not yet given to a job kept in
// the walk, from the pool's usable devices (read when the pool is first asked about;
// nothing changes during the walk).
class PoolRoom {
 public:
  explicit PoolRoom(const SchedulerView& v) : v_(v) {}
  int64_t& operator()(uint32_t pool) {
    auto [it, fresh] = room_.try_emplace(pool, 0);
    if (fresh) it->second = v_.usable_in_pool(pool);
    return it->second;
  }

 private:
  const SchedulerView& v_;
  std::map<uint32_t, int64_t> room_;
};


class Sjf final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    std::vector<std::pair<decltype(sjf_key(v, 0)), uint32_t>> order;
    for (uint32_t j : v.pending()) order.emplace_back(sjf_key(v, j), j);
    std::sort(order.begin(), order.end());
    for (const auto& kj : order) v.start_anywhere(kj.second);
  }
};

// Walk every job (running or queued) in `key` order, keeping each that still fits in
// its pool's usable devices; preempt the running jobs not kept, then start the queued
// ones kept.
template <typename Key>
void preemptive_pass(SchedulerView& v, Key key) {
  using K = decltype(key(uint32_t{}));
  std::vector<std::pair<K, uint32_t>> keyed;
  for (uint32_t j : v.running()) keyed.emplace_back(key(j), j);
  for (uint32_t j : v.pending()) keyed.emplace_back(key(j), j);
  std::sort(keyed.begin(), keyed.end());
  PoolRoom room_in(v);
  std::vector<std::pair<uint32_t, uint32_t>> to_start;  // (job, pool)
  std::vector<uint32_t> to_preempt;
  for (const auto& [k, j] : keyed) {
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
    preemptive_pass(v, [&](uint32_t j) { return srtf_key(v, j); });
  }
};

class Priority final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    preemptive_pass(v, [&](uint32_t j) { return priority_key(v, j); });
  }
};

class Las final : public Policy {
 public:
  explicit Las(std::vector<double> thresholds) : levels_(std::move(thresholds)) {}
  void schedule(SchedulerView& v) override {
    preemptive_pass(v, [&](uint32_t j) { return levels_.key(v, j); });
    levels_.wake_at_crossings(v);
  }

 private:
  LasLevels levels_;
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

}  // namespace

std::unique_ptr<Policy> make_reference_policy(const PolicyOptions& o) {
  switch (o.kind) {
    case PolicyKind::kSjf: return std::make_unique<Sjf>();
    case PolicyKind::kSrtf: return std::make_unique<Srtf>();
    case PolicyKind::kLas: return std::make_unique<Las>(o.las_thresholds);
    case PolicyKind::kFairShare: return std::make_unique<FairShare>();
    case PolicyKind::kPriority: return std::make_unique<Priority>();
    default: return nullptr;
  }
}

}  // namespace podsim::scheduler
