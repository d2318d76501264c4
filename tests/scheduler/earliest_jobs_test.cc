// A trace replayed in part (TraceSource.max_jobs): the readers keep only the max_jobs
// earliest jobs while reading (scheduler/earliest_jobs.h). They must be the jobs a whole
// read puts first, in the same order, ties at the cut included.
#include "scheduler/earliest_jobs.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "engine/error.h"
#include "scheduler/trace_declared.h"
#include "scheduler/trace_swf.h"
#include "scheduler/traces.h"

using namespace podsim::scheduler;

namespace {

Trace parse(const std::string& text, TraceFormat f, size_t max_jobs) {
  std::istringstream in(text);
  return read_trace(in, "t.csv", f, max_jobs);
}

// Every cut of `read(0)`'s jobs equals `read(k)`'s, field by field; skipped rows are
// counted the same (every row is still read).
template <class Read>
void check_every_cut(const Read& read) {
  const Trace whole = read(0);
  REQUIRE(whole.jobs.size() >= 2);
  for (size_t k = 1; k <= whole.jobs.size() + 1; ++k) {
    CAPTURE(k);
    const Trace part = read(k);
    REQUIRE(part.jobs.size() == std::min(k, whole.jobs.size()));
    for (size_t i = 0; i < part.jobs.size(); ++i) {
      CAPTURE(i);
      CHECK(part.jobs[i].id == whole.jobs[i].id);
      CHECK(part.jobs[i].line == whole.jobs[i].line);
      CHECK(part.jobs[i].submit_s == whole.jobs[i].submit_s);
      CHECK(part.jobs[i].duration_s == whole.jobs[i].duration_s);
      CHECK(part.jobs[i].devices == whole.jobs[i].devices);
      CHECK(part.jobs[i].columns == whole.jobs[i].columns);
    }
    CHECK(part.skipped == whole.skipped);
    CHECK(part.skipped_by_reason == whole.skipped_by_reason);
  }
}

}  // namespace

TEST_CASE("the earliest jobs kept while reading are the first of the whole trace, ties at the cut included") {
  // Submissions out of file order, three rows at t=3 and two at t=5 (so some cut falls
  // inside each tie), and a CPU job skipped.
  const std::string itp =
      "job_id,submission_time,duration,num_gpu\n"
      "a,5,10,1\nb,3,11,2\nc,3,12,4\nd,7,13,8\ne,3,14,1\nf,1,15,2\ng,5,16,0\nh,5,17,4\ni,0,18,1\nj,9,19,2\n";
  check_every_cut([&](size_t k) { return parse(itp, TraceFormat::kItp, k); });
  const Trace whole = parse(itp, TraceFormat::kItp, 0);
  std::string order;
  for (const TraceJob& j : whole.jobs) order += j.id;
  CHECK(order == "ifbceahdj");  // by submit time, ties in file order

  // Slurm's absolute times: the kept jobs start at the first submission of the trace.
  const std::string slurm =
      "job_id,submit_time,start_time,end_time,gpu_num\n"
      "a,2020-03-01 00:00:20,2020-03-01 00:01:00,2020-03-01 01:00:00,8\n"
      "b,2020-03-01 00:00:10,2020-03-01 00:01:00,2020-03-01 01:00:00,8\n"
      "c,2020-03-01 00:00:20,2020-03-01 00:01:00,2020-03-01 01:00:00,8\n"
      "d,2020-03-01 00:00:30,,,8\n"
      "e,2020-03-01 00:00:05,2020-03-01 00:01:00,2020-03-01 01:00:00,8\n";
  check_every_cut([&](size_t k) { return parse(slurm, TraceFormat::kSlurm, k); });
  CHECK(parse(slurm, TraceFormat::kSlurm, 1).jobs.at(0).submit_s == 0);

  // SWF: 18 fields a line; a cancelled job that never ran is skipped.
  const auto swf_line = [](const std::string& id, const std::string& submit, const std::string& run = "100",
                           const std::string& status = "1") {
    return id + " " + submit + " 0 " + run + " 4 -1 -1 4 -1 -1 " + status + " 1 1 1 1 1 -1 -1\n";
  };
  const std::string swf = "; Version: 2.2\n" + swf_line("1", "50") + swf_line("2", "10") + swf_line("3", "50") +
                          swf_line("4", "10") + swf_line("5", "0", "0", "5") + swf_line("6", "30");
  check_every_cut([&](size_t k) {
    std::istringstream in(swf);
    return read_swf(in, "t.swf", k);
  });

  // Declared columns with interval gaps (0 s gaps make ties) and a kept column.
  TraceColumns c;
  c.job_id = "id";
  c.submit = {.name = "gap", .format = TimeFormat::kInterval};
  c.duration = {.name = "run"};
  c.gpus = "gpus";
  c.keep_columns = {"team"};
  const std::string declared = "id,gap,run,gpus,team\nx,4,10,1,p\ny,0,10,2,q\nz,0,10,0,r\nw,3,10,4,s\nv,0,10,8,t\n";
  check_every_cut([&](size_t k) {
    std::istringstream in(declared);
    return read_declared_trace(in, "t.csv", c, k);
  });
}

TEST_CASE("a trace read in part is checked as a whole, except for job ids beyond the cut") {
  const std::string itp = "job_id,submission_time,duration,num_gpu\n";
  // A malformed row after the kept ones is still refused, at its line.
  CHECK_THROWS_WITH_AS(parse(itp + "a,1,2,4\nb,2,2,4\nc,3,2,x\n", TraceFormat::kItp, 1),
                       "t.csv:4: column 'num_gpu': expected a GPU count in [0, 10000000], got 'x'", podsim::UserError);
  // A header alone, cut or not.
  CHECK_THROWS_WITH_AS(parse(itp, TraceFormat::kItp, 1),
                       "t.csv: no rows after the header (expected at least one job row)", podsim::UserError);
  // Submissions more than 1e9 s apart: refused at the latest, though it is not kept.
  const std::string slurm = "job_id,submit_time,start_time,end_time,gpu_num\n";
  for (size_t k : {0, 1})
    CHECK_THROWS_WITH_AS(parse(slurm + "1,0,0,10,8\n2,2e9,2e9,2e9,8\n3,1,1,2,8\n", TraceFormat::kSlurm, k),
                         "t.csv:3: column 'submit_time': 2000000000 s after the trace's first submission (expected "
                         "at most 1e9 s)",
                         podsim::UserError);
  // Of two rows past the limit, the latest submission is named (the row furthest out).
  CHECK_THROWS_WITH_AS(parse(slurm + "1,0,0,10,8\n2,2e9,2e9,2e9,8\n3,3e9,3e9,3e9,8\n", TraceFormat::kSlurm, 0),
                       doctest::Contains("t.csv:4: column 'submit_time': 3000000000 s after"), podsim::UserError);
  // A job id used twice among the kept jobs is refused as in a whole read; a repeat
  // beyond the cut names no job of the run and is not looked for (the cut would
  // otherwise have to hold every id of the trace).
  const std::string repeated = itp + "a,1,2,4\nb,2,2,4\na,3,2,4\n";
  CHECK_THROWS_WITH_AS(parse(repeated, TraceFormat::kItp, 0),
                       "t.csv:4: column 'job_id': job id 'a' is already used on line 2 (expected unique ids)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(repeated, TraceFormat::kItp, 3), doctest::Contains("job id 'a' is already used on line 2"),
                       podsim::UserError);
  CHECK(parse(repeated, TraceFormat::kItp, 2).jobs.size() == 2);
}

TEST_CASE("EarliestJobs holds at most max_jobs and sees every job offered") {
  EarliestJobs kept(2);
  for (size_t line = 1; line <= 100; ++line)
    kept.add({.id = std::to_string(line), .submit_s = static_cast<double>(100 - line) / 2, .line = line});
  CHECK(kept.kept().size() == 2);
  CHECK(kept.offered() == 100);
  CHECK(kept.first_submit() == 0);
  CHECK(kept.latest_submit() == 49.5);
  CHECK(kept.latest_line() == 1);
  const std::vector<TraceJob> jobs = std::move(kept).take_in_order();
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].line == 100);
  CHECK(jobs[1].line == 99);
}
