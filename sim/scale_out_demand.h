#pragma once
// The scale-out demand of a job: the bytes per step its DP, expert-DP, PP and EP
// collectives move between scale-up domains on a given placement. The cluster run
// shares leaf uplinks among jobs by this demand (scheduler/cluster_run.h).
//
// Per rank and collective of per-rank size S over a group of n ranks (ring order = rank
// order, as the step model runs them):
//   ring all-reduce                  sends 2 (n - 1) / n S, of which the share of ring
//                                    hops that join two domains crosses;
//   ring all-gather / reduce-scatter (n - 1) / n S, the same share crossing;
//   all-to-all (EP dispatch/combine) (n - 1) / n S, the share to peers in other domains
//                                    crossing: (n - 1) / n S x other / (n - 1);
//   pipeline send                    crosses iff the neighbouring stage (the next; the
//                                    previous for the last) is in another domain.
// TP and CP traffic stays inside a domain by construction and is not counted.
// Every device of a stage sends alike, so the job's total is the sum over stages of
// one device's crossing bytes times devices / pp.
#include <span>

#include "engine/device.h"
#include "engine/network/fabric.h"
#include "workloads/job.h"
#include "workloads/parallel_plan.h"

namespace podsim::sim {

// The share of `c`'s bytes (one device of `stage`) that crosses domains, as above.
double crossing_share(const workloads::Plan& p, const workloads::CommTotal& c, int stage,
                      std::span<const engine::DeviceId> placement, const engine::Fabric& fabric);

// Bytes per step the whole job sends from one scale-up domain to another.
// REQUIRES: placement holds job.plan.devices() devices of `fabric`.
double cross_domain_bytes_per_step(const workloads::TrainingJob& job, std::span<const engine::DeviceId> placement,
                                   const engine::Fabric& fabric);

}  // namespace podsim::sim
