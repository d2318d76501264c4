#include "engine/check.h"

#include <fmt/format.h>

namespace podsim {

void check_failed(const char* condition, const char* file, int line, const std::string& message) {
  throw InternalError(fmt::format("invariant violated: {} ({}) at {}:{}", message, condition, file, line));
}

void check_failed(const char* condition, const char* file, int line, const char* message) {
  check_failed(condition, file, line, std::string(message));
}

}  // namespace podsim
