#pragma once
// Collectives on a group of devices, in two modes that share one description:
//  - flow mode (run_collective): the collective expands into steps of flows on a
//    FlowNetwork; a step starts when the previous one has fully arrived;
//  - analytical mode (collective_time): a closed-form alpha-beta cost on the same
//    Fabric, where a pair's alpha is its route's hop latencies plus the per-message
//    overhead and its beta is 1 / (its bottleneck link * link_efficiency).
// On a fabric where no two flows of a step share a link, the two modes agree to the
// nanosecond rounding (tests); the flow mode adds contention.
//
// Sizes follow nccl-tests: S = Collective::bytes, n = group size.
//
//   op              algorithm          steps x bytes per flow         closed form (uniform a, B)
//   all-reduce      ring               2(n-1) x S/n                   2(n-1) (a + S/(nB))
//   all-reduce      halving-doubling   2 log2 n x S/2 ... S/n ... S/2 2 log2(n) a + 2 (n-1)/n S/B
//   all-reduce      tree (binomial)    2 ceil(log2 n) x S             2 ceil(log2 n) (a + S/B)
//   all-reduce      hierarchical       RS in domain, AR across, AG in  see below
//   all-reduce      in-switch (NVLS)   1 x (S up + S down per rank)   a + S/B
//   reduce-scatter  ring / h-d         n-1 x S/n / log2 n x S/2..S/n  (n-1)(a + S/(nB)) / ...
//   all-gather      ring / h-d         same as reduce-scatter          same
//   all-to-all      direct             1 x S/n, n(n-1) flows at once   a + max link load / capacity
//   all-to-all-v    direct             1 x sizes[i][j]                 same (a lower bound)
//   all-reduce      mesh               2 x S/n, n(n-1) flows each      2 (a + S/(nB)) per peer link
//   reduce-scatter, all-gather  mesh   1 x S/n, n(n-1) flows           a + S/(nB) per peer link
//   send-recv       direct             1 x S                          a + S/B
//   all-reduce      double tree        1 (pipelined) x S/m chain,     L + 2S/B (per rank, see below)
//                                      S/2m tree edges
//   all-gather      PAT (Bruck)        ceil(log2 n) x min(2^k, n-2^k)  sum (a + bytes_k/B) = ceil(log2 n) a
//   reduce-scatter                     S/n (reverse order for RS)      + (n-1)/n S/B
//
// Double binary tree (NCCL's tree all-reduce; Sanders, Speck, Traeff, "Two-tree
// algorithms for full bandwidth broadcast, reduction and scan", Parallel Computing 35(12),
// 2009; NCCL 2.4): m ranks in each of k domains. The buffer is cut into m parts, one per
// local rank i; part i is reduced up a chain inside every domain (starting at local
// rank i, so every rank heads one part and every NIC carries one) and up two binary
// trees over the k heads of local index i, each carrying half the part; the second tree
// is the first mirrored (k even) or shifted by one (k odd), so a node interior in one is
// a leaf in the other. The broadcast runs back down the same edges. NCCL pipelines both
// directions in chunks, so in the steady state every edge carries its bytes at once:
// podsim runs the whole tree as ONE step of concurrent flows (per chain edge S/m each
// way, per tree edge S/2m each way), whose time is the busiest link's bytes over its
// rate, and puts the pipeline's latency (NCCL's 2((m-1) L_intra + log2(k) L_inter),
// tuning.cc) in the step latency. A rank sends 2(m-1)/m S on its scale-up links and its
// head 2S/m on its NIC: the ring's volumes, with log latency. Transfers inside a domain
// move at intra_factor, between domains at inter_factor (the step is mixed).
//
// PAT (NCCL's "parallel aggregated trees" for all-gather and reduce-scatter with one
// rank per node, NCCL 2.23; a Bruck-style log-step algorithm: J. Bruck et al., "Efficient
// algorithms for all-to-all communications in multiport message-passing systems", IEEE
// TPDS 8(11), 1997): step k sends the min(2^k, n - 2^k) blocks of S/n gathered so far to
// the rank 2^k behind; reduce-scatter runs the steps in reverse. Each rank sends
// (n-1)/n S in all, as in a ring, in ceil(log2 n) steps instead of n - 1.
//
// Hierarchical (m ranks in each of k scale-up domains, Fabric::domain): ring
// reduce-scatter inside every domain ((m-1) steps of S/m), ring all-reduce across
// domains among ranks of equal local index (2(k-1) steps of S/(mk)), ring all-gather
// inside ((m-1) steps of S/m); parallel rings step together.
//
// Pipelined hierarchical phases (closed form only; CostTerms::pipeline_chunk > 0). NCCL
// cuts a buffer into chunks (Simple: NCCL_BUFFSIZE 4 MiB in NCCL_STEPS = 8 steps, 4
// steps to an all-reduce chunk, so 2 MiB per channel: src/include/collectives.h,
// device.h, init.cc) and each chunk moves on to the next stage as soon as it is done,
// so the three phases work on different chunks at once. With L_p and W_p the latency
// and bandwidth parts of phase p run alone (the sums of its steps' terms above), and C
// = S / chunk chunks (at least 1):
//
//   t = base + L_1 + L_2 + L_3 + W* + (W_1 + W_2 + W_3 - W*) / C,
//   W* = max(W_1 + W_3, W_2)
//
// the textbook pipeline ((C-1) chunks at the bottleneck's pace, one chunk through every
// stage). The reduce-scatter and all-gather share the links inside the domain, so
// their bandwidth parts add; the all-reduce across runs on the scale-out links beside
// them. At S <= chunk it is the sequential sum. Latency terms are not overlapped (an
// upper bound). Flow mode runs the phases one after the other: it is the sequential
// cost, the closed form's at pipeline_chunk = 0 (tests).
//
// Channels (NCCL's rings across nodes; CostTerms::channels = C > 1, ring algorithm, k > 1
// domains of m > 1 ranks each; with unequal domains m is each domain's own and C is at
// most the smallest, as NCCL keeps the smallest channel count of its nodes). NCCL does not run one ring over the group: its
// topology search (src/graph/search.cc, ncclTopoCompute / ncclTopoSearchRecNet, NCCL
// 2.30) builds one ring per NIC, "NET n -> GPU a -> .. -> GPU x -> NET n", each taking
// a NIC's whole speed, so a node of m GPUs with a NIC each gets m distinct rings whose
// node-crossing edges leave on m different NICs; ncclTopoPostset (connect.cc) then
// exchanges channel pairs on odd nodes ("alternate rings to avoid crossing rails") and
// duplicates every ring (same path, twice the CTAs). The buffer is split across the
// rings. podsim builds C distinct rings, ring c over the ranks of local index
// a = c m / C and b = a + 1 (mod m): even domains (in order of first appearance) run
// a, a-1, ..., b (descending, wrapping), odd domains b, b+1, ..., a, so each crossing
// edge joins two ranks of equal local index (a rail) except the wrap when k is odd.
// Every ring moves S/C in the ring's steps (chunk S/(nC)), all rings in step together:
// per step each rank sends one chunk over its NIC (rings exit on distinct ranks) and
// C - 1 over the scale-up links, so for C = m
//
//   t_AG = t_RS = (n-1) (a + S/(n m B_nic)),   t_AR = 2(n-1) (a + S/(n m B_nic))
//
// when the NIC binds (m B_nic below the scale-up rate), m times one ring's bandwidth.
// A transfer moves at inter_factor iff it crosses domains (intra_factor otherwise).
// Duplicated channels share their ring's links and add no bandwidth, so they are not
// built.
//
// Mesh (HCCL on a switchless full mesh, the Atlas 800T A2's HCCS): each rank sends its
// S/n share to all n-1 peers at once over its own links, the traffic of an all-to-all;
// an all-reduce is a reduce-scatter then an all-gather (HCCL user guide, "Collective
// Communication Algorithms").
//
// In-switch reduction (NVLink SHARP, NVLS): every rank streams S up to the switch,
// which reduces and multicasts S back down; the two directions overlap, so each rank
// sends and receives ~S once (DESIGN.md, "Collectives"; docs/hardware.md §5, NVL72).
//
// Analytical step cost: the slowest flow of the step, where a flow over route p with
// m bytes costs a_p + max over links l of p of (bytes the whole step puts on l) /
// (capacity_l * link_efficiency). Uncontended, that is a_p + m/B_p; for a symmetric
// step (ring, uniform all-to-all on a non-blocking fabric) it is exact too, since
// every flow's bottleneck carries equal flows for the whole step. For uneven
// all-to-all-v it ignores how max-min shares shift as flows finish, and is an
// estimate. Steps that repeat the previous one are costed once, so a ring costs O(n).
//
// Bad input (std::invalid_argument, before any flow starts): an empty group, a
// duplicate or unknown device, an algorithm the operation does not support, a
// non-power-of-two group for halving-doubling, unequal domains for hierarchical or the
// double tree, a group outside one in-switch domain for NVLS, a pair with no route. A
// group of one rank or S = 0 is a no-op that completes at once (costs 0).
#include <functional>
#include <vector>

#include "engine/network/fabric.h"
#include "engine/network/flow_network.h"
#include "engine/units.h"

namespace podsim::engine {

enum class CollectiveOp { kAllReduce, kReduceScatter, kAllGather, kAllToAll, kAllToAllV, kSendRecv };
enum class Algorithm { kRing, kHalvingDoubling, kTree, kHierarchical, kInSwitch, kDirect, kMesh, kDoubleTree, kPat };
// NCCL's protocols (Simple: bulk copies with a fence per chunk; LL: 8-byte stores of 4
// bytes of data and a 4-byte flag; LL128: 128-byte lines of 120 bytes of data and a
// flag). HCCL and the ideal model use Simple.
enum class Protocol : uint8_t { kSimple, kLL, kLL128 };

const char* to_string(CollectiveOp op);
const char* to_string(Algorithm a);
const char* to_string(Protocol p);

// What a collective library adds to the bare alpha-beta cost on the links; the tuner
// (comm_tuner.h) fills it in for the algorithm and protocol it picks. Zero terms and
// factors of 1 are the bare model. Per step, a transfer over route p costs
//
//   max(alpha_p, step latency) + endpoint + (bytes / bandwidth factor) / bandwidth
//
// where the step latency is `step_inter` for the steps that cross scale-up domains
// (for a ring over N domains, NCCL counts (N-1)/(n-1) of its steps so: tuning.cc) and
// `step_intra` for the others, and the bandwidth factor is `inter_factor` for steps
// with a transfer between domains, `intra_factor` otherwise (the double tree's one
// step is mixed: each transfer by its own endpoints). `base` is paid once, before the
// first step.
struct CostTerms {
  SimTime base;
  SimTime step_intra;
  SimTime step_inter;
  SimTime endpoint;
  double intra_factor = 1;  // in (0, 1]: payload / bytes on the wire, and achieved rate
  double inter_factor = 1;
  // Hierarchical all-reduce: the library's pipeline chunk (per rank; 0 = the phases run
  // one after another). See "Pipelined hierarchical phases" above.
  Bytes pipeline_chunk;
  // Ring across domains: the distinct rings ("Channels" above), in [1, 64]; 1 = one
  // ring over the group in its order. Ignored unless the group spans several domains
  // of at least 2 ranks each.
  size_t channels = 1;
};

struct Collective {
  CollectiveOp op = CollectiveOp::kAllReduce;
  Algorithm algorithm = Algorithm::kRing;
  // Ranks in order: ring neighbours are consecutive. For send-recv: {source, destination}.
  std::vector<DeviceId> group;
  // Per-rank buffer S (table above). Unused by all-to-all-v.
  Bytes bytes;
  // All-to-all-v only: n*n entries, sizes[i*n + j] = bytes rank i sends rank j (the
  // diagonal stays local). MoE dispatch is one matrix, combine its transpose.
  std::vector<Bytes> sizes;
  Protocol protocol = Protocol::kSimple;  // for reports: its terms are in `cost`
  CostTerms cost;
};

// Flow mode: starts `c` on `net` now; on_done runs (in an event) when its last step
// has arrived. `fabric` must outlive the run and describe the links `net` was built on.
// Throws std::invalid_argument on bad input, before any flow starts. Every flow it
// starts carries `flow_tag` (FlowSpec::tag), for a FlowObserver.
void run_collective(FlowNetwork& net, const Fabric& fabric, const Collective& c, std::function<void()> on_done,
                    uint64_t flow_tag = 0);

// Analytical mode: the closed-form time of `c` on `fabric`.
SimTime collective_time(const Fabric& fabric, const Collective& c, const NetworkOptions& options);

// Bus bandwidth as nccl-tests reports it (NCCL docs, "Performance reported by NCCL
// tests"): algbw = S / t, times 2(n-1)/n for all-reduce, (n-1)/n for reduce-scatter,
// all-gather and all-to-all, 1 for send-recv. Comparable across group sizes to the
// link bandwidth.
Bandwidth bus_bandwidth(CollectiveOp op, size_t n, Bytes bytes, SimTime t);

}  // namespace podsim::engine
