#include "scenario/scenario_files.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "io/cluster_results.h"

namespace podsim::scenario {

std::string trace_source_path(const ScenarioFile& file, int i) {
  const std::filesystem::path dir = std::filesystem::path(file.path()).parent_path();
  return (dir / file.scenario().sources(i).trace().path()).lexically_normal().string();
}

std::string node_list_path(const ScenarioFile& file, int i) {
  const std::filesystem::path dir = std::filesystem::path(file.path()).parent_path();
  return (dir / file.scenario().cluster().node_lists(i).path()).lexically_normal().string();
}

std::vector<io::FileUse> scenario_inputs(const ScenarioFile& file) {
  std::vector<io::FileUse> files;
  std::error_code ec;
  if (std::filesystem::exists(file.path(), ec)) files.push_back({.role = "scenario", .path = file.path()});
  for (int i = 0; i < file.scenario().sources_size(); ++i)
    if (file.scenario().sources(i).has_trace() && !file.scenario().sources(i).trace().path().empty())
      files.push_back({.role = fmt::format("sources[{}].trace.path", i), .path = trace_source_path(file, i)});
  for (int i = 0; i < file.scenario().cluster().node_lists_size(); ++i)
    if (!file.scenario().cluster().node_lists(i).path().empty())
      files.push_back({.role = fmt::format("cluster.node_lists[{}].path", i), .path = node_list_path(file, i)});
  return files;
}

std::vector<io::FileUse> scenario_outputs(const ScenarioFile& file) {
  const std::string& dir = file.scenario().outputs().out_dir();
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return {};
  std::vector<io::FileUse> files;
  for (const io::ClusterOutputFile& f : io::kClusterOutputFiles)
    files.push_back({.role = "outputs.out_dir", .path = std::filesystem::path(dir) / f.name, .signature = f.signature});
  return files;
}

}  // namespace podsim::scenario
