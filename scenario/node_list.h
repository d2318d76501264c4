#pragma once
// A node list: a CSV of machines, one row each under a header row (a Kubernetes node
// export such as the openb layout `sn,cpu_milli,memory_mib,gpu,model`, an inventory
// spreadsheet), read into groups of machines with the same GPU type and GPU count. Each
// group becomes a pool of one-server systems (cluster_from_proto.h, Cluster.node_lists).
//
//   NodeList l = read_node_list("nodes.csv", {.gpus = "gpu", .gpu_type = "model"});
//   for (const MachineGroup& g : l.groups) ...   // {"H800", 8 GPUs, 3 machines}
#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace podsim::scenario {

struct NodeListColumns {
  std::string gpus;      // required: the machine's GPU count
  std::string gpu_type;  // empty: every machine's type is ""
};

struct MachineGroup {
  std::string gpu_type;
  int gpus = 0;
  int machines = 0;
  size_t first_line = 0;  // the group's first machine, for messages
};

struct NodeList {
  std::vector<MachineGroup> groups;       // in order of first appearance
  std::map<std::string, int> skipped;     // machines without GPUs, by reason
};

// The most GPUs one machine may declare: 8x the largest GPU server sold (8 to 16 GPUs).
inline constexpr int kMaxGpusPerMachine = 128;

// Throws UserError "FILE:LINE: column 'gpu': ..." for a missing column, a GPU count
// that is not a whole number in [0, kMaxGpusPerMachine], a row shorter than the header.
NodeList read_node_list(const std::string& path, const NodeListColumns& columns);
// The same from a stream; `path` only names it in messages.
NodeList read_node_list(std::istream& in, const std::string& path, const NodeListColumns& columns);

}  // namespace podsim::scenario
