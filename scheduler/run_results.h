#pragma once
// What a cluster run hands back (result.h), made from what its loop accounted: each
// job's totals, the recorded cluster state, and the run's counters. The loop keeps the
// books; this says what they mean (JCT, queue delay, goodput, MFU, percentiles).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "scheduler/metrics.h"
#include "scheduler/result.h"

namespace podsim::scheduler {

// One job's books, kept by the run loop as the job runs.
struct JobTotals {
  uint32_t pool = 0;  // the pool it ran on last
  std::optional<engine::SimTime> first_start, end, reserved;
  double held_s = 0;    // seconds it held devices (paused or not)
  double queued_s = 0;  // seconds it waited in the queue, every wait
  double useful_s = 0;  // seconds it made progress
  double mfu_s = 0;     // sum of MFU x useful seconds
  double attained = 0;  // device-seconds held (LAS)
  bool has_mfu = false;
  uint32_t interruptions = 0, preemptions = 0, checkpoints = 0;
  std::vector<double> interruption_times_s, preemption_times_s;
  double lost_steps = 0, lost_seconds = 0;
};

// The run's own counters.
struct RunTotals {
  std::string policy, placement;
  engine::SimTime end_time;  // when the run stopped
  // Start of the drain tail (result.h): when the queue last emptied after the last
  // submission; end_time if jobs were still waiting.
  engine::SimTime drain_start;
  uint64_t events = 0;
  uint32_t finished = 0, failures = 0;
  size_t step_estimates = 0;
  size_t timeline_samples = 100;
};

// REQUIRES: totals.size() == jobs.size().
ClusterRunResult make_results(const Inventory& inv, const std::vector<JobRequest>& jobs,
                              const std::vector<JobTotals>& totals, const Recorder& recorder, const RunTotals& run);

// Mean and nearest-rank p50 and p99 (the smallest value with at least that share of the
// values at or below it); all zero for no values.
Percentiles percentiles(std::vector<double> values);

}  // namespace podsim::scheduler
