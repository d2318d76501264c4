#pragma once
// The Standard Workload Format of the Parallel Workloads Archive
// (https://www.cs.huji.ac.il/labs/parallel/workload/swf.html; Feitelson, Tsafrir and
// Krakov, "Experience with using the Parallel Workloads Archive", JPDC 74(10), 2014):
// header lines start with ';', then one job a line, 18 whitespace-separated fields,
// -1 where a value is unknown. The fields read (1-based, as the format numbers them):
//
//    1 job number        the job's id (unique)
//    2 submit time       seconds from the start of the log, as ITP's (kept as given)
//    4 run time          seconds; the duration
//    5 allocated procs   the devices; -1: the requested processors (field 8)
//   11 status            5 (cancelled) with a run time of 0: never ran; 2 to 4: a part
//                        of a job swapped out and resumed (its summary line is the job)
//
// The rule for devices: one processor (field 5, else 8) is one device. The archive's
// logs are of CPU machines, so a replay asks "this arrival process and these sizes, on
// accelerators"; a scenario that wants fewer, larger devices sets the trace's classes or
// uses the declared CSV reader. Skipped and counted (Trace::skipped_by_reason): a run
// time of -1 or a cancelled job that never ran, a part of a resumed job, and a job with
// no processors known.
// Refused (UserError "PATH:LINE: field N (name): expected ..., got '...'"): a line that
// does not have 18 fields, a number that is not one (NaN, inf, text), a submit time that
// is unknown or negative, times beyond 1e9 s, more than 1e7 processors, a job number used
// twice, a line over 1 MiB, and a file with no job lines.
#include <cstddef>
#include <istream>
#include <string>

#include "scheduler/traces.h"

namespace podsim::scheduler {

// `path` only names the source in errors; max_jobs as read_trace's (traces.h). Throws
// UserError.
Trace read_swf(std::istream& in, const std::string& path, size_t max_jobs = 0);

}  // namespace podsim::scheduler
