#include "scenario/plan_cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "engine/error.h"
#include "scenario/cluster_from_proto.h"
#include "topologies/engine_fabric.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::scenario {

ScenarioFile preset_cluster_file(const std::string& system, int devices) {
  const topologies::Cluster one = [&] {
    try {
      return topologies::build_preset(system);
    } catch (const UserError& e) {  // "unknown preset 'x' (expected one of: ...)": say which option named it
      throw UserError(fmt::format("podsim plan: --system {}: {}", system, e.what()));
    }
  }();
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
  if (name == "mxfp8") return engine::Precision::kMXFP8;
  if (name == "int8") return engine::Precision::kINT8;
  if (name == "nvfp4") return engine::Precision::kFP4;
  return std::nullopt;
}

PlanAnswer plan(const PlanRequest& o) {
  const std::optional<workloads::ModelSpec> model = workloads::model_preset(o.model);
  if (!model) {
    std::string names;
    for (const std::string& n : workloads::model_preset_names()) names += (names.empty() ? "" : ", ") + n;
    throw UserError(fmt::format("podsim plan: --model {}: unknown preset (expected one of: {})", o.model, names));
  }
  if (o.system.empty() == o.cluster_file.empty())
    throw UserError("podsim plan: give --system S (with --devices N) or --cluster FILE, one of them");
  if (o.devices < 0 || (o.devices == 0 && o.cluster_file.empty()))
    throw UserError(fmt::format("podsim plan: --devices must be > 0{}, got {}",
                                o.cluster_file.empty() ? " with --system" : "", o.devices));
  // As a trace job's GPUs (scheduler/traces.cc): 1e7 is 10x the largest announced
  // cluster. Past it the message would be about the systems of a cluster the user never
  // wrote ("cluster.pools[0].count: expected systems in [1, 1e6]").
  if (o.devices > 10'000'000)
    throw UserError(fmt::format("podsim plan: --devices {}: expected devices in [1, 1e7]", o.devices));
  // As a scenario's plan.global_batch (field_ranges.cc); 0 asks for one per device.
  if (o.global_batch < 0 || o.global_batch > 1'000'000'000)
    throw UserError(fmt::format("podsim plan: --global-batch {}: expected samples in [1, 1e9] (or 0: one per device)",
                                o.global_batch));
  if (o.top < 1 || o.top > 1000)
    throw UserError(fmt::format("podsim plan: --top {}: expected an integer in [1, 1000]", o.top));
  if (o.threads < 0 || o.threads > 1024)
    throw UserError(fmt::format("podsim plan: threads {}: expected [1, 1024], or 0 for one per hardware thread",
                                o.threads));
  const std::optional<engine::Precision> parsed = plan_precision(o.precision);
  if (!parsed)
    throw UserError(fmt::format("podsim plan: --precision {}: expected bf16, fp16, fp8, mxfp8, nvfp4 or int8", o.precision));
  const engine::Precision precision = *parsed;

  workloads::CudaGraphs graphs = workloads::CudaGraphs::kNone;
  if (o.cuda_graphs == "static") graphs = workloads::CudaGraphs::kStaticParts;
  else if (o.cuda_graphs == "full") graphs = workloads::CudaGraphs::kFull;
  else if (o.cuda_graphs != "none")
    throw UserError(fmt::format("podsim plan: --cuda-graphs {}: expected none, static or full", o.cuda_graphs));

  ScenarioFile file = o.cluster_file.empty() ? preset_cluster_file(o.system, o.devices) : ScenarioFile::load(o.cluster_file);
  for (const std::string& set : o.overrides) {
    if (!set.starts_with("cluster."))
      throw UserError(fmt::format("podsim plan: --set {}: only the cluster's fields apply here (e.g. --set "
                                  "cluster.fat_tree.oversubscription=3)", set));
    file.apply_override(set);
  }
  topologies::ClusterParams params = [&] {
    try {
      return cluster_params(file);
    } catch (const UserError& e) {
      // A problem in the cluster `--system S --devices N` made (a count past the pools'
      // limit, more memory than the machine has) is the options' problem, not a line of
      // a file the user never wrote ("podsim plan --system nvl72:1:38: ...").
      const std::string made = fmt::format("podsim plan --system {}:", o.system);
      const std::string what = e.what();
      if (!o.cluster_file.empty() || !what.starts_with(made)) throw;
      const size_t field = what.find(": ", made.size());
      throw UserError(fmt::format("podsim plan: --devices {} of --system {}: {}", o.devices, o.system,
                                  field == std::string::npos ? what : what.substr(field + 2)));
    }
  }();
  params.detailed_view = false;  // the planner times plans on the collapsed view
  const topologies::Cluster cluster = topologies::build_cluster(params);
  const int devices = o.devices > 0 ? o.devices : static_cast<int>(cluster.devices().size());
  if (static_cast<size_t>(devices) > cluster.devices().size())
    throw UserError(fmt::format("podsim plan: --devices {}: the cluster of {} has {} devices", devices, o.cluster_file,
                                cluster.devices().size()));
  const topologies::EngineFabric fabric(cluster);
  const std::shared_ptr<const engine::DeviceSpec> device = cluster.devices().front().spec;
  if (auto p = workloads::precision_problem(precision, *device)) throw UserError("podsim plan: --precision: " + *p);
  // The first device's scale-up domain (supernode, NVLink rack, server) is the one the
  // search fills with TP/EP first.
  const auto domain = static_cast<int>(cluster.domains()[cluster.devices().front().pod].device_count);

  const workloads::PlanSearch q{.devices = devices, .global_batch = o.global_batch > 0 ? o.global_batch : devices,
                                .precision = precision, .scale_up_domain = std::min(domain, devices),
                                .top = o.top, .step = {}, .cuda_graphs = graphs, .allow_dualpipe = o.dualpipe,
                                .progress = o.progress, .threads = o.threads};
  const auto t0 = std::chrono::steady_clock::now();
  workloads::PlanReport report = workloads::plan_search(*model, q, *device, fabric);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return PlanAnswer{.model = *model, .params = params, .cluster_name = cluster.name(),
                    .cluster_devices = cluster.devices().size(), .device = device, .search = q,
                    .report = std::move(report), .search_seconds = secs};
}

}  // namespace podsim::scenario
