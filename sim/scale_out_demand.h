#pragma once
// The scale-out demand of a job: the bytes per step its DP, expert-DP, PP, EP and CP
// collectives move between scale-up domains on a given placement. The cluster run
// shares the scale-out fabric among jobs by this demand (sim/step_oracle.h,
// scheduler/fabric_contention.h).
//
// Ring order = rank order, as the step model runs its rings.
#include <functional>
#include <span>
#include <vector>

#include "engine/device.h"
#include "engine/network/fabric.h"
#include "workloads/job.h"
#include "workloads/parallel_plan.h"

namespace podsim::sim {

// Every transfer of one step between two devices of different domains, rank pair by
// rank pair, over every group of the plan (not one per stage): for group members
// g_0..g_{n-1} in rank order, a collective of per-rank size S sends
//   ring all-reduce                     2 (n - 1) / n S from g_i to g_{i+1 mod n};
//   ring all-gather / reduce-scatter    (n - 1) / n S  from g_i to g_{i+1 mod n};
//   CP ring attention (send-recv)       S              from g_i to g_{i+1 mod n};
//   all-to-all (EP, CP Ulysses)         S / n          from g_i to every g_j, j != i;
//   pipeline send                       S from a rank to the same rank of the next
//                                       stage (the previous one for the last stage).
// TP groups stay inside a domain and are not visited. `comms[s]`: comm_per_step of
// stage s. fn(src, dst, bytes) is called for the pairs in different domains only (a
// pair may be called several times).
using CrossingFn = std::function<void(engine::DeviceId src, engine::DeviceId dst, double bytes)>;
void for_each_crossing(const workloads::Plan& p, std::span<const std::vector<workloads::CommTotal>> comms,
                       std::span<const engine::DeviceId> placement, const engine::Fabric& fabric, const CrossingFn& fn);

// Bytes per step the whole job sends from one scale-up domain to another: the sum of
// for_each_crossing over its plan's stages.
// REQUIRES: placement holds job.plan.devices() devices of `fabric`.
double cross_domain_bytes_per_step(const workloads::TrainingJob& job, std::span<const engine::DeviceId> placement,
                                   const engine::Fabric& fabric);

}  // namespace podsim::sim
