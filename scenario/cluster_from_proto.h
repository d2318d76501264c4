#pragma once
// The scenario's `cluster` section (proto/podsim/v1/system.proto) as topology
// parameters: presets looked up by name, overrides applied field by field, and every
// problem -- in the proto or in the resulting parameters (topologies::check) --
// reported with the field's place in the file ("x.textproto:7:5: cluster.pools[0].
// cloudmatrix384.l2_link_gbytes_per_s: must be > 0 GB/s, got 0") or the --set that
// changed it.
#include <optional>

#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
#include "topologies/params.h"

namespace podsim::scenario {

// Records every problem in `problems`; nullopt iff there was any.
std::optional<topologies::ClusterParams> cluster_params(const ScenarioFile& file, Problems& problems);

// The same, throwing UserError with every problem.
topologies::ClusterParams cluster_params(const ScenarioFile& file);

}  // namespace podsim::scenario
