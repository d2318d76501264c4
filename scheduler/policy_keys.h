#pragma once
// The orders the sorting policies rank jobs by (scheduler/policy.h), shared by their
// indexed passes (policy.cc, fair_share.cc) and the whole-queue passes kept as the
// tests' reference (policy_reference.cc). Every key ends in (arrival, job id): keys are
// distinct, and equal ranks fall back to queue order (arrival, then index), as
// pending() shows the queue.
//
// What a key depends on decides what an index may keep between passes: a queued job's
// key is fixed while it waits (its progress, restart due, attained service and
// priority change only when it runs), so it is computed once when the job enters the
// queue; a running job's LAS key moves with time and is recomputed per pass; its SRTF
// key moves with time too, but orders running jobs as their finish times do.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/policy.h"

namespace podsim::scheduler {

// SJF: estimated run time on the job's first pool (queued jobs only).
inline auto sjf_key(const SchedulerView& v, uint32_t j) {
  return std::make_tuple(v.remaining_seconds(j, v.allowed_pools(j).front()), v.request(j).arrival, j);
}

// SRTF: remaining time; a running job's to its scheduled finish (finish_time), a queued
// job's on its first pool. Seconds as a double, then, for running jobs, the nanoseconds
// the double rounds away: past ~26 days left, finishes a nanosecond apart can share a
// double, and without this they would fall back to arrival order, which can differ from
// finish order and change as time passes. With it, running jobs rank as their finish
// times do at every instant, so their order can be kept between passes
// (scheduler/running_order.h). Below 2^51 ns the extra term is 0 and the rank is
// (seconds, arrival, id).
inline auto srtf_key(const SchedulerView& v, uint32_t j) {
  if (v.is_running(j)) {
    const engine::SimTime left = v.finish_time(j) - v.now();
    const double s = static_cast<double>(left.ns()) / 1e9;  // exact_seconds (job_state.h)
    return std::make_tuple(s, left.ns() - engine::SimTime::seconds(s).ns(), v.request(j).arrival, j);
  }
  return std::make_tuple(v.remaining_seconds(j, v.allowed_pools(j).front()), int64_t{0}, v.request(j).arrival, j);
}
// What a running job's SRTF rank is kept under between passes (running_order.h).
inline auto srtf_running_key(const SchedulerView& v, uint32_t j) {
  return std::make_tuple(v.finish_time(j), v.request(j).arrival, j);
}

// PRIORITY: higher tiers first.
inline auto priority_key(const SchedulerView& v, uint32_t j) {
  return std::make_tuple(-v.request(j).priority, v.request(j).arrival, j);
}

// LAS: the queue of the job's attained service, then arrival.
class LasLevels {
 public:
  explicit LasLevels(std::vector<double> thresholds) : thresholds_(std::move(thresholds)) {
    if (thresholds_.empty()) thresholds_ = {kDefaultThreshold};
    if (!std::is_sorted(thresholds_.begin(), thresholds_.end()))
      throw std::invalid_argument("LAS thresholds must be ascending");
  }
  auto key(const SchedulerView& v, uint32_t j) const {
    return std::make_tuple(level(v.attained_service(j)), v.request(j).arrival, j);
  }
  // A running job drops a queue when its service crosses the next threshold: look
  // again then. (Every job running when the pass began, as running() shows them.)
  void wake_at_crossings(SchedulerView& v) const {
    for (uint32_t j : v.running())
      if (auto t = next_crossing(v, j)) v.wake_at(*t);
  }
  // When job j, running, will cross its next threshold, as seen now; nullopt past the
  // last threshold.
  std::optional<engine::SimTime> next_crossing(const SchedulerView& v, uint32_t j) const {
    const double s = v.attained_service(j);
    const auto next = std::upper_bound(thresholds_.begin(), thresholds_.end(), s);
    if (next == thresholds_.end()) return std::nullopt;
    return v.now() + engine::SimTime::seconds_ceil((*next - s) / v.request(j).devices);
  }
  size_t level(double service) const {
    return static_cast<size_t>(std::upper_bound(thresholds_.begin(), thresholds_.end(), service) - thresholds_.begin());
  }
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  static constexpr double kDefaultThreshold = 3600;  // one device-hour
  std::vector<double> thresholds_;
};

}  // namespace podsim::scheduler
