#pragma once
// RunObserver: what a cluster run tells whoever watches it, event by event, as plain
// data. The run loop (cluster_run.h) calls it where things happen; io/'s trace
// writer (io/trace_writer.h) turns the calls into protobuf trace messages. The
// scheduler knows nothing of files or protobuf.
//
// Without an observer (ClusterRunOptions::observer == nullptr) the run loop builds no
// event: each call site is one pointer test. What an observer does not want
// (wants_steps, wants_flows) is not built either.
//
// Calls come in non-decreasing simulated time. Jobs are indices into the run's job
// list, pools into Inventory::pools(), devices and leaves are the inventory's ids.
// References passed to a call are valid only during it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"

namespace podsim::scheduler {

struct JobStartEvent {
  uint32_t job = 0;
  PlacementShape shape;  // pool, devices, domains, nodes, leaves spanned
  std::span<const uint32_t> devices;
  const StepEstimate* estimate = nullptr;  // never null
  engine::SimTime restart_cost;            // zero if it starts fresh
  bool restart = false;
  double progress = 0;  // steps kept
};

struct JobFailureEvent {
  uint32_t job = 0;
  double lost_steps = 0;
  double progress = 0;  // kept: the last checkpoint
  bool requeued = false;  // else it restarts in place on spares (job_restarted follows)
};

struct JobRestartEvent {
  uint32_t job = 0;
  std::span<const uint32_t> replaced, spares;  // same length, in the same order
  engine::SimTime restart_cost;
};

// The step a job runs from now on (every step until its next StepEvent or stop).
struct StepEvent {
  uint32_t job = 0;
  double step_seconds = 0;  // with contention
  const StepEstimate* estimate = nullptr;  // never null; its breakdown may be absent
};

struct FlowEvent {
  uint32_t flow = 0;  // unique among live flows
  uint32_t job = 0;
  uint32_t leaf = 0;
  double demand_bytes_per_s = 0;
};

struct PoolUsage {
  uint32_t allocated = 0, down = 0;
};

struct ClusterSampleEvent {
  std::span<const PoolUsage> pools;  // by pool
  uint32_t queued = 0, running = 0;
  double power_w = 0;
};

struct LinkSampleEvent {
  uint32_t leaf = 0;
  double load_bytes_per_s = 0, capacity_bytes_per_s = 0;
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;

  // Whether to build step and flow events at all.
  virtual bool wants_steps() const { return false; }
  virtual bool wants_flows() const { return false; }
  // Once, before any other call.
  virtual void run_started(const Inventory& /*inventory*/, std::span<const JobRequest> /*jobs*/) {}
  // Once, last: the run stops (every job done, or the horizon).
  virtual void run_ended(engine::SimTime /*t*/, uint32_t /*finished*/, uint32_t /*unfinished*/) {}

  virtual void job_submitted(engine::SimTime /*t*/, uint32_t /*job*/, const JobRequest& /*request*/) {}
  virtual void job_started(engine::SimTime /*t*/, const JobStartEvent& /*e*/) {}
  // `progress`: steps kept (its last checkpoint); `lost_steps`: progress thrown away.
  virtual void job_preempted(engine::SimTime /*t*/, uint32_t /*job*/, double /*progress*/, double /*lost_steps*/) {}
  virtual void job_failed(engine::SimTime /*t*/, const JobFailureEvent& /*e*/) {}
  virtual void job_checkpointed(engine::SimTime /*t*/, uint32_t /*job*/, double /*progress*/,
                                engine::SimTime /*write_cost*/) {}
  virtual void job_restarted(engine::SimTime /*t*/, const JobRestartEvent& /*e*/) {}
  virtual void job_finished(engine::SimTime /*t*/, uint32_t /*job*/, double /*held_s*/) {}
  virtual void devices_down(engine::SimTime /*t*/, std::span<const uint32_t> /*devices*/,
                            engine::SimTime /*repair_after*/) {}
  virtual void devices_repaired(engine::SimTime /*t*/, std::span<const uint32_t> /*devices*/) {}
  // Whenever a job's devices or the queue change (only when a value differs from the
  // previous sample).
  virtual void cluster_sample(engine::SimTime /*t*/, const ClusterSampleEvent& /*e*/) {}
  // Whenever the load on a leaf's uplinks changes.
  virtual void link_sample(engine::SimTime /*t*/, const LinkSampleEvent& /*e*/) {}
  // Only if wants_steps().
  virtual void step(engine::SimTime /*t*/, const StepEvent& /*e*/) {}
  // Only if wants_flows().
  virtual void flow_started(engine::SimTime /*t*/, const FlowEvent& /*e*/) {}
  virtual void flow_ended(engine::SimTime /*t*/, uint32_t /*flow*/) {}
};

}  // namespace podsim::scheduler
