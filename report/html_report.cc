#include "report/html_report.h"

#include <fmt/format.h>

#include "io/atomic_file.h"
#include "report/cluster_report.h"
#include "report/compare_report.h"
#include "engine/error.h"
#include "workloads/planner.h"

namespace podsim::report {

void check_report_path(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw UserError(fmt::format("{}: cannot write the report: directory {} does not exist", path.string(), dir.string()));
}

void write_cluster_report(const std::filesystem::path& path, const ScenarioHeader& header,
                          const scheduler::ClusterRunResult& result) {
  const std::string html = cluster_report_html(header, result);
  io::write_atomically(path, [&](std::ostream& out) { out << html; });
}

void write_comparison_report(const std::filesystem::path& path, const sim::StudyResult& study) {
  Comparison c{.name = study.name, .description = study.description, .mode = study.mode,
                       .systems = study.systems, .jobs = study.jobs, .cells = {}};
  for (const sim::StudyCell& cell : study.cells)
    c.cells.push_back({.system = cell.system, .job = cell.job, .device = cell.device, .devices = cell.devices,
                       .scale_up_domain = cell.scale_up_domain,
                       .plan = workloads::describe(cell.plan) + (cell.auto_planned ? " (auto)" : ""),
                       .is_dit = cell.is_dit, .result = cell.result});
  const std::string html = comparison_report_html(c);
  io::write_atomically(path, [&](std::ostream& out) { out << html; });
}

}  // namespace podsim::report
