#include "scheduler/trace_swf.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <optional>
#include <string_view>

#include "engine/byte_order_mark.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "scheduler/trace_rows.h"
#include "scheduler/trace_time.h"

namespace podsim::scheduler {
namespace {

constexpr size_t kFields = 18;
constexpr size_t kMaxLineBytes = 1 << 20;  // as engine/csv_reader.h's record limit
constexpr int kStatusFirstPart = 2, kStatusLastPart = 4, kStatusCancelled = 5;

// The next line (without its line break, a CR before it dropped), or nullopt at the end.
// A line over kMaxLineBytes is refused before it is all held: a binary file without
// line breaks must not be read into one string.
std::optional<std::string> next_line(std::streambuf& in, const std::string& path, size_t line) {
  std::string s;
  int c = in.sbumpc();
  if (c == std::char_traits<char>::eof()) return std::nullopt;
  for (; c != std::char_traits<char>::eof() && c != '\n'; c = in.sbumpc()) {
    if (s.size() == kMaxLineBytes)
      throw UserError(fmt::format("{}:{}: a line longer than {} bytes (expected {} fields of numbers a line)", path,
                                  line, kMaxLineBytes, kFields));
    s.push_back(static_cast<char>(c));
  }
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

bool blank(char c) { return c == ' ' || c == '\t'; }

class Line {
 public:
  Line(const std::string& path, size_t line) : path_(path), line_(line) {}

  [[noreturn]] void bad(size_t field, std::string_view name, std::string_view expected, std::string_view got) const {
    throw UserError(fmt::format("{}:{}: field {} ({}): expected {}, got '{}'", path_, line_, field, name, expected,
                                printable(got)));
  }
  // Seconds in [0, 1e9], or nullopt for -1 (unknown; also "-1.0").
  std::optional<double> seconds(std::string_view text, size_t field, std::string_view name) const {
    const std::optional<double> v = parse_number(text);
    if (v && *v == -1) return std::nullopt;
    if (!v || *v < 0 || *v > kMaxTraceSeconds) bad(field, name, "seconds in [0, 1e9], or -1 (unknown)", text);
    return v;
  }
  // A whole number in [-1, max] ("4", or "4.0" as a log rewritten from a DataFrame has
  // it); -1 is unknown.
  int64_t whole(std::string_view text, size_t field, std::string_view name, int64_t max) const {
    const std::optional<int64_t> v = parse_whole(text);
    if (!v || *v < -1 || *v > max) bad(field, name, fmt::format("a whole number in [0, {}], or -1 (unknown)", max), text);
    return *v;
  }

 private:
  const std::string& path_;
  size_t line_;
};

}  // namespace

Trace read_swf(std::istream& in, const std::string& path, size_t max_jobs) {
  refuse_other_format(in, path, "Standard Workload Format text");
  std::streambuf& buf = *in.rdbuf();
  // A UTF-8 byte order mark (a Windows editor's) is skipped, as the CSV reader skips it;
  // once it made the first header line '\xef\xbb\xbf; Version: 2.2', "3 fields, expected 18".
  if (take_byte_order_mark(buf) == ByteOrderMark::kUtf16)
    throw UserError(fmt::format("{}:1: UTF-16 text (expected UTF-8 or ASCII Standard Workload Format: save the file as "
                                "UTF-8)",
                                path));
  Trace trace;
  EarliestJobs kept(max_jobs);
  size_t n = 0;
  while (std::optional<std::string> text = next_line(buf, path, n + 1)) {
    ++n;
    std::string_view rest = *text;
    while (!rest.empty() && blank(rest.front())) rest.remove_prefix(1);
    if (rest.empty() || rest.front() == ';') continue;  // blank, or the header's comments
    std::array<std::string_view, kFields> f;
    size_t count = 0;
    while (!rest.empty()) {
      size_t end = 0;
      while (end < rest.size() && !blank(rest[end])) ++end;
      if (count < kFields) f[count] = rest.substr(0, end);
      ++count;
      rest.remove_prefix(end);
      while (!rest.empty() && blank(rest.front())) rest.remove_prefix(1);
    }
    if (count != kFields)
      throw UserError(fmt::format("{}:{}: {} fields, expected {} (the Standard Workload Format's job fields, separated "
                                  "by spaces or tabs; header lines start with ';')",
                                  path, n, count, kFields));
    const Line line(path, n);
    TraceJob job{.id = std::string(f[0]), .line = n};
    const std::optional<double> submit = line.seconds(f[1], 2, "submit time");
    if (!submit) line.bad(2, "submit time", "seconds in [0, 1e9] (every job has one)", f[1]);
    const std::optional<double> run = line.seconds(f[3], 4, "run time");
    int64_t procs = line.whole(f[4], 5, "allocated processors", kMaxTraceDevices);
    if (procs <= 0) procs = line.whole(f[7], 8, "requested processors", kMaxTraceDevices);
    const int64_t status = line.whole(f[10], 11, "status", 5);
    // Statuses 2 to 4 are the parts of a job that was swapped out and resumed; they
    // repeat its job number, and its summary line (0, 1 or 5) holds the whole run.
    if (status >= kStatusFirstPart && status <= kStatusLastPart) {
      trace.skip("a part of a resumed job (status 2 to 4; its summary line is the job)");
      continue;
    }
    if (!run || (status == kStatusCancelled && *run == 0)) {
      trace.skip("never ran (run time -1, or cancelled with run time 0)");
      continue;
    }
    if (procs <= 0) {
      trace.skip("no processors known (fields 5 and 8 are -1 or 0)");
      continue;
    }
    job.submit_s = *submit;
    job.duration_s = *run;
    job.devices = static_cast<uint32_t>(procs);
    kept.add(std::move(job));
  }
  if (kept.offered() == 0 && trace.skipped == 0)
    throw UserError(fmt::format("{}: no job lines (expected lines of {} fields after the ';' header)", path, kFields));
  check_unique_ids(kept.kept(), "job number", path);
  order_trace(trace, std::move(kept), /*absolute=*/false, "submit time", path);
  return trace;
}

}  // namespace podsim::scheduler
