#include "scenario/scenario_file.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>

#include <string>
#include <vector>

#include "scenario/jobs_from_proto.h"
#include "scenario/scenario_check.h"
#include "sim/cluster_run_spec.h"
#include "engine/error.h"
#include "tests/test_util.h"

using podsim::UserError;
using podsim::scenario::ScenarioFile;
using podsim::testing::error_of;

TEST_CASE("a typo'd field is reported as FILE:LINE:COL with the field name") {
  const std::string text = "name: \"x\"\nseed: 3\nhorizn_s: 5\n";
  const std::string err = error_of([&] { ScenarioFile::parse("bad.textproto", text); });
  CHECK(err.starts_with("bad.textproto:3:"));
  CHECK(err.find("horizn_s") != std::string::npos);
}

TEST_CASE("syntax errors and wrong types name the line") {
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", "name: \"x\"\nseed: -1\n"); }).starts_with("s.textproto:2:"));
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", "name: \"x\"\njobs { name: \"a\"\n"); }).starts_with("s.textproto:3:"));
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", "scheduler { policy: FIFOO }"); }).find("FIFOO") != std::string::npos);
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", std::string("name: \"\0\"", 10)); }).find("NUL") != std::string::npos);
}

TEST_CASE("protobuf's bare complaints say what was expected") {
  const auto err = [](const std::string& text) { return error_of([&] { ScenarioFile::parse("s.textproto", text); }); };
  CHECK(err("name: \"x\"\nseed: 1\nseed: 2\n") ==
        "s.textproto:3:5: 'seed' is set twice (expected one value: it is not a repeated field)");
  CHECK(err("name: \"x\"\nseed: -1\n") ==
        "s.textproto:2:7: a negative number for a field that cannot be negative (expected an integer >= 0)");
  // The range is the field's own type (seed is uint64, count uint32), not a guess.
  CHECK(err("seed: 18446744073709551616\n") ==
        "s.textproto:1:7: seed: 18446744073709551616 is out of range (expected an integer in [0, "
        "18446744073709551615])");
  CHECK(err("cluster { pools { count :99999999999 } }") ==
        "s.textproto:1:26: count: 99999999999 is out of range (expected an integer in [0, 4294967295])");
  CHECK(err("horizon_s: 1_000\n") ==
        "s.textproto:1:13: a number runs into letters or '_' (expected a plain number such as 1000 or 1e3, then a "
        "space)");
}

TEST_CASE("a very long word is one short line, not a crash") {
  // An unknown field name of 100,000 letters once overflowed the stack in std::regex
  // (exit 139); tokens the parser quotes are cut as every quoted input is.
  const auto err = [](const std::string& text) { return error_of([&] { ScenarioFile::parse("s.textproto", text); }); };
  const std::string word(100000, 'a');
  CHECK(err(word + ": 1\n") == "s.textproto:1:100001: Scenario has no field 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
                              "(expected one of: name, description, seed, horizon_s, cluster, jobs, scheduler, outputs, "
                              "limits, sources, failures, job_settings, compare, sweep)");
  CHECK(err("jobs { precision: " + word + " }").starts_with(
      "s.textproto:1:19: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a Precision"));
  CHECK(err("seed: \"" + word + "\"") == "s.textproto:1:7: Expected integer, got: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
  CHECK(err("jobs " + word + " }") == "s.textproto:1:6: Expected \"{\", found \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\".");
  CHECK(err("seed: " + std::string(1000, '9')).starts_with("s.textproto:1:7: seed: 9999999999999999999999999999999999999... "
                                                           "is out of range"));
}

TEST_CASE("two members of a oneof are refused in words, at the second") {
  CHECK(error_of([] {
          ScenarioFile::parse("s.textproto", "cluster { pools { nvlink { } cloudmatrix384 { } } }");
        }) == "s.textproto:1:45: 'cloudmatrix384' is set beside 'nvlink', its alternative (oneof 'params'): expected "
              "only one of them");
}

TEST_CASE("UTF-16 text is refused at once, with the way out") {
  CHECK(error_of([] { ScenarioFile::parse("u.textproto", std::string("\xff\xfen\0a\0", 6)); }) ==
        "u.textproto:1:1: UTF-16 text (expected UTF-8 protobuf text format: save the file as UTF-8)");
}

TEST_CASE("a UTF-8 byte order mark before the text is skipped, and columns count from after it") {
  const ScenarioFile f = ScenarioFile::parse("s.textproto", "\xef\xbb\xbfname: \"x\" seed: 3\n");
  CHECK(f.scenario().seed() == 3);
  CHECK(f.where("seed") == "s.textproto:1:11");
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", "\xef\xbb\xbfname: \"x\" sed: 3\n"); })
            .starts_with("s.textproto:1:14: Scenario has no field 'sed'"));
}

TEST_CASE("an enum given as a number it does not have is refused at its place, not read as the default") {
  // The text format accepts `sharding: 9` (proto3 enums are open); it must not run as no sharding.
  const std::string err = error_of([] {
    ScenarioFile::parse("e.textproto", "name: \"x\"\njobs {\n  name: \"a\"\n  plan { tp: 1 sharding: 9 }\n}\n");
  });
  CHECK(err.starts_with("e.textproto:4:16: jobs[0].plan.sharding: 9 is not a Sharding (expected one of "));
  CHECK(err.find("ZERO3") != std::string::npos);
  // A number the enum has is still taken (3 is ZERO2).
  CHECK_NOTHROW(ScenarioFile::parse("e.textproto", "jobs { name: \"a\" plan { sharding: 3 } }"));
}

TEST_CASE("the scenario's name is one line: a line break would split a sweep file's header") {
  const ScenarioFile f =
      ScenarioFile::parse("n.textproto", "name: \"a\\nb\"\ncluster { pools { name: \"p\" preset: \"nvl72\" } }\n"
                                         "jobs { name: \"j\\tk\" }\n");
  const std::string err = error_of([&] { podsim::scenario::check_scenario(f); });
  CHECK(err.find("n.textproto:1:1: name: expected one line of text without control characters (tabs, line breaks), "
                 "got 'a?b'") != std::string::npos);
  CHECK(err.find("jobs[0].name") == std::string::npos);  // job names are quoted wherever they go
}

TEST_CASE("a missing file is a one-line error naming it") {
  CHECK(error_of([] { ScenarioFile::load("/nonexistent/x.textproto"); }) == "/nonexistent/x.textproto: cannot open scenario file (No such file or directory)");
}

TEST_CASE("a path with a line break is named on one line, and each of several problems is a line") {
  // Any message: its control bytes as '?' (engine/error.h), a list of problems a line each.
  CHECK(std::string(UserError("a\nb\tc").what()) == "a?b?c");
  CHECK(std::string(UserError(std::vector<std::string>{"a\nb", "c"}).what()) == "a?b\nc");
  CHECK(error_of([] { ScenarioFile::load("/nonexistent/x\ny.textproto"); }) ==
        "/nonexistent/x?y.textproto: cannot open scenario file (No such file or directory)");
  const ScenarioFile f = ScenarioFile::parse(
      "two\nlines.textproto", "name: \"x\"\ncluster {\n  pools { preset: \"nvl72\" count: 0 }\n  pools { preset: \"nvl72\" count: 0 }\n}\n");
  CHECK(error_of([&] { podsim::scenario::check_scenario(f); }) ==
        "two?lines.textproto:3:27: cluster.pools[0].count: expected systems in [1, 1e6], got 0\n"
        "two?lines.textproto:4:27: cluster.pools[1].count: expected systems in [1, 1e6], got 0");
}

TEST_CASE("where() points at the field in the file, or at the --set that changed it") {
  const std::string text =
      "name: \"x\"\n"
      "jobs { name: \"a\" }\n"
      "jobs {\n"
      "  name: \"b\"\n"
      "  arrival_s: 5\n"
      "}\n";
  ScenarioFile f = ScenarioFile::parse("w.textproto", text);
  CHECK(f.where("name") == "w.textproto:1:1");
  CHECK(f.where("jobs[1].arrival_s") == "w.textproto:5:3");
  CHECK(f.where("jobs[0].arrival_s") == "w.textproto:2:1");  // default: the enclosing job
  CHECK(f.where("horizon_s") == "w.textproto");               // not in the file at all
  f.apply_override("jobs[1].arrival_s=7");
  CHECK(f.where("jobs[1].arrival_s") == "--set jobs[1].arrival_s");
  CHECK(f.scenario().jobs(1).arrival_s() == 7);
  // A job a --set appended: its missing fields are that --set's, not the file's.
  f.apply_override("jobs[2].name=c");
  CHECK(f.where("jobs[2].model") == "--set jobs[2].name");
  CHECK(f.where("jobs[0].model") == "w.textproto:2:1");  // a job of the file: unchanged
  CHECK(f.where("horizon_s") == "w.textproto");
}

TEST_CASE("checks report every problem with its location") {
  ScenarioFile f = ScenarioFile::parse("c.textproto",
                                       "horizon_s: -1\n"
                                       "jobs { name: \"a\" }\n"
                                       "jobs { name: \"a\" arrival_s: 1e300 }\n");
  const std::string err = error_of([&] { podsim::scenario::check_scenario(f); });
  CHECK(err.find("c.textproto: name: missing") != std::string::npos);
  CHECK(err.find("c.textproto:1:1: horizon_s: expected s in [1e-9, 1e9] or 0, got -1") != std::string::npos);
  CHECK(err.find("c.textproto:3:8: jobs[1].name: duplicate job name 'a'") != std::string::npos);
  CHECK(err.find("jobs[1].arrival_s: expected s in [0, 1e9], got 1e300") != std::string::npos);
}

TEST_CASE("many problems: the first 20 listed, then how many more, each said once") {
  // Round 3: 50,000 settings for jobs that do not exist printed 50,000 lines, and finding
  // duplicate lines compared each with every earlier one (4.8 s; 500,000: minutes).
  std::string text = "name: \"m\"\ncluster { pools { name: \"p\" preset: \"nvl72\" } }\n"
                     "jobs { name: \"a\" model { preset: \"llama3-8b\" } plan { tp: 4 dp: 16 micro_batch: 2 "
                     "global_batch: 512 } steps: 1 }\n";
  for (int i = 0; i < 30000; ++i) text += fmt::format("job_settings {{ job: \"j{}\" }}\n", i);
  const ScenarioFile f = ScenarioFile::parse("m.textproto", text);
  const std::string err = error_of([&] {
    podsim::sim::ClusterRunSpec spec;
    podsim::scenario::job_sources(f, spec);
  });
  CHECK(std::count(err.begin(), err.end(), '\n') == 20);
  CHECK(err.starts_with("m.textproto:4:16: job_settings[0].job: no job named 'j0' in jobs\n"));
  CHECK(err.find("job_settings[19].job") != std::string::npos);
  CHECK(err.find("job_settings[20].job") == std::string::npos);
  CHECK(err.ends_with("\nm.textproto: and 29980 more problems (30000 in all; the first 20 are listed)"));
}

TEST_CASE("job_settings with no jobs to apply to are refused at the entry, by every command") {
  // A cluster without jobs printed its summary, and a trace's jobs ran, without a word
  // about settings that applied to nothing.
  const ScenarioFile bare = ScenarioFile::parse(
      "n.textproto", "name: \"n\"\ncluster { pools { name: \"p\" preset: \"nvl72\" } }\njob_settings { job: \"x\" priority: 1 }\n");
  const std::string expected =
      "n.textproto:3:16: job_settings[0].job: settings for job 'x', but the scenario has no jobs (expected 'jobs' "
      "entries for job_settings to apply to; traces and synthetic mixes take pools, priority and checkpoint in their "
      "source)";
  CHECK(error_of([&] { podsim::scenario::check_scenario(bare); }) == expected);
  const ScenarioFile synthetic = ScenarioFile::parse(
      "n.textproto",
      "name: \"n\"\ncluster { pools { name: \"p\" preset: \"nvl72\" } }\njob_settings { job: \"x\" priority: 1 }\n"
      "sources { synthetic { jobs: 2 mean_interarrival_s: 60 templates { name: \"t\" devices { count: 8 } median_hours: 1 } } }\n");
  CHECK(error_of([&] {
          podsim::sim::ClusterRunSpec spec;
          podsim::scenario::job_sources(synthetic, spec);
        }) == expected);
}

TEST_CASE("two job_settings for one job are refused (the later once replaced the earlier silently)") {
  const ScenarioFile f = ScenarioFile::parse(
      "d.textproto",
      "name: \"d\"\ncluster { pools { name: \"p\" preset: \"nvl72\" } }\n"
      "jobs { name: \"a\" model { preset: \"llama3-8b\" } plan { tp: 4 dp: 16 micro_batch: 2 global_batch: 512 } "
      "steps: 1 }\njob_settings { job: \"a\" priority: 1 }\njob_settings { job: \"a\" priority: 2 }\n");
  CHECK(error_of([&] {
          podsim::sim::ClusterRunSpec spec;
          podsim::scenario::job_sources(f, spec);
        }) == "d.textproto:5:16: job_settings[1].job: job 'a' has settings already, at job_settings[0] (expected one "
              "entry per job)");
}

TEST_CASE("a derived scenario's fields are found where the file gave them") {
  // A comparison's second system: its cluster and its plan for job "b" stand in for the
  // scenario's (sim/study.cc).
  const std::string text =
      "name: \"x\"\n"
      "jobs { name: \"a\" }\n"
      "jobs {\n"
      "  name: \"b\"\n"
      "  plan { tp: 2 }\n"
      "}\n"
      "compare {\n"
      "  systems { name: \"s0\" }\n"
      "  systems {\n"
      "    name: \"s1\"\n"
      "    cluster {\n"
      "      pools { count: 0 }\n"
      "    }\n"
      "    plans { job: \"b\" plan { tp: 3 } }\n"
      "  }\n"
      "}\n";
  ScenarioFile f = ScenarioFile::parse("d.textproto", text);
  f.apply_override("compare.systems[1].plans[0].plan.dp=4");
  podsim::v1::Scenario s = f.scenario();
  *s.mutable_cluster() = s.compare().systems(1).cluster();
  *s.mutable_jobs(1)->mutable_plan() = s.compare().systems(1).plans(0).plan();
  const ScenarioFile d = f.derive(s, {{"cluster", "compare.systems[1].cluster"},
                                      {"jobs[1].plan", "compare.systems[1].plans[0].plan"}},
                                  "system 's1'");
  CHECK(d.path() == "d.textproto");
  CHECK(d.context() == "system 's1'");
  CHECK(d.scenario().cluster().pools(0).count() == 0);
  CHECK(d.source_path("cluster.pools[0].count") == "compare.systems[1].cluster.pools[0].count");
  CHECK(d.where("cluster.pools[0].count") == "d.textproto:12:15");
  CHECK(d.where("cluster.fat_tree") == "d.textproto:11:5");  // not given: the system's cluster
  CHECK(d.where("jobs[1].plan.tp") == "d.textproto:14:29");   // the system's plan
  CHECK(d.where("jobs[1].plan.dp") == "--set compare.systems[1].plans[0].plan.dp");
  CHECK(d.where("jobs[1].name") == "d.textproto:4:3");         // the job's own
  CHECK(d.source_path("jobs[10].plan") == "jobs[10].plan");    // whole fields only
  CHECK(d.source_path("clusters") == "clusters");
  CHECK(f.source_path("cluster.pools[0].count") == "cluster.pools[0].count");
  CHECK(f.context().empty());

  // Problems name the field as the file has it, after what the scenario is.
  podsim::scenario::Problems problems(d);
  problems.add("cluster.pools[0].count", "must be >= 1 system, got 0");
  CHECK(error_of([&] { problems.throw_if_any(); }) ==
        "d.textproto:12:15: system 's1': compare.systems[1].cluster.pools[0].count: must be >= 1 system, got 0");
}
