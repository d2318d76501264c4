#pragma once
// QueueIndex: the run loop's queue (jobs waiting to start, in arrival order) kept so
// that a policy can find the next queued job that could start without looking at the
// ones that cannot. EASY backfill used to try every queued job at every pass, O(queue)
// per event; with this it visits only jobs whose attempt can change something.
//
// Queued jobs are grouped into classes of equal (devices, placement constraints, pools
// named): every job of a class sees the same placement at a given moment, so "does it
// fit?" is answered per class. Within a class, per placement shape, each queued job's
// run time on that shape (restart pause plus remaining steps at the shape's step time)
// is kept once it is known, in a MinTree over the class's jobs in queue order: "the
// first job after x that would end by t" is one O(log n) descent. A job whose time on a
// shape is not yet known counts as ending at once, so it is visited (and its estimate
// asked for, as the plain scan did) before it can be skipped.
//
// Membership (enqueue/dequeue) is what SchedulerView::pending() shows and changes only
// between policy calls; mark_started() takes a job out of the classes at once, so a
// search in the same pass never returns it.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "engine/sim_time.h"
#include "scheduler/job.h"
#include "scheduler/job_admission.h"
#include "scheduler/min_tree.h"

namespace podsim::scheduler {

class QueueIndex {
 public:
  struct JobClass {
    uint32_t devices = 0;
    PlacementConstraints constraints;
    const std::vector<uint32_t>* pools = nullptr;  // the allowed pools of its jobs
  };

  // `allowed` (scheduler/job_admission.h) must outlive this; `jobs` is read only here.
  QueueIndex(const std::vector<JobRequest>& jobs, const AllowedPools& allowed);

  // Queue membership, in (arrival, id) order.
  void enqueue(uint32_t job);
  void dequeue(uint32_t job);
  bool empty() const { return queued_.empty(); }
  size_t size() const { return queued_.size(); }
  // The first queued job after `after` (from the head if nullopt).
  std::optional<uint32_t> next(std::optional<uint32_t> after) const;
  // Every queued job in order.
  void append_queued(std::vector<uint32_t>& out) const;

  // Classes.
  void mark_started(uint32_t job);
  size_t class_count() const { return classes_.size(); }
  const JobClass& job_class(size_t c) const { return classes_[c].key; }
  uint32_t class_of(uint32_t job) const { return class_of_[job]; }
  bool class_waiting(size_t c) const { return classes_[c].waiting > 0; }
  // The first waiting job of class c after `after` (in queue order).
  std::optional<uint32_t> next_in_class(size_t c, uint32_t after) const;
  // The first waiting job of class c after `after` that ends by `deadline` if started
  // `now` on `shape`, or whose time on `shape` is not known yet.
  std::optional<uint32_t> next_in_class_ending_by(size_t c, const PlacementShape& shape, uint32_t after,
                                                  engine::SimTime now, engine::SimTime deadline);
  // Records the waiting job's time on `shape` (restart pause plus remaining steps), kept
  // while it waits.
  void note_run_time(uint32_t job, const PlacementShape& shape, engine::SimTime run_time);

  uint32_t rank(uint32_t job) const { return rank_[job]; }

 private:
  static constexpr int64_t kNotWaiting = INT64_MAX;
  static constexpr int64_t kUnknown = INT64_MIN;
  struct Class {
    JobClass key;
    std::vector<uint32_t> members;  // jobs, in queue order
    std::vector<uint32_t> ranks;    // theirs
    size_t waiting = 0;
    MinTree any;  // 0 waiting, kNotWaiting not
    std::map<PlacementShape, MinTree> run_times;
  };
  // Index in the class of its first member after `after`.
  size_t first_member_after(const Class& k, uint32_t after) const;
  void set_leaf(uint32_t job, int64_t any, int64_t run_time);

  std::vector<uint32_t> rank_;   // by job: position in (arrival, id) order
  std::vector<uint32_t> order_;  // by rank: the job
  std::set<uint32_t> queued_;    // ranks
  std::vector<uint32_t> class_of_, member_;  // by job
  std::vector<Class> classes_;
};

}  // namespace podsim::scheduler
