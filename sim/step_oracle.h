#pragma once
// ModelStepOracle: the cluster run's answer to "how fast does this job step on this
// placement shape?" (scheduler/job.h), from the workload step model.
//
// Workload 0 (trace and synthetic jobs): one reference second per step at the pool's
// relative speed. Workload k + 1 (explicit job k): the step model
// (workloads/step_model.h), analytical mode, on a representative placement of the shape
// in its pool (sim/representative_placement.h), with the job's plan for that pool
// (sim/pool_plans.h) and the pool's device at its TDP.
//
// Scale-out flows (flows(), once per start, on the job's actual devices): every rank
// pair's bytes per step between two scale-up domains (sim/scale_out_demand.h,
// for_each_crossing), summed per pair of leaves their NICs sit on, over the
// uncontended step time; each leaf pair is one flow over the shared links between the
// two leaves (sim/scale_out_fabric.h). Pairs on one leaf share no link with other
// jobs and make no flow. The exposed fraction is the step model's exposed time of the
// classes whose group spans domains (EP, PP, DP, CP), over the step, at most 1.
//
// With a StepRecorder, the step simulated for each (workload, devices, shape) is shown
// to the recorder's observer once, for a trace to replay at each start of a job of that
// shape (io/step_trace.h).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "sim/scale_out_fabric.h"
#include "topologies/cluster.h"
#include "topologies/engine_fabric.h"
#include "workloads/job.h"
#include "workloads/parallel_plan.h"
#include "workloads/step_observer.h"

namespace podsim::sim {

// Where the steps the oracle simulates go, once per key.
class StepRecorder {
 public:
  using Key = std::tuple<uint32_t, uint32_t, scheduler::PlacementShape>;  // workload, job devices, shape
  virtual ~StepRecorder() = default;
  // The observer for k's step, or null if k is recorded already. Valid until the next call.
  virtual workloads::StepObserver* record(const Key& k) = 0;
};

// plans[k][pool]: explicit job k's plan on the pool (nullopt: it may not run there).
using PoolPlans = std::vector<std::vector<std::optional<workloads::Plan>>>;

class ModelStepOracle final : public scheduler::StepModelOracle {
 public:
  // REQUIRES: `inv` was built from `cluster`; inv, cluster and models outlive this object.
  // `recorder` (not owned) may be null.
  ModelStepOracle(const scheduler::Inventory& inv, const topologies::Cluster& cluster,
                  const std::vector<workloads::TrainingJob>& models, PoolPlans plans, StepRecorder* recorder);

  scheduler::StepEstimate estimate(const scheduler::JobRequest& job, const scheduler::PlacementShape& shape) override;
  std::vector<scheduler::ScaleOutFlow> flows(const scheduler::JobRequest& job, const scheduler::StepEstimate& estimate,
                                             std::span<const uint32_t> devices,
                                             const scheduler::Inventory& inv) override;

 private:
  // comm_per_step of each stage of explicit job k's plan on a pool.
  const std::vector<std::vector<workloads::CommTotal>>& comms(uint32_t workload, uint32_t pool);

  const scheduler::Inventory& inv_;
  const std::vector<workloads::TrainingJob>& models_;
  const PoolPlans plans_;
  const topologies::EngineFabric fabric_;
  const ScaleOutFabric scale_out_;
  std::map<std::pair<uint32_t, uint32_t>, std::vector<std::vector<workloads::CommTotal>>> comms_;
  std::vector<const engine::DeviceSpec*> spec_;  // by pool
  StepRecorder* recorder_;
};

}  // namespace podsim::sim
