#pragma once
// JobState: where one job of a cluster run is and its books (run_results.h JobTotals),
// with the arithmetic of its progress. A running job makes 1 / step_seconds steps per
// second, except before paused_until (a restart or a checkpoint write): progress is
// piecewise linear between changes of rate, accounted up to segment_start.
#include <cstdint>
#include <vector>

#include "engine/event_queue.h"
#include "engine/sim_time.h"
#include "scheduler/job.h"
#include "scheduler/run_results.h"

namespace podsim::scheduler {

// Exact for whole seconds (SimTime::to_seconds multiplies by 1e-9, which is not), so
// hand-checked results compare equal.
inline double exact_seconds(engine::SimTime t) { return static_cast<double>(t.ns()) / 1e9; }

enum class Phase { kNotArrived, kPending, kRunning, kDone };

struct JobState : JobTotals {
  Phase phase = Phase::kNotArrived;
  double progress = 0;      // steps done and not lost
  double checkpointed = 0;  // progress as of the last checkpoint
  bool restart_due = false;  // pays restart_cost at its next start
  engine::SimTime waiting_since;     // while pending: when this wait began
  engine::SimTime checkpoint_every = engine::SimTime::max();

  // While running (and JobTotals::pool).
  std::vector<uint32_t> devices;
  PlacementShape shape;
  StepEstimate estimate;
  double step_seconds = 1;  // with contention
  double extra_watts = 0;   // above idle, all its devices
  engine::SimTime segment_start;  // progress is accounted up to here
  engine::SimTime paused_until;   // no progress before this
  engine::EventHandle finish, checkpoint;
  engine::SimTime finish_at;  // when `finish` is due

  // Progress at `now` (running). REQUIRES: now >= segment_start.
  double progress_at(engine::SimTime now) const {
    const engine::SimTime from = std::max(segment_start, paused_until);
    if (now <= from) return progress;
    return progress + exact_seconds(now - from) / step_seconds;
  }

  // When it finishes `steps` at the current rate, seen from `now`.
  engine::SimTime expected_end(engine::SimTime now, double steps) const {
    const engine::SimTime from = std::max(now, paused_until);
    return from + engine::SimTime::seconds_ceil(std::max(0.0, steps - progress_at(now)) * step_seconds);
  }

  // Accounts the segment up to `now` (running, on `devices` devices, of `steps` in
  // all): progress, useful and held seconds, MFU-seconds (contention stretches the step:
  // MFU falls by the same factor), attained device-seconds.
  void advance(engine::SimTime now, double steps, uint32_t devices) {
    const engine::SimTime from = std::max(segment_start, paused_until);
    if (now > from) {
      const double useful = exact_seconds(now - from);
      progress = std::min(steps, progress + useful / step_seconds);
      if (estimate.mfu) {
        mfu_s += useful * *estimate.mfu * estimate.step_seconds / step_seconds;
        has_mfu = true;
      }
      useful_s += useful;
    }
    const double held = exact_seconds(now - segment_start);
    held_s += held;
    attained += devices * held;
    segment_start = now;
  }

  // Back to the last checkpoint (a failure or a preemption): the steps lost.
  double roll_back() {
    const double lost = progress - checkpointed;
    lost_steps += lost;
    lost_seconds += lost * step_seconds;
    progress = checkpointed;
    return lost;
  }
};

}  // namespace podsim::scheduler
