#pragma once
// What `podsim plan --system S --devices N` plans on, for the command line and the
// Python module alike: a scenario of as many S systems as N devices need, several joined
// by a fat tree of radix 64 (1:1, leaves in device order): 2 tiers hold 64 leaves x 32
// NICs, beyond that 3 tiers (64 pods of 32 leaves). The last leaf and pod may be part full.
#include <optional>
#include <string>
#include <string_view>

#include "engine/device.h"
#include "scenario/scenario_file.h"

namespace podsim::scenario {

// Throws UserError for an unknown system preset.
ScenarioFile preset_cluster_file(const std::string& system, int devices);

// "bf16", "fp16", "fp8", "int8"; nullopt for anything else.
std::optional<engine::Precision> plan_precision(std::string_view name);

}  // namespace podsim::scenario
