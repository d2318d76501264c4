// A comparison study is checked whole before anything runs (scenario/compare_run.h):
// a job too big for compare.systems[1] is refused before systems[0] is simulated.
#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "scenario/compare_run.h"
#include "scenario/scenario_file.h"
#include "tests/test_util.h"

namespace podsim::scenario {
namespace {

// Counts the cells the study starts.
class Cells final : public sim::StudyObserver {
 public:
  workloads::StepObserver* cell_begins(uint32_t, const std::string&, uint32_t, double) override {
    ++begun;
    return nullptr;
  }
  void cell_ended(std::span<const engine::DeviceId>, uint32_t, const workloads::StepResult&) override {}
  int begun = 0;
};

constexpr const char* kStudy = R"(name: "two systems"
jobs {
  name: "a"
  model { preset: "llama3-8b" }
  plan { tp: 8 dp: 2 micro_batch: 1 global_batch: 16 }
  steps: 10
}
compare {
  systems { name: "rack" cluster { pools { preset: "nvl72" } } }
  systems { name: "server" cluster { pools { preset: "hgx-h100" } } }
}
)";

TEST_CASE("a job too big for the second system is refused before the first runs") {
  const ScenarioFile file = ScenarioFile::parse("two.textproto", kStudy);
  Cells cells;
  const std::string error = testing::error_of([&] { run_study(file, &cells); });
  CHECK(error == "two.textproto:2:1: jobs[0]: a needs 16 devices, system 'server' has 8");
  CHECK(cells.begun == 0);
}

TEST_CASE("the spec of a good study: its systems, jobs and plans, nothing run") {
  ScenarioFile file = ScenarioFile::parse("two.textproto", kStudy);
  file.apply_override("compare.systems[1].cluster.pools[0].count=2");
  file.apply_override("compare.systems[1].cluster.fat_tree.tiers=2");
  const sim::StudySpec spec = study_spec(file);
  REQUIRE(spec.systems.size() == 2);
  CHECK(spec.systems[0].name == "rack");
  CHECK(sim::device_count(spec.systems[0].cluster) == 72);
  CHECK(sim::device_count(spec.systems[1].cluster) == 16);
  REQUIRE(spec.systems[1].jobs.size() == 1);
  CHECK(spec.systems[1].jobs[0].job.plan.tp == 8);
  CHECK_FALSE(spec.systems[1].jobs[0].auto_plan);
}

TEST_CASE("what only a cluster run reads is refused in a study, each at its line, never ignored") {
  // A study with a scheduler, a horizon, job_settings and a cluster beside its systems
  // once printed its table as if none of them were there.
  const ScenarioFile file = ScenarioFile::parse(
      "two.textproto", std::string(kStudy) +
                           "scheduler { policy: SJF }\nhorizon_s: 5\njob_settings { job: \"a\" priority: 1 }\n"
                           "cluster { pools { preset: \"nvl72\" } }\n");
  const std::string unused =
      ": not used by a comparison study ('compare' times each job alone on each system: no scheduler, arrivals, "
      "failures or output files; expected it only in a cluster run)";
  CHECK(testing::error_of([&] { study_spec(file); }) ==
        "two.textproto:12:1: scheduler" + unused + "\ntwo.textproto:14:1: job_settings[0]" + unused +
            "\ntwo.textproto:13:1: horizon_s" + unused +
            "\ntwo.textproto:15:1: cluster: not used beside compare.systems (each system brings its own cluster; "
            "expected it inside compare.systems, or no systems)");
  // A study of the scenario's own cluster (no systems) reads it.
  CHECK_NOTHROW(study_spec(ScenarioFile::parse(
      "own.textproto", "name: \"own\"\njobs { name: \"a\" model { preset: \"llama3-8b\" } plan { tp: 8 dp: 2 "
                       "micro_batch: 1 global_batch: 16 } steps: 10 }\ncluster { pools { preset: \"nvl72\" } }\n"
                       "compare { }\n")));
}

}  // namespace
}  // namespace podsim::scenario
