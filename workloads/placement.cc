#include "workloads/placement.h"

#include <map>

#include "engine/check.h"

namespace podsim::workloads {

int aligned_block(const Plan& p, int domain_size) {
  for (int block : {p.tp * p.cp * p.ep, p.tp * p.cp, p.tp})
    if (block <= domain_size) return block;
  return 1;
}

std::vector<engine::DeviceId> aligned_placement(const Plan& p, const engine::Fabric& fabric) {
  const size_t n = static_cast<size_t>(p.devices());
  PODSIM_CHECK(fabric.device_count() >= n, "placement: the fabric has fewer devices than the plan");
  // Devices per domain, domains in the order they first appear.
  std::vector<std::vector<engine::DeviceId>> domains;
  std::map<uint32_t, size_t> index;
  for (uint32_t i = 0; i < fabric.device_count(); ++i) {
    const engine::DeviceId d{i};
    auto [it, fresh] = index.try_emplace(fabric.domain(d), domains.size());
    if (fresh) domains.emplace_back();
    domains[it->second].push_back(d);
  }
  std::vector<engine::DeviceId> out;
  out.reserve(n);
  for (const auto& dom : domains) {
    const int block = aligned_block(p, static_cast<int>(dom.size()));
    const size_t usable = dom.size() / static_cast<size_t>(block) * static_cast<size_t>(block);
    for (size_t k = 0; k < usable && out.size() < n; ++k) out.push_back(dom[k]);
  }
  if (out.size() < n) {  // the aligned domains cannot hold the job: contiguous
    out.clear();
    for (uint32_t i = 0; i < n; ++i) out.push_back(engine::DeviceId{i});
  }
  return out;
}

}  // namespace podsim::workloads
