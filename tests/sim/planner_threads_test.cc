// The planner times its candidates on several threads (PlanSearch::threads,
// workloads/planner.h) over one shared EngineFabric, whose route cache is guarded
// (topologies/engine_fabric.h), and one shared collective memo (engine/network/
// collective_memo.h). The answer must not depend on either: each candidate is simulated
// alone, so one thread and four give the same plans, the same step times to the bit and
// the same explanation, and each plan steps as it does simulated alone without a memo.
#include <doctest/doctest.h>

#include <cstring>

#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "topologies/params.h"
#include "workloads/placement.h"
#include "workloads/planner.h"
#include "workloads/presets.h"

namespace podsim::sim {
namespace {

topologies::Cluster hgx_h100s(int count) {
  const topologies::ClusterParams params{
      .pools = {{.preset = "hgx-h100", .count = count, .system = *topologies::preset("hgx-h100")}},
      .fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 64},
      .detailed_view = false};
  return topologies::build_cluster(params);
}

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
  const topologies::Cluster cluster = hgx_h100s(2);
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

TEST_CASE("plan_search with its shared collective memo times every plan as a lone step without one") {
  // A MoE model across domains: the memo sees MoE exchanges, hierarchical and tree
  // all-reduces and channel rings.
  const topologies::Cluster cluster = hgx_h100s(4);
  const topologies::EngineFabric fabric(cluster);
  const engine::DeviceSpec& device = *cluster.devices().front().spec;
  const workloads::ModelSpec model = *workloads::model_preset("gpt-oss-120b");
  workloads::PlanSearch q{.devices = 32, .global_batch = 128, .scale_up_domain = 8, .top = 1000};
  q.threads = 2;
  const workloads::PlanReport report = workloads::plan_search(model, q, device, fabric);
  REQUIRE(report.best.size() == report.fitting);  // every timed plan is returned
  REQUIRE(report.fitting > 20);
  bool moe = false, across = false;
  for (const workloads::PlannedStep& s : report.best) {
    CAPTURE(workloads::describe(s.plan));
    moe |= s.plan.ep > 1;
    across |= s.plan.tp * s.plan.cp * s.plan.dp > 8;  // a stage's replicas span servers
    const workloads::TrainingJob job{.name = "alone", .arrival_s = 0, .model = model, .plan = s.plan,
                                     .devices = q.devices, .budget = {}};
    const workloads::StepResult alone =
        workloads::simulate_step(job, workloads::aligned_placement(s.plan, fabric), device, fabric, {});
    CHECK(std::memcmp(&alone.step_s, &s.result.step_s, sizeof(double)) == 0);
    CHECK(alone.exposed_s == s.result.exposed_s);
    CHECK(alone.compute_s == s.result.compute_s);
    CHECK(alone.bubble_s == s.result.bubble_s);
    CHECK(alone.bottleneck == s.result.bottleneck);
  }
  CHECK(moe);
  CHECK(across);
}

}  // namespace podsim::sim
