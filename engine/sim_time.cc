#include "engine/sim_time.h"

#include <fmt/format.h>

namespace podsim::engine {

std::string SimTime::to_string() const {
  const double s = to_seconds();
  const double a = std::fabs(s);
  if (a >= 86400.0) return fmt::format("{:.3f} d", s / 86400.0);
  if (a >= 3600.0) return fmt::format("{:.3f} h", s / 3600.0);
  if (a >= 1.0) return fmt::format("{:.3f} s", s);
  if (a >= 1e-3) return fmt::format("{:.3f} ms", s * 1e3);
  if (a >= 1e-6) return fmt::format("{:.3f} us", s * 1e6);
  return fmt::format("{} ns", ns_);
}

}  // namespace podsim::engine
