#include "topologies/dot.h"

#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/graphviz.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "topologies/vertex_homes.h"

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

std::string edge_label(const Link& l) {
  std::string label = capacity_label(l.capacity);
  if (l.lanes > 1) label += fmt::format(" x{}", l.lanes);
  return label;
}

// DOT string literal: quotes and backslashes escaped.
std::string dot_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// A vertex's name inside its cluster: the part after the cluster's name ("npu5/die1" in
// node "cm/node3"), so labels stay short; the full name is the tooltip.
std::string_view local_name(std::string_view name, std::string_view domain) {
  if (!domain.empty() && name.size() > domain.size() + 1 && name.substr(0, domain.size()) == domain &&
      name[domain.size()] == '/')
    return name.substr(domain.size() + 1);
  if (const size_t slash = name.find('/'); domain.empty() && slash != std::string_view::npos)
    return name.substr(slash + 1);  // "fabric/leaf3" -> "leaf3"
  return name;
}

int kind_order(const Vertex& x) {
  switch (x.kind) {
    case VertexKind::kAccelerator: return 0;
    case VertexKind::kSwitch: return 1;
    case VertexKind::kCpu: return 2;
    case VertexKind::kNic: return 3;
  }
  return 4;
}

// Writes the grouped graph. Layout is steered with invisible edges, the real links
// being constraint=false: a cluster's loose vertices stand in columns, and its
// sub-clusters (with the loose vertices as one more block, first) in rows. Each block
// has heads (its top vertices) and tails (its bottom ones); a row's tails point at an
// invisible spacer whose edges point at the next row's heads.
class GroupedWriter {
 public:
  GroupedWriter(const Cluster& c, const View& v, std::ostream& out)
      : c_(c), g_(v.graph()), out_(out), homes_(vertex_homes(c, v)), loose_(c.domains().size() + 1) {
    for (VertexId u = 0; u < boost::num_vertices(g_); ++u) loose_[homes_[u] ? *homes_[u] : fabric()].push_back(u);
    for (auto& vs : loose_)
      std::stable_sort(vs.begin(), vs.end(), [this](VertexId a, VertexId b) { return kind_order(g_[a]) < kind_order(g_[b]); });
  }

  void write() {
    out_ << kDotSignature << " nodesep=0.12, ranksep=0.25, fontsize=14];\n";
    out_ << "edge [dir=none, constraint=false, color=\"#00000040\"];\nnode [fontsize=10, height=0.3];\n";
    // The cluster (or its one pod), then the scale-out fabric below it.
    const std::vector<Domain>& doms = c_.domains();
    const Block machine = cluster(doms[0].children.size() == 1 && loose_[0].empty() ? doms[0].children[0] : 0);
    if (!loose_[fabric()].empty()) below(machine.tails, cluster(fabric()).heads);
    out_ << invisible_edges_;
    boost::filtered_graph<Graph, ForwardOnly> fg(g_, ForwardOnly{&g_});
    for (const EdgeId e : boost::make_iterator_range(boost::edges(fg)))
      // xlabel, not label: a labelled edge is a virtual vertex in dot's ranking, and with
      // constraint=false edges across clusters that fails ("trouble in init_rank").
      out_ << fmt::format("{} -> {} [xlabel={}, tooltip={}];\n", boost::source(e, g_), boost::target(e, g_),
                          dot_string(edge_label(g_[e])), dot_string(fmt::format("{}, {}", to_string(g_[e].tier), edge_label(g_[e]))));
    out_ << "}\n";
  }

 private:
  // Vertices at the top and bottom of a laid-out block.
  struct Block {
    std::vector<std::string> heads, tails;
    void push(const Block& b) {
      heads.insert(heads.end(), b.heads.begin(), b.heads.end());
      tails.insert(tails.end(), b.tails.begin(), b.tails.end());
    }
  };

  uint32_t fabric() const { return static_cast<uint32_t>(c_.domains().size()); }

  std::string domain_label(uint32_t d) const {
    if (d == fabric()) return "scale-out fabric";
    const Domain& dom = c_.domains()[d];
    // Its name inside the nearest ancestor whose name prefixes it ("node47" in
    // "cm/node47", whose rack is "cm/rack11"); a pod keeps its whole name.
    std::string_view name = dom.name;
    if (dom.level != DomainLevel::kPod)
      for (std::optional<uint32_t> a = dom.parent; a && name == dom.name; a = c_.domains()[*a].parent)
        name = local_name(dom.name, c_.domains()[*a].name);
    return fmt::format("{} ({} devices)", name, dom.device_count);
  }

  // `a` above `b`.
  void below(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.empty() || b.empty()) return;
    const std::string spacer = fmt::format("sp{}", spacers_++);
    out_ << fmt::format("{} [shape=point, style=invis, width=0, height=0, label=\"\"];\n", spacer);
    for (const std::string& x : a) invisible_edges_ += fmt::format("{} -> {} [style=invis, constraint=true];\n", x, spacer);
    for (const std::string& x : b) invisible_edges_ += fmt::format("{} -> {} [style=invis, constraint=true];\n", spacer, x);
  }

  // Loose vertices in columns of about the square root of their count, at least 4 tall.
  Block loose_columns(const std::vector<VertexId>& vs, std::string_view parent_name) {
    const auto height = static_cast<size_t>(std::max(4.0, std::ceil(std::sqrt(static_cast<double>(vs.size())))));
    Block b;
    for (size_t i = 0; i < vs.size(); ++i) {
      const Vertex& x = g_[vs[i]];
      out_ << fmt::format("{} [label={}, shape={}, tooltip={}];\n", vs[i], dot_string(local_name(x.name, parent_name)),
                          shape(x.kind), dot_string(x.name));
      const std::string id = fmt::format("{}", vs[i]);
      if (i % height == 0) {
        b.heads.push_back(id);
      } else {
        invisible_edges_ += fmt::format("{} -> {} [style=invis, constraint=true];\n", vs[i - 1], vs[i]);
      }
      if (i % height == height - 1 || i + 1 == vs.size()) b.tails.push_back(id);
    }
    return b;
  }

  Block cluster(uint32_t d) {
    out_ << fmt::format("subgraph cluster_{} {{\nlabel={};\n", d == fabric() ? "fabric" : fmt::format("d{}", d),
                        dot_string(domain_label(d)));
    const std::string_view parent_name = d == fabric() ? std::string_view() : std::string_view(c_.domains()[d].name);
    // Rows: the loose vertices alone (when there are sub-clusters), then the
    // sub-clusters in balanced rows of about sqrt(2n) (racks and nodes are taller than
    // wide): 12 racks -> 3 rows of 4, 48 nodes -> 5 rows of 10 and 8.
    std::vector<std::vector<Block>> rows;
    const std::vector<VertexId>& vs = loose_[d];
    if (!vs.empty()) rows.push_back({loose_columns(vs, parent_name)});
    std::vector<Block> children;
    if (d != fabric())
      for (const uint32_t child : c_.domains()[d].children) children.push_back(cluster(child));
    if (!children.empty()) {
      const double m = static_cast<double>(children.size());
      const auto target = std::ceil(std::sqrt(2 * m));
      const auto per_row = static_cast<size_t>(std::ceil(m / std::ceil(m / target)));
      for (size_t i = 0; i < children.size(); i += per_row)
        rows.emplace_back(children.begin() + static_cast<std::ptrdiff_t>(i),
                          children.begin() + static_cast<std::ptrdiff_t>(std::min(children.size(), i + per_row)));
    }
    Block whole, previous;
    for (const std::vector<Block>& r : rows) {
      Block row;
      for (const Block& b : r) row.push(b);
      if (previous.tails.empty()) {
        whole.heads = row.heads;
      } else {
        below(previous.tails, row.heads);
      }
      previous = std::move(row);
    }
    whole.tails = previous.tails;
    out_ << "}\n";
    return whole;
  }

  const Cluster& c_;
  const Graph& g_;
  std::ostream& out_;
  std::vector<std::optional<uint32_t>> homes_;
  std::vector<std::vector<VertexId>> loose_;  // by domain; the last is the fabric
  std::string invisible_edges_;
  size_t spacers_ = 0;
};

}  // namespace

void write_dot(const View& v, std::ostream& out) {
  const Graph& g = v.graph();
  boost::filtered_graph<Graph, ForwardOnly> fg(g, ForwardOnly{&g});
  auto vertex_writer = [&g](std::ostream& os, VertexId u) {
    os << fmt::format("[label=\"{}\", shape={}]", g[u].name, shape(g[u].kind));
  };
  auto edge_writer = [&g](std::ostream& os, EdgeId e) {
    os << fmt::format("[label=\"{}\", tooltip=\"{}\"]", edge_label(g[e]), to_string(g[e].tier));
  };
  auto graph_writer = [](std::ostream& os) { os << "edge [dir=none];\nnode [fontsize=10];\n"; };
  boost::write_graphviz(out, fg, vertex_writer, edge_writer, graph_writer);
}

void write_dot(const Cluster& c, const View& v, std::ostream& out) { GroupedWriter(c, v, out).write(); }

}  // namespace podsim::topologies
