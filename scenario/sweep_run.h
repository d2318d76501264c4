#pragma once
// Runs a sweep's points (sweep_plan.h) on a pool of threads and writes the table
// (sweep_file.h): one row per point of the shard, in point order, so the file is the same
// bytes for any thread count.
//
// With an output file, each row is also appended to OUT.journal (flushed) as its point
// completes; with `resume`, the rows of an existing journal of the same sweep and shard
// are kept and only the other points run. OUT is written whole (temp + rename) when every
// point is done, and the journal is then removed.
//
// A point that fails on bad input (say a plan that does not fit at that size) gets its
// one-line error in the `error` column and empty metrics; the sweep goes on. An internal
// error stops the sweep (after the running points finish) and is rethrown; the journal
// keeps what was done.
//
// Points start in point order, as many at once as `threads` and their memory estimates
// allow together (scenario/sweep_memory.h); a point held back for memory is said once
// per sweep (a warning of the "scenario" logger).
//
// Thread safety: each point parses its own ScenarioFile and builds its own cluster,
// fabric, simulator and results; the points share only the const SweepPlan, and the
// journal and row table under one mutex.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>

#include "io/sweep_file.h"
#include "scenario/sweep_plan.h"

namespace podsim::scenario {

struct SweepOptions {
  size_t threads = 1;  // >= 1
  io::Shard shard;
  std::optional<std::filesystem::path> out;  // nullopt: the table goes to `table_out`, no journal
  bool resume = false;                       // REQUIRES: out
  // Told (points done, points to run) after each point, under the sweep's lock; may be
  // empty. For a progress display: it must not write to `table_out`.
  std::function<void(size_t done, size_t total)> progress;
  // Long format (io/sweep_file.h): one row per (point, system, job, metric) with columns
  // point, the swept fields' short names (SweepPlan::labels), system, job, metric, value,
  // unit, text (plan and bottleneck), error. Default: wide, one row per point.
  bool long_format = false;
};

struct SweepSummary {
  size_t points = 0;   // in the shard
  size_t resumed = 0;  // taken from the journal
  size_t failed = 0;   // rows with an error
  // The most points that ran at once: at most `threads`, fewer when their memory
  // estimates together passed the limit one run's checks use (scenario/sweep_memory.h).
  size_t most_at_once = 0;
};

// Throws UserError for bad input found before any point runs (see SweepPlan::make) and
// for an unwritable output or a journal of another sweep.
SweepSummary run_sweep(const SweepPlan& plan, const SweepOptions& options, std::ostream& table_out);

}  // namespace podsim::scenario
