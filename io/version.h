#pragma once
// podsim's version, as `podsim --version` prints it and sweep files record it: the
// project version (CMakeLists.txt), then "+g" and 12 hex digits of the git commit when
// built from a checkout, then ".dirty-" and 8 hex digits of a hash of the uncommitted
// changes if there are any: "0.1.0+g6ded8b4c1e2f". Two builds of the same source agree;
// a build of other source differs (io/generate_version.cmake says how it is made).
#include <string_view>

namespace podsim::io {

std::string_view podsim_version();

}  // namespace podsim::io
