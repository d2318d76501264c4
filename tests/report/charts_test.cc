// Chart geometry and page content, against hand calculations.
#include <doctest/doctest.h>

#include <string>

#include "report/cdf_chart.h"
#include "report/cluster_report.h"
#include "report/gantt_chart.h"
#include "report/grouped_bar_chart.h"
#include "report/stacked_bar_chart.h"

namespace podsim::report {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST_CASE("a grouped bar's height is its value times the axis scale") {
  const GroupedBarChart c{.id = "b", .title = "t", .series = {"A", "B"},
                          .groups = {{"job1", {12.5, 40}}, {"job2", {8, 0}}}};
  const BarLayout l = layout_grouped_bars(c);
  // Plot height = 360 - 36 (legend) - 50 (axis) = 274 px. The axis covers 40 plus 8%
  // headroom = 43.2: range nice(43.2, ceiling) = 50, step nice(50 / 5, round) = 10, so
  // it ends at 50 and a unit is 274 / 50 = 5.48 px.
  CHECK(l.frame.height == doctest::Approx(274));
  CHECK(l.ticks.values.back() == doctest::Approx(50));
  CHECK(l.px_per_unit == doctest::Approx(5.48));
  REQUIRE(l.bars.size() == 4);
  CHECK(l.bars[0].h == doctest::Approx(12.5 * 5.48));  // 68.5 px
  CHECK(l.bars[0].y + l.bars[0].h == doctest::Approx(l.frame.bottom()));
  CHECK(l.bars[1].h == doctest::Approx(40 * 5.48));
  CHECK(l.bars[3].h == 0);
  // Series keep their colour across groups.
  const std::string svg = render_grouped_bars(c);
  CHECK(count(svg, "class=\"bar c0\"") == 2);
  CHECK(count(svg, "class=\"bar c1\"") == 2);
  CHECK(svg.find(">12.5<") != std::string::npos);  // value label
}

TEST_CASE("stacked segments are value times scale long and abut") {
  const StackedBarChart c{.id = "s", .title = "t", .segments = {{"compute", "c0"}, {"tp", "c1"}, {"ep", "c2"}, {"bubble", "bubble"}},
                          .bars = {{"A", {3, 1, 0, 2}}, {"B", {1, 1, 1, 1}}}, .x_title = "s"};
  const BarLayout l = layout_stacked_bars(c);
  // Longest total 6; ticks nice(10 / 6 = 1.67, round) = 2 -> 0..6, so the axis ends at 6.
  CHECK(l.ticks.values.back() == doctest::Approx(6));
  CHECK(l.px_per_unit == doctest::Approx(l.frame.width / 6));
  REQUIRE(l.bars.size() == 7);  // A's zero "ep" segment is left out
  CHECK(l.bars[0].w == doctest::Approx(3 * l.px_per_unit));
  CHECK(l.bars[1].x == doctest::Approx(l.bars[0].x + l.bars[0].w));
  CHECK(l.bars[2].series == 3);  // bubble follows tp directly
  CHECK(l.bars[2].x + l.bars[2].w == doctest::Approx(l.frame.right()));  // total 6 = axis end
}

TEST_CASE("Gantt lanes: first fit by start time") {
  // [0,10] -> lane 0; [5,15] overlaps it -> lane 1; [10,20] fits after lane 0's end;
  // [12,30] overlaps both lanes' last bars (ending 20 and 15) -> lane 2.
  std::vector<GanttBar> bars{{.name = "a", .start_s = 0, .end_s = 10},
                             {.name = "b", .start_s = 5, .end_s = 15},
                             {.name = "c", .start_s = 10, .end_s = 20},
                             {.name = "d", .start_s = 12, .end_s = 30}};
  CHECK(pack_lanes(bars, {0, 1, 2, 3}, 0) == std::vector<size_t>{0, 1, 0, 2});
  // With a 1 s gap, c (starting at a's end, 10) fits neither lane 0 (it needs an end
  // <= 9) nor lane 1 (ends at 15): lane 2; d then fits lane 0 (10 <= 12 - 1).
  CHECK(pack_lanes(bars, {0, 1, 2, 3}, 1) == std::vector<size_t>{0, 1, 2, 0});
}

TEST_CASE("Gantt keeps the jobs with the most device-time when capped") {
  std::vector<GanttBar> bars{{.name = "a", .devices = 8, .start_s = 0, .end_s = 10},      // 80
                             {.name = "b", .devices = 1, .start_s = 0, .end_s = 100},     // 100
                             {.name = "c", .devices = 64, .start_s = 0, .end_s = 1},      // 64
                             {.name = "d", .devices = 10, .start_s = 0, .end_s = 10}};   // 100, after b
  CHECK(bars_to_draw(bars, 2) == std::vector<size_t>{1, 3});
  CHECK(bars_to_draw(bars, 9).size() == 4);
}

TEST_CASE("Gantt draws one bar per job and marks hit and unfinished jobs") {
  GanttChart c{.id = "gantt", .title = "Jobs", .groups = {"pool a"}, .t0_s = 0, .t1_s = 7200};
  c.bars = {{.name = "x<1>", .devices = 8, .arrival_s = 0, .start_s = 0, .end_s = 3600},
            {.name = "y", .devices = 8, .arrival_s = 60, .start_s = 600, .end_s = 7200, .finished = false, .interruptions = 2,
             .interruption_times_s = {1200, 3000}}};
  const GanttRendering r = render_gantt(c);
  CHECK(r.shown == 2);
  CHECK(r.note.empty());
  CHECK(count(r.svg, "class=\"job ") == 2);
  CHECK(count(r.svg, "class=\"job c0 open\"") == 1);
  CHECK(count(r.svg, "class=\"fail-mark\"") == 3);  // two ticks and the legend's
  CHECK(count(r.svg, "preempt-mark") == 0);
  CHECK(r.svg.find("x&lt;1&gt;") != std::string::npos);
  CHECK(r.svg.find(">2 failures<") != std::string::npos);
  SUBCASE("a long name is cut to the label column, whole in the tooltip") {
    // The column is capped at 280 px: 280 - 14 = 266 px of label, 6.6 px a character
    // (0.55 x 12 px), so 40 characters with the ellipsis.
    c.bars[0].name = std::string(60, 'n');
    const GanttRendering cut = render_gantt(c);
    CHECK(cut.svg.find(">" + std::string(37, 'n') + "...<") != std::string::npos);
    CHECK(cut.svg.find("<title>" + std::string(60, 'n') + ":") != std::string::npos);
  }
  SUBCASE("many jobs: lanes and a cap, said in the note") {
    c.bars.clear();
    for (int i = 0; i < 100; ++i)
      c.bars.push_back({.name = "j", .devices = 1, .arrival_s = 0, .start_s = 60.0 * i, .end_s = 60.0 * i + 30});
    c.max_bars = 50;
    const GanttRendering many = render_gantt(c);
    CHECK(many.shown == 50);
    CHECK(count(many.svg, "class=\"job ") == 50);
    CHECK(many.lanes == 1);  // none overlap
    CHECK(many.note.find("Showing the 50 jobs") == 0);
  }
}

TEST_CASE("CDF helpers") {
  CHECK(share_at_most({1, 2, 3, 4}, 2.5) == doctest::Approx(0.5));
  CHECK(share_at_most({1, 2, 3, 4}, 4) == doctest::Approx(1));
  CHECK(share_at_most({}, 4) == 0);
  // Zero waits are below the 1 s floor; 3 s and 450 s give the decades 1 .. 1000.
  const LogRange r = log_range({{"w", "c0", {0, 3, 450}}}, 1);
  CHECK(r.lo == doctest::Approx(1));
  CHECK(r.hi == doctest::Approx(1000));
}

// Two jobs on 16 devices over two hours: "a" finished (JCT 1 h), "b & c" still running.
scheduler::ClusterRunResult two_job_run() {
  scheduler::ClusterRunResult r;
  r.summary.devices = 16;
  r.summary.jobs = 2;
  r.summary.finished = 1;
  r.summary.makespan_s = 7200;
  r.jobs = {{.name = "a", .devices = 8, .pool = "p", .arrival_s = 0, .first_start_s = 0, .end_s = 3600, .jct_s = 3600},
            {.name = "b & c", .devices = 16, .pool = "p", .arrival_s = 100, .first_start_s = 3600}};
  for (int i = 0; i < 4; ++i) r.timeline.push_back({.t_s = 1800.0 * i, .utilization = 0.5, .running = 1});
  return r;
}

TEST_CASE("the cluster report is self-contained and deterministic") {
  const scheduler::ClusterRunResult r = two_job_run();
  const ScenarioHeader h{.name = "t", .description = "<test>", .seed = 7};
  const std::string html = cluster_report_html(h, r);
  CHECK(html == cluster_report_html(h, r));
  CHECK(html.find("http") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;test&gt;") != std::string::npos);
  CHECK(count(html, "class=\"job ") == 2);
  CHECK(count(html, "<svg") == 4);  // utilization, queue, Gantt, CDF
  CHECK(html.find("finished jobs; JCT p50") != std::string::npos);
}

// A run cut before any job finished (horizon) has no JCT: n/a, not a mean of 0 s.
TEST_CASE("the cluster report says n/a for the JCT when no job finished") {
  scheduler::ClusterRunResult r = two_job_run();
  r.summary.finished = 0;
  r.jobs[0].end_s.reset();
  r.jobs[0].jct_s.reset();
  const std::string html = cluster_report_html(ScenarioHeader{.name = "t", .description = "", .seed = 1}, r);
  CHECK(html.find("no job finished") != std::string::npos);
  CHECK(html.find("No job finished: no JCT.") != std::string::npos);
  CHECK(html.find("JCT p50") == std::string::npos);
}

}  // namespace
}  // namespace podsim::report
