#pragma once
// Which job class a trace row belongs to: the first rule whose every condition holds
// (GPU count and run-time ranges, user, queue, a declared column's value). scenario/
// gives each class a workload, so a row becomes a job the step model times on the
// placement it gets instead of a run time with no traffic.
//
//   std::vector<ClassRule> rules = {{.max_gpus = 8}, {.min_gpus = 64, .max_gpus = 512}, {}};
//   match_class(rules, job)   // 0 for a 4-GPU row, 1 for a 128-GPU row, 2 (the fallback) else
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/traces.h"

namespace podsim::scheduler {

struct ClassRule {
  uint32_t min_gpus = 0, max_gpus = 0;              // 0: no bound
  double min_duration_s = 0, max_duration_s = 0;    // 0: no bound
  std::vector<std::string> users, queues;           // any of them; empty: any
  // (index into TraceJob::columns, values): the row's cell is one of the values.
  std::vector<std::pair<size_t, std::vector<std::string>>> columns;
};

// The index of the first rule `job` meets, or nullopt.
std::optional<size_t> match_class(const std::vector<ClassRule>& rules, const TraceJob& job);

}  // namespace podsim::scheduler
