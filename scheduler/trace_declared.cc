#include "scheduler/trace_declared.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "engine/csv_reader.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "scheduler/trace_rows.h"

namespace podsim::scheduler {
namespace {

// GPUs of one job: 1e6 is beyond any cluster built (the largest published, ~10^5).
constexpr double kMaxGpus = 1e6;
constexpr double kMaxNodes = 1e5;
constexpr double kMaxPriority = 1e9;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool absolute(TimeFormat f) { return f == TimeFormat::kEpoch || f == TimeFormat::kIso8601; }

// The skip reason of a row whose status is not replayed: each status named, up to
// kNamedStatuses of them (in file order); any later one counted under one reason. A
// reason per status once made a line of the run's summary and a map entry per row of a
// trace whose statuses are all distinct (sacct's "CANCELLED by UID" has one per user).
class StatusReasons {
 public:
  static constexpr size_t kNamedStatuses = 16;

  std::string operator()(const std::string& status) {
    std::string reason = fmt::format("status '{}' not in keep_status", printable(status));
    if (named_.contains(reason)) return reason;
    if (named_.size() < kNamedStatuses) return *named_.insert(std::move(reason)).first;
    return fmt::format("another status not in keep_status (beyond the first {} named)", kNamedStatuses);
  }

 private:
  std::set<std::string> named_;
};

class Row {
 public:
  Row(const std::string& path, const std::vector<std::string>& header, const std::vector<std::string>& cells,
      size_t line)
      : path_(path), header_(header), cells_(cells), line_(line) {}

  size_t line() const { return line_; }
  const std::string& cell(size_t col) const {
    if (col >= cells_.size())
      throw UserError(fmt::format("{}:{}: {} columns, expected {} (missing '{}')", path_, line_, cells_.size(),
                                  header_.size(), header_[col]));
    return cells_[col];
  }
  [[noreturn]] void bad(size_t col, const std::string& expected, const std::string& why = "") const {
    throw UserError(fmt::format("{}:{}: column '{}': expected {}, got '{}'{}", path_, line_, header_[col], expected,
                                printable(col < cells_.size() ? cells_[col] : ""), why.empty() ? "" : fmt::format(" ({})", why)));
  }
  // A number in [lo, hi].
  double number(size_t col, double lo, double hi, const std::string& expected) const {
    const auto v = parse_number(cell(col));
    if (!v || *v < lo || *v > hi) bad(col, expected);
    return *v;
  }
  // A point in time or a gap in seconds; nullopt for a missing value.
  std::optional<double> time(size_t col, const TimeColumn& t) const {
    const std::string& s = cell(col);
    if (missing_cell(s)) return std::nullopt;
    if (t.format == TimeFormat::kIso8601) {
      std::string why;
      auto v = parse_iso8601(s, why);
      if (!v) bad(col, "an ISO 8601 time (YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM])", why);
      return v;
    }
    const double max = t.format == TimeFormat::kEpoch ? kMaxEpochSeconds : kMaxTraceSeconds;
    const auto v = parse_number(s);
    const double scale = unit_seconds(t.unit);
    if (!v || *v < 0 || *v * scale > max)
      bad(col, fmt::format("{} in {} in [0, {:.0f}]",
                           t.format == TimeFormat::kEpoch    ? "a time since 1970"
                           : t.format == TimeFormat::kOffset ? "a time since the trace's start"
                                                             : "a gap since the previous submission",
                           unit_name(t.unit), max / scale));
    return *v * scale;
  }
  std::optional<double> duration(size_t col, const DurationColumn& d) const {
    const std::string& s = cell(col);
    if (missing_cell(s)) return std::nullopt;
    const double scale = unit_seconds(d.unit);
    std::optional<double> v = parse_number(s);
    std::string why;
    if (v) v = *v * scale;
    else if (s.find(':') != std::string::npos) v = parse_elapsed(s, why);
    if (!v || *v < 0 || *v > kMaxTraceSeconds)
      bad(col, fmt::format("a duration in {} in [0, {:.0f}] or [D-]HH:MM:SS", unit_name(d.unit), kMaxTraceSeconds / scale),
          why);
    return v;
  }

 private:
  const std::string& path_;
  const std::vector<std::string>& header_;
  const std::vector<std::string>& cells_;
  size_t line_;
};

}  // namespace

Trace read_declared_trace(std::istream& in, const std::string& path, const TraceColumns& c, size_t max_jobs) {
  refuse_other_format(in, path, c.header.empty() ? "a CSV trace with a header row" : "a CSV trace");
  CsvReader csv(in, path);
  std::vector<std::string> header = c.header;
  size_t header_line = 0;
  if (header.empty()) {
    std::optional<CsvRecord> head = next_header_row(csv);
    if (!head) throw UserError(fmt::format("{}: empty trace (expected a header row)", path));
    header = std::move(head->fields);
    header_line = head->line;
  }
  // Where a missing column is reported: the header row, or the declaration.
  const std::string header_at =
      c.header.empty() ? fmt::format("{}:{}", path, header_line) : fmt::format("{} (declared header)", path);
  auto column = [&](const std::string& name, const char* role) -> std::optional<size_t> {
    if (name.empty()) return std::nullopt;
    if (const auto col = find_column(header, name, header_at)) return col;
    throw UserError(missing_column_message(header_at, name, fmt::format("declared as the {} column", role), header));
  };
  const auto id_col = column(c.job_id, "job id"), submit = column(c.submit.name, "submit time"),
             start = column(c.start.name, "start time"), end = column(c.end.name, "end time"),
             duration = column(c.duration.name, "duration"), gpus = column(c.gpus, "GPU count"),
             nodes = column(c.nodes, "node count"), milli = column(c.gpu_milli, "gpu_milli"),
             gpu_type = column(c.gpu_type, "GPU type"), user = column(c.user, "user"),
             queue = column(c.queue, "queue"), priority = column(c.priority, "priority"),
             status = column(c.status, "status");
  if (!submit || (!duration && !(start && end)) || (!gpus && !nodes))
    throw UserError(fmt::format("{}: the trace declaration needs a submit column, a duration (or start and end) "
                                "column and a GPU (or node) column",
                                path));
  std::vector<size_t> kept_columns;
  for (const std::string& name : c.keep_columns) kept_columns.push_back(*column(name, "class rule"));
  std::vector<std::string> keep;
  for (const std::string& s : c.keep_status) keep.push_back(lower(s));
  StatusReasons status_reason;

  // Expected-value texts, made once (a row only uses them to refuse itself).
  const bool percent = c.gpus_unit == GpuUnit::kPercent;
  const double gpu_scale = percent ? 0.01 : 1;
  const std::string gpu_text = percent ? fmt::format("a GPU request in percent of one GPU in [0, {:.0f}]", kMaxGpus * 100)
                                       : fmt::format("a GPU count in [0, {:.0f}]", kMaxGpus);
  const std::string node_text = fmt::format("a whole node count in [0, {:.0f}]", kMaxNodes);
  Trace trace;
  EarliestJobs kept(max_jobs);
  double clock = 0;  // kInterval: the previous row's submission
  while (std::optional<CsvRecord> record = next_trace_row(csv)) {
    if (record->fields.empty()) continue;  // a blank line
    check_row_width(*record, header.size(), path);
    const Row row(path, header, record->fields, record->line);
    TraceJob job{.line = record->line};
    job.id = job_name(id_col ? row.cell(*id_col) : "", record->line);

    if (status) job.status = row.cell(*status);
    const bool status_skipped =
        status && !keep.empty() && std::find(keep.begin(), keep.end(), lower(job.status)) == keep.end();
    const bool interval = c.submit.format == TimeFormat::kInterval;
    // A row whose status is not replayed needs no submit time (PAI's waiting tasks have
    // none), unless the submissions are gaps, which run through every row.
    if (status_skipped && !interval) {
      trace.skip(status_reason(job.status));
      continue;
    }
    const std::optional<double> sub = row.time(*submit, c.submit);
    if (!sub && interval) row.bad(*submit, "a submit time");  // every later submission counts from it
    if (!sub) {
      trace.skip(kSkipNoSubmit);
      continue;
    }
    if (interval) {
      clock += *sub;
      if (clock > kMaxTraceSeconds)
        throw UserError(fmt::format("{}:{}: column '{}': the gaps add up to {} s (expected at most 1e9 s)", path,
                                    record->line, header[*submit], clock));
      job.submit_s = clock;
    } else {
      job.submit_s = *sub;
    }
    if (status_skipped) {
      trace.skip(status_reason(job.status));
      continue;
    }

    // Devices: the cells' product over the units' divisors, divided once. Whole cells
    // give an exact product (below 2^53 for any count up to kMaxGpus), so a whole
    // request comes out whole and a fractional one fractional. Scaling each cell first
    // did not: 70% of a GPU on 10 instances was 0.7000000000000001 x 10 =
    // 7.000000000000001 GPUs, skipped as fractional (or 8 GPUs with round_up_fractional).
    double product = 1, divisor = 1;
    if (gpus) {
      product = row.number(*gpus, 0, kMaxGpus / gpu_scale, gpu_text);
      if (percent) divisor = 100;
    }
    if (nodes) {
      const double n = row.number(*nodes, 0, kMaxNodes, node_text);
      if (n != std::floor(n)) row.bad(*nodes, node_text);
      product *= gpus ? n : n * c.gpus_per_node;
    }
    if (milli && !missing_cell(row.cell(*milli))) {
      product *= row.number(*milli, 0, 1000, "thousandths of a GPU in [0, 1000]");
      divisor *= 1000;
    }
    double count = product / divisor;
    if (count > kMaxGpus)
      row.bad(nodes ? *nodes : *gpus, fmt::format("at most {:.0f} GPUs in one job (got {:.0f})", kMaxGpus, count));
    if (count == 0) {
      trace.skip(kSkipNoGpus);
      continue;
    }
    if (count != std::floor(count)) {
      if (!c.round_up_fractional) {
        trace.skip("fractional GPUs (round_up_fractional takes whole ones)");
        continue;
      }
      count = std::ceil(count);
    }
    job.devices = static_cast<uint32_t>(count);

    // Run time.
    if (duration) {
      const std::optional<double> d = row.duration(*duration, c.duration);
      if (!d) {
        trace.skip("no duration");
        continue;
      }
      job.duration_s = *d;
    } else {
      const std::optional<double> s = row.time(*start, c.start), e = row.time(*end, c.end);
      if (!s || !e) {
        trace.skip(!s ? kSkipNeverStarted : kSkipNoEnd);
        continue;
      }
      // Comparable only when both are points on one clock.
      if (c.submit.format != TimeFormat::kInterval && absolute(c.submit.format) == absolute(c.start.format) &&
          *s < *sub)
        row.bad(*start, fmt::format("a time no earlier than the submit time ({})", printable(row.cell(*submit))));
      if (*e < *s) row.bad(*end, fmt::format("a time no earlier than the start time ({})", printable(row.cell(*start))));
      if (*e - *s > kMaxTraceSeconds)
        row.bad(*end, fmt::format("at most 1e9 s after the start time ({})", printable(row.cell(*start))));
      job.duration_s = *e - *s;
    }

    if (gpu_type && !missing_cell(row.cell(*gpu_type))) job.gpu_type = row.cell(*gpu_type);
    if (user) job.user = row.cell(*user);
    if (queue) job.queue = row.cell(*queue);
    if (priority && !missing_cell(row.cell(*priority))) {
      const double p = row.number(*priority, -kMaxPriority, kMaxPriority, "an integer priority in [-1e9, 1e9]");
      if (p != std::floor(p)) row.bad(*priority, "an integer priority in [-1e9, 1e9]");
      job.priority = static_cast<int>(p);
    }
    for (size_t col : kept_columns) job.columns.push_back(row.cell(col));
    kept.add(std::move(job));
  }
  if (id_col) check_unique_ids(kept.kept(), header[*id_col], path);
  // A file with no rows at all: order_trace's "no rows after the header" would name a
  // header row this table does not have.
  if (!c.header.empty() && kept.offered() == 0 && trace.skipped == 0)
    throw UserError(fmt::format("{}: no rows (expected at least one job row; the declared header names the columns)",
                                path));
  order_trace(trace, std::move(kept), absolute(c.submit.format), header[*submit], path);  // absolute: from the first submission
  return trace;
}

Trace read_declared_trace_file(const std::string& path, const TraceColumns& c, size_t max_jobs) {
  std::ifstream in = open_trace_file(path);
  return read_declared_trace(in, path, c, max_jobs);
}

}  // namespace podsim::scheduler
