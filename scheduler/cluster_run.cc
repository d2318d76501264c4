#include "scheduler/cluster_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <tuple>

#include "engine/check.h"
#include "engine/error.h"
#include "engine/network/maxmin.h"
#include "engine/simulator.h"
#include "scheduler/free_map.h"
#include "scheduler/job_ends.h"
#include "scheduler/metrics.h"

namespace podsim::scheduler {
namespace {

using engine::EventHandle;
using engine::SimTime;

// Exact for whole seconds (SimTime::to_seconds multiplies by 1e-9, which is not), so
// hand-checked results compare equal.
double seconds(SimTime t) { return static_cast<double>(t.ns()) / 1e9; }

enum class Phase { kNotArrived, kPending, kRunning, kDone };

struct JobState {
  Phase phase = Phase::kNotArrived;
  double progress = 0;      // steps done and not lost
  double checkpointed = 0;  // progress as of the last checkpoint
  bool restart_due = false;  // pays restart_cost at its next start
  SimTime checkpoint_every = SimTime::max();

  // While running.
  uint32_t pool = 0;
  std::vector<uint32_t> devices;
  PlacementShape shape;
  StepEstimate estimate;
  double step_seconds = 1;  // with contention
  double extra_watts = 0;   // above idle, all its devices
  SimTime segment_start;    // progress is accounted up to here
  SimTime paused_until;     // no progress before this
  EventHandle finish, checkpoint;
  std::vector<engine::FlowId> flows;

  // Totals.
  std::optional<SimTime> first_start, end, reserved;
  double held_s = 0, useful_s = 0, mfu_s = 0, attained = 0;
  bool has_mfu = false;
  uint32_t interruptions = 0, preemptions = 0, checkpoints = 0;
  std::vector<double> interruption_times_s, preemption_times_s;
  double lost_steps = 0, lost_seconds = 0;
};

struct ShapeKey {
  uint32_t workload, devices;
  PlacementShape shape;
  auto operator<=>(const ShapeKey&) const = default;
};

// One failing unit's next failure, ordered earliest first.
struct PendingFailure {
  SimTime at;
  uint32_t kind, unit;
  bool operator>(const PendingFailure& o) const { return std::tie(at, kind, unit) > std::tie(o.at, o.kind, o.unit); }
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
        failure_rng_(sim_.random().stream("failures")),
        recorder_(static_cast<double>(inv.devices().size())),
        obs_(opts.observer),
        down_in_pool_(inv.pools().size(), 0) {
    for (const InventoryDevice& d : inv.devices()) idle_watts_ += d.idle_watts;
    hold_spares();
    validate();
    leaf_link_.resize(inv.leaves().size());
    for (uint32_t l = 0; l < inv.leaves().size(); ++l)
      if (inv.leaves()[l].uplink_bytes_per_s > 0) leaf_link_[l] = solver_.add_link(inv.leaves()[l].uplink_bytes_per_s);
  }

  ClusterRunResult run() {
    if (obs_) obs_->run_started(inv_, jobs_);
    for (uint32_t j = 0; j < jobs_.size(); ++j) sim_.schedule_at(jobs_[j].arrival, [this, j] { arrive(j); });
    start_failures();
    note();
    engine::StopConditions stop{.horizon = opts_.horizon,
                                .stop_when = [this] { return ends_.count() == jobs_.size(); }};
    const engine::RunResult r = sim_.run(stop);
    // Close the books of jobs still running at the horizon.
    for (uint32_t j : running_) advance(j);
    note();
    if (obs_) obs_->run_ended(now(), static_cast<uint32_t>(ends_.count()), static_cast<uint32_t>(jobs_.size() - ends_.count()));
    return results(r);
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
  void hold_spares();
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
  void add_flows(uint32_t j);
  void remove_flows(uint32_t j);
  void resolve_contention();
  void start_failures();
  void draw_failure(uint32_t kind, uint32_t unit, SimTime from);
  void arm_next_failure();
  void fail(const std::vector<uint32_t>& devices, SimTime repair_after);
  void repair(const std::vector<uint32_t>& devices);
  std::vector<uint32_t> unit_devices(FailureUnit unit, uint32_t index) const;
  void note();
  void observe_sample();
  void observe_links();
  ClusterRunResult results(const engine::RunResult& r);

  const Inventory& inv_;
  const std::vector<JobRequest>& jobs_;
  StepModelOracle& oracle_;
  const ClusterRunOptions& opts_;
  engine::Simulator sim_;
  FreeMap free_;
  FreeMap pristine_;  // never taken from: for nominal (compact) shapes
  std::unique_ptr<PlacementStrategy> placement_, compact_;
  std::map<std::pair<uint32_t, uint32_t>, std::optional<PlacementChoice>> placements_;  // (pool, devices)
  uint64_t placement_version_ = 0;
  std::unique_ptr<Policy> policy_;

  // Jobs.
  std::vector<JobState> states_;
  std::vector<std::vector<uint32_t>> allowed_;
  std::vector<uint32_t> pending_;  // by (arrival, id)
  std::vector<uint32_t> running_;  // by start
  JobEnds ends_;
  // Changes a pass makes, applied to pending_/running_ after the policy returns.
  bool in_pass_ = false;
  std::vector<uint32_t> started_, preempted_;
  bool pass_requested_ = false;
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

  // Contention.
  engine::MaxMinSolver solver_;
  std::vector<std::optional<engine::LinkId>> leaf_link_;
  std::vector<uint32_t> flow_job_;  // by FlowId
  bool flows_changed_ = false;

  // Failures.
  std::priority_queue<PendingFailure, std::vector<PendingFailure>, std::greater<>> failures_;
  EventHandle failure_event_;
  engine::RandomEngine failure_rng_;
  uint32_t failure_count_ = 0;

  Recorder recorder_;

  // Observation (run_observer.h); all idle when obs_ is null.
  RunObserver* obs_;
  std::vector<uint32_t> down_in_pool_;
  std::vector<PoolUsage> sampled_pools_;  // as last told
  uint32_t sampled_queued_ = 0, sampled_running_ = 0;
  std::vector<uint32_t> flow_leaf_;  // by FlowId
  std::vector<double> told_leaf_load_;  // by leaf
  std::vector<uint32_t> dirty_leaves_;  // whose load may have changed since last told
};

void ClusterRun::validate() const {
  std::vector<uint32_t> usable(inv_.pools().size());
  for (uint32_t p = 0; p < usable.size(); ++p) usable[p] = inv_.pool_size(p) - static_cast<uint32_t>(spares_[p].size());
  for (uint32_t j = 0; j < jobs_.size(); ++j) {
    const JobRequest& job = jobs_[j];
    if (job.devices == 0) throw UserError(fmt::format("job '{}': needs 0 devices (expected at least 1)", job.name));
    if (!(job.steps > 0) || !std::isfinite(job.steps))
      throw UserError(fmt::format("job '{}': work must be a positive number of steps, got {}", job.name, job.steps));
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
    allowed_[j] = jobs_[j].pools;
    if (allowed_[j].empty())
      for (uint32_t p = 0; p < inv_.pools().size(); ++p) allowed_[j].push_back(p);
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
  const bool changed = !started_.empty() || !preempted_.empty();
  started_.clear();
  preempted_.clear();
  if (flows_changed_) resolve_contention();
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
  auto [slot, fresh] = placements_.try_emplace({pool, job.devices});
  if (fresh) slot->second = placement_->place(free_, pool, job.devices);
  const std::optional<PlacementChoice>& choice = slot->second;
  if (!choice) return false;
  const StepEstimate est = estimate(j, choice->shape);
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
  add_flows(j);
  started_.push_back(j);
  return true;
}

void ClusterRun::preempt(uint32_t j) {
  PODSIM_CHECK(in_pass_, "jobs are preempted only from a policy's schedule()");
  JobState& s = states_[j];
  if (s.phase != Phase::kRunning) return;
  advance(j);
  s.checkpointed = s.progress;  // preemption checkpoints: nothing is lost
  if (obs_) obs_->job_preempted(now(), j, s.progress);
  ++s.preemptions;
  s.preemption_times_s.push_back(seconds(now()));
  s.restart_due = true;
  stop_running(j);
  s.phase = Phase::kPending;
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
  remove_flows(j);
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
  if (flows_changed_) resolve_contention();
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

void ClusterRun::add_flows(uint32_t j) {
  JobState& s = states_[j];
  const double demand = s.estimate.scale_out_bytes_per_s_per_leaf;
  if (demand <= 0 || s.shape.leaves < 2) return;
  std::vector<uint32_t> leaves;
  for (uint32_t d : s.devices) leaves.push_back(inv_.devices()[d].leaf);
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  for (uint32_t l : leaves) {
    if (l >= leaf_link_.size() || !leaf_link_[l]) continue;
    // A private link of capacity `demand` caps the flow at what the job asks for.
    const engine::LinkId cap = solver_.add_link(demand);
    const engine::LinkId route[] = {cap, *leaf_link_[l]};
    const engine::FlowId f = solver_.add_flow(route);
    solver_.activate(f);
    if (flow_job_.size() <= engine::index(f)) flow_job_.resize(engine::index(f) + 1);
    flow_job_[engine::index(f)] = j;
    if (obs_) {
      if (flow_leaf_.size() <= engine::index(f)) flow_leaf_.resize(engine::index(f) + 1);
      flow_leaf_[engine::index(f)] = l;
      dirty_leaves_.push_back(l);
      if (obs_->wants_flows())
        obs_->flow_started(now(), {.flow = engine::index(f), .job = j, .leaf = l, .demand_bytes_per_s = demand});
    }
    s.flows.push_back(f);
    flows_changed_ = true;
  }
}

void ClusterRun::remove_flows(uint32_t j) {
  JobState& s = states_[j];
  for (engine::FlowId f : s.flows) {
    solver_.remove_flow(f);
    if (obs_) {
      dirty_leaves_.push_back(flow_leaf_[engine::index(f)]);
      if (obs_->wants_flows()) obs_->flow_ended(now(), engine::index(f));
    }
  }
  if (!s.flows.empty()) flows_changed_ = true;
  s.flows.clear();
}

void ClusterRun::resolve_contention() {
  flows_changed_ = false;
  const engine::MaxMinSolver::Changes c = solver_.solve();
  std::vector<uint32_t> touched;
  for (engine::FlowId f : c.flows) {
    touched.push_back(flow_job_[engine::index(f)]);
    if (obs_) dirty_leaves_.push_back(flow_leaf_[engine::index(f)]);
  }
  if (obs_) observe_links();
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (uint32_t j : touched) {
    JobState& s = states_[j];
    if (s.phase != Phase::kRunning || s.flows.empty()) continue;
    double rate = s.estimate.scale_out_bytes_per_s_per_leaf;
    for (engine::FlowId f : s.flows) rate = std::min(rate, solver_.rate(f));
    const double slowdown = rate > 0 ? s.estimate.scale_out_bytes_per_s_per_leaf / rate : 1e9;
    const double f = s.estimate.scale_out_exposed_fraction;
    const double step = s.estimate.step_seconds * (1 - f + f * slowdown);
    if (step == s.step_seconds) continue;
    advance(j);
    s.step_seconds = step;
    if (obs_ && obs_->wants_steps()) obs_->step(now(), {.job = j, .step_seconds = step, .estimate = &s.estimate});
    schedule_finish(j);
    schedule_checkpoint(j);
  }
}

// Failures --------------------------------------------------------------------------

std::vector<uint32_t> ClusterRun::unit_devices(FailureUnit unit, uint32_t index) const {
  if (unit == FailureUnit::kDevice) return {index};
  return inv_.node_devices(index);
}

void ClusterRun::draw_failure(uint32_t kind, uint32_t unit, SimTime from) {
  const FailureKind& k = opts_.failures.kinds[kind];
  // Weibull with mean m: scale m / Gamma(1 + 1/shape); shape 1 is the exponential.
  const double scale = k.mtbf_hours * 3600.0 / std::tgamma(1.0 + 1.0 / k.weibull_shape);
  failures_.push({from + SimTime::seconds_ceil(engine::weibull(failure_rng_, k.weibull_shape, scale)), kind, unit});
}

void ClusterRun::start_failures() {
  const auto& kinds = opts_.failures.kinds;
  for (uint32_t k = 0; k < kinds.size(); ++k) {
    if (!(kinds[k].mtbf_hours > 0) || !(kinds[k].weibull_shape > 0))
      throw UserError(fmt::format("failures.kinds[{}]: mtbf_hours and weibull_shape must be > 0", k));
    const size_t units = kinds[k].unit == FailureUnit::kDevice ? inv_.devices().size() : inv_.node_count();
    for (uint32_t u = 0; u < units; ++u) draw_failure(k, u, SimTime::zero());
  }
  arm_next_failure();
  for (const ScriptedFailure& f : opts_.failures.scripted) {
    const size_t units = f.unit == FailureUnit::kDevice ? inv_.devices().size() : inv_.node_count();
    if (f.index >= units)
      throw UserError(fmt::format("scripted {} failure: index {} out of range (the cluster has {})", to_string(f.unit),
                                  f.index, units));
    sim_.schedule_at(f.at, [this, f] { fail(unit_devices(f.unit, f.index), f.repair); });
  }
}

void ClusterRun::arm_next_failure() {
  if (failures_.empty()) return;
  failure_event_ = sim_.schedule_at(failures_.top().at, [this] {
    const PendingFailure f = failures_.top();
    failures_.pop();
    const FailureKind& k = opts_.failures.kinds[f.kind];
    fail(unit_devices(k.unit, f.unit), k.repair);
    draw_failure(f.kind, f.unit, now() + k.repair);  // renewal: up again after repair
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
  if (flows_changed_) resolve_contention();
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

void ClusterRun::note() {
  const double free = free_.free_total();
  recorder_.note(seconds(now()),
                 {.allocated = static_cast<double>(allocated_),
                  .down = static_cast<double>(down_),
                  .mfu_devices = mfu_devices_,
                  .free = free,
                  .free_on_partial_nodes = free - free_.free_on_whole_nodes(),
                  .queued = static_cast<double>(pending_.size()),
                  .running = static_cast<double>(running_.size()),
                  .power_w = inv_.static_watts() + idle_watts_ + extra_watts_});
  if (obs_) observe_sample();
  if (opts_.progress) opts_.progress(now(), static_cast<uint32_t>(ends_.count()), static_cast<uint32_t>(jobs_.size()));
}

void ClusterRun::observe_sample() {
  const auto queued = static_cast<uint32_t>(pending_.size()), running = static_cast<uint32_t>(running_.size());
  bool changed = sampled_pools_.empty() || queued != sampled_queued_ || running != sampled_running_;
  sampled_pools_.resize(inv_.pools().size());
  for (uint32_t p = 0; p < sampled_pools_.size(); ++p) {
    const PoolUsage u{.allocated = held_in_pool_[p], .down = down_in_pool_[p]};
    changed = changed || u.allocated != sampled_pools_[p].allocated || u.down != sampled_pools_[p].down;
    sampled_pools_[p] = u;
  }
  if (!changed) return;
  sampled_queued_ = queued;
  sampled_running_ = running;
  obs_->cluster_sample(now(), {.pools = sampled_pools_, .queued = queued, .running = running,
                               .power_w = inv_.static_watts() + idle_watts_ + extra_watts_});
}

void ClusterRun::observe_links() {
  told_leaf_load_.resize(leaf_link_.size(), 0.0);
  std::sort(dirty_leaves_.begin(), dirty_leaves_.end());
  dirty_leaves_.erase(std::unique(dirty_leaves_.begin(), dirty_leaves_.end()), dirty_leaves_.end());
  for (uint32_t l : dirty_leaves_) {
    const double load = solver_.load(*leaf_link_[l]);
    if (load == told_leaf_load_[l]) continue;
    told_leaf_load_[l] = load;
    obs_->link_sample(now(), {.leaf = l, .load_bytes_per_s = load, .capacity_bytes_per_s = solver_.capacity(*leaf_link_[l])});
  }
  dirty_leaves_.clear();
}

Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(v.size());
  // Nearest rank: the smallest value with at least q of the values at or below it.
  auto rank = [&](double q) { return v[static_cast<size_t>(std::max(1.0, std::ceil(q * static_cast<double>(v.size())))) - 1]; };
  p.p50 = rank(0.50);
  p.p99 = rank(0.99);
  return p;
}

ClusterRunResult ClusterRun::results(const engine::RunResult& r) {
  ClusterRunResult out;
  ClusterSummary& sum = out.summary;
  sum.policy = to_string(opts_.policy.kind);
  sum.placement = to_string(opts_.placement);
  sum.devices = static_cast<uint32_t>(inv_.devices().size());
  sum.jobs = static_cast<uint32_t>(jobs_.size());
  sum.finished = static_cast<uint32_t>(ends_.count());
  sum.events = r.events_executed;
  sum.failures = failure_count_;
  sum.step_estimates = static_cast<double>(estimates_.size());
  std::vector<double> jct, delay;
  double first_arrival = jobs_.empty() ? 0 : 1e300, useful = 0, held = 0, lost = 0;
  for (uint32_t j = 0; j < jobs_.size(); ++j) {
    const JobRequest& job = jobs_[j];
    const JobState& s = states_[j];
    JobResult jr{.name = job.name, .devices = job.devices, .arrival_s = seconds(job.arrival)};
    first_arrival = std::min(first_arrival, jr.arrival_s);
    if (s.first_start) {
      jr.pool = inv_.pools()[s.pool].name;
      jr.first_start_s = seconds(*s.first_start);
      jr.queue_delay_s = *jr.first_start_s - jr.arrival_s;
    } else {
      jr.queue_delay_s = std::max(0.0, seconds(r.end_time) - jr.arrival_s);
    }
    delay.push_back(jr.queue_delay_s);
    if (s.reserved) jr.reserved_start_s = seconds(*s.reserved);
    if (s.end) {
      jr.end_s = seconds(*s.end);
      jr.jct_s = *jr.end_s - jr.arrival_s;
      jr.time_to_train_s = *jr.end_s - *jr.first_start_s;
      jct.push_back(*jr.jct_s);
    }
    jr.held_s = s.held_s;
    if (s.has_mfu && s.useful_s > 0) jr.mfu = s.mfu_s / s.useful_s;
    // Useful: progress kept, in the device-seconds it took at the job's own pace.
    const double kept_s = s.useful_s - s.lost_seconds;
    jr.goodput = s.held_s > 0 ? std::max(0.0, kept_s) / s.held_s : 0;
    jr.interruptions = s.interruptions;
    jr.preemptions = s.preemptions;
    jr.interruption_times_s = s.interruption_times_s;
    jr.preemption_times_s = s.preemption_times_s;
    jr.checkpoints = s.checkpoints;
    jr.lost_steps = s.lost_steps;
    jr.lost_seconds = s.lost_seconds;
    useful += std::max(0.0, kept_s) * job.devices;
    held += s.held_s * job.devices;
    lost += s.lost_seconds * job.devices;
    sum.interruptions += s.interruptions;
    sum.preemptions += s.preemptions;
    out.jobs.push_back(std::move(jr));
  }
  const double t0 = std::min(first_arrival, seconds(r.end_time));
  const double t1 = seconds(r.end_time);
  sum.makespan_s = t1 - t0;
  sum.jct_s = percentiles(jct);
  sum.queue_delay_s = percentiles(delay);
  const Recorder::Totals tot = recorder_.totals(t0, t1);
  sum.utilization = tot.utilization;
  sum.mfu_utilization = tot.mfu_utilization;
  sum.fragmentation = tot.fragmentation;
  sum.energy_j = tot.energy_j;
  sum.goodput = held > 0 ? useful / held : 0;
  sum.lost_device_hours = lost / 3600.0;
  out.timeline = recorder_.timeline(t0, t1, opts_.timeline_samples);
  return out;
}

}  // namespace

ClusterRunResult run_cluster(const Inventory& inventory, const std::vector<JobRequest>& jobs, StepModelOracle& oracle,
                             const ClusterRunOptions& options) {
  ClusterRun run(inventory, jobs, oracle, options);
  return run.run();
}

}  // namespace podsim::scheduler
