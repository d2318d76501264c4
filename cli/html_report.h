#pragma once
// `podsim run SCENARIO --report FILE.html`: the run's results as a self-contained HTML
// page (cli/report/), written whole (temporary name, then rename).
#include <filesystem>

#include "cli/compare_run.h"
#include "podsim/v1/scenario.pb.h"
#include "scheduler/result.h"

namespace podsim::cli {

// Throws UserError naming `path` when its directory does not exist, so that a long
// run does not end in a report it cannot write.
void check_report_path(const std::filesystem::path& path);

// Throw UserError when `path` cannot be written.
void write_cluster_report(const std::filesystem::path& path, const podsim::v1::Scenario& scenario,
                          const scheduler::ClusterRunResult& result);
void write_comparison_report(const std::filesystem::path& path, const StudyResult& study);

}  // namespace podsim::cli
