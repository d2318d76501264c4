#include "topologies/dot.h"

#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/graphviz.hpp>
#include <fmt/format.h>

namespace podsim::topologies {
namespace {

// One direction of each physical link: Builder and collapse() give a->b the even id.
struct ForwardOnly {
  const Graph* g = nullptr;
  bool operator()(EdgeId e) const { return (*g)[e].id % 2 == 0; }
};

const char* shape(VertexKind k) {
  switch (k) {
    case VertexKind::kAccelerator: return "box";
    case VertexKind::kCpu: return "hexagon";
    case VertexKind::kNic: return "diamond";
    case VertexKind::kSwitch: return "ellipse";
  }
  return "ellipse";
}

std::string capacity_label(engine::Bandwidth b) {
  const double gb = b.value() / 1e9;
  return gb >= 1000 ? fmt::format("{:.4g} TB/s", gb / 1000) : fmt::format("{:.4g} GB/s", gb);
}

}  // namespace

void write_dot(const View& v, std::ostream& out) {
  const Graph& g = v.graph();
  boost::filtered_graph<Graph, ForwardOnly> fg(g, ForwardOnly{&g});
  auto vertex_writer = [&g](std::ostream& os, VertexId u) {
    os << fmt::format("[label=\"{}\", shape={}]", g[u].name, shape(g[u].kind));
  };
  auto edge_writer = [&g](std::ostream& os, EdgeId e) {
    const Link& l = g[e];
    std::string label = capacity_label(l.capacity);
    if (l.lanes > 1) label += fmt::format(" x{}", l.lanes);
    os << fmt::format("[label=\"{}\", tooltip=\"{}\"]", label, to_string(l.tier));
  };
  auto graph_writer = [](std::ostream& os) { os << "edge [dir=none];\nnode [fontsize=10];\n"; };
  boost::write_graphviz(out, fg, vertex_writer, edge_writer, graph_writer);
}

}  // namespace podsim::topologies
