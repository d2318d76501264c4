#pragma once
// The memory of a sweep's points run at once (scenario/sweep_run.h, --threads N).
//
// One run checks its memory before it builds anything (sim/memory_limit.h, run_size.h):
// each estimate against the limit (limits.max_memory_gib, else what the machine has
// available). Points started together each checked alone, so N points estimated at 60%
// of the machine each passed and together asked for N x 60%. Here each point's estimate
// (point_memory_bytes) is reserved before it starts, in point order, and a point whose
// estimate does not fit beside the points running waits for them to finish: the sweep
// runs fewer points at once while memory is short, never more than fit. A point alone
// always starts (its own checks then refuse it, or it fits).
//
//   MemoryGate gate;
//   MemoryGate::Pass pass = gate.enter(k, {.bytes = 3e9, .limit = 8e9});  // blocks
//   ... run point k ...                                                   // ~Pass leaves
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>

#include "scenario/scenario_file.h"

namespace podsim::scenario {

// A point's estimate and the limit its run's checks use (nullopt: none known).
struct PointMemory {
  double bytes = 0;
  std::optional<double> limit;
  bool limit_is_set = false;  // limits.max_memory_gib (--max-memory-gib), not the machine's
};

// What a run of the scenario is estimated to hold at once, before anything is built
// (cluster_run_bytes or study_memory_bytes; 0 for a scenario that is neither), and its
// limit: limits.max_memory_gib, else `available` (what the machine had when the sweep
// began). Throws UserError as the run's own checks would.
PointMemory point_memory(const ScenarioFile& file, std::optional<double> available);

// Thread-safe. Tickets 0, 1, 2, ... are let in in order, each exactly once.
class MemoryGate {
 public:
  // What held a point back: the points running when it first had to wait.
  struct Wait {
    size_t running = 0;
    double running_bytes = 0;
  };

  // A point let in; leaves the gate when destroyed.
  class Pass {
   public:
    Pass(Pass&& other) noexcept;
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    Pass& operator=(Pass&&) = delete;
    ~Pass();
    const std::optional<Wait>& waited() const { return waited_; }

   private:
    friend class MemoryGate;
    Pass(MemoryGate* gate, double bytes, std::optional<Wait> waited)
        : gate_(gate), bytes_(bytes), waited_(waited) {}
    MemoryGate* gate_;
    double bytes_;
    std::optional<Wait> waited_;
  };

  // Blocks until every ticket before `ticket` is in and either no point is running or
  // `need.bytes` fits in `need.limit` beside the running points' bytes.
  // REQUIRES: each ticket entered once, by one thread; every lower ticket entered too.
  Pass enter(size_t ticket, const PointMemory& need);

  // The most points that were running at once.
  size_t most_running() const;

 private:
  void leave(double bytes);

  mutable std::mutex mu_;
  std::condition_variable changed_;
  size_t turn_ = 0;  // the next ticket let in
  size_t running_ = 0;
  double running_bytes_ = 0;
  size_t most_running_ = 0;
};

}  // namespace podsim::scenario
