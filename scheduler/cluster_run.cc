#include "scheduler/cluster_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "engine/check.h"
#include "engine/error.h"
#include "engine/simulator.h"
#include "scheduler/failure_process.h"
#include "scheduler/free_map.h"
#include "scheduler/job_ends.h"
#include "scheduler/run_results.h"
#include "scheduler/run_sampler.h"
#include "scheduler/fabric_contention.h"

namespace podsim::scheduler {
namespace {

using engine::EventHandle;
using engine::SimTime;

// Exact for whole seconds (SimTime::to_seconds multiplies by 1e-9, which is not), so
// hand-checked results compare equal.
double seconds(SimTime t) { return static_cast<double>(t.ns()) / 1e9; }

enum class Phase { kNotArrived, kPending, kRunning, kDone };

// A job's books (run_results.h) and where it is.
struct JobState : JobTotals {
  Phase phase = Phase::kNotArrived;
  double progress = 0;      // steps done and not lost
  double checkpointed = 0;  // progress as of the last checkpoint
  bool restart_due = false;  // pays restart_cost at its next start
  SimTime waiting_since;     // while pending: when this wait began
  SimTime checkpoint_every = SimTime::max();

  // While running (and JobTotals::pool).
  std::vector<uint32_t> devices;
  PlacementShape shape;
  StepEstimate estimate;
  double step_seconds = 1;  // with contention
  double extra_watts = 0;   // above idle, all its devices
  SimTime segment_start;    // progress is accounted up to here
  SimTime paused_until;     // no progress before this
  EventHandle finish, checkpoint;
};

struct ShapeKey {
  uint32_t workload, devices;
  PlacementShape shape;
  auto operator<=>(const ShapeKey&) const = default;
};

class ClusterRun final : public SchedulerView {
 public:
  ClusterRun(const Inventory& inv, const std::vector<JobRequest>& jobs, StepModelOracle& oracle,
             const ClusterRunOptions& opts)
      : inv_(inv),
        jobs_(jobs),
        oracle_(oracle),
        opts_(opts),
        sim_(opts.seed),
        free_(inv),
        pristine_(inv),
        placement_(make_placement(opts.placement)),
        compact_(make_placement(PlacementKind::kTopologyAware)),
        policy_(make_policy(opts.policy)),
        states_(jobs.size()),
        allowed_(jobs.size()),
        ends_(jobs.size()),
        owner_(inv.devices().size()),
        down_count_(inv.devices().size(), 0),
        held_in_pool_(inv.pools().size(), 0),
        spares_(inv.pools().size()),
        down_in_pool_(inv.pools().size(), 0),
        contention_(inv, jobs.size(), opts.observer),
        sampler_(static_cast<double>(inv.devices().size()), opts.observer),
        obs_(opts.observer) {
    for (const InventoryDevice& d : inv.devices()) idle_watts_ += d.idle_watts;
    for (uint32_t p = 0; p < inv.pools().size(); ++p) all_pools_.push_back(p);
    hold_spares();
    validate();
  }

  ClusterRunResult run() {
    if (obs_) obs_->run_started(inv_, jobs_);
    for (uint32_t j = 0; j < jobs_.size(); ++j) sim_.schedule_at(jobs_[j].arrival, [this, j] { arrive(j); });
    start_failures();
    note();
    engine::StopConditions stop{.horizon = opts_.horizon,
                                .stop_when = [this] { return ends_.count() == jobs_.size(); }};
    const engine::RunResult r = sim_.run(stop);
    // Close the books of jobs still running, or still waiting, at the horizon.
    for (uint32_t j : running_) advance(j);
    for (uint32_t j : pending_) states_[j].queued_s += seconds(now() - states_[j].waiting_since);
    note();
    if (obs_) obs_->run_ended(now(), static_cast<uint32_t>(ends_.count()), static_cast<uint32_t>(jobs_.size() - ends_.count()));
    std::vector<JobTotals> totals(states_.begin(), states_.end());
    return make_results(inv_, jobs_, totals, sampler_.recorder(),
                        {.policy = to_string(opts_.policy.kind), .placement = to_string(opts_.placement),
                         .end_time = r.end_time, .drain_start = pending_.empty() ? queue_empty_since_ : r.end_time,
                         .events = r.events_executed,
                         .finished = static_cast<uint32_t>(ends_.count()), .failures = failure_count_,
                         .step_estimates = estimates_.size(), .timeline_samples = opts_.timeline_samples});
  }

  // SchedulerView.
  SimTime now() const override { return sim_.now(); }
  const std::vector<uint32_t>& pending() const override { return pending_; }
  const std::vector<uint32_t>& running() const override { return running_; }
  const JobRequest& request(uint32_t j) const override { return jobs_[j]; }
  bool is_running(uint32_t j) const override { return states_[j].phase == Phase::kRunning; }
  const std::vector<uint32_t>& allowed_pools(uint32_t j) const override { return allowed_[j]; }
  uint32_t free_in_pool(uint32_t p) const override { return free_.free_in_pool(p); }
  uint32_t usable_in_pool(uint32_t p) const override { return free_.free_in_pool(p) + held_in_pool_[p]; }
  uint32_t pool_of(uint32_t j) const override { return states_[j].pool; }
  double attained_service(uint32_t j) const override {
    const JobState& s = states_[j];
    if (s.phase != Phase::kRunning) return s.attained;
    return s.attained + jobs_[j].devices * seconds(now() - s.segment_start);
  }
  double remaining_seconds(uint32_t j, uint32_t pool) const override {
    const JobState& s = states_[j];
    if (s.phase == Phase::kRunning) return seconds(expected_end(j) - now());
    const double restart = s.restart_due ? seconds(jobs_[j].checkpoint.restart_cost) : 0;
    return restart + (jobs_[j].steps - s.progress) * nominal_step_seconds(j, pool);
  }
  SimTime expected_end(uint32_t j) const override {
    const JobState& s = states_[j];
    const SimTime from = std::max(now(), s.paused_until);
    return from + SimTime::seconds_ceil(std::max(0.0, jobs_[j].steps - progress_now(j)) * s.step_seconds);
  }
  bool start(uint32_t j, uint32_t pool, std::optional<SimTime> must_end_by) override;
  void preempt(uint32_t j) override;
  void wake_at(SimTime t) override;
  void reserve(uint32_t j, SimTime at) override {
    if (!states_[j].reserved) states_[j].reserved = at;
  }

 private:
  void validate() const;
  void hold_spares();  // and sets allowed_
  void arrive(uint32_t j);
  void request_pass();
  void pass();
  void finish(uint32_t j);
  void take_checkpoint(uint32_t j);
  void stop_running(uint32_t j);  // releases devices and events; phase unchanged
  void interrupt(uint32_t j);
  void schedule_finish(uint32_t j);
  void schedule_checkpoint(uint32_t j);
  void advance(uint32_t j);
  double progress_now(uint32_t j) const;
  const StepEstimate& estimate(uint32_t j, const PlacementShape& shape);
  double nominal_step_seconds(uint32_t j, uint32_t pool) const;
  void resolve_contention();
  void start_failures();
  void arm_next_failure();
  void fail(const std::vector<uint32_t>& devices, SimTime repair_after);
  void repair(const std::vector<uint32_t>& devices);
  void wait_from(uint32_t j);  // j (re)enters the queue now
  void note();

  const Inventory& inv_;
  const std::vector<JobRequest>& jobs_;
  StepModelOracle& oracle_;
  const ClusterRunOptions& opts_;
  engine::Simulator sim_;
  FreeMap free_;
  FreeMap pristine_;  // never taken from: for nominal (compact) shapes
  std::unique_ptr<PlacementStrategy> placement_, compact_;
  // (pool, devices, constraints)
  std::map<std::tuple<uint32_t, uint32_t, PlacementConstraints>, std::optional<PlacementChoice>> placements_;
  uint64_t placement_version_ = 0;
  std::unique_ptr<Policy> policy_;

  // Jobs.
  std::vector<JobState> states_;
  std::vector<std::vector<uint32_t>> allowed_;
  std::vector<uint32_t> all_pools_;
  std::vector<uint32_t> pending_;  // by (arrival, id)
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

  // Devices.
  std::vector<std::optional<uint32_t>> owner_;
  std::vector<uint16_t> down_count_;
  std::vector<uint32_t> held_in_pool_;
  std::vector<std::vector<uint32_t>> spares_;
  uint32_t allocated_ = 0, down_ = 0;
  double mfu_devices_ = 0, extra_watts_ = 0, idle_watts_ = 0;

  // Step estimates and the nominal shapes used to rank queued jobs.
  std::map<ShapeKey, StepEstimate> estimates_;
  mutable std::map<std::pair<uint32_t, uint32_t>, PlacementShape> nominal_shapes_;
  mutable std::map<ShapeKey, double> nominal_steps_;

  std::vector<uint32_t> down_in_pool_;

  FabricContention contention_;
  std::optional<FailureProcess> failures_;  // from run()
  EventHandle failure_event_;
  uint32_t failure_count_ = 0;
  RunSampler sampler_;
  RunObserver* obs_;  // may be null (run_observer.h)
};

void ClusterRun::validate() const {
  std::vector<uint32_t> usable(inv_.pools().size());
  for (uint32_t p = 0; p < usable.size(); ++p) usable[p] = inv_.pool_size(p) - static_cast<uint32_t>(spares_[p].size());
  for (uint32_t j = 0; j < jobs_.size(); ++j) {
    const JobRequest& job = jobs_[j];
    if (job.devices == 0) throw UserError(fmt::format("job '{}': needs 0 devices (expected at least 1)", job.name));
    if (!(job.steps > 0) || !std::isfinite(job.steps))
      throw UserError(fmt::format("job '{}': work must be a positive number of steps, got {}", job.name, job.steps));
    if (allowed_[j].empty()) {  // hold_spares() dropped every pool whose shape cannot meet the constraints
      std::string why;
      for (uint32_t p : jobs_[j].pools.empty() ? all_pools_ : jobs_[j].pools)
        why += (why.empty() ? "" : "; ") + constraint_problem(inv_, p, job.devices, job.placement).value_or("");
      throw UserError(fmt::format("job '{}': its placement constraints cannot be met: {}", job.name, why));
    }
    uint32_t biggest = 0;
    for (uint32_t p : allowed_[j]) biggest = std::max(biggest, usable[p]);
    if (job.devices > biggest) {
      std::string pools;
      for (uint32_t p : allowed_[j]) pools += fmt::format("{}{} ({} usable)", pools.empty() ? "" : ", ", inv_.pools()[p].name, usable[p]);
      throw UserError(fmt::format("job '{}': needs {} devices, more than any pool it may use has: {}", job.name,
                                  job.devices, pools));
    }
  }
}

void ClusterRun::hold_spares() {
  for (uint32_t j = 0; j < jobs_.size(); ++j) {
    for (uint32_t p : jobs_[j].pools)
      if (p >= inv_.pools().size())
        throw UserError(fmt::format("job '{}': pool index {} does not exist (the cluster has {} pools)", jobs_[j].name, p,
                                    inv_.pools().size()));
    allowed_[j] = jobs_[j].pools.empty() ? all_pools_ : jobs_[j].pools;
    // A pool whose shape can never meet the job's constraints is not one it may use.
    if (jobs_[j].placement.any())
      std::erase_if(allowed_[j], [&](uint32_t p) {
        return constraint_problem(inv_, p, jobs_[j].devices, jobs_[j].placement).has_value();
      });
  }
  // Spares: the last devices of each pool, so that placements start from the front.
  const uint32_t n = opts_.failures.spares_per_pool;
  if (n == 0) return;
  for (uint32_t p = 0; p < inv_.pools().size(); ++p) {
    if (n >= inv_.pool_size(p))
      throw UserError(fmt::format("failures.spares_per_pool: {} leaves no device in pool '{}' ({} devices)", n,
                                  inv_.pools()[p].name, inv_.pool_size(p)));
  }
  for (uint32_t d = static_cast<uint32_t>(inv_.devices().size()); d-- > 0;) {
    const uint32_t p = inv_.devices()[d].pool;
    if (spares_[p].size() < n) {
      free_.take_device(d);
      spares_[p].push_back(d);
    }
  }
}

void ClusterRun::arrive(uint32_t j) {
  if (obs_) obs_->job_submitted(now(), j, jobs_[j]);
  states_[j].phase = Phase::kPending;
  wait_from(j);
  pending_.insert(std::upper_bound(pending_.begin(), pending_.end(), j,
                                   [&](uint32_t a, uint32_t b) {
                                     return std::tie(jobs_[a].arrival, a) < std::tie(jobs_[b].arrival, b);
                                   }),
                  j);
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
  auto by_arrival = [&](uint32_t a, uint32_t b) { return std::tie(jobs_[a].arrival, a) < std::tie(jobs_[b].arrival, b); };
  if (!started_.empty()) {
    std::erase_if(pending_, [&](uint32_t j) { return states_[j].phase != Phase::kPending; });
  }
  if (!preempted_.empty()) {
    std::erase_if(running_, [&](uint32_t j) { return states_[j].phase != Phase::kRunning; });
    for (uint32_t j : preempted_) pending_.insert(std::upper_bound(pending_.begin(), pending_.end(), j, by_arrival), j);
  }
  running_.insert(running_.end(), started_.begin(), started_.end());
  if (pending_.empty() && queue_empty_since_ == SimTime::max()) queue_empty_since_ = now();
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
  if (free_.free_in_pool(pool) < job.devices) return false;
  // A policy often tries many queued jobs of the same size against an unchanged free
  // map (backfill scans the whole queue): place each size once per version.
  if (placement_version_ != free_.version()) {
    placements_.clear();
    placement_version_ = free_.version();
  }
  auto [slot, fresh] = placements_.try_emplace({pool, job.devices, job.placement});
  if (fresh) slot->second = placement_->place_within(free_, pool, job.devices, job.placement);
  const std::optional<PlacementChoice>& choice = slot->second;
  if (!choice) return false;
  const StepEstimate& est = estimate(j, choice->shape);  // cached: no copy per attempt
  const SimTime pause = s.restart_due ? job.checkpoint.restart_cost : SimTime::zero();
  const bool restarting = s.restart_due;
  if (must_end_by &&
      now() + pause + SimTime::seconds_ceil((job.steps - s.progress) * est.step_seconds) > *must_end_by)
    return false;

  s.devices = free_.take(choice->takes);
  PODSIM_CHECK(s.devices.size() == job.devices, "placement took the wrong number of devices");
  for (uint32_t d : s.devices) {
    PODSIM_CHECK(!owner_[d], "device allocation never above capacity: a device was given to two jobs");
    owner_[d] = j;
  }
  s.phase = Phase::kRunning;
  s.pool = pool;
  s.shape = choice->shape;
  s.estimate = est;
  s.step_seconds = est.step_seconds;
  s.segment_start = now();
  s.paused_until = now() + pause;
  s.restart_due = false;
  s.queued_s += seconds(now() - s.waiting_since);
  if (!s.first_start) s.first_start = now();
  s.extra_watts = 0;
  for (uint32_t d : s.devices)
    s.extra_watts += est.device_watts.value_or(inv_.devices()[d].busy_watts) - inv_.devices()[d].idle_watts;
  extra_watts_ += s.extra_watts;
  allocated_ += job.devices;
  held_in_pool_[pool] += job.devices;
  PODSIM_CHECK(allocated_ + down_ <= inv_.devices().size(), "device allocation never above capacity: devices held exceed the inventory");
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
  return true;
}

void ClusterRun::preempt(uint32_t j) {
  PODSIM_CHECK(in_pass_, "jobs are preempted only from a policy's schedule()");
  JobState& s = states_[j];
  if (s.phase != Phase::kRunning) return;
  advance(j);
  // A preempted job is stopped as a failed one is: it resumes from its last checkpoint
  // (progress since is lost) and pays restart_cost at its next start (docs/models.md §6).
  const double lost = s.progress - s.checkpointed;
  s.lost_steps += lost;
  s.lost_seconds += lost * s.step_seconds;
  s.progress = s.checkpointed;
  if (obs_) obs_->job_preempted(now(), j, s.progress, lost);
  ++s.preemptions;
  s.preemption_times_s.push_back(seconds(now()));
  s.restart_due = true;
  stop_running(j);
  s.phase = Phase::kPending;
  wait_from(j);
  preempted_.push_back(j);
}

double ClusterRun::progress_now(uint32_t j) const {
  const JobState& s = states_[j];
  const SimTime from = std::max(s.segment_start, s.paused_until);
  if (now() <= from) return s.progress;
  return s.progress + seconds(now() - from) / s.step_seconds;
}

void ClusterRun::advance(uint32_t j) {
  JobState& s = states_[j];
  const SimTime from = std::max(s.segment_start, s.paused_until);
  if (now() > from) {
    const double useful = seconds(now() - from);
    s.progress = std::min(jobs_[j].steps, s.progress + useful / s.step_seconds);
    if (s.estimate.mfu) {
      // Contention stretches the step: MFU falls by the same factor.
      s.mfu_s += useful * *s.estimate.mfu * s.estimate.step_seconds / s.step_seconds;
      s.has_mfu = true;
    }
    s.useful_s += useful;
  }
  const double held = seconds(now() - s.segment_start);
  s.held_s += held;
  s.attained += jobs_[j].devices * held;
  s.segment_start = now();
}

void ClusterRun::schedule_finish(uint32_t j) {
  JobState& s = states_[j];
  sim_.cancel(s.finish);
  s.finish = sim_.schedule_at(expected_end(j), [this, j] { finish(j); });
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
  for (uint32_t d : s.devices) {
    PODSIM_CHECK(owner_[d] == j, "a job releases a device it does not own");
    owner_[d].reset();
    if (down_count_[d] == 0) free_.give_back(d);  // a failed device stays out until repaired
  }
  s.devices.clear();
  allocated_ -= jobs_[j].devices;
  held_in_pool_[s.pool] -= jobs_[j].devices;
  if (s.estimate.mfu) mfu_devices_ -= *s.estimate.mfu * jobs_[j].devices;
  extra_watts_ -= s.extra_watts;
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

const StepEstimate& ClusterRun::estimate(uint32_t j, const PlacementShape& shape) {
  const ShapeKey key{jobs_[j].workload, jobs_[j].devices, shape};
  auto it = estimates_.find(key);
  if (it == estimates_.end()) {
    StepEstimate e = oracle_.estimate(jobs_[j], shape);
    PODSIM_CHECK(e.step_seconds > 0 && std::isfinite(e.step_seconds), "step model returned a non-positive step time");
    it = estimates_.emplace(key, e).first;
  }
  return it->second;
}

double ClusterRun::nominal_step_seconds(uint32_t j, uint32_t pool) const {
  const uint32_t n = jobs_[j].devices;
  auto sit = nominal_shapes_.find({pool, n});
  if (sit == nominal_shapes_.end()) {
    std::optional<PlacementChoice> c = compact_->place(pristine_, pool, n);
    PODSIM_CHECK(c.has_value(), "a validated job does not fit its empty pool");
    sit = nominal_shapes_.emplace(std::make_pair(pool, n), c->shape).first;
  }
  const ShapeKey key{jobs_[j].workload, n, sit->second};
  auto it = nominal_steps_.find(key);
  if (it == nominal_steps_.end()) {
    auto known = estimates_.find(key);
    const double step =
        known != estimates_.end() ? known->second.step_seconds : oracle_.estimate(jobs_[j], sit->second).step_seconds;
    it = nominal_steps_.emplace(key, step).first;
  }
  return it->second;
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

void ClusterRun::start_failures() {
  failures_.emplace(inv_, opts_.failures.kinds, sim_.random().stream("failures"));
  arm_next_failure();
  check_scripted_failures(inv_, opts_.failures.scripted);
  for (const ScriptedFailure& f : opts_.failures.scripted)
    sim_.schedule_at(f.at, [this, f] { fail(unit_devices(inv_, f.unit, f.index), f.repair); });
}

void ClusterRun::arm_next_failure() {
  const std::optional<SimTime> next = failures_->next();
  if (!next) return;
  failure_event_ = sim_.schedule_at(*next, [this] {
    const FailureProcess::Failure f = failures_->take();
    fail(f.devices, f.repair);
    arm_next_failure();
  });
}

void ClusterRun::fail(const std::vector<uint32_t>& devices, SimTime repair_after) {
  ++failure_count_;
  if (obs_) obs_->devices_down(now(), devices, repair_after);
  std::vector<uint32_t> hit_jobs;
  for (uint32_t d : devices) {
    if (down_count_[d]++ > 0) continue;
    ++down_;
    ++down_in_pool_[inv_.devices()[d].pool];
    if (owner_[d]) {
      hit_jobs.push_back(*owner_[d]);
      continue;
    }
    auto& spares = spares_[inv_.devices()[d].pool];
    if (auto it = std::find(spares.begin(), spares.end(), d); it != spares.end()) spares.erase(it);
    else free_.take_device(d);
  }
  std::sort(hit_jobs.begin(), hit_jobs.end());
  hit_jobs.erase(std::unique(hit_jobs.begin(), hit_jobs.end()), hit_jobs.end());
  for (uint32_t j : hit_jobs) interrupt(j);
  sim_.schedule_in(repair_after, [this, devices] { repair(devices); });
  if (contention_.changed()) resolve_contention();
  note();
  request_pass();
}

void ClusterRun::interrupt(uint32_t j) {
  JobState& s = states_[j];
  advance(j);
  const double lost = s.progress - s.checkpointed;
  s.lost_steps += lost;
  s.lost_seconds += lost * s.step_seconds;
  s.progress = s.checkpointed;
  ++s.interruptions;
  s.interruption_times_s.push_back(seconds(now()));
  // Hot spares: swap them in for the failed devices and restart in place.
  std::vector<uint32_t>& spares = spares_[s.pool];
  const auto failed = static_cast<size_t>(std::count_if(s.devices.begin(), s.devices.end(), [&](uint32_t d) { return down_count_[d] > 0; }));
  const bool in_place = failed <= spares.size();
  if (obs_) obs_->job_failed(now(), {.job = j, .lost_steps = lost, .progress = s.progress, .requeued = !in_place});
  if (in_place) {
    std::vector<uint32_t> replaced, swapped_in;  // for the observer
    for (uint32_t& d : s.devices) {
      if (down_count_[d] == 0) continue;
      if (obs_) replaced.push_back(d);
      owner_[d].reset();
      d = spares.back();
      spares.pop_back();
      owner_[d] = j;
      if (obs_) swapped_in.push_back(d);
    }
    s.paused_until = now() + jobs_[j].checkpoint.restart_cost;
    if (obs_)
      obs_->job_restarted(now(), {.job = j, .replaced = replaced, .spares = swapped_in,
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
  pending_.insert(std::upper_bound(pending_.begin(), pending_.end(), j,
                                   [&](uint32_t a, uint32_t b) {
                                     return std::tie(jobs_[a].arrival, a) < std::tie(jobs_[b].arrival, b);
                                   }),
                  j);
}

void ClusterRun::repair(const std::vector<uint32_t>& devices) {
  if (obs_) obs_->devices_repaired(now(), devices);
  for (uint32_t d : devices) {
    PODSIM_CHECK(down_count_[d] > 0, "repairing a device that is not down");
    if (--down_count_[d] > 0) continue;
    --down_;
    --down_in_pool_[inv_.devices()[d].pool];
    auto& spares = spares_[inv_.devices()[d].pool];
    if (spares.size() < opts_.failures.spares_per_pool) spares.push_back(d);
    else free_.give_back(d);
  }
  note();
  request_pass();
}

// Results ---------------------------------------------------------------------------

void ClusterRun::wait_from(uint32_t j) {
  states_[j].waiting_since = now();
  queue_empty_since_ = SimTime::max();  // not empty any more
}

void ClusterRun::note() {
  const double free = free_.free_total();
  sampler_.note(now(),
                {.allocated = static_cast<double>(allocated_),
                 .down = static_cast<double>(down_),
                 .mfu_devices = mfu_devices_,
                 .free = free,
                 .free_on_partial_nodes = free - free_.free_on_whole_nodes(),
                 .queued = static_cast<double>(pending_.size()),
                 .running = static_cast<double>(running_.size()),
                 .power_w = inv_.static_watts() + idle_watts_ + extra_watts_},
                held_in_pool_, down_in_pool_);
  if (opts_.progress) opts_.progress(now(), static_cast<uint32_t>(ends_.count()), static_cast<uint32_t>(jobs_.size()));
}

}  // namespace

ClusterRunResult run_cluster(const Inventory& inventory, const std::vector<JobRequest>& jobs, StepModelOracle& oracle,
                             const ClusterRunOptions& options) {
  ClusterRun run(inventory, jobs, oracle, options);
  return run.run();
}

}  // namespace podsim::scheduler
