#include "sim/finite_results.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "engine/check.h"

namespace podsim::sim {
namespace {

void finite(double v, const std::string& what, const char* field) {
  if (!std::isfinite(v)) [[unlikely]]
    throw InternalError(fmt::format("result {}.{} is not finite ({})", what, field, v));
}

void finite(const std::optional<double>& v, const std::string& what, const char* field) {
  if (v) finite(*v, what, field);
}

}  // namespace

void check_finite(const scheduler::ClusterRunResult& r) {
  const scheduler::ClusterSummary& s = r.summary;
  const std::string sum = "summary";
  for (auto [v, f] : {std::pair{s.makespan_s, "makespan_s"}, {s.jct_s.mean, "jct_s.mean"}, {s.jct_s.p50, "jct_s.p50"},
                      {s.jct_s.p99, "jct_s.p99"}, {s.queue_delay_s.mean, "queue_delay_s.mean"},
                      {s.queue_delay_s.p50, "queue_delay_s.p50"}, {s.queue_delay_s.p99, "queue_delay_s.p99"},
                      {s.utilization, "utilization"}, {s.mfu_utilization, "mfu_utilization"},
                      {s.fragmentation, "fragmentation"}, {s.energy_j, "energy_j"}, {s.goodput, "goodput"},
                      {s.lost_device_hours, "lost_device_hours"}, {s.step_estimates, "step_estimates"}})
    finite(v, sum, f);
  for (const scheduler::JobResult& j : r.jobs) {
    const std::string what = fmt::format("jobs['{}']", j.name);
    finite(j.arrival_s, what, "arrival_s");
    finite(j.first_start_s, what, "first_start_s");
    finite(j.reserved_start_s, what, "reserved_start_s");
    finite(j.end_s, what, "end_s");
    finite(j.queue_delay_s, what, "queue_delay_s");
    finite(j.jct_s, what, "jct_s");
    finite(j.time_to_train_s, what, "time_to_train_s");
    finite(j.held_s, what, "held_s");
    finite(j.mfu, what, "mfu");
    finite(j.goodput, what, "goodput");
    finite(j.lost_steps, what, "lost_steps");
    finite(j.lost_seconds, what, "lost_seconds");
    for (double t : j.interruption_times_s) finite(t, what, "interruption_times_s");
    for (double t : j.preemption_times_s) finite(t, what, "preemption_times_s");
  }
  for (const scheduler::TimelineSample& t : r.timeline) {
    const std::string what = fmt::format("timeline[t_s={}]", t.t_s);
    for (auto [v, f] : {std::pair{t.t_s, "t_s"}, {t.allocated, "allocated"}, {t.down, "down"},
                        {t.utilization, "utilization"}, {t.mfu_utilization, "mfu_utilization"},
                        {t.fragmentation, "fragmentation"}, {t.queued, "queued"}, {t.running, "running"},
                        {t.power_w, "power_w"}})
      finite(v, what, f);
  }
}

void check_finite(const StudyResult& r) {
  for (const StudyCell& c : r.cells) {
    const workloads::StepResult& x = c.result;
    const std::string what = fmt::format("cells['{}/{}']", c.system, c.job);
    for (auto [v, f] : {std::pair{x.step_s, "step_s"}, {x.compute_s, "compute_s"}, {x.host_s, "host_s"}, {x.offload_s, "offload_s"},
                        {x.bubble_s, "bubble_s"}, {x.samples_per_s, "samples_per_s"}, {x.tokens_per_s, "tokens_per_s"},
                        {x.mfu, "mfu"}, {x.model_tflops_per_device, "model_tflops_per_device"},
                        {x.hw_tflops_per_device, "hw_tflops_per_device"}, {x.time_to_train_s, "time_to_train_s"}})
      finite(v, what, f);
    for (double e : x.exposed_s) finite(e, what, "exposed_s");
    finite(x.energy_j, what, "energy_j");
  }
}

}  // namespace podsim::sim
