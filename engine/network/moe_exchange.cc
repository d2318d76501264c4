#include "engine/network/moe_exchange.h"

#include <cmath>

#include "engine/network/collective_memo.h"

namespace podsim::engine {

namespace {

// CloudMatrix384, CANN's MoE dispatch and combine (arXiv 2506.12708 v2, Table 7; 128
// tokens per die, DeepSeek-V3 shapes: hidden 7168, top-8, INT8 dispatch, BF16 combine):
// least-squares fit of (published time - podsim's HCCL all-to-all of the same bytes on
// the UB) against log2(EP) over EP8-EP256 (docs/collectives.md §4 lists the residuals).
// n = packages (2 dies each: EP8 of the table is 4 podsim ranks). Residuals: dispatch
// +0.9, -2.6, +2.3, +1.1, -2.5, +1.0%; combine +2.2, +1.3, -2.8, -2.3, -0.1, +2.3%.
constexpr double kUbDispatchC0Us = 62.2;
constexpr double kUbDispatchC1Us = 5.0;
constexpr double kUbCombineC0Us = 38.4;
constexpr double kUbCombineC1Us = 1.91;

}  // namespace

SimTime moe_call_cost(const CommProfile& profile, MoeExchange kind, size_t ep) {
  if (profile.library != CommLibrary::kHccl || profile.scale_up != Interconnect::kUb || ep < 2) return SimTime::zero();
  const double l = std::log2(static_cast<double>(ep));
  const double us = kind == MoeExchange::kDispatch ? kUbDispatchC0Us + kUbDispatchC1Us * l
                                                    : kUbCombineC0Us + kUbCombineC1Us * l;
  return SimTime::seconds_ceil(std::max(0.0, us) * 1e-6);
}

Collective moe_exchange(const Fabric& fabric, MoeExchange kind, std::vector<DeviceId> group, Bytes bytes,
                        const NetworkOptions& options, CollectiveMemo* memo) {
  const size_t n = group.size();
  Collective c = tuned(fabric, CollectiveOp::kAllToAll, group, bytes, options, memo);
  if (n >= 2 && bytes.value() > 0 && index(c.group.front()) < fabric.device_count())
    c.cost.base += moe_call_cost(fabric.comm_profile(c.group.front()), kind, n);
  return c;
}

}  // namespace podsim::engine
