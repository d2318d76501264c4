// cli/sweep_plan, cli/sweep_file, cli/sweep_run, cli/merge_command: the points of a
// sweep, its files, and that the table is the same bytes whatever the threads, the
// shards or an interruption.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "io/sweep_merge.h"
#include "scenario/scenario_file.h"
#include "io/sweep_file.h"
#include "scenario/sweep_plan.h"
#include "scenario/sweep_run.h"
#include "io/version.h"
#include "engine/csv_reader.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "io/csv_writer.h"
#include "tests/scenario/smoke_scenario.h"
#include "tests/test_util.h"

using podsim::UserError;
using podsim::scenario::ScenarioFile;
using podsim::io::Shard;
using podsim::scenario::SweepPlan;
namespace fs = std::filesystem;

namespace {

using podsim::testing::TempDir;
using podsim::testing::error_of;

using podsim::testing::kSmokeScenario;
const char* const kSmoke = kSmokeScenario;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A sweep of 2 x 3 = 6 points over policy and the second job's arrival.
SweepPlan six_points() {
  return SweepPlan::make(ScenarioFile::parse("smoke.textproto", kSmoke),
                         {"scheduler.policy=FIFO,SJF", "jobs[1].arrival_s=60,600,7200"});
}

std::string run_to_string(const SweepPlan& plan, size_t threads) {
  std::ostringstream out;
  podsim::scenario::run_sweep(plan, {.threads = threads}, out);
  return out.str();
}

}  // namespace

TEST_CASE("points are the Cartesian product, last axis fastest") {
  const SweepPlan plan = six_points();
  CHECK(plan.points() == 6);
  CHECK(plan.fields() == std::vector<std::string>{"scheduler.policy", "jobs[1].arrival_s"});
  CHECK(plan.values(0) == std::vector<std::string>{"FIFO", "60"});
  CHECK(plan.values(2) == std::vector<std::string>{"FIFO", "7200"});
  CHECK(plan.values(3) == std::vector<std::string>{"SJF", "60"});
  const ScenarioFile p5 = plan.point_file(5);
  CHECK(p5.scenario().scheduler().policy() == podsim::v1::Scheduler::SJF);
  CHECK(p5.scenario().jobs(1).arrival_s() == 7200);
  CHECK(p5.where("jobs[1].arrival_s") == "--set jobs[1].arrival_s");
  CHECK(p5.where("jobs[0].steps") == "smoke.textproto:8:3");
}

TEST_CASE("the points one axis away from point 0: 1 + sum of (values - 1), not the product") {
  // 2 x 3 points: the first axis moves in steps of 3 (the last axis varies fastest).
  CHECK(six_points().one_axis_points() == std::vector<size_t>{0, 1, 2, 3});
  const SweepPlan big = SweepPlan::make(ScenarioFile::parse("smoke.textproto", kSmoke),
                                        {"seed=1,2,3,4,5,6,7,8,9,10", "jobs[1].arrival_s=1,2,3,4,5,6,7,8,9,10",
                                         "jobs[0].steps=1,2,3,4,5,6,7,8,9,10"});
  CHECK(big.points() == 1000);
  const std::vector<size_t> probes = big.one_axis_points();
  CHECK(probes.size() == 28);
  CHECK(probes[1] == 1);     // jobs[0].steps, the last axis
  CHECK(probes[9] == 9);
  CHECK(probes[10] == 10);      // jobs[1].arrival_s: steps of 10
  CHECK(probes[19] == 100);     // seed: steps of 100
  CHECK(probes.back() == 900);
}

TEST_CASE("a sweep that changes a name is refused whichever axis changes it") {
  // A comparison's columns carry the system's name; a second axis must not hide the first.
  const std::string study = R"(name: "s"
cluster { name: "rack" pools { preset: "nvl72" count: 1 } }
jobs { name: "a" model { preset: "llama3-8b" } plan { tp: 4 dp: 18 micro_batch: 1 global_batch: 72 } }
compare { }
)";
  const ScenarioFile file = ScenarioFile::parse("s.textproto", study);
  for (const auto& lists : {std::vector<std::string>{"seed=1,2", "cluster.name=x,y"},
                            std::vector<std::string>{"cluster.name=x,y", "seed=1,2,3"}}) {
    const std::string err = error_of([&] { run_to_string(SweepPlan::make(file, lists), 1); });
    CHECK(err.find("has other result columns than point 0") != std::string::npos);
  }
}

TEST_CASE("a sweep block, linked fields, and --set lists that replace an axis") {
  const std::string text = std::string(kSmoke) + R"(sweep {
  axes {
    field: "cluster.pools[0].preset" values: ["nvl72", "nvl576"]
    linked { field: "cluster.pools[0].count" values: ["8", "1"] }
  }
  axes { field: "seed" values: ["1", "2", "3"] }
})";
  const ScenarioFile file = ScenarioFile::parse("s.textproto", text);
  const SweepPlan plan = SweepPlan::make(file, {});
  CHECK(plan.points() == 6);
  CHECK(plan.fields() == std::vector<std::string>{"cluster.pools[0].preset", "cluster.pools[0].count", "seed"});
  CHECK(plan.values(4) == std::vector<std::string>{"nvl576", "1", "2"});

  const SweepPlan replaced = SweepPlan::make(file, {"seed=7", "horizon_s=10,20"});
  CHECK(replaced.points() == 2 * 1 * 2);
  CHECK(replaced.values(3) == std::vector<std::string>{"nvl576", "1", "7", "20"});
  CHECK(error_of([&] {
          SweepPlan::make(file, {"cluster.pools[0].preset=nvl72"});
        }).find("links 1 other fields to its 2 values") != std::string::npos);
}

TEST_CASE("a value listed twice in an axis is refused: the two points would be the same run") {
  // seed=1,1 ran one point twice and wrote two identical rows.
  const ScenarioFile smoke = ScenarioFile::parse("smoke.textproto", kSmoke);
  CHECK(error_of([&] { SweepPlan::make(smoke, {"seed=1,2,1"}); }) ==
        "--set seed: value '1' is listed twice (values 1 and 3; expected each value once: the two points would be the "
        "same run)");
  const std::string text = std::string(kSmoke) + R"(sweep {
  axes {
    field: "cluster.pools[0].preset" values: ["nvl72", "nvl72", "nvl72"]
    linked { field: "cluster.pools[0].count" values: ["1", "2", "1"] }
  }
})";
  const ScenarioFile block = ScenarioFile::parse("s.textproto", text);
  CHECK(error_of([&] { SweepPlan::make(block, {}); }) ==
        "s.textproto:18:3: sweep.axes[0].values: value 'nvl72' is listed twice (values 1 and 3, linked values too; "
        "expected each value once: the two points would be the same run)");
  // One value with different linked values is two points; a --set list replacing the
  // block's values is judged by its own.
  const std::string linked_apart = std::string(kSmoke) + R"(sweep {
  axes {
    field: "cluster.pools[0].preset" values: ["nvl72", "nvl72"]
    linked { field: "cluster.pools[0].count" values: ["1", "2"] }
  }
  axes { field: "seed" values: ["1", "1"] }
})";
  const ScenarioFile apart = ScenarioFile::parse("s.textproto", linked_apart);
  CHECK(SweepPlan::make(apart, {"seed=1,2"}).points() == 4);
}

TEST_CASE("a field swept in two places is refused, also as a linked field or written two ways") {
  // Once each ran with whichever value was set last, the field's column printed twice.
  const auto block = [](const std::string& axes) {
    return ScenarioFile::parse("s.textproto", std::string(kSmoke) + "sweep {\n" + axes + "\n}");
  };
  const ScenarioFile other_axis = block(R"(  axes { field: "seed" values: ["1", "2"] }
  axes { field: "horizon_s" values: ["100", "200"] linked { field: "seed" values: ["3", "4"] } })");
  CHECK(error_of([&] { SweepPlan::make(other_axis, {}); }) ==
        "s.textproto:19:52: sweep.axes[1].linked[0].field: 'seed' is swept twice, also at s.textproto:18:3: "
        "sweep.axes[0].field (expected each field once: an axis of its own or one axis's linked field)");
  const ScenarioFile own_axis = block(R"(  axes { field: "jobs[0].name" values: ["a", "b"] linked { field: "jobs[00].name" values: ["c", "d"] } })");
  // An index with a leading 0, once read as another spelling of jobs[0], is refused as
  // --set refuses it (scenario/field_override.cc).
  CHECK(error_of([&] { SweepPlan::make(own_axis, {}); }).find("'jobs[00]': index 00 has a leading 0 (expected 0)") !=
        std::string::npos);
  // A --set list for a linked field; for an axis's own field it replaces the values.
  const ScenarioFile linked = block(R"(  axes { field: "horizon_s" values: ["100", "200"] linked { field: "seed" values: ["3", "4"] } })");
  CHECK(error_of([&] { SweepPlan::make(linked, {"seed=7,8"}); }).starts_with("--set seed: 'seed' is swept twice, also at s.textproto:18:"));
  CHECK(SweepPlan::make(linked, {"horizon_s=300,400"}).points() == 2);
  // One field written two ways in two lists: refused at the leading 0.
  const ScenarioFile smoke = ScenarioFile::parse("smoke.textproto", kSmoke);
  CHECK(error_of([&] { SweepPlan::make(smoke, {"jobs[1].arrival_s=1,2", "jobs[01].arrival_s=3,4"}); })
            .starts_with("--set jobs[01].arrival_s: 'jobs[01]': index 01 has a leading 0 (expected 1)"));
  // The sweep block itself: points have none, so the value reached no run.
  CHECK(error_of([&] { SweepPlan::make(smoke, {"sweep.axes[0].field=seed,name"}); }) ==
        "--set sweep.axes[0].field: 'sweep.axes[0].field' is in the sweep block itself (expected a field of the "
        "scenario a point runs: points are the scenario without its sweep block)");
}

TEST_CASE("the fingerprint names the sweep, not the file's layout") {
  const std::string a = six_points().fingerprint();
  CHECK(a.size() == 16);
  // Comments and spacing do not change the scenario, so not the sweep.
  const std::string commented = "# a comment\n" + std::string(kSmoke);
  CHECK(SweepPlan::make(ScenarioFile::parse("elsewhere.textproto", commented),
                        {"scheduler.policy=FIFO,SJF", "jobs[1].arrival_s=60,600,7200"})
            .fingerprint() == a);
  // The same axes in a block are the same sweep.
  const std::string block = std::string(kSmoke) +
                            "sweep { axes { field: \"scheduler.policy\" values: [\"FIFO\", \"SJF\"] } "
                            "axes { field: \"jobs[1].arrival_s\" values: [\"60\", \"600\", \"7200\"] } }";
  CHECK(SweepPlan::make(ScenarioFile::parse("s", block), {}).fingerprint() == a);
  // Another value, another order of values, another seed: another sweep.
  const ScenarioFile smoke = ScenarioFile::parse("smoke.textproto", kSmoke);
  CHECK(SweepPlan::make(smoke, {"scheduler.policy=FIFO,SJF", "jobs[1].arrival_s=60,600,7201"}).fingerprint() != a);
  CHECK(SweepPlan::make(smoke, {"scheduler.policy=SJF,FIFO", "jobs[1].arrival_s=60,600,7200"}).fingerprint() != a);
  const std::string seeded = std::string(kSmoke) + "horizon_s: 1e9\n";
  CHECK(
      SweepPlan::make(ScenarioFile::parse("s", seeded), {"scheduler.policy=FIFO,SJF", "jobs[1].arrival_s=60,600,7200"})
          .fingerprint() != a);
}

TEST_CASE("bad sweeps are refused before anything runs, in one line") {
  const ScenarioFile smoke = ScenarioFile::parse("smoke.textproto", kSmoke);
  CHECK(error_of([&] { SweepPlan::make(smoke, {"sched.policy=FIFO,SJF"}); }) ==
        "--set sched.policy: Scenario has no field 'sched' (expected one of: name, description, seed, horizon_s, cluster, "
        "jobs, scheduler, outputs, limits, sources, failures, job_settings, compare, sweep)");
  CHECK(error_of([&] { SweepPlan::make(smoke, {"seed="}); }).starts_with("--set seed: empty value"));
  CHECK(error_of([&] { SweepPlan::make(smoke, {"seed=1,,2"}); }).starts_with("--set seed: empty value"));
  CHECK(error_of([&] { SweepPlan::make(smoke, {"seed=1,x"}); }).starts_with("--set seed:"));
  CHECK(error_of([&] { SweepPlan::make(smoke, {}); }).starts_with("smoke.textproto: nothing to sweep"));
  const ScenarioFile bad =
      ScenarioFile::parse("b.textproto", std::string(kSmoke) +
                                             "sweep {\n  axes { field: \"seed\" values: [\"1\"] linked { field: "
                                             "\"horizon_s\" values: [\"1\", \"2\"] } }\n}\n");
  CHECK(error_of([&] { SweepPlan::make(bad, {}); }) ==
        "b.textproto:18:3: sweep.axes[0].linked[0].values: 2 values, expected 1 (one per value of 'seed')");
  const ScenarioFile empty =
      ScenarioFile::parse("e.textproto", std::string(kSmoke) + "sweep { axes { field: \"seed\" } }\n");
  CHECK(error_of([&] {
          SweepPlan::make(empty, {});
        }).ends_with("sweep.axes[0].values: empty (expected at least one value)"));
}

TEST_CASE("a --set list's value in double quotes may hold a comma, as a CSV cell") {
  // Once split at every comma: no list could sweep a job name or trace path holding one.
  const ScenarioFile smoke = ScenarioFile::parse("smoke.textproto", kSmoke);
  const SweepPlan plan = SweepPlan::make(smoke, {R"(jobs[0].name="a,b",c,"say ""hi""","")"});
  REQUIRE(plan.points() == 4);
  CHECK(plan.values(0) == std::vector<std::string>{"a,b"});
  CHECK(plan.values(1) == std::vector<std::string>{"c"});
  CHECK(plan.values(2) == std::vector<std::string>{"say \"hi\""});
  CHECK(plan.values(3) == std::vector<std::string>{""});  // quoted: the empty string
  CHECK(plan.point_file(0).scenario().jobs(0).name() == "a,b");
  // A quote inside an unquoted value is the value's own.
  CHECK(SweepPlan::make(smoke, {R"(jobs[0].name=a"b,c)"}).values(0) == std::vector<std::string>{"a\"b"});
  CHECK(error_of([&] { SweepPlan::make(smoke, {R"(jobs[0].name="a,b)"}); }) ==
        R"(--set jobs[0].name: the value quoted at character 1 of '"a,b' is not closed (expected '"' before the end )"
        R"(of the list; "" inside quotes is one '"'))");
  CHECK(error_of([&] { SweepPlan::make(smoke, {R"(jobs[0].name=c,"a"b)"}); }) ==
        R"(--set jobs[0].name: 'b' after the closing quote at character 5 of 'c,"a"b' (expected ',' or the end of )"
        "the list)");
  CHECK(error_of([&] { SweepPlan::make(smoke, {"seed=1,2,"}); }).starts_with("--set seed: empty value in '1,2,'"));
}

TEST_CASE("a sweep of more than 1e6 points is refused at once, however many values it multiplies") {
  const ScenarioFile smoke = ScenarioFile::parse("smoke.textproto", kSmoke);
  std::string thousand;
  for (int v = 1; v <= 1000; ++v) thousand += (v > 1 ? "," : "") + std::to_string(v);
  // 1000 x 1000 = 1e6: the cap itself is allowed (not run here: only planned).
  CHECK(SweepPlan::make(smoke, {"seed=" + thousand, "jobs[0].steps=" + thousand}).points() == 1000000);
  CHECK(error_of([&] { SweepPlan::make(smoke, {"seed=" + thousand, "jobs[0].steps=" + thousand, "jobs[1].steps=1,2"}); }) ==
        "smoke.textproto: the sweep has 2e+06 points (1000 x 1000 x 2 values), more than 1e+06 (expected fewer values; "
        "split a larger study into several sweeps)");
  // Eight axes of 1000 values: 1e24 points, more than a 64-bit count holds; refused, not wrapped.
  std::vector<std::string> lists;
  for (const char* f : {"seed", "jobs[0].steps", "jobs[1].steps", "jobs[0].arrival_s", "jobs[1].arrival_s", "horizon_s",
                        "jobs[0].plan.micro_batch", "jobs[1].plan.micro_batch"})
    lists.push_back(std::string(f) + "=" + thousand);
  CHECK(error_of([&] { SweepPlan::make(smoke, lists); }).starts_with("smoke.textproto: the sweep has 1e+24 points"));
  // A sweep block's own axes: named at its line.
  const ScenarioFile block = ScenarioFile::parse(
      "b.textproto", std::string(kSmoke) + "sweep { axes { field: \"seed\" values: [\"1\", \"2\"] } }\n");
  const std::string e = error_of([&] { SweepPlan::make(block, {"jobs[0].steps=" + thousand, "jobs[1].steps=" + thousand}); });
  CHECK(e.starts_with("b.textproto:"));
  CHECK(e.find(": sweep: the sweep has 2e+06 points (2 x 1000 x 1000 values)") != std::string::npos);
}

TEST_CASE("shards: K/N, round-robin") {
  CHECK(podsim::io::to_string(podsim::io::parse_shard("2/3")) == "2/3");
  // More shards than a sweep may have points (1e6) only make empty ones; a count that
  // large in a damaged shard file must not size anything in a merge.
  for (const char* bad : {"0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", "/2", "1/", "1/1000001", "1/4000000000"})
    CHECK(error_of([&] { podsim::io::parse_shard(bad); }) ==
          std::string("--shard ") + bad + ": expected K/N with 1 <= K <= N <= 1000000 (e.g. 2/8)");
  CHECK(podsim::io::to_string(podsim::io::parse_shard("1000000/1000000")) == "1000000/1000000");
  const Shard s{.index = 2, .count = 3};
  CHECK(!s.contains(0));
  CHECK(s.contains(1));
  CHECK(s.contains(4));
  CHECK(s.size(7) == 2);                              // points 1, 4
  CHECK(Shard{.index = 1, .count = 3}.size(7) == 3);  // 0, 3, 6
  CHECK(Shard{.index = 3, .count = 3}.size(7) == 2);  // 2, 5
  CHECK(Shard{.index = 5, .count = 8}.size(3) == 0);
}

TEST_CASE("CSV rows and headers read back as written") {
  const std::vector<std::string> fields{"1", "TP2 PP1, zero3", "say \"hi\"", "", "a\nb"};
  const std::string line = podsim::io::csv_record(fields);
  CHECK(line == "1,\"TP2 PP1, zero3\",\"say \"\"hi\"\"\",,\"a\nb\"");
  CHECK(*podsim::parse_csv_record(line) == fields);
  CHECK(!podsim::parse_csv_record("1,\"open"));

  const podsim::io::SweepHeader h{
      .podsim = "0.1.0+g0123456789ab", .fingerprint = "00ff", .points = 12, .shard = {2, 5}, .scenario = "a b=c"};
  const std::string text = podsim::io::format_header(h);
  CHECK(text == "# podsim sweep v1 podsim=0.1.0+g0123456789ab fingerprint=00ff points=12 shard=2/5 scenario=a b=c");
  const auto back = podsim::io::parse_header(text, podsim::io::kSweepResults);
  REQUIRE(back);
  CHECK(back->podsim == "0.1.0+g0123456789ab");
  CHECK(back->fingerprint == "00ff");
  CHECK(back->points == 12);
  CHECK(back->shard.index == 2);
  CHECK(back->scenario == "a b=c");
  CHECK(!podsim::io::parse_header(text, podsim::io::kSweepJournal));
  CHECK(!back->long_format);
  podsim::io::SweepHeader long_header = h;
  long_header.long_format = true;
  const std::string long_text = podsim::io::format_header(long_header);
  CHECK(long_text ==
        "# podsim sweep v1 podsim=0.1.0+g0123456789ab fingerprint=00ff points=12 shard=2/5 format=long scenario=a b=c");
  const auto long_back = podsim::io::parse_header(long_text, podsim::io::kSweepResults);
  REQUIRE(long_back);
  CHECK(long_back->long_format);
  CHECK(long_back->scenario == "a b=c");
  // Files of podsims that did not record their version still read (and are refused by
  // version, not as unreadable).
  const auto older = podsim::io::parse_header("# podsim sweep v1 fingerprint=00ff points=12 shard=2/5 scenario=x",
                                               podsim::io::kSweepResults);
  REQUIRE(older);
  CHECK(older->podsim.empty());
  CHECK(podsim::io::written_by(*older) == "a podsim that did not record its version");
  CHECK(podsim::io::written_by(h) == "podsim 0.1.0+g0123456789ab");
}

TEST_CASE("the version is the project version, then the git commit where there is one") {
  // io/generate_version.cmake: "0.1.0", "0.1.0+g<12 hex>", "0.1.0+g<12 hex>.dirty-<8 hex>".
  const std::string v(podsim::io::podsim_version());
  INFO(v);
  CHECK(std::regex_match(v, std::regex(R"([0-9]+\.[0-9]+\.[0-9]+(\+g[0-9a-f]{12}(\.dirty-([0-9a-f]{8}|unknown))?)?)")));
}

TEST_CASE("the table is the same bytes for 1, 2 or 4 threads") {
  const SweepPlan plan = six_points();
  const std::string one = run_to_string(plan, 1);
  CHECK(run_to_string(plan, 2) == one);
  CHECK(run_to_string(plan, 4) == one);
  // Header, columns, 6 rows. Point 2 (FIFO, arrival 7200): the second job arrives after
  // the first ends, so the makespan is its arrival plus its own run, 7200 + 370.098 s
  // (330.853 s before B200 ran at its power limit, docs/models.md §4.3; 328.439 s
  // before Blackwell's attention backward came from cuDNN's measured ratio,
  // 332.108 s before the backward TP all-reduces ran under their weight-gradient GEMMs,
  // 311.594 s before GB200's GEMMs by shape from measurements scaled to training).
  std::istringstream lines(one);
  std::vector<std::string> rows;
  for (std::string l; std::getline(lines, l);) rows.push_back(l);
  REQUIRE(rows.size() == 8);
  CHECK(rows[1].starts_with("point,scheduler.policy,jobs[1].arrival_s,makespan_s,utilization_frac,"));
  CHECK(rows[1].ends_with(",error"));
  CAPTURE(rows[3]);
  CAPTURE(rows[4]);
  CHECK(rows[4].starts_with("2,FIFO,7200,7570.098,"));
  CHECK(rows[3].starts_with("1,FIFO,600,1110.293,0.8889,0.3646,625.244,510.293,"));
}

TEST_CASE("shards merged, and an interrupted sweep resumed, equal the whole sweep") {
  const TempDir tmp("podsim_sweep_test");
  const SweepPlan plan = six_points();
  const fs::path whole = tmp.path / "whole.csv";
  std::ostringstream ignored;
  podsim::scenario::run_sweep(plan, {.threads = 2, .out = whole}, ignored);
  CHECK(!fs::exists(whole.string() + ".journal"));  // removed once the file is whole
  const std::string expected = slurp(whole);

  SUBCASE("three shards") {
    std::vector<std::string> shards;
    for (size_t k = 1; k <= 3; ++k) {
      shards.push_back((tmp.path / ("shard" + std::to_string(k) + ".csv")).string());
      podsim::scenario::run_sweep(plan, {.threads = 1, .shard = {k, 3}, .out = fs::path(shards.back())}, ignored);
    }
    const std::string version(podsim::io::podsim_version());
    CHECK(slurp(shards[1]).starts_with("# podsim sweep v1 podsim=" + version + " fingerprint=" + plan.fingerprint() +
                                       " points=6 shard=2/3"));
    // In any order.
    CHECK(podsim::io::merge_sweep_shards((tmp.path / "m.csv").string(), {shards[2], shards[0], shards[1]}) == 6);
    CHECK(slurp(tmp.path / "m.csv") == expected);

    CHECK(error_of([&] {
            podsim::io::merge_sweep_shards((tmp.path / "x.csv").string(), {shards[0], shards[2]});
          }).starts_with("podsim merge: missing shard 2/3 of sweep " + plan.fingerprint()));
    CHECK(
        error_of([&] {
          podsim::io::merge_sweep_shards((tmp.path / "x.csv").string(), {shards[0], shards[1], shards[1], shards[2]});
        }) == shards[1] + ": shard 2/3 again (also " + shards[1] + ")");
    // A shard of another sweep (another scenario: a horizon).
    const SweepPlan other =
        SweepPlan::make(ScenarioFile::parse("smoke.textproto", std::string(kSmoke) + "horizon_s: 1e9\n"),
                        {"scheduler.policy=FIFO,SJF", "jobs[1].arrival_s=60,600,7200"});
    const fs::path foreign = tmp.path / "foreign.csv";
    podsim::scenario::run_sweep(other, {.threads = 1, .shard = {2, 3}, .out = foreign}, ignored);
    CHECK(error_of([&] {
            podsim::io::merge_sweep_shards((tmp.path / "x.csv").string(), {shards[0], foreign.string(), shards[2]});
          }).starts_with(foreign.string() + ": a shard of another sweep (fingerprint " + other.fingerprint()));
    CHECK(!fs::exists(tmp.path / "x.csv"));

    // A damaged shard: a metric that is not finite is refused, not copied (podsim never
    // writes one); a header claiming 4e9 shards is not a sweep file (it once made merge
    // allocate a slot per shard: out of memory).
    // Round 3: nor a number with a control byte or a NUL after it, or a hex one (strtod
    // read a prefix of those, and the cell passed as text).
    const std::string values[] = {"nan", "inf", "-Infinity", "1e999", "210\x10", std::string("21\0" "0", 4), "0x10", " 210"};
    for (const std::string& value : values) {
      std::string damaged = slurp(shards[0]);
      size_t at = damaged.find("\n0,") + 1;  // point 0's row: point,policy,arrival,makespan_s,...
      for (int comma = 0; comma < 3; ++comma) at = damaged.find(',', at) + 1;
      damaged.replace(at, damaged.find(',', at) - at, value);
      const fs::path bad = tmp.path / "nan.csv";
      std::ofstream(bad, std::ios::binary) << damaged;
      CHECK(error_of([&] {
              podsim::io::merge_sweep_shards((tmp.path / "x.csv").string(), {bad.string(), shards[1], shards[2]});
            }) == bad.string() + ":3: column 'makespan_s': expected a finite number, got '" + podsim::printable(value) +
                      "' (a damaged row: podsim writes a numeric metric as a finite decimal number or nothing)");
    }
    std::string many = slurp(shards[0]);
    many.replace(many.find("shard=1/3"), 9, "shard=1/4000000000");
    const fs::path huge = tmp.path / "huge.csv";
    std::ofstream(huge, std::ios::binary) << many;
    CHECK(error_of([&] { podsim::io::merge_sweep_shards((tmp.path / "x.csv").string(), {huge.string()}); })
              .starts_with(huge.string() + ":1: not a podsim sweep file"));
    CHECK(!fs::exists(tmp.path / "x.csv"));

    // The same shard, as another podsim would have written it (its fingerprint differs
    // too: the version enters it, but the version is what the message names).
    std::string text = slurp(shards[1]);
    text.replace(text.find(version), version.size(), "0.0.9+g00000000abcd");
    const fs::path older = tmp.path / "older.csv";
    std::ofstream(older, std::ios::binary) << text;
    CHECK(error_of([&] {
            podsim::io::merge_sweep_shards((tmp.path / "x.csv").string(), {shards[0], older.string(), shards[2]});
          }) == older.string() + ": written by podsim 0.0.9+g00000000abcd, but " + shards[0] + " by podsim " + version +
                    ": shards of different versions are not merged (the model may differ; run every shard with one "
                    "podsim)");
    CHECK(!fs::exists(tmp.path / "x.csv"));
  }

  SUBCASE("a journal with some rows, the last one cut short") {
    const fs::path out = tmp.path / "resumed.csv";
    // What an interrupted run leaves: the journal header, the columns, points 4 and 1
    // (completion order), and half a row.
    std::istringstream lines(expected);
    std::vector<std::string> l;
    for (std::string x; std::getline(lines, x);) l.push_back(x);
    std::string header = l[0];
    header.replace(header.find("sweep v1"), 8, "sweep-journal v1");
    {
      std::ofstream j(out.string() + ".journal", std::ios::binary);
      j << header << "\n" << l[1] << "\n" << l[6] << "\n" << l[3] << "\n" << l[4].substr(0, 9);
    }
    const podsim::scenario::SweepSummary s =
        podsim::scenario::run_sweep(plan, {.threads = 2, .out = out, .resume = true}, ignored);
    CHECK(s.resumed == 2);
    CHECK(slurp(out) == expected);
  }

  SUBCASE("a journal of another podsim is refused, naming both versions") {
    const fs::path out = tmp.path / "older.csv";
    const std::string version(podsim::io::podsim_version());
    std::string text = expected;
    text.replace(text.find("sweep v1"), 8, "sweep-journal v1");
    text.replace(text.find("podsim=" + version), 7 + version.size(), "podsim=0.0.9+g00000000abcd");
    std::ofstream(out.string() + ".journal", std::ios::binary) << text;
    CHECK(error_of([&] { podsim::scenario::run_sweep(plan, {.threads = 1, .out = out, .resume = true}, ignored); }) ==
          out.string() + ".journal: written by podsim 0.0.9+g00000000abcd, this is podsim " + version +
              ": a sweep is not resumed across versions (the model may differ); remove it, or run without --resume");
    CHECK(!fs::exists(out));
  }

  SUBCASE("a journal of another sweep is refused") {
    const fs::path out = tmp.path / "other.csv";
    podsim::scenario::run_sweep(plan, {.threads = 1, .shard = {1, 2}, .out = out}, ignored);
    std::string text = slurp(out);
    text.replace(text.find("sweep v1"), 8, "sweep-journal v1");
    std::ofstream(out.string() + ".journal", std::ios::binary) << text;
    CHECK(error_of([&] { podsim::scenario::run_sweep(plan, {.threads = 1, .out = out, .resume = true}, ignored); }) ==
          out.string() + ".journal: a journal of another sweep (fingerprint " + plan.fingerprint() +
              ", shard 1/2; this sweep: " + plan.fingerprint() + ", shard 1/1): remove it, or run without --resume");
  }
}

TEST_CASE("a point that fails on bad input is a row with its error, the sweep goes on") {
  // 100 devices on a 72-GPU rack: the first job does not fit at that point only.
  const SweepPlan plan = SweepPlan::make(ScenarioFile::parse("smoke.textproto", kSmoke), {"jobs[0].plan.dp=16,25"});
  std::ostringstream out;
  const podsim::scenario::SweepSummary s = podsim::scenario::run_sweep(plan, {.threads = 2}, out);
  CHECK(s.points == 2);
  CHECK(s.failed == 1);
  std::istringstream lines(out.str());
  std::vector<std::string> l;
  for (std::string x; std::getline(lines, x);) l.push_back(x);
  REQUIRE(l.size() == 4);
  CHECK(l[2].ends_with(","));  // no error
  CHECK(l[3].starts_with("1,25,,,,"));
  CHECK(l[3].find("jobs[0]") != std::string::npos);
}

TEST_CASE("an unwritable output is refused before any point runs") {
  std::ostringstream out;
  CHECK(error_of([&] {
          podsim::scenario::run_sweep(six_points(), {.threads = 1, .out = fs::path("/nonexistent/dir/r.csv")}, out);
        }).starts_with("--out /nonexistent/dir/r.csv: cannot write there"));
}

TEST_CASE("long format: one row per (point, metric), swept fields by short name, shards merge, journals resume") {
  const SweepPlan plan = six_points();
  std::ostringstream out;
  podsim::scenario::run_sweep(plan, {.threads = 2, .long_format = true}, out);
  std::istringstream in(out.str());
  std::string header;
  std::getline(in, header);
  CHECK(header.find(" shard=1/1 format=long scenario=smoke") != std::string::npos);
  podsim::CsvReader csv(in, "long.csv", 2);
  const auto columns = csv.next();
  REQUIRE(columns);
  CHECK(columns->fields == std::vector<std::string>{"point", "policy", "arrival_s", "system", "job", "metric", "value",
                                                     "unit", "text", "error"});
  std::vector<std::vector<std::string>> rows;
  while (auto r = csv.next()) rows.push_back(r->fields);
  REQUIRE(rows.size() == 6 * 16);  // 6 points x a cluster run's 16 metrics
  // Point 2 (FIFO, arrival 7200), as in the wide table above.
  CHECK(rows[2 * 16] == std::vector<std::string>{"2", "FIFO", "7200", "", "", "makespan_s", "7570.098", "s", "", ""});
  CHECK(rows[2 * 16 + 1][5] == "utilization_frac");
  CHECK(rows[2 * 16 + 1][7] == "frac");

  const TempDir tmp("podsim_sweep_test");
  const fs::path whole = tmp.path / "whole.csv";
  std::ostringstream ignored;
  podsim::scenario::run_sweep(plan, {.threads = 1, .out = whole, .long_format = true}, ignored);
  const std::string expected = slurp(whole);
  CHECK(expected == out.str());

  std::vector<std::string> shards;
  for (size_t k = 1; k <= 3; ++k) {
    shards.push_back((tmp.path / ("shard" + std::to_string(k) + ".csv")).string());
    podsim::scenario::run_sweep(plan, {.threads = 1, .shard = {k, 3}, .out = fs::path(shards.back()), .long_format = true},
                                ignored);
  }
  CHECK(podsim::io::merge_sweep_shards((tmp.path / "m.csv").string(), {shards[1], shards[2], shards[0]}) == 6);
  CHECK(slurp(tmp.path / "m.csv") == expected);
  // A wide shard does not join long ones.
  const fs::path wide = tmp.path / "wide2.csv";
  podsim::scenario::run_sweep(plan, {.threads = 1, .shard = {2, 3}, .out = wide}, ignored);
  CHECK(error_of([&] {
          podsim::io::merge_sweep_shards((tmp.path / "x.csv").string(), {shards[0], wide.string(), shards[2]});
        }) == wide.string() + ": wide rows, but " + shards[0] + " has long rows (run every shard with the same --format)");

  // An interrupted long run: point 4 whole, point 1 cut after 5 of its 16 rows.
  std::istringstream lines(expected);
  std::vector<std::string> l;
  for (std::string x; std::getline(lines, x);) l.push_back(x);
  std::string journal_header = l[0];
  journal_header.replace(journal_header.find("sweep v1"), 8, "sweep-journal v1");
  const fs::path resumed = tmp.path / "resumed.csv";
  {
    std::ofstream j(resumed.string() + ".journal", std::ios::binary);
    j << journal_header << "\n" << l[1] << "\n";
    for (size_t i = 0; i < 16; ++i) j << l[2 + 4 * 16 + i] << "\n";
    for (size_t i = 0; i < 5; ++i) j << l[2 + 1 * 16 + i] << "\n";
  }
  const podsim::scenario::SweepSummary s =
      podsim::scenario::run_sweep(plan, {.threads = 2, .out = resumed, .resume = true, .long_format = true}, ignored);
  CHECK(s.resumed == 1);
  CHECK(slurp(resumed) == expected);
}

TEST_CASE("short names: the last path component, a label, or the whole path when taken") {
  const char* const kLabelled = R"(
sweep {
  axes { field: "scheduler.policy" values: "FIFO" values: "SJF" label: "pol" }
  axes { field: "jobs[1].arrival_s" values: "60" values: "600" linked { field: "jobs[0].arrival_s" values: "0" values: "1" } }
}
)";
  const SweepPlan plan =
      SweepPlan::make(ScenarioFile::parse("smoke.textproto", std::string(kSmoke) + kLabelled), {"seed=1,2"});
  // Both arrivals end in "arrival_s": each keeps its whole path.
  CHECK(plan.labels({"point"}) ==
        std::vector<std::string>{"pol", "jobs[1].arrival_s", "jobs[0].arrival_s", "seed"});
  CHECK(error_of([&] { plan.labels({"point", "pol"}); }).find("sweep label 'pol' of 'scheduler.policy' is also") !=
        std::string::npos);
}
