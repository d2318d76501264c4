#pragma once
// The scenario's `cluster` section (proto/podsim/v1/system.proto) as topology
// parameters: presets looked up by name, overrides applied field by field, and every
// problem -- in the proto or in the resulting parameters (topologies::check) --
// reported with the field's place in the file ("x.textproto:7:5: cluster.pools[0].
// cloudmatrix384.l2_link_gbytes_per_s: must be > 0 GB/s, got 0") or the --set that
// changed it.
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
#include "topologies/params.h"

namespace podsim::scenario {

// The machines of the cluster's node lists that no pool holds, counted by reason and
// list: {"no GPUs (cluster.node_lists[0])": 1}. A run's summary prints them.
using SkippedMachines = std::map<std::string, size_t>;

// Records every problem in `problems`; nullopt iff there was any. Adds the node lists'
// skipped machines to `skipped` unless null.
std::optional<topologies::ClusterParams> cluster_params(const ScenarioFile& file, Problems& problems,
                                                        SkippedMachines* skipped = nullptr);

// The same, throwing UserError with every problem.
topologies::ClusterParams cluster_params(const ScenarioFile& file, SkippedMachines* skipped = nullptr);

}  // namespace podsim::scenario
