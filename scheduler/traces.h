#pragma once
// Readers for public GPU-cluster traces: rows of (submit, duration, GPUs) that scenario/
// turns into jobs whose work is the duration at reference speed.
//
//   Microsoft ITP (ElasticFlow, ASPLOS'23): job_id,submission_time,duration,num_gpu;
//     seconds since the start of collection; every column required (others, as in the
//     release with model names and deadlines, ignored). A row of 0 GPUs is skipped and
//     counted, as below.
//   Slurm-style (Helios, SenseTime, SoCC'21; Acme, NSDI'24): columns found by name in
//     the header, others ignored: submit_time, start_time, end_time, gpu_num (required),
//     job_id, node_num, state (optional). Times are seconds or "YYYY-MM-DD HH:MM:SS"
//     (read as UTC); duration = end - start. Rows with gpu_num 0 (CPU jobs), no submit
//     time, no start (never ran) or no end (still running) are skipped and counted.
//   Standard Workload Format (Parallel Workloads Archive, Feitelson et al., JPDC 2014;
//     trace_swf.h): ';' header comments, then 18 whitespace-separated fields per job,
//     -1 for unknown; one processor is one device.
//
// CSV files are CSV as RFC 4180 has it (engine/csv_reader.h): quoted cells may hold commas,
// quotes and line breaks; spaces around unquoted cells are trimmed. A GPU count may be
// written as pandas writes counts beside a missing value ("8.0"); a missing time may be
// empty or spelled NaN, NaT, None, null or Unknown (trace_rows.h, missing_cell).
// A row that is malformed or cannot be true is a UserError naming file, line and column:
//   "x.csv:7: column 'num_gpu': expected a positive integer, got 'x'".
// Cannot be true: a date that does not exist (2020-02-30), a start before the submit
// time or an end before the start, a job id used twice, times or durations beyond 1e9 s
// (~31.7 years, the range of a scenario's own times) from the first submission.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace podsim::scheduler {

struct TraceJob {
  std::string id;
  double submit_s = 0;    // from the trace's first submission
  double duration_s = 0;  // run time as recorded: work at reference speed
  uint32_t devices = 1;
  size_t line = 0;        // 1-based, in the file
  // From a declared trace's columns (trace_declared.h); empty or 0 when not declared.
  std::string user, queue, gpu_type, status;
  int priority = 0;
  // The cells of TraceColumns::keep_columns, in that order (class rules match on them).
  std::vector<std::string> columns;
};

struct Trace {
  std::vector<TraceJob> jobs;  // in submission order (file order for ties)
  size_t skipped = 0;          // rows the format says to skip
  // The same rows by reason (one of the kSkip... texts, or a declared reader's own), for
  // the run summary's one line per reason.
  std::map<std::string, size_t> skipped_by_reason;

  void skip(const std::string& reason) {
    ++skipped;
    ++skipped_by_reason[reason];
  }
};

// Reasons a row is skipped, as the run summary prints them.
inline constexpr const char* kSkipNoGpus = "no GPUs (CPU-only)";
inline constexpr const char* kSkipNeverStarted = "never started (no start time)";
inline constexpr const char* kSkipNoEnd = "no end time (still running when the trace ends)";
// A pod list's row for a pod created before the trace began (Alibaba's DLRM trace writes
// its creation_time as NaN).
inline constexpr const char* kSkipNoSubmit = "no submit time (submitted before the trace began?)";

enum class TraceFormat { kItp, kSlurm, kSwf };

// `path` only names the source in errors. Throws UserError.
// max_jobs > 0: only the max_jobs earliest jobs are kept (TraceSource.max_jobs; the same
// jobs as the first max_jobs of the whole trace, ties at the cut included), held in
// memory for max_jobs jobs however long the trace (earliest_jobs.h). Every row is still
// read and checked; job ids are checked among the kept jobs (trace_rows.h).
Trace read_trace(std::istream& in, const std::string& path, TraceFormat format, size_t max_jobs = 0);
// Opens and reads `path`. Throws UserError (unreadable file, malformed row).
Trace read_trace_file(const std::string& path, TraceFormat format, size_t max_jobs = 0);

}  // namespace podsim::scheduler
