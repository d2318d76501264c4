#pragma once
// `podsim trace FILE --summary`: what a trace holds, read in one pass -- events by
// kind, the time span, and per job its submission, starts, interruptions and the time
// it spent queued and running.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "podsim/v1/trace.pb.h"

namespace podsim::cli {

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

struct TraceSummary {
  std::string path;
  v1::TraceHeader header;
  uint64_t bytes = 0, events = 0;
  // By TraceEvent::event_case() (the oneof's field number; 0 unused).
  std::array<uint64_t, v1::TraceEvent::kRunEndedFieldNumber + 1> by_kind{};
  double first_s = 0, end_s = 0;  // first event, run end
  uint32_t finished = 0, unfinished = 0;  // as the run_ended event says
  uint32_t peak_queued = 0;
  std::vector<TraceJobTotals> jobs;  // in submission order
};

// Reads the whole trace. Throws UserError for a malformed one (trace_reader.h).
TraceSummary summarize_trace(const std::filesystem::path& path);

void print_trace_summary(const TraceSummary& s, std::ostream& out);

}  // namespace podsim::cli
