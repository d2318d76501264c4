#include "engine/network/comm_tuner.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <utility>

#include "engine/network/collective_memo.h"
#include "engine/network/link_curves.h"

namespace podsim::engine {

namespace {

constexpr double kUs = 1e-6;

// NCCL's default tables (src/graph/tuning.cc, NCCL 2.30.7; docs/collectives.md §1.1-1.2),
// in microseconds, by protocol {LL, LL128, Simple}.
constexpr double kNcclRingBase[3] = {6.6, 14.0, 8.4};
constexpr double kNcclRingNvlink[3] = {0.6, 1.9, 3.4};  // per step inside an NVLink domain
constexpr double kNcclRingNet[3] = {2.7, 4.0, 14.0};    // per step across the network
constexpr double kNcclNvlsNvlink = 25;                  // NVLS, Simple; its base is 0
// Bandwidth kept by each protocol (tuning.cc: Ring LL 0.5 x bw, LL128 0.92 x bw).
constexpr double kNcclProtocolFactor[3] = {0.5, 0.92, 1.0};
// The double binary tree (tuning.cc, same tables): base, per step inside an NVLink
// domain and across the network, in us by protocol {LL, LL128, Simple}.
constexpr double kNcclTreeBase[3] = {6.8, 14.0, 8.4};
constexpr double kNcclTreeNvlink[3] = {0.6, 1.25, 4.0};
constexpr double kNcclTreeNet[3] = {5.0, 8.5, 14.0};
// Tree all-reduce bandwidth (tuning.cc): 0.92 of the bus bandwidth for every protocol,
// then LL x 1/3.8 and LL128 x 120/128 (more than one node; 7/9 on one).
constexpr double kNcclTreeFactor[3] = {0.92 / 3.8, 0.92 * 120 / 128, 0.92};
// tuning.cc's treeCorrectionFactor: the tree's measured shortfall at medium sizes
// ("trees are not perfectly sticking to the model for medium sizes"), by protocol, at
// index floor(log2(S / 64 B)) for 64 B <= S < 512 MB; 1 outside.
constexpr double kNcclTreeCorrection[3][23] = {
    {1.0, 1.0, 1.0, 1.0, .9, .8, .7, .7, .7, .7, .6, .5, .4, .4, .5, .6, .7, .8, .9, 1.0, 1.0, 1.0, 1.0},
    {1.0, 1.0, 1.0, 1.0, 1.0, .9, .8, .8, .8, .7, .6, .6, .6, .6, .6, .6, .8, .9, .9, .9, .9, 1.0, 1.0},
    {.9, .9, .9, .9, .9, .9, .9, .8, .7, .6, .6, .5, .5, .5, .5, .6, .7, .8, .7, .7, .8, .9, .9}};
// PAT (tuning.cc; Simple only, one GPU per node): base 8 us, a linear 2.8 us per rank,
// and per step the tree's NET latency / 3.5 (14 / 3.5 = 4 us); bandwidth 0.75 of the
// bus bandwidth, applied to the whole buffer S (no (n-1)/n).
constexpr double kNcclPatBase = 8.0;
constexpr double kNcclPatPerRank = 2.8;
constexpr double kNcclPatStepDivisor = 3.5;
constexpr double kNcclPatFactor = 0.75;
// Simple's all-reduce chunk: NCCL_BUFFSIZE 4 MiB / NCCL_STEPS 8 x ALLREDUCE_CHUNKSTEPS 4
// (src/init.cc, device.h, collectives.h); used for every protocol (LL and LL128 run
// at sizes where the pipeline hardly matters).
constexpr double kNcclChunkBytes = 2.0 * 1024 * 1024;

// Channels (collectives.h, "Channels"). The ring search finds one ring per NIC (each
// channel takes a NIC's speed, search.cc ncclTopoSearchRecNet), at most MAXCHANNELS / 2
// = 32 (init.cc: ringGraph->maxChannels); ncclTopoPostset (connect.cc) duplicates them,
// so the communicator has twice as many channels, at most MAXCHANNELS = 64. A call uses
// fewer when it is small (enqueue.cc, "Ring/Tree channel tuning"): while S < nc x nt x
// threshold, nc--, with nt the protocol's threads (NCCL_SIMPLE_MAX_NTHREADS and
// NCCL_LL_MAX_NTHREADS 512, NCCL_LL128_MAX_NTHREADS 640: device.h) and threshold
// NCCL_SIMPLE_THREAD_THRESHOLD 64, NCCL_LL128_THREAD_THRESHOLD 8, and for the ring's LL
// NCCL_LL_THREAD_THRESHOLD 8 x nRanks (comm.h, tuning.cc).
constexpr size_t kNcclMaxSearchChannels = 32;
constexpr size_t kNcclMaxChannels = 64;
constexpr double kNcclThreads[3] = {512, 640, 512};      // {LL, LL128, Simple}
constexpr double kNcclThreadThreshold[3] = {8, 8, 64};  // LL: times the ranks, for a ring

// NCCL's bandwidth ceilings (tuning.cc, NCCL 2.30.7; docs/collectives.md §1.4), GB/s,
// by generation {Ampere, Hopper, Blackwell} and, where NCCL indexes them so, by nodes
// {1, 2, more}. llMaxBws is LL's ceiling for the whole bus; across nodes NCCL indexes it
// by host CPU (AMD {22.5, 19.0} for 2 and more nodes, others {39.0, 20.4}): podsim takes
// AMD's for Ampere (DGX A100 and Selene run EPYC hosts), the other for Hopper (DGX
// H100's Xeon) and Blackwell (Grace). The others are per channel.
constexpr double kNcclLlMaxNodes[3][2] = {{22.5, 19.0}, {39.0, 20.4}, {39.0, 20.4}};
constexpr double kNcclPerChRingLl128[3] = {20.0, 36.7, 40.0};
constexpr double kNcclPerChTree[3][3] = {{24.0, 23.6, 17.8}, {38.7, 41.4, 36.0}, {70.0, 42.8, 24.0}};
constexpr double kNcclPerChTreeLl128[3][3] = {{20.0, 20.0, 20.0}, {36.7, 36.7, 29.0}, {55.6, 31.67, 20.0}};

// HCCL: Huawei's msmodeling charges a static 10 us per communication op (Ascend/
// msmodeling tensor_cast/device.py; hardware.md §2.1 [S3]). On the UB a message pays
// 0.5 us at the endpoints beyond its hops: CloudMatrix384 Table 1 (arXiv 2506.12708 v2)
// measures 512 B reads at 1.2 us intra-node and 1.9 us inter-node, over 2 and 4 links of
// 0.35 us (params.h): 1.2 - 0.7 = 1.9 - 1.4 = 0.5.
constexpr double kHcclBaseUs = 10;
constexpr double kUbEndpointUs = 0.5;

size_t proto_index(Protocol p) {
  switch (p) {
    case Protocol::kLL: return 0;
    case Protocol::kLL128: return 1;
    case Protocol::kSimple: return 2;
  }
  return 2;
}

SimTime us(double v) { return SimTime::seconds_ceil(v * kUs); }

bool one_domain(const Fabric& f, const std::vector<DeviceId>& g) {
  for (DeviceId d : g)
    if (f.domain(d) != f.domain(g.front())) return false;
  return true;
}

bool in_switch_ok(const Fabric& f, const std::vector<DeviceId>& g) {
  if (!one_domain(f, g)) return false;
  for (DeviceId d : g)
    if (!f.switch_path(d)) return false;
  return true;
}

// Equal numbers of ranks, more than one, in each of several domains.
bool hierarchical_ok(const Fabric& f, const std::vector<DeviceId>& g) {
  if (one_domain(f, g)) return false;
  std::map<uint32_t, size_t> per;
  for (DeviceId d : g) ++per[f.domain(d)];
  const size_t m = per.begin()->second;
  for (const auto& [dom, n] : per)
    if (n != m) return false;
  return m > 1;
}

// Every pair has its own direct link: a switchless full mesh.
bool full_mesh(const Fabric& f, const std::vector<DeviceId>& g) {
  if (g.size() <= 2) return false;
  for (size_t a = 0; a < g.size(); ++a)
    for (size_t b = 0; b < g.size(); ++b)
      if (a != b && f.route(g[a], g[b]).size() != 1) return false;
  return true;
}

struct Candidate {
  Algorithm algorithm;
  Protocol protocol;
};

// floor(log2 v) for v >= 1 (tuning.cc's log2i).
double log2_floor(size_t v) { return v <= 1 ? 0 : static_cast<double>(std::bit_width(v) - 1); }

double tree_correction(size_t proto, Bytes bytes) {
  const double units = std::floor(bytes.value() / 64);
  if (units < 1) return 1;
  const auto i = static_cast<size_t>(std::floor(std::log2(units)));
  return i < 23 ? kNcclTreeCorrection[proto][i] : 1;
}

// The first rank's line rates (the slowest link of its route, at the network's
// link_efficiency) to the nearest peer inside its domain and outside it; 0 if none.
RankRates rates_of(const Fabric& f, const std::vector<DeviceId>& g, const NetworkOptions& options) {
  RankRates r;
  for (size_t i = 1; i < g.size() && (r.scale_up == 0 || r.scale_out == 0); ++i) {
    const bool inside = f.domain(g[i]) == f.domain(g.front());
    double& rate = inside ? r.scale_up : r.scale_out;
    if (rate > 0) continue;
    double slowest = 0;
    for (LinkId l : f.route(g.front(), g[i])) {
      const double c = f.links()[index(l)].capacity.value() * options.link_efficiency;
      slowest = slowest == 0 ? c : std::min(slowest, c);
    }
    rate = slowest;
  }
  return r;
}

// The group's ranks and domains; domains = 0 when the domains hold unequal counts.
GroupShape shape_of(const Fabric& f, const std::vector<DeviceId>& g) {
  std::map<uint32_t, size_t> per;
  for (DeviceId d : g) ++per[f.domain(d)];
  size_t smallest = g.size();
  bool equal = true;
  for (const auto& [dom, n] : per) {
    smallest = std::min(smallest, n);
    equal &= n == per.begin()->second;
  }
  return {g.size(), equal ? per.size() : 0, smallest};
}

}  // namespace

size_t nccl_ring_channels(Protocol protocol, Bytes bytes, GroupShape shape) {
  const size_t m = shape.smallest > 0 ? shape.smallest : (shape.domains > 0 ? shape.ranks / shape.domains : 0);
  if (m < 2 || shape.ranks <= m) return 1;
  const size_t search = std::min(m, kNcclMaxSearchChannels);
  const size_t k = proto_index(protocol);
  const double threshold =
      kNcclThreadThreshold[k] * (protocol == Protocol::kLL ? static_cast<double>(shape.ranks) : 1.0);
  size_t nc = std::min(2 * search, kNcclMaxChannels);
  while (nc >= 2 && bytes.value() < static_cast<double>(nc) * kNcclThreads[k] * threshold) --nc;
  return std::min(search, nc);
}

CeilingFactors nccl_ceiling_factors(GpuGeneration generation, Algorithm algorithm, Protocol protocol, GroupShape shape,
                                    RankRates rates) {
  size_t gen = 0;
  switch (generation) {
    case GpuGeneration::kAmpere: gen = 0; break;
    case GpuGeneration::kHopper: gen = 1; break;
    case GpuGeneration::kBlackwell: gen = 2; break;
    case GpuGeneration::kAscend: return {};
  }
  // Across nodes only. Inside one node podsim's closed forms for LL and NVLS already
  // choose as NCCL does (LL to 1 MB, then NVLS, on 8 H100: nccl-tests issue 309) and
  // take nccl-tests' times (link_curves_test); LL's 141 GB/s ceiling alone would tip
  // 1 MB calls to NVLS.
  if (shape.ranks < 2 || shape.domains == 1) return {};
  // Nodes as NCCL indexes its tables: 2 or more (unequal domains: more than two).
  const size_t column = shape.domains == 2 ? 1 : 2;
  const double ll_max = kNcclLlMaxNodes[gen][column - 1];
  // The search's channels: one ring per rank's NIC of the smallest node, at most 32
  // (nccl_ring_channels for large calls); NCCL's bus bandwidth is theirs together.
  const size_t m = shape.smallest > 0 ? shape.smallest : (shape.domains > 0 ? shape.ranks / shape.domains : 1);
  const double channels = static_cast<double>(std::clamp<size_t>(m, 1, kNcclMaxSearchChannels));
  // A bus ceiling of `bus_gbs` as the largest factor on links that give the bus `rate`
  // at factor 1: a rank's scale-up links inside, its ring's NICs across.
  auto cap = [&](double bus_gbs) {
    auto keep = [&](double rate) { return rate > 0 ? std::min(1.0, bus_gbs * 1e9 / rate) : 1.0; };
    return CeilingFactors{keep(rates.scale_up), keep(channels * rates.scale_out)};
  };
  const bool ring_like = algorithm == Algorithm::kRing || algorithm == Algorithm::kHierarchical;
  if (ring_like && protocol == Protocol::kLL) return cap(ll_max);
  if (ring_like && protocol == Protocol::kLL128) return cap(channels * kNcclPerChRingLl128[gen]);
  if (algorithm == Algorithm::kDoubleTree) {
    const double tree = channels * kNcclPerChTree[gen][column];
    switch (protocol) {
      case Protocol::kSimple: return cap(tree);
      case Protocol::kLL: return cap(std::min(tree / 3.8, ll_max));
      case Protocol::kLL128: return cap(std::min(tree * 120 / 128, channels * kNcclPerChTreeLl128[gen][column]));
    }
  }
  return {};
}

CostTerms library_terms(const CommProfile& p, CollectiveOp op, Algorithm algorithm, Protocol protocol, Bytes bytes,
                        GroupShape shape, RankRates rates) {
  CostTerms t;
  const bool p2p_op = op == CollectiveOp::kSendRecv;
  const CurveKind kind = algorithm == Algorithm::kInSwitch ? CurveKind::kInSwitch : CurveKind::kLinks;
  switch (p.library) {
    case CommLibrary::kIdeal: return t;
    case CommLibrary::kNccl: {
      const size_t k = proto_index(protocol);
      const bool one_per_domain = shape.ranks >= 2 && shape.domains == shape.ranks;
      double factor = kNcclProtocolFactor[k];
      double correction = 1;  // the tree's, by size
      if (algorithm == Algorithm::kInSwitch) {
        t.step_intra = us(kNcclNvlsNvlink);
      } else if (algorithm == Algorithm::kDoubleTree) {
        // One pipelined step (collectives.h) that pays the whole tree's latency.
        const size_t domains = std::max<size_t>(shape.domains, 1);
        const double m = static_cast<double>(std::max<size_t>(shape.ranks, domains) / domains);
        t.base = us(kNcclTreeBase[k]);
        t.step_intra = t.step_inter = us(2 * ((m - 1) * kNcclTreeNvlink[k] + log2_floor(domains) * kNcclTreeNet[k]));
        factor = kNcclTreeFactor[k];
        if (protocol == Protocol::kLL128 && domains == 1) factor = kNcclTreeFactor[2] * 7 / 9;
        correction = tree_correction(k, bytes);
      } else if (algorithm == Algorithm::kPat) {
        t.base = us(kNcclPatBase + kNcclPatPerRank * static_cast<double>(shape.ranks));
        t.step_intra = t.step_inter = us(kNcclTreeNet[2] / kNcclPatStepDivisor);
        // NCCL moves the whole S at 0.75 of the bus bandwidth; podsim's steps move
        // (n-1)/n S per rank, so the factor carries (n-1)/n to keep NCCL's time.
        const double n = static_cast<double>(std::max<size_t>(shape.ranks, 2));
        factor = kNcclPatFactor * (n - 1) / n;
      } else {
        t.base = us(kNcclRingBase[k]);
        t.step_intra = us(kNcclRingNvlink[k]);
        // One rank per node: every step crosses the network at the tree's NET latency
        // (tuning.cc: "with ppn=1 latencies are fully exposed").
        t.step_inter = us(one_per_domain ? kNcclTreeNet[k] : kNcclRingNet[k]);
        // Across nodes, one ring per NIC of the node's ranks (collectives.h, "Channels").
        if (algorithm == Algorithm::kRing) t.channels = nccl_ring_channels(protocol, bytes, shape);
      }
      t.base += call_overhead(p.scale_up);
      // NCCL pipelines its hierarchical algorithms in chunks of NCCL_BUFFSIZE (4 MiB) /
      // NCCL_STEPS (8) x ALLREDUCE_CHUNKSTEPS (4) = 2 MiB (collectives.h). Channels are
      // not modelled, so the fill is that of one channel's chunk.
      if (algorithm == Algorithm::kHierarchical) t.pipeline_chunk = Bytes(kNcclChunkBytes);
      // The measured fraction of line rate, but never above NCCL's ceiling; the tree's
      // correction by size applies to the capped bandwidth (tuning.cc applies it at
      // call time, after the ceilings).
      const CeilingFactors ceiling = nccl_ceiling_factors(p.generation, algorithm, protocol, shape, rates);
      t.intra_factor = std::min(factor * achieved_fraction(p.scale_up, kind, bytes), ceiling.intra) * correction;
      t.inter_factor =
          std::min(factor * achieved_fraction(p.scale_out, CurveKind::kLinks, bytes), ceiling.inter) * correction;
      return t;
    }
    case CommLibrary::kHccl:
      // A point-to-point transfer on the UB is a memory-semantic read or write, no
      // collective launch: Table 1's latencies are of such single operations.
      if (algorithm != Algorithm::kDirect || !p2p_op) t.base = us(kHcclBaseUs);
      if (p.scale_up == Interconnect::kUb) t.endpoint = us(kUbEndpointUs);
      t.intra_factor = achieved_fraction(p.scale_up, kind, bytes);
      t.inter_factor = achieved_fraction(p.scale_out, CurveKind::kLinks, bytes);
      return t;
  }
  return t;
}

Collective tune(const Fabric& fabric, CollectiveOp op, std::vector<DeviceId> group, Bytes bytes,
                const NetworkOptions& options, CollectiveMemo* memo) {
  using A = Algorithm;
  using P = Protocol;
  Collective c{.op = op, .algorithm = A::kRing, .group = std::move(group), .bytes = bytes, .sizes = {}};
  const bool p2p = op == CollectiveOp::kAllToAll || op == CollectiveOp::kAllToAllV || op == CollectiveOp::kSendRecv;
  if (p2p) c.algorithm = A::kDirect;
  if (c.group.empty() || index(c.group.front()) >= fabric.device_count()) return c;  // collective_time says why
  const CommProfile profile = fabric.comm_profile(c.group.front());
  const std::vector<DeviceId>& g = c.group;
  std::vector<Candidate> cands;
  const bool reduces = op == CollectiveOp::kAllReduce;
  const bool gathers = op == CollectiveOp::kAllGather || op == CollectiveOp::kReduceScatter;
  const GroupShape shape = shape_of(fabric, g);
  // Only calls across domains have ceilings (nccl_ceiling_factors).
  const RankRates rates = shape.domains == 1 ? RankRates{} : rates_of(fabric, g, options);
  if (g.size() < 2 || bytes.value() <= 0 || p2p || !(reduces || gathers)) {
    cands.push_back({c.algorithm, P::kSimple});
  } else if (profile.library == CommLibrary::kIdeal) {
    // The bare model's choice: in-switch, else hierarchical across equal domains, else
    // mesh on a switchless full mesh, else ring.
    A a = A::kRing;
    if (reduces && in_switch_ok(fabric, g)) a = A::kInSwitch;
    else if (reduces && hierarchical_ok(fabric, g)) a = A::kHierarchical;
    else if (full_mesh(fabric, g)) a = A::kMesh;
    cands.push_back({a, P::kSimple});
  } else if (profile.library == CommLibrary::kNccl) {
    // LL128 by default on Volta and later with NVLink inside the node and the NIC at most a
    // PCIe switch away (tuning.cc; NCCL 2.8.4 of 2021 already enabled compute capability
    // 7.0 and 8.0; HGX A100 and H100 boards put each NIC on its GPU's PCIe switch).
    // NVLS needs NVSwitch 3 (Hopper) or later.
    const bool ll128 = profile.generation != GpuGeneration::kAscend;
    const bool nvls = profile.generation == GpuGeneration::kHopper || profile.generation == GpuGeneration::kBlackwell;
    std::vector<P> protos = {P::kLL};
    if (ll128) protos.push_back(P::kLL128);
    protos.push_back(P::kSimple);
    for (P p : protos) cands.push_back({A::kRing, p});
    if (reduces && nvls && in_switch_ok(fabric, g)) cands.push_back({A::kInSwitch, P::kSimple});
    if (reduces && hierarchical_ok(fabric, g))
      for (P p : protos) cands.push_back({A::kHierarchical, p});
    // NCCL's double binary tree across equal domains; PAT with one rank per domain.
    if (reduces && shape.domains >= 2)
      for (P p : protos) cands.push_back({A::kDoubleTree, p});
    if (gathers && shape.domains == g.size()) cands.push_back({A::kPat, P::kSimple});
  } else {  // HCCL
    if (full_mesh(fabric, g)) cands.push_back({A::kMesh, P::kSimple});
    cands.push_back({A::kRing, P::kSimple});
    if (reduces && hierarchical_ok(fabric, g)) cands.push_back({A::kHierarchical, P::kSimple});
  }
  if (cands.size() == 1) {
    c.algorithm = cands[0].algorithm;
    c.protocol = cands[0].protocol;
    c.cost = library_terms(profile, op, c.algorithm, c.protocol, bytes, shape);
    return c;
  }
  // Simple candidates first; an LL or LL128 candidate is skipped when even its bandwidth
  // alone cannot beat the best so far: every ring or hierarchical algorithm makes rank 0
  // send 2(n-1)/n S (all-reduce) or (n-1)/n S through its own links, at best at the
  // candidate's larger bandwidth factor. Ties go to the earlier candidate of `cands`.
  const double nd = static_cast<double>(g.size());
  const double sent = bytes.value() * (reduces ? 2 : 1) * (nd - 1) / nd;
  double injection = 0;
  {
    std::vector<uint32_t> firsts;
    for (size_t i = 1; i < g.size(); ++i) {
      const std::vector<LinkId>& r = fabric.route(g[0], g[i]);
      if (!r.empty()) firsts.push_back(index(r.front()));
    }
    std::sort(firsts.begin(), firsts.end());
    firsts.erase(std::unique(firsts.begin(), firsts.end()), firsts.end());
    for (uint32_t l : firsts) injection += fabric.links()[l].capacity.value() * options.link_efficiency;
  }
  std::vector<size_t> order(cands.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_partition(order.begin(), order.end(), [&](size_t i) { return cands[i].protocol == P::kSimple; });
  SimTime best = SimTime::max();
  size_t best_index = cands.size();
  Collective chosen = c;
  for (size_t i : order) {
    const Candidate& k = cands[i];
    c.algorithm = k.algorithm;
    c.protocol = k.protocol;
    c.cost = library_terms(profile, op, k.algorithm, k.protocol, bytes, shape, rates);
    if (k.protocol != P::kSimple && injection > 0 && best != SimTime::max()) {
      const double factor = std::max(c.cost.intra_factor, c.cost.inter_factor);
      if (sent / (factor * injection) > best.to_seconds()) continue;
    }
    const SimTime t = collective_time(fabric, c, options, memo);
    if (t < best || (t == best && i < best_index)) {
      best = t;
      best_index = i;
      chosen = c;
    }
  }
  // The ceilings chose; the call then runs at what is measured (see the header).
  chosen.cost = library_terms(profile, op, chosen.algorithm, chosen.protocol, bytes, shape);
  return chosen;
}

}  // namespace podsim::engine
