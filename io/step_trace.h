#pragma once
// StepTraceEvents: the step model's observer (workloads/step_observer.h) that turns one
// simulated step into trace events (proto/podsim/v1/trace.proto): StepTraced with the
// step's device groups, a CollectiveRun per collective and, if asked, a
// CollectiveFlow per flow, then StepTraceEnded. Each event goes to a sink as it
// happens, so a step with millions of flows is streamed, not kept:
//
//   StepTraceEvents events(job, /*flows=*/true, [&](const v1::TraceEvent& e) { trace.write_at(t, e); });
//   options.observer = &events;
//   simulate_step(job, placement, device, fabric, options);
//
// Events carry t_ns = 0: the sink stamps the step's start on the run's clock.
//
// RecordedSteps keeps a cluster run's traced steps (the step model runs once per job
// workload and placement shape; sim/step_oracle.h) until the trace writer replays one
// at each job start, with that job's index and time (restamp()).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "podsim/v1/trace.pb.h"
#include "scheduler/job.h"
#include "sim/step_oracle.h"
#include "workloads/step_observer.h"

namespace podsim::io {

class StepTraceEvents final : public workloads::StepObserver {
 public:
  using Sink = std::function<void(const v1::TraceEvent&)>;
  StepTraceEvents(uint32_t job, bool flows, Sink sink) : job_(job), flows_(flows), sink_(std::move(sink)) {}

  bool wants_flows() const override { return flows_; }
  void step_begins(const workloads::StepTraceInfo& info) override;
  void collective(const workloads::StepCollective& c) override;
  void flow(const workloads::StepFlow& f) override;
  void step_ends(engine::SimTime makespan) override;

  uint32_t collectives() const { return collectives_; }
  uint64_t flows() const { return flow_count_; }

 private:
  v1::TraceEvent& fresh();

  uint32_t job_;
  bool flows_;
  Sink sink_;
  v1::TraceEvent event_;
  uint32_t collectives_ = 0;
  uint64_t flow_count_ = 0;
};

// Sets the job of a step-trace event (StepTraced, CollectiveRun, CollectiveFlow,
// StepTraceEnded) and its time. REQUIRES: `e` is one of those.
void restamp(v1::TraceEvent& e, uint32_t job, int64_t t_ns);

// A cluster run's traced steps, by (workload, devices, placement shape) as the step
// oracle is asked (sim/step_oracle.h).
class RecordedSteps final : public sim::StepRecorder {
 public:
  using Key = sim::StepRecorder::Key;
  bool has(const Key& k) const { return steps_.count(k) > 0; }
  // An observer that keeps k's events (null if k is kept already).
  workloads::StepObserver* record(const Key& k) override;
  const std::vector<v1::TraceEvent>* find(const Key& k) const {
    auto it = steps_.find(k);
    return it == steps_.end() ? nullptr : &it->second;
  }

 private:
  std::map<Key, std::vector<v1::TraceEvent>> steps_;
  std::optional<StepTraceEvents> recording_;  // into steps_[the last key recorded]
};

}  // namespace podsim::io
