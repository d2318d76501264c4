#include "sim/memory_limit.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include <fstream>
#include <string>
#include <type_traits>
#include <variant>

#include "workloads/planner.h"

namespace podsim::sim {
namespace {

// bench/README.md, topology_bench, peak RSS / devices (see the header).
constexpr double kBytesPerCm384Npu = 127e6 / 6144;
constexpr double kBytesPerHgxGpu = 104e6 / 16384;
// podsim topo's peak RSS per device added (see the header), the largest of the family:
// NVL576, 12 -> 60 systems (27,648 GPUs more): 100,264 -> 465,964 KiB.
constexpr double kBytesPerNvlinkGpu = (465964.0 - 100264.0) * 1024 / 27648;
// Atlas 800T A2, 900 -> 4,500 servers (28,800 NPUs more): 68,488 -> 307,364 KiB.
constexpr double kBytesPerAtlasNpu = (307364.0 - 68488.0) * 1024 / 28800;
// bench/README.md, network model vs SimGrid, cm:a2a:6144: 6,106 MB / 37,742,592 flows.
constexpr double kBytesPerFlow = 6106e6 / 37742592;

}  // namespace

double pool_build_bytes(const topologies::PoolParams& pool) {
  const topologies::SystemShape s = topologies::shape(pool.system);
  const double devices = static_cast<double>(pool.count) * s.nodes * s.devices_per_node;
  const double per_device = std::visit(
      [](const auto& system) {
        using T = std::decay_t<decltype(system)>;
        if constexpr (std::is_same_v<T, topologies::CloudMatrix384Params>) return kBytesPerCm384Npu;
        else if constexpr (std::is_same_v<T, topologies::NvlinkParams>) return kBytesPerNvlinkGpu;
        else if constexpr (std::is_same_v<T, topologies::Atlas800tA2Params>) return kBytesPerAtlasNpu;
        else return kBytesPerHgxGpu;
      },
      pool.system);
  return devices * per_device;
}

double cluster_build_bytes(const topologies::ClusterParams& params) {
  double bytes = 0;
  for (const topologies::PoolParams& pool : params.pools) bytes += pool_build_bytes(pool);
  return bytes;
}

double largest_all_to_all(const workloads::Plan& plan) {
  double ranks = plan.ep;
  if (plan.cp_algorithm == workloads::CpAlgorithm::kUlysses) ranks = std::max(ranks, static_cast<double>(plan.cp));
  return ranks;
}

double largest_auto_all_to_all(const workloads::ModelSpec& model, int devices) {
  // dp is at most the devices, and an EP dividing dp divides them.
  return model.moe ? workloads::expert_parallel_choices(model.moe->experts, devices).back() : 1;
}

double all_to_all_flow_bytes(double ranks) { return ranks * (ranks - 1) * kBytesPerFlow; }

namespace {

std::optional<double> mem_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return std::nullopt;
}

// RLIMIT_AS less the process's mapped size; nullopt without a limit.
std::optional<double> address_space_headroom() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return std::nullopt;
  std::ifstream statm("/proc/self/statm");
  double pages = 0;
  statm >> pages;  // the first field: the whole virtual size, in pages (0 if unreadable)
  const double mapped = pages * static_cast<double>(::sysconf(_SC_PAGESIZE));
  return std::max(0.0, static_cast<double>(limit.rlim_cur) - mapped);
}

}  // namespace

std::optional<double> available_memory_bytes() {
  const std::optional<double> machine = mem_available(), process = address_space_headroom();
  if (machine && process) return std::min(*machine, *process);
  return machine ? machine : process;
}

std::string available_memory_source() {
  const std::optional<double> machine = mem_available(), process = address_space_headroom();
  return process && (!machine || *process < *machine) ? "under the address-space limit, ulimit -v" : "MemAvailable";
}

std::optional<std::string> memory_refusal(double needed, std::string_view what, std::string_view how,
                                          std::string_view instead, std::optional<double> available,
                                          const std::string& source) {
  if (!available || needed <= *available) return std::nullopt;
  return fmt::format("{} needs ~{} ({}) but this machine has {} available ({}); expected {}", what,
                     format_bytes(needed), how, format_bytes(*available), source, instead);
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
