#pragma once
// run_cluster: the cluster run loop. Jobs arrive, wait in the policy's queue, are
// placed as a gang (all their devices or none), run at the rate the step model gives
// for their placement shape, checkpoint, fail and restart, and finish.
//
// Each running job makes progress at 1 / step_seconds steps per second, except while it
// is paused (restart cost after an interruption or preemption, checkpoint writes). Its
// completion is one event, moved whenever its rate changes: progress is piecewise
// linear, so a run costs O(events), not O(steps).
//
// Running jobs send steady traffic over the inventory's scale-out links (the oracle's
// flows: StepModelOracle::flows); all jobs' flows share every link max-min fairly, and
// a job whose flows get less than they would alone slows down
// (scheduler/fabric_contention.h). Recomputed whenever a job with flows starts, stops
// or fails.
//
// Invariants (checked): devices held never exceed capacity; a device has at most one
// owner; every job ends at most once.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/failures.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "scheduler/placement.h"
#include "scheduler/policy.h"
#include "scheduler/result.h"
#include "scheduler/run_observer.h"

namespace podsim::scheduler {

// Where a run is, for a progress display: simulated time, jobs finished of all.
using RunProgress = std::function<void(engine::SimTime now, uint32_t finished, uint32_t jobs)>;

struct ClusterRunOptions {
  uint64_t seed = 0;  // failures draw from the "failures" stream of this seed
  PolicyOptions policy;
  PlacementKind placement = PlacementKind::kTopologyAware;
  FailureOptions failures;
  // Stop here even if jobs remain (they are reported unfinished). nullopt: run until
  // every job has finished.
  std::optional<engine::SimTime> horizon;
  size_t timeline_samples = 100;
  // Told every event of the run (run_observer.h); not owned. nullptr: nobody watches,
  // and no event is built.
  RunObserver* observer = nullptr;
  // Tests only: EASY backfill tries every queued job, as it did before the queue index
  // (scheduler/queue_index.h); the decisions must be the same either way.
  bool exhaustive_backfill = false;
  // Told after every change of the cluster's state; may be empty. It must not change
  // what the run does (a display only).
  RunProgress progress;
};

// Throws UserError naming the job if one is bigger than every pool it may use (after
// spares) or names a pool that does not exist. REQUIRES: job names unique.
ClusterRunResult run_cluster(const Inventory& inventory, const std::vector<JobRequest>& jobs,
                             StepModelOracle& oracle, const ClusterRunOptions& options);

}  // namespace podsim::scheduler
