// cli/cluster_run, cli/jobs_from_proto and cli/inventory_from_cluster: a scenario with
// a cluster and explicit jobs, run through the scheduler with the workload step model.
#include "scenario/cluster_run.h"
#include "io/cluster_results.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/cluster_from_proto.h"
#include "sim/inventory_from_cluster.h"
#include "scenario/job_from_proto.h"
#include "scenario/jobs_from_proto.h"
#include "engine/error.h"
#include "tests/test_util.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/step_model.h"

using podsim::scenario::ScenarioFile;
namespace fs = std::filesystem;

namespace {

using podsim::testing::TempDir;
using podsim::testing::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Two 64-GPU jobs, one per rack of 2 x NVL72, both arriving at 0: no queueing, no
// failures, no checkpoints, each inside one scale-up domain (no scale-out traffic).
constexpr const char* kTwoJobs = R"(
name: "two_jobs"
seed: 1
cluster {
  pools { name: "nvl72" preset: "nvl72" count: 2 }
  fat_tree { tiers: 2 radix: 36 }
}
jobs {
  name: "l8b"
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 16 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  steps: 100
}
jobs {
  name: "l70b"
  model { preset: "llama3-70b" }
  plan { tp: 8 pp: 4 dp: 2 sequence_parallel: true global_batch: 64 sharding: ZERO1 }
  steps: 40
}
)";

// The step model's answer for explicit job `k` on devices 0..N-1 (the first rack's
// first nodes: the placement the oracle picks for a one-rack shape).
podsim::workloads::StepResult step_on_first_rack(const ScenarioFile& f, int k) {
  const podsim::topologies::Cluster c = podsim::topologies::build_cluster(podsim::scenario::cluster_params(f));
  const podsim::topologies::EngineFabric fabric(c);
  const auto jobs = podsim::scenario::training_jobs(f);
  const auto& job = jobs.at(static_cast<size_t>(k));
  std::vector<podsim::engine::DeviceId> placement;
  for (int r = 0; r < job.devices; ++r) placement.push_back(podsim::engine::DeviceId{static_cast<uint32_t>(r)});
  return podsim::workloads::simulate_step(job, placement, *c.devices().front().spec, fabric,
                                          {.watts_per_device = c.devices().front().spec->tdp_watts});
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("inventory of 2 x NVL72: 144 GPUs in 2 scale-up domains of 18 four-GPU trays") {
  const ScenarioFile f = ScenarioFile::parse("i.textproto", kTwoJobs);
  const auto params = podsim::scenario::cluster_params(f);
  const podsim::topologies::Cluster c = podsim::topologies::build_cluster(params);
  const podsim::scheduler::Inventory inv = podsim::sim::inventory_from_cluster(c, params);
  REQUIRE(inv.pools().size() == 1);
  CHECK(inv.pools()[0].name == "nvl72");
  CHECK(inv.pools()[0].relative_speed == 1.0);
  CHECK(inv.devices().size() == 144);
  CHECK(inv.domain_count() == 2);
  CHECK(inv.node_count() == 36);
  CHECK(inv.domain_size(0) == 72);
  // Devices 0..71 are the first rack: the placement step_on_first_rack() assumes.
  for (uint32_t d = 0; d < 72; ++d) CHECK(inv.devices()[d].domain == 0);
  // Busy: the GB200's 1,200 W TDP. Static: the rest of NVL72's ~120 kW per rack.
  CHECK(inv.devices()[0].busy_watts == 1200);
  CHECK(inv.devices()[0].idle_watts == 0);
  CHECK(inv.static_watts() == doctest::Approx(2 * (120e3 - 72 * 1200)));
}

TEST_CASE("explicit jobs: JCT = steps x the step model's step time") {
  const ScenarioFile f = ScenarioFile::parse("two.textproto", kTwoJobs);
  const podsim::sim::ClusterRunOutput r = podsim::scenario::run_cluster(f);
  REQUIRE(r.result.jobs.size() == 2);
  for (int k = 0; k < 2; ++k) {
    const podsim::workloads::StepResult step = step_on_first_rack(f, k);
    const auto& j = r.result.jobs[static_cast<size_t>(k)];
    CAPTURE(j.name);
    REQUIRE(j.jct_s.has_value());
    CHECK(j.queue_delay_s == 0);
    const double steps = k == 0 ? 100 : 40;
    // Hand check: the JCT is the step model's time, steps x step_s, to the nanosecond
    // rounding of SimTime.
    CHECK(*j.jct_s == doctest::Approx(steps * step.step_s).epsilon(1e-6));
    REQUIRE(j.mfu.has_value());
    CHECK(*j.mfu == doctest::Approx(step.mfu).epsilon(1e-6));
    CHECK(step.mfu > 0.2);
    CHECK(step.mfu < 0.8);
  }
}

TEST_CASE("a run cut at the end of simulated time is refused, not reported as results") {
  // 1e11 steps of ~1 s: ~1e11 s of work, past 2^62 ns (4.6e9 s). It once printed "0
  // finished of 2" with a makespan of 1.28 million hours, exit 0.
  ScenarioFile f = ScenarioFile::parse("two.textproto", kTwoJobs);
  f.apply_override("jobs[0].steps=100000000000");
  const std::string e = error_of([&] { podsim::scenario::run_cluster(f); });
  CHECK(e.starts_with("--set jobs[0].steps: jobs[0].steps: job '"));
  CHECK(contains(e, "would still be running at the end of simulated time (4.612e+09 s, 146 years; "));
  // With a horizon the run stops there by request, its jobs reported unfinished.
  f.apply_override("horizon_s=1e9");
  const podsim::sim::ClusterRunOutput r = podsim::scenario::run_cluster(f);
  CHECK(r.result.summary.finished < r.result.summary.jobs);
}

TEST_CASE("a job bigger than any pool or on an unknown pool: FILE:LINE:COL errors") {
  const std::string big = std::string(kTwoJobs) + R"(
jobs {
  name: "huge"
  model { preset: "llama3-8b" }
  plan { tp: 8 dp: 32 global_batch: 256 }
  steps: 1
}
job_settings { job: "l8b" pools: "nvl36" }
)";
  const ScenarioFile f = ScenarioFile::parse("bad.textproto", big);
  const std::string e = error_of([&] { podsim::scenario::run_cluster(f); });
  CHECK(contains(e, "bad.textproto:21:1: jobs[2].devices: job 'huge' needs 256 devices; the largest pool it may use has 144"));
  CHECK(contains(e, "bad.textproto:27:27: job_settings[0].pools[0]: unknown pool 'nvl36' (pools: nvl72)"));
}

TEST_CASE("a plan that does not fit the pool's device names the job and the pool") {
  // Llama 3 405B on 16 GPUs, TP8 PP2, no sharding: far more than 186 GB per GPU.
  const std::string text = std::string(kTwoJobs) + R"(
jobs {
  name: "too-big"
  model { preset: "llama3-405b" }
  plan { tp: 8 pp: 2 dp: 1 global_batch: 8 allow_uneven_stages: true }
  steps: 1
}
)";
  const ScenarioFile f = ScenarioFile::parse("fit.textproto", text);
  const std::string e = error_of([&] { podsim::scenario::run_cluster(f); });
  CHECK(contains(e, "fit.textproto:"));
  CHECK(contains(e, "jobs[2].plan: job 'too-big' does not fit pool 'nvl72'"));
}

TEST_CASE("--set outputs.out_dir writes the four files whole") {
  const TempDir scratch("podsim_cluster_run_test");
  const fs::path dir = scratch.path / "out";
  ScenarioFile f = ScenarioFile::parse("two.textproto", kTwoJobs);
  f.apply_override("outputs.out_dir=" + dir.string());
  const podsim::sim::ClusterRunOutput r = podsim::scenario::run_cluster(f);
  podsim::io::write_cluster_outputs(r.result, f.scenario().outputs().out_dir());
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"jobs.csv", "results.json", "summary.csv", "timeline.csv"});
  const std::string jobs = slurp(dir / "jobs.csv");
  CHECK(jobs.starts_with("name,devices,pool,"));
  CHECK(contains(jobs, "\nl8b,64,nvl72,"));
  CHECK(contains(jobs, "\nl70b,64,nvl72,"));
  CHECK(jobs.ends_with("\n"));
  const std::string json = slurp(dir / "results.json");
  CHECK(json.starts_with("{"));
  CHECK(json.find_last_not_of(" \n") == json.rfind('}'));
  CHECK(slurp(dir / "summary.csv").ends_with("\n"));
  CHECK(slurp(dir / "timeline.csv").ends_with("\n"));
}

TEST_CASE("an unwritable output directory: a one-line error and no partial file") {
  // A directory under a regular file cannot be created, even by root.
  const TempDir scratch("podsim_cluster_run_test");
  const fs::path file = scratch.write("podsim_cluster_run_test_file", "x");
  const ScenarioFile f = ScenarioFile::parse("two.textproto", kTwoJobs);
  const podsim::sim::ClusterRunOutput r = podsim::scenario::run_cluster(f);
  const std::string e = error_of([&] { podsim::io::write_cluster_outputs(r.result, file / "out"); });
  CHECK(contains(e, "podsim_cluster_run_test_file/out: cannot create output directory"));
  CHECK(e.find('\n') == std::string::npos);
  CHECK(!fs::exists(file / "out"));

  // An existing directory without write permission (skipped as root, who may write anyway).
  const fs::path ro = scratch.path / "ro";
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  if (!std::ofstream(ro / "probe")) {
    const std::string e2 = error_of([&] { podsim::io::write_cluster_outputs(r.result, ro); });
    CHECK(contains(e2, "cannot create"));
    CHECK(e2.find('\n') == std::string::npos);
    CHECK(fs::is_empty(ro));
  }
  fs::permissions(ro, fs::perms::owner_all);  // so that the scratch directory can go
}

TEST_CASE("a job runs only on the pools its plan fits") {
  // Llama 3 70B TP8 PP2 DP2, no sharding: 130.6 GB per device. It fits a GB200
  // (186 GB), not an H100 (80 GB).
  const std::string text = R"(
name: "mixed"
seed: 1
cluster {
  pools { name: "nvl72" preset: "nvl72" count: 1 }
  pools { name: "hgx" preset: "hgx-h100" count: 18 }
  fat_tree { tiers: 2 radix: 36 rail_optimized: false }
}
jobs {
  name: "l70b"
  model { preset: "llama3-70b" }
  plan { tp: 8 pp: 2 dp: 2 global_batch: 16 micro_batch: 1 }
  steps: 10
}
)";
  const podsim::sim::ClusterRunOutput r = podsim::scenario::run_cluster(ScenarioFile::parse("mixed.textproto", text));
  REQUIRE(r.result.jobs.size() == 1);
  CHECK(r.result.jobs[0].pool == "nvl72");  // no pools named: restricted to where it fits

  const std::string e = error_of([&] {
    podsim::scenario::run_cluster(ScenarioFile::parse("mixed.textproto", text + "job_settings { job: \"l70b\" pools: \"hgx\" }\n"));
  });
  CHECK(contains(e, "mixed.textproto:12:3: jobs[0].plan: job 'l70b' does not fit pool 'hgx' (H100 SXM5): plan needs 130.6 GB"));
  CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("plan: auto is searched on the pool's device and the job runs") {
  const ScenarioFile f = ScenarioFile::parse("auto.textproto", R"(
cluster {
  pools { name: "nvl72" preset: "nvl72" count: 2 }
  fat_tree { tiers: 2 radix: 36 }
}
jobs {
  name: "l8b-auto"
  model { preset: "llama3-8b" }
  plan { auto_plan: true global_batch: 512 }
  devices: 64
  steps: 100
})");
  const podsim::sim::ClusterRunOutput r = podsim::scenario::run_cluster(f);
  REQUIRE(r.result.jobs.size() == 1);
  REQUIRE(r.result.jobs[0].jct_s.has_value());
  REQUIRE(r.result.jobs[0].mfu.has_value());
  CHECK(*r.result.jobs[0].mfu > 0.2);
}
