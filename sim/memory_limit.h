#pragma once
// Memory limits: a scenario that would need more memory than the machine has is
// refused up front, with the estimate and what to do instead, rather than killed by
// the kernel halfway through (docs/reliability.md, "Limits").
//
// The estimates are the largest structure of each kind times its measured cost per
// item (bench/README.md, 2026-11-29, peak RSS):
//   building a cluster: 20.7 kB per CloudMatrix384 NPU (16 supernodes, 6,144 NPUs:
//     127 MB) and 6.4 kB per HGX GPU (2,048 HGX H100, 16,384 GPUs: 104 MB); NVLink racks
//     13.5 kB per GPU and Atlas 800T A2 servers 8.5 kB per NPU, the peak RSS `podsim
//     topo PRESET --set cluster.pools[0].count=N` (3-tier radix-128 fat tree) adds per
//     device from a small N to a 5x larger one (2026-12-07, load ~10 on 2 cores):
//     NVL72, GB300 NVL72, NVL36x2 12.4-12.7 kB, NVL576 13.5 kB, Atlas 8.5 kB (HGX H100
//     6.9 kB, CloudMatrix384 20.1 kB: the figures above hold). Until then NVLink racks
//     and Atlas servers used the HGX figure, half an NVL72's: a cluster estimated at
//     the machine's memory needed twice it;
//   a flow-mode step: its largest all-to-all, n (n - 1) flows at once over the n ranks
//     of its EP group (or Ulysses CP group), 162 B per flow (6,144-rank all-to-all,
//     37.7 M flows: 6.1 GB). Rings and trees keep only n flows at once: negligible.
//
//   if (auto why = memory_refusal(cluster_build_bytes(params), "building the cluster", "fewer systems"))
//     problems.add("cluster.pools", *why);
#include <optional>
#include <string>
#include <string_view>

#include "topologies/params.h"
#include "workloads/model.h"
#include "workloads/parallel_plan.h"

namespace podsim::sim {

// Bytes to build the cluster's graph, routes and views: the sum of its pools'.
double cluster_build_bytes(const topologies::ClusterParams& params);
double pool_build_bytes(const topologies::PoolParams& pool);

// Ranks of the largest all-to-all in one step of `plan` (1 if it has none).
double largest_all_to_all(const workloads::Plan& plan);
// Ranks of the largest all-to-all of any plan the auto-planner may choose for `model`
// on `devices` (workloads/planner.cc's search): an EP group, a power of two dividing
// both the experts and dp (so at most the devices; 4 and up, or 1); the planner's CP is
// ring attention, no all-to-all. 1 for a dense model or a DiT. The bound a run is
// estimated at before the planner has chosen (scenario/compare_run.h): DeepSeek-V3's
// 256 experts on 1,152 GPUs, 128 ranks (the planner chose EP32 on 16 NVL72 racks).
double largest_auto_all_to_all(const workloads::ModelSpec& model, int devices);
// Bytes of the flows of one all-to-all over `ranks` ranks, all in flight at once.
double all_to_all_flow_bytes(double ranks);

// What podsim may still allocate, in bytes: MemAvailable of /proc/meminfo, or less when
// the process runs under an address-space limit (`ulimit -v`, RLIMIT_AS): the limit less
// what the process has mapped already (/proc/self/statm), since an allocation past it
// fails however much memory the machine has. Nullopt where neither can be read (then
// nothing is refused).
std::optional<double> available_memory_bytes();
// Which of the two available_memory_bytes() is, for messages: "MemAvailable", or
// "under the address-space limit, ulimit -v".
std::string available_memory_source();

// nullopt if `needed` bytes fit in `available` (default: available_memory_bytes());
// else one line: "<what> needs ~X (<how>) but this machine has Y available
// (MemAvailable); expected <instead>".
std::optional<std::string> memory_refusal(double needed, std::string_view what, std::string_view how,
                                          std::string_view instead,
                                          std::optional<double> available = available_memory_bytes(),
                                          const std::string& source = available_memory_source());

// "1.5 GB", "178 TB": decimal units, three significant digits.
std::string format_bytes(double bytes);

}  // namespace podsim::sim
