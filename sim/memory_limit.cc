#include "sim/memory_limit.h"

#include <fmt/format.h>

#include <fstream>
#include <string>
#include <variant>

namespace podsim::sim {
namespace {

// bench/README.md, topology_bench, peak RSS / devices (see the header).
constexpr double kBytesPerCm384Npu = 127e6 / 6144;
constexpr double kBytesPerOtherDevice = 104e6 / 16384;
// bench/README.md, network model vs SimGrid, cm:a2a:6144: 6,106 MB / 37,742,592 flows.
constexpr double kBytesPerFlow = 6106e6 / 37742592;

}  // namespace

double cluster_build_bytes(const topologies::ClusterParams& params) {
  double bytes = 0;
  for (const topologies::PoolParams& pool : params.pools) {
    const topologies::SystemShape s = topologies::shape(pool.system);
    const double devices = static_cast<double>(pool.count) * s.nodes * s.devices_per_node;
    const bool cm384 = std::holds_alternative<topologies::CloudMatrix384Params>(pool.system);
    bytes += devices * (cm384 ? kBytesPerCm384Npu : kBytesPerOtherDevice);
  }
  return bytes;
}

double largest_all_to_all(const workloads::Plan& plan) {
  double ranks = plan.ep;
  if (plan.cp_algorithm == workloads::CpAlgorithm::kUlysses) ranks = std::max(ranks, static_cast<double>(plan.cp));
  return ranks;
}

double all_to_all_flow_bytes(double ranks) { return ranks * (ranks - 1) * kBytesPerFlow; }

std::optional<double> available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return std::nullopt;
}

std::optional<std::string> memory_refusal(double needed, std::string_view what, std::string_view how,
                                          std::string_view instead, std::optional<double> available) {
  if (!available || needed <= *available) return std::nullopt;
  return fmt::format("{} needs ~{} ({}) but this machine has {} available (MemAvailable); expected {}", what,
                     format_bytes(needed), how, format_bytes(*available), instead);
}

std::string format_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  size_t u = 0;
  while (bytes >= 999.5 && u + 1 < std::size(kUnits)) {
    bytes /= 1000;
    ++u;
  }
  return fmt::format("{:.3g} {}", bytes, kUnits[u]);
}

}  // namespace podsim::sim
