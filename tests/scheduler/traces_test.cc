#include "scheduler/traces.h"

#include <doctest/doctest.h>

#include <sstream>

#include "engine/error.h"

using namespace podsim::scheduler;

namespace {
Trace parse(const std::string& text, TraceFormat f) {
  std::istringstream in(text);
  return read_trace(in, "t.csv", f);
}
}  // namespace

TEST_CASE("ITP rows become jobs in submission order") {
  const Trace t = parse("job_id,submission_time,duration,num_gpu\nb,20,100,8\na,10,50,1\n", TraceFormat::kItp);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].id == "a");
  CHECK(t.jobs[0].submit_s == 10);  // ITP times are already relative: kept as given
  CHECK(t.jobs[0].line == 3);
  CHECK(t.jobs[1].devices == 8);
  CHECK(t.jobs[1].duration_s == 100);
}

TEST_CASE("a malformed ITP row names file, line and column") {
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,1,2,4\nb,1,2,x\n", TraceFormat::kItp),
                       "t.csv:3: column 'num_gpu': expected a positive integer, got 'x'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,-1,2,4\n", TraceFormat::kItp),
                       "t.csv:2: column 'submission_time': expected a number of seconds >= 0, got '-1'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submit,duration,num_gpu\n", TraceFormat::kItp),
                       "t.csv:1: missing column 'submission_time' (expected it in the header row; header: job_id,submit,duration,num_gpu)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,1,2\n", TraceFormat::kItp),
                       doctest::Contains("t.csv:2: 3 columns, expected 4"), podsim::UserError);
}

TEST_CASE("Slurm-style rows: dates or seconds, CPU and never-started jobs skipped") {
  const std::string text =
      "job_id,user,gpu_num,node_num,state,submit_time,start_time,end_time\n"
      "1,u,8,1,COMPLETED,2020-03-01 00:00:10,2020-03-01 00:01:00,2020-03-01 01:01:00\n"
      "2,u,0,1,COMPLETED,2020-03-01 00:00:20,2020-03-01 00:00:30,2020-03-01 00:00:40\n"
      "3,u,4,1,CANCELLED,2020-03-01 00:00:30,,\n"
      "4,u,16,2,FAILED,2020-03-01 00:00:00,2020-03-01 00:00:05,2020-03-01 00:00:35\n";
  const Trace t = parse(text, TraceFormat::kSlurm);
  CHECK(t.skipped == 2);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].id == "4");
  CHECK(t.jobs[0].submit_s == 0);  // times from the first submission
  CHECK(t.jobs[0].duration_s == 30);
  CHECK(t.jobs[1].submit_s == 10);
  CHECK(t.jobs[1].duration_s == 3600);
  CHECK_THROWS_WITH_AS(parse("submit_time,start_time,end_time,gpu_num\n0,5,3,1\n", TraceFormat::kSlurm),
                       "t.csv:2: column 'end_time': expected a time no earlier than start_time (5), got '3'",
                       podsim::UserError);
}

TEST_CASE("the shipped ITP cluster04 trace reads whole") {
  const Trace t = read_trace_file(PODSIM_DATA_DIR "/traces/microsoft-itp-elasticflow/cluster04.csv", TraceFormat::kItp);
  CHECK(t.jobs.size() == 15802);  // the folder README.md: 15,802 jobs
  uint32_t max_gpus = 0;
  for (const TraceJob& j : t.jobs) max_gpus = std::max(max_gpus, j.devices);
  CHECK(max_gpus == 64);
}
