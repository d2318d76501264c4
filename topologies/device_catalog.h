#pragma once
// The named accelerators podsim knows, as engine::DeviceSpec values with their sources.
// Every figure comes from docs/hardware.md §1 (the section is cited beside each
// entry in device_catalog.cc); where sources conflict, the catalog takes the primary
// figure and a scenario overrides it (DeviceOverrides in proto/podsim/v1/system.proto).
//
//   engine::DeviceSpec h100 = *find_device("h100");
//   h100.peak_bf16  // 989.5 TFLOPS dense
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/device.h"

namespace podsim::topologies {

// The spec for a catalog name ("910b", "910b-313t", "910b-280t", "910c", "h100", "h800",
// "h20", "b200", "gb200", "a100"), or nullopt.
std::optional<engine::DeviceSpec> find_device(std::string_view name);

// Every catalog name, in the order above (for error messages and help).
const std::vector<std::string>& device_names();

}  // namespace podsim::topologies
