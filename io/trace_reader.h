#pragma once
// Reading a podsim trace (proto/podsim/v1/trace.proto): the header, then each event,
// one at a time (bounded memory), checked as it is read, so that what a consumer is
// handed is safe to index: every job, pool, leaf and device an event names exists,
// times never go back, and the trace ends with its RunEnded event.
//
// Anything else -- an empty file, another kind of file, a truncated or corrupted one
// -- is one UserError line naming the trace, the byte offset and the event index, and
// what was expected:
//
//   run.trace: byte 1234 (event 17): truncated: a 52-byte message starts here but the
//   input ends after 20 bytes
//
//   read_trace_file("run.trace", [](const v1::TraceHeader& h) { ... },
//                   [](const v1::TraceEvent& e) { ... });
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "podsim/v1/trace.pb.h"

namespace google::protobuf::io {
class ZeroCopyInputStream;
}

namespace podsim::io {

// A length prefix larger than this is corruption: the largest real event, a job
// started on 100k devices, is about 300 KB.
inline constexpr uint32_t kMaxTraceMessageBytes = 16u << 20;

using TraceHeaderFn = std::function<void(const v1::TraceHeader&)>;
using TraceEventFn = std::function<void(const v1::TraceEvent&)>;

struct TraceReadStats {
  uint64_t events = 0;  // after the header
  uint64_t bytes = 0;
};

// Reads `input` to its end, calling on_header once and on_event for each event in
// order. `name` names the input in errors. Throws UserError for any malformed input;
// never crashes or loops on any byte sequence (fuzzed).
TraceReadStats read_trace(google::protobuf::io::ZeroCopyInputStream& input, const std::string& name,
                          const TraceHeaderFn& on_header, const TraceEventFn& on_event);

// The same over bytes in memory: what a fuzz target calls.
TraceReadStats read_trace_bytes(std::string_view bytes, const std::string& name, const TraceHeaderFn& on_header,
                                const TraceEventFn& on_event);

// The same over a file, read in blocks. Throws UserError if it cannot be opened.
TraceReadStats read_trace_file(const std::filesystem::path& path, const TraceHeaderFn& on_header,
                               const TraceEventFn& on_event);

// The name of an event's kind as the proto spells it ("submitted", "started", ...);
// "unset" if none.
const char* event_kind_name(const v1::TraceEvent& event);

}  // namespace podsim::io
