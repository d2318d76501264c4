#pragma once
// Queueing policies. A policy looks at the queue and the running jobs through
// SchedulerView and starts (and, if preemptive, preempts) jobs; the run loop
// (cluster_run.h) calls it once per instant at which anything changed. Every policy
// passes the same contract test (tests/scheduler/policy_contract_test.cc).
//
//   kFifo          arrival order; the head blocks everyone behind it.
//   kSjf           shortest estimated run time first; a job that does not fit is
//                  skipped (no reservation), so big jobs can starve.
//   kSrtf          shortest remaining time first, preemptive.
//   kEasyBackfill  FIFO; when the head does not fit, it gets a reservation at the
//                  earliest time enough devices free up (the shadow time), and a later
//                  job may start now iff it ends by the shadow time or uses only devices
//                  the head will not need (Lifka 1995; Mu'alem & Feitelson, IEEE TPDS
//                  12(6), 2001).
//   kLas           least attained service (device-seconds), preemptive, discretised into
//                  queues by thresholds, FIFO within a queue (Tiresias, Gu et al.,
//                  NSDI'19 §4.2: 2D-LAS with discretised queues).
//   kFairShare     weighted fair share: the next job comes from the user holding the
//                  fewest devices per unit of weight; not preemptive.
//   kPriority      strict priority tiers, preemptive; FIFO within a tier.
//
// Preemption checkpoints the job (no work is lost) and it pays its restart cost when
// resumed.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/job.h"

namespace podsim::scheduler {

enum class PolicyKind { kFifo, kSjf, kSrtf, kEasyBackfill, kLas, kFairShare, kPriority };
const char* to_string(PolicyKind k);

// The run loop as a policy sees it. Job ids index the run's job list.
class SchedulerView {
 public:
  virtual ~SchedulerView() = default;
  virtual engine::SimTime now() const = 0;
  // Queued jobs in arrival order (a preempted or failed job keeps its place). Stable
  // for the whole call of Policy::schedule: started jobs leave it afterwards.
  virtual const std::vector<uint32_t>& pending() const = 0;
  // The first queued job after `after` in pending() order (the head if nullopt). O(log n).
  virtual std::optional<uint32_t> next_pending(std::optional<uint32_t> after) const = 0;
  // EASY's backfill window: a queued job may start on `pool` only if it ends by
  // `shadow`, or if it needs at most `extra` devices; on other pools wherever it fits.
  struct BackfillWindow {
    uint32_t pool = 0;
    engine::SimTime shadow = engine::SimTime::max();  // max: nothing may start on `pool`
    uint32_t extra = 0;
  };
  // The first queued job after `after` (in pending() order) whose backfill attempt
  // under `window` could change anything: start it, or ask for a step estimate not
  // asked for before. Every job skipped would fail on every pool it may use, with no
  // effect (tests/scheduler/queue_index_test.cc checks this against trying them all).
  virtual std::optional<uint32_t> next_backfill(uint32_t after, const BackfillWindow& window) = 0;
  // Running jobs, in start order. Stable during the call likewise.
  virtual const std::vector<uint32_t>& running() const = 0;
  virtual const JobRequest& request(uint32_t job) const = 0;
  virtual bool is_running(uint32_t job) const = 0;

  // Pools the job may use, in preference order.
  virtual const std::vector<uint32_t>& allowed_pools(uint32_t job) const = 0;
  virtual uint32_t free_in_pool(uint32_t pool) const = 0;
  // Devices of `pool` a policy may plan with: free plus held by running jobs (not down,
  // not spare).
  virtual uint32_t usable_in_pool(uint32_t pool) const = 0;
  // Device-seconds the job has held so far (attained service).
  virtual double attained_service(uint32_t job) const = 0;
  // Seconds of work left on `pool` at a compact placement, uncontended, plus any
  // restart cost due. For running jobs: on their current placement and rate.
  virtual double remaining_seconds(uint32_t job, uint32_t pool) const = 0;
  // When a running job is expected to finish at its current rate.
  virtual engine::SimTime expected_end(uint32_t job) const = 0;
  // When a running job's finish is scheduled: expected_end as computed when its rate
  // last changed (expected_end recomputed later may differ by a rounding nanosecond).
  // Fixed between the calls of Policy::running_changed for the job.
  virtual engine::SimTime finish_time(uint32_t job) const = 0;
  // Pool a running job holds.
  virtual uint32_t pool_of(uint32_t job) const = 0;
  // The job's class: jobs of equal devices, placement constraints and pools named, which
  // fit or not alike (scheduler/queue_index.h). Dense ids, fixed for the run.
  virtual uint32_t queue_class(uint32_t job) const = 0;
  // Whether start_anywhere would start a queued job of class c now; changes nothing.
  virtual bool class_could_start(uint32_t c) = 0;

  // Places and starts a pending job on `pool`; false (nothing changes) if it does not
  // fit, or if `must_end_by` is given and its placement would finish later.
  virtual bool start(uint32_t job, uint32_t pool, std::optional<engine::SimTime> must_end_by = std::nullopt) = 0;
  // Starts a pending job on the first allowed pool where it fits.
  bool start_anywhere(uint32_t job) {
    for (uint32_t p : allowed_pools(job))
      if (start(job, p)) return true;
    return false;
  }
  // Checkpoints and stops a running job; it re-enters the queue at its arrival place.
  virtual void preempt(uint32_t job) = 0;
  // Records that a blocked queue head was promised a start by `at` (EASY's shadow
  // time). The first promise per job is reported (JobResult::reserved_start_s).
  virtual void reserve(uint32_t job, engine::SimTime at) = 0;
  // Asks for another call of Policy::schedule at `t` (e.g. when a running job will
  // cross a LAS threshold).
  virtual void wake_at(engine::SimTime t) = 0;
};

struct PolicyOptions {
  PolicyKind kind = PolicyKind::kFifo;
  // kLas queue thresholds in device-seconds of attained service, ascending. Empty: one
  // threshold at one device-hour (our choice, not Tiresias's tuned value: its queues
  // are tuned per trace, NSDI'19 §5.3).
  std::vector<double> las_thresholds;
  // Tests only: SJF, SRTF, LAS, PRIORITY and FAIR_SHARE sort the whole queue at every
  // pass, as they did before their queues were kept between passes
  // (scheduler/policy_reference.h); the decisions must be the same either way.
  bool whole_queue_sort = false;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual void schedule(SchedulerView& view) = 0;
  // The run loop's queue changed between calls of schedule(): `job` entered it
  // (arrived, preempted, or failed and requeued), or left it (started). A policy that
  // keeps its own order of the queue (scheduler/class_queue.h) follows it here.
  virtual void queued(uint32_t /*job*/) {}
  virtual void left_queue(uint32_t /*job*/) {}
  // A job started, stopped running, or its finish_time moved (a new rate, a restart or
  // checkpoint pause). Called during schedule() too, as it starts and preempts jobs.
  virtual void running_changed(uint32_t /*job*/) {}
};

std::unique_ptr<Policy> make_policy(const PolicyOptions& options);

}  // namespace podsim::scheduler
