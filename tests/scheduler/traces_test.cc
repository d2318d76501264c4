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
                       "t.csv:3: column 'num_gpu': expected a GPU count in [0, 10000000], got 'x'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,1,2,10000001\n", TraceFormat::kItp),
                       "t.csv:2: column 'num_gpu': expected a GPU count in [0, 10000000], got '10000001'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,0,1e308,8\n", TraceFormat::kItp),
                       "t.csv:2: column 'duration': expected a number of seconds in [0, 1e9], got '1e308'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,-1,2,4\n", TraceFormat::kItp),
                       "t.csv:2: column 'submission_time': expected a number of seconds in [0, 1e9], got '-1'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submit,duration,num_gpu\n", TraceFormat::kItp),
                       "t.csv:1: missing column 'submission_time' (expected it in the header row; header: job_id,submit,duration,num_gpu)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,1,2\n", TraceFormat::kItp),
                       doctest::Contains("t.csv:2: 3 columns, expected 4"), podsim::UserError);
}

TEST_CASE("a missing ITP or Slurm column is named with the header and the likely column") {
  // Slurm exports capitalise (sacct's "Submit"; a DataFrame's "Submit_Time").
  CHECK_THROWS_WITH_AS(parse("JobID,Submit_Time,start_time,end_time,gpu_num\n1,0,0,1,8\n", TraceFormat::kSlurm),
                       "t.csv:1: missing column 'submit_time' (expected it in the header row; the header has "
                       "'Submit_Time', column 2; header: JobID,Submit_Time,start_time,end_time,gpu_num)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submision_time,duration,num_gpu\na,0,1,1\n", TraceFormat::kItp),
                       doctest::Contains("missing column 'submission_time' (expected it in the header row; the header "
                                         "has 'submision_time', column 2; header: "),
                       podsim::UserError);
}

TEST_CASE("what spreadsheets and editors add: a byte order mark, CRLF, blank lines before the header") {
  const std::string rows = "job_id,submission_time,duration,num_gpu\r\na,1,2,4\r\n";
  CHECK(parse("\xef\xbb\xbf" + rows, TraceFormat::kItp).jobs.size() == 1);  // Excel's "CSV UTF-8"
  const Trace t = parse("\n\n" + rows, TraceFormat::kItp);
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].line == 4);
  CHECK_THROWS_WITH_AS(parse("\n\njob_id,submit,duration,num_gpu\n", TraceFormat::kItp),
                       doctest::Contains("t.csv:3: missing column 'submission_time'"), podsim::UserError);
}

TEST_CASE("a row wider than the header, or a header naming a column twice, is refused, not guessed at") {
  // "1,000" unquoted: every cell after it would be read from the wrong column.
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,1,000,2,4\n", TraceFormat::kItp),
                       "t.csv:2: 5 columns, expected 4 as in the header (a comma inside a cell must be quoted: \"1,000\")",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu,duration\na,1,2,4,5\n", TraceFormat::kItp),
                       "t.csv:1: column 'duration' is named twice in the header (columns 3 and 5; expected each name "
                       "once)",
                       podsim::UserError);
  // A header alone is a file cut short or the wrong file, not a trace of no jobs.
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\n\n", TraceFormat::kItp),
                       "t.csv: no rows after the header (expected at least one job row)", podsim::UserError);
  // Blank cells past the header's (a trailing comma on every row) shift nothing.
  const Trace trailing = parse("job_id,submission_time,duration,num_gpu\na,1,2,4,\nb,3,5,8, ,\n", TraceFormat::kItp);
  REQUIRE(trailing.jobs.size() == 2);
  CHECK(trailing.jobs[1].id == "b");
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,1,2,4,,7\n", TraceFormat::kItp),
                       doctest::Contains("t.csv:2: 6 columns, expected 4 as in the header"), podsim::UserError);
  // A column the reader does not use may repeat.
  CHECK(parse("job_id,submission_time,duration,num_gpu,x,x\na,1,2,4,5,6\n", TraceFormat::kItp).jobs.size() == 1);
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

TEST_CASE("a row whose job id cell is blank is named by its line, in every CSV reader") {
  // An export's hole (pandas writes a missing string as an empty cell): the job is kept,
  // and outputs and messages name it where it is in the file, as a trace without an id
  // column names every job. Padding is trimmed first, so "  " is blank too.
  const Trace itp = parse("job_id,submission_time,duration,num_gpu\n,0,10,8\na,1,10,8\n  ,2,10,8\n", TraceFormat::kItp);
  REQUIRE(itp.jobs.size() == 3);
  CHECK(itp.jobs[0].id == "line2");
  CHECK(itp.jobs[1].id == "a");
  CHECK(itp.jobs[2].id == "line4");  // two blank ids are two jobs, not a repeated id ''
  const Trace slurm = parse("job_id,submit_time,start_time,end_time,gpu_num\n,0,0,5,1\n", TraceFormat::kSlurm);
  REQUIRE(slurm.jobs.size() == 1);
  CHECK(slurm.jobs[0].id == "line2");
  // The one way two names meet: an id spelled as a blank row's name. The message says why.
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\n,0,10,8\nline2,1,10,8\n", TraceFormat::kItp),
                       "t.csv:3: column 'job_id': job id 'line2' is already used on line 2 (expected unique ids; "
                       "a row with a blank id is named line<N> by its line)",
                       podsim::UserError);
}

TEST_CASE("rows that cannot be true are refused with file, line and column") {
  const std::string itp = "job_id,submission_time,duration,num_gpu\n";
  // A duration that no clock can hold (issue 17: it overflowed the run's time).
  CHECK_THROWS_WITH_AS(parse(itp + "a,0,1e308,8\n", TraceFormat::kItp),
                       "t.csv:2: column 'duration': expected a number of seconds in [0, 1e9], got '1e308'",
                       podsim::UserError);
  // Two rows with one id would become two jobs of one name. Of several repeats, the first
  // one down the file is named ('y' on line 4 before 'x' on line 5); an id used three
  // times, at its second use.
  for (const auto& [rows, repeat] : {std::pair{"a,0,10,8\nb,1,10,8\na,2,10,8\n", "4: column 'job_id': job id 'a' is already used on line 2"},
                                     {"x,0,10,8\ny,1,10,8\ny,2,10,8\nx,3,10,8\n", "4: column 'job_id': job id 'y' is already used on line 3"},
                                     {"b,5,10,8\na,0,10,8\na,2,10,8\na,1,10,8\n", "4: column 'job_id': job id 'a' is already used on line 3"}})
    CHECK_THROWS_WITH_AS(parse(itp + rows, TraceFormat::kItp), ("t.csv:" + std::string(repeat) + " (expected unique ids)").c_str(),
                         podsim::UserError);
  const std::string slurm = "job_id,submit_time,start_time,end_time,gpu_num\n";
  // Started before it was submitted: read as given, it ran as a 697 h job.
  CHECK_THROWS_WITH_AS(
      parse(slurm + "1,2020-03-30 10:00:00,2020-03-01 09:00:00,2020-03-30 11:00:00,8\n", TraceFormat::kSlurm),
      "t.csv:2: column 'start_time': expected a time no earlier than submit_time (2020-03-30 10:00:00), got "
      "'2020-03-01 09:00:00'",
      podsim::UserError);
  // Dates that do not exist, and trailing text after the time.
  CHECK_THROWS_WITH_AS(
      parse(slurm + "1,2020-02-30 10:00:00,2020-03-01 09:00:00,2020-03-01 10:00:00,8\n", TraceFormat::kSlurm),
      "t.csv:2: column 'submit_time': expected seconds or a 'YYYY-MM-DD HH:MM:SS' time, got '2020-02-30 10:00:00' "
      "(February 2020 has 29 days)",
      podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(slurm + "1,2021-02-29 10:00:00,2021-03-01 09:00:00,2021-03-01 10:00:00,8\n",
                             TraceFormat::kSlurm),
                       doctest::Contains("(February 2021 has 28 days)"), podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(slurm + "1,2020-04-31 10:00:00,2020-05-01 09:00:00,2020-05-01 10:00:00,8\n",
                             TraceFormat::kSlurm),
                       doctest::Contains("(April 2020 has 30 days)"), podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(slurm + "1,2020-03-01 24:00:00,2020-03-02 09:00:00,2020-03-02 10:00:00,8\n",
                             TraceFormat::kSlurm),
                       doctest::Contains("(24:00:00 is not a time of day)"), podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(slurm + "1,2020-03-01 10:00:00xyz,2020-03-02 09:00:00,2020-03-02 10:00:00,8\n",
                             TraceFormat::kSlurm),
                       doctest::Contains("column 'submit_time': expected seconds"), podsim::UserError);
  // A leap day is a date.
  CHECK(parse(slurm + "1,2020-02-29 10:00:00,2020-02-29 10:00:00,2020-02-29 11:00:00,8\n", TraceFormat::kSlurm)
            .jobs.at(0)
            .duration_s == 3600);
  // Submissions more than 1e9 s apart cannot be replayed in one run.
  CHECK_THROWS_WITH_AS(parse(slurm + "1,0,0,10,8\n2,2e9,2e9,2e9,8\n", TraceFormat::kSlurm),
                       "t.csv:3: column 'submit_time': 2000000000 s after the trace's first submission (expected "
                       "at most 1e9 s)",
                       podsim::UserError);
  // Seconds are since 1970, as the declared EPOCH format reads them: 1e300 was taken, and
  // three such "times" made a job of 0 s (1e300 - 1e300); -5 was a time in 1969.
  for (const char* t : {"1e300", "-5", "1e18"})
    CHECK_THROWS_WITH_AS(parse(slurm + "1," + t + "," + t + "," + t + ",8\n", TraceFormat::kSlurm),
                         ("t.csv:2: column 'submit_time': expected seconds or a 'YYYY-MM-DD HH:MM:SS' time, got '" +
                          std::string(t) + "' (seconds since 1970 are in [0, 1e11])")
                             .c_str(),
                         podsim::UserError);
}

TEST_CASE("the shipped ITP cluster04 trace reads whole") {
  const Trace t = read_trace_file(PODSIM_DATA_DIR "/traces/microsoft-itp-elasticflow/cluster04.csv", TraceFormat::kItp);
  CHECK(t.jobs.size() == 15802);  // the folder README.md: 15,802 jobs
  uint32_t max_gpus = 0;
  for (const TraceJob& j : t.jobs) max_gpus = std::max(max_gpus, j.devices);
  CHECK(max_gpus == 64);
}

TEST_CASE("a tab-, pipe- or semicolon-separated trace is refused at its header as the dialect it is") {
  // Read as CSV, each row was one cell: "missing column 'job_id' (...; header: job_id?submission_time?...)".
  CHECK_THROWS_WITH_AS(parse("job_id\tsubmission_time\tduration\tnum_gpu\na\t0\t100\t8\n", TraceFormat::kItp),
                       doctest::Contains("t.csv:1: tab-separated; expected comma-separated CSV (the header row has "
                                         "no comma: "),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("\nJobID|Submit|Start|End|AllocTRES\n1|2024-01-01T00:00:00|||\n", TraceFormat::kSlurm),
                       "t.csv:2: '|'-separated; expected comma-separated CSV (the header row has no comma: "
                       "'JobID|Submit|Start|End|AllocTRES')",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id;submission_time;duration;num_gpu\n", TraceFormat::kItp),
                       doctest::Contains("t.csv:1: ';'-separated; expected comma-separated CSV"), podsim::UserError);
  // One column is no dialect: the reader says which column is missing.
  CHECK_THROWS_WITH_AS(parse("job_id\na\n", TraceFormat::kItp), doctest::Contains("missing column"), podsim::UserError);
}

TEST_CASE("binary bytes with a tab among them are no tab-separated trace") {
  CHECK_THROWS_WITH_AS(parse(std::string("\x01\x02\t\x03\n", 5), TraceFormat::kItp),
                       doctest::Contains("t.csv:1: missing column 'job_id'"), podsim::UserError);
}

TEST_CASE("counts pandas wrote as floats are counts, missing times spelled NaT or Unknown are missing") {
  // A DataFrame column of counts with one missing cell is written "8.0" (Acme's queue
  // column, PAI's tables); such a trace was refused at its first row.
  const Trace itp = parse("job_id,submission_time,duration,num_gpu\na,0.0,10.5,1.0\nb,5,20,8.00\n", TraceFormat::kItp);
  REQUIRE(itp.jobs.size() == 2);
  CHECK(itp.jobs[0].devices == 1);
  CHECK(itp.jobs[0].duration_s == 10.5);
  CHECK(itp.jobs[1].devices == 8);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,0,10,1.5\n", TraceFormat::kItp),
                       "t.csv:2: column 'num_gpu': expected a GPU count in [0, 10000000], got '1.5'", podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("job_id,submission_time,duration,num_gpu\na,0,10,\n", TraceFormat::kItp),
                       "t.csv:2: column 'num_gpu': expected a GPU count in [0, 10000000], got ''", podsim::UserError);
  // pandas writes a missing time it formatted itself as "NaT"; sacct writes "Unknown" for
  // the start of a pending job and the end of a running one. Both never ran here.
  const std::string slurm = "job_id,gpu_num,submit_time,start_time,end_time\n";
  const Trace s = parse(slurm +
                            "1,8.0,2020-06-09 18:41:01,2020-06-09 18:41:01,2020-06-09 19:41:01\n"
                            "2,8,2020-06-09 18:41:02,NaT,NaT\n"
                            "3,8,2020-06-09T18:41:03,Unknown,Unknown\n"
                            "4,8,2020-06-09T18:41:04,2020-06-09T18:41:04,Unknown\n",
                        TraceFormat::kSlurm);
  REQUIRE(s.jobs.size() == 1);
  CHECK(s.jobs[0].devices == 8);
  CHECK(s.jobs[0].duration_s == 3600);
  CHECK(s.skipped_by_reason.at(kSkipNeverStarted) == 2);
  CHECK(s.skipped_by_reason.at(kSkipNoEnd) == 1);  // row 4 started: it was still running
}

TEST_CASE("an ITP row of 0 GPUs is a CPU job, skipped and counted as the Slurm-style rows' are") {
  // It stopped the whole trace: "expected a GPU count in [1, 10000000], got '0'".
  const Trace t = parse("job_id,submission_time,duration,num_gpu\na,0,10,0\nb,5,20,2\n", TraceFormat::kItp);
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].id == "b");
  CHECK(t.skipped_by_reason.at(kSkipNoGpus) == 1);
}

TEST_CASE("a compressed, archived, columnar or JSON trace is refused at byte 1 by what it is") {
  // Read as text these were "t.csv:1: missing column 'job_id' (...; header: ????X(?k...)"
  // (gzip), a CR error (tar.gz), "2 fields, expected 18" (a .swf.gz read as SWF) or a quote
  // error (Philly's JSON cluster_job_log).
  CHECK_THROWS_WITH_AS(parse(std::string("\x1f\x8b\x08\x00\x00\x00", 6), TraceFormat::kItp),
                       "t.csv:1: gzip-compressed data (expected a CSV trace with a header row; decompress it first: "
                       "gunzip)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(std::string("\x1f\x8b\x08", 3), TraceFormat::kSwf),
                       "t.csv:1: gzip-compressed data (expected Standard Workload Format text; decompress it first: "
                       "gunzip)",
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse(std::string("PK\x03\x04\x14\x00", 6), TraceFormat::kSlurm),
                       doctest::Contains("t.csv:1: a zip archive or Excel .xlsx workbook (expected"), podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("PAR1\x15\x04", TraceFormat::kItp), doctest::Contains("t.csv:1: a Parquet file"),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("\xfd" "7zXZ", TraceFormat::kItp), doctest::Contains("t.csv:1: xz-compressed data"),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("BZh91AY", TraceFormat::kItp), doctest::Contains("t.csv:1: bzip2-compressed data"),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(parse("[{\"jobid\": \"application_1\", \"status\": \"Pass\"}]\n", TraceFormat::kItp),
                       "t.csv:1: JSON, starting with '[' (expected a CSV trace with a header row; convert it "
                       "to a CSV table first)",
                       podsim::UserError);
  // Short files and text are read as before.
  CHECK_THROWS_WITH_AS(parse("P", TraceFormat::kItp), doctest::Contains("missing column 'job_id'"), podsim::UserError);
  CHECK(parse("job_id,submission_time,duration,num_gpu\na,0,1,1\n", TraceFormat::kItp).jobs.size() == 1);
}

TEST_CASE("a Slurm-style row without a submit time is skipped and counted, a started one without an end too") {
  // It stopped the trace: "column 'submit_time': expected seconds or a 'YYYY-MM-DD HH:MM:SS' time, got ''".
  const Trace t = parse("job_id,gpu_num,submit_time,start_time,end_time\n"
                        "1,8,,2020-06-09 18:41:01,2020-06-09 19:41:01\n"
                        "2,8,2020-06-09 18:41:02,2020-06-09 18:41:02,\n"
                        "3,8,2020-06-09 18:41:03,2020-06-09 18:41:03,2020-06-09 18:41:13\n",
                        TraceFormat::kSlurm);
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].id == "3");
  CHECK(t.skipped_by_reason.at(kSkipNoSubmit) == 1);
  CHECK(t.skipped_by_reason.at(kSkipNoEnd) == 1);
}
