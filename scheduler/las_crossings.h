#pragma once
// LasCrossings: when each running job's LAS level (policy_keys.h, LasLevels) can next
// change, so that LAS keeps its running jobs ordered between passes (running_order.h)
// and asks for its next pass without looking at every running job per pass.
//
// A running job's attained service grows with time, so its level changes only when the
// service crosses a threshold. Per running job this keeps a time no later than that
// crossing (the service's growth, devices per second, over the gap to the threshold,
// less a margin far above the rounding of either: 1e-9 of the service plus 1 us); at a
// pass, jobs whose time has come get their level recomputed, exactly as the policy's
// key computes it, and a new time. A job's time and level are also recomputed whenever
// the run loop reports it (Policy::running_changed: started, stopped, or its service
// re-accounted), so between reports the growth is one linear segment.
//
// The earliest crossing, which LasLevels::wake_at_crossings finds by computing every
// running job's, is found from the jobs in order of their lower bounds, stopping at the
// first bound past the best found: the same instant, from a few jobs.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/policy.h"
#include "scheduler/policy_keys.h"

namespace podsim::scheduler {

class LasCrossings {
 public:
  explicit LasCrossings(const LasLevels& levels) : levels_(levels) {}
  // Job j started, stopped, or its service was re-accounted: looked at again by update().
  void changed(uint32_t j);
  // Brings the levels of the jobs running now up to date; level_moved(j) for each whose
  // level may differ from the last update's (every job changed() since, and every job
  // that crossed a threshold).
  void update(const SchedulerView& v, const std::function<void(uint32_t)>& level_moved);
  // v.wake_at the earliest crossing of a job running at the last update(), as
  // LasLevels::wake_at_crossings would over those jobs.
  void wake_at_next(SchedulerView& v) const;

 private:
  void watch(const SchedulerView& v, uint32_t j);  // j running: its level and bound
  const LasLevels& levels_;
  std::set<std::pair<engine::SimTime, uint32_t>> by_bound_;  // (bound, job), running jobs with a next threshold
  std::vector<std::optional<engine::SimTime>> bound_;        // by job: its entry in by_bound_
  std::vector<size_t> level_;                                // by job, while watched
  std::vector<uint32_t> changed_;
};

}  // namespace podsim::scheduler
