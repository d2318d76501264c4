#include "scheduler/trace_classes.h"

#include <algorithm>

namespace podsim::scheduler {
namespace {

bool one_of(const std::vector<std::string>& values, const std::string& v) {
  return values.empty() || std::find(values.begin(), values.end(), v) != values.end();
}

bool meets(const ClassRule& r, const TraceJob& job) {
  if (r.min_gpus > 0 && job.devices < r.min_gpus) return false;
  if (r.max_gpus > 0 && job.devices > r.max_gpus) return false;
  if (r.min_duration_s > 0 && job.duration_s < r.min_duration_s) return false;
  if (r.max_duration_s > 0 && job.duration_s > r.max_duration_s) return false;
  if (!one_of(r.users, job.user) || !one_of(r.queues, job.queue)) return false;
  for (const auto& [col, values] : r.columns)
    if (col >= job.columns.size() || std::find(values.begin(), values.end(), job.columns[col]) == values.end())
      return false;
  return true;
}

}  // namespace

std::optional<size_t> match_class(const std::vector<ClassRule>& rules, const TraceJob& job) {
  for (size_t k = 0; k < rules.size(); ++k)
    if (meets(rules[k], job)) return k;
  return std::nullopt;
}

}  // namespace podsim::scheduler
