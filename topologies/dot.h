#pragma once
// Graphviz output of a view. Each physical link is drawn once (its even LinkId),
// undirected, labelled with its capacity per direction and lane count; vertices are
// shaped by kind (box: accelerator, ellipse: switch, diamond: NIC, hexagon: CPU).
//
// With the cluster, vertices are grouped as the machine is: a `subgraph cluster_dN`
// per pod (scale-up domain), rack and node of Cluster::domains(), each vertex in the
// domain vertex_homes() gives it, and the scale-out switches in `cluster_fabric`. Inside
// a node its vertices are stacked in a column, and the nodes of a rack (the racks of a
// pod) are laid out in rows of about the square root of their count, so `dot -Tsvg`
// draws a CloudMatrix384 as 12 racks of 4 nodes rather than a strip 768 dies wide.
#include <ostream>
#include <string_view>

#include "topologies/cluster.h"
#include "topologies/view.h"

namespace podsim::topologies {

// The first lines of every file write_dot writes: how `podsim topo --dot` knows a file
// it may replace (io/output_paths.h).
inline constexpr std::string_view kDotSignature = "digraph G {\ngraph [newrank=true, splines=line,";

// Flat: no clusters.
void write_dot(const View& v, std::ostream& out);
// Grouped by pod, rack and node. REQUIRES: v is c.detailed() or c.collapsed().
void write_dot(const Cluster& c, const View& v, std::ostream& out);

}  // namespace podsim::topologies
