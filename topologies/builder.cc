#include "topologies/builder.h"

#include "engine/check.h"

namespace podsim::topologies {

GroupId Builder::new_group(std::string name) {
  group_names_.push_back(std::move(name));
  return static_cast<GroupId>(group_names_.size() - 1);
}

Builder::Builder(bool keep_detailed) {
  if (keep_detailed)
    graph_ = std::make_unique<Graph>();
  else
    collapser_ = std::make_unique<Collapser>(&group_names_);
}

VertexId Builder::add_vertex(VertexKind kind, SwitchRole role, GroupId group, std::string name,
                             std::optional<DeviceIndex> device) {
  PODSIM_CHECK(group < group_names_.size(), "vertex in an unknown collapse group");
  Vertex x{.kind = kind, .role = role, .device = device, .group = group, .name = std::move(name)};
  const auto v = static_cast<VertexId>(vertex_groups_.size());
  vertex_groups_.push_back(group);
  scale_up_access_.emplace_back();
  if (graph_) {
    PODSIM_CHECK(boost::add_vertex(std::move(x), *graph_) == v, "vertex ids are dense");
  } else {
    x.name.clear();  // the collapsed view names groups, not vertices
    collapser_->add_vertex(x);
  }
  return v;
}

void Builder::add_link(VertexId a, VertexId b, engine::Bandwidth capacity, engine::SimTime latency, LinkTier tier,
                       std::optional<uint16_t> plane, uint32_t lanes) {
  PODSIM_CHECK(capacity.value() > 0 && latency >= engine::SimTime::zero() && a != b, "bad link");
  PODSIM_CHECK(a < vertex_groups_.size() && b < vertex_groups_.size(), "link to an unknown vertex");
  if (tier == LinkTier::kScaleUpAccess) {
    scale_up_access_[a] += capacity;
    scale_up_access_[b] += capacity;
  }
  Link l{.capacity = capacity, .latency = latency, .tier = tier, .plane = plane, .lanes = lanes, .id = next_link_++};
  if (graph_) boost::add_edge(a, b, l, *graph_);
  else collapser_->add_link(vertex_groups_[a], vertex_groups_[b], l);
  l.id = next_link_++;
  if (graph_) boost::add_edge(b, a, l, *graph_);
  else collapser_->add_link(vertex_groups_[b], vertex_groups_[a], l);
}

std::unique_ptr<Graph> Builder::release_graph() {
  PODSIM_CHECK(graph_ != nullptr, "the detailed graph was not kept");
  return std::move(graph_);
}

View Builder::collapsed_view() {
  if (graph_) return collapse(*graph_, group_names_, endpoints_);
  std::vector<GroupId> device_groups;
  device_groups.reserve(endpoints_.size());
  for (const auto& ends : endpoints_) {
    PODSIM_CHECK(!ends.empty(), "a device without an endpoint");
    for (VertexId v : ends)
      PODSIM_CHECK(vertex_groups_[v] == vertex_groups_[ends.front()], "a device's endpoints span collapse groups");
    device_groups.push_back(vertex_groups_[ends.front()]);
  }
  return collapser_->finish(device_groups);
}

uint32_t Builder::add_domain(DomainLevel level, std::string name, std::optional<uint32_t> parent) {
  PODSIM_CHECK(parent.has_value() == (level != DomainLevel::kCluster), "only the cluster domain has no parent");
  const auto index = static_cast<uint32_t>(domains_.size());
  domains_.push_back(Domain{.level = level,
                            .name = std::move(name),
                            .parent = parent,
                            .children = {},
                            .first_device = static_cast<DeviceIndex>(devices_.size()),
                            .device_count = 0});
  if (parent) domains_[*parent].children.push_back(index);
  return index;
}

DeviceIndex Builder::add_device(std::string name, std::shared_ptr<const engine::DeviceSpec> spec, uint32_t node,
                                uint32_t pool, uint32_t local_rank) {
  PODSIM_CHECK(domains_[node].level == DomainLevel::kNode, "devices live in node domains");
  const auto index = static_cast<DeviceIndex>(devices_.size());
  Device d{.index = index, .name = name, .spec = std::move(spec), .node = node, .pool = pool, .local_rank = local_rank};
  // Walk up the tree: every ancestor counts the device, and contiguity must hold.
  for (std::optional<uint32_t> at = node; at; at = domains_[*at].parent) {
    Domain& dom = domains_[*at];
    PODSIM_CHECK(dom.first_device + dom.device_count == index, "devices of a domain must be contiguous");
    ++dom.device_count;
    if (dom.level == DomainLevel::kRack) d.rack = *at;
    if (dom.level == DomainLevel::kPod) d.pod = *at;
  }
  devices_.push_back(std::move(d));
  device_groups_.push_back(new_group(std::move(name)));
  endpoints_.emplace_back();
  return index;
}

}  // namespace podsim::topologies
