// sim::ClusterRunSpec built in C++ alone runs the same cluster run as the scenario file
// that says the same thing (scenario/cluster_run.h converts the file into such a spec):
// every output byte-identical. And what sim/ finds on the built cluster comes back as
// FieldErrors at the scenario's field paths, which the scenario layer places.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "io/cluster_results.h"
#include "scenario/cluster_run.h"
#include "scenario/scenario_check.h"
#include "sim/cluster_run.h"
#include "sim/cluster_run_spec.h"
#include "sim/field_error.h"
#include "sim/headline_metrics.h"
#include "tests/test_util.h"
#include "topologies/params.h"
#include "workloads/presets.h"

using podsim::scenario::ScenarioFile;
using podsim::testing::error_of;
using podsim::testing::TempDir;

namespace podsim::sim {
namespace {

// Two NVL72 racks; an explicit Llama 3 8B job kept to the pool by name, with a
// checkpoint every 10 minutes; three rows of an ITP trace; a synthetic mix of eight jobs.
constexpr const char* kScenario = R"(
name: "spec_equivalence"
seed: 7
cluster {
  pools { name: "racks" preset: "nvl72" count: 2 }
  fat_tree { tiers: 2 radix: 36 }
}
scheduler { policy: EASY_BACKFILL placement: BEST_FIT timeline_samples: 20 }
jobs {
  name: "l8b"
  arrival_s: 30
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 16 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  steps: 100
}
job_settings { job: "l8b" pools: "racks" priority: 2 user: "alice" checkpoint { interval_s: 600 write_s: 5 } }
sources { trace { path: "rows.csv" start_s: 60 } }
sources {
  synthetic {
    jobs: 8
    mean_interarrival_s: 900
    templates { name: "big" weight: 1 devices { count: 64 } devices { count: 32 weight: 2 } median_hours: 1.5 sigma: 0.5 }
    templates { name: "small" weight: 3 devices { count: 8 } median_hours: 0.5 pools: "racks" user: "bob" }
  }
}
)";

constexpr const char* kRows =
    "job_id,submission_time,duration,num_gpu\n"
    "a,0,3600,16\n"
    "b,120,1800,72\n"
    "c,300,600,4\n";

// The same run, said in C++.
ClusterRunSpec spec_in_cpp(const std::string& rows_path) {
  ClusterRunSpec spec;
  spec.cluster = {.pools = {{.name = "racks", .preset = "nvl72", .count = 2, .system = *topologies::preset("nvl72")}},
                  .fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 36}};
  workloads::TrainingJob l8b{.name = "l8b", .arrival_s = 30, .model = *workloads::model_preset("llama3-8b"),
                             .devices = 64, .budget = {.unit = workloads::TrainingBudget::Unit::kSteps, .amount = 100}};
  l8b.plan = {.tp = 4, .dp = 16, .sharding = workloads::DataSharding::kZero1, .micro_batch = 2, .global_batch = 512};
  workloads::validate(l8b.model, l8b.plan);
  spec.jobs.push_back({.model = l8b,
                       .pools = {"racks"},
                       .priority = 2,
                       .user = "alice",
                       .checkpoint = {.interval = scheduler::CheckpointPolicy::Interval::kFixed,
                                      .every = engine::SimTime::seconds(600),
                                      .write_cost = engine::SimTime::seconds(5)},
                       .settings_field = "job_settings[0]"});
  TraceJobs trace{.path = rows_path, .start_s = 60};
  trace.trace.jobs = {{.id = "a", .submit_s = 0, .duration_s = 3600, .devices = 16, .line = 2},
                      {.id = "b", .submit_s = 120, .duration_s = 1800, .devices = 72, .line = 3},
                      {.id = "c", .submit_s = 300, .duration_s = 600, .devices = 4, .line = 4}};
  spec.sources.emplace_back(std::move(trace));
  spec.sources.emplace_back(SyntheticJobs{
      .jobs = 8,
      .mean_interarrival_s = 900,
      .templates = {{.name = "big", .devices = {{64, 1}, {32, 2}}, .median_hours = 1.5, .sigma = 0.5},
                    {.name = "small", .weight = 3, .devices = {{8, 1}}, .median_hours = 0.5, .pools = {"racks"},
                     .user = "bob"}}});
  spec.options = {.seed = 7,
                  .policy = {.kind = scheduler::PolicyKind::kEasyBackfill},
                  .placement = scheduler::PlacementKind::kBestFit,
                  .timeline_samples = 20};
  return spec;
}

std::string outputs(const ClusterRunOutput& r) {
  std::ostringstream out;
  io::write_jobs_csv(r.result, out);
  io::write_timeline_csv(r.result, out);
  io::write_summary_csv(r.result, out);
  io::write_results_json(r.result, out);
  io::print_cluster_run(r, out);
  return out.str();
}

}  // namespace

TEST_CASE("a ClusterRunSpec built in C++ runs byte-identically to the scenario file that says the same") {
  const TempDir dir("podsim_spec_test");
  dir.write("rows.csv", kRows);
  const std::string path = (dir.path / "s.textproto").string();
  const ScenarioFile file = ScenarioFile::parse(path, kScenario);
  podsim::scenario::check_scenario(file);
  ClusterRunOutput from_file = podsim::scenario::run_cluster(file);
  ClusterRunOutput from_cpp = run_cluster(spec_in_cpp((dir.path / "rows.csv").string()));
  from_file.wall_seconds = from_cpp.wall_seconds = 0;  // wall times are the only difference allowed
  REQUIRE(from_cpp.result.jobs.size() == 1 + 3 + 8);
  CHECK(from_cpp.result.summary.finished == 12);
  CHECK(outputs(from_cpp) == outputs(from_file));
  const std::vector<Metric> a = headline_metrics(from_cpp), b = headline_metrics(from_file);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(a[i].name);
    CHECK(a[i].number == b[i].number);
  }
  // The scenario's own spec is the one written by hand, as far as the run can tell.
  const ClusterRunSpec converted = podsim::scenario::cluster_run_spec(file);
  CHECK(converted.jobs.size() == 1);
  CHECK(converted.sources.size() == 2);
  CHECK(std::get<TraceJobs>(converted.sources[0]).trace.jobs.size() == 3);
}

TEST_CASE("problems found on the built cluster: FieldErrors at the scenario's paths, all of them") {
  ClusterRunSpec spec = spec_in_cpp("rows.csv");
  spec.jobs[0].pools = {"gpus"};
  std::get<SyntheticJobs>(spec.sources[1]).templates[0].devices[0].first = 200;
  try {
    run_cluster(spec);
    FAIL("expected FieldErrors");
  } catch (const FieldErrors& e) {
    REQUIRE(e.errors().size() == 2);
    CHECK(e.errors()[0].path() == "job_settings[0].pools[0]");
    CHECK(e.errors()[0].message() == "unknown pool 'gpus' (pools: racks)");
    CHECK(e.errors()[1].path() == "sources[1].synthetic.templates[0].devices[0].count");
    CHECK(e.errors()[1].message() == "200 devices: expected 1 to 144 (the largest pool it may use)");
    CHECK(std::string(e.what()) ==
          "job_settings[0].pools[0]: unknown pool 'gpus' (pools: racks)\n"
          "sources[1].synthetic.templates[0].devices[0].count: 200 devices: expected 1 to 144 (the largest pool it may use)");
  }
  // A trace row no pool can hold names its file and line, and the field that drops it.
  spec = spec_in_cpp("rows.csv");
  std::get<TraceJobs>(spec.sources[0]).trace.jobs[1].devices = 256;
  CHECK(error_of([&] { run_cluster(spec); }) ==
        "rows.csv:3: job 'b' needs 256 GPUs; the largest pool it may use has 144 (sources[0].trace: set "
        "skip_oversized to drop such jobs)");
  std::get<TraceJobs>(spec.sources[0]).skip_oversized = true;
  CHECK(run_cluster(spec).skipped_oversized == 1);
}

TEST_CASE("the scenario layer places sim's FieldErrors in its file") {
  const TempDir dir("podsim_spec_test");
  dir.write("rows.csv", kRows);
  std::string text = kScenario;
  text.replace(text.find("pools: \"racks\" priority"), 15, "pools: \"gpus\"  ");
  const ScenarioFile file = ScenarioFile::parse((dir.path / "s.textproto").string(), text);
  const std::string e = error_of([&] { podsim::scenario::run_cluster(file); });
  CHECK(e.find("s.textproto:") != std::string::npos);
  CHECK(e.find("job_settings[0].pools[0]: unknown pool 'gpus' (pools: racks)") != std::string::npos);
}

}  // namespace podsim::sim
