#include "scheduler/traces.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include "engine/csv_reader.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "scheduler/trace_rows.h"
#include "scheduler/trace_swf.h"
#include "scheduler/trace_time.h"

namespace podsim::scheduler {
namespace {

// Seconds, or an ISO 8601 date-time ("YYYY-MM-DD HH:MM:SS", also with 'T' and a zone)
// as seconds since the epoch (trace_time.h). A date that does not exist (2020-02-30,
// 25:00:00) is refused with the reason in `why`.
std::optional<double> parse_time(const std::string& s, std::string& why) {
  if (auto v = parse_number(s)) {
    // Seconds since 1970, as the declared EPOCH format reads them: 1e300 is no time, and
    // two such "times" differ by 0 s.
    if (*v >= 0 && *v <= kMaxEpochSeconds) return v;
    why = "seconds since 1970 are in [0, 1e11]";
    return std::nullopt;
  }
  return parse_iso8601(s, why);
}

class Reader {
 public:
  Reader(const std::string& path, std::vector<std::string> header, size_t header_line)
      : path_(path), header_(std::move(header)), header_line_(header_line) {}

  std::optional<size_t> find(const std::string& name) const {
    return find_column(header_, name, fmt::format("{}:{}", path_, header_line_));
  }
  size_t width() const { return header_.size(); }
  size_t require(const std::string& name) const {
    if (auto c = find(name)) return *c;
    throw UserError(missing_column_message(fmt::format("{}:{}", path_, header_line_), name,
                                           "expected it in the header row", header_));
  }

  const std::string& column_name(size_t col) const { return header_[col]; }
  [[noreturn]] void bad(size_t line, size_t col, const std::string& expected, const std::string& got,
                         const std::string& why = "") const {
    throw UserError(fmt::format("{}:{}: column '{}': expected {}, got '{}'{}", path_, line, header_[col], expected,
                                printable(got), why.empty() ? "" : fmt::format(" ({})", why)));
  }
  const std::string& cell(const std::vector<std::string>& row, size_t line, size_t col) const {
    if (col >= row.size())
      throw UserError(fmt::format("{}:{}: {} columns, expected {} (missing '{}')", path_, line, row.size(),
                                  header_.size(), header_[col]));
    return row[col];
  }
  double seconds(const std::vector<std::string>& row, size_t line, size_t col) const {
    const std::string& s = cell(row, line, col);
    auto v = parse_number(s);
    if (!v || *v < 0 || *v > kMaxTraceSeconds) bad(line, col, "a number of seconds in [0, 1e9]", s);
    return *v;
  }
  // A whole number, "8" or pandas' "8.0"; 0 is a CPU job's.
  uint32_t count(const std::vector<std::string>& row, size_t line, size_t col) const {
    const std::string& s = cell(row, line, col);
    const std::optional<int64_t> v = parse_whole(s);
    if (!v || *v < 0 || *v > kMaxTraceDevices) bad(line, col, fmt::format("a GPU count in [0, {}]", kMaxTraceDevices), s);
    return static_cast<uint32_t>(*v);
  }
  std::optional<double> time(const std::vector<std::string>& row, size_t line, size_t col) const {
    const std::string& s = cell(row, line, col);
    if (missing_cell(s)) return std::nullopt;
    std::string why;
    auto v = parse_time(s, why);
    if (!v) bad(line, col, "seconds or a 'YYYY-MM-DD HH:MM:SS' time", s, why);
    return v;
  }

 private:
  const std::string& path_;
  std::vector<std::string> header_;
  size_t header_line_;
};

}  // namespace

Trace read_trace(std::istream& in, const std::string& path, TraceFormat format, size_t max_jobs) {
  if (format == TraceFormat::kSwf) return read_swf(in, path, max_jobs);
  refuse_other_format(in, path, "a CSV trace with a header row");
  CsvReader csv(in, path);
  std::optional<CsvRecord> head = next_header_row(csv);
  if (!head) throw UserError(fmt::format("{}: empty trace (expected a header row)", path));
  const Reader r(path, std::move(head->fields), head->line);
  Trace trace;
  EarliestJobs kept(max_jobs);
  std::optional<size_t> id_col, submit, start, end, gpus, duration;
  if (format == TraceFormat::kItp) {
    id_col = r.require("job_id");
    submit = r.require("submission_time");
    duration = r.require("duration");
    gpus = r.require("num_gpu");
  } else {
    id_col = r.find("job_id");
    submit = r.require("submit_time");
    start = r.require("start_time");
    end = r.require("end_time");
    gpus = r.require("gpu_num");
  }
  while (std::optional<CsvRecord> record = next_trace_row(csv)) {
    const size_t n = record->line;
    if (record->fields.empty()) continue;  // a blank line
    check_row_width(*record, r.width(), path);
    const std::vector<std::string>& row = record->fields;
    TraceJob job{.line = n};
    job.id = job_name(id_col ? r.cell(row, n, *id_col) : "", n);
    job.devices = r.count(row, n, *gpus);
    if (format == TraceFormat::kItp) {
      job.submit_s = r.seconds(row, n, *submit);
      job.duration_s = r.seconds(row, n, *duration);
      if (job.devices == 0) {  // a CPU job, as the Slurm-style rows' (ITP's own files have none)
        trace.skip(kSkipNoGpus);
        continue;
      }
    } else {
      const std::optional<double> sub = r.time(row, n, *submit);
      const std::optional<double> s = r.time(row, n, *start), e = r.time(row, n, *end);
      if (job.devices == 0 || !sub || !s || !e) {
        trace.skip(job.devices == 0 ? kSkipNoGpus : !sub ? kSkipNoSubmit : !s ? kSkipNeverStarted : kSkipNoEnd);
        continue;
      }
      // A job cannot start before it was submitted, nor end before it started: such a row
      // is corrupt (or its columns are swapped), and replaying it would invent a job.
      if (*s < *sub)
        r.bad(n, *start, fmt::format("a time no earlier than submit_time ({})", r.cell(row, n, *submit)),
              r.cell(row, n, *start));
      if (*e < *s) r.bad(n, *end, fmt::format("a time no earlier than start_time ({})", r.cell(row, n, *start)),
                         r.cell(row, n, *end));
      if (*e - *s > kMaxTraceSeconds)
        r.bad(n, *end, fmt::format("at most 1e9 s after start_time ({})", r.cell(row, n, *start)), r.cell(row, n, *end));
      job.submit_s = *sub;
      job.duration_s = *e - *s;
    }
    kept.add(std::move(job));
  }
  if (id_col) check_unique_ids(kept.kept(), r.column_name(*id_col), path);
  // Slurm's times are absolute: the run starts at the first submission.
  order_trace(trace, std::move(kept), format == TraceFormat::kSlurm, r.column_name(*submit), path);
  return trace;
}

Trace read_trace_file(const std::string& path, TraceFormat format, size_t max_jobs) {
  std::ifstream in = open_trace_file(path);
  return read_trace(in, path, format, max_jobs);
}

}  // namespace podsim::scheduler
