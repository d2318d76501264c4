// A job's progress arithmetic (scheduler/job_state.h), by hand.
#include "scheduler/job_state.h"

#include <doctest/doctest.h>

using namespace podsim::scheduler;
using podsim::engine::SimTime;

TEST_CASE("progress is linear after the pause, at one step per step_seconds") {
  // Started at 100 s with a 10 s restart, 2 s steps: at 130 s it has made (130 - 110) / 2
  // = 10 steps; 100 steps end at 110 + 200 = 310 s.
  JobState s;
  s.segment_start = SimTime::seconds(100);
  s.paused_until = SimTime::seconds(110);
  s.step_seconds = 2;
  CHECK(s.progress_at(SimTime::seconds(105)) == 0);
  CHECK(s.progress_at(SimTime::seconds(130)) == 10);
  CHECK(s.expected_end(SimTime::seconds(105), 100) == SimTime::seconds(310));
  CHECK(s.expected_end(SimTime::seconds(130), 100) == SimTime::seconds(310));
}

TEST_CASE("advance: useful and held seconds, attained device-seconds, MFU stretched by contention") {
  // The step model gave 2 s at MFU 0.5; contention stretches it to 3 s, so MFU is
  // 0.5 x 2 / 3 = 1/3 while it lasts. 8 devices, segment 100 -> 130 s, paused to 110 s:
  // held 30 s, useful 20 s, 20 / 3 steps, MFU-seconds 20 / 3, attained 240.
  JobState s;
  s.estimate = {.step_seconds = 2, .mfu = 0.5};
  s.step_seconds = 3;
  s.segment_start = SimTime::seconds(100);
  s.paused_until = SimTime::seconds(110);
  s.advance(SimTime::seconds(130), 100, 8);
  CHECK(s.progress == doctest::Approx(20.0 / 3));
  CHECK(s.useful_s == 20);
  CHECK(s.held_s == 30);
  CHECK(s.attained == 240);
  CHECK(s.mfu_s == doctest::Approx(20.0 / 3));
  CHECK(s.has_mfu);
  CHECK(s.segment_start == SimTime::seconds(130));
  // Never past its work.
  s.advance(SimTime::seconds(1000), 10, 8);
  CHECK(s.progress == 10);
}

TEST_CASE("roll_back: back to the checkpoint, the steps and their time lost") {
  JobState s;
  s.progress = 25;
  s.checkpointed = 20;
  s.step_seconds = 1.5;
  CHECK(s.roll_back() == 5);
  CHECK(s.progress == 20);
  CHECK(s.lost_steps == 5);
  CHECK(s.lost_seconds == 7.5);
}
