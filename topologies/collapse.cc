#include "topologies/collapse.h"

#include <algorithm>

#include "engine/check.h"

namespace podsim::topologies {

void Collapser::add_vertex(const Vertex& x) {
  const std::vector<std::string>& names = *group_names_;
  PODSIM_CHECK(x.group < names.size(), "vertex in an unknown collapse group");
  if (groups_.size() < names.size()) {
    groups_.resize(names.size());
    seen_.resize(names.size(), false);
  }
  Vertex& y = groups_[x.group];
  if (!seen_[x.group]) {
    y = Vertex{.kind = x.kind, .role = x.role, .device = x.device, .group = x.group, .name = names[x.group]};
    seen_[x.group] = true;
  }
  PODSIM_CHECK(y.kind == x.kind && y.role == x.role && y.device == x.device,
               "collapse group " + names[x.group] + " mixes vertex kinds");
}

void Collapser::add_link(GroupId a, GroupId b, const Link& x) {
  if (a == b) return;
  const GroupId low = std::min(a, b), high = std::max(a, b);
  auto [it, fresh] = index_.try_emplace((uint64_t{low} << 32) | high, merged_.size());
  if (fresh) {
    merged_.push_back({low, high, {}});
    for (Link& l : merged_.back().dir)
      l = Link{.capacity = {}, .latency = {}, .tier = x.tier, .plane = x.plane, .lanes = 0};
  }
  Link& l = merged_[it->second].dir[a == low ? 0 : 1];
  PODSIM_CHECK(l.tier == x.tier, "collapse merges links of different tiers");
  l.capacity += x.capacity;
  l.latency = std::max(l.latency, x.latency);
  l.lanes += x.lanes;
  if (l.plane != x.plane) l.plane = std::nullopt;
}

View Collapser::finish(const std::vector<GroupId>& device_groups) {
  const std::vector<std::string>& names = *group_names_;
  if (groups_.size() < names.size()) seen_.resize(names.size(), false);
  PODSIM_CHECK(std::all_of(seen_.begin(), seen_.end(), [](bool b) { return b; }), "empty collapse group");
  auto owned = std::make_unique<Graph>(names.size());
  Graph& out = *owned;
  for (size_t g = 0; g < groups_.size(); ++g) out[g] = std::move(groups_[g]);
  LinkId next = 0;
  for (Merged& m : merged_) {
    PODSIM_CHECK(m.dir[0].lanes > 0 && m.dir[1].lanes > 0, "a link without its reverse direction");
    m.dir[0].id = next++;
    boost::add_edge(m.low, m.high, m.dir[0], out);
    m.dir[1].id = next++;
    boost::add_edge(m.high, m.low, m.dir[1], out);
  }
  std::vector<std::vector<VertexId>> endpoints;
  endpoints.reserve(device_groups.size());
  for (GroupId g : device_groups) endpoints.push_back({g});
  merged_.clear();
  index_.clear();
  return View(std::move(owned), std::move(endpoints));
}

View collapse(const Graph& g, const std::vector<std::string>& group_names,
              const std::vector<std::vector<VertexId>>& device_endpoints) {
  Collapser c(&group_names);
  for (auto v : boost::make_iterator_range(boost::vertices(g))) c.add_vertex(g[v]);
  std::vector<EdgeId> by_id(boost::num_edges(g));
  for (auto e : boost::make_iterator_range(boost::edges(g))) by_id[g[e].id] = e;
  for (EdgeId e : by_id)  // in LinkId order, so the merged ids are deterministic
    c.add_link(g[boost::source(e, g)].group, g[boost::target(e, g)].group, g[e]);
  std::vector<GroupId> device_groups;
  device_groups.reserve(device_endpoints.size());
  for (const auto& ends : device_endpoints) {
    const GroupId group = g[ends.front()].group;
    for (VertexId v : ends) PODSIM_CHECK(g[v].group == group, "a device's endpoints span collapse groups");
    device_groups.push_back(group);
  }
  return c.finish(device_groups);
}

}  // namespace podsim::topologies
