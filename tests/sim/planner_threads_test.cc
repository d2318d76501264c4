// The planner times its candidates on several threads (PlanSearch::threads,
// workloads/planner.h) over one shared EngineFabric, whose route cache is guarded
// (topologies/engine_fabric.h). The answer must not depend on the thread count: each
// candidate is simulated alone, so one thread and four give the same plans, the same
// step times to the bit and the same explanation.
#include <doctest/doctest.h>

#include <cstring>

#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "topologies/params.h"
#include "workloads/planner.h"
#include "workloads/presets.h"

namespace podsim::sim {
namespace {

workloads::PlanReport search(const topologies::Cluster& cluster, int threads, size_t* progress_calls) {
  const topologies::EngineFabric fabric(cluster);  // a fresh route cache per search
  workloads::PlanSearch q{.devices = 16, .global_batch = 64, .scale_up_domain = 8, .top = 1000};
  q.threads = threads;
  q.progress = [progress_calls](size_t done, size_t total) {
    CHECK(done <= total);
    ++*progress_calls;
  };
  return workloads::plan_search(*workloads::model_preset("llama3-8b"), q, *cluster.devices().front().spec, fabric);
}

}  // namespace

TEST_CASE("plan_search on 4 threads gives what it gives on 1, bit for bit") {
  const topologies::ClusterParams params{
      .pools = {{.preset = "hgx-h100", .count = 2, .system = *topologies::preset("hgx-h100")}},
      .fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 64},
      .detailed_view = false};
  const topologies::Cluster cluster = topologies::build_cluster(params);
  size_t calls1 = 0, calls4 = 0;
  const workloads::PlanReport one = search(cluster, 1, &calls1);
  const workloads::PlanReport four = search(cluster, 4, &calls4);
  REQUIRE(one.best.size() > 4);
  CHECK(calls1 == one.fitting);  // one progress call per timed plan
  CHECK(calls4 == four.fitting);
  CHECK(one.fitting == four.fitting);
  CHECK(one.explanation == four.explanation);
  REQUIRE(one.best.size() == four.best.size());
  for (size_t i = 0; i < one.best.size(); ++i) {
    CAPTURE(i);
    CHECK(workloads::describe(one.best[i].plan) == workloads::describe(four.best[i].plan));
    CHECK(std::memcmp(&one.best[i].result.step_s, &four.best[i].result.step_s, sizeof(double)) == 0);
    CHECK(one.best[i].result.exposed_s == four.best[i].result.exposed_s);
  }
}

}  // namespace podsim::sim
