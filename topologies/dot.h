#pragma once
// Graphviz output of a view through Boost.Graph's write_graphviz. Each physical link is
// drawn once (its even LinkId), undirected, labelled with its capacity per direction and
// lane count; vertices are shaped by kind (box: accelerator, ellipse: switch, diamond:
// NIC, hexagon: CPU). The detailed view of a large cluster is a big file; the collapsed
// view of one supernode renders in seconds with `sfdp -Tsvg`.
#include <ostream>

#include "topologies/view.h"

namespace podsim::topologies {

void write_dot(const View& v, std::ostream& out);

}  // namespace podsim::topologies
