#pragma once
// TraceWriter: the scheduler's RunObserver (scheduler/run_observer.h) that streams a
// podsim trace (proto/podsim/v1/trace.proto) to disk while the run goes: each event
// is serialised as it happens into a buffered stream, so memory stays bounded however
// long the run. The file is written to a temporary beside PATH (io/atomic_file.h) and renamed by finish(); a run that
// throws leaves no trace behind.
//
//   TraceWriter trace(path, {.scenario = s.name(), .seed = s.seed(), .level = TraceLevel::kJobs});
//   run_cluster(file, &trace, trace.wants_steps() ? &trace.recorded_steps() : nullptr);
//   trace.finish();
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/atomic_file.h"
#include "io/step_trace.h"
#include "podsim/v1/trace.pb.h"
#include "scheduler/run_observer.h"

namespace google::protobuf::io {
class OstreamOutputStream;
}

namespace podsim::io {

enum class TraceLevel { kJobs = 1, kSteps = 2, kFlows = 3 };
// "jobs", "steps", "flows"; nullopt for anything else.
std::optional<TraceLevel> parse_trace_level(std::string_view name);
const char* to_string(TraceLevel level);

// TraceHeader.format of every podsim trace; its bytes are within the first ones of the
// file, which is how `--trace` knows a file it may replace (io/output_paths.h).
inline constexpr std::string_view kTraceFormat = "podsim-trace";

struct TraceInfo {
  std::string scenario;
  uint64_t seed = 0;
  TraceLevel level = TraceLevel::kJobs;
};

class TraceWriter final : public scheduler::RunObserver {
 public:
  // Creates the temporary file beside PATH. Throws UserError if it cannot.
  TraceWriter(const std::filesystem::path& path, TraceInfo info);
  ~TraceWriter() override;

  // Flushes and renames the trace to PATH. REQUIRES: the run has ended (run_ended was
  // called). Throws UserError if a write failed.
  void finish();
  uint64_t events() const { return events_; }
  uint64_t bytes() const;
  TraceLevel level() const { return info_.level; }

  // A cluster run at level steps: the step oracle records each traced step here
  // (scenario/cluster_run.cc), and the first Step event after each job start is followed by
  // its shape's recorded step, restamped with the job and the time.
  RecordedSteps& recorded_steps() { return recorded_; }

  // For traces that are not a cluster run's (a comparison study, io/compare_trace.h):
  // the header (format, version, scenario, seed, level and time unit filled in here),
  // then each event as given, in non-decreasing time, the last one run_ended.
  void write_header(v1::TraceHeader header);
  void write_event(const v1::TraceEvent& event);

  bool wants_steps() const override { return info_.level >= TraceLevel::kSteps; }
  bool wants_flows() const override { return info_.level >= TraceLevel::kFlows; }
  void run_started(const scheduler::Inventory& inventory, std::span<const scheduler::JobRequest> jobs) override;
  void run_ended(engine::SimTime t, uint32_t finished, uint32_t unfinished) override;
  void job_submitted(engine::SimTime t, uint32_t job, const scheduler::JobRequest& request) override;
  void job_started(engine::SimTime t, const scheduler::JobStartEvent& e) override;
  void job_preempted(engine::SimTime t, uint32_t job, double progress, double lost_steps) override;
  void job_failed(engine::SimTime t, const scheduler::JobFailureEvent& e) override;
  void job_checkpointed(engine::SimTime t, uint32_t job, double progress, engine::SimTime write_cost) override;
  void job_restarted(engine::SimTime t, const scheduler::JobRestartEvent& e) override;
  void job_finished(engine::SimTime t, uint32_t job, double held_s) override;
  void devices_down(engine::SimTime t, std::span<const uint32_t> devices, engine::SimTime repair_after) override;
  void devices_repaired(engine::SimTime t, std::span<const uint32_t> devices) override;
  void cluster_sample(engine::SimTime t, const scheduler::ClusterSampleEvent& e) override;
  void link_sample(engine::SimTime t, const scheduler::LinkSampleEvent& e) override;
  void step(engine::SimTime t, const scheduler::StepEvent& e) override;
  void flow_started(engine::SimTime t, const scheduler::FlowEvent& e) override;
  void flow_ended(engine::SimTime t, uint32_t flow) override;

 private:
  // The reused event, cleared and stamped with t.
  v1::TraceEvent& event(engine::SimTime t);
  // Writes event_ (or any message) length-delimited. Throws UserError on failure.
  void write(const google::protobuf::MessageLite& message);
  // The trace's index of run job `job` (its submission order).
  uint32_t job_index(uint32_t job) const;

  TraceInfo info_;
  AtomicOutputFile file_;
  std::unique_ptr<google::protobuf::io::OstreamOutputStream> stream_;
  v1::TraceEvent event_;
  std::vector<std::optional<uint32_t>> trace_job_;  // by run job index, once submitted
  std::vector<RecordedSteps::Key> step_key_;        // by run job index: its workload and devices
  std::vector<const std::vector<v1::TraceEvent>*> pending_steps_;  // by run job index: to write at its next Step
  RecordedSteps recorded_;
  uint32_t submitted_ = 0;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;  // once finished
  bool ended_ = false;
};

}  // namespace podsim::io
