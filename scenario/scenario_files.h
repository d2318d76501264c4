#pragma once
// The files a scenario makes podsim read and write besides the scenario itself: its
// trace sources and outputs.out_dir's results. A command checks them with its own
// options' files before it runs (io/output_paths.h): no output may be an input or
// another output.
#include <string>
#include <vector>

#include "io/output_paths.h"
#include "scenario/scenario_file.h"

namespace podsim::scenario {

// sources[i].trace.path as it is opened: relative to the scenario's directory.
// REQUIRES: sources[i] is a trace source.
std::string trace_source_path(const ScenarioFile& file, int i);
// cluster.node_lists[i].path, relative to the scenario file as given.
std::string node_list_path(const ScenarioFile& file, int i);

// The scenario file (unless it was not read from a file) and every trace source.
std::vector<io::FileUse> scenario_inputs(const ScenarioFile& file);

// outputs.out_dir's files (io::kClusterOutputFiles), if out_dir is set and already a
// directory: a directory podsim will create holds nothing to overwrite.
std::vector<io::FileUse> scenario_outputs(const ScenarioFile& file);

}  // namespace podsim::scenario
