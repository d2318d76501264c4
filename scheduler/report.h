#pragma once
// Reporters: a ClusterRunResult rendered as a readable table, CSV (one row per job; one
// per timeline sample; one summary row) and JSON. They format and compute nothing.
#include <ostream>

#include "scheduler/result.h"

namespace podsim::scheduler {

void write_summary_table(const ClusterRunResult& r, std::ostream& out);
void write_jobs_csv(const ClusterRunResult& r, std::ostream& out);
void write_timeline_csv(const ClusterRunResult& r, std::ostream& out);
void write_summary_csv(const ClusterRunResult& r, std::ostream& out);
// {"summary": {...}, "jobs": [...], "timeline": [...]}
void write_json(const ClusterRunResult& r, std::ostream& out);

}  // namespace podsim::scheduler
