#include "engine/network/collectives.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "engine/check.h"

namespace podsim::engine {

namespace {

// Which links a transfer takes: device to device, or one leg of an in-switch reduction.
enum class Leg : uint8_t { kPeer, kToSwitch, kFromSwitch };

struct Transfer {
  DeviceId src;
  DeviceId dst;
  double bytes;
  Leg leg = Leg::kPeer;
};

// A step: `count` transfers that start together; the next step waits for all of them.
// Steps are generated, not stored: an all-to-all on 6,144 ranks is one step of 37.7 M.
struct Step {
  size_t count = 0;
  std::function<Transfer(size_t)> transfer;
  // Same transfers as the previous step: already validated, same analytical cost.
  bool repeats_previous = false;
  // Some transfer goes between scale-up domains: the step moves its bytes at
  // CostTerms::inter_factor (else intra_factor).
  bool crosses = false;
  // The step pays CostTerms::step_inter (else step_intra).
  bool inter = false;
  // Hierarchical all-reduce: 1 reduce-scatter inside, 2 all-reduce across, 3 all-gather
  // inside (CostTerms::pipeline_chunk); 0 for every other step.
  uint8_t phase = 0;
  // Each transfer moves at inter_factor iff its endpoints lie in different domains, not
  // by `crosses` (the double tree's one step holds chain and tree edges).
  bool mixed = false;
  // Same transfers as the previous step, other flags (a ring's first intra-domain step
  // after its inter-domain ones): the closed form reuses each transfer's hop latency and
  // bandwidth time and only re-takes the step latency.
  bool same_transfers = false;
};

// NCCL's MAXCHANNELS (src/include/device.h, NCCL 2.30).
constexpr size_t kMaxChannels = 64;

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("collective: " + what); }

std::string name(DeviceId d) { return "device " + std::to_string(index(d)); }

void validate_group(const Fabric& fabric, const Collective& c) {
  if (c.group.empty()) bad(std::string(to_string(c.op)) + " on an empty group");
  std::vector<bool> seen(fabric.device_count(), false);
  for (DeviceId d : c.group) {
    if (index(d) >= fabric.device_count())
      bad(name(d) + " does not exist (the fabric has " + std::to_string(fabric.device_count()) + ")");
    if (seen[index(d)]) bad(name(d) + " appears twice in the group");
    seen[index(d)] = true;
  }
  if (!(c.bytes.value() >= 0) || !std::isfinite(c.bytes.value())) bad("bytes must be finite and >= 0");
  const CostTerms& t = c.cost;
  if (t.base < SimTime::zero() || t.step_intra < SimTime::zero() || t.step_inter < SimTime::zero() ||
      t.endpoint < SimTime::zero())
    bad("cost latencies must be >= 0");
  if (!(t.intra_factor > 0 && t.intra_factor <= 1) || !(t.inter_factor > 0 && t.inter_factor <= 1))
    bad("cost bandwidth factors must be in (0, 1]");
  if (!(t.pipeline_chunk.value() >= 0) || !std::isfinite(t.pipeline_chunk.value()))
    bad("cost pipeline chunk must be finite and >= 0");
  if (t.channels < 1 || t.channels > kMaxChannels)
    bad("cost channels must be in [1, " + std::to_string(kMaxChannels) + "], got " + std::to_string(t.channels));
}

// True iff the ranks lie in more than one scale-up domain.
bool spans(const Fabric& fabric, const std::vector<DeviceId>& ranks) {
  for (DeviceId d : ranks)
    if (fabric.domain(d) != fabric.domain(ranks.front())) return true;
  return false;
}

size_t domain_count(const Fabric& fabric, const std::vector<DeviceId>& ranks) {
  std::vector<uint32_t> doms;
  for (DeviceId d : ranks) doms.push_back(fabric.domain(d));
  std::sort(doms.begin(), doms.end());
  return static_cast<size_t>(std::unique(doms.begin(), doms.end()) - doms.begin());
}

void check_supported(const Collective& c) {
  using A = Algorithm;
  bool ok = false;
  switch (c.op) {
    case CollectiveOp::kAllReduce:
      ok = c.algorithm == A::kRing || c.algorithm == A::kHalvingDoubling || c.algorithm == A::kTree ||
           c.algorithm == A::kHierarchical || c.algorithm == A::kInSwitch || c.algorithm == A::kMesh ||
           c.algorithm == A::kDoubleTree;
      break;
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather:
      ok = c.algorithm == A::kRing || c.algorithm == A::kHalvingDoubling || c.algorithm == A::kMesh ||
           c.algorithm == A::kPat;
      break;
    case CollectiveOp::kAllToAll:
    case CollectiveOp::kAllToAllV:
    case CollectiveOp::kSendRecv:
      ok = c.algorithm == A::kDirect;
      break;
  }
  if (!ok) bad(std::string(to_string(c.op)) + " has no " + to_string(c.algorithm) + " algorithm");
  if (c.op == CollectiveOp::kSendRecv && c.group.size() != 2) bad("send-recv needs a group of {source, destination}");
  if (c.op == CollectiveOp::kAllToAllV && c.sizes.size() != c.group.size() * c.group.size())
    bad("all-to-all-v needs n*n sizes, got " + std::to_string(c.sizes.size()));
  for (Bytes b : c.sizes)
    if (!(b.value() >= 0) || !std::isfinite(b.value())) bad("all-to-all-v sizes must be finite and >= 0");
}

// `steps` ring steps over `ranks` (each sends `chunk` to its successor). A ring over N
// domains pays the inter-domain step latency on steps (N-1)/(n-1) of its steps, the
// first ones, as NCCL's latency model counts them (tuning.cc: nInter = 2(N-1) of the
// 2(n-1) steps of an all-reduce, N-1 of n-1 for all-gather and reduce-scatter); every
// step moves bytes between domains when N > 1.
void ring(std::vector<Step>& out, const Fabric& fabric, std::vector<DeviceId> ranks, double chunk, size_t steps) {
  const size_t n = ranks.size();
  if (n < 2) return;
  const size_t domains = domain_count(fabric, ranks);
  const size_t inter = steps * (domains - 1) / (n - 1);
  auto r = std::make_shared<const std::vector<DeviceId>>(std::move(ranks));
  for (size_t s = 0; s < steps; ++s) {
    out.push_back({n, [r, n, chunk](size_t i) { return Transfer{(*r)[i], (*r)[(i + 1) % n], chunk}; },
                   s > 0 && s != inter, domains > 1, s < inter});
    out.back().same_transfers = s > 0 && s == inter;
  }
}

// Recursive halving (reduce-scatter): log2 n steps, partner at distance n/2, n/4, ...,
// 1, exchanging S/2, S/4, ..., S/n (Thakur, Rabenseifner, Gropp, "Optimization of
// Collective Communication Operations in MPICH", IJHPCA 19(1), 2005, §4.4).
void halving(std::vector<Step>& out, const std::vector<DeviceId>& ranks, double bytes, bool cross) {
  auto r = std::make_shared<const std::vector<DeviceId>>(ranks);
  const size_t n = ranks.size();
  double chunk = bytes;
  for (size_t d = n / 2; d >= 1; d /= 2) {
    chunk /= 2;
    out.push_back({n, [r, d, chunk](size_t i) { return Transfer{(*r)[i], (*r)[i ^ d], chunk}; }, false, cross, cross});
  }
}

// Recursive doubling (all-gather): the mirror image, S/n first at distance 1.
void doubling(std::vector<Step>& out, const std::vector<DeviceId>& ranks, double bytes, bool cross) {
  auto r = std::make_shared<const std::vector<DeviceId>>(ranks);
  const size_t n = ranks.size();
  double chunk = bytes / static_cast<double>(n);
  for (size_t d = 1; d < n; d *= 2, chunk *= 2)
    out.push_back({n, [r, d, chunk](size_t i) { return Transfer{(*r)[i], (*r)[i ^ d], chunk}; }, false, cross, cross});
}

// Binomial tree rooted at rank 0: reduce (rank i + 2^k sends S to rank i, for i a
// multiple of 2^(k+1)), then broadcast down the same edges in reverse.
void binomial_tree(std::vector<Step>& out, const std::vector<DeviceId>& ranks, double bytes, bool cross) {
  auto r = std::make_shared<const std::vector<DeviceId>>(ranks);
  const size_t n = ranks.size();
  std::vector<size_t> dists;
  for (size_t d = 1; d < n; d *= 2) dists.push_back(d);
  auto level = [&](size_t d, bool up) {
    const size_t count = (n - d + 2 * d - 1) / (2 * d);  // i = 0, 2d, 4d, ... with i + d < n
    out.push_back({count, [r, d, bytes, up](size_t k) {
                     const DeviceId parent = (*r)[2 * d * k], child = (*r)[2 * d * k + d];
                     return up ? Transfer{child, parent, bytes} : Transfer{parent, child, bytes};
                   },
                   false, cross, cross});
  };
  for (size_t d : dists) level(d, true);
  for (auto it = dists.rbegin(); it != dists.rend(); ++it) level(*it, false);
}

// Runs independent step lists (one per domain, or per local rank) side by side: step
// k of the result is step k of every list.
void in_parallel(std::vector<Step>& out, std::vector<std::vector<Step>> lists) {
  size_t steps = 0;
  for (const auto& l : lists) steps = std::max(steps, l.size());
  for (size_t k = 0; k < steps; ++k) {
    auto parts = std::make_shared<std::vector<Step>>();
    std::vector<size_t> ends;
    bool repeats = true, crosses = false, inter = false;
    for (auto& l : lists) {
      if (k >= l.size() || l[k].count == 0) continue;
      repeats &= l[k].repeats_previous;
      crosses |= l[k].crosses;
      inter |= l[k].inter;
      parts->push_back(l[k]);
      ends.push_back((ends.empty() ? 0 : ends.back()) + l[k].count);
    }
    if (parts->empty()) continue;
    auto e = std::make_shared<const std::vector<size_t>>(std::move(ends));
    out.push_back({e->back(),
                   [parts, e](size_t i) {
                     const auto p = static_cast<size_t>(std::upper_bound(e->begin(), e->end(), i) - e->begin());
                     return (*parts)[p].transfer(i - (p == 0 ? 0 : (*e)[p - 1]));
                   },
                   repeats && k > 0, crosses, inter});
  }
}

// The ranks by domain, domains in order of first appearance, local rank = position
// inside the domain.
std::vector<std::vector<DeviceId>> by_domain(const Fabric& fabric, const std::vector<DeviceId>& ranks) {
  std::vector<std::vector<DeviceId>> domains;
  std::unordered_map<uint32_t, size_t> slot;
  for (DeviceId d : ranks) {
    auto [it, fresh] = slot.try_emplace(fabric.domain(d), domains.size());
    if (fresh) domains.emplace_back();
    domains[it->second].push_back(d);
  }
  return domains;
}

// by_domain, where every domain must hold as many ranks (`what` names the algorithm).
std::vector<std::vector<DeviceId>> equal_domains(const Fabric& fabric, const std::vector<DeviceId>& ranks,
                                                 const char* what) {
  std::vector<std::vector<DeviceId>> domains = by_domain(fabric, ranks);
  for (const auto& dom : domains)
    if (dom.size() != domains.front().size())
      bad(std::string(what) + " all-reduce needs the same number of ranks in every domain");
  return domains;
}

void hierarchical(std::vector<Step>& out, const Fabric& fabric, const std::vector<DeviceId>& ranks, double bytes) {
  const std::vector<std::vector<DeviceId>> domains = equal_domains(fabric, ranks, "hierarchical");
  const size_t m = domains.front().size(), k = domains.size();
  const double inner = bytes / static_cast<double>(m), outer = inner / static_cast<double>(k);
  std::vector<std::vector<Step>> rs(k), ar(m), ag(k);
  for (size_t j = 0; j < k; ++j) ring(rs[j], fabric, domains[j], inner, m - 1);
  for (size_t i = 0; i < m; ++i) {
    std::vector<DeviceId> across;
    for (const auto& dom : domains) across.push_back(dom[i]);
    ring(ar[i], fabric, across, outer, 2 * (k - 1));
  }
  for (size_t j = 0; j < k; ++j) ring(ag[j], fabric, domains[j], inner, m - 1);
  uint8_t phase = 1;
  for (auto* lists : {&rs, &ar, &ag}) {
    const size_t from = out.size();
    in_parallel(out, std::move(*lists));
    for (size_t s = from; s < out.size(); ++s) out[s].phase = phase;
    ++phase;
  }
}

// NCCL's rings across domains (collectives.h, "Channels"): `channels` rings over the
// ranks of k domains (at most one per rank's NIC in the smallest domain), each moving
// its share of `whole_chunk` (S/n, one ring's step) per step for `steps` steps, all
// rings stepping together. Latency steps are counted as ring()'s.
void channel_rings(std::vector<Step>& out, const Fabric& fabric, const std::vector<DeviceId>& ranks,
                   double whole_chunk, size_t steps, size_t channels) {
  const std::vector<std::vector<DeviceId>> domains = by_domain(fabric, ranks);
  const size_t k = domains.size(), n = ranks.size();
  size_t smallest = n;
  for (const auto& dom : domains) smallest = std::min(smallest, dom.size());
  const size_t rings = std::min(channels, smallest);
  const double chunk = whole_chunk / static_cast<double>(rings);
  // order[c * n + i]: rank i of ring c.
  auto order = std::make_shared<std::vector<DeviceId>>();
  order->reserve(rings * n);
  for (size_t c = 0; c < rings; ++c)
    for (size_t j = 0; j < k; ++j) {
      const size_t m = domains[j].size(), a = c * m / rings, b = (a + 1) % m;
      for (size_t s = 0; s < m; ++s)
        order->push_back(j % 2 == 0 ? domains[j][(a + m - s) % m] : domains[j][(b + s) % m]);
    }
  const size_t inter = steps * (k - 1) / (n - 1);
  for (size_t s = 0; s < steps; ++s) {
    Step step{rings * n,
              [order, n, chunk](size_t i) {
                const size_t c = i / n, r = i % n;
                return Transfer{(*order)[c * n + r], (*order)[c * n + (r + 1) % n], chunk};
              },
              s > 0 && s != inter, true, s < inter};
    step.mixed = true;
    step.same_transfers = s > 0 && s == inter;
    out.push_back(std::move(step));
  }
}

// Parent of position p (1 <= p < k) in an in-order binary tree over positions 0..k-1
// rooted at 0: p's lowest set bit b; the parent is p with b cleared and the next bit
// set, or with b cleared when that falls outside (so 0 is the parent of the highest
// power of two below k). Depth floor(log2 k) + 1 at most.
size_t tree_parent(size_t p, size_t k) {
  const size_t b = p & (~p + 1);
  const size_t up = (p ^ b) | (b << 1);
  return up < k ? up : p ^ b;
}

// NCCL's tree all-reduce as one pipelined step (collectives.h, "Double binary tree").
void double_tree(std::vector<Step>& out, const Fabric& fabric, const std::vector<DeviceId>& ranks, double bytes) {
  const std::vector<std::vector<DeviceId>> domains = equal_domains(fabric, ranks, "double-tree");
  const size_t m = domains.front().size(), k = domains.size();
  const double part = bytes / static_cast<double>(m);
  auto t = std::make_shared<std::vector<Transfer>>();
  t->reserve(2 * m * ((m - 1) * k + 2 * (k - 1)));
  for (size_t i = 0; i < m; ++i) {
    // Chains: local rank i first, the others in order after it; reduce up, broadcast down.
    for (const auto& dom : domains)
      for (size_t s = 0; s + 1 < m; ++s) {
        const DeviceId a = dom[(i + s) % m], b = dom[(i + s + 1) % m];
        t->push_back({b, a, part});
        t->push_back({a, b, part});
      }
    // Two trees over the heads of local index i, half the part each.
    for (size_t tree = 0; tree < 2 && k > 1; ++tree) {
      // Tree 2 renumbers the positions: mirrored for even k, shifted by one for odd k.
      auto node = [&](size_t p) {
        const size_t q = tree == 0 ? p : (k % 2 == 0 ? k - 1 - p : (p + 1) % k);
        return domains[q][i];
      };
      for (size_t p = 1; p < k; ++p) {
        const DeviceId child = node(p), parent = node(tree_parent(p, k));
        t->push_back({child, parent, part / 2});
        t->push_back({parent, child, part / 2});
      }
    }
  }
  if (t->empty()) return;
  Step step{t->size(), [t](size_t j) { return (*t)[j]; }, false, k > 1, k > 1};
  step.mixed = true;
  out.push_back(std::move(step));
}

// PAT (collectives.h): ceil(log2 n) steps at distances 1, 2, 4, ...; step k carries
// min(2^k, n - 2^k) blocks of S/n. Reduce-scatter runs the same steps largest first.
void pat(std::vector<Step>& out, const std::vector<DeviceId>& ranks, double bytes, bool cross, bool reverse) {
  auto r = std::make_shared<const std::vector<DeviceId>>(ranks);
  const size_t n = ranks.size();
  std::vector<Step> steps;
  for (size_t d = 1; d < n; d *= 2) {
    const double chunk = static_cast<double>(std::min(d, n - d)) * bytes / static_cast<double>(n);
    steps.push_back({n, [r, n, d, chunk](size_t i) { return Transfer{(*r)[i], (*r)[(i + n - d) % n], chunk}; },
                     false, cross, cross});
  }
  if (reverse) std::reverse(steps.begin(), steps.end());
  for (Step& s : steps) out.push_back(std::move(s));
}

void in_switch(std::vector<Step>& out, const Fabric& fabric, const std::vector<DeviceId>& ranks, double bytes) {
  const uint32_t dom = fabric.domain(ranks.front());
  for (DeviceId d : ranks) {
    if (fabric.domain(d) != dom) bad("in-switch all-reduce needs the whole group inside one scale-up domain");
    if (!fabric.switch_path(d)) bad(name(d) + "'s domain has no in-switch reduction");
  }
  auto r = std::make_shared<const std::vector<DeviceId>>(ranks);
  const size_t n = ranks.size();
  out.push_back({2 * n, [r, n, bytes](size_t i) {
                   return i < n ? Transfer{(*r)[i], (*r)[i], bytes, Leg::kToSwitch}
                                : Transfer{(*r)[i - n], (*r)[i - n], bytes, Leg::kFromSwitch};
                 }});
}

// Every rank sends bytes/n to every other rank at once (all-to-all; one step of a mesh
// reduce-scatter or all-gather). `repeats`: the same step as the previous one.
void all_to_all(std::vector<Step>& out, const std::vector<DeviceId>& ranks, double bytes, bool cross,
                bool repeats = false) {
  auto r = std::make_shared<const std::vector<DeviceId>>(ranks);
  const size_t n = ranks.size();
  const double chunk = bytes / static_cast<double>(n);
  out.push_back({n * (n - 1),
                 [r, n, chunk](size_t k) {
                   const size_t i = k / (n - 1), j = k % (n - 1);
                   return Transfer{(*r)[i], (*r)[j + (j >= i)], chunk};
                 },
                 repeats, cross, cross});
}

void all_to_all_v(std::vector<Step>& out, const Fabric& fabric, const Collective& c) {
  const size_t n = c.group.size();
  auto pairs = std::make_shared<std::vector<Transfer>>();
  bool cross = false;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (i != j && c.sizes[i * n + j].value() > 0) {
        pairs->push_back({c.group[i], c.group[j], c.sizes[i * n + j].value()});
        cross |= fabric.domain(c.group[i]) != fabric.domain(c.group[j]);
      }
  if (!pairs->empty()) out.push_back({pairs->size(), [pairs](size_t k) { return (*pairs)[k]; }, false, cross, cross});
}

// Channel rings apply to a ring with channels > 1 over several domains of at least 2
// ranks each (collectives.h); else the one ring in the group's order.
bool channel_rings_apply(const Fabric& fabric, const Collective& c) {
  if (c.cost.channels < 2 || !spans(fabric, c.group)) return false;
  std::unordered_map<uint32_t, size_t> per;
  for (DeviceId d : c.group) ++per[fabric.domain(d)];
  for (const auto& [dom, count] : per)
    if (count < 2) return false;
  return true;
}

// The whole collective as steps. Validates first; routes are checked by the callers.
std::vector<Step> expand(const Fabric& fabric, const Collective& c) {
  validate_group(fabric, c);
  check_supported(c);
  std::vector<Step> steps;
  const size_t n = c.group.size();
  const double s = c.bytes.value();
  if (n == 1) return steps;
  if (c.op != CollectiveOp::kAllToAllV && s == 0) return steps;
  if (c.algorithm == Algorithm::kHalvingDoubling && !std::has_single_bit(n))
    bad("halving-doubling needs a power-of-two group, got " + std::to_string(n));
  const bool cross = c.op != CollectiveOp::kAllToAllV && spans(fabric, c.group);
  switch (c.op) {
    case CollectiveOp::kAllReduce:
      switch (c.algorithm) {
        case Algorithm::kRing:
          if (channel_rings_apply(fabric, c)) {
            channel_rings(steps, fabric, c.group, s / static_cast<double>(n), 2 * (n - 1), c.cost.channels);
          } else {
            ring(steps, fabric, c.group, s / static_cast<double>(n), 2 * (n - 1));
          }
          break;
        case Algorithm::kHalvingDoubling:
          halving(steps, c.group, s, cross);
          doubling(steps, c.group, s, cross);
          break;
        case Algorithm::kTree: binomial_tree(steps, c.group, s, cross); break;
        case Algorithm::kHierarchical: hierarchical(steps, fabric, c.group, s); break;
        case Algorithm::kInSwitch: in_switch(steps, fabric, c.group, s); break;
        case Algorithm::kMesh:
          all_to_all(steps, c.group, s, cross);
          all_to_all(steps, c.group, s, cross, true);
          break;
        case Algorithm::kDoubleTree: double_tree(steps, fabric, c.group, s); break;
        case Algorithm::kDirect:
        case Algorithm::kPat: break;
      }
      break;
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather:
      if (c.algorithm == Algorithm::kRing && channel_rings_apply(fabric, c)) {
        channel_rings(steps, fabric, c.group, s / static_cast<double>(n), n - 1, c.cost.channels);
      } else if (c.algorithm == Algorithm::kRing) {
        ring(steps, fabric, c.group, s / static_cast<double>(n), n - 1);
      } else if (c.algorithm == Algorithm::kMesh) {
        all_to_all(steps, c.group, s, cross);
      } else if (c.algorithm == Algorithm::kPat) {
        pat(steps, c.group, s, cross, c.op == CollectiveOp::kReduceScatter);
      } else if (c.op == CollectiveOp::kReduceScatter) {
        halving(steps, c.group, s, cross);
      } else {
        doubling(steps, c.group, s, cross);
      }
      break;
    case CollectiveOp::kAllToAll: all_to_all(steps, c.group, s, cross); break;
    case CollectiveOp::kAllToAllV: all_to_all_v(steps, fabric, c); break;
    case CollectiveOp::kSendRecv:
      steps.push_back(
          {1, [src = c.group[0], dst = c.group[1], s](size_t) { return Transfer{src, dst, s}; }, false, cross, cross});
      break;
  }
  return steps;
}

// The links of a transfer. The reference is valid until the next call on `fabric` or
// on `path`.
const std::vector<LinkId>& links_of(const Fabric& fabric, const Transfer& t, std::optional<SwitchPath>& path) {
  if (t.leg == Leg::kPeer) {
    const std::vector<LinkId>& r = fabric.route(t.src, t.dst);
    if (r.empty()) bad("no route from " + name(t.src) + " to " + name(t.dst) + " (not connected)");
    return r;
  }
  path = fabric.switch_path(t.src);
  const std::vector<LinkId>& r = t.leg == Leg::kToSwitch ? path->up : path->down;
  if (r.empty()) bad("no path between " + name(t.src) + " and its reducing switch");
  return r;
}

// The bandwidth factor a transfer moves at: the step's, or in a mixed step its own.
double transfer_factor(const Fabric& fabric, const Step& step, const Transfer& t, const CostTerms& cost,
                       double step_factor) {
  if (!step.mixed) return step_factor;
  return fabric.domain(t.src) != fabric.domain(t.dst) ? cost.inter_factor : cost.intra_factor;
}

// Checks that every transfer of steps 1.. has a route, so that no later step fails
// mid-run. Step 0 starts synchronously and is checked by starting it.
void check_routes(const Fabric& fabric, const std::vector<Step>& steps) {
  std::optional<SwitchPath> path;
  for (size_t s = 1; s < steps.size(); ++s) {
    if (steps[s].repeats_previous) continue;
    for (size_t i = 0; i < steps[s].count; ++i) links_of(fabric, steps[s].transfer(i), path);
  }
}

// Keeps the expansion alive while its steps run, one after the other.
class CollectiveRun : public std::enable_shared_from_this<CollectiveRun> {
 public:
  CollectiveRun(FlowNetwork& net, const Fabric& fabric, std::vector<Step> steps, const CostTerms& cost,
                std::function<void()> on_done, uint64_t tag)
      : net_(net), fabric_(fabric), steps_(std::move(steps)), cost_(cost), on_done_(std::move(on_done)), tag_(tag) {}

  void start_step() {
    const Step& step = steps_[next_];
    const SimTime floor = step.inter ? cost_.step_inter : cost_.step_intra;
    const SimTime extra = cost_.endpoint + (next_ == 0 ? cost_.base : SimTime::zero());
    const double step_factor = step.crosses ? cost_.inter_factor : cost_.intra_factor;
    const SimTime overhead = net_.options().per_message_overhead;
    net_.start_flows(
        step.count,
        [this, &step, floor, extra, step_factor, overhead](size_t i) {
          const Transfer t = step.transfer(i);
          const double factor = transfer_factor(fabric_, step, t, cost_, step_factor);
          const std::vector<LinkId>& route = links_of(fabric_, t, path_);
          // The flow network charges the route's latency; the library's step latency
          // is a floor under it (CostTerms).
          SimTime wire = overhead;
          for (LinkId l : route) wire += fabric_.links()[index(l)].latency;
          const SimTime lift = floor > wire ? floor - wire : SimTime::zero();
          return FlowSpec{t.src, t.dst, Bytes(t.bytes / factor), route, tag_, lift + extra};
        },
        [self = shared_from_this()] {
          if (++self->next_ < self->steps_.size()) {
            self->start_step();
          } else if (self->on_done_) {
            self->on_done_();
          }
        });
  }

 private:
  FlowNetwork& net_;
  const Fabric& fabric_;
  const std::vector<Step> steps_;
  const CostTerms cost_;
  const std::function<void()> on_done_;
  const uint64_t tag_;
  size_t next_ = 0;
  std::optional<SwitchPath> path_;  // backs the route of an in-switch leg
};

}  // namespace

const char* to_string(CollectiveOp op) {
  switch (op) {
    case CollectiveOp::kAllReduce: return "all-reduce";
    case CollectiveOp::kReduceScatter: return "reduce-scatter";
    case CollectiveOp::kAllGather: return "all-gather";
    case CollectiveOp::kAllToAll: return "all-to-all";
    case CollectiveOp::kAllToAllV: return "all-to-all-v";
    case CollectiveOp::kSendRecv: return "send-recv";
  }
  return "?";
}

const char* to_string(Algorithm a) {
  switch (a) {
    case Algorithm::kRing: return "ring";
    case Algorithm::kHalvingDoubling: return "halving-doubling";
    case Algorithm::kTree: return "tree";
    case Algorithm::kHierarchical: return "hierarchical";
    case Algorithm::kInSwitch: return "in-switch";
    case Algorithm::kDirect: return "direct";
    case Algorithm::kMesh: return "mesh";
    case Algorithm::kDoubleTree: return "double-tree";
    case Algorithm::kPat: return "pat";
  }
  return "?";
}

const char* to_string(Protocol p) {
  switch (p) {
    case Protocol::kSimple: return "Simple";
    case Protocol::kLL: return "LL";
    case Protocol::kLL128: return "LL128";
  }
  return "?";
}

void run_collective(FlowNetwork& net, const Fabric& fabric, const Collective& c, std::function<void()> on_done,
                    uint64_t flow_tag) {
  std::vector<Step> steps = expand(fabric, c);
  if (steps.empty()) {  // nothing to move: complete at this instant, in an event
    net.start_flows(0, nullptr, std::move(on_done));
    return;
  }
  check_routes(fabric, steps);
  auto run = std::make_shared<CollectiveRun>(net, fabric, std::move(steps), c.cost, std::move(on_done), flow_tag);
  run->start_step();
}

namespace {
// Nanosecond sums saturate as SimTime's do (sim_time.h): a step too slow to finish
// stays "never" instead of wrapping negative.
int64_t add_ns(int64_t a, int64_t b) { return (SimTime::nanos(a) + SimTime::nanos(b)).ns(); }
}  // namespace

SimTime collective_time(const Fabric& fabric, const Collective& c, const NetworkOptions& options) {
  const std::vector<Step> steps = expand(fabric, c);
  const std::vector<LinkSpec>& links = fabric.links();
  std::vector<double> load(links.size(), 0);
  std::vector<uint32_t> used;
  std::optional<SwitchPath> path;
  const CostTerms& cost = c.cost;
  int64_t total = steps.empty() ? 0 : cost.base.ns(), step_ns = 0, step_lat = 0;
  // Per phase of a hierarchical all-reduce: latency and bandwidth parts (ns).
  std::array<int64_t, 4> lat{}, bw{};
  // The last computed step's transfers: hop latency and bandwidth time (for a step
  // with the same transfers, Step::same_transfers), and routes (pass 2 reads them
  // instead of asking the fabric again).
  std::vector<SimTime> alphas;
  std::vector<double> secs;
  std::vector<LinkId> route_links;
  std::vector<size_t> route_ends;
  for (const Step& step : steps) {
    const SimTime floor = step.inter ? cost.step_inter : cost.step_intra;
    if (step.same_transfers && alphas.size() == step.count) {
      step_ns = 0;
      step_lat = 0;
      for (size_t i = 0; i < step.count; ++i) {
        const int64_t fixed = (std::max(alphas[i], floor) + cost.endpoint).ns();
        step_ns = std::max(step_ns, add_ns(fixed, SimTime::seconds_ceil(secs[i]).ns()));
        step_lat = std::max(step_lat, fixed);
      }
    } else if (!step.repeats_previous) {
      const double step_factor = step.crosses ? cost.inter_factor : cost.intra_factor;
      // Pass 1: bytes the step puts on each link. Pass 2: the slowest flow.
      route_links.clear();
      route_ends.clear();
      for (size_t i = 0; i < step.count; ++i) {
        const Transfer t = step.transfer(i);
        const double factor = transfer_factor(fabric, step, t, cost, step_factor);
        for (LinkId l : links_of(fabric, t, path)) {
          if (load[index(l)] == 0) used.push_back(index(l));
          load[index(l)] += t.bytes / factor;
          route_links.push_back(l);
        }
        route_ends.push_back(route_links.size());
      }
      step_ns = 0;
      step_lat = 0;
      alphas.assign(step.count, SimTime::zero());
      secs.assign(step.count, 0);
      for (size_t i = 0; i < step.count; ++i) {
        SimTime alpha = options.per_message_overhead;
        double seconds = 0;
        for (size_t j = i == 0 ? 0 : route_ends[i - 1]; j < route_ends[i]; ++j) {
          const uint32_t l = index(route_links[j]);
          alpha += links[l].latency;
          seconds = std::max(seconds, load[l] / (links[l].capacity.value() * options.link_efficiency));
        }
        alphas[i] = alpha;
        secs[i] = seconds;
        const int64_t fixed = (std::max(alpha, floor) + cost.endpoint).ns();
        step_ns = std::max(step_ns, add_ns(fixed, SimTime::seconds_ceil(seconds).ns()));
        step_lat = std::max(step_lat, fixed);
      }
      for (uint32_t l : used) load[l] = 0;
      used.clear();
    }
    total = add_ns(total, step_ns);
    lat[step.phase] = add_ns(lat[step.phase], step_lat);
    bw[step.phase] = add_ns(bw[step.phase], step_ns - step_lat);
  }
  const double chunk = cost.pipeline_chunk.value();
  if (c.algorithm == Algorithm::kHierarchical && chunk > 0 && !steps.empty()) {
    // Pipelined phases (collectives.h): every latency term, then the busiest links'
    // share plus the fill, (sequential - bound) / C for C = S / chunk chunks.
    const int64_t sequential = add_ns(add_ns(bw[1], bw[2]), bw[3]);
    const int64_t bound = std::max(add_ns(bw[1], bw[3]), bw[2]);
    const double fill = std::min(1.0, chunk / c.bytes.value());
    total = add_ns(add_ns(add_ns(add_ns(cost.base.ns(), lat[1]), add_ns(lat[2], lat[3])), bound),
                   static_cast<int64_t>(std::ceil(static_cast<double>(sequential - bound) * fill)));
  }
  return SimTime::nanos(total);
}

Bandwidth bus_bandwidth(CollectiveOp op, size_t n, Bytes bytes, SimTime t) {
  PODSIM_CHECK(n > 0 && t > SimTime::zero(), "bus_bandwidth needs a group and a positive time");
  const double algbw = bytes.value() / t.to_seconds();
  const double nd = static_cast<double>(n);
  switch (op) {
    case CollectiveOp::kAllReduce: return Bandwidth(algbw * 2 * (nd - 1) / nd);
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather:
    case CollectiveOp::kAllToAll:
    case CollectiveOp::kAllToAllV: return Bandwidth(algbw * (nd - 1) / nd);
    case CollectiveOp::kSendRecv: return Bandwidth(algbw);
  }
  return Bandwidth(algbw);
}

}  // namespace podsim::engine
