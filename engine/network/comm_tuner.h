#pragma once
// The collective a library would run: which algorithm and protocol NCCL or HCCL picks
// for an operation of a given size on a given group, and the latency and bandwidth
// terms it pays (CostTerms, collectives.h).
//
// NCCL (src/graph/tuning.cc, 2.30; docs/collectives.md §1 has the tables) predicts, for
// every (algorithm, protocol) it may use, time = latency + bytes / bandwidth and runs
// the fastest. Its latency is a base per (algorithm, protocol) plus a hardware latency
// per step, by link type (NVLink inside a domain, NET between), so a ring of n ranks
// pays 2(n-1) step latencies for an all-reduce; its bandwidth is the links' times a
// protocol factor (LL carries 4 data bytes in 8, LL128 120 in 128: NCCL uses 0.5 and
// 0.92). podsim does the same with its own closed form (collective_time) as the
// predictor, over the algorithms it simulates:
//
//   NCCL  all-reduce: ring x {LL, LL128, Simple}; in-switch (NVLS, Simple) inside one
//         NVLink SHARP domain; hierarchical (rings inside the domains and across them,
//         the shape of NCCL's tree and NVLS-tree across nodes) x {LL, LL128, Simple}
//         across equal domains. all-gather, reduce-scatter: ring x protocols.
//         all-to-all, send-recv: direct, Simple (NCCL's p2p path).
//   HCCL  all-reduce: ring, hierarchical, mesh (a switchless full mesh: Atlas 800T A2);
//         all-gather, reduce-scatter: ring, mesh; all-to-all, send-recv direct.
//         One protocol. Terms: a fixed cost per collective call (Huawei's msmodeling:
//         10 us; not for send-recv, a single UB read or write) and,
//         on the UB, 0.5 us of endpoint work per message (CloudMatrix384 Table 1:
//         512 B reads take 1.2 us intra-node and 1.9 us inter-node over 2 and 4 hops
//         of 0.35 us).
//   ideal (hand-made fabrics): the bare model, algorithm as before (in-switch, else
//         hierarchical across equal domains, else mesh on a full mesh, else ring), no
//         terms.
//
// Across domains NCCL also runs its double binary tree for all-reduce (every protocol;
// latency base + 2((m-1) L_intra + log2(k) L_inter) for m ranks in each of k domains,
// so it grows with the log of the domains, not with the ranks) and, for all-gather and
// reduce-scatter on groups of one rank per domain, PAT (Simple; base 8 us + 2.8 us per
// rank, log2(n) steps of L_inter / 3.5). Their bandwidth factors are tuning.cc's: tree
// 0.92 of the bus bandwidth (LL a further 1/3.8, LL128 120/128) times its size-indexed
// correction for medium sizes (treeCorrectionFactor); PAT 0.75 of it. With one rank per
// domain a ring also pays the tree's NET step latency (tuning.cc: "with ppn=1 latencies
// are fully exposed"). NCCL's tree on one node is a chain with the ring's step count;
// NCCL picks ring or NVLS there (nccl-tests issue 309), so podsim offers the tree only
// across domains.
//
// A ring across nodes runs as NCCL's channels: one ring per NIC of a node's ranks, the
// buffer split across them, fewer rings for small calls (nccl_ring_channels;
// collectives.h, "Channels"), so its node-crossing traffic leaves on every NIC.
//
// NCCL caps the bandwidth its model grants LL, LL128 and the tree (tuning.cc; docs/
// collectives.md §1.4): across nodes the ring's LL at llMaxBw for the whole bus (20.4
// GB/s beyond two Hopper nodes), the ring's LL128 at perChMaxRingLL128Bw a channel (36.7
// GB/s on Hopper, below NDR's 50), the tree at perChMaxTreeBw a channel (LL128:
// perChMaxTreeLL128Bw). podsim turns each ceiling into the most the protocol's bandwidth
// factor may be on the links the call crosses (nccl_ceiling_factors: a cap of C a channel
// over a NIC of rate B keeps C / B of it) and CHOOSES with them, as NCCL does; the call
// it chose then runs at the fraction of line rate nccl-tests measure (link_curves.h),
// since the ceilings are NCCL's model for choosing, not what a call achieves (on one H100
// node NCCL's LL at 1 MB measures 53 GB/s bus bandwidth, above what its 141 GB/s ceiling
// predicts with the call's latency). Inside one node no ceiling is applied: podsim's
// choice there already is NCCL's (ring LL to 1 MB, then NVLS; nccl-tests issue 309).
//
// LL128 runs on Ampere, Hopper and Blackwell (NCCL enables it from compute capability
// 7.0 on NVLink nodes), NVLS on Hopper and Blackwell NVSwitch
// domains (tuning.cc). Not modelled: CollNet and NVLS-tree as their own patterns (the
// hierarchical ring stands in), the NIC's own latency (latencyInter), the ring's
// "plateau" latency factor.
//
// Each candidate's bandwidth factor also carries the achieved fraction of line rate at
// the call's size on the fabric it crosses (link_curves.h), so the choice sees
// measured, not nominal, bandwidth.
#include <vector>

#include "engine/network/collectives.h"
#include "engine/network/fabric.h"
#include "engine/network/flow_network.h"

namespace podsim::engine {

class CollectiveMemo;

// The library's collective for `op` of `bytes` per rank on `group` (ranks in order; for
// send-recv {source, destination}): algorithm, protocol and cost terms filled in. The
// library is that of group's first device (Fabric::comm_profile). Ties go to the
// earlier candidate in the order above. Throws std::invalid_argument as collectives.h.
// With a `memo` (collective_memo.h; it must serve `fabric` and `options`) the candidates
// are costed through it: the same choice, each distinct candidate costed once.
Collective tune(const Fabric& fabric, CollectiveOp op, std::vector<DeviceId> group, Bytes bytes,
                const NetworkOptions& options, CollectiveMemo* memo = nullptr);

// The shape of a group as the library's latency model sees it: its ranks and the
// scale-up domains (NCCL's nodes) they lie in. {0, 0}: unknown (only the ring's and the
// tree's per-domain terms need it; a ring then pays the multi-rank-per-node latency).
struct GroupShape {
  size_t ranks = 0;
  size_t domains = 0;
  // Ranks in the group's smallest domain (0: unknown; then ranks / domains). NCCL's
  // channels: every node keeps the smallest node's ring count (init.cc).
  size_t smallest = 0;
};

// NCCL's distinct rings for a ring of `bytes` (S) across the domains of `shape` (at
// least m > 1 ranks in each: shape.smallest, or ranks / domains; else 1): one per rank's
// NIC up to 32 (search.cc; init.cc keeps the smallest node's count),
// fewer for a small call (enqueue.cc's channel tuning over the 2x duplicated channels;
// comm_tuner.cc has the constants). Exposed for tests.
size_t nccl_ring_channels(Protocol protocol, Bytes bytes, GroupShape shape);

// The line rates of a rank's links, bytes/s: into its own scale-up domain and out of it
// (its NIC). 0 = unknown: no ceiling is applied on that side.
struct RankRates {
  double scale_up = 0;
  double scale_out = 0;
};

// The largest bandwidth factors NCCL's ceilings leave `algorithm`/`protocol` inside the
// domains (intra) and across them (inter) for a group of `shape` whose ranks have
// `rates`, on `generation` (1 where no ceiling applies). Exposed for tests.
struct CeilingFactors {
  double intra = 1;
  double inter = 1;
};
CeilingFactors nccl_ceiling_factors(GpuGeneration generation, Algorithm algorithm, Protocol protocol, GroupShape shape,
                                    RankRates rates);

// The terms the library pays for `op` by (algorithm, protocol) on `profile` at `bytes`
// on a group of `shape` whose ranks have `rates` (exposed for tests and for ops that
// call a known algorithm).
CostTerms library_terms(const CommProfile& profile, CollectiveOp op, Algorithm algorithm, Protocol protocol,
                        Bytes bytes, GroupShape shape = {}, RankRates rates = {});

}  // namespace podsim::engine
