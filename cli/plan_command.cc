#include "cli/plan_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "cli/command_line.h"
#include "cli/cluster_from_proto.h"
#include "cli/scenario_file.h"
#include "engine/error.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/planner.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::cli {

void plan_command(const PlanOptions& o, std::ostream& out) {
  const std::optional<workloads::ModelSpec> model = workloads::model_preset(o.model);
  if (!model) {
    std::string names;
    for (const std::string& n : workloads::model_preset_names()) names += (names.empty() ? "" : ", ") + n;
    throw UserError(fmt::format("podsim plan: --model {}: unknown preset (expected one of: {})", o.model, names));
  }
  if (o.devices <= 0) throw UserError("podsim plan: --devices must be > 0");
  engine::Precision precision = engine::Precision::kBF16;
  if (o.precision == "fp8") precision = engine::Precision::kFP8;
  else if (o.precision == "fp16") precision = engine::Precision::kFP16;
  else if (o.precision == "int8") precision = engine::Precision::kINT8;
  else if (o.precision != "bf16")
    throw UserError(fmt::format("podsim plan: --precision {}: expected bf16, fp16, fp8 or int8", o.precision));

  workloads::CudaGraphs graphs = workloads::CudaGraphs::kNone;
  if (o.cuda_graphs == "static") graphs = workloads::CudaGraphs::kStaticParts;
  else if (o.cuda_graphs == "full") graphs = workloads::CudaGraphs::kFull;
  else if (o.cuda_graphs != "none")
    throw UserError(fmt::format("podsim plan: --cuda-graphs {}: expected none, static or full", o.cuda_graphs));

  // One system tells how many devices a system has; then as many as N needs.
  const topologies::Cluster one = topologies::build_preset(o.system);
  const int per_system = static_cast<int>(one.devices().size());
  const int systems = (o.devices + per_system - 1) / per_system;
  std::string text = fmt::format("cluster {{ pools {{ preset: \"{}\" count: {} }}", o.system, systems);
  if (systems > 1) text += " fat_tree { tiers: 2 radix: 64 rail_optimized: false }";
  text += " }\n";
  const ScenarioFile file = ScenarioFile::parse(fmt::format("podsim plan --system {}", o.system), text);
  const topologies::Cluster cluster = topologies::build_cluster(cluster_params(file));
  const topologies::EngineFabric fabric(cluster);
  const engine::DeviceSpec& device = *cluster.devices().front().spec;
  if (auto p = workloads::precision_problem(precision, device)) throw UserError("podsim plan: --precision: " + *p);

  workloads::PlanSearch q{.devices = o.devices, .global_batch = o.global_batch > 0 ? o.global_batch : o.devices,
                          .precision = precision, .scale_up_domain = std::min(per_system, o.devices),
                          .top = o.top, .step = {}, .cuda_graphs = graphs};
  const auto t0 = std::chrono::steady_clock::now();
  const workloads::PlanReport rep = workloads::plan_search(*model, q, device, fabric);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  out << fmt::format("model      {} ({} layers, seq {})\n", model->name, model->layers, model->seq_len);
  out << fmt::format("system     {} x {} ({} devices used, {} per scale-up domain), {}\n", systems, o.system,
                     o.devices, std::min(per_system, o.devices), device.name);
  out << fmt::format("batch      {} samples per step, {}\n", q.global_batch, engine::to_string(precision));
  if (model->moe)
    out << fmt::format("host       CUDA graphs {}: MoE host overhead {:.1f} ms per MoE layer per micro-batch\n",
                       workloads::to_string(graphs),
                       1e3 * workloads::moe_host_seconds(workloads::Plan{.cuda_graphs = graphs},
                                                         workloads::default_efficiency(device)));
  out << fmt::format("searched   {} plans, {} valid, {} fit and timed (analytical collectives, {:.1f} s)\n",
                     rep.considered, rep.valid, rep.fitting, secs);
  out << fmt::format("\n  {:<3} {:<58} {:>9} {:>6} {:>9}  {}\n", "#", "plan", "step", "MFU", "memory", "bound by");
  for (size_t i = 0; i < rep.best.size(); ++i) {
    const workloads::PlannedStep& s = rep.best[i];
    out << fmt::format("  {:<3} {:<58} {:>7.3f} s {:>5.1f}% {:>6.1f} GB  {}\n", i + 1, workloads::describe(s.plan),
                       s.result.step_s, 100 * s.result.mfu, s.memory.total().value() / 1e9, s.result.bottleneck);
  }
  out << "\n" << rep.explanation << "\n";
}

int plan_main(const std::vector<std::string>& args, std::ostream& out) {
  namespace po = boost::program_options;
  po::options_description options("podsim plan --model M --system S --devices N [options]");
  options.add_options()("help,h", "show this help")("model", po::value<std::string>(), "model preset (deepseek-v3, ...)")(
      "system", po::value<std::string>(), "system preset (cloudmatrix384, nvl72, hgx-h100, ...)")(
      "devices", po::value<int>(), "devices to plan for")(
      "global-batch", po::value<int>()->default_value(0), "samples per step (default: one per device)")(
      "precision", po::value<std::string>()->default_value("bf16"), "bf16 | fp16 | fp8 | int8")(
      "top", po::value<int>()->default_value(5), "plans to print")(
      "cuda-graphs", po::value<std::string>()->default_value("none"),
      "none | static | full: what the framework replays from CUDA graphs (MoE host overhead)");
  const auto vm = parse_command_line("plan", options, {}, args, out);
  if (!vm) return 0;
  require(*vm, "model", "plan", "--model");
  require(*vm, "system", "plan", "--system");
  require(*vm, "devices", "plan", "--devices");
  plan_command({.model = (*vm)["model"].as<std::string>(), .system = (*vm)["system"].as<std::string>(),
                .devices = (*vm)["devices"].as<int>(), .global_batch = (*vm)["global-batch"].as<int>(),
                .precision = (*vm)["precision"].as<std::string>(), .top = (*vm)["top"].as<int>(),
                .cuda_graphs = (*vm)["cuda-graphs"].as<std::string>()},
               out);
  return 0;
}

}  // namespace podsim::cli
