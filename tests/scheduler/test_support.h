#pragma once
// Small helpers for the scheduler tests: jobs in one line, and the start time of a job
// by name.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "scheduler/cluster_run.h"

namespace podsim::scheduler::testing {

// With ReferenceSpeedOracle at speed 1, `steps` is the run time in seconds.
inline JobRequest job(std::string name, double arrival_s, uint32_t devices, double seconds) {
  return {.name = std::move(name),
          .arrival = engine::SimTime::seconds(arrival_s),
          .devices = devices,
          .steps = seconds};
}

inline const JobResult& find(const ClusterRunResult& r, const std::string& name) {
  for (const JobResult& j : r.jobs)
    if (j.name == name) return j;
  FAIL("no job named " << name);
  return r.jobs.front();
}

inline double start_of(const ClusterRunResult& r, const std::string& name) {
  const JobResult& j = find(r, name);
  REQUIRE(j.first_start_s.has_value());
  return *j.first_start_s;
}

inline double end_of(const ClusterRunResult& r, const std::string& name) {
  const JobResult& j = find(r, name);
  REQUIRE(j.end_s.has_value());
  return *j.end_s;
}

inline ClusterRunResult run(const Inventory& inv, const std::vector<JobRequest>& jobs, ClusterRunOptions opts = {}) {
  std::vector<double> speeds;
  for (const PoolInfo& p : inv.pools()) speeds.push_back(p.relative_speed);
  ReferenceSpeedOracle oracle(speeds);
  return run_cluster(inv, jobs, oracle, opts);
}

}  // namespace podsim::scheduler::testing
