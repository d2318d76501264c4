#include "scheduler/failures.h"

#include <cmath>
#include <limits>

namespace podsim::scheduler {

const char* to_string(FailureUnit u) {
  switch (u) {
    case FailureUnit::kDevice: return "device";
    case FailureUnit::kNode: return "node";
    case FailureUnit::kLink: return "link";
  }
  return "?";
}

double job_mtbf_seconds(const FailureOptions& f, uint32_t devices, uint32_t nodes) {
  double rate = 0;  // failures per hour
  for (const FailureKind& k : f.kinds) rate += (k.unit == FailureUnit::kDevice ? devices : nodes) / k.mtbf_hours;
  return rate == 0 ? std::numeric_limits<double>::infinity() : 3600.0 / rate;
}

engine::SimTime young_daly_interval(engine::SimTime write_cost, double mtbf_s) {
  // One year is as good as never for a job without failures.
  const double s = std::min(std::sqrt(2.0 * write_cost.to_seconds() * mtbf_s), 365.0 * 86400.0);
  return engine::SimTime::seconds_ceil(s);
}

}  // namespace podsim::scheduler
