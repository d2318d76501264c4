#include "topologies/collapse.h"

#include <algorithm>
#include <unordered_map>

#include "engine/check.h"

namespace podsim::topologies {

View collapse(const Graph& g, const std::vector<std::string>& group_names,
              const std::vector<std::vector<VertexId>>& device_endpoints) {
  auto owned = std::make_unique<Graph>(group_names.size());
  Graph& out = *owned;
  std::vector<bool> seen(group_names.size(), false);
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const Vertex& x = g[v];
    Vertex& y = out[x.group];
    if (!seen[x.group]) {
      y = Vertex{.kind = x.kind, .role = x.role, .device = x.device, .group = x.group, .name = group_names[x.group]};
      seen[x.group] = true;
    }
    PODSIM_CHECK(y.kind == x.kind && y.role == x.role && y.device == x.device,
                 "collapse group " + group_names[x.group] + " mixes vertex kinds");
  }
  PODSIM_CHECK(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }), "empty collapse group");

  // One merged link per unordered pair of groups: direction 0 is low group -> high group.
  struct Merged {
    GroupId low, high;
    Link dir[2];
  };
  std::vector<Merged> merged;
  std::unordered_map<uint64_t, size_t> index;
  std::vector<EdgeId> by_id(boost::num_edges(g));
  for (auto e : boost::make_iterator_range(boost::edges(g))) by_id[g[e].id] = e;
  for (EdgeId e : by_id) {  // in LinkId order, so the merged ids are deterministic
    const GroupId a = g[boost::source(e, g)].group, b = g[boost::target(e, g)].group;
    if (a == b) continue;
    const GroupId low = std::min(a, b), high = std::max(a, b);
    auto [it, fresh] = index.try_emplace((uint64_t{low} << 32) | high, merged.size());
    if (fresh) {
      merged.push_back({low, high, {}});
      for (Link& l : merged.back().dir) l = Link{.capacity = {}, .latency = {}, .tier = g[e].tier, .plane = g[e].plane, .lanes = 0};
    }
    Link& l = merged[it->second].dir[a == low ? 0 : 1];
    const Link& x = g[e];
    PODSIM_CHECK(l.tier == x.tier, "collapse merges links of different tiers");
    l.capacity += x.capacity;
    l.latency = std::max(l.latency, x.latency);
    l.lanes += x.lanes;
    if (l.plane != x.plane) l.plane = std::nullopt;
  }
  LinkId next = 0;
  for (Merged& m : merged) {
    PODSIM_CHECK(m.dir[0].lanes > 0 && m.dir[1].lanes > 0, "a link without its reverse direction");
    m.dir[0].id = next++;
    boost::add_edge(m.low, m.high, m.dir[0], out);
    m.dir[1].id = next++;
    boost::add_edge(m.high, m.low, m.dir[1], out);
  }

  std::vector<std::vector<VertexId>> endpoints;
  endpoints.reserve(device_endpoints.size());
  for (const auto& ends : device_endpoints) {
    const GroupId group = g[ends.front()].group;
    for (VertexId v : ends) PODSIM_CHECK(g[v].group == group, "a device's endpoints span collapse groups");
    endpoints.push_back({group});
  }
  return View(std::move(owned), std::move(endpoints));
}

}  // namespace podsim::topologies
