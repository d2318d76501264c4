#include "scheduler/traces.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>

#include "engine/error.h"

namespace podsim::scheduler {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  size_t from = 0;
  for (;;) {
    const size_t comma = line.find(',', from);
    std::string cell = line.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    // Trim spaces and quotes: exports quote some cells ("2020-03-01 08:00:00").
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '"' || cell.back() == '\r')) cell.pop_back();
    size_t b = 0;
    while (b < cell.size() && (cell[b] == ' ' || cell[b] == '"')) ++b;
    out.push_back(cell.substr(b));
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible
// low-level date algorithms", days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<double> parse_number(const std::string& s) {
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Seconds, or "YYYY-MM-DD HH:MM:SS" (also with 'T') as seconds since the epoch.
std::optional<double> parse_time(const std::string& s) {
  if (auto v = parse_number(s)) return v;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char sep = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &se) != 7 ||
      (sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return std::nullopt;
  return static_cast<double>(days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                             h * 3600 + mi * 60 + se);
}

class Reader {
 public:
  Reader(const std::string& path, std::vector<std::string> header) : path_(path), header_(std::move(header)) {}

  std::optional<size_t> find(const std::string& name) const {
    auto it = std::find(header_.begin(), header_.end(), name);
    if (it == header_.end()) return std::nullopt;
    return static_cast<size_t>(it - header_.begin());
  }
  size_t require(const std::string& name) const {
    if (auto c = find(name)) return *c;
    std::string have;
    for (const auto& h : header_) have += (have.empty() ? "" : ",") + h;
    // The header as read, printable and short: a binary file must not spill onto the terminal.
    for (char& ch : have)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
    if (have.size() > 80) have = have.substr(0, 77) + "...";
    throw UserError(fmt::format("{}:1: missing column '{}' (expected it in the header row; header: {})", path_, name, have));
  }

  [[noreturn]] void bad(size_t line, size_t col, const std::string& expected, const std::string& got) const {
    throw UserError(fmt::format("{}:{}: column '{}': expected {}, got '{}'", path_, line, header_[col], expected, got));
  }
  const std::string& cell(const std::vector<std::string>& row, size_t line, size_t col) const {
    if (col >= row.size())
      throw UserError(fmt::format("{}:{}: {} columns, expected {} (missing '{}')", path_, line, row.size(),
                                  header_.size(), header_[col]));
    return row[col];
  }
  double non_negative(const std::vector<std::string>& row, size_t line, size_t col) const {
    const std::string& s = cell(row, line, col);
    auto v = parse_number(s);
    if (!v || *v < 0) bad(line, col, "a number of seconds >= 0", s);
    return *v;
  }
  uint32_t count(const std::vector<std::string>& row, size_t line, size_t col, bool allow_zero) const {
    const std::string& s = cell(row, line, col);
    uint32_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || (!allow_zero && v == 0))
      bad(line, col, allow_zero ? "an integer >= 0" : "a positive integer", s);
    return v;
  }
  std::optional<double> time(const std::vector<std::string>& row, size_t line, size_t col) const {
    const std::string& s = cell(row, line, col);
    if (s.empty() || s == "NaN" || s == "nan" || s == "None") return std::nullopt;
    auto v = parse_time(s);
    if (!v) bad(line, col, "seconds or a 'YYYY-MM-DD HH:MM:SS' time", s);
    return v;
  }

 private:
  const std::string& path_;
  std::vector<std::string> header_;
};

}  // namespace

Trace read_trace(std::istream& in, const std::string& path, TraceFormat format) {
  std::string line;
  if (!std::getline(in, line)) throw UserError(fmt::format("{}: empty trace (expected a header row)", path));
  const Reader r(path, split_csv(line));
  Trace trace;
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
  size_t n = 1;
  double first_submit = INFINITY;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> row = split_csv(line);
    TraceJob job{.line = n};
    job.id = id_col ? r.cell(row, n, *id_col) : fmt::format("line{}", n);
    if (format == TraceFormat::kItp) {
      job.submit_s = r.non_negative(row, n, *submit);
      job.duration_s = r.non_negative(row, n, *duration);
      job.devices = r.count(row, n, *gpus, /*allow_zero=*/false);
    } else {
      job.devices = r.count(row, n, *gpus, /*allow_zero=*/true);
      const std::optional<double> sub = r.time(row, n, *submit);
      if (!sub) r.bad(n, *submit, "seconds or a 'YYYY-MM-DD HH:MM:SS' time", "");
      const std::optional<double> s = r.time(row, n, *start), e = r.time(row, n, *end);
      if (job.devices == 0 || !s || !e) {
        ++trace.skipped;
        continue;
      }
      if (*e < *s) r.bad(n, *end, fmt::format("a time no earlier than start_time ({})", r.cell(row, n, *start)),
                         r.cell(row, n, *end));
      job.submit_s = *sub;
      job.duration_s = *e - *s;
    }
    first_submit = std::min(first_submit, job.submit_s);
    trace.jobs.push_back(std::move(job));
  }
  if (format == TraceFormat::kSlurm)  // absolute times: start the run at the first submission
    for (TraceJob& j : trace.jobs) j.submit_s -= first_submit;
  std::stable_sort(trace.jobs.begin(), trace.jobs.end(),
                   [](const TraceJob& a, const TraceJob& b) { return a.submit_s < b.submit_s; });
  return trace;
}

Trace read_trace_file(const std::string& path, TraceFormat format) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UserError(fmt::format("{}: is a directory (expected a CSV trace file)", path));
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("{}: cannot open trace file ({})", path, std::strerror(errno)));
  return read_trace(in, path, format);
}

}  // namespace podsim::scheduler
