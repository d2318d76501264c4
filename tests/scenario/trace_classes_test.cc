// Trace rows as jobs of a class (scheduling.proto JobClass; scenario/trace_classes.h,
// sim/class_work.h): the run time is work on the reference placement, made steps once,
// and the step model then times the job on the placement it really gets.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "engine/error.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/cluster_run.h"
#include "scenario/run_size.h"
#include "sim/cluster_run.h"
#include "scenario/scenario_file.h"
#include "tests/test_util.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

using podsim::scenario::ScenarioFile;
namespace fs = std::filesystem;

namespace {

using podsim::testing::TempDir;
using podsim::testing::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// `text` with its first `from` replaced by `to`.
std::string with(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

// Two HGX H100 servers (each an 8-GPU scale-up domain). Row a: 4 GPUs for a day at t=0;
// row b: 8 GPUs for one hour, submitted a second later. First fit puts a on server 0's
// GPUs 0-3 and b on what is left in index order: 4 on server 0, 4 on server 1. Topology-
// aware placement gives b server 1 whole. a matches no class and stays a run time.
constexpr const char* kTrace =
    "job_id,submission_time,duration,num_gpu\n"
    "a,0,86400,4\n"
    "b,1,3600,8\n";

std::string scenario(const std::string& placement, const std::string& extra = "") {
  return R"(
name: "classes"
seed: 1
cluster {
  pools { name: "hgx" preset: "hgx-h100" count: 2 }
  fat_tree { tiers: 2 radix: 16 }
}
sources { trace {
  path: "trace.csv" format: ITP
  classes { name: "dp8" match { min_gpus: 8 }
            workload { model { preset: "llama3-8b" } plan { sharding: FSDP micro_batch: 1 } } }
  unmatched_as_durations: true
)" + extra + R"(
} }
scheduler { policy: FIFO placement: )" + placement + " }\n";
}

const podsim::scheduler::JobResult& job(const podsim::sim::ClusterRunOutput& r, const std::string& name) {
  for (const auto& j : r.result.jobs)
    if (j.name == name) return j;
  std::string names;
  for (const auto& j : r.result.jobs) names += j.name + " ";
  FAIL("no job " << name << " in " << names);
  return r.result.jobs.front();
}

// The step model's step for llama3-8b FSDP DP8 on the given devices, as the oracle runs
// it (analytical collectives, the device at its TDP).
double step_on(const ScenarioFile& f, std::vector<uint32_t> devices) {
  const podsim::topologies::Cluster c = podsim::topologies::build_cluster(podsim::scenario::cluster_params(f));
  const podsim::topologies::EngineFabric fabric(c);
  podsim::workloads::TrainingJob t{.name = "dp8", .model = *podsim::workloads::model_preset("llama3-8b"), .devices = 8};
  t.plan.dp = 8;
  t.plan.global_batch = 8;
  t.plan.sharding = podsim::workloads::DataSharding::kFsdp;
  std::vector<podsim::engine::DeviceId> placement;
  for (uint32_t d : devices) placement.push_back(podsim::engine::DeviceId{d});
  const auto& spec = *c.devices().front().spec;
  return podsim::workloads::simulate_step(t, placement, spec, fabric,
                                          {.mode = podsim::engine::CommMode::kAnalytical, .watts_per_device = spec.tdp_watts})
      .step_s;
}

}  // namespace

TEST_CASE("an 8-GPU trace job split 4 + 4 over two servers runs slower than packed, by the step model's factor") {
  const TempDir dir("podsim_trace_classes_test");
  dir.write("trace.csv", kTrace);
  const ScenarioFile packed_f = ScenarioFile::parse((dir.path / "packed.textproto").string(), scenario("TOPOLOGY_AWARE"));
  const ScenarioFile split_f = ScenarioFile::parse((dir.path / "split.textproto").string(), scenario("FIRST_FIT"));
  const podsim::sim::ClusterRunOutput packed = podsim::scenario::run_cluster(packed_f);
  const podsim::sim::ClusterRunOutput split = podsim::scenario::run_cluster(split_f);

  // Round trip: alone on the reference placement (server 1 whole is the same shape as
  // the reference, an empty server), the job runs exactly its trace run time.
  REQUIRE(job(packed, "b#0").jct_s.has_value());
  CHECK(*job(packed, "b#0").jct_s == doctest::Approx(3600).epsilon(1e-9));
  // The run-time-only row is untouched by classes: 86,400 s at reference speed.
  CHECK(*job(packed, "a#0").jct_s == doctest::Approx(86400).epsilon(1e-9));
  CHECK(*job(split, "a#0").jct_s == doctest::Approx(86400).epsilon(1e-9));

  // Split: 4 GPUs on each server (first fit, index order). The oracle times that shape on
  // its representative placement (sim/representative_placement.h): ranks 0-3 on server
  // 0's devices 0-3, ranks 4-7 on server 1's 8-11. The job's steps are
  // 3600 s / step(packed); each now takes step(split).
  const double step_packed = step_on(packed_f, {0, 1, 2, 3, 4, 5, 6, 7});
  const double step_split = step_on(packed_f, {0, 1, 2, 3, 8, 9, 10, 11});
  // By hand: llama3-8b has 8.03e9 parameters, 16.06 GB in BF16. FSDP on 8 ranks moves
  // 3 x 7/8 x 16.06 GB = 42 GB per rank per step (weights gathered for forward and for
  // backward, gradients reduce-scattered). Inside one HGX that is NVLink at 450 GB/s per
  // direction, 0.094 s, hidden behind the compute: 8,192 tokens x 6 x 8.03e9 = 3.9e14 FLOP
  // plus attention, ~0.73 s at 989 TFLOP/s x ~0.6 -- the step model gives 0.755 s. Split
  // 4 + 4, every ring crosses the servers' 400 Gb/s NICs (50 GB/s): 0.84 s, more than the
  // Split 4 + 4, NCCL runs 4 rings, one per GPU's 400 Gb/s NIC (50 GB/s; collectives.h,
  // "Channels"): 0.21 s on the NICs, nearly hidden; the step model gives 0.777 s, 1.03x
  // (one ring on one NIC would be 0.84 s and 1.21x), and the job's 3,600 s grow by that.
  INFO("step packed " << step_packed << " s, split " << step_split << " s");
  CHECK(step_split > 1.01 * step_packed);
  REQUIRE(job(split, "b#0").jct_s.has_value());
  CHECK(*job(split, "b#0").jct_s == doctest::Approx(3600 * step_split / step_packed).epsilon(1e-6));
  // The run states the reference it converted at.
  CHECK(contains(packed.duration_reference, "sources[0]: 1 class jobs' run times are work alone on pool 'hgx'"));
}

TEST_CASE("class rules: the first matching class wins, unmatched rows are skipped and counted unless kept") {
  const TempDir dir("podsim_trace_classes_test");
  dir.write("trace.csv", kTrace);
  const std::string only_big = R"(
name: "c"
cluster { pools { name: "hgx" preset: "hgx-h100" count: 2 } fat_tree { tiers: 2 radix: 16 } }
sources { trace { path: "trace.csv" format: ITP
  classes { name: "big" match { min_gpus: 8 max_gpus: 8 }
            workload { model { preset: "llama3-8b" } plan { sharding: FSDP } } }
  classes { name: "also_big" match { min_gpus: 2 }
            workload { model { preset: "llama3-8b" } plan { sharding: FSDP } } }
} }
)";
  const podsim::sim::ClusterRunOutput r =
      podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "c.textproto").string(), only_big));
  // a (4 GPUs) matches only also_big; b (8 GPUs) matches big first. Both have a workload,
  // so both report an MFU (a run time only would not).
  CHECK(r.result.jobs.size() == 2);
  CHECK(job(r, "a#0").mfu.has_value());
  CHECK(job(r, "b#0").mfu.has_value());
  // Without the second class, a matches nothing: skipped, counted by reason.
  const std::string no_fallback = only_big.substr(0, only_big.find("  classes { name: \"also_big\"")) + "} }\n";
  const podsim::sim::ClusterRunOutput s =
      podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "d.textproto").string(), no_fallback));
  CHECK(s.result.jobs.size() == 1);
  CHECK(s.skipped_rows == 1);
  CHECK(s.skipped_by_reason.count("no class matches (unmatched_as_durations replays them as run times)") == 1);
}

TEST_CASE("class and constraint mistakes: FILE:LINE:COL field errors, impossible constraints refused at the door") {
  const TempDir dir("podsim_trace_classes_test");
  dir.write("trace.csv", kTrace);
  auto run = [&](const std::string& extra) {
    return error_of([&] {
      podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "e.textproto").string(), scenario("FIRST_FIT", extra)));
    });
  };
  CHECK(contains(run("reference { pool: \"nope\" }"), "sources[0].trace.reference.pool: unknown pool 'nope' (pools: hgx)"));
  CHECK(contains(run("classes { name: \"dp8\" workload { model { preset: \"llama3-8b\" } } }"),
                 "sources[0].trace.classes[1].name: duplicate class name 'dp8'"));
  CHECK(contains(run("classes { name: \"x\" match { min_gpus: 9 max_gpus: 2 } workload { model { preset: \"llama3-8b\" } } }"),
                 "sources[0].trace.classes[1].match.max_gpus: expected >= min_gpus (9), got 2"));
  CHECK(contains(run("classes { name: \"x\" match { columns { name: \"queue\" values: \"a\" } } workload { model { preset: \"llama3-8b\" } } }"),
                 "needs a trace declared by its columns"));
  CHECK(contains(run("classes { name: \"x\" workload { model { preset: \"llama3-8b\" } steps: 5 } }"),
                 "leave the budget (tokens, samples, steps) unset"));
  // A class whose workload is wrong at every GPU count its rows have is an error, not a skip.
  const std::string bad_model = error_of([&] {
    podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "m.textproto").string(),
                                                      with(scenario("FIRST_FIT"), "llama3-8b", "no-such-model")));
  });
  CHECK(contains(bad_model, "sources[0].trace.classes[0].workload.model.preset: unknown preset 'no-such-model'"));
  CHECK(contains(bad_model, "m.textproto:"));
  // One scale-up domain of an HGX server holds 8 GPUs; 8 fit, so a 16-GPU row would not.
  // Whole nodes on 8-GPU servers: an 8-GPU job can; max_domains out of range cannot.
  const std::string plan = "plan { sharding: FSDP micro_batch: 1 } }";
  const std::string whole = with(scenario("FIRST_FIT"), plan, plan + " placement { whole_nodes: true one_domain: true }");
  CHECK_NOTHROW(podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "w.textproto").string(), whole)));
  const std::string range = with(scenario("FIRST_FIT"), plan, plan + " placement { max_domains: 2000000 }");
  CHECK(contains(error_of([&] {
                   podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "r.textproto").string(), range));
                 }),
                 "classes[0].placement.max_domains: expected domains in [1, "));
  dir.write("big.csv", "job_id,submission_time,duration,num_gpu\nbig,0,60,16\n");
  const std::string big =
      with(with(scenario("FIRST_FIT"), "trace.csv", "big.csv"), plan, plan + " placement { one_domain: true }");
  const std::string e = error_of([&] {
    podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "b.textproto").string(), big));
  });
  CHECK(contains(e, "big.csv:2: job 'big' of class 'dp8': 16 devices do not fit in 1 scale-up domain of pool 'hgx' (at most 8 devices)"));
  CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("explicit jobs take placement constraints too (job_settings), refused at the door when impossible") {
  const std::string text = R"(
name: "explicit"
cluster { pools { name: "hgx" preset: "hgx-h100" count: 2 } fat_tree { tiers: 2 radix: 16 } }
jobs { name: "x" model { preset: "llama3-8b" } plan { sharding: FSDP micro_batch: 1 } devices: 16 steps: 10 }
job_settings { job: "x" placement { one_domain: true } }
)";
  const std::string e = error_of([&] { podsim::scenario::run_cluster(ScenarioFile::parse("/tmp/x.textproto", text)); });
  CHECK(contains(e, "/tmp/x.textproto:5:"));
  CHECK(contains(e, "job_settings[0].placement: job 'x': 16 devices do not fit in 1 scale-up domain of pool 'hgx' "
                    "(at most 8 devices)"));
  // Whole nodes and two domains: 16 GPUs = both servers whole; the job runs.
  const podsim::sim::ClusterRunOutput r = podsim::scenario::run_cluster(ScenarioFile::parse(
      "/tmp/x.textproto", with(text, "one_domain: true", "whole_nodes: true max_domains: 2")));
  REQUIRE(r.result.jobs.size() == 1);
  CHECK(r.result.jobs[0].end_s.has_value());
}

TEST_CASE("a class may leave its plan to the planner: each GPU count is planned on each pool it may use") {
  const TempDir dir("podsim_trace_classes_test");
  dir.write("trace.csv", kTrace);
  const std::string text =
      with(scenario("TOPOLOGY_AWARE"), "plan { sharding: FSDP micro_batch: 1 }", "plan { auto_plan: true }");
  const podsim::sim::ClusterRunOutput r =
      podsim::scenario::run_cluster(ScenarioFile::parse((dir.path / "auto.textproto").string(), text));
  // Alone on its reference shape, the planned job still runs its run time exactly.
  REQUIRE(job(r, "b#0").jct_s.has_value());
  CHECK(*job(r, "b#0").jct_s == doctest::Approx(3600).epsilon(1e-9));
  CHECK(job(r, "b#0").mfu.has_value());
}

TEST_CASE("class jobs hold no list of pools of their own when every pool they may use has a plan") {
  // Each class job once held a copy of the pools its model has a plan on: 100,000 trace
  // jobs on 1,000 pools, 400 MB that the run-size estimate did not count.
  const TempDir dir("podsim_class_pools");
  dir.write("trace.csv", kTrace);
  const std::string two_pools =
      with(scenario("FIRST_FIT"), "count: 2 }", "count: 2 }\n  pools { name: \"hgx2\" preset: \"hgx-h100\" count: 1 }");
  const auto pools_of_jobs = [&](const std::string& text) {
    const ScenarioFile f = ScenarioFile::parse((dir.path / "p.textproto").string(), text);
    std::vector<std::vector<uint32_t>> pools;
    podsim::sim::run_cluster(
        podsim::scenario::cluster_run_spec(f),
        {.steps = nullptr,
         .before_run = [&](const podsim::topologies::Cluster&, const podsim::scheduler::Inventory&,
                           const podsim::sim::SchedulerJobs& jobs, const podsim::scheduler::ClusterRunOptions&) {
           size_t held = 0;
           for (const auto& j : jobs.jobs) pools.push_back(j.pools), held += j.pools.size();
           CHECK(podsim::scenario::job_pool_indices(jobs.jobs) == static_cast<double>(held));
         }});
    return pools;
  };
  // a stays a run time, b is a class job: neither names a pool, both may use any.
  CHECK(pools_of_jobs(two_pools) == std::vector<std::vector<uint32_t>>{{}, {}});
  // Pools named are kept as named (the order pools are tried in), not copied again.
  CHECK(pools_of_jobs(with(two_pools, "unmatched_as_durations: true", "unmatched_as_durations: true pools: \"hgx2\"")) ==
        std::vector<std::vector<uint32_t>>{{1}, {1}});
}
