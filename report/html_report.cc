#include "report/html_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/error.h"
#include "engine/network/link_curves.h"
#include "io/atomic_file.h"
#include "report/cluster_report.h"
#include "report/compare_report.h"
#include "report/svg.h"
#include "topologies/build.h"
#include "workloads/efficiency.h"
#include "workloads/planner.h"

namespace podsim::report {
namespace {

using engine::Interconnect;

std::string percent(double x) { return format_number(100 * x, 0) + "%"; }

// What fraction of line rate the achieved-bandwidth curve of `ic` gives at three sizes.
std::string curve_text(Interconnect ic) {
  if (ic == Interconnect::kNone) return "none";
  const double a = engine::achieved_fraction(ic, engine::CurveKind::kLinks, engine::Bytes::mega(1));
  const double b = engine::achieved_fraction(ic, engine::CurveKind::kLinks, engine::Bytes::mega(64));
  const double c = engine::achieved_fraction(ic, engine::CurveKind::kLinks, engine::Bytes::giga(1));
  if (std::min({a, b, c}) >= 1) return fmt::format("{}: no published curve, line rate", engine::to_string(ic));
  return fmt::format("{}: {} of line rate at 1 MB, {} at 64 MB, {} at 1 GB (fitted on published nccl-tests curves; "
                     "docs/collectives.md §2-3)",
                     engine::to_string(ic), percent(a), percent(b), percent(c));
}

std::vector<std::pair<std::string, std::string>> assumptions(const topologies::Cluster& cluster,
                                                             const sim::StudySystem& system,
                                                             const sim::StudySpec& spec) {
  const engine::DeviceSpec& device = *cluster.devices().front().spec;
  const engine::CommProfile comm = cluster.systems().front().comm;
  const workloads::OpEfficiency eff = workloads::default_efficiency(device);
  std::vector<std::pair<std::string, std::string>> out;
  std::string gemm = fmt::format("GEMM {}", format_number(eff.gemm, 2));
  if (eff.gemm_fp8) gemm += fmt::format(" (FP8 {})", format_number(*eff.gemm_fp8, 2));
  out.emplace_back("device efficiencies",
                   fmt::format("{}: {}, attention {}, HBM {} of peak; calibration: {} (workloads/efficiency.cc; "
                               "docs/models.md §4.3, docs/validation-sources.md)",
                               device.name, gemm, format_number(eff.attention, 2), format_number(eff.memory, 2), eff.source));
  const char* library = comm.library == engine::CommLibrary::kNccl   ? "NCCL"
                        : comm.library == engine::CommLibrary::kHccl ? "HCCL"
                                                                      : "ideal (alpha-beta on the links)";
  out.emplace_back("collective library",
                   fmt::format("{}: algorithm, protocol and latency terms from its tuner's tables (docs/collectives.md "
                               "§1, §3)",
                               library));
  out.emplace_back("scale-up link curve", curve_text(comm.scale_up));
  out.emplace_back("scale-out link curve", cluster.fat_tree_tiers() ? curve_text(comm.scale_out) : "no scale-out fabric");
  if (spec.link_efficiency)
    out.emplace_back("link efficiency", fmt::format("every link at {} of line rate (the scenario's compare.link_efficiency), "
                                                    "in place of the curves",
                                                    percent(*spec.link_efficiency)));
  bool moe = false, host_override = false;
  for (const sim::StudyJob& j : system.jobs) {
    moe = moe || j.job.model.moe.has_value();
    host_override = host_override || j.job.plan.moe_host_overhead_s.has_value();
  }
  std::string host = !moe ? "none (no MoE job)"
                     : eff.moe_host_s > 0
                         ? fmt::format("{} ms per MoE layer per micro-batch in an eager framework, {} ms with static "
                                       "CUDA graphs (docs/models.md §4.6)",
                                       format_number(1e3 * eff.moe_host_s, 1), format_number(1e3 * eff.moe_host_static_graphs_s, 1))
                         : std::string("none measured for this device (docs/models.md §4.6)");
  if (host_override) host += "; a job's plan sets its own (moe_host_overhead_s)";
  out.emplace_back("host overhead", host);
  out.emplace_back("overlap model",
                   fmt::format("DP buckets, ZeRO-3 gathers and CP rings overlap compute as scheduled; overlapped compute "
                               "runs {} slower (comm_slowdown; docs/models.md §5.4)",
                               percent(eff.comm_slowdown)));
  out.emplace_back("network model", spec.mode == engine::CommMode::kFlow
                                        ? "flows on the topology graph, max-min fair sharing (docs/models.md §2-3)"
                                        : "closed-form collectives on the topology's bandwidths (docs/models.md §3)");
  return out;
}

}  // namespace

void check_report_path(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw UserError(fmt::format("{}: cannot write the report: directory {} does not exist (expected a path in an "
                                "existing, writable directory)",
                                path.string(), dir.string()));
}

void write_cluster_report(const std::filesystem::path& path, const ScenarioHeader& header,
                          const scheduler::ClusterRunResult& result) {
  const std::string html = cluster_report_html(header, result);
  io::write_atomically(path, [&](std::ostream& out) { out << html; });
}

void write_comparison_report(const std::filesystem::path& path, const ScenarioHeader& header,
                             const sim::StudySpec& spec, const sim::StudyResult& study) {
  Comparison c{.name = study.name, .description = study.description, .mode = study.mode,
               .systems = study.systems, .jobs = study.jobs, .cells = {}, .version = header.version,
               .fingerprint = header.fingerprint, .seed = header.seed, .notes = {}};
  for (const sim::StudyCell& cell : study.cells)
    c.cells.push_back({.system = cell.system, .job = cell.job, .device = cell.device, .devices = cell.devices,
                       .scale_up_domain = cell.scale_up_domain,
                       .plan = workloads::describe(cell.plan) + (cell.auto_planned ? " (auto)" : ""),
                       .is_dit = cell.is_dit, .result = cell.result, .planner = cell.planner});
  for (const sim::StudySystem& system : spec.systems) {
    const topologies::Cluster cluster = topologies::build_cluster(system.cluster);
    c.notes.push_back({.system = system.name, .topology = sketch(cluster), .assumptions = assumptions(cluster, system, spec)});
  }
  const std::string html = comparison_report_html(c);
  io::write_atomically(path, [&](std::ostream& out) { out << html; });
}

}  // namespace podsim::report
