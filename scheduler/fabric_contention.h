#pragma once
// FabricContention: the scale-out links a cluster run's jobs share. Each running job
// brings steady flows (ScaleOutFlow, scheduler/job.h: what the step oracle says it
// sends between two leaves, over the links of its route: leaf uplinks, spines, cores);
// all jobs' flows share every link max-min fairly (engine/network/maxmin.h). Leaf
// uplinks alone (leaf_uplink_flows) are the special case of one-link routes.
//
// A job's flows are capped at what they get when the job runs alone on the fabric, a_f
// (its demand d_f, or less where its own flows already saturate a link: the step model
// timed that step with the job alone, so alone it must not slow). With every job's
// flows sharing, flow f gets r_f <= a_f, and the job's communication slows by its worst
// flow, s = max_f a_f / r_f (a collective waits for its slowest member); its step becomes
// step_seconds * (1 - x + x s) with x the step's exposed scale-out fraction (job.h).
//
// Cost: a job's flows are added once per start and removed at its stop. Each link keeps
// the sum of the caps a_f of the flows crossing it; while no link's sum exceeds its
// capacity, every flow gets its cap exactly (that allocation is feasible and every flow
// is held by its own cap: max-min fair), so resolve() skips the solver. Otherwise it
// re-shares only the connected part of the fabric the changed flows touch (maxmin.h),
// every job after a skip; while skipping, one solve per as many removed flows as live ones
// frees their storage. The private cap link of each flow is reused by later flows of
// the same cap (the solver has no link removal).
//
// The run loop adds and removes a job's flows as it starts and stops, and calls
// resolve() before the rates matter; resolve() says which jobs' slowdowns moved. With
// an observer it also tells flows starting and ending and the load on each leaf's
// uplinks.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/network/maxmin.h"
#include "engine/sim_time.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "scheduler/run_observer.h"

namespace podsim::scheduler {

class FabricContention {
 public:
  // `observer` (not owned) may be null.
  FabricContention(const Inventory& inv, size_t jobs, RunObserver* observer);

  // Job `job` starts sending `flows`. REQUIRES: the job has no flows; each flow's route
  // names links of the inventory, each once, and bytes_per_s > 0 (std::invalid_argument).
  void add(engine::SimTime now, uint32_t job, std::span<const ScaleOutFlow> flows);
  // Removes the job's flows (none: nothing happens).
  void remove(engine::SimTime now, uint32_t job);
  // True when flows were added or removed since the last resolve().
  bool changed() const { return changed_; }

  struct JobSlowdown {
    uint32_t job;
    double slowdown;  // max over its flows of a_f / r_f, >= 1
  };
  // Shares the links again. Returns the jobs (in increasing order) whose slowdown
  // differs from the last one returned for them (1 before any, and after each remove).
  std::vector<JobSlowdown> resolve(engine::SimTime now);
  // The job's slowdown as of the last resolve() (1 without flows).
  double slowdown_of(uint32_t job) const { return reported_[job]; }

  // For tests: the rate of each of the job's flows (in the order added), as of the last
  // resolve().
  std::vector<double> rates(uint32_t job) const;

 private:
  engine::LinkId solver_link(uint32_t link);
  engine::LinkId cap_link(double cap);
  void add_demand(uint32_t link, double d);
  double slowdown(uint32_t job) const;
  void observe_leaves(engine::SimTime now);

  const Inventory& inv_;
  RunObserver* obs_;
  engine::MaxMinSolver solver_;
  std::vector<uint32_t> solver_link_;  // by inventory link; kNone until a flow uses it
  std::vector<uint32_t> inventory_link_;  // by solver link; kNone for a cap link
  static constexpr uint32_t kNone = UINT32_MAX;
  std::unordered_map<double, std::vector<engine::LinkId>> free_caps_;  // unused cap links by capacity
  struct Flow {
    uint32_t job = 0;
    double alone = 0;  // a_f
    engine::LinkId cap{};
    uint32_t leaf = 0;
  };
  std::vector<std::vector<engine::FlowId>> job_flows_;  // by job
  std::vector<Flow> flows_;                             // by FlowId
  bool changed_ = false;
  // Sum of the caps of the flows on each inventory link, and how many exceed capacity.
  std::vector<double> link_demand_;
  uint32_t overloaded_ = 0;
  bool solved_ = true;  // the last resolve() ran the solver (else every flow has its cap)
  bool stale_ = false;  // a resolve() skipped the solver since it last ran
  size_t removed_since_solve_ = 0;
  std::vector<double> reported_;  // by job: the slowdown last returned
  std::vector<uint32_t> slowed_;  // jobs whose reported_ is above 1, in increasing order

  // Observation only.
  std::vector<double> told_leaf_load_;  // by leaf
  std::vector<uint32_t> dirty_leaves_;  // whose uplink load may have changed since last told
};

}  // namespace podsim::scheduler
