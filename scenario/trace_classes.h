#pragma once
// A trace source's job classes (scheduling.proto JobClass, TraceReference) and the
// placement constraints of classes and explicit jobs (PlacementConstraints), checked
// with each field's place in the file. A class's workload is a Job message as a
// scenario's `jobs` write it, converted by job_from_proto.h once per GPU count its rows
// have: the row gives the devices (dp = GPUs / (tp pp cp) when dp is unset).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "podsim/v1/scheduling.pb.h"
#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "scheduler/trace_classes.h"
#include "sim/cluster_run.h"

namespace podsim::scenario {

// The `placement` at `field`, checked.
scheduler::PlacementConstraints placement_constraints(const podsim::v1::PlacementConstraints& c,
                                                      const std::string& field, Problems& problems);

class SourceClasses {
 public:
  // `field`: the source's trace ("sources[0].trace"). Records problems.
  SourceClasses(const ScenarioFile& file, const podsim::v1::TraceSource& t, const std::string& field,
                const scheduler::Inventory& inv, Problems& problems);

  bool empty() const { return rules_.empty(); }
  const std::vector<scheduler::ClassRule>& rules() const { return rules_; }
  // Columns a declared reader must carry on each job for the rules (TraceColumns::keep_columns).
  const std::vector<std::string>& columns() const { return columns_; }
  uint32_t reference_pool() const { return reference_; }
  const std::string& name(size_t k) const { return t_.classes(static_cast<int>(k)).name(); }
  const scheduler::PlacementConstraints& placement(size_t k) const { return placement_[k]; }
  std::string field(size_t k) const { return field_ + ".classes[" + std::to_string(k) + "]"; }

  // The workload (JobRequest::workload) of class k at `gpus` GPUs, its model appended to
  // jobs.models on first use; nullopt if the class's plan cannot cut that many GPUs.
  std::optional<uint32_t> workload(size_t k, uint32_t gpus, sim::SchedulerJobs& jobs);
  // Throws the problems of a class that matched rows but could cut none of their GPU
  // counts: its workload is wrong, not the rows.
  void throw_if_unusable() const;

 private:
  const ScenarioFile& file_;
  const podsim::v1::TraceSource& t_;
  std::string field_;
  std::vector<scheduler::ClassRule> rules_;
  std::vector<scheduler::PlacementConstraints> placement_;
  std::vector<std::string> columns_;
  uint32_t reference_ = 0;
  std::map<std::pair<size_t, uint32_t>, std::optional<uint32_t>> made_;  // (class, gpus)
  std::vector<bool> used_;                       // some GPU count worked
  std::vector<std::optional<Problems>> failed_;  // the first count that did not
};

}  // namespace podsim::scenario
