#include "cli/version.h"

// The only includer of the generated header, so a new version recompiles this file alone.
#include "cli/version_generated.h"

namespace podsim::cli {

std::string_view podsim_version() { return kGeneratedVersion; }

}  // namespace podsim::cli
