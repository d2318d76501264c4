#pragma once
// A Gantt chart of jobs: one bar per job from its first start to its end, coloured by
// group (pool, or size class), with the wait from arrival to start as a thin line.
//
// Failures that hit a job (red) and preemptions (black) are ticks across its bar at the
// moment they happened. Few jobs (<= max_named_rows): one labelled row per job, in input
// order, with the counts after the bar. Many jobs: bars are packed into lanes (first fit
// by start time: a lane takes the next job that starts after its last one ends),
// unlabelled; beyond max_bars only the jobs with the most device-time are drawn, and the
// rendering says how many.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace podsim::report {

struct GanttBar {
  std::string name;
  size_t group = 0;  // index into GanttChart::groups
  uint32_t devices = 0;
  double arrival_s = 0, start_s = 0, end_s = 0;
  bool finished = true;  // false: still running when the run ended at end_s
  uint32_t preemptions = 0, interruptions = 0;
  std::vector<double> preemption_times_s, interruption_times_s;  // s, within [start_s, end_s]
};

struct GanttChart {
  std::string id, title;
  std::vector<std::string> groups;  // legend labels, colour i = palette class "c<i mod 8>"
  std::vector<GanttBar> bars;       // jobs that ran (started), in input order
  double t0_s = 0, t1_s = 1;        // the time axis
  size_t max_named_rows = 40;
  size_t max_bars = 2000;
  double width = 1080;
};

struct GanttRendering {
  std::string svg;
  size_t shown = 0;  // bars drawn
  size_t lanes = 0;  // rows
  // Empty, or a sentence saying which jobs were left out.
  std::string note;
};

GanttRendering render_gantt(const GanttChart& chart);

// The bars a chart of at most `max_bars` draws: all of them, or the `max_bars` with the
// most device-seconds (devices x (end - start)), ties to the earlier; in input order.
std::vector<size_t> bars_to_draw(const std::vector<GanttBar>& bars, size_t max_bars);

// First-fit lanes: lane[i] for bars[order[i]], where a bar goes to the first lane whose
// last bar ends at or before its start minus `gap_s`. `order` is by start time.
std::vector<size_t> pack_lanes(const std::vector<GanttBar>& bars, const std::vector<size_t>& order, double gap_s);

}  // namespace podsim::report
