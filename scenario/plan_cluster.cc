#include "scenario/plan_cluster.h"

#include <fmt/format.h>

#include "topologies/build.h"

namespace podsim::scenario {

ScenarioFile preset_cluster_file(const std::string& system, int devices) {
  const topologies::Cluster one = topologies::build_preset(system);
  const auto per_system = static_cast<int64_t>(one.devices().size());
  const int64_t systems = (devices + per_system - 1) / per_system;
  std::string text = fmt::format("cluster {{ pools {{ preset: \"{}\" count: {} }}", system, systems);
  if (systems > 1)
    text += fmt::format(" fat_tree {{ tiers: {} radix: 64 rail_optimized: false }}", systems * per_system <= 2048 ? 2 : 3);
  text += " }\n";
  return ScenarioFile::parse(fmt::format("podsim plan --system {}", system), text);
}

std::optional<engine::Precision> plan_precision(std::string_view name) {
  if (name == "bf16") return engine::Precision::kBF16;
  if (name == "fp16") return engine::Precision::kFP16;
  if (name == "fp8") return engine::Precision::kFP8;
  if (name == "int8") return engine::Precision::kINT8;
  return std::nullopt;
}

}  // namespace podsim::scenario
