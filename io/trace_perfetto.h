#pragma once
// `podsim trace FILE --perfetto OUT.json`: a podsim trace as Chrome trace-event JSON,
// the format ui.perfetto.dev and chrome://tracing open
// (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU).
//
// Process "jobs": one track (thread) per job, in submission order, with complete
// events ("X") for the time it queues and each run (args: pool, placement, step time,
// MFU), at level steps a "step" slice nested in the run for each Step event (one
// representative step, args: its breakdown), and instant events ("i") for submission,
// checkpoints, failures, restarts, preemptions and the finish. Process "device
// groups": a counter ("C") per pool (devices allocated and down), the queue, the power
// draw, and instants for device failures and repairs. Process "scale-out": a counter
// per leaf uplink (load) and, at level flows, each flow as an async slice ("b"/"e").
//
// Traced steps (level steps): a track per (job, device group) -- named by the job, the
// group's kind, stage and ranks -- with a complete event per collective (args: op,
// algorithm, phase, bytes per rank, count), in process "collectives" for a cluster
// run; at level flows each collective flow as an async slice, one async track per job.
// A comparison study (TraceHeader.comparison) has one process per system instead of
// "jobs", holding its cells' job tracks and their device-group tracks.
//
// Memory: per job state, the step slices of its current run and its device groups'
// track ids, never the whole trace.
// The JSON is written to a temporary beside OUT.json and renamed when whole.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace podsim::io {

struct PerfettoStats {
  uint64_t trace_events = 0;            // events read from the trace
  std::map<std::string, uint64_t> by_phase;  // JSON events written, by "ph"
};

// The first bytes of every JSON file write_perfetto writes (io/output_paths.h).
inline constexpr std::string_view kPerfettoSignature = "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":";

// Throws UserError for a malformed trace (trace_reader.h) or an unwritable output.
PerfettoStats write_perfetto(const std::filesystem::path& trace, const std::filesystem::path& json);

// `s` as a JSON string literal, quotes included: ", \ and control characters escaped.
std::string json_quote(std::string_view s);

}  // namespace podsim::io
