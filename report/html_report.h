#pragma once
// `podsim run SCENARIO --report FILE.html`: the run's results as a self-contained HTML
// page (report/), written whole (temporary name, then rename).
#include <filesystem>

#include "report/cluster_report.h"
#include "scheduler/result.h"
#include "sim/study.h"

namespace podsim::report {

// Throws UserError naming `path` when its directory does not exist, so that a long
// run does not end in a report it cannot write.
void check_report_path(const std::filesystem::path& path);

// Throw UserError when `path` cannot be written.
void write_cluster_report(const std::filesystem::path& path, const ScenarioHeader& header,
                          const scheduler::ClusterRunResult& result);
// `spec` is the study `study` ran: its systems' clusters are built again for the
// topology drawings and the assumptions (efficiencies, link curves) of each system.
void write_comparison_report(const std::filesystem::path& path, const ScenarioHeader& header,
                             const sim::StudySpec& spec, const sim::StudyResult& study);

}  // namespace podsim::report
