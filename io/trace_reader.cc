#include "io/trace_reader.h"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>
#include <fstream>
#include <limits>

#include "engine/error.h"
#include "engine/printable.h"
#include "io/input_file.h"
#include "io/trace_writer.h"

namespace podsim::io {
namespace {

using google::protobuf::RepeatedField;

class Reader {
 public:
  Reader(google::protobuf::io::ZeroCopyInputStream& in, const std::string& name) : in_(in), name_(name) {}

  TraceReadStats run(const TraceHeaderFn& on_header, const TraceEventFn& on_event) {
    // libprotobuf logs its own line to stderr for some malformed input (a string field
    // that is not UTF-8); the message below says the same, with the place, so its log
    // is silenced while this trace is read.
    const google::protobuf::LogSilencer quiet;
    std::string bytes;
    if (!next_message(bytes)) fail(0, "empty: expected a podsim trace (a length-delimited TraceHeader first)");
    if (!header_.ParseFromString(bytes))
      fail(0, "not a podsim trace: the first message does not parse as a TraceHeader");
    check_header();
    on_header(header_);
    in_header_ = false;
    v1::TraceEvent event;
    for (;;) {
      const uint64_t at = offset_;
      if (!next_message(bytes)) break;
      if (!event.ParseFromString(bytes)) fail(at, "expected a TraceEvent, found bytes that do not parse as one");
      check_event(event, at);
      on_event(event);
      ++index_;
    }
    if (!ended_) fail(offset_, "the trace ends without its run_ended event (truncated?)");
    return {.events = index_, .bytes = offset_};
  }

 private:
  [[noreturn]] void fail(uint64_t at, const std::string& what) const {
    if (in_header_) throw UserError(fmt::format("{}: byte {} (header): {}", name_, at, what));
    throw UserError(fmt::format("{}: byte {} (event {}): {}", name_, at, index_, what));
  }

  // The next length-delimited message into `bytes`; false at the end of the input on
  // a message boundary. One CodedInputStream per message, as protobuf advises for
  // long streams (its position counter is an int).
  bool next_message(std::string& bytes) {
    google::protobuf::io::CodedInputStream coded(&in_);
    const void* data = nullptr;
    int size = 0;
    if (!coded.GetDirectBufferPointer(&data, &size)) return false;
    uint32_t length = 0;
    if (!coded.ReadVarint32(&length))
      fail(offset_, "expected a message length (varint), found a malformed or truncated one");
    if (length > kMaxTraceMessageBytes)
      fail(offset_, fmt::format("message length {} exceeds the {}-byte limit (a corrupted length prefix?)", length,
                                kMaxTraceMessageBytes));
    if (!coded.ReadString(&bytes, static_cast<int>(length)))
      fail(offset_, fmt::format("truncated: a {}-byte message starts here but the input ends before it does", length));
    offset_ += static_cast<uint64_t>(coded.CurrentPosition());
    return true;
  }

  void check_header() {
    if (header_.format() != kTraceFormat)
      fail(0, fmt::format("not a podsim trace: header format is '{}', expected '{}' (a file written by podsim run "
                          "--trace)",
                          printable(header_.format()), kTraceFormat));
    if (header_.version() != 1)
      fail(0, fmt::format("trace format version {}, this podsim reads version 1", header_.version()));
    if (header_.time_unit() != "ns") fail(0, fmt::format("time unit '{}', expected 'ns'", printable(header_.time_unit())));
    if (header_.level() < v1::TRACE_LEVEL_JOBS || header_.level() > v1::TRACE_LEVEL_FLOWS)
      fail(0, fmt::format("trace level {}, expected 1 (jobs), 2 (steps) or 3 (flows)", static_cast<int>(header_.level())));
  }

  void check_job(uint32_t job, uint64_t at) const {
    if (job >= submitted_)
      fail(at, fmt::format("names job {}, but only {} jobs were submitted so far", job, submitted_));
  }
  void check_pool(uint32_t pool, uint64_t at) const {
    if (pool >= static_cast<uint32_t>(header_.pools_size()))
      fail(at, fmt::format("names pool {}, but the header lists {} pools", pool, header_.pools_size()));
  }
  void check_devices(const RepeatedField<uint32_t>& devices, uint64_t at) const {
    for (uint32_t d : devices)
      if (d >= header_.devices()) fail(at, fmt::format("names device {}, but the cluster has {}", d, header_.devices()));
  }
  void check_leaf(uint32_t leaf, uint64_t at) const {
    if (leaf >= header_.leaves()) fail(at, fmt::format("names leaf {}, but the cluster has {}", leaf, header_.leaves()));
  }

  // A traced step's relative times and sizes (trace.proto, StepTraced).
  // `t` is the event's t_ns (>= 0): t + end_ns must be a time too (no overflow).
  void check_span(int64_t t, int64_t start, int64_t end, double bytes, uint64_t at) const {
    if (start < 0 || end < start)
      fail(at, fmt::format("start_ns {} and end_ns {}: expected 0 <= start_ns <= end_ns", start, end));
    if (end > std::numeric_limits<int64_t>::max() - t)
      fail(at, fmt::format("end_ns {} after t_ns {} is past the largest time", end, t));
    if (!(bytes >= 0) || !std::isfinite(bytes)) fail(at, fmt::format("bytes {}: expected a finite value >= 0", bytes));
  }
  void check_rank(uint32_t job, uint32_t rank, uint64_t at) const {
    if (rank >= job_devices_[job])
      fail(at, fmt::format("names rank {} of job {}, which has {} devices", rank, job, job_devices_[job]));
  }
  // The job's groups, from its latest step_traced; fails if it has none.
  uint32_t traced_groups(uint32_t job, uint64_t at) const {
    if (!job_groups_[job]) fail(at, fmt::format("a traced-step event of job {} before its step_traced", job));
    return *job_groups_[job];
  }

  void check_event(const v1::TraceEvent& e, uint64_t at) {
    if (ended_) fail(at, "an event after run_ended (expected the end of the trace)");
    if (e.t_ns() < last_t_)
      fail(at, fmt::format("time goes back: t_ns {} after {} (expected non-decreasing times)", e.t_ns(), last_t_));
    last_t_ = e.t_ns();
    using E = v1::TraceEvent;
    switch (e.event_case()) {
      case E::kSubmitted:
        for (uint32_t p : e.submitted().pools()) check_pool(p, at);
        ++submitted_;
        job_devices_.push_back(e.submitted().devices());
        job_groups_.emplace_back();
        break;
      case E::kStarted:
        check_job(e.started().job(), at);
        check_pool(e.started().pool(), at);
        check_devices(e.started().devices(), at);
        break;
      case E::kPreempted: check_job(e.preempted().job(), at); break;
      case E::kFailed: check_job(e.failed().job(), at); break;
      case E::kCheckpointed: check_job(e.checkpointed().job(), at); break;
      case E::kRestarted:
        check_job(e.restarted().job(), at);
        check_devices(e.restarted().replaced(), at);
        check_devices(e.restarted().spares(), at);
        break;
      case E::kFinished: check_job(e.finished().job(), at); break;
      case E::kStep: check_job(e.step().job(), at); break;
      case E::kDevicesDown: check_devices(e.devices_down().devices(), at); break;
      case E::kDevicesRepaired: check_devices(e.devices_repaired().devices(), at); break;
      case E::kFlowStarted:
        check_job(e.flow_started().job(), at);
        check_leaf(e.flow_started().leaf(), at);
        break;
      case E::kFlowEnded: break;
      case E::kCluster:
        for (const v1::PoolUsage& u : e.cluster().pools()) check_pool(u.pool(), at);
        break;
      case E::kLink: check_leaf(e.link().leaf(), at); break;
      case E::kRunEnded: ended_ = true; break;
      case E::kStepTraced: {
        const v1::StepTraced& st = e.step_traced();
        check_job(st.job(), at);
        for (const v1::DeviceGroup& g : st.groups())
          for (uint32_t r : g.ranks()) check_rank(st.job(), r, at);
        job_groups_[st.job()] = static_cast<uint32_t>(st.groups_size());
        break;
      }
      case E::kCollective: {
        const v1::CollectiveRun& c = e.collective();
        check_job(c.job(), at);
        if (c.group() >= traced_groups(c.job(), at))
          fail(at, fmt::format("names group {} of job {}, whose step_traced lists {}", c.group(), c.job(),
                               traced_groups(c.job(), at)));
        check_span(e.t_ns(), c.start_ns(), c.end_ns(), c.bytes(), at);
        if (c.count() == 0) fail(at, "collective count 0: expected >= 1");
        break;
      }
      case E::kCollectiveFlow: {
        const v1::CollectiveFlow& f = e.collective_flow();
        check_job(f.job(), at);
        traced_groups(f.job(), at);
        if (f.has_src()) check_rank(f.job(), f.src(), at);
        if (f.has_dst()) check_rank(f.job(), f.dst(), at);
        check_span(e.t_ns(), f.start_ns(), f.end_ns(), f.bytes(), at);
        break;
      }
      case E::kStepTraceEnded:
        check_job(e.step_trace_ended().job(), at);
        traced_groups(e.step_trace_ended().job(), at);
        break;
      case E::EVENT_NOT_SET:
        fail(at, "an event of no kind this podsim knows (expected submitted, started, ... run_ended)");
    }
  }

  google::protobuf::io::ZeroCopyInputStream& in_;
  const std::string& name_;
  v1::TraceHeader header_;
  uint64_t offset_ = 0;  // bytes consumed: the start of the next message
  uint64_t index_ = 0;   // events read (the header is not one)
  bool in_header_ = true;
  uint32_t submitted_ = 0;
  std::vector<uint32_t> job_devices_;                // by job: JobSubmitted.devices
  std::vector<std::optional<uint32_t>> job_groups_;  // by job: groups of its latest step_traced
  int64_t last_t_ = 0;
  bool ended_ = false;
};

}  // namespace

TraceReadStats read_trace(google::protobuf::io::ZeroCopyInputStream& input, const std::string& name,
                          const TraceHeaderFn& on_header, const TraceEventFn& on_event) {
  return Reader(input, name).run(on_header, on_event);
}

TraceReadStats read_trace_bytes(std::string_view bytes, const std::string& name, const TraceHeaderFn& on_header,
                                const TraceEventFn& on_event) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw UserError(fmt::format("{}: {} bytes is too large to read from memory (read it as a file)", name, bytes.size()));
  google::protobuf::io::ArrayInputStream input(bytes.data(), static_cast<int>(bytes.size()));
  return read_trace(input, name, on_header, on_event);
}

TraceReadStats read_trace_file(const std::filesystem::path& path, const TraceHeaderFn& on_header,
                               const TraceEventFn& on_event) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw UserError(fmt::format("{}: is a directory, expected a trace file", path.string()));
  check_input_file(path, "podsim trace file", kMaxStreamedInputBytes);  // no FIFO, device or endless file
  std::ifstream file(path, std::ios::binary);
  if (!file) throw UserError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  google::protobuf::io::IstreamInputStream input(&file, 256 << 10);
  return read_trace(input, path.string(), on_header, on_event);
}

const char* event_kind_name(const v1::TraceEvent& event) {
  using E = v1::TraceEvent;
  switch (event.event_case()) {
    case E::kSubmitted: return "submitted";
    case E::kStarted: return "started";
    case E::kPreempted: return "preempted";
    case E::kFailed: return "failed";
    case E::kCheckpointed: return "checkpointed";
    case E::kRestarted: return "restarted";
    case E::kFinished: return "finished";
    case E::kStep: return "step";
    case E::kDevicesDown: return "devices_down";
    case E::kDevicesRepaired: return "devices_repaired";
    case E::kFlowStarted: return "flow_started";
    case E::kFlowEnded: return "flow_ended";
    case E::kCluster: return "cluster";
    case E::kLink: return "link";
    case E::kRunEnded: return "run_ended";
    case E::kStepTraced: return "step_traced";
    case E::kCollective: return "collective";
    case E::kCollectiveFlow: return "collective_flow";
    case E::kStepTraceEnded: return "step_trace_ended";
    case E::EVENT_NOT_SET: break;
  }
  return "unset";
}

}  // namespace podsim::io
