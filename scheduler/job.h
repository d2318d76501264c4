#pragma once
// JobRequest: one job as the scheduler sees it -- how many devices, where it may run,
// how much work, who submitted it and how it checkpoints -- and StepModelOracle, the
// one question the scheduler asks about performance: "how fast does this job step on
// this placement shape?". sim/step_oracle.h answers it with the workload step model; tests with
// a table.
//
// Work is counted in steps (fractions allowed). A trace job whose duration is work at
// reference speed is `steps = duration_s` with a one-second reference step, so a pool
// of relative speed 2 runs it in duration_s / 2.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/inventory.h"

namespace podsim::scheduler {

struct CheckpointPolicy {
  enum class Interval { kNone, kFixed, kYoungDaly };
  Interval interval = Interval::kNone;
  engine::SimTime every = engine::SimTime::zero();  // kFixed: running time between checkpoints
  // Training pauses this long while a checkpoint is written.
  engine::SimTime write_cost = engine::SimTime::zero();
  // Paid on every (re)start after an interruption: reload the checkpoint, rebuild the
  // communicators, warm up. No progress is made meanwhile.
  engine::SimTime restart_cost = engine::SimTime::zero();
};

// Where a job may be placed (scheduler/placement.h checks them): only whole free nodes,
// each filled; at most `max_domains` scale-up domains (1: one NVL72 rack, one
// CloudMatrix384 supernode; 0: any number).
struct PlacementConstraints {
  bool whole_nodes = false;
  uint32_t max_domains = 0;
  bool any() const { return whole_nodes || max_domains > 0; }
  auto operator<=>(const PlacementConstraints&) const = default;
};

struct JobRequest {
  std::string name;  // unique; errors and outputs name jobs by it
  engine::SimTime arrival = engine::SimTime::zero();
  uint32_t devices = 1;
  // Pools it may run on (indices into Inventory::pools()); empty: any. A job runs inside
  // one pool: its plan and speed depend on the pool's system.
  std::vector<uint32_t> pools;
  double steps = 1;  // total work
  int priority = 0;  // PRIORITY policy: higher first
  std::string user;  // FAIR_SHARE groups by it
  double weight = 1;  // FAIR_SHARE: a user's share is proportional to its weight
  CheckpointPolicy checkpoint;
  // Opaque to the scheduler: which workload the oracle should model (an index into the
  // CLI's table of models). Jobs with equal `workload` and shape share estimates.
  uint32_t workload = 0;
  PlacementConstraints placement;
};

// What a placement looks like, for the step model: where the job landed, not which
// devices. Estimates are cached by it, so two placements of equal shape cost one
// estimate.
struct PlacementShape {
  uint32_t pool = 0;
  uint32_t devices = 0;
  uint32_t domains = 0;  // scale-up domains spanned
  uint32_t nodes = 0;
  uint32_t leaves = 0;
  auto operator<=>(const PlacementShape&) const = default;
};

struct StepEstimate {
  double step_seconds = 1;  // time per step with the scale-out fabric uncontended
  // Model FLOPs utilisation at that speed; nullopt when the workload is unknown (a trace
  // job carries no model).
  std::optional<double> mfu;
  // Per device while training; nullopt: the inventory's busy_watts.
  std::optional<double> device_watts;
  // Steady traffic the job sends out of each leaf it occupies, bytes/s per direction,
  // at full speed (0 for a job inside one leaf or one scale-up domain): the demand of
  // the default flows (leaf_uplink_flows below).
  double scale_out_bytes_per_s_per_leaf = 0;
  // Share of the step that waits on the job's scale-out flows: when its flows get
  // rates r_f below what they get alone a_f, its step becomes
  // step_seconds * (1 - f + f * max_f a_f / r_f) (scheduler/fabric_contention.h).
  double scale_out_exposed_fraction = 0;
  // The step model's breakdown of the step on its critical device, for traces:
  // compute_s + host_s + offload_s + the exposed times + bubble_s = step_seconds.
  // nullopt for jobs without a model (trace replays).
  struct Breakdown {
    double compute_s = 0, bubble_s = 0;
    double host_s = 0;     // MoE host overhead (workloads/step_model.h)
    double offload_s = 0;  // exposed activation offload (workloads/step_model.h)
    std::vector<std::pair<std::string, double>> exposed_s;  // (class: "tp", "dp"...; seconds)
  };
  std::optional<Breakdown> breakdown;
};

// One steady flow of a running job on the scale-out fabric: what it sends between two
// points of attachment (leaves), over the links of its route.
struct ScaleOutFlow {
  std::vector<uint32_t> route;  // indices into Inventory::links(), each at most once
  double bytes_per_s = 0;       // its demand at the uncontended step; > 0
  uint32_t leaf = 0;            // the leaf it leaves from (observers)
};

// The default flows: one per leaf the devices span (at least two) and uplink of that
// leaf, demanding estimate.scale_out_bytes_per_s_per_leaf. Leaves without uplink links
// add none.
std::vector<ScaleOutFlow> leaf_uplink_flows(const StepEstimate& estimate, std::span<const uint32_t> devices,
                                            const Inventory& inv);

class StepModelOracle {
 public:
  virtual ~StepModelOracle() = default;
  // REQUIRES: shape.pool is one of job.pools (or job.pools is empty) and the pool holds
  // shape.devices >= job.devices devices. Must be a pure function of (job.workload,
  // job.devices, shape): the scheduler caches it.
  virtual StepEstimate estimate(const JobRequest& job, const PlacementShape& shape) = 0;
  // The job's steady scale-out flows on `devices` (its placement, rank order), given its
  // estimate there. Asked once per start. Default: leaf_uplink_flows.
  virtual std::vector<ScaleOutFlow> flows(const JobRequest& /*job*/, const StepEstimate& estimate,
                                          std::span<const uint32_t> devices, const Inventory& inv) {
    return leaf_uplink_flows(estimate, devices, inv);
  }
};

// Trace jobs: one reference second per step, sped up by the pool's relative speed.
class ReferenceSpeedOracle final : public StepModelOracle {
 public:
  explicit ReferenceSpeedOracle(std::vector<double> pool_speed) : pool_speed_(std::move(pool_speed)) {}
  StepEstimate estimate(const JobRequest& /*job*/, const PlacementShape& shape) override {
    return {.step_seconds = 1.0 / pool_speed_.at(shape.pool)};
  }

 private:
  std::vector<double> pool_speed_;
};

}  // namespace podsim::scheduler
