#pragma once
// Progress on a terminal: one line on stderr, redrawn in place, for the runs that take
// long (a sweep's points, a cluster run's simulated time, the planner's search).
//
// Shown only when stderr is a terminal and podsim is not quiet (-q): a pipe, a file or a
// CI log gets nothing, so no output file and no stdout changes with it. Redrawn at most
// every 0.2 s; the line is erased when the work is done (or the Progress ends), so the
// results that follow start on a clean line.
//
//   Progress p(std::cerr, wants_progress(quiet), "sweep", "points");
//   p.update(done, total);      // from any thread
#include <chrono>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace podsim::cli {

// True iff stderr is a terminal and `quiet` is false.
bool wants_progress(bool quiet);

// What the line says, e.g. "sweep: 12/40 points (30%), 1m20s left" ("..., about 1m20s
// left" once an estimate exists: after the first unit of work). `elapsed_s`: since the
// start. Counts print as integers, other quantities with `unit` through `format`.
std::string progress_text(std::string_view label, double done, double total, std::string_view unit,
                          double elapsed_s);

// Seconds as a person reads a wait: "45s", "3m05s", "2h07m", "12d03h".
std::string format_wait(double seconds);

class Progress {
 public:
  // Does nothing when !enabled.
  Progress(std::ostream& err, bool enabled, std::string label, std::string unit);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Thread-safe. `done` of `total` (same unit); when all is done, the line is erased.
  void update(double done, double total);
  // A line of its own text (the caller formats done/total), e.g. simulated time.
  void show(std::string_view text);
  // True when show() would draw now (enabled, and none drawn in the last 0.2 s): callers
  // called after every event skip formatting the text otherwise.
  bool due();
  // Erases the line, before results are printed; later calls draw it again.
  void finish();
  bool enabled() const { return enabled_; }

 private:
  void draw(const std::string& text);  // REQUIRES: mu_ held

  std::ostream& err_;
  const bool enabled_;
  const std::string label_, unit_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool drawn_ = false;
  std::mutex mu_;
};

}  // namespace podsim::cli
