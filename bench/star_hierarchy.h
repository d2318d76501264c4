#pragma once
// Collapsed hierarchies of stars shared by bench/simgrid_compare and bench/network_bench:
// the `cm` (CloudMatrix384-like) and `nvl` (NVL72 racks) families, a Fabric over them,
// and the all-to-all-v sizes (bench/README.md, "Network model").
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/network/fabric.h"

namespace podsim::bench {

namespace pe = podsim::engine;

// One tier of the hierarchy: groups of `fanout` children, each child with one up and
// one down link of `bw` bytes/s to the group's switch.
struct Tier {
  size_t fanout;
  double bw;
  double latency_s;
};

struct Topology {
  std::string name;
  std::vector<Tier> tiers;  // tiers[0]: devices into leaves; last: top groups into root
};

inline Topology make_topology(const std::string& family) {
  if (family == "cm")
    return {"cm", {{8, 392e9, 200e-9}, {48, 8 * 392e9, 200e-9}, {1u << 20, 384 * 50e9, 1e-6}}};
  return {"nvl", {{72, 900e9, 250e-9}, {1u << 20, 72 * 50e9, 1e-6}}};
}

// Level-l ancestor of device d is d / span[l]; span[0] = 1 (the device itself).
struct Hierarchy {
  Hierarchy(const Topology& t, size_t devices) : topo(t), n(devices) {
    size_t span = 1, count = devices;
    for (const Tier& tier : t.tiers) {
      spans.push_back(span);
      counts.push_back(count);
      span *= tier.fanout;
      count = (count + tier.fanout - 1) / tier.fanout;
    }
    size_t base = 0;
    for (size_t l = 0; l < t.tiers.size(); ++l) {
      first_link.push_back(base);
      base += 2 * counts[l];
    }
    link_count = base;
  }
  // Up link of the level-l node containing d (then its down link at +counts[l]).
  size_t up(size_t l, size_t d) const { return first_link[l] + d / spans[l]; }
  size_t down(size_t l, size_t d) const { return first_link[l] + counts[l] + d / spans[l]; }
  // Number of tiers a message climbs: the first level whose group holds both.
  size_t climb(size_t s, size_t d) const {
    size_t l = 0;
    while (l + 1 < topo.tiers.size() && s / spans[l + 1] != d / spans[l + 1]) ++l;
    return l + 1;
  }

  Topology topo;
  size_t n;
  std::vector<size_t> spans, counts, first_link;
  size_t link_count = 0;
};

class HierarchyFabric : public pe::Fabric {
 public:
  explicit HierarchyFabric(const Hierarchy& h) : h_(h) {
    links_.resize(h.link_count);
    for (size_t l = 0; l < h.topo.tiers.size(); ++l)
      for (size_t i = 0; i < 2 * h.counts[l]; ++i)
        links_[h.first_link[l] + i] = {pe::Bandwidth(h.topo.tiers[l].bw),
                                       pe::SimTime::nanos(std::llround(h.topo.tiers[l].latency_s * 1e9))};
  }
  size_t device_count() const override { return h_.n; }
  const std::vector<pe::LinkSpec>& links() const override { return links_; }
  // A switch's up link is crossed only by flows that came up one of its children's
  // up links, and its down link only by flows that go on down one of its children's
  // down links.
  std::vector<pe::LinkId> feeders(pe::LinkId id) const override {
    const size_t link = pe::index(id);
    size_t l = 0;
    while (l + 1 < h_.first_link.size() && link >= h_.first_link[l + 1]) ++l;
    if (l == 0) return {};  // a device's own link
    const size_t i = link - h_.first_link[l];
    const bool down = i >= h_.counts[l];
    const size_t node = down ? i - h_.counts[l] : i;
    std::vector<pe::LinkId> out;
    const size_t fanout = h_.topo.tiers[l - 1].fanout;
    for (size_t child = node * fanout; child < std::min((node + 1) * fanout, h_.counts[l - 1]); ++child)
      out.push_back(pe::LinkId{static_cast<uint32_t>(h_.first_link[l - 1] + (down ? h_.counts[l - 1] : 0) + child)});
    return out;
  }
  const std::vector<pe::LinkId>& route(pe::DeviceId src, pe::DeviceId dst) const override {
    const size_t s = pe::index(src), d = pe::index(dst), k = h_.climb(s, d);
    route_.clear();
    for (size_t l = 0; l < k; ++l) route_.push_back(pe::LinkId{static_cast<uint32_t>(h_.up(l, s))});
    for (size_t l = k; l-- > 0;) route_.push_back(pe::LinkId{static_cast<uint32_t>(h_.down(l, d))});
    return route_;
  }

 private:
  const Hierarchy& h_;
  std::vector<pe::LinkSpec> links_;
  mutable std::vector<pe::LinkId> route_;
};

constexpr double kPerPair = 1.0 * 1024 * 1024;  // all-to-all: bytes per flow

// All-to-all-v sizes: bytes(i, j) = 1 MiB * w(j) * L(i, j), whole bytes, at least 1.
// L is lognormal with sigma 1 and mean 1 (per pair: uneven token counts); w is a Zipf
// popularity of destinations with exponent 1 over a seeded permutation, scaled to mean
// 1 (uneven expert load: the most popular of 384 ranks receives ~59x the mean). Seeded
// and drawn with bit-exact arithmetic only (no std:: distributions), so both engines
// and every platform see the same bytes.
inline std::vector<uint64_t> pair_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  std::vector<size_t> rank(n);
  for (size_t i = 0; i < n; ++i) rank[i] = i;
  for (size_t i = n; i > 1; --i) std::swap(rank[i - 1], rank[rng() % i]);
  double harmonic = 0;
  for (size_t k = 1; k <= n; ++k) harmonic += 1.0 / static_cast<double>(k);
  std::vector<uint64_t> bytes(n * n, 0);
  const double sigma = 1.0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const double w = static_cast<double>(n) / (harmonic * static_cast<double>(rank[j] + 1));
      const double z = std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform());
      const double lognormal = std::exp(sigma * z - sigma * sigma / 2);
      bytes[i * n + j] = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(kPerPair * w * lognormal)));
    }
  return bytes;
}
constexpr uint64_t kA2avSeed = 19;

}  // namespace podsim::bench
