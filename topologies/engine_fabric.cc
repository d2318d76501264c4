#include "topologies/engine_fabric.h"

#include "engine/check.h"

namespace podsim::topologies {

EngineFabric::EngineFabric(const Cluster& cluster) : cluster_(cluster) {
  for (const LinkInfo& l : cluster.links()) links_.push_back({.capacity = l.capacity, .latency = l.latency});
  std::vector<uint32_t> ordinal(cluster.domains().size(), 0);
  uint32_t pods = 0;
  for (size_t i = 0; i < cluster.domains().size(); ++i)
    if (cluster.domains()[i].level == DomainLevel::kPod) ordinal[i] = pods++;
  std::vector<bool> pod_reduces(cluster.domains().size(), false);
  std::vector<engine::CommProfile> pod_comm(cluster.domains().size());
  for (const SystemInfo& s : cluster.systems()) {
    pod_reduces[s.pod] = s.in_switch_reduction;
    pod_comm[s.pod] = s.comm;
  }
  for (const Device& d : cluster.devices()) {
    pod_ordinal_.push_back(ordinal[d.pod]);
    reduces_in_switch_.push_back(pod_reduces[d.pod]);
    comm_.push_back(pod_comm[d.pod]);
  }
}

const std::vector<engine::LinkId>& EngineFabric::route(engine::DeviceId src, engine::DeviceId dst) const {
  const uint64_t key = (uint64_t{engine::index(src)} << 32) | engine::index(dst);
  const std::lock_guard<std::mutex> lock(routes_mutex_);
  auto [it, fresh] = routes_.try_emplace(key);
  if (fresh)
    for (LinkId l : cluster_.route(engine::index(src), engine::index(dst))) it->second.push_back(engine::LinkId{l});
  return it->second;
}

std::vector<engine::LinkId> EngineFabric::feeders(engine::LinkId id) const {
  const View& v = cluster_.collapsed();
  const Graph& g = v.graph();
  const EdgeId e = v.edge(engine::index(id));
  const auto from = boost::source(e, g), to = boost::target(e, g);
  const double capacity = g[e].capacity.value();
  // A vertex hanging off `at` alone that is not an accelerator (a CPU on its node's
  // switch) is on no route between devices.
  const auto off_route = [&](Graph::vertex_descriptor w, Graph::vertex_descriptor at) {
    if (g[w].kind == VertexKind::kAccelerator) return false;
    for (auto out : boost::make_iterator_range(boost::out_edges(w, g)))
      if (boost::target(out, g) != at) return false;
    return true;
  };
  // The links at switch `at` on the far side from l (into it, or out of it), less l's
  // reverse (no route turns back) and those to vertices no route crosses; none unless
  // their capacities fit in l's.
  const auto side = [&](auto edges, auto far_end, Graph::vertex_descriptor at, Graph::vertex_descriptor reverse) {
    std::vector<engine::LinkId> feeders;
    if (g[at].kind != VertexKind::kSwitch) return feeders;
    double sum = 0;
    for (auto x : edges) {
      const auto w = far_end(x);
      if (w == reverse || off_route(w, at)) continue;
      feeders.push_back(engine::LinkId{g[x].id});
      sum += g[x].capacity.value();
    }
    if (!(sum <= capacity)) feeders.clear();
    return feeders;
  };
  std::vector<engine::LinkId> in = side(boost::make_iterator_range(boost::in_edges(from, g)),
                                        [&](EdgeId x) { return boost::source(x, g); }, from, to);
  if (!in.empty()) return in;
  return side(boost::make_iterator_range(boost::out_edges(to, g)), [&](EdgeId x) { return boost::target(x, g); }, to,
              from);
}

std::optional<engine::SwitchPath> EngineFabric::switch_path(engine::DeviceId d) const {
  if (!reduces_in_switch_[engine::index(d)]) return std::nullopt;
  const View& v = cluster_.collapsed();
  const Graph& g = v.graph();
  for (auto e : boost::make_iterator_range(boost::out_edges(v.endpoint(engine::index(d)), g))) {
    const Vertex& to = g[boost::target(e, g)];
    if (g[e].tier == LinkTier::kScaleUpAccess && to.role == SwitchRole::kNvSwitch) {
      const LinkId up = g[e].id;
      const LinkId down = up ^ 1u;  // the two directions of a link have ids 2k and 2k+1
      return engine::SwitchPath{.up = {engine::LinkId{up}}, .down = {engine::LinkId{down}}};
    }
  }
  PODSIM_UNREACHABLE("an in-switch-reducing device without an NVSwitch link");
  return std::nullopt;
}

}  // namespace podsim::topologies
