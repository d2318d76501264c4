// The Standard Workload Format reader (scheduler/trace_swf.h), by hand: the sample in
// data/traces/swf-sample (its README.md says which lines are jobs) and lines written
// here to break it.
#include "scheduler/trace_swf.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "engine/error.h"

using namespace podsim::scheduler;

namespace {
Trace parse(const std::string& text) {
  std::istringstream in(text);
  return read_swf(in, "t.swf");
}
// A completed job: number, submit, run time, processors; the other fields -1 or 1.
std::string job(const std::string& id, const std::string& submit, const std::string& run, const std::string& procs,
                const std::string& status = "1") {
  return id + " " + submit + " 0 " + run + " " + procs + " -1 -1 " + procs + " -1 -1 " + status +
         " 1 1 1 1 1 -1 -1\n";
}
}  // namespace

TEST_CASE("the SWF sample: nine jobs, five lines skipped, each by its reason") {
  const Trace t = read_trace_file(PODSIM_DATA_DIR "/traces/swf-sample/sample.swf", TraceFormat::kSwf);
  REQUIRE(t.jobs.size() == 9);
  CHECK(t.skipped == 5);
  CHECK(t.skipped_by_reason.at("never ran (run time -1, or cancelled with run time 0)") == 2);  // job 4 (cancelled, run 0) and job 6 (run -1)
  CHECK(t.skipped_by_reason.at("no processors known (fields 5 and 8 are -1 or 0)") == 1);  // job 10
  CHECK(t.skipped_by_reason.at("a part of a resumed job (status 2 to 4; its summary line is the job)") == 2);
  CHECK(t.jobs[0].id == "1");
  CHECK(t.jobs[0].submit_s == 0);
  CHECK(t.jobs[0].duration_s == 3600);
  CHECK(t.jobs[0].devices == 8);
  CHECK(t.jobs[0].line == 12);  // after 11 header lines
  CHECK(t.jobs[3].id == "5");   // allocated -1: its 32 requested processors
  CHECK(t.jobs[3].devices == 32);
  CHECK(t.jobs[3].duration_s == 7200);
  CHECK(t.jobs[4].id == "7");  // the summary line: the whole 5,400 s on 64 processors
  CHECK(t.jobs[4].duration_s == 5400);
  CHECK(t.jobs[4].devices == 64);
  CHECK(t.jobs[8].id == "12");  // failed jobs ran: they are replayed
  CHECK(t.jobs[8].submit_s == 3600);
}

TEST_CASE("SWF lines: any blanks between fields, CRLF, jobs put in submission order") {
  const Trace t = parse("; header\r\n\r\n2\t50 0 10 4 -1 -1 4 -1 -1 1 1 1 1 1 1 -1 -1\r\n" + job("1", "20", "30", "2"));
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].id == "1");
  CHECK(t.jobs[0].submit_s == 20);  // relative to the log's start, kept as given
  CHECK(t.jobs[1].id == "2");
  CHECK(t.jobs[1].devices == 4);
  CHECK(t.jobs[1].line == 3);
}

TEST_CASE("an SWF log rewritten from a DataFrame: whole numbers written 4.0, unknown -1.0") {
  // Once "field 5 (allocated processors): expected a whole number in [0, 10000000], or -1
  // (unknown), got '4.0'".
  const Trace t = parse("1 0.0 5.0 100.0 4.0 -1.0 -1.0 4.0 -1.0 -1.0 1.0 1.0 1.0 -1.0 -1.0 -1.0 -1.0 -1.0\n"
                        "2 10.0 -1.0 -1.0 8.0 -1.0 -1.0 8.0 -1.0 -1.0 5.0 1.0 1.0 -1.0 -1.0 -1.0 -1.0 -1.0\n");
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].devices == 4);
  CHECK(t.jobs[0].duration_s == 100);
  CHECK(t.skipped == 1);  // run time -1.0: never ran
  CHECK_THROWS_WITH_AS(parse(job("1", "0", "100", "4.5")),
                       doctest::Contains("t.swf:1: field 5 (allocated processors): expected a whole number"),
                       podsim::UserError);
}

TEST_CASE("an SWF file with a UTF-8 byte order mark is read, UTF-16 is refused at line 1") {
  // A Windows editor's mark before '; Version': once "t.swf:1: 3 fields, expected 18".
  const Trace t = parse("\xef\xbb\xbf; Version: 2.2\n" + job("1", "20", "30", "2"));
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].line == 2);
  CHECK(parse("\xef\xbb\xbf" + job("1", "20", "30", "2")).jobs.at(0).id == "1");  // the mark before a job line
  CHECK(parse(job("1", "20", "30", "2")).jobs.at(0).id == "1");  // no mark: the first bytes put back
  CHECK_THROWS_WITH_AS(parse("\xff\xfe;\n"),
                       "t.swf:1: UTF-16 text (expected UTF-8 or ASCII Standard Workload Format: save the file as UTF-8)",
                       podsim::UserError);
}

TEST_CASE("a malformed SWF line names file, line, field and what was expected") {
  CHECK_THROWS_WITH_AS(parse("1 0 0 10 4\n"),
                       "t.swf:1: 5 fields, expected 18 (the Standard Workload Format's job fields, separated by spaces "
                       "or tabs; header lines start with ';')",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("1,0,0,10,4,-1,-1,4,-1,-1,1,1,1,1,1,1,-1,-1\n"),
                       doctest::Contains("t.swf:1: 1 fields, expected 18"), podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "nan", "10", "4")),
                       "t.swf:1: field 2 (submit time): expected seconds in [0, 1e9], or -1 (unknown), got 'nan'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "-1", "10", "4")),
                       "t.swf:1: field 2 (submit time): expected seconds in [0, 1e9] (every job has one), got '-1'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "0", "inf", "4")),
                       "t.swf:1: field 4 (run time): expected seconds in [0, 1e9], or -1 (unknown), got 'inf'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "0", "1e10", "4")), doctest::Contains("field 4 (run time)"), podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "0", "10", "10000001")),
                       "t.swf:1: field 5 (allocated processors): expected a whole number in [0, 10000000], or -1 "
                       "(unknown), got '10000001'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "0", "10", "4.5")), doctest::Contains("field 5 (allocated processors)"),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "0", "10", "4", "7")),
                       "t.swf:1: field 11 (status): expected a whole number in [0, 5], or -1 (unknown), got '7'",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(job("1", "0", "10", "4") + job("1", "5", "10", "4")),
                       "t.swf:2: column 'job number': job id '1' is already used on line 1 (expected unique ids)",
                       podsim::UserError);
}

TEST_CASE("an SWF file with no job lines, or one line without end, is refused") {
  CHECK_THROWS_WITH_AS(parse(""), "t.swf: no job lines (expected lines of 18 fields after the ';' header)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("; Version: 2.2\n; MaxJobs: 0\n\n"), doctest::Contains("t.swf: no job lines"),
                       podsim::UserError);
  // Binary bytes with no line break: refused at 1 MiB, not read whole.
  CHECK_THROWS_WITH_AS(parse(std::string(3 << 20, '\x01')),
                       "t.swf:1: a line longer than 1048576 bytes (expected 18 fields of numbers a line)",
                       podsim::UserError);
  // Every line skipped is a trace whose jobs never ran, not an empty file.
  CHECK(parse(job("1", "0", "-1", "4")).skipped == 1);
}
