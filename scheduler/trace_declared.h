#pragma once
// A job trace read by its declaration instead of a built-in format: which column holds
// what, in which unit and time format, and which rows to keep. Any table of jobs with
// a submit time, a length (a duration, or a start and an end) and a GPU count can be
// replayed without a converter: Philly/Helios-style tables (`interval` gaps, `run_time`),
// Kubernetes pod lists (`creation_time`, `scheduled_time`, `deletion_time`, `num_gpu`,
// `gpu_milli`), Slurm sacct exports (ISO 8601 times, `Elapsed`), Alibaba PAI's task
// table (no header row: `header` names its columns; `plan_gpu` in percent of a GPU).
//
//   TraceColumns c;
//   c.submit = {.name = "creation_time", .format = TimeFormat::kOffset};
//   c.start = {.name = "scheduled_time", .format = TimeFormat::kOffset};
//   c.end = {.name = "deletion_time", .format = TimeFormat::kOffset};
//   c.gpus = "num_gpu";
//   c.gpu_milli = "gpu_milli";
//   Trace t = read_declared_trace_file("pods.csv", c);
//
// Times: kEpoch (a number in the column's unit since 1970), kIso8601 (trace_time.h) and
// kOffset (a number in the unit since the trace's own zero) are points in time; a trace
// whose submit times are absolute (kEpoch, kIso8601) starts at its first submission, an
// offset trace keeps its zero. kInterval (submit only) is the gap since the previous
// row's submission, in file order (the first row's since zero).
//
// Skipped rows, each counted by reason in Trace::skipped_by_reason: no GPUs (CPU-only);
// a status not in keep_status (the first 16 statuses each by name, later ones together);
// no submit time (a pod from before the trace; with kInterval gaps it is refused
// instead); no start (never ran), no end (still running) or an empty duration; a
// fractional GPU request (0.5 GPUs, gpu_milli 500) unless round_up_fractional.
// Everything else that is malformed or cannot be true is a UserError naming file, line
// and column, as the built-in formats' (traces.h).
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "scheduler/trace_time.h"
#include "scheduler/traces.h"

namespace podsim::scheduler {

enum class TimeFormat { kEpoch, kIso8601, kOffset, kInterval };
// Of a GPU count: whole GPUs, or hundredths of one (Alibaba PAI's plan_gpu).
enum class GpuUnit { kGpus, kPercent };

struct TimeColumn {
  std::string name;  // empty: not in the trace
  TimeFormat format = TimeFormat::kEpoch;
  TimeUnit unit = TimeUnit::kSeconds;  // of kEpoch, kOffset and kInterval numbers
};

// A length: a number in `unit`, or Slurm's "[D-]HH:MM:SS" (kept in seconds).
struct DurationColumn {
  std::string name;  // empty: not in the trace
  TimeUnit unit = TimeUnit::kSeconds;
};

struct TraceColumns {
  std::string job_id;  // empty: jobs are named "line<N>"
  TimeColumn submit;   // required
  // The run time: `duration` if named, else end - start (both required then).
  TimeColumn start, end;
  DurationColumn duration;
  // Devices: `gpus` per job, or `nodes` x (`gpus` per node if both are named, else
  // gpus_per_node). A GPU count may be fractional (0.5); `gpu_milli` (Kubernetes:
  // thousandths of each requested GPU, 1000 or empty for whole GPUs) scales it.
  std::string gpus, nodes, gpu_milli;
  GpuUnit gpus_unit = GpuUnit::kGpus;  // of the `gpus` column
  uint32_t gpus_per_node = 0;
  // Carried on each job: gpu_type (alternatives separated by '|', as Kubernetes'
  // gpu_spec "V100M16|V100M32"), user, queue, priority (an integer), status.
  std::string gpu_type, user, queue, priority, status;
  // Statuses to replay (compared ignoring case); empty: every row.
  std::vector<std::string> keep_status;
  // A fractional request takes whole GPUs (ceil) instead of being skipped.
  bool round_up_fractional = false;
  // Any other columns to carry on each job (TraceJob::columns), e.g. for class rules.
  std::vector<std::string> keep_columns;
  // Non-empty: the table has no header row and these name its columns in order (PAI's
  // tables); every line is a row. Empty: the first line is the header.
  std::vector<std::string> header;
};

// `path` only names the source in errors; max_jobs as read_trace's (traces.h). Throws
// UserError.
// REQUIRES: c.submit.name set; c.duration.name, or c.start.name and c.end.name; c.gpus
// or c.nodes; start and end not kInterval (scenario/ checks the declaration).
Trace read_declared_trace(std::istream& in, const std::string& path, const TraceColumns& c, size_t max_jobs = 0);
Trace read_declared_trace_file(const std::string& path, const TraceColumns& c, size_t max_jobs = 0);

}  // namespace podsim::scheduler
