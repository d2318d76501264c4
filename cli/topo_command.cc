#include "cli/topo_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "cli/command_line.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/cluster_run.h"
#include "scenario/scenario_check.h"
#include "io/atomic_file.h"
#include "io/output_paths.h"
#include "scenario/scenario_file.h"
#include "scenario/scenario_files.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "topologies/analysis.h"
#include "topologies/build.h"
#include "topologies/dot.h"

namespace podsim::cli {

using scenario::ScenarioFile;
namespace {

using topologies::Summary;

// A scenario file, or a one-pool scenario for a bare preset name.
ScenarioFile load(const std::string& arg) {
  // Without the error code, a name the file system cannot take (too long) throws.
  std::error_code ec;
  if (std::filesystem::exists(arg, ec) || arg.ends_with(".textproto")) return ScenarioFile::load(arg);
  if (topologies::preset(arg))
    return ScenarioFile::parse(arg, fmt::format("name: \"{}\"\ncluster {{ pools {{ preset: \"{}\" }} }}\n", arg, arg));
  throw UserError(fmt::format("podsim topo: '{}' is neither a scenario file nor a preset (expected a .textproto file or one of the presets: {})", printable(arg),
                              fmt::join(topologies::preset_names(), ", ")));
}

// Decimal SI prefix for a value in base units: 392e9 B/s -> "392 GB/s".
std::string si(double v, const char* unit) {
  static const char* const kPrefixes[] = {"", "k", "M", "G", "T", "P", "E", "Z"};
  int i = 0;
  while (std::abs(v) >= 1000 && i < 7) {
    v /= 1000;
    ++i;
  }
  return fmt::format("{:.4g} {}{}", v, kPrefixes[i], unit);
}

std::string range(engine::Bandwidth lo, engine::Bandwidth hi) {
  if (lo == hi) return si(lo.value(), "B/s");
  return fmt::format("{} to {}", si(lo.value(), "B/s"), si(hi.value(), "B/s"));
}

std::string counts(const std::map<std::string, size_t>& by_name) {
  std::string s;
  for (const auto& [name, n] : by_name) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", n, name);
  return s;
}

void print(const Summary& s, std::ostream& out) {
  out << fmt::format("cluster     {}{}\n", s.name, s.hypothetical ? " (includes a HYPOTHETICAL system)" : "");
  out << fmt::format("devices     {}: {} in {} pods, {} racks, {} nodes\n", s.devices, counts(s.devices_by_model),
                     s.pods, s.racks, s.nodes);
  out << fmt::format("switches    {}{}{}\n", s.switches, s.switches ? ": " : "", counts(s.switches_by_role));
  out << fmt::format("endpoints   {} accelerator vertices (dies or GPUs), {} CPUs, {} NICs\n", s.die_vertices, s.cpus,
                     s.nics);
  out << fmt::format("links       {} directed, {} cables (detailed view); {} directed (collapsed view)\n",
                     s.directed_links, s.cables, s.collapsed_links);
  if (s.fat_tree_tiers) out << fmt::format("fabric      {}-tier fat tree\n", *s.fat_tree_tiers);
  out << fmt::format("scale-up    {} per device per direction\n", range(s.scale_up_min, s.scale_up_max));
  out << fmt::format("scale-out   {} per device per direction (NIC)\n", range(s.scale_out_min, s.scale_out_max));
  out << fmt::format("bisection   {} per direction (max-flow, first half of the devices to the second)\n",
                     si(s.bisection.value(), "B/s"));
  out << fmt::format("diameter    {} switch hops{}\n", s.diameter.switch_hops, s.diameter.exact ? "" : " (sampled sources)");
  const std::string fp8 = s.devices_without_fp8 == s.devices ? "none"
                          : s.devices_without_fp8 ? fmt::format("{} ({} devices lack FP8)", si(s.fp8.value(), "FLOPS"),
                                                                s.devices_without_fp8)
                                                  : si(s.fp8.value(), "FLOPS");
  out << fmt::format("peak dense  BF16 {}, FP8 {}, INT8 {}\n", si(s.bf16.value(), "FLOPS"), fp8, si(s.int8.value(), "OPS"));
  out << fmt::format("HBM         {}, {}\n", si(s.hbm.value(), "B"), si(s.hbm_bandwidth.value(), "B/s"));
  out << fmt::format("power       {}{}\n", si(s.power_watts, "W"),
                     s.devices_without_power
                         ? fmt::format(" + unknown for {} devices (no published system or device figure)", s.devices_without_power)
                         : std::string(" (published system estimates, else device TDPs; scale-out switches excluded)"));
}

// The cluster of a scenario that `podsim run` would accept as far as it can be known
// without planning: the same checks run does before it builds anything (every field in
// range, job names, job_settings, outputs.out_dir), its run-size estimate from the
// fields, and its jobs read from their sources (trace files read, synthetic mixes drawn).
// Not the plans: whether each job fits its pools needs the step model, which is run's
// work, not topo's. (Once topo read the cluster alone: settings for a job that does not
// exist, a trace file that does not exist, a job without a model all printed a summary.)
topologies::ClusterParams checked_cluster_params(const ScenarioFile& file) {
  scenario::check_scenario(file);
  if (!scenario::has_cluster_run(file)) return cluster_params(file);
  return scenario::checked_cluster_run_spec(file).cluster;
}

}  // namespace

void print_cluster_summary(const ScenarioFile& file, std::ostream& out) {
  print(topologies::summarize(topologies::build_cluster(cluster_params(file))), out);
}

void topo_command(const TopoOptions& options, std::ostream& out) {
  ScenarioFile file = load(options.scenario_or_preset);
  for (const std::string& o : options.overrides) file.apply_override(o);
  // Whole or absent (io/atomic_file.h), and never over the scenario it was built from:
  // checked before anything is built or printed.
  if (options.dot_path)
    io::check_outputs(scenario::scenario_inputs(file),
                      {{.role = "--dot", .path = *options.dot_path, .signature = std::string(topologies::kDotSignature)}});
  const topologies::Cluster cluster = topologies::build_cluster(checked_cluster_params(file));
  print(topologies::summarize(cluster), out);
  if (options.dot_path) {
    const std::string& path = *options.dot_path;
    io::write_atomically(path, [&](std::ostream& dot) {
      topologies::write_dot(cluster, options.collapsed_dot ? cluster.collapsed() : cluster.detailed(), dot);
    });
    out << fmt::format("dot         {} ({} view)\n", path, options.collapsed_dot ? "collapsed" : "detailed");
  }
}

void topo_options(boost::program_options::options_description& options) {
  namespace po = boost::program_options;
  options.add_options()("dot", po::value<std::string>(), "also write the graph to FILE (Graphviz)")(
      "view", po::value<std::string>()->default_value("detailed"), "graph for --dot: detailed | collapsed");
}

int topo_run(const boost::program_options::variables_map& vm, const Console& console) {
  const std::string view = vm["view"].as<std::string>();
  if (view != "detailed" && view != "collapsed")
    throw UserError(fmt::format("podsim topo: --view {}: expected detailed or collapsed", view));
  TopoOptions topo{.scenario_or_preset = vm["input"].as<std::string>(),
                   .overrides = strings_of(vm, "set"),
                   .dot_path = std::nullopt,
                   .collapsed_dot = view == "collapsed"};
  if (vm.count("dot")) topo.dot_path = vm["dot"].as<std::string>();
  topo_command(topo, console.out);
  return 0;
}

}  // namespace podsim::cli
