#pragma once
// Reporters: a ClusterRunResult rendered as a readable table, CSV (one row per job; one
// per timeline sample; one summary row; io/csv_writer.h) and JSON (io/json_writer.h).
// They format and compute nothing. Columns carry their unit (README.md, "Reading the
// outputs"); an MFU that no job's FLOPs support is empty (CSV), null (JSON) or "n/a"
// with the reason (table), never 0.
#include <array>
#include <filesystem>
#include <ostream>

#include "io/json_writer.h"
#include "scheduler/result.h"
#include "sim/cluster_run.h"

namespace podsim::io {

void write_summary_table(const scheduler::ClusterRunResult& r, std::ostream& out);
void write_jobs_csv(const scheduler::ClusterRunResult& r, std::ostream& out);
void write_timeline_csv(const scheduler::ClusterRunResult& r, std::ostream& out);
void write_summary_csv(const scheduler::ClusterRunResult& r, std::ostream& out);
// {"summary": {...}, "jobs": [...], "timeline": [...]}, the CSVs' names and values
// (unknown values null). The Python module returns this document as it is.
Json results_json(const scheduler::ClusterRunResult& r);
// results_json, written (io/json_writer.h: non-finite numbers are refused).
void write_results_json(const scheduler::ClusterRunResult& r, std::ostream& out);


// The table `podsim run` prints: write_summary_table, the node-list machines and the
// trace rows skipped.
void print_cluster_run(const sim::ClusterRunOutput& r, std::ostream& out);

// The files write_cluster_outputs writes (checked against a run's other files first),
// with the text each begins with (its header), by which a rerun knows its own outputs
// (io/output_paths.h).
struct ClusterOutputFile {
  const char* name;
  const char* signature;
};
inline constexpr std::array<ClusterOutputFile, 4> kClusterOutputFiles{{
    {"summary.csv", "policy,placement,devices,jobs,"},
    {"jobs.csv", "name,devices,pool,arrival_s,"},
    {"timeline.csv", "t_s,allocated_devices,down_devices,"},
    {"results.json", "{\n  \"summary\": {\n    \"policy\": "},
}};

// summary.csv, jobs.csv, timeline.csv and results.json in `dir` (created if missing),
// each written to a temporary name and renamed, so a file is whole or absent.
// Throws UserError if the directory cannot be written.
void write_cluster_outputs(const scheduler::ClusterRunResult& r, const std::filesystem::path& dir);

}  // namespace podsim::io
