#include "scheduler/trace_declared.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "engine/error.h"

using namespace podsim::scheduler;

namespace {
Trace parse(const std::string& text, const TraceColumns& c) {
  std::istringstream in(text);
  return read_declared_trace(in, "t.csv", c);
}

// Philly/Helios-style: gaps between submissions and a run time in minutes.
TraceColumns philly() {
  TraceColumns c;
  c.job_id = "job_id";
  c.submit = {.name = "interval", .format = TimeFormat::kInterval};
  c.duration = {.name = "run_time", .unit = TimeUnit::kMinutes};
  c.gpus = "num_gpu";
  return c;
}

// A Kubernetes pod list (Alibaba's GPU-sharing trace layout).
TraceColumns pods() {
  TraceColumns c;
  c.job_id = "name";
  c.submit = {.name = "creation_time", .format = TimeFormat::kOffset};
  c.start = {.name = "scheduled_time", .format = TimeFormat::kOffset};
  c.end = {.name = "deletion_time", .format = TimeFormat::kOffset};
  c.gpus = "num_gpu";
  c.gpu_milli = "gpu_milli";
  c.gpu_type = "gpu_spec";
  c.status = "pod_phase";
  c.keep_status = {"Succeeded", "running"};
  return c;
}
}  // namespace

TEST_CASE("interval gaps add up to submissions, run times in minutes") {
  const Trace t = parse("job_id,num_gpu,interval,run_time\na,8,10,1.5\nb,1,5,2\nc,2,0,0.25\n", philly());
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.jobs[0].submit_s == 10);  // the first gap is from the trace's zero
  CHECK(t.jobs[0].duration_s == 90);
  CHECK(t.jobs[1].submit_s == 15);
  CHECK(t.jobs[1].duration_s == 120);
  CHECK(t.jobs[2].submit_s == 15);  // a gap of 0: submitted together
  CHECK(t.jobs[2].duration_s == 15);
  CHECK(t.jobs[0].devices == 8);
  CHECK(t.skipped == 0);
}

TEST_CASE("ISO 8601 times with zones, statuses kept, nodes x GPUs per node") {
  TraceColumns c;
  c.job_id = "JobID";
  c.submit = {.name = "Submit", .format = TimeFormat::kIso8601};
  c.start = {.name = "Start", .format = TimeFormat::kIso8601};
  c.end = {.name = "End", .format = TimeFormat::kIso8601};
  c.nodes = "NNodes";
  c.gpus_per_node = 8;
  c.user = "User";
  c.queue = "Partition";
  c.priority = "Priority";
  c.status = "State";
  c.keep_status = {"COMPLETED", "FAILED"};
  const std::string text =
      "JobID,User,Partition,Priority,State,NNodes,Submit,Start,End\n"
      "1,ann,gpu,5,COMPLETED,2,2024-05-01T08:00:00+08:00,2024-05-01T08:30:00+08:00,2024-05-01T09:30:00+08:00\n"
      "2,bob,gpu,1,CANCELLED,1,2024-05-01T00:10:00Z,,\n"
      "3,bob,debug,-2,FAILED,1,2024-05-01T00:05:00Z,2024-05-01T00:05:00Z,2024-05-01T00:06:40Z\n"
      "4,cy,gpu,0,completed,0,2024-05-01T00:20:00Z,2024-05-01T00:20:00Z,2024-05-01T00:21:00Z\n";
  const Trace t = parse(text, c);
  REQUIRE(t.jobs.size() == 2);
  // 08:00+08:00 is 00:00Z: job 1 is the first submission; job 3 five minutes later.
  CHECK(t.jobs[0].id == "1");
  CHECK(t.jobs[0].submit_s == 0);
  CHECK(t.jobs[0].duration_s == 3600);
  CHECK(t.jobs[0].devices == 16);
  CHECK(t.jobs[0].user == "ann");
  CHECK(t.jobs[0].priority == 5);
  CHECK(t.jobs[1].id == "3");
  CHECK(t.jobs[1].submit_s == 300);
  CHECK(t.jobs[1].duration_s == 100);
  CHECK(t.jobs[1].queue == "debug");
  CHECK(t.jobs[1].priority == -2);
  CHECK(t.skipped == 2);
  CHECK(t.skipped_by_reason.at("status 'CANCELLED' not in keep_status") == 1);
  CHECK(t.skipped_by_reason.at(kSkipNoGpus) == 1);  // 'completed' is kept (case ignored), but has 0 nodes
}

TEST_CASE("a declared job id column with a blank cell names that job by its line") {
  const Trace t = parse("job_id,num_gpu,interval,run_time\n,8,10,1.5\nb,1,5,2\n\"\",2,0,0.25\n", philly());
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.jobs[0].id == "line2");
  CHECK(t.jobs[1].id == "b");
  CHECK(t.jobs[2].id == "line4");  // a quoted empty cell is blank too
}

TEST_CASE("epoch times in milliseconds, Slurm elapsed durations, GPUs per node from a column") {
  TraceColumns c;
  c.submit = {.name = "submit_ms", .unit = TimeUnit::kMilliseconds};
  c.duration = {.name = "elapsed"};
  c.nodes = "nodes";
  c.gpus = "gpus_per_node";
  const Trace t = parse("submit_ms,elapsed,nodes,gpus_per_node\n1700000005000,1-00:00:10,2,4\n1700000000500,90,1,8\n", c);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].id == "line3");  // no id column: named by line
  CHECK(t.jobs[0].submit_s == 0);
  CHECK(t.jobs[0].duration_s == 90);
  CHECK(t.jobs[1].submit_s == doctest::Approx(4.5));
  CHECK(t.jobs[1].duration_s == 86410);
  CHECK(t.jobs[1].devices == 8);
}

TEST_CASE("fractional GPU requests: skipped and counted, or rounded up when asked") {
  const std::string text =
      "name,num_gpu,gpu_milli,gpu_spec,pod_phase,creation_time,deletion_time,scheduled_time\n"
      "p0,1,1000,,Running,0,100,0\n"
      "p1,1,500,V100,Succeeded,10,200,20\n"
      "p2,0,0,,Succeeded,20,30,25\n"
      "p3,2,1000,,Pending,30,,\n"
      "p4,4,,,Running,40,50,45\n"
      "p5,1,250,,Failed,50,60,55\n"
      "p6,8,1000,,Succeeded,60,,\n";
  TraceColumns c = pods();
  Trace t = parse(text, c);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].id == "p0");
  CHECK(t.jobs[0].duration_s == 100);
  CHECK(t.jobs[1].id == "p4");  // empty gpu_milli: whole GPUs
  CHECK(t.jobs[1].devices == 4);
  CHECK(t.jobs[1].duration_s == 5);
  CHECK(t.skipped == 5);
  CHECK(t.skipped_by_reason.at("fractional GPUs (round_up_fractional takes whole ones)") == 1);
  CHECK(t.skipped_by_reason.at(kSkipNoGpus) == 1);
  CHECK(t.skipped_by_reason.at("status 'Pending' not in keep_status") == 1);
  CHECK(t.skipped_by_reason.at("status 'Failed' not in keep_status") == 1);
  CHECK(t.skipped_by_reason.at(kSkipNeverStarted) == 1);

  c.round_up_fractional = true;
  t = parse(text, c);
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.jobs[1].id == "p1");
  CHECK(t.jobs[1].devices == 1);  // half a GPU takes one
  CHECK(t.jobs[1].gpu_type == "V100");
  CHECK(t.jobs[1].duration_s == 180);
  CHECK(t.skipped == 4);

  // A fractional count in the GPU column itself.
  TraceColumns f = philly();
  CHECK(parse("job_id,num_gpu,interval,run_time\na,0.5,0,1\n", f).skipped == 1);
  f.round_up_fractional = true;
  CHECK(parse("job_id,num_gpu,interval,run_time\na,2.5,0,1\n", f).jobs.at(0).devices == 3);
}

// Alibaba PAI's task table (cluster-trace-gpu-v2020, README of alibaba/clusterdata): no
// header row (the .header file beside it names the columns); plan_gpu is a percentage of
// one GPU per instance, inst_num the instances; times are seconds since the trace's own
// zero; a task's start_time is its launch (the table has no submission time).
TraceColumns pai_tasks() {
  TraceColumns c;
  c.header = {"job_name", "task_name", "inst_num", "status", "start_time", "end_time", "plan_cpu", "plan_mem",
              "plan_gpu", "gpu_type"};
  c.submit = {.name = "start_time", .format = TimeFormat::kOffset};
  c.start = {.name = "start_time", .format = TimeFormat::kOffset};
  c.end = {.name = "end_time", .format = TimeFormat::kOffset};
  c.nodes = "inst_num";
  c.gpus = "plan_gpu";
  c.gpus_unit = GpuUnit::kPercent;
  c.gpu_type = "gpu_type";
  c.status = "status";
  c.keep_status = {"Terminated"};
  return c;
}

TEST_CASE("a table without a header row, GPUs in percent (Alibaba PAI's task table)") {
  const std::string text =
      "j0,worker,2.0,Terminated,1739162.0,1739200.0,600.0,29.3,800.0,V100\n"  // 2 x 8 GPUs, 38 s
      "j1,tensorflow,1.0,Terminated,1739170.0,1739290.0,600.0,29.3,50.0,MISC\n"  // half a GPU
      "j2,ps,1.0,Terminated,1739171.0,1739300.0,600.0,29.3,0.0,\n"  // a parameter server: no GPU
      "j3,worker,1.0,Failed,1739180.0,1739190.0,600.0,29.3,100.0,T4\n"
      "j4,worker,4.0,Terminated,1739190.0,1739490.0,400.0,10.0,100.0,P100\n"  // 4 x 1 GPU, 300 s
      "j5,worker,1.0,Waiting,,,600.0,29.3,100.0,T4\n";
  TraceColumns c = pai_tasks();
  Trace t = parse(text, c);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].line == 1);  // the first line is a row, not a header
  CHECK(t.jobs[0].id == "line1");
  CHECK(t.jobs[0].devices == 16);  // 800% = 8 GPUs per instance, 2 instances
  CHECK(t.jobs[0].duration_s == 38);
  CHECK(t.jobs[0].gpu_type == "V100");
  CHECK(t.jobs[1].devices == 4);
  CHECK(t.jobs[1].duration_s == 300);
  CHECK(t.jobs[1].submit_s == 1739190);  // an offset clock keeps its zero
  CHECK(t.skipped == 4);
  CHECK(t.skipped_by_reason.at("fractional GPUs (round_up_fractional takes whole ones)") == 1);
  CHECK(t.skipped_by_reason.at(kSkipNoGpus) == 1);
  CHECK(t.skipped_by_reason.at("status 'Failed' not in keep_status") == 1);
  CHECK(t.skipped_by_reason.at("status 'Waiting' not in keep_status") == 1);

  c.round_up_fractional = true;
  t = parse(text, c);
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.jobs[1].devices == 1);  // 50% of a GPU takes one

  // A bad cell names the declared column; a declared name missing from the declaration
  // is reported against it, not against a line of the file.
  CHECK_THROWS_WITH_AS(parse("j,w,1.0,Terminated,0,10,1,1,-5,T4\n", c),
                       "t.csv:1: column 'plan_gpu': expected a GPU request in percent of one GPU in [0, 100000000], "
                       "got '-5'",
                       podsim::UserError);
  c.gpu_type = "gpu";
  CHECK_THROWS_WITH_AS(parse("j,w,1.0,Terminated,0,10,1,1,100,T4\n", c),
                       "t.csv (declared header): missing column 'gpu' (declared as the GPU type column; header: "
                       "job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type)",
                       podsim::UserError);
}

TEST_CASE("a missing declared column is named with as much of the header as helps, on one bounded line") {
  // The header was cut at 40 characters ("header: job_name,task_name,inst_num,status,st..."):
  // in a wide table the column the user meant was out of sight. Now the names, each as
  // printable() quotes it, up to 160 characters, then the count; and a name spelled
  // differently only in case and separators, or by two letters, with its column.
  std::string wide;
  for (int i = 0; i < 30; ++i) wide += fmt::format("metric_{:02},", i);
  wide += "Submit_Time,num_gpu,run_time\n";
  TraceColumns c;
  c.submit = {.name = "submit_time"};
  c.duration = {.name = "run_time"};
  c.gpus = "num_gpu";
  std::string shown;
  for (int i = 0; i < 16; ++i) shown += fmt::format("metric_{:02},", i);  // 16 x 10 = 160 characters
  shown.pop_back();
  CHECK_THROWS_WITH_AS(parse(wide + "1,2\n", c),
                       ("t.csv:1: missing column 'submit_time' (declared as the submit time column; the header has "
                        "'Submit_Time', column 31; header: " + shown + ",... (33 columns))")
                           .c_str(),
                       podsim::UserError);
  // A typo of two letters is found; a short name is not guessed at.
  c.submit.name = "sbumit_time";
  CHECK_THROWS_WITH_AS(parse(wide, c), doctest::Contains("(declared as the submit time column; the header has "
                                                          "'Submit_Time', column 31; header: metric_00,"),
                       podsim::UserError);
  c.submit.name = "Submit_Time";
  c.gpus = "gpu";
  CHECK_THROWS_WITH_AS(parse(wide, c), doctest::Contains("missing column 'gpu' (declared as the GPU count column; header: "),
                       podsim::UserError);
  // Control bytes and non-ASCII as '?', a name of a megabyte cut at 40 characters, the
  // whole line bounded.
  c.gpus = "num_gpu";
  const std::string odd = "a\x1b[31mb,\xc3\xa9t\xc3\xa9," + std::string(1'000'000, 'x') + ",Submit_Time,run_time\n";
  try {
    (void)parse(odd, c);
    FAIL("expected a refusal");
  } catch (const podsim::UserError& e) {
    const std::string m = e.what();
    CHECK(m == "t.csv:1: missing column 'num_gpu' (declared as the GPU count column; header: a?[31mb,??t??," +
                   std::string(37, 'x') + "...,Submit_Time,run_time)");
  }
}

TEST_CASE("a declared trace's bad rows name file, line and column") {
  const std::string head = "job_id,num_gpu,interval,run_time\n";
  CHECK_THROWS_WITH_AS(parse(head + "a,1,0,1\nb,1,-1,1\n", philly()),
                       "t.csv:3: column 'interval': expected a gap since the previous submission in s in [0, "
                       "1000000000], got '-1'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(head + "a,1,0,1e300\n", philly()),
                       "t.csv:2: column 'run_time': expected a duration in min in [0, 16666667] or [D-]HH:MM:SS, got "
                       "'1e300'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(head + "a,x,0,1\n", philly()),
                       "t.csv:2: column 'num_gpu': expected a GPU count in [0, 1000000], got 'x'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(head + "a,nan,0,1\n", philly()), doctest::Contains("column 'num_gpu': expected a GPU count"),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(head + "a,2e6,0,1\n", philly()), doctest::Contains("column 'num_gpu'"), podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(head + "a,1,0,1\na,1,0,1\n", philly()),
                       "t.csv:3: column 'job_id': job id 'a' is already used on line 2 (expected unique ids)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(head + "a,1,600000000,1\nb,1,600000000,1\n", philly()),
                       "t.csv:3: column 'interval': the gaps add up to 1200000000 s (expected at most 1e9 s)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,num_gpu,gap,run_time\n", philly()),
                       "t.csv:1: missing column 'interval' (declared as the submit time column; header: "
                       "job_id,num_gpu,gap,run_time)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(head + "a,1,0\n", philly()), doctest::Contains("t.csv:2: 3 columns, expected 4"),
                       podsim::UserError);
  const std::string pod_head = "name,num_gpu,gpu_milli,gpu_spec,pod_phase,creation_time,deletion_time,scheduled_time\n";
  CHECK_THROWS_WITH_AS(parse(pod_head + "p,1,1000,,Running,100,200,50\n", pods()),
                       "t.csv:2: column 'scheduled_time': expected a time no earlier than the submit time (100), got "
                       "'50'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(pod_head + "p,1,1000,,Running,100,150,160\n", pods()),
                       "t.csv:2: column 'deletion_time': expected a time no earlier than the start time (160), got "
                       "'150'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(pod_head + "p,1,1001,,Running,100,150,120\n", pods()),
                       "t.csv:2: column 'gpu_milli': expected thousandths of a GPU in [0, 1000], got '1001'",
                       podsim::UserError);
  // No creation time: a pod from before the trace (skipped and counted, not refused; the
  // DLRM case below).
  CHECK(parse(pod_head + "p,1,1000,,Running,,150,120\n", pods()).skipped_by_reason.at(kSkipNoSubmit) == 1);
}

TEST_CASE("a Philly-style interval table is the ITP trace it came from") {
  // data/traces/philly-style-itp-derived/jobs.csv: the first 300 jobs of cluster04.csv as
  // gaps and minutes (its README.md). Read by declaration, they are the same jobs.
  const Trace derived =
      read_declared_trace_file(PODSIM_DATA_DIR "/traces/philly-style-itp-derived/jobs.csv", philly());
  const Trace itp = read_trace_file(PODSIM_DATA_DIR "/traces/microsoft-itp-elasticflow/cluster04.csv", TraceFormat::kItp);
  REQUIRE(derived.jobs.size() == 300);
  for (size_t k = 0; k < derived.jobs.size(); ++k) {
    CAPTURE(k);
    CHECK(derived.jobs[k].id == itp.jobs[k].id);
    CHECK(derived.jobs[k].submit_s == itp.jobs[k].submit_s);  // whole seconds: exact
    CHECK(std::abs(derived.jobs[k].duration_s - itp.jobs[k].duration_s) < 1e-3);  // minutes to 10 digits
    CHECK(derived.jobs[k].devices == itp.jobs[k].devices);
  }
}

TEST_CASE("a pod list with pods from before and after the trace's window (Alibaba's DLRM trace layout)") {
  // cluster-trace-gpu-v2025 writes creation_time and scheduled_time as NaN (here empty)
  // for an instance made before the trace began, deletion_time for one still alive at its
  // end. Main refused the file at its first row: "column 'creation_time': expected a
  // submit time, got ''".
  TraceColumns c = pods();  // the same three times; no milli, type or phase columns
  c.job_id = "instance_sn";
  c.gpus = "gpu_request";
  c.gpu_milli = c.gpu_type = c.status = "";
  c.keep_status.clear();
  const Trace t = parse("instance_sn,role,gpu_request,creation_time,scheduled_time,deletion_time\n"
                        "instance_0,HN,1,,,\n"
                        "instance_1,HN,1,,,2676571.0\n"
                        "instance_2,HN,1,1435629.0,1435629.0,1435760.0\n"
                        "instance_3,HN,1,1435700.0,1435701.0,\n"
                        "instance_4,CN,0,1435629.0,1435629.0,1435760.0\n",
                        c);
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].id == "instance_2");
  CHECK(t.jobs[0].submit_s == 1435629);  // offsets keep the trace's zero
  CHECK(t.jobs[0].duration_s == 131);
  CHECK(t.skipped_by_reason.at(kSkipNoSubmit) == 2);
  CHECK(t.skipped_by_reason.at(kSkipNoEnd) == 1);
  CHECK(t.skipped_by_reason.at(kSkipNoGpus) == 1);
  // Gaps run through every row: one missing leaves every later submission unknown.
  CHECK_THROWS_WITH_AS(parse("job_id,interval,run_time,num_gpu\na,0,1,1\nb,,1,1\n", philly()),
                       "t.csv:3: column 'interval': expected a submit time, got ''", podsim::UserError);
}

TEST_CASE("skipped statuses are named up to 16, later ones counted together, so the reasons stay few") {
  // A trace whose every row had its own status (sacct's "CANCELLED by UID") made a skip
  // reason, a map entry and a line of the run's summary per row.
  TraceColumns c;
  c.job_id = "id";
  c.submit = {.name = "submit", .format = TimeFormat::kOffset};
  c.duration = {.name = "run"};
  c.gpus = "gpus";
  c.status = "state";
  c.keep_status = {"COMPLETED"};
  std::string text = "id,submit,run,gpus,state\nj,0,10,1,COMPLETED\n";
  for (int i = 0; i < 1000; ++i) text += fmt::format("c{},{},10,1,CANCELLED by {}\n", i, i, 1000 + i % 40);
  const Trace t = parse(text, c);
  CHECK(t.jobs.size() == 1);
  CHECK(t.skipped == 1000);
  REQUIRE(t.skipped_by_reason.size() == 17);
  for (int uid = 1000; uid < 1016; ++uid)  // the first 16 in file order, each every 40th row
    CHECK(t.skipped_by_reason.at(fmt::format("status 'CANCELLED by {}' not in keep_status", uid)) == 25);
  CHECK(t.skipped_by_reason.at("another status not in keep_status (beyond the first 16 named)") == 24 * 25);
}

TEST_CASE("a whole GPU request made of percent, instances and thousandths comes out whole") {
  // Each cell was scaled as it was read: 70% x 10 instances = 0.7000000000000001 x 10 =
  // 7.000000000000001 GPUs, skipped as fractional (8 GPUs with round_up_fractional), and
  // 25 GPUs of 280 thousandths the same. The product over the units is exact.
  TraceColumns c = pai_tasks();
  const Trace t = parse("j0,worker,10.0,Terminated,0,100,600.0,29.3,70.0,V100\n"   // 7 GPUs
                        "j1,worker,3.0,Terminated,0,100,600.0,29.3,70.0,V100\n"    // 2.1 GPUs
                        "j2,worker,100.0,Terminated,0,100,600.0,29.3,7.0,V100\n",  // 7 GPUs
                        c);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].devices == 7);
  CHECK(t.jobs[1].devices == 7);
  CHECK(t.skipped_by_reason.at("fractional GPUs (round_up_fractional takes whole ones)") == 1);
  c.round_up_fractional = true;
  CHECK(parse("j1,worker,3.0,Terminated,0,100,600.0,29.3,70.0,V100\n", c).jobs.at(0).devices == 3);

  TraceColumns pods;
  pods.submit = {.name = "t", .format = TimeFormat::kOffset};
  pods.duration = {.name = "d"};
  pods.gpus = "num_gpu";
  pods.gpu_milli = "gpu_milli";
  const Trace k = parse("t,d,num_gpu,gpu_milli\n0,1,25,280\n0,1,1,500\n0,1,50,140\n", pods);
  REQUIRE(k.jobs.size() == 2);
  CHECK(k.jobs[0].devices == 7);
  CHECK(k.jobs[1].devices == 7);
  CHECK(k.skipped == 1);  // half a GPU
}

TEST_CASE("a header-less table with no rows, and gaps just past 1e9 s, are refused in words that fit") {
  TraceColumns c;
  c.header = {"id", "t", "d", "g"};
  c.job_id = "id";
  c.submit = {.name = "t", .format = TimeFormat::kInterval, .unit = TimeUnit::kMilliseconds};
  c.duration = {.name = "d"};
  c.gpus = "g";
  // It said "no rows after the header" of a table whose declaration is its header.
  for (const char* empty : {"", "\n\n", "\xef\xbb\xbf"})
    CHECK_THROWS_WITH_AS(parse(empty, c),
                         "t.csv: no rows (expected at least one job row; the declared header names the columns)",
                         podsim::UserError);
  // 1e9 s and 1 ms: the sum was printed rounded to whole seconds, "1000000000 s (expected
  // at most 1e9 s)", as if within the limit.
  CHECK_THROWS_WITH_AS(parse("a,1e12,2,3\nb,1,2,3\n", c),
                       "t.csv:2: column 't': the gaps add up to 1000000000.001 s (expected at most 1e9 s)",
                       podsim::UserError);
}
