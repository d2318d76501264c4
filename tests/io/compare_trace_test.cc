// cli/compare_trace, cli/step_trace and the step model's observer
// (workloads/step_observer.h): a comparison study traced at each level and read back.
// The collectives of a TP-only job are counted by hand against the op graph the step
// model builds (workloads/step_model.h, workloads/parallel_plan.cc):
//
//   a dense LLM of L layers, tp 4, pp = dp = 1, no sequence parallelism, no
//   recompute: Megatron's TP issues 2 all-reduces per layer forward (after attention
//   and after the MLP) and 2 backward, plus one each for the vocab-parallel embedding
//   and the head, all of S = micro_batch x seq_len x hidden x 2 bytes (BF16). The step
//   model merges a model chunk's equal collectives into one node per micro-batch and
//   pass, so m micro-batches give 2 m CollectiveRun events, each of count 2 L + 2.
//
// In flow mode the first forward and the first backward all-reduce run as flows (the
// others reuse their time: op_graph.h memo keys). On NVL72 and HGX H100 NCCL runs a
// 2 MB 4-rank all-reduce as a ring (comm_tuner.h): 2 (n - 1) steps of n flows of S/n,
// each carrying its chunk over the library's bandwidth factor.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/compare_run.h"
#include "io/compare_trace.h"
#include "scenario/scenario_file.h"
#include "io/trace_perfetto.h"
#include "io/trace_reader.h"
#include "io/trace_summary.h"
#include "io/trace_writer.h"
#include "tests/test_util.h"

using podsim::io::TraceLevel;
using podsim::testing::TempDir;
namespace fs = std::filesystem;
namespace v1 = podsim::v1;

namespace {

constexpr int kLayers = 2, kHidden = 1024, kSeq = 1024, kMicroBatches = 3, kTp = 4;

// Every TP all-reduce blocking (tp_overlap NONE), so that each pass's are one collective
// node of 2 x layers + 2 (embedding, head) counted by hand below; the overlapped ones
// are tests/workloads/tp_overlap_test.cc's.

const char* kScenario = R"(
name: "trace_tp_only"
jobs {
  name: "tp4"
  model { layers: 2 hidden: 1024 ffn: 4096 heads: 16 vocab: 32000 seq_len: 1024 }
  plan { tp: 4 pp: 1 dp: 1 micro_batch: 1 global_batch: 3 tp_overlap: TP_OVERLAP_NONE }
  steps: 10
}
compare {
  mode: FLOW
  systems { name: "NVL72" cluster { pools { preset: "nvl72" count: 1 } } }
  systems { name: "HGX H100" cluster { pools { preset: "hgx-h100" count: 1 } } }
}
)";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

podsim::sim::StudyResult traced_study(const fs::path& path, TraceLevel level) {
  const podsim::scenario::ScenarioFile file = podsim::scenario::ScenarioFile::parse("trace_tp_only.textproto", kScenario);
  const std::vector<podsim::io::TracedSystem> systems = podsim::scenario::study_systems(file);
  podsim::io::TraceWriter writer(path, {.scenario = "trace_tp_only", .seed = 0, .level = level});
  podsim::io::CompareTrace trace(writer, systems);
  podsim::sim::StudyResult r = podsim::scenario::run_study(file, &trace);
  trace.finish();
  writer.finish();
  return r;
}

struct Read {
  v1::TraceHeader header;
  std::vector<v1::TraceEvent> events;
  std::vector<v1::TraceEvent> of(v1::TraceEvent::EventCase k) const {
    std::vector<v1::TraceEvent> out;
    for (const v1::TraceEvent& e : events)
      if (e.event_case() == k) out.push_back(e);
    return out;
  }
};

Read read(const fs::path& path) {
  Read r;
  podsim::io::read_trace_file(
      path, [&](const v1::TraceHeader& h) { r.header = h; }, [&](const v1::TraceEvent& e) { r.events.push_back(e); });
  return r;
}

}  // namespace

TEST_CASE("a comparison study traced at level jobs has its cells, no collectives") {
  const TempDir dir("podsim_compare_trace_test");
  const fs::path path = dir.path / "jobs.trace";
  const podsim::sim::StudyResult study = traced_study(path, TraceLevel::kJobs);
  const Read t = read(path);
  CHECK(t.header.comparison());
  REQUIRE(t.header.pools_size() == 2);
  CHECK(t.header.pools(0).name() == "NVL72");
  CHECK(t.header.pools(0).devices() == 72);
  CHECK(t.header.pools(1).name() == "HGX H100");
  CHECK(t.header.pools(1).devices() == 8);
  using E = v1::TraceEvent;
  CHECK(t.of(E::kSubmitted).size() == 2);
  CHECK(t.of(E::kStarted).size() == 2);
  CHECK(t.of(E::kFinished).size() == 2);
  CHECK(t.of(E::kStep).empty());
  CHECK(t.of(E::kStepTraced).empty());
  CHECK(t.of(E::kCollective).empty());
  // Each cell's JobFinished is at its step time.
  for (const E& f : t.of(E::kFinished)) {
    const podsim::sim::StudyCell& cell = study.cells.at(f.finished().job());
    CHECK(static_cast<double>(f.t_ns()) / 1e9 == doctest::Approx(cell.result.step_s).epsilon(1e-6));
  }
}

TEST_CASE("level steps: the TP-only job's all-reduces, counted by hand") {
  const TempDir dir("podsim_compare_trace_test");
  const fs::path path = dir.path / "steps.trace";
  const podsim::sim::StudyResult study = traced_study(path, TraceLevel::kSteps);
  const Read t = read(path);
  using E = v1::TraceEvent;
  const double s_bytes = 1.0 * kSeq * kHidden * 2;
  REQUIRE(t.of(E::kStepTraced).size() == 2);
  for (const E& e : t.of(E::kStepTraced)) {
    const v1::StepTraced& st = e.step_traced();
    CHECK(st.micro_batches() == kMicroBatches);
    CHECK(st.traced_micro_batches() == kMicroBatches);
    CHECK(st.stages() == 1);
    REQUIRE(st.groups_size() == 1);
    CHECK(st.groups(0).kind() == "tp");
    CHECK(std::vector<uint32_t>(st.groups(0).ranks().begin(), st.groups(0).ranks().end()) ==
          std::vector<uint32_t>{0, 1, 2, 3});
  }
  const std::vector<E> runs = t.of(E::kCollective);
  CHECK(runs.size() == 2u * 2 * kMicroBatches);  // 2 cells x 2 m
  std::map<uint32_t, std::set<uint32_t>> ids;    // by job
  std::map<uint32_t, int64_t> last_end;
  for (const E& e : runs) {
    const v1::CollectiveRun& c = e.collective();
    CAPTURE(c.DebugString());
    CHECK(e.t_ns() == 0);
    CHECK(c.kind() == "tp_all_reduce");
    CHECK(c.op() == "all-reduce");
    // The library's choice for a 2 MB all-reduce of 4 ranks (comm_tuner.h): NCCL's ring
    // at this size on both boards (NVLS's 25 us per call does not pay off yet).
    CHECK(c.algorithm() == "ring");
    CHECK(c.count() == 2 * kLayers + 2);
    CHECK(c.bytes() == s_bytes);
    CHECK(c.end_ns() > c.start_ns());
    CHECK(c.start_ns() >= 0);
    CHECK(ids[c.job()].insert(c.id()).second);
    last_end[c.job()] = std::max(last_end[c.job()], c.end_ns());
  }
  CHECK(ids[0].size() == 2 * kMicroBatches);
  CHECK(ids[1].size() == 2 * kMicroBatches);
  // The last backward's all-reduces end before the step does (the optimizer follows).
  for (const E& e : t.of(E::kStepTraceEnded)) {
    const v1::StepTraceEnded& end = e.step_trace_ended();
    CHECK(end.collectives() == 2 * kMicroBatches);
    CHECK(end.flows() == 0);
    CHECK(last_end[end.job()] <= end.traced_step_ns());
    CHECK(static_cast<double>(end.traced_step_ns()) / 1e9 ==
          doctest::Approx(study.cells.at(end.job()).result.step_s).epsilon(1e-6));
  }
  // The Step events carry the step model's breakdown.
  REQUIRE(t.of(E::kStep).size() == 2);
  for (const E& e : t.of(E::kStep)) {
    const podsim::sim::StudyCell& cell = study.cells.at(e.step().job());
    CHECK(e.step().step_s() == cell.result.step_s);
    CHECK(e.step().compute_s() == cell.result.compute_s);
    CHECK_FALSE(e.step().has_host_s());  // a dense model: no MoE host overhead to record
  }
  // The summary counts them by kind.
  const podsim::io::TraceSummary s = podsim::io::summarize_trace(path);
  REQUIRE(s.collectives.count("tp_all_reduce") == 1);
  const podsim::io::CollectiveTotals& k = s.collectives.at("tp_all_reduce");
  CHECK(k.runs == 2u * 2 * kMicroBatches);
  CHECK(k.collectives == 2u * 2 * kMicroBatches * (2 * kLayers + 2));
  CHECK(k.bytes == doctest::Approx(s_bytes * static_cast<double>(k.collectives)));
  CHECK(k.seconds > 0);
  CHECK(s.traced_steps == 2);
  REQUIRE(s.jobs.size() == 2);
  CHECK(s.jobs[0].name == "tp4 on NVL72");
}

TEST_CASE("level flows: each traced collective's flows, and byte-identical traces") {
  const TempDir dir("podsim_compare_trace_test");
  const fs::path a = dir.path / "flows_a.trace", b = dir.path / "flows_b.trace";
  traced_study(a, TraceLevel::kFlows);
  traced_study(b, TraceLevel::kFlows);
  CHECK(slurp(a) == slurp(b));
  const Read t = read(a);
  using E = v1::TraceEvent;
  const double s_bytes = 1.0 * kSeq * kHidden * 2;
  std::map<std::pair<uint32_t, uint32_t>, int> flows;  // (job, collective) -> flows
  for (const E& e : t.of(E::kCollectiveFlow)) {
    const v1::CollectiveFlow& f = e.collective_flow();
    CHECK(f.end_ns() >= f.start_ns());
    // A ring step's chunk S/n, on the wire: over the protocol's and the fabric's
    // bandwidth factor (collectives.h, CostTerms), so at least the payload.
    CHECK(f.bytes() >= s_bytes / kTp);
    CHECK(f.bytes() <= s_bytes / kTp / 0.25);
    CHECK(f.has_src());
    CHECK(f.src() < kTp);
    ++flows[{f.job(), f.collective()}];
  }
  // Per cell: the first forward and the first backward all-reduce, a ring of 2 (n - 1)
  // steps of n flows each.
  CHECK(flows.size() == 4);
  for (const auto& [key, n] : flows) CHECK(n == 2 * (kTp - 1) * kTp);
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (const E& e : t.of(E::kCollective)) seen.insert({e.collective().job(), e.collective().id()});
  for (const auto& [key, n] : flows) CHECK(seen.count(key) == 1);
  for (const E& e : t.of(E::kStepTraceEnded)) CHECK(e.step_trace_ended().flows() == 2 * 2 * (kTp - 1) * kTp);

  // Perfetto: one process per system, a track per job and device group, one complete
  // event per collective and a begin/end pair per flow.
  const fs::path json = dir.path / "flows.json";
  const podsim::io::PerfettoStats stats = podsim::io::write_perfetto(a, json);
  const std::string text = slurp(json);
  CHECK(text.find(R"("name":"process_name","ph":"M","pid":10,"args":{"name":"NVL72"})") != std::string::npos);
  CHECK(text.find(R"("name":"process_name","ph":"M","pid":11,"args":{"name":"HGX H100"})") != std::string::npos);
  CHECK(text.find(R"("tp4: tp stage 0 [0,1,2,3]")") != std::string::npos);
  size_t collectives = 0;
  for (size_t at = text.find(R"("cat":"collective","ph":"X")"); at != std::string::npos;
       at = text.find(R"("cat":"collective","ph":"X")", at + 1))
    ++collectives;
  CHECK(collectives == t.of(E::kCollective).size());
  CHECK(stats.by_phase.at("b") == stats.by_phase.at("e"));
  CHECK(stats.by_phase.at("b") == t.of(E::kCollectiveFlow).size());
}

TEST_CASE("an offloaded job's exposed offload reaches its Step event and the Perfetto export") {
  const TempDir dir("podsim_compare_trace_test");
  // A small-hidden job on NVL72 offloading every layer. Per layer and micro-batch the
  // activations are (32 h + 4 a) bytes per token (docs/models.md §4.4, no dropout,
  // FlashAttention) x 1024 tokens = 33.6 MB: 149 us each way over GB200's 225 GB/s host
  // link (docs/hardware.md §1.4). The layer's forward is 24 s h^2 + 4 s^2 h = 30 GFLOP,
  // about 12 us at GB200's 2.5 PFLOP/s BF16 peak (longer at real efficiency, still far
  // under 149 us), so most of the copy is exposed (step_model.h) and offload_s > 0.
  const char* scenario = R"(
name: "trace_offload"
jobs {
  name: "offload"
  model { layers: 2 hidden: 1024 ffn: 4096 heads: 16 vocab: 32000 seq_len: 1024 }
  plan { tp: 1 pp: 1 dp: 1 micro_batch: 1 global_batch: 2 activation_offload: 1 }
  steps: 10
}
compare {
  systems { name: "NVL72" cluster { pools { preset: "nvl72" count: 1 } } }
}
)";
  const fs::path path = dir.path / "offload.trace", json = dir.path / "offload.json";
  const podsim::scenario::ScenarioFile file = podsim::scenario::ScenarioFile::parse("trace_offload.textproto", scenario);
  podsim::sim::StudyResult study;
  {
    podsim::io::TraceWriter writer(path, {.scenario = "trace_offload", .seed = 0, .level = TraceLevel::kSteps});
    podsim::io::CompareTrace trace(writer, podsim::scenario::study_systems(file));
    study = podsim::scenario::run_study(file, &trace);
    trace.finish();
    writer.finish();
  }
  REQUIRE(study.cells.size() == 1);
  const double offload_s = study.cells[0].result.offload_s;
  REQUIRE(offload_s > 0);
  const Read t = read(path);
  const std::vector<v1::TraceEvent> steps = t.of(v1::TraceEvent::kStep);
  REQUIRE(steps.size() == 1);
  REQUIRE(steps[0].step().has_offload_s());
  CHECK(steps[0].step().offload_s() == offload_s);
  podsim::io::write_perfetto(path, json);
  CHECK(slurp(json).find(R"("offload_s":)") != std::string::npos);
}
