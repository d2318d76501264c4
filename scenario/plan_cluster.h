#pragma once
// `podsim plan` as a library call, for the command line and the Python module alike:
// the auto-planner (workloads/planner.h) on N devices of preset systems S, or on the
// cluster of a scenario file, either changed by `cluster.FIELD=VALUE` overrides.
//
// Preset systems: as many S as N devices need, several joined by a fat tree of radix 64
// (1:1, leaves in device order): 2 tiers hold 64 leaves x 32 NICs, beyond that 3 tiers
// (64 pods of 32 leaves). The last leaf and pod may be part full.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/device.h"
#include "scenario/scenario_file.h"
#include "topologies/build.h"
#include "workloads/planner.h"

namespace podsim::scenario {

// Throws UserError for an unknown system preset.
ScenarioFile preset_cluster_file(const std::string& system, int devices);

// "bf16", "fp16", "fp8", "mxfp8", "nvfp4", "int8"; nullopt for anything else.
std::optional<engine::Precision> plan_precision(std::string_view name);

// What to plan, as `podsim plan`'s options give it.
struct PlanRequest {
  std::string model;         // a model preset name
  std::string system;        // a system preset name (cloudmatrix384, nvl72, hgx-h100, ...)
  std::string cluster_file;  // instead of system: a scenario file whose `cluster` is used
  std::vector<std::string> overrides;  // cluster.FIELD=VALUE
  int devices = 0;       // 0 with cluster_file: all of the cluster's devices
  int global_batch = 0;  // 0: devices (one sample per device); else in [1, 1e9]
  std::string precision = "bf16";
  int top = 5;  // in [1, 1000]
  // What the framework replays from CUDA graphs: "none", "static" or "full" (the MoE
  // host overhead, workloads/efficiency.h).
  std::string cuda_graphs = "none";
  // Also try DeepSeek's DualPipe schedule (workloads::PlanSearch::allow_dualpipe).
  bool dualpipe = false;
  // Plans timed at once (workloads::PlanSearch::threads); 0: one per hardware thread.
  int threads = 0;
  // Told (shapes searched, shapes in all) as the search goes; may be empty
  // (workloads::PlanSearch::progress).
  std::function<void(size_t done, size_t total)> progress;
};

// The search and what it ran on.
struct PlanAnswer {
  workloads::ModelSpec model;
  topologies::ClusterParams params;
  std::string cluster_name;
  size_t cluster_devices = 0;  // all of the cluster's, of which search.devices are used
  std::shared_ptr<const engine::DeviceSpec> device;
  workloads::PlanSearch search;
  workloads::PlanReport report;
  double search_seconds = 0;  // wall time of the search alone
};

// Throws UserError for bad input (naming the option as `podsim plan` spells it) or when
// no plan fits.
PlanAnswer plan(const PlanRequest& request);

}  // namespace podsim::scenario
