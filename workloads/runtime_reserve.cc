#include "workloads/runtime_reserve.h"

namespace podsim::workloads {

int collective_communicators(const Plan& p) {
  const int data = p.dp * p.cp;
  return (p.tp > 1 ? 1 : 0) + (data > 1 ? 1 : 0) + (p.ep > 1 && data / p.ep > 1 ? 1 : 0);
}

ReserveBreakdown runtime_reserve(const engine::DeviceSpec& d, const Plan& p) {
  const engine::RuntimeReserve& r = d.runtime_reserve;
  if (r.total) return ReserveBreakdown{.from_scenario = *r.total};
  const int n = collective_communicators(p);
  return ReserveBreakdown{.driver = r.driver,
                          .context = r.context,
                          .workspaces = r.workspaces,
                          .collective = r.per_communicator * n,
                          .communicators = n};
}

}  // namespace podsim::workloads
