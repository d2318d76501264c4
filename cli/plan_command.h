#pragma once
// `podsim plan --model M --system S --devices N`: the auto-planner (workloads/planner.h)
// on N devices of preset systems S (as many as N needs, joined by a fat tree of radix
// 64: 2 tiers up to 2,048 NICs, else 3), or on the cluster of a scenario file
// (--cluster FILE), either changed by --set cluster.FIELD=VALUE as in a scenario;
// prints the top plans with step time, MFU and memory, and why the best wins.
#include <ostream>
#include <string>
#include <vector>

namespace podsim::cli {

struct PlanOptions {
  std::string model;   // a model preset name
  std::string system;  // a system preset name (cloudmatrix384, nvl72, hgx-h100, ...)
  std::string cluster_file;  // instead of system: a scenario file whose `cluster` is used
  std::vector<std::string> overrides;  // --set cluster.FIELD=VALUE
  int devices = 0;  // 0 with cluster_file: all of the cluster's devices
  int global_batch = 0;  // 0: devices (one sample per device)
  std::string precision = "bf16";
  int top = 5;
  // What the framework replays from CUDA graphs: "none", "static" or "full" (the MoE
  // host overhead, workloads/efficiency.h).
  std::string cuda_graphs = "none";
};

// Throws UserError for bad input or when no plan fits.
void plan_command(const PlanOptions& options, std::ostream& out);

// `podsim plan ARGS...`: parses the command line and runs; returns the exit code.
int plan_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace podsim::cli
