#include "engine/check.h"

#include <fmt/format.h>

namespace podsim {

void check_failed(const char* condition, const char* file, int line, const std::string& message) {
  throw InternalError(fmt::format("invariant violated: {} ({}) at {}:{}", message, condition, file, line));
}

}  // namespace podsim
