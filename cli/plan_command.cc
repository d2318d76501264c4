#include "cli/plan_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "cli/command_line.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/plan_cluster.h"
#include "scenario/scenario_file.h"
#include "engine/error.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/planner.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::cli {

using scenario::ScenarioFile;

namespace {

std::string describe_fabric(const topologies::ClusterParams& p) {
  if (!p.fat_tree) return "none (one system)";
  const topologies::FatTreeParams& t = *p.fat_tree;
  std::string text = fmt::format("{}-tier fat tree, radix {}, leaves {}:1", t.tiers, t.radix, t.oversubscription);
  if (t.tiers == 3) text += fmt::format(", spines {}:1", t.spine_oversubscription);
  text += t.rail_optimized ? ", rail-optimised" : ", leaves in device order";
  return text + " (change with --set cluster.fat_tree.FIELD=VALUE)";
}

}  // namespace

void plan_command(const PlanOptions& o, std::ostream& out) {
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
  const std::optional<engine::Precision> parsed = scenario::plan_precision(o.precision);
  if (!parsed) throw UserError(fmt::format("podsim plan: --precision {}: expected bf16, fp16, fp8 or int8", o.precision));
  const engine::Precision precision = *parsed;

  workloads::CudaGraphs graphs = workloads::CudaGraphs::kNone;
  if (o.cuda_graphs == "static") graphs = workloads::CudaGraphs::kStaticParts;
  else if (o.cuda_graphs == "full") graphs = workloads::CudaGraphs::kFull;
  else if (o.cuda_graphs != "none")
    throw UserError(fmt::format("podsim plan: --cuda-graphs {}: expected none, static or full", o.cuda_graphs));

  ScenarioFile file = o.cluster_file.empty() ? scenario::preset_cluster_file(o.system, o.devices) : ScenarioFile::load(o.cluster_file);
  for (const std::string& set : o.overrides) {
    if (!set.starts_with("cluster."))
      throw UserError(fmt::format("podsim plan: --set {}: only the cluster's fields apply here (e.g. --set "
                                  "cluster.fat_tree.oversubscription=3)", set));
    file.apply_override(set);
  }
  const topologies::ClusterParams params = cluster_params(file);
  const topologies::Cluster cluster = topologies::build_cluster(params);
  const int devices = o.devices > 0 ? o.devices : static_cast<int>(cluster.devices().size());
  if (static_cast<size_t>(devices) > cluster.devices().size())
    throw UserError(fmt::format("podsim plan: --devices {}: the cluster of {} has {} devices", devices, o.cluster_file,
                                cluster.devices().size()));
  const topologies::EngineFabric fabric(cluster);
  const engine::DeviceSpec& device = *cluster.devices().front().spec;
  if (auto p = workloads::precision_problem(precision, device)) throw UserError("podsim plan: --precision: " + *p);
  // The first device's scale-up domain (supernode, NVLink rack, server) is the one the
  // search fills with TP/EP first.
  const auto domain = static_cast<int>(cluster.domains()[cluster.devices().front().pod].device_count);

  workloads::PlanSearch q{.devices = devices, .global_batch = o.global_batch > 0 ? o.global_batch : devices,
                          .precision = precision, .scale_up_domain = std::min(domain, devices),
                          .top = o.top, .step = {}, .cuda_graphs = graphs};
  const auto t0 = std::chrono::steady_clock::now();
  const workloads::PlanReport rep = workloads::plan_search(*model, q, device, fabric);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  out << fmt::format("model      {} ({} layers, seq {})\n", model->name, model->layers, model->seq_len);
  out << fmt::format("system     {} ({} devices used of {}, {} per scale-up domain), {}\n", cluster.name(), devices,
                     cluster.devices().size(), std::min(domain, devices), device.name);
  out << fmt::format("fabric     {}\n", describe_fabric(params));
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
      "cluster", po::value<std::string>(), "instead of --system: the cluster of this scenario file (.textproto)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "change the cluster as in a scenario: --set cluster.fat_tree.tiers=3 (repeatable)")(
      "devices", po::value<int>()->default_value(0), "devices to plan for (default with --cluster: all)")(
      "global-batch", po::value<int>()->default_value(0), "samples per step (default: one per device)")(
      "precision", po::value<std::string>()->default_value("bf16"), "bf16 | fp16 | fp8 | int8")(
      "top", po::value<int>()->default_value(5), "plans to print")(
      "cuda-graphs", po::value<std::string>()->default_value("none"),
      "none | static | full: what the framework replays from CUDA graphs (MoE host overhead)");
  const auto vm = parse_command_line("plan", options, {}, args, out);
  if (!vm) return 0;
  require(*vm, "model", "plan", "--model");
  auto text = [&](const char* name) { return vm->count(name) ? (*vm)[name].as<std::string>() : std::string(); };
  plan_command({.model = text("model"), .system = text("system"), .cluster_file = text("cluster"),
                .overrides = strings_of(*vm, "set"), .devices = (*vm)["devices"].as<int>(),
                .global_batch = (*vm)["global-batch"].as<int>(), .precision = (*vm)["precision"].as<std::string>(),
                .top = (*vm)["top"].as<int>(), .cuda_graphs = (*vm)["cuda-graphs"].as<std::string>()},
               out);
  return 0;
}

}  // namespace podsim::cli
