#include "cli/plan_command.h"

#include <fmt/format.h>

#include "cli/command_line.h"
#include "scenario/plan_cluster.h"
#include "workloads/step_model.h"

namespace podsim::cli {

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
  const scenario::PlanAnswer a = scenario::plan(o);
  const workloads::ModelSpec& model = a.model;
  const engine::DeviceSpec& device = *a.device;
  const workloads::PlanSearch& q = a.search;
  const workloads::PlanReport& rep = a.report;
  out << fmt::format("model      {} ({} layers, seq {})\n", model.name, model.layers, model.seq_len);
  out << fmt::format("system     {} ({} devices used of {}, {} per scale-up domain), {}\n", a.cluster_name, q.devices,
                     a.cluster_devices, q.scale_up_domain, device.name);
  out << fmt::format("fabric     {}\n", describe_fabric(a.params));
  out << fmt::format("batch      {} samples per step, {}\n", q.global_batch, engine::to_string(q.precision));
  if (model.moe)
    out << fmt::format("host       CUDA graphs {}: MoE host overhead {:.1f} ms per MoE layer per micro-batch\n",
                       workloads::to_string(q.cuda_graphs),
                       1e3 * workloads::moe_host_seconds(workloads::Plan{.cuda_graphs = q.cuda_graphs},
                                                         workloads::default_efficiency(device)));
  out << fmt::format("searched   {} plans, {} valid, {} fit and timed (analytical collectives, {:.1f} s)\n",
                     rep.considered, rep.valid, rep.fitting, a.search_seconds);
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
