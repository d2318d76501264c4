#include "cli/plan_command.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/command_line.h"
#include "cli/progress.h"
#include "engine/error.h"
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

void plan_command(const PlanOptions& o, std::ostream& out, Progress* progress) {
  const scenario::PlanAnswer a = scenario::plan(o);
  if (progress) progress->finish();
  cli_log()->debug("planner: {} plans considered, {} valid, {} fit and timed, in {:.3f} s on {} ({} devices, {} per "
                   "scale-up domain)",
                   a.report.considered, a.report.valid, a.report.fitting, a.search_seconds, a.cluster_name,
                   a.search.devices, a.search.scale_up_domain);
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

void plan_options(boost::program_options::options_description& options) {
  namespace po = boost::program_options;
  options.add_options()("model", po::value<std::string>(), "model preset (deepseek-v3, ...)")(
      "system", po::value<std::string>(), "system preset (cloudmatrix384, nvl72, hgx-h100, ...)")(
      "cluster", po::value<std::string>(), "instead of --system: the cluster of this scenario file (.textproto)")(
      "devices", po::value<int>()->default_value(0), "devices to plan for (default with --cluster: all)")(
      "global-batch", po::value<int>()->default_value(0), "samples per step (default: one per device)")(
      "precision", po::value<std::string>()->default_value("bf16"), "bf16 | fp16 | fp8 | mxfp8 | nvfp4 | int8")(
      "top", po::value<int>()->default_value(5), "plans to print")(
      "cuda-graphs", po::value<std::string>()->default_value("none"),
      "none | static | full: what the framework replays from CUDA graphs (MoE host overhead)")(
      "dualpipe", po::bool_switch(), "also try DeepSeek's DualPipe schedule (shapes with an even pp)")(
      "threads", po::value<int>(), "plans timed at once (default: the machine's hardware threads); the answer is the "
      "same for any number");
}

int plan_run(const boost::program_options::variables_map& vm, const Console& console) {
  if (!vm.count("model")) throw UserError("podsim plan: missing --model (see 'podsim plan --help')");
  Progress progress(std::cerr, console.progress, "plan search", "plans");
  PlanOptions o{.model = string_of(vm, "model"), .system = string_of(vm, "system"),
                .cluster_file = path_of(vm, "cluster"), .overrides = strings_of(vm, "set"),
                .devices = vm["devices"].as<int>(), .global_batch = vm["global-batch"].as<int>(),
                .precision = vm["precision"].as<std::string>(), .top = vm["top"].as<int>(),
                .cuda_graphs = vm["cuda-graphs"].as<std::string>(), .dualpipe = vm["dualpipe"].as<bool>(),
                .threads = static_cast<int>(threads_of(vm, "podsim plan"))};
  if (progress.enabled()) o.progress = [&progress](size_t done, size_t total) { progress.update(done, total); };
  plan_command(o, console.out, &progress);
  return 0;
}

}  // namespace podsim::cli
