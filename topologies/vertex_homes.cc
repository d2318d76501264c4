#include "topologies/vertex_homes.h"

#include <boost/range/iterator_range.hpp>

namespace podsim::topologies {
namespace {

int depth(const std::vector<Domain>& domains, uint32_t d) {
  int n = 0;
  for (std::optional<uint32_t> p = domains[d].parent; p; p = domains[*p].parent) ++n;
  return n;
}

bool is_fabric_switch(const Vertex& x) {
  return x.role == SwitchRole::kLeaf || x.role == SwitchRole::kSpine || x.role == SwitchRole::kCore;
}

}  // namespace

uint32_t common_domain(const std::vector<Domain>& domains, uint32_t a, uint32_t b) {
  int da = depth(domains, a), db = depth(domains, b);
  for (; da > db; --da) a = *domains[a].parent;
  for (; db > da; --db) b = *domains[b].parent;
  while (a != b) {
    a = *domains[a].parent;
    b = *domains[b].parent;
  }
  return a;
}

std::vector<std::optional<uint32_t>> vertex_homes(const Cluster& c, const View& v) {
  const Graph& g = v.graph();
  const size_t n = boost::num_vertices(g);
  std::vector<std::optional<uint32_t>> home(n);
  auto join = [&](std::optional<uint32_t>& at, uint32_t d) { at = at ? common_domain(c.domains(), *at, d) : d; };
  // Devices' endpoints, then what links to them directly (switches by access links,
  // NICs by their attach link).
  for (VertexId u = 0; u < n; ++u)
    if (g[u].device) home[u] = c.devices()[*g[u].device].node;
  std::vector<std::optional<uint32_t>> next = home;
  for (VertexId u = 0; u < n; ++u) {
    if (home[u] || is_fabric_switch(g[u])) continue;
    for (const EdgeId e : boost::make_iterator_range(boost::out_edges(u, g))) {
      const VertexId w = boost::target(e, g);
      const LinkTier t = g[e].tier;
      if (home[w] && (t == LinkTier::kScaleUpAccess || t == LinkTier::kNicAttach)) join(next[u], *home[w]);
    }
  }
  home = std::move(next);
  // The rest from their placed neighbours, until nothing changes (two rounds for every
  // preset: UB L2 chips and CPUs hang off placed L1 chips).
  for (bool changed = true; changed;) {
    changed = false;
    next = home;
    for (VertexId u = 0; u < n; ++u) {
      if (home[u] || is_fabric_switch(g[u])) continue;
      for (const EdgeId e : boost::make_iterator_range(boost::out_edges(u, g))) {
        const VertexId w = boost::target(e, g);
        if (home[w] && !is_scale_out(g[e].tier)) join(next[u], *home[w]);
      }
      changed = changed || next[u].has_value();
    }
    home = std::move(next);
  }
  return home;
}

}  // namespace podsim::topologies
