#include "sim/job_pools.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/printable.h"
#include "scheduler/placement.h"

namespace podsim::sim {

std::vector<uint32_t> named_pools(const std::vector<std::string>& names, const scheduler::Inventory& inv,
                                  const std::string& field, FieldProblems& problems) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (auto p = inv.find_pool(names[i])) {
      out.push_back(*p);
      continue;
    }
    std::string known;
    for (const auto& p : inv.pools()) known += (known.empty() ? "" : ", ") + printable(p.name);
    problems.add(fmt::format("{}[{}]", field, i), fmt::format("unknown pool '{}' (pools: {})", printable(names[i]), known));
  }
  return out;
}

uint32_t biggest_pool(const scheduler::Inventory& inv, const std::vector<uint32_t>& allowed, uint32_t spares) {
  uint32_t n = 0;
  for (uint32_t p = 0; p < inv.pools().size(); ++p)
    if (allowed.empty() || std::find(allowed.begin(), allowed.end(), p) != allowed.end())
      n = std::max(n, inv.pool_size(p) - std::min(spares, inv.pool_size(p)));
  return n;
}

std::string spares_note(uint32_t usable, uint32_t spares) {
  if (spares == 0) return "";
  return fmt::format("{} less {} hot spares, failures.spares_per_pool", usable + spares, spares);
}

std::string pool_room(uint32_t usable, uint32_t spares) {
  return spares == 0 ? fmt::format("{}", usable) : fmt::format("{} ({})", usable, spares_note(usable, spares));
}

std::optional<std::string> never_placed(const scheduler::Inventory& inv, const scheduler::JobRequest& r) {
  if (!r.placement.any()) return std::nullopt;
  std::string why;
  for (uint32_t p = 0; p < inv.pools().size(); ++p) {
    if (!r.pools.empty() && std::find(r.pools.begin(), r.pools.end(), p) == r.pools.end()) continue;
    const std::optional<std::string> problem = scheduler::constraint_problem(inv, p, r.devices, r.placement);
    if (!problem) return std::nullopt;
    why += (why.empty() ? "" : "; ") + *problem;
  }
  return why;
}

}  // namespace podsim::sim
