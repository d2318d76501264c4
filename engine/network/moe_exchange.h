#pragma once
// MoE dispatch and combine as their own operations: an all-to-all of the routed tokens
// (dispatch: every token's top_k copies to the ranks of their experts; combine: the
// experts' outputs back), whose size follows the token count, plus a fixed cost per call
// that a bare all-to-all of bytes does not have: the dispatcher quantises the tokens (INT8
// or FP8 dispatch), lays them out by expert, and exchanges the per-expert counts, a
// synchronisation whose depth grows with log2 of the expert-parallel width.
//
//   t = all-to-all of S (the library's terms, comm_tuner.h) + c0 + c1 log2(n)
//
// c0 and c1 are fitted per system on its published component measurement: the
// CloudMatrix384 paper's Table 7 (CANN dispatch and combine of 128 tokens per die,
// EP8 to EP256; docs/collectives.md §4). Where nothing is published (NVIDIA's
// dispatchers on NVLink) they are 0 and the exchange is the bare all-to-all.
#include <vector>

#include "engine/network/collectives.h"
#include "engine/network/fabric.h"
#include "engine/network/flow_network.h"

namespace podsim::engine {

class CollectiveMemo;

enum class MoeExchange : uint8_t { kDispatch, kCombine };

// The fixed cost of one call on `profile` for `ep` ranks (>= 1).
SimTime moe_call_cost(const CommProfile& profile, MoeExchange kind, size_t ep);

// The exchange of `bytes` per rank (S: every rank's tokens x top_k x hidden x element
// size) on `group`, as the library runs it, its fixed cost in the base latency. With a
// `memo` (collective_memo.h) the all-to-all's tuning is remembered there.
Collective moe_exchange(const Fabric& fabric, MoeExchange kind, std::vector<DeviceId> group, Bytes bytes,
                        const NetworkOptions& options, CollectiveMemo* memo = nullptr);

}  // namespace podsim::engine
