#pragma once
// Tracing a comparison study (`podsim run COMPARE.textproto --trace FILE`; trace.proto,
// TraceHeader.comparison): each (system, job) cell is a job of the trace, run alone
// from t = 0 for one step. Its events, streamed as the step model runs:
//
//   JobSubmitted (pools = its system)       t = 0
//   StepTraced, CollectiveRun..., [CollectiveFlow...], StepTraceEnded   (level steps+)
//   JobStarted (devices: the step's placement), Step (level steps+)     t = 0
//   ... the other cells ...
//   JobFinished of every cell, at its step time, in time order; RunEnded.
//
// Pools are the systems; TraceHeader.devices is the largest system's count.
//
//   CompareTrace trace(writer, systems);      // writes the header
//   const StudyResult r = run_study(file, &trace);
//   trace.finish();                           // JobFinished..., RunEnded
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/step_trace.h"
#include "io/trace_writer.h"
#include "engine/network/fabric.h"
#include "sim/study.h"
#include "workloads/step_model.h"

namespace podsim::io {

struct TracedSystem {
  std::string name;
  uint32_t devices = 0;
  uint32_t domains = 0;
};

class CompareTrace final : public sim::StudyObserver {
 public:
  CompareTrace(TraceWriter& writer, std::span<const TracedSystem> systems);

  // A cell's step is about to be simulated: writes its JobSubmitted and returns the
  // observer to give the step model (null below level steps). Valid until cell_ended.
  workloads::StepObserver* cell_begins(uint32_t system, const std::string& job, uint32_t devices,
                                       double steps) override;
  // Its step is done: JobStarted and Step.
  void cell_ended(std::span<const engine::DeviceId> placement, uint32_t domains,
                  const workloads::StepResult& r) override;
  // JobFinished of every cell and RunEnded; then TraceWriter::finish().
  void finish();

 private:
  TraceWriter& writer_;
  v1::TraceEvent event_;
  uint32_t cells_ = 0;
  uint32_t system_ = 0;  // of the current cell
  std::optional<StepTraceEvents> steps_;
  std::vector<int64_t> step_ns_;  // by cell
};

}  // namespace podsim::io
