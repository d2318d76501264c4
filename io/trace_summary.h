#pragma once
// `podsim trace FILE --summary`: what a trace holds, read in one pass -- events by
// kind, the time span, per job its submission, starts, interruptions and the time it
// spent queued and running, and, for traced steps (level steps and flows), their
// collectives by kind and the flows they were made of.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "podsim/v1/trace.pb.h"

namespace podsim::io {

struct TraceJobTotals {
  std::string name;
  uint32_t devices = 0;
  double submitted_s = 0;
  std::optional<double> first_start_s, end_s;
  uint32_t starts = 0, preemptions = 0, failures = 0, checkpoints = 0, restarts = 0;
  double queued_s = 0;   // submitted and not running, to the end of the run
  double running_s = 0;  // holding devices
  double lost_steps = 0;
};

// The collectives of one kind (trace.proto CollectiveRun.kind) over all traced steps.
struct CollectiveTotals {
  uint64_t runs = 0;         // CollectiveRun events
  uint64_t collectives = 0;  // sum of their counts
  double bytes = 0;          // sum of bytes x count (per rank)
  double seconds = 0;        // sum of end - start
  uint64_t flows = 0;        // CollectiveFlow events of them
  double flow_bytes = 0;
};

struct TraceSummary {
  std::string path;
  v1::TraceHeader header;
  uint64_t bytes = 0, events = 0;
  // By TraceEvent::event_case() (the oneof's field number; 0 unused).
  std::array<uint64_t, v1::TraceEvent::kStepTraceEndedFieldNumber + 1> by_kind{};
  double first_s = 0, end_s = 0;  // first event, run end
  uint32_t finished = 0, unfinished = 0;  // as the run_ended event says
  uint32_t peak_queued = 0;
  std::vector<TraceJobTotals> jobs;  // in submission order
  uint64_t traced_steps = 0;
  std::map<std::string, CollectiveTotals> collectives;  // by kind
};

// Reads the whole trace. Throws UserError for a malformed one (trace_reader.h).
TraceSummary summarize_trace(const std::filesystem::path& path);

void print_trace_summary(const TraceSummary& s, std::ostream& out);

}  // namespace podsim::io
