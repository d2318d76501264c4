#include "scheduler/cluster_run.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "engine/check.h"
#include "engine/simulator.h"
#include "scheduler/device_books.h"
#include "scheduler/fabric_contention.h"
#include "scheduler/failure_events.h"
#include "scheduler/job_admission.h"
#include "scheduler/job_ends.h"
#include "scheduler/job_state.h"
#include "scheduler/queue_index.h"
#include "scheduler/run_results.h"
#include "scheduler/run_sampler.h"
#include "scheduler/step_estimates.h"

namespace podsim::scheduler {
namespace {

using engine::EventHandle;
using engine::SimTime;

class ClusterRun final : public SchedulerView {
 public:
  ClusterRun(const Inventory& inv, const std::vector<JobRequest>& jobs, StepModelOracle& oracle,
             const ClusterRunOptions& opts)
      : inv_(inv),
        jobs_(jobs),
        oracle_(oracle),
        opts_(opts),
        sim_(opts.seed),
        books_(inv),
        placement_(make_placement(opts.placement)),
        policy_(make_policy(opts.policy)),
        states_(jobs.size()),
        allowed_(scheduler::allowed_pools(inv, jobs)),
        queue_(jobs, allowed_),
        ends_(jobs.size()),
        estimates_(inv, oracle),
        contention_(inv, jobs.size(), opts.observer),
        sampler_(static_cast<double>(inv.devices().size()), opts.observer),
        obs_(opts.observer) {
    for (const InventoryDevice& d : inv.devices()) idle_watts_ += d.idle_watts;
    books_.hold_spares(opts.failures.spares_per_pool);
    check_jobs(inv, jobs, allowed_, books_);
  }

  ClusterRunResult run() {
    if (obs_) obs_->run_started(inv_, jobs_);
    for (uint32_t j = 0; j < jobs_.size(); ++j) sim_.schedule_at(jobs_[j].arrival, [this, j] { arrive(j); });
    failures_.emplace(inv_, opts_.failures, sim_, [this](const std::vector<uint32_t>& devices, SimTime repair_after) {
      fail(devices, repair_after);
    });
    note();
    engine::StopConditions stop{.horizon = opts_.horizon,
                                .stop_when = [this] { return ends_.count() == jobs_.size(); }};
    const engine::RunResult r = sim_.run(stop);
    // Close the books of jobs still running, or still waiting, at the horizon.
    for (uint32_t j : running_) advance(j);
    for (uint32_t j : pending()) states_[j].queued_s += exact_seconds(now() - states_[j].waiting_since);
    note();
    if (obs_) obs_->run_ended(now(), static_cast<uint32_t>(ends_.count()), static_cast<uint32_t>(jobs_.size() - ends_.count()));
    std::vector<JobTotals> totals(states_.begin(), states_.end());
    return make_results(inv_, jobs_, totals, sampler_.recorder(),
                        {.policy = to_string(opts_.policy.kind), .placement = to_string(opts_.placement),
                         .end_time = r.end_time, .drain_start = queue_.empty() ? queue_empty_since_ : r.end_time,
                         .events = r.events_executed,
                         .finished = static_cast<uint32_t>(ends_.count()), .failures = failure_count_,
                         .step_estimates = estimates_.size(), .timeline_samples = opts_.timeline_samples});
  }

  // SchedulerView.
  SimTime now() const override { return sim_.now(); }
  const std::vector<uint32_t>& pending() const override {
    if (!pending_fresh_) {  // built when a policy asks: FIFO and EASY walk queue_ instead
      pending_.clear();
      queue_.append_queued(pending_);
      pending_fresh_ = true;
    }
    return pending_;
  }
  std::optional<uint32_t> next_pending(std::optional<uint32_t> after) const override { return queue_.next(after); }
  std::optional<uint32_t> next_backfill(uint32_t after, const BackfillWindow& window) override;
  const std::vector<uint32_t>& running() const override { return running_; }
  const JobRequest& request(uint32_t j) const override { return jobs_[j]; }
  bool is_running(uint32_t j) const override { return states_[j].phase == Phase::kRunning; }
  const std::vector<uint32_t>& allowed_pools(uint32_t j) const override { return allowed_[j]; }
  uint32_t free_in_pool(uint32_t p) const override { return books_.free().free_in_pool(p); }
  uint32_t usable_in_pool(uint32_t p) const override { return books_.usable_in_pool(p); }
  uint32_t pool_of(uint32_t j) const override { return states_[j].pool; }
  uint32_t queue_class(uint32_t j) const override { return queue_.class_of(j); }
  bool class_could_start(uint32_t c) override;
  double attained_service(uint32_t j) const override {
    const JobState& s = states_[j];
    if (s.phase != Phase::kRunning) return s.attained;
    return s.attained + jobs_[j].devices * exact_seconds(now() - s.segment_start);
  }
  double remaining_seconds(uint32_t j, uint32_t pool) const override {
    const JobState& s = states_[j];
    if (s.phase == Phase::kRunning) return exact_seconds(expected_end(j) - now());
    const double restart = s.restart_due ? exact_seconds(jobs_[j].checkpoint.restart_cost) : 0;
    return restart + (jobs_[j].steps - s.progress) * estimates_.nominal_step_seconds(jobs_[j], pool);
  }
  SimTime expected_end(uint32_t j) const override { return states_[j].expected_end(now(), jobs_[j].steps); }
  SimTime finish_time(uint32_t j) const override { return states_[j].finish_at; }
  bool start(uint32_t j, uint32_t pool, std::optional<SimTime> must_end_by) override;
  void preempt(uint32_t j) override;
  void wake_at(SimTime t) override;
  void reserve(uint32_t j, SimTime at) override {
    if (!states_[j].reserved) states_[j].reserved = at;
  }

 private:
  void arrive(uint32_t j);
  void request_pass();
  void pass();
  void finish(uint32_t j);
  void take_checkpoint(uint32_t j);
  void stop_running(uint32_t j);  // releases devices and events; phase unchanged
  void interrupt(uint32_t j);
  void schedule_finish(uint32_t j);
  void schedule_checkpoint(uint32_t j);
  void advance(uint32_t j) { states_[j].advance(now(), jobs_[j].steps, jobs_[j].devices); }
  void resolve_contention();
  void fail(const std::vector<uint32_t>& devices, SimTime repair_after);
  void repair(const std::vector<uint32_t>& devices);
  void wait_from(uint32_t j);  // j (re)enters the queue now
  void enqueue(uint32_t j) {
    queue_.enqueue(j);
    policy_->queued(j);
    pending_fresh_ = false;
  }
  void dequeue(uint32_t j) {
    queue_.dequeue(j);
    policy_->left_queue(j);
    pending_fresh_ = false;
  }
  // The placement strategy's choice for this size now, memoised per free-map version.
  const std::optional<PlacementChoice>& placement_for(uint32_t pool, uint32_t devices,
                                                      const PlacementConstraints& constraints);
  void note();

  const Inventory& inv_;
  const std::vector<JobRequest>& jobs_;
  StepModelOracle& oracle_;
  const ClusterRunOptions& opts_;
  engine::Simulator sim_;
  DeviceBooks books_;
  std::unique_ptr<PlacementStrategy> placement_;
  // (pool, devices, constraints)
  std::map<std::tuple<uint32_t, uint32_t, PlacementConstraints>, std::optional<PlacementChoice>> placements_;
  uint64_t placement_version_ = 0;
  std::unique_ptr<Policy> policy_;

  // Jobs.
  std::vector<JobState> states_;
  AllowedPools allowed_;
  QueueIndex queue_;                       // the queued jobs, by (arrival, id)
  mutable std::vector<uint32_t> pending_;  // queue_ as a list, for pending()
  mutable bool pending_fresh_ = false;
  std::vector<uint32_t> running_;  // by start
  JobEnds ends_;
  // Changes a pass makes, applied to pending_/running_ after the policy returns.
  bool in_pass_ = false;
  std::vector<uint32_t> started_, preempted_;
  bool pass_requested_ = false;
  // When the queue last became empty (the drain tail starts at the last such moment).
  SimTime queue_empty_since_ = SimTime::zero();
  EventHandle wake_;
  SimTime wake_time_ = SimTime::max();

  // Sampled with the devices' books.
  double mfu_devices_ = 0, extra_watts_ = 0, idle_watts_ = 0;

  StepEstimates estimates_;
  FabricContention contention_;
  std::optional<FailureEvents> failures_;  // from run()
  uint32_t failure_count_ = 0;
  RunSampler sampler_;
  RunObserver* obs_;  // may be null (run_observer.h)
};

void ClusterRun::arrive(uint32_t j) {
  if (obs_) obs_->job_submitted(now(), j, jobs_[j]);
  states_[j].phase = Phase::kPending;
  wait_from(j);
  enqueue(j);
  request_pass();
}

void ClusterRun::request_pass() {
  if (pass_requested_) return;
  pass_requested_ = true;
  // At the current instant, after every event already due now: simultaneous arrivals
  // and completions are seen by one pass.
  sim_.schedule_in(SimTime::zero(), [this] { pass(); });
}

void ClusterRun::wake_at(SimTime t) {
  if (t >= wake_time_ && wake_.valid()) return;
  sim_.cancel(wake_);
  wake_time_ = t;
  wake_ = sim_.schedule_at(t, [this] {
    wake_ = {};
    wake_time_ = SimTime::max();
    request_pass();
  });
}

void ClusterRun::pass() {
  pass_requested_ = false;
  in_pass_ = true;
  policy_->schedule(*this);
  in_pass_ = false;
  // pending() stayed as it was during the call; now started jobs leave the queue and
  // preempted ones join it.
  for (uint32_t j : started_) dequeue(j);
  if (!preempted_.empty()) {
    std::erase_if(running_, [&](uint32_t j) { return states_[j].phase != Phase::kRunning; });
    for (uint32_t j : preempted_) enqueue(j);
  }
  running_.insert(running_.end(), started_.begin(), started_.end());
  if (queue_.empty() && queue_empty_since_ == SimTime::max()) queue_empty_since_ = now();
  const bool changed = !started_.empty() || !preempted_.empty();
  started_.clear();
  preempted_.clear();
  if (contention_.changed()) resolve_contention();
  if (changed) note();
}

bool ClusterRun::start(uint32_t j, uint32_t pool, std::optional<SimTime> must_end_by) {
  PODSIM_CHECK(in_pass_, "jobs start only from a policy's schedule()");
  JobState& s = states_[j];
  if (s.phase != Phase::kPending) return false;
  if (std::find(allowed_[j].begin(), allowed_[j].end(), pool) == allowed_[j].end()) return false;
  const JobRequest& job = jobs_[j];
  const FreeMap& free = books_.free();
  if (free.free_in_pool(pool) < job.devices) return false;
  const std::optional<PlacementChoice>& choice = placement_for(pool, job.devices, job.placement);
  if (!choice) return false;
  const StepEstimate& est = estimates_.estimate(job, choice->shape);  // cached: no copy per attempt
  const SimTime pause = s.restart_due ? job.checkpoint.restart_cost : SimTime::zero();
  const bool restarting = s.restart_due;
  // Kept for next_backfill: the same sum as the test below (all terms >= 0, so the
  // saturating sums agree however they are grouped).
  const SimTime run_time = pause + SimTime::seconds_ceil((job.steps - s.progress) * est.step_seconds);
  queue_.note_run_time(j, choice->shape, run_time);
  if (must_end_by &&
      now() + pause + SimTime::seconds_ceil((job.steps - s.progress) * est.step_seconds) > *must_end_by)
    return false;

  s.devices = books_.take(j, pool, choice->takes);
  PODSIM_CHECK(s.devices.size() == job.devices, "placement took the wrong number of devices");
  s.phase = Phase::kRunning;
  s.pool = pool;
  s.shape = choice->shape;
  s.estimate = est;
  s.step_seconds = est.step_seconds;
  s.segment_start = now();
  s.paused_until = now() + pause;
  s.restart_due = false;
  s.queued_s += exact_seconds(now() - s.waiting_since);
  if (!s.first_start) s.first_start = now();
  s.extra_watts = 0;
  for (uint32_t d : s.devices)
    s.extra_watts += est.device_watts.value_or(inv_.devices()[d].busy_watts) - inv_.devices()[d].idle_watts;
  extra_watts_ += s.extra_watts;
  if (est.mfu) mfu_devices_ += *est.mfu * job.devices;
  // Checkpoint interval: fixed, or Young/Daly from this placement's failure rate.
  const CheckpointPolicy& cp = job.checkpoint;
  s.checkpoint_every = SimTime::max();
  if (cp.interval == CheckpointPolicy::Interval::kFixed && cp.every > SimTime::zero()) s.checkpoint_every = cp.every;
  if (cp.interval == CheckpointPolicy::Interval::kYoungDaly && cp.write_cost > SimTime::zero())
    s.checkpoint_every = young_daly_interval(cp.write_cost, job_mtbf_seconds(opts_.failures, job.devices, s.shape.nodes));
  if (obs_) {
    obs_->job_started(now(), {.job = j, .shape = s.shape, .devices = s.devices, .estimate = &s.estimate,
                              .restart_cost = pause, .restart = restarting, .progress = s.progress});
    if (obs_->wants_steps()) obs_->step(now(), {.job = j, .step_seconds = s.step_seconds, .estimate = &s.estimate});
  }
  schedule_finish(j);
  schedule_checkpoint(j);
  contention_.add(now(), j, oracle_.flows(job, s.estimate, s.devices, inv_));
  started_.push_back(j);
  queue_.mark_started(j);
  return true;
}

// What start() checks before it starts a queued job, on each pool start_anywhere tries.
bool ClusterRun::class_could_start(uint32_t c) {
  const QueueIndex::JobClass& k = queue_.job_class(c);
  for (uint32_t p : *k.pools)
    if (free_in_pool(p) >= k.devices && placement_for(p, k.devices, k.constraints)) return true;
  return false;
}

const std::optional<PlacementChoice>& ClusterRun::placement_for(uint32_t pool, uint32_t devices,
                                                                const PlacementConstraints& constraints) {
  // A policy often tries many queued jobs of the same size against an unchanged free
  // map: place each size once per version.
  const FreeMap& free = books_.free();
  if (placement_version_ != free.version()) {
    placements_.clear();
    placement_version_ = free.version();
  }
  auto [slot, fresh] = placements_.try_emplace({pool, devices, constraints});
  if (fresh) slot->second = placement_->place_within(free, pool, devices, constraints);
  return slot->second;
}

std::optional<uint32_t> ClusterRun::next_backfill(uint32_t after, const BackfillWindow& w) {
  if (opts_.exhaustive_backfill) return queue_.next(after);
  // Per class of queued job (queue_index.h), the first job after `after` whose attempt
  // can change anything; the earliest of those. A class's attempt, as EasyBackfill
  // makes it, on each pool it may use: no effect where it does not fit (too few free,
  // or no placement meets its constraints) or on the reserved pool with no shadow time;
  // a start on any other pool, or on the reserved pool when it needs at most `extra`;
  // otherwise, on the reserved pool, a start iff it ends by the shadow time, and a new
  // step estimate iff its time on this shape is not known yet.
  std::optional<uint32_t> best;
  for (size_t c = 0; c < queue_.class_count(); ++c) {
    if (!queue_.class_waiting(c)) continue;
    const QueueIndex::JobClass& k = queue_.job_class(c);
    bool any = false;
    std::optional<PlacementShape> reserved;
    for (uint32_t p : *k.pools) {
      if (free_in_pool(p) < k.devices) continue;
      if (p == w.pool && w.shadow == SimTime::max()) continue;
      const std::optional<PlacementChoice>& choice = placement_for(p, k.devices, k.constraints);
      if (!choice) continue;
      if (p != w.pool || k.devices <= w.extra) {
        any = true;
        break;
      }
      reserved = choice->shape;
    }
    std::optional<uint32_t> j;
    if (any) j = queue_.next_in_class(c, after);
    else if (reserved) j = queue_.next_in_class_ending_by(c, *reserved, after, now(), w.shadow);
    if (j && (!best || queue_.rank(*j) < queue_.rank(*best))) best = j;
  }
  return best;
}

void ClusterRun::preempt(uint32_t j) {
  PODSIM_CHECK(in_pass_, "jobs are preempted only from a policy's schedule()");
  JobState& s = states_[j];
  if (s.phase != Phase::kRunning) return;
  advance(j);
  // A preempted job is stopped as a failed one is: it resumes from its last checkpoint
  // (progress since is lost) and pays restart_cost at its next start (docs/models.md §6).
  const double lost = s.roll_back();
  if (obs_) obs_->job_preempted(now(), j, s.progress, lost);
  ++s.preemptions;
  s.preemption_times_s.push_back(exact_seconds(now()));
  s.restart_due = true;
  stop_running(j);
  s.phase = Phase::kPending;
  wait_from(j);
  preempted_.push_back(j);
}

void ClusterRun::schedule_finish(uint32_t j) {
  JobState& s = states_[j];
  sim_.cancel(s.finish);
  s.finish_at = expected_end(j);
  s.finish = sim_.schedule_at(s.finish_at, [this, j] { finish(j); });
  policy_->running_changed(j);
}

void ClusterRun::schedule_checkpoint(uint32_t j) {
  JobState& s = states_[j];
  sim_.cancel(s.checkpoint);
  s.checkpoint = {};
  if (s.checkpoint_every == SimTime::max()) return;
  const SimTime at = std::max(now(), s.paused_until) + s.checkpoint_every;
  if (at >= expected_end(j)) return;  // done first: the end is the last checkpoint
  s.checkpoint = sim_.schedule_at(at, [this, j] { take_checkpoint(j); });
}

void ClusterRun::take_checkpoint(uint32_t j) {
  JobState& s = states_[j];
  s.checkpoint = {};
  advance(j);
  s.checkpointed = s.progress;
  ++s.checkpoints;
  if (obs_) obs_->job_checkpointed(now(), j, s.progress, jobs_[j].checkpoint.write_cost);
  s.paused_until = std::max(s.paused_until, now()) + jobs_[j].checkpoint.write_cost;
  schedule_finish(j);
  schedule_checkpoint(j);
}

void ClusterRun::stop_running(uint32_t j) {
  JobState& s = states_[j];
  sim_.cancel(s.finish);
  sim_.cancel(s.checkpoint);
  s.finish = s.checkpoint = {};
  contention_.remove(now(), j);
  books_.release(j, s.pool, s.devices);
  s.devices.clear();
  if (s.estimate.mfu) mfu_devices_ -= *s.estimate.mfu * jobs_[j].devices;
  extra_watts_ -= s.extra_watts;
  policy_->running_changed(j);
}

void ClusterRun::finish(uint32_t j) {
  JobState& s = states_[j];
  s.finish = {};
  PODSIM_CHECK(s.phase == Phase::kRunning && !s.end, "a job ended twice, or ended without running");
  advance(j);
  s.progress = s.checkpointed = jobs_[j].steps;
  stop_running(j);
  s.phase = Phase::kDone;
  s.end = now();
  ends_.record(j, jobs_[j].name);
  if (obs_) obs_->job_finished(now(), j, s.held_s);
  running_.erase(std::find(running_.begin(), running_.end(), j));
  if (contention_.changed()) resolve_contention();
  note();
  request_pass();
}

// Contention ------------------------------------------------------------------------

void ClusterRun::resolve_contention() {
  for (const FabricContention::JobSlowdown& got : contention_.resolve(now())) {
    const uint32_t j = got.job;
    JobState& s = states_[j];
    if (s.phase != Phase::kRunning) continue;
    const double f = s.estimate.scale_out_exposed_fraction;
    const double step = s.estimate.step_seconds * (1 - f + f * got.slowdown);
    if (step == s.step_seconds) continue;
    advance(j);
    s.step_seconds = step;
    if (obs_ && obs_->wants_steps()) obs_->step(now(), {.job = j, .step_seconds = step, .estimate = &s.estimate});
    schedule_finish(j);
    schedule_checkpoint(j);
  }
}

// Failures --------------------------------------------------------------------------

void ClusterRun::fail(const std::vector<uint32_t>& devices, SimTime repair_after) {
  ++failure_count_;
  if (obs_) obs_->devices_down(now(), devices, repair_after);
  for (uint32_t j : books_.fail(devices)) interrupt(j);
  sim_.schedule_in(repair_after, [this, devices] { repair(devices); });
  if (contention_.changed()) resolve_contention();
  note();
  request_pass();
}

void ClusterRun::interrupt(uint32_t j) {
  JobState& s = states_[j];
  advance(j);
  const double lost = s.roll_back();
  ++s.interruptions;
  s.interruption_times_s.push_back(exact_seconds(now()));
  // Hot spares: swap them in for the failed devices and restart in place.
  const bool in_place = books_.spares_cover(s.pool, s.devices);
  if (obs_) obs_->job_failed(now(), {.job = j, .lost_steps = lost, .progress = s.progress, .requeued = !in_place});
  if (in_place) {
    const DeviceBooks::Swap swap = books_.swap_in_spares(j, s.pool, s.devices);
    s.paused_until = now() + jobs_[j].checkpoint.restart_cost;
    if (obs_)
      obs_->job_restarted(now(), {.job = j, .replaced = swap.replaced, .spares = swap.spares,
                                  .restart_cost = jobs_[j].checkpoint.restart_cost});
    schedule_finish(j);
    schedule_checkpoint(j);
    return;
  }
  s.restart_due = true;
  stop_running(j);
  s.phase = Phase::kPending;
  wait_from(j);
  running_.erase(std::find(running_.begin(), running_.end(), j));
  enqueue(j);
}

void ClusterRun::repair(const std::vector<uint32_t>& devices) {
  if (obs_) obs_->devices_repaired(now(), devices);
  books_.repair(devices);
  note();
  request_pass();
}

// Results ---------------------------------------------------------------------------

void ClusterRun::wait_from(uint32_t j) {
  states_[j].waiting_since = now();
  queue_empty_since_ = SimTime::max();  // not empty any more
}

void ClusterRun::note() {
  const double free = books_.free().free_total();
  sampler_.note(now(),
                {.allocated = static_cast<double>(books_.allocated()),
                 .down = static_cast<double>(books_.down()),
                 .mfu_devices = mfu_devices_,
                 .free = free,
                 .free_on_partial_nodes = free - books_.free().free_on_whole_nodes(),
                 .queued = static_cast<double>(queue_.size()),
                 .running = static_cast<double>(running_.size()),
                 .power_w = inv_.static_watts() + idle_watts_ + extra_watts_},
                books_.held_in_pool(), books_.down_in_pool());
  if (opts_.progress) opts_.progress(now(), static_cast<uint32_t>(ends_.count()), static_cast<uint32_t>(jobs_.size()));
}

}  // namespace

ClusterRunResult run_cluster(const Inventory& inventory, const std::vector<JobRequest>& jobs, StepModelOracle& oracle,
                             const ClusterRunOptions& options) {
  ClusterRun run(inventory, jobs, oracle, options);
  return run.run();
}

}  // namespace podsim::scheduler
