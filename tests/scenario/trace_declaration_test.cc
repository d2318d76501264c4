// A trace declared by its columns (scheduling.proto TraceColumns): what the scenario
// checks in the declaration before the file is read (scenario/jobs_from_proto.cc).
#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "scenario/cluster_run.h"
#include "scenario/scenario_file.h"
#include "tests/test_util.h"

using podsim::scenario::ScenarioFile;
using podsim::testing::error_of;
using podsim::testing::TempDir;

namespace {

std::string scenario(const std::string& start_format, const std::string& end_format) {
  return R"(
name: "declared"
cluster {
  pools { name: "hgx" preset: "hgx-h100" count: 2 }
  fat_tree { tiers: 2 radix: 16 }
}
sources { trace {
  path: "pods.csv"
  columns {
    submit { name: "created" format: OFFSET }
    start { name: "started" )" + start_format + R"( }
    end { name: "ended" )" + end_format + R"( }
    gpus: "gpus"
  }
} }
)";
}

}  // namespace

TEST_CASE("a declared start and end on two clocks are refused at the declaration, not at every row") {
  // A start since 1970 and an end since the trace's zero made the first row "an end
  // before its start" (pods.csv:2: column 'ended': expected a time no earlier than ...).
  const TempDir dir("podsim_trace_declaration_test");
  dir.write("pods.csv", "created,started,ended,gpus\n0,1600000010,3600,1\n");
  const auto run = [&](const std::string& start, const std::string& end) {
    return error_of([&] {
      podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "s.textproto").string(), scenario(start, end)));
    });
  };
  const std::string e = run("", "format: OFFSET");
  CHECK(e.find("sources[0].trace.columns.end.format: OFFSET beside start's EPOCH (the default) (expected both on "
               "one clock: EPOCH or ISO8601 for both, or OFFSET for both; the run time is end - start)") !=
        std::string::npos);
  CHECK(run("format: ISO8601", "format: OFFSET").find("OFFSET beside start's ISO8601") != std::string::npos);
  // Two calendars, or two offsets (in any units), are one clock.
  dir.write("pods.csv", "created,started,ended,gpus\n0,2020-09-13T12:26:50Z,1600003600,1\n");
  CHECK(run("format: ISO8601", "format: EPOCH") == "");
  dir.write("pods.csv", "created,started,ended,gpus\n0,10000,3600,1\n");
  CHECK(run("format: OFFSET unit: MS", "format: OFFSET") == "");
}

TEST_CASE("one column declared as two quantities is refused at the second, a submit that is the start kept") {
  // Once read silently: gpus: "run_time" replayed every job on as many GPUs as minutes.
  const TempDir dir("podsim_trace_declaration_same_column_test");
  dir.write("pods.csv", "created,started,ended,gpus\n0,10,3600,1\n");
  const auto run = [&](const std::string& from, const std::string& to) {
    std::string text = scenario("format: OFFSET", "format: OFFSET");
    text.replace(text.find(from), from.size(), to);
    return error_of([&] {
      podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "s.textproto").string(), text));
    });
  };
  CHECK(run("gpus: \"gpus\"", "gpus: \"ended\"").find(
            "s.textproto:13:5: sources[0].trace.columns.gpus: 'ended' is also columns.end.name (expected a column "
            "of its own: each row would give both the same number)") != std::string::npos);
  CHECK(run("end { name: \"ended\"", "end { name: \"created\"").find(
            "sources[0].trace.columns.end.name: 'created' is also columns.submit.name") != std::string::npos);
  // Submitted when started: a trace of started jobs.
  CHECK(run("start { name: \"started\"", "start { name: \"created\"") == "");
}
