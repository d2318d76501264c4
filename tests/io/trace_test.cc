// cli/trace_writer, trace_reader, trace_summary, trace_perfetto: a cluster run traced
// to a file and read back (the counts equal the run's own results), determinism, every
// kind of broken trace, and the Perfetto JSON's structure.
// boost/property_tree's JSON parser includes the deprecated boost/bind.hpp, which
// otherwise prints a deprecation note on every build.
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/delimited_message_util.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/cluster_run.h"
#include "scenario/scenario_file.h"
#include "io/trace_perfetto.h"
#include "io/trace_reader.h"
#include "io/trace_summary.h"
#include "io/trace_writer.h"
#include "engine/error.h"
#include "scheduler/inventory.h"
#include "tests/test_util.h"

using podsim::scenario::ScenarioFile;
using podsim::io::TraceLevel;
namespace fs = std::filesystem;
namespace v1 = podsim::v1;

namespace {

using podsim::testing::TempDir;
using podsim::testing::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The 4-job mix on 4 x NVL72 (scenarios/scheduler/llm_mix_nvl72.textproto): failures
// that send a job back to the queue, checkpoints, a job spanning two racks whose
// scale-out flows contend. `sets` are --set overrides.
podsim::sim::ClusterRunOutput traced_run(const fs::path& trace, TraceLevel level, const std::vector<std::string>& sets = {}) {
  ScenarioFile file = ScenarioFile::load(PODSIM_SOURCE_DIR "/scenarios/scheduler/llm_mix_nvl72.textproto");
  for (const std::string& s : sets) file.apply_override(s);
  podsim::io::TraceWriter writer(trace, {.scenario = file.scenario().name(), .seed = file.scenario().seed(), .level = level});
  podsim::sim::ClusterRunOutput r =
      podsim::scenario::run_cluster(file, &writer, level >= TraceLevel::kSteps ? &writer.recorded_steps() : nullptr);
  writer.finish();
  return r;
}

size_t count(const podsim::io::TraceSummary& s, v1::TraceEvent::EventCase k) { return s.by_kind[static_cast<size_t>(k)]; }

// Each job of the trace equals the run's JobResult of the same name.
void check_against_run(const podsim::io::TraceSummary& s, const podsim::sim::ClusterRunOutput& r) {
  using E = v1::TraceEvent;
  const auto& jobs = r.result.jobs;
  REQUIRE(s.jobs.size() == jobs.size());
  CHECK(count(s, E::kSubmitted) == jobs.size());
  CHECK(count(s, E::kFinished) == r.result.summary.finished);
  CHECK(s.finished == r.result.summary.finished);
  CHECK(s.unfinished == jobs.size() - r.result.summary.finished);
  CHECK(count(s, E::kRunEnded) == 1);
  CHECK(count(s, E::kDevicesDown) == r.result.summary.failures);
  std::map<std::string, const podsim::io::TraceJobTotals*> by_name;
  for (const auto& j : s.jobs) by_name[j.name] = &j;
  size_t failures = 0, preemptions = 0, checkpoints = 0;
  for (const auto& want : jobs) {
    CAPTURE(want.name);
    REQUIRE(by_name.count(want.name) == 1);
    const podsim::io::TraceJobTotals& got = *by_name[want.name];
    CHECK(got.devices == want.devices);
    CHECK(got.submitted_s == doctest::Approx(want.arrival_s));
    CHECK(got.first_start_s.has_value() == want.first_start_s.has_value());
    if (want.first_start_s) CHECK(*got.first_start_s == doctest::Approx(*want.first_start_s));
    CHECK(got.end_s.has_value() == want.end_s.has_value());
    if (want.end_s) CHECK(*got.end_s == doctest::Approx(*want.end_s));
    CHECK(got.failures == want.interruptions);
    CHECK(got.preemptions == want.preemptions);
    CHECK(got.checkpoints == want.checkpoints);
    CHECK(got.lost_steps == doctest::Approx(want.lost_steps));
    // Every wait in the queue, read back from submissions, starts and requeues.
    CHECK(got.queued_s == doctest::Approx(want.queue_delay_s).epsilon(1e-9));
    // Wall time holding devices, summed over its runs (in-place restarts keep them).
    CHECK(got.running_s == doctest::Approx(want.held_s).epsilon(1e-9));
    // Every start but the first follows a preemption or a failure that requeued it.
    CHECK(got.starts <= 1 + got.preemptions + got.failures);
    failures += got.failures;
    preemptions += got.preemptions;
    checkpoints += got.checkpoints;
  }
  CHECK(count(s, E::kFailed) == failures);
  CHECK(count(s, E::kPreempted) == preemptions);
  CHECK(count(s, E::kCheckpointed) == checkpoints);
  CHECK(failures == r.result.summary.interruptions);
  CHECK(preemptions == r.result.summary.preemptions);
}

}  // namespace

TEST_CASE("a traced cluster run reads back as the run's own results") {
  const TempDir dir("podsim_trace_test");
  const fs::path path = dir.path / "roundtrip.trace";
  // The scenario's own seed (3) put its 3 failures on idle devices once B200 ran at its
  // power limit (docs/models.md §4.3): seed 6 interrupts jobs (5 failures, 4 of them).
  SUBCASE("failures, checkpoints, contention") {
    const auto r = traced_run(path, TraceLevel::kFlows, {"seed=6"});
    const podsim::io::TraceSummary s = podsim::io::summarize_trace(path);
    CHECK(s.header.scenario() == "llm_mix_nvl72");
    CHECK(s.header.level() == v1::TRACE_LEVEL_FLOWS);
    CHECK(s.header.devices() == 288);
    CHECK(r.result.summary.interruptions > 0);
    check_against_run(s, r);
    // Flows: every one that starts ends; steps: at least one per start.
    using E = v1::TraceEvent;
    CHECK(count(s, E::kFlowStarted) > 0);
    CHECK(count(s, E::kFlowStarted) == count(s, E::kFlowEnded));
    CHECK(count(s, E::kStep) >= count(s, E::kStarted));
    CHECK(count(s, E::kLink) > 0);
    // Every job has a model: one traced step (its collectives) per start, none of
    // them with flows (cluster runs time steps in closed form).
    CHECK(count(s, E::kStepTraced) == count(s, E::kStarted));
    CHECK(count(s, E::kStepTraceEnded) == count(s, E::kStarted));
    CHECK(count(s, E::kCollective) > 0);
    CHECK(count(s, E::kCollectiveFlow) == 0);
    CHECK(s.traced_steps == count(s, E::kStarted));
    CHECK(s.collectives.count("dp_grad_reduce_scatter") + s.collectives.count("dp_grad_all_reduce") > 0);
  }
  SUBCASE("preemptions (least attained service)") {
    const auto r = traced_run(path, TraceLevel::kJobs,
                              {"scheduler.policy=LAS", "scheduler.las_thresholds_device_hours[0]=10"});
    const podsim::io::TraceSummary s = podsim::io::summarize_trace(path);
    CHECK(r.result.summary.preemptions > 0);
    check_against_run(s, r);
    // Level jobs: no step or flow events.
    CHECK(count(s, v1::TraceEvent::kStep) == 0);
    CHECK(count(s, v1::TraceEvent::kFlowStarted) == 0);
    CHECK(count(s, v1::TraceEvent::kCollective) == 0);
  }
  SUBCASE("restarts in place on hot spares") {
    const auto r = traced_run(path, TraceLevel::kSteps, {"seed=6", "failures.spares_per_pool=8"});
    const podsim::io::TraceSummary s = podsim::io::summarize_trace(path);
    check_against_run(s, r);
    uint32_t restarts = 0;
    for (const auto& j : s.jobs) restarts += j.restarts;
    CHECK(restarts > 0);
    CHECK(count(s, v1::TraceEvent::kRestarted) == restarts);
  }
}

namespace {

// No temporary of `path` (io/atomic_file.h names them PATH.<pid>.<n>.tmp) is left.
bool no_temporary_beside(const fs::path& path) {
  for (const auto& e : fs::directory_iterator(path.parent_path()))
    if (e.path().filename().string().starts_with(path.filename().string() + ".") && e.path().extension() == ".tmp")
      return false;
  return true;
}

}  // namespace

TEST_CASE("the same run traced twice gives byte-identical traces, a failed run leaves none") {
  const TempDir dir("podsim_trace_test");
  const fs::path a = dir.path / "det_a.trace", b = dir.path / "det_b.trace";
  traced_run(a, TraceLevel::kFlows);
  traced_run(b, TraceLevel::kFlows);
  const std::string ta = slurp(a);
  CHECK(ta.size() > 100);
  CHECK(ta == slurp(b));
  CHECK(no_temporary_beside(a));

  // A run that throws (a job bigger than the cluster) leaves neither the trace nor its .tmp.
  const fs::path c = dir.path / "failed.trace";
  CHECK(contains(error_of([&] { traced_run(c, TraceLevel::kJobs, {"jobs[0].devices=4096"}); }), "4096"));
  CHECK_FALSE(fs::exists(c));
  CHECK(no_temporary_beside(c));
}

TEST_CASE("an event the reader could not take is refused while writing, and the trace is not left") {
  // A job named by 20 MB of text once wrote a trace that `podsim trace` then refused as
  // "a corrupted length prefix" (its reader takes events of at most 16 MiB).
  const TempDir dir("podsim_trace_test");
  const fs::path t = dir.path / "long_name.trace";
  const std::string err =
      error_of([&] { traced_run(t, TraceLevel::kJobs, {"jobs[0].name=" + std::string(20u << 20, 'j')}); });
  CHECK(contains(err, "long_name.trace: --trace: event "));
  CHECK(contains(err, "more than the 16777216 a trace event may hold"));
  CHECK_FALSE(fs::exists(t));
  CHECK(no_temporary_beside(t));
}

namespace {

std::string delimited(const std::vector<const google::protobuf::MessageLite*>& messages) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream s(&out);
    for (const auto* m : messages) REQUIRE(google::protobuf::util::SerializeDelimitedToZeroCopyStream(*m, &s));
  }
  return out;
}

v1::TraceHeader good_header() {
  v1::TraceHeader h;
  h.set_format("podsim-trace");
  h.set_version(1);
  h.set_scenario("hand");
  h.set_level(v1::TRACE_LEVEL_JOBS);
  h.set_time_unit("ns");
  h.add_pools()->set_name("p");
  h.set_devices(8);
  h.set_leaves(1);
  return h;
}

v1::TraceEvent at(int64_t t) {
  v1::TraceEvent e;
  e.set_t_ns(t);
  return e;
}

std::string read_error(const std::string& bytes) {
  return error_of([&] { podsim::io::read_trace_bytes(bytes, "t.trace", [](const auto&) {}, [](const auto&) {}); });
}

}  // namespace

TEST_CASE("a broken trace is one line naming the file, the byte and the event, never a crash") {
  const TempDir dir("podsim_trace_test");
  const v1::TraceHeader h = good_header();
  v1::TraceEvent submit = at(0);
  submit.mutable_submitted()->set_name("j");
  v1::TraceEvent end = at(5);
  end.mutable_run_ended()->set_finished(0);
  const std::string header = delimited({&h});
  const std::string good = delimited({&h, &submit, &end});
  CHECK(read_error(good).empty());
  uint64_t events = 0;
  podsim::io::read_trace_bytes(good, "t", [](const auto&) {}, [&](const auto&) { ++events; });
  CHECK(events == 2);

  SUBCASE("empty") { CHECK(read_error("") == "t.trace: byte 0 (header): empty: expected a podsim trace (a length-delimited TraceHeader first)"); }
  SUBCASE("not a trace: text") {
    // 'h' = 104 reads as a 104-byte message in 11 bytes.
    CHECK(contains(read_error("hello world"), "t.trace: byte 0 (header): truncated: a 104-byte message"));
  }
  SUBCASE("not a podsim trace: another delimited message") {
    v1::TraceHeader other = h;
    other.set_format("something-else");
    CHECK(contains(read_error(delimited({&other})), "byte 0 (header): not a podsim trace: header format is 'something-else'"));
    CHECK(contains(read_error(std::string("\x03\xff\xff\xff", 4)), "byte 0 (header): not a podsim trace: the first message does not parse"));
    // What is quoted from the file is cut and made printable: a text file (a scenario
    // given by mistake) once had 80 bytes of it quoted, its line breaks and all.
    other.set_format("luster { pools { name: \"a\" preset: \"hgx-h100\" count: 2 } }\njobs { \x1b[31m }");
    CHECK(contains(read_error(delimited({&other})),
                   "byte 0 (header): not a podsim trace: header format is 'luster { pools { name: \"a\" preset: \"h...', "
                   "expected 'podsim-trace' (a file written by podsim run --trace)"));
  }
  SUBCASE("wrong version, unit, level") {
    v1::TraceHeader bad = h;
    bad.set_version(2);
    CHECK(contains(read_error(delimited({&bad})), "trace format version 2, this podsim reads version 1"));
    bad = h;
    bad.set_time_unit("us");
    CHECK(contains(read_error(delimited({&bad})), "time unit 'us', expected 'ns'"));
    bad = h;
    bad.set_level(v1::TRACE_LEVEL_UNSPECIFIED);
    CHECK(contains(read_error(delimited({&bad})), "trace level 0"));
  }
  SUBCASE("truncated inside a message") {
    const std::string cut = good.substr(0, good.size() - 2);
    CHECK(contains(read_error(cut), fmt::format("byte {} (event 1): truncated: a {}-byte message", header.size() + delimited({&submit}).size(),
                                                end.ByteSizeLong())));
  }
  SUBCASE("truncated on a message boundary: no run end") {
    CHECK(contains(read_error(delimited({&h, &submit})), "(event 1): the trace ends without its run_ended event"));
    CHECK(contains(read_error(header), "byte " + std::to_string(header.size()) + " (event 0): the trace ends without"));
  }
  SUBCASE("bad varint length") {
    CHECK(read_error(header + std::string(11, '\xff')) ==
          fmt::format("t.trace: byte {} (event 0): expected a message length (varint), found a malformed or truncated one", header.size()));
    CHECK(contains(read_error(header + "\x80"), "malformed or truncated"));
  }
  SUBCASE("message too long") {
    CHECK(contains(read_error(header + "\xff\xff\xff\xff\x07"), "message length 2147483647 exceeds the 16777216-byte limit"));
  }
  SUBCASE("garbage where an event should be") {
    CHECK(contains(read_error(header + std::string("\x02\xff\xff", 3)), "(event 0): expected a TraceEvent"));
  }
  SUBCASE("events that name what does not exist") {
    v1::TraceEvent e = at(1);
    e.mutable_started()->set_job(3);
    CHECK(contains(read_error(delimited({&h, &submit, &e, &end})), "(event 1): names job 3, but only 1 jobs were submitted"));
    e.mutable_started()->set_job(0);
    e.mutable_started()->set_pool(1);
    CHECK(contains(read_error(delimited({&h, &submit, &e, &end})), "names pool 1, but the header lists 1 pools"));
    e.mutable_started()->set_pool(0);
    e.mutable_started()->add_devices(8);
    CHECK(contains(read_error(delimited({&h, &submit, &e, &end})), "names device 8, but the cluster has 8"));
    v1::TraceEvent link = at(1);
    link.mutable_link()->set_leaf(1);
    CHECK(contains(read_error(delimited({&h, &link, &end})), "names leaf 1, but the cluster has 1"));
  }
  SUBCASE("traced-step events that do not fit their step") {
    v1::TraceEvent sub4 = at(0);
    sub4.mutable_submitted()->set_devices(4);
    v1::TraceEvent traced = at(1);
    v1::DeviceGroup* g = traced.mutable_step_traced()->add_groups();
    g->set_kind("tp");
    for (uint32_t r : {0u, 1u, 2u, 3u}) g->add_ranks(r);
    v1::TraceEvent run = at(1);
    run.mutable_collective()->set_count(1);
    run.mutable_collective()->set_bytes(8);
    run.mutable_collective()->set_end_ns(5);
    CHECK(read_error(delimited({&h, &sub4, &traced, &run, &end})).empty());
    CHECK(contains(read_error(delimited({&h, &sub4, &run, &end})), "(event 1): a traced-step event of job 0 before its step_traced"));
    v1::TraceEvent bad = run;
    bad.mutable_collective()->set_group(1);
    CHECK(contains(read_error(delimited({&h, &sub4, &traced, &bad, &end})), "names group 1 of job 0, whose step_traced lists 1"));
    bad = run;
    bad.mutable_collective()->set_start_ns(6);
    CHECK(contains(read_error(delimited({&h, &sub4, &traced, &bad, &end})), "start_ns 6 and end_ns 5: expected 0 <= start_ns <= end_ns"));
    bad = run;
    bad.set_t_ns(2);
    bad.mutable_collective()->set_end_ns(std::numeric_limits<int64_t>::max() - 1);
    CHECK(contains(read_error(delimited({&h, &sub4, &traced, &bad, &end})), "is past the largest time"));
    bad = run;
    bad.mutable_collective()->set_bytes(-1);
    CHECK(contains(read_error(delimited({&h, &sub4, &traced, &bad, &end})), "bytes -1: expected a finite value >= 0"));
    bad = run;
    bad.mutable_collective()->set_count(0);
    CHECK(contains(read_error(delimited({&h, &sub4, &traced, &bad, &end})), "collective count 0"));
    g->add_ranks(4);
    CHECK(contains(read_error(delimited({&h, &sub4, &traced, &end})), "(event 1): names rank 4 of job 0, which has 4 devices"));
    v1::TraceEvent flow = at(1);
    flow.mutable_collective_flow()->set_dst(9);
    CHECK(contains(read_error(delimited({&h, &sub4, &flow, &end})), "before its step_traced"));
  }
  SUBCASE("time going back, events after the end, events of no kind") {
    v1::TraceEvent late = at(10), early = at(3);
    late.mutable_cluster();
    early.mutable_cluster();
    CHECK(contains(read_error(delimited({&h, &late, &early, &end})), "(event 1): time goes back: t_ns 3 after 10"));
    CHECK(contains(read_error(delimited({&h, &end, &late})), "(event 1): an event after run_ended"));
    const v1::TraceEvent none = at(1);
    CHECK(contains(read_error(delimited({&h, &none, &end})), "(event 0): an event of no kind"));
  }
  SUBCASE("a missing or unreadable file") {
    CHECK(contains(error_of([&] { podsim::io::summarize_trace(dir.path / "does-not-exist"); }), "does-not-exist: cannot open"));
    CHECK(contains(error_of([] { podsim::io::summarize_trace(fs::temp_directory_path()); }), "is a directory"));
  }
}

namespace {

// Parses the JSON (boost's strict parser: unbalanced brackets, bad escapes or stray
// bytes throw) and counts the trace events by phase.
std::map<std::string, int> phases_of_json(const fs::path& json) {
  boost::property_tree::ptree tree;
  boost::property_tree::read_json(json.string(), tree);
  std::map<std::string, int> by_phase;
  for (const auto& [key, event] : tree.get_child("traceEvents")) {
    CHECK(key.empty());  // an array element
    ++by_phase[event.get<std::string>("ph")];
    if (event.get<std::string>("ph") == "X") CHECK(event.get<double>("dur") >= 0);
  }
  return by_phase;
}

}  // namespace

TEST_CASE("the Perfetto JSON is well formed and holds one slice per run, queue wait and step") {
  const TempDir dir("podsim_trace_test");
  const fs::path trace = dir.path / "perfetto.trace", json = dir.path / "perfetto.json";
  traced_run(trace, TraceLevel::kFlows);
  const podsim::io::TraceSummary s = podsim::io::summarize_trace(trace);
  const podsim::io::PerfettoStats stats = podsim::io::write_perfetto(trace, json);
  CHECK(no_temporary_beside(json));
  const std::map<std::string, int> phases = phases_of_json(json);
  for (const auto& [ph, n] : stats.by_phase) CHECK(phases.at(ph) == static_cast<int>(n));
  CHECK(stats.trace_events == s.events);

  using E = v1::TraceEvent;
  // Complete events: one per run, one per step (each within its run), one per wait in
  // the queue that lasted, one per collective of a traced step.
  const auto collectives = static_cast<int>(count(s, E::kCollective));
  CHECK(collectives > 0);
  CHECK(phases.at("X") >= static_cast<int>(count(s, E::kStarted) + count(s, E::kStep)) + collectives);
  CHECK(phases.at("X") <= static_cast<int>(2 * count(s, E::kStarted) + count(s, E::kStep)) + collectives);
  // Instants: each submission, preemption, failure, checkpoint, restart, finish, device
  // failure and repair, and the run's end.
  CHECK(phases.at("i") == static_cast<int>(count(s, E::kSubmitted) + count(s, E::kPreempted) + count(s, E::kFailed) +
                                            count(s, E::kCheckpointed) + count(s, E::kRestarted) +
                                            count(s, E::kFinished) + count(s, E::kDevicesDown) +
                                            count(s, E::kDevicesRepaired) + 1));
  // Counters: per cluster sample, each pool + the queue + power; per link sample, one.
  CHECK(phases.at("C") == static_cast<int>(count(s, E::kCluster) * (s.header.pools_size() + 2) + count(s, E::kLink)));
  // Metadata: 3 processes and "collectives" (name + sort index), each job's track and
  // each (job, device group) track of its traced steps (name + sort index).
  const std::string text = slurp(json);
  int group_tracks = 0;
  for (size_t at = text.find(R"("name":"thread_name","ph":"M","pid":4,)"); at != std::string::npos;
       at = text.find(R"("name":"thread_name","ph":"M","pid":4,)", at + 1))
    ++group_tracks;
  CHECK(group_tracks > 0);
  CHECK(phases.at("M") == 8 + 2 * static_cast<int>(s.jobs.size()) + 2 * group_tracks);
  CHECK(phases.at("b") == static_cast<int>(count(s, E::kFlowStarted)));
  CHECK(phases.at("e") == phases.at("b"));
}

TEST_CASE("names are escaped in the JSON, whatever bytes they hold") {
  const TempDir dir("podsim_trace_test");
  CHECK(podsim::io::json_quote("a\"b\\c\nd\x01") == R"("a\"b\\c\nd\u0001")");
  CHECK(podsim::io::json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // UTF-8 passes
  // Invalid UTF-8: U+FFFD (as UTF-8 bytes) per bad sequence, as nlohmann-json replaces it.
  CHECK(podsim::io::json_quote("bad\xff\xc3") == "\"bad\xef\xbf\xbd\xef\xbf\xbd\"");

  // A writer driven by hand: a job whose name needs escaping, on a one-pool inventory.
  const fs::path trace = dir.path / "names.trace", json = dir.path / "names.json";
  const auto inv = podsim::scheduler::Inventory::uniform({.pool = "po\"ol", .domains = 1});
  std::vector<podsim::scheduler::JobRequest> jobs(1);
  jobs[0].name = "job \"quoted\" \\ with\ttab and \xe2\x9c\x93";
  jobs[0].devices = 8;
  {
    podsim::io::TraceWriter w(trace, {.scenario = "names\n", .level = TraceLevel::kJobs});
    using podsim::engine::SimTime;
    w.run_started(inv, jobs);
    w.job_submitted(SimTime::zero(), 0, jobs[0]);
    const std::vector<uint32_t> devices{0, 1, 2, 3, 4, 5, 6, 7};
    const podsim::scheduler::StepEstimate est{.step_seconds = 2};
    w.job_started(SimTime::seconds(1), {.job = 0, .shape = {.devices = 8, .domains = 1, .nodes = 1, .leaves = 1},
                                        .devices = devices, .estimate = &est});
    w.job_finished(SimTime::seconds(3), 0, 2);
    w.run_ended(SimTime::seconds(3), 1, 0);
    w.finish();
  }
  podsim::io::write_perfetto(trace, json);
  boost::property_tree::ptree tree;
  boost::property_tree::read_json(json.string(), tree);
  CHECK(tree.get<std::string>("otherData.scenario") == "names\n");
  bool named = false, ran = false;
  for (const auto& [key, e] : tree.get_child("traceEvents")) {
    if (e.get<std::string>("name") == "thread_name") named = e.get<std::string>("args.name") == jobs[0].name;
    if (e.get<std::string>("ph") == "X" && e.get<std::string>("name") == "run on po\"ol") {
      ran = true;
      CHECK(e.get<std::string>("ts") == "1000000.000");  // microseconds
      CHECK(e.get<std::string>("dur") == "2000000.000");
    }
  }
  CHECK(named);
  CHECK(ran);
}

TEST_CASE("a trace's non-finite numbers are null in the Perfetto JSON, never NaN or Infinity") {
  // A hand-made trace (podsim writes no such number): the reader checks a trace's
  // structure, not every value, so the export must not pass them on as text JSON lacks.
  const v1::TraceHeader h = good_header();
  v1::TraceEvent submit = at(0);
  submit.mutable_submitted()->set_name("j");
  submit.mutable_submitted()->set_devices(8);
  submit.mutable_submitted()->set_steps(std::numeric_limits<double>::quiet_NaN());
  v1::TraceEvent start = at(1000);
  v1::JobStarted& s = *start.mutable_started();
  s.set_step_s(std::numeric_limits<double>::infinity());
  s.set_mfu(-std::numeric_limits<double>::infinity());
  for (uint32_t d = 0; d < 8; ++d) s.add_devices(d);
  v1::TraceEvent finish = at(3000);
  finish.mutable_finished()->set_held_s(std::numeric_limits<double>::quiet_NaN());
  v1::TraceEvent end = at(3000);
  end.mutable_run_ended()->set_finished(1);
  const TempDir dir("podsim_trace_test_non_finite");
  const fs::path trace = dir.write("t.trace", delimited({&h, &submit, &start, &finish, &end}));
  const fs::path json = dir.path / "t.json";
  podsim::io::write_perfetto(trace, json);

  const std::string text = slurp(json);
  for (const char* bad : {":nan", ":-nan", ":inf", ":-inf", ":NaN", ":Infinity", ":-Infinity"})
    CHECK_MESSAGE(text.find(bad) == std::string::npos, bad);
  boost::property_tree::ptree tree;  // strict: fails on a bare NaN
  boost::property_tree::read_json(json.string(), tree);
  std::map<std::string, std::string> args;  // "event name.arg" -> its text
  for (const auto& [key, e] : tree.get_child("traceEvents"))
    if (const auto a = e.get_child_optional("args"))
      for (const auto& [name, value] : *a) args[e.get<std::string>("name") + "." + name] = value.data();
  CHECK(args.at("submitted.steps") == "null");
  CHECK(args.at("submitted.devices") == "8");
  CHECK(args.at("run on p.step_s") == "null");
  CHECK(args.at("run on p.mfu") == "null");
  CHECK(args.at("finished.held_s") == "null");
}
