#pragma once
// ClusterRunResult: everything a cluster run measured, as plain data. Reporters
// (report.h) render it and compute nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace podsim::scheduler {

struct JobResult {
  std::string name;
  uint32_t devices = 0;
  std::string pool;  // of its last placement; empty if it never ran
  double arrival_s = 0;
  std::optional<double> first_start_s;
  // EASY backfill: the start first promised to it as a blocked queue head.
  std::optional<double> reserved_start_s;
  std::optional<double> end_s;  // nullopt: unfinished at the end of the run
  // Every wait in the queue: arrival to first start, plus each wait after a preemption or
  // a failure that requeued it (until the end of the run for a wait never ended).
  double queue_delay_s = 0;
  double first_start_delay_s = 0;  // first start - arrival (to the end of the run if never started)
  std::optional<double> jct_s;  // end - arrival
  std::optional<double> time_to_train_s;  // end - first start, queueing after restarts included
  double held_s = 0;            // wall time holding devices
  std::optional<double> mfu;    // averaged over the time it made progress
  double goodput = 0;  // useful device-seconds (kept progress) / device-seconds held
  uint32_t interruptions = 0;   // failures that hit it
  uint32_t preemptions = 0;
  // When each of them happened (s), in order: one entry per interruption / preemption.
  std::vector<double> interruption_times_s, preemption_times_s;
  uint32_t checkpoints = 0;
  double lost_steps = 0;        // progress thrown away by failures and preemptions
  double lost_seconds = 0;      // wall time that progress had taken
};

// Averages over [t_s, t_s + dt) of the cluster state.
struct TimelineSample {
  double t_s = 0;
  double allocated = 0;      // devices held by jobs
  double down = 0;           // devices failed and not yet repaired
  double utilization = 0;    // allocated / devices
  double mfu_utilization = 0;  // sum over jobs of devices x MFU / devices
  double fragmentation = 0;  // free devices on partly used nodes / free devices
  double queued = 0;
  double running = 0;
  double power_w = 0;
};

struct Percentiles {
  double mean = 0, p50 = 0, p99 = 0;
};

struct ClusterSummary {
  std::string policy, placement;
  uint32_t devices = 0;
  uint32_t jobs = 0, finished = 0;
  double makespan_s = 0;  // first arrival to last completion (or end of run)
  Percentiles jct_s;                // of the finished jobs; zeros when none finished (finished_jct)
  Percentiles queue_delay_s;        // every wait of each job (JobResult::queue_delay_s)
  Percentiles first_start_delay_s;  // arrival to first start only
  double utilization = 0;      // time-average over the makespan
  // The drain tail: from when the queue last emptied after the last submission (no job
  // waiting, none still to come) to the end of the run. 0 when jobs were still waiting
  // at the end. Utilization over the makespan without it; nullopt when the tail is the
  // whole makespan (every job started the moment it arrived, all at once).
  double drain_tail_s = 0;
  std::optional<double> utilization_before_drain;
  double mfu_utilization = 0;  // time-average; jobs without an MFU count 0
  double fragmentation = 0;    // time-average
  double energy_j = 0;
  double goodput = 0;          // useful / held device-seconds, whole cluster
  uint32_t interruptions = 0, preemptions = 0, failures = 0;
  double lost_device_hours = 0;
  uint64_t events = 0;
  double step_estimates = 0;   // distinct (workload, shape) estimates computed
};

// The JCT percentiles as outputs show them: none when no job finished (a run cut by its
// horizon before any end), not a mean of 0 s.
inline std::optional<Percentiles> finished_jct(const ClusterSummary& s) {
  return s.finished > 0 ? std::optional(s.jct_s) : std::nullopt;
}

struct ClusterRunResult {
  ClusterSummary summary;
  std::vector<JobResult> jobs;  // in input order
  std::vector<TimelineSample> timeline;
};

}  // namespace podsim::scheduler
