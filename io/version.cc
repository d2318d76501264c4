#include "io/version.h"

// The only includer of the generated header, so a new version recompiles this file alone.
#include "io/version_generated.h"

namespace podsim::io {

std::string_view podsim_version() { return kGeneratedVersion; }

}  // namespace podsim::io
