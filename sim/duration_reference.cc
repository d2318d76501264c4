#include "sim/duration_reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "sim/cluster_run.h"

namespace podsim::sim {

std::string duration_reference(const scheduler::Inventory& inv, const std::vector<scheduler::JobRequest>& jobs) {
  const auto& pools = inv.pools();
  std::vector<bool> used(pools.size(), false);
  for (const scheduler::JobRequest& j : jobs) {
    if (j.workload != 0) continue;
    if (j.pools.empty()) std::fill(used.begin(), used.end(), true);
    for (uint32_t p : j.pools)
      if (p < used.size()) used[p] = true;
  }
  // The reference: the first pool at relative speed 1 (the slowest of the cluster).
  size_t ref = pools.size();
  for (size_t p = 0; p < pools.size() && ref == pools.size(); ++p)
    if (pools[p].relative_speed == 1.0) ref = p;
  std::string faster;
  for (size_t p = 0; p < pools.size(); ++p)
    if (used[p] && pools[p].relative_speed != 1.0)
      faster += fmt::format("{}'{}' {:.2f}x", faster.empty() ? "" : ", ", pools[p].name, pools[p].relative_speed);
  if (faster.empty() || ref == pools.size()) return {};
  return fmt::format("trace and synthetic run times are work at pool '{}' speed (the slowest BF16 peak); "
                     "faster pools run them in less: {}",
                     pools[ref].name, faster);
}

std::string class_reference(const scheduler::Inventory& inv, const std::vector<ClassWork>& work) {
  std::map<std::pair<std::string, uint32_t>, size_t> count;  // (source, pool) -> jobs
  for (const ClassWork& w : work) ++count[{w.source, w.reference_pool}];
  std::string out;
  for (const auto& [key, n] : count)
    out += fmt::format("{}{}: {} class jobs' run times are work alone on pool '{}', packed in the fewest scale-up "
                       "domains; steps = run time / step time there",
                       out.empty() ? "" : "; ", key.first, n, inv.pools()[key.second].name);
  return out;
}

}  // namespace podsim::sim
