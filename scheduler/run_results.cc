#include "scheduler/run_results.h"

#include <algorithm>
#include <cmath>

namespace podsim::scheduler {
namespace {

// Exact for whole seconds (SimTime::to_seconds multiplies by 1e-9, which is not), so
// hand-checked results compare equal.
double seconds(engine::SimTime t) { return static_cast<double>(t.ns()) / 1e9; }

}  // namespace

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

ClusterRunResult make_results(const Inventory& inv, const std::vector<JobRequest>& jobs,
                              const std::vector<JobTotals>& totals, const Recorder& recorder, const RunTotals& run) {
  ClusterRunResult out;
  ClusterSummary& sum = out.summary;
  sum.policy = run.policy;
  sum.placement = run.placement;
  sum.devices = static_cast<uint32_t>(inv.devices().size());
  sum.jobs = static_cast<uint32_t>(jobs.size());
  sum.finished = run.finished;
  sum.events = run.events;
  sum.failures = run.failures;
  sum.step_estimates = static_cast<double>(run.step_estimates);
  std::vector<double> jct, delay, first_delay;
  double first_arrival = jobs.empty() ? 0 : 1e300, useful = 0, held = 0, lost = 0;
  for (uint32_t j = 0; j < jobs.size(); ++j) {
    const JobRequest& job = jobs[j];
    const JobTotals& s = totals[j];
    JobResult jr{.name = job.name, .devices = job.devices, .arrival_s = seconds(job.arrival)};
    first_arrival = std::min(first_arrival, jr.arrival_s);
    if (s.first_start) {
      jr.pool = inv.pools()[s.pool].name;
      jr.first_start_s = seconds(*s.first_start);
      jr.first_start_delay_s = *jr.first_start_s - jr.arrival_s;
    } else {
      jr.first_start_delay_s = std::max(0.0, seconds(run.end_time) - jr.arrival_s);
    }
    // Every wait; the loop closes a wait still open at the end of the run.
    jr.queue_delay_s = s.queued_s;
    delay.push_back(jr.queue_delay_s);
    first_delay.push_back(jr.first_start_delay_s);
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
  const double t0 = std::min(first_arrival, seconds(run.end_time));
  const double t1 = seconds(run.end_time);
  sum.makespan_s = t1 - t0;
  sum.jct_s = percentiles(jct);
  sum.queue_delay_s = percentiles(delay);
  sum.first_start_delay_s = percentiles(first_delay);
  const Recorder::Totals tot = recorder.totals(t0, t1);
  sum.utilization = tot.utilization;
  // The drain tail starts no earlier than the last submission and no later than the end.
  double last_arrival = t0;
  for (const JobRequest& job : jobs) last_arrival = std::max(last_arrival, seconds(job.arrival));
  const double drain = std::clamp(std::max(seconds(run.drain_start), last_arrival), t0, t1);
  sum.drain_tail_s = t1 - drain;
  if (drain > t0) sum.utilization_before_drain = recorder.totals(t0, drain).utilization;
  sum.mfu_utilization = tot.mfu_utilization;
  sum.fragmentation = tot.fragmentation;
  sum.energy_j = tot.energy_j;
  sum.goodput = held > 0 ? useful / held : 0;
  sum.lost_device_hours = lost / 3600.0;
  out.timeline = recorder.timeline(t0, t1, run.timeline_samples);
  return out;
}

}  // namespace podsim::scheduler
