#include "scheduler/placement.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/printable.h"
#include "engine/check.h"

namespace podsim::scheduler {
namespace {

// Greedy "best fit, else biggest first" over a list of bins with free counts: the rule
// kBestFit applies to nodes and kTopologyAware to domains. Returns (bin, count) pairs.
// `bins` must hold at least `need` free in total.
std::vector<std::pair<uint32_t, uint32_t>> fit_bins(std::vector<std::pair<uint32_t, uint32_t>> bins, uint32_t need) {
  // bins: (free, id); sort by free descending, id ascending, so ties keep index order.
  std::sort(bins.begin(), bins.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::pair<uint32_t, uint32_t>> out;
  size_t i = 0;
  while (need > 0) {
    PODSIM_CHECK(i < bins.size(), "fit_bins: not enough free devices");
    // The smallest remaining bin that holds all of `need`, if any (bins after i are
    // sorted descending, so it is the last one with free >= need).
    size_t best = bins.size();
    for (size_t j = i; j < bins.size() && bins[j].first >= need; ++j) best = j;
    // Among equally tight bins, the lowest id (bins of equal free are in id order).
    while (best != bins.size() && best > i && bins[best - 1].first == bins[best].first) --best;
    if (best != bins.size()) {
      out.emplace_back(bins[best].second, need);
      return out;
    }
    out.emplace_back(bins[i].second, bins[i].first);
    need -= bins[i].first;
    ++i;
  }
  return out;
}

std::vector<std::pair<uint32_t, uint32_t>> free_nodes_of(const FreeMap& free, const std::vector<uint32_t>& nodes) {
  std::vector<std::pair<uint32_t, uint32_t>> bins;
  for (uint32_t n : nodes)
    if (free.free_on_node(n) > 0) bins.emplace_back(free.free_on_node(n), n);
  return bins;
}

std::vector<uint32_t> pool_nodes(const Inventory& inv, uint32_t pool) {
  std::vector<uint32_t> nodes;
  for (uint32_t d : inv.pool_domains(pool))
    for (uint32_t n : inv.domain_nodes(d)) nodes.push_back(n);
  return nodes;
}

class FirstFit final : public PlacementStrategy {
 public:
  std::optional<PlacementChoice> place(const FreeMap& free, uint32_t pool, uint32_t devices) const override {
    if (free.free_in_pool(pool) < devices) return std::nullopt;
    const Inventory& inv = free.inventory();
    std::vector<NodeTake> takes;
    uint32_t need = devices;
    for (uint32_t d : inv.pool_domains(pool)) {
      if (free.free_in_domain(d) == 0) continue;
      for (uint32_t n : inv.domain_nodes(d)) {
        const uint32_t k = std::min(need, free.free_on_node(n));
        if (k > 0) takes.push_back({n, k});
        need -= k;
        if (need == 0) return PlacementChoice{takes, shape_of(inv, pool, takes)};
      }
    }
    PODSIM_UNREACHABLE("first fit: pool count and node counts disagree");
  }
};

class BestFit final : public PlacementStrategy {
 public:
  std::optional<PlacementChoice> place(const FreeMap& free, uint32_t pool, uint32_t devices) const override {
    if (free.free_in_pool(pool) < devices) return std::nullopt;
    const Inventory& inv = free.inventory();
    std::vector<NodeTake> takes;
    for (auto [n, k] : fit_bins(free_nodes_of(free, pool_nodes(inv, pool)), devices)) takes.push_back({n, k});
    return PlacementChoice{takes, shape_of(inv, pool, takes)};
  }
};

// Fewest domains first; `within` picks the nodes inside one domain.
class ByDomain final : public PlacementStrategy {
 protected:
  bool packs_domains() const override { return true; }

 public:
  explicit ByDomain(bool fill_partial_nodes_first) : fill_partial_first_(fill_partial_nodes_first) {}

  std::optional<PlacementChoice> place(const FreeMap& free, uint32_t pool, uint32_t devices) const override {
    if (free.free_in_pool(pool) < devices) return std::nullopt;
    const Inventory& inv = free.inventory();
    std::vector<std::pair<uint32_t, uint32_t>> domains;
    for (uint32_t d : inv.pool_domains(pool))
      if (free.free_in_domain(d) > 0) domains.emplace_back(free.free_in_domain(d), d);
    std::vector<NodeTake> takes;
    for (auto [d, k] : fit_bins(std::move(domains), devices)) within(free, d, k, takes);
    return PlacementChoice{takes, shape_of(inv, pool, takes)};
  }

 private:
  void within(const FreeMap& free, uint32_t domain, uint32_t need, std::vector<NodeTake>& takes) const {
    const Inventory& inv = free.inventory();
    auto bins = free_nodes_of(free, inv.domain_nodes(domain));
    if (fill_partial_first_) {
      // Partial nodes, tightest first, then whole nodes; a partial node that fits the
      // whole remainder alone is preferred to splitting it.
      std::vector<std::pair<uint32_t, uint32_t>> partial, whole;
      for (auto& b : bins) (b.first == inv.node_devices(b.second).size() ? whole : partial).push_back(b);
      for (const auto& [f, n] : partial)
        if (f >= need) {
          takes.push_back({n, need});
          return;
        }
      std::sort(partial.begin(), partial.end());
      for (const auto& [f, n] : partial) {
        const uint32_t k = std::min(f, need);
        takes.push_back({n, k});
        need -= k;
        if (need == 0) return;
      }
      for (auto [n, k] : fit_bins(std::move(whole), need)) takes.push_back({n, k});
      return;
    }
    // Fewest nodes; among nodes with equal free space, those on the leaf holding the
    // most free devices first, so a multi-node job stays under one leaf switch.
    std::vector<uint32_t> leaf_free;
    for (const auto& [f, n] : bins) {
      const uint32_t leaf = inv.node_leaf(n);
      if (leaf_free.size() <= leaf) leaf_free.resize(leaf + 1);
      leaf_free[leaf] += f;
    }
    std::stable_sort(bins.begin(), bins.end(), [&](const auto& a, const auto& b) {
      return leaf_free[inv.node_leaf(a.second)] > leaf_free[inv.node_leaf(b.second)];
    });
    // fit_bins re-sorts by free space; renumber ids so that its tie order is ours.
    std::vector<uint32_t> node_of(bins.size());
    for (uint32_t i = 0; i < bins.size(); ++i) {
      node_of[i] = bins[i].second;
      bins[i].second = i;
    }
    for (auto [i, k] : fit_bins(std::move(bins), need)) takes.push_back({node_of[i], k});
  }

  bool fill_partial_first_;
};

// Whole free nodes only, `devices / node size` of them.
std::optional<PlacementChoice> whole_nodes(const FreeMap& free, uint32_t pool, uint32_t devices, bool by_domain) {
  const Inventory& inv = free.inventory();
  auto whole = [&](uint32_t n) { return free.free_on_node(n) == inv.node_devices(n).size(); };
  std::vector<NodeTake> takes;
  uint32_t need = devices;
  if (!by_domain) {
    for (uint32_t d : inv.pool_domains(pool)) {
      if (free.free_in_domain(d) == 0) continue;
      for (uint32_t n : inv.domain_nodes(d))
        if (need >= free.free_on_node(n) && need > 0 && whole(n)) {
          takes.push_back({n, free.free_on_node(n)});
          need -= free.free_on_node(n);
        }
    }
  } else {
    // Domains by whole free devices: best fit, else fullest first (fit_bins).
    std::vector<std::pair<uint32_t, uint32_t>> bins;
    uint32_t total = 0;
    for (uint32_t d : inv.pool_domains(pool)) {
      if (free.free_in_domain(d) == 0) continue;
      uint32_t k = 0;
      for (uint32_t n : inv.domain_nodes(d))
        if (whole(n)) k += free.free_on_node(n);
      if (k > 0) bins.emplace_back(k, d);
      total += k;
    }
    if (total < devices) return std::nullopt;
    for (auto [d, k] : fit_bins(std::move(bins), devices)) {
      // Leaves first as in ByDomain: nodes of the leaf with the most whole free nodes.
      std::vector<uint32_t> nodes;
      for (uint32_t n : inv.domain_nodes(d))
        if (whole(n)) nodes.push_back(n);
      std::map<uint32_t, uint32_t> leaf_free;
      for (uint32_t n : nodes) leaf_free[inv.node_leaf(n)] += free.free_on_node(n);
      std::stable_sort(nodes.begin(), nodes.end(), [&](uint32_t a, uint32_t b) {
        return leaf_free[inv.node_leaf(a)] > leaf_free[inv.node_leaf(b)];
      });
      for (uint32_t n : nodes)
        if (k > 0) {
          takes.push_back({n, free.free_on_node(n)});
          k -= std::min(k, free.free_on_node(n));
          need -= free.free_on_node(n);
        }
    }
  }
  if (need != 0) return std::nullopt;  // too few whole nodes (or a node size that does not divide)
  return PlacementChoice{takes, shape_of(inv, pool, takes)};
}

}  // namespace

std::optional<PlacementChoice> PlacementStrategy::place_within(const FreeMap& free, uint32_t pool, uint32_t devices,
                                                               const PlacementConstraints& c) const {
  if (!c.any()) return place(free, pool, devices);
  if (free.free_in_pool(pool) < devices) return std::nullopt;
  auto fits = [&](const std::optional<PlacementChoice>& p) {
    return p && (c.max_domains == 0 || p->shape.domains <= c.max_domains);
  };
  std::optional<PlacementChoice> p;
  if (c.whole_nodes) {
    p = whole_nodes(free, pool, devices, packs_domains());
    if (!fits(p) && !packs_domains()) p = whole_nodes(free, pool, devices, true);
  } else {
    p = place(free, pool, devices);
    if (!fits(p) && !packs_domains()) p = ByDomain(false).place(free, pool, devices);
  }
  if (!fits(p)) return std::nullopt;
  return p;
}

std::optional<std::string> constraint_problem(const Inventory& inv, uint32_t pool, uint32_t devices,
                                              const PlacementConstraints& c) {
  const std::vector<uint32_t>& domains = inv.pool_domains(pool);
  if (c.whole_nodes) {
    std::set<size_t> sizes;
    for (uint32_t d : domains)
      for (uint32_t n : inv.domain_nodes(d)) sizes.insert(inv.node_devices(n).size());
    for (size_t s : sizes)
      if (devices % s != 0)
        return fmt::format("whole nodes: {} devices is not a multiple of the {}-device nodes of pool '{}'", devices, s,
                           printable(inv.pools()[pool].name));
  }
  if (c.max_domains > 0) {
    std::vector<uint32_t> sizes;
    for (uint32_t d : domains) sizes.push_back(inv.domain_size(d));
    std::sort(sizes.rbegin(), sizes.rend());
    uint64_t room = 0;
    for (size_t k = 0; k < sizes.size() && k < c.max_domains; ++k) room += sizes[k];
    if (devices > room)
      return fmt::format("{} devices do not fit in {} scale-up domain{} of pool '{}' (at most {} devices)", devices,
                         c.max_domains, c.max_domains == 1 ? "" : "s", printable(inv.pools()[pool].name), room);
  }
  return std::nullopt;
}

const char* to_string(PlacementKind k) {
  switch (k) {
    case PlacementKind::kFirstFit: return "first-fit";
    case PlacementKind::kBestFit: return "best-fit";
    case PlacementKind::kTopologyAware: return "topology-aware";
    case PlacementKind::kFragmentationAware: return "fragmentation-aware";
  }
  return "?";
}

std::unique_ptr<PlacementStrategy> make_placement(PlacementKind kind) {
  switch (kind) {
    case PlacementKind::kFirstFit: return std::make_unique<FirstFit>();
    case PlacementKind::kBestFit: return std::make_unique<BestFit>();
    case PlacementKind::kTopologyAware: return std::make_unique<ByDomain>(false);
    case PlacementKind::kFragmentationAware: return std::make_unique<ByDomain>(true);
  }
  throw std::invalid_argument("make_placement: unknown kind");
}

PlacementShape shape_of(const Inventory& inv, uint32_t pool, const std::vector<NodeTake>& takes) {
  PlacementShape s{.pool = pool};
  std::set<uint32_t> domains, leaves;
  for (const NodeTake& t : takes) {
    s.devices += t.count;
    ++s.nodes;
    domains.insert(inv.node_domain(t.node));
    leaves.insert(inv.node_leaf(t.node));
  }
  s.domains = static_cast<uint32_t>(domains.size());
  s.leaves = static_cast<uint32_t>(leaves.size());
  return s;
}

}  // namespace podsim::scheduler
