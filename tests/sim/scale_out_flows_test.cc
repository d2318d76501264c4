// A job's steady cross-domain traffic as flows on the collapsed fabric
// (sim/scale_out_fabric.h, ModelStepOracle::flows), on 2 x HGX H100 (16 GPUs, 2 scale-up
// domains of 8) on a rail-optimised 2-tier fat tree of radix 64: 8 rail leaves, each
// holding the NIC of GPU k of both servers, under the collapsed spines.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "scheduler/cluster_run.h"
#include "sim/cluster_run.h"
#include "sim/inventory_from_cluster.h"
#include "sim/scale_out_fabric.h"
#include "sim/step_oracle.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "topologies/params.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::sim {
namespace {

topologies::ClusterParams two_hgx() {
  return {.pools = {{.preset = "hgx-h100", .count = 2, .system = *topologies::preset("hgx-h100")}},
          .fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 64},
          .detailed_view = false};
}

// Llama 3 8B, pure data parallel over all 16 GPUs: ranks in device order.
workloads::TrainingJob dp16() {
  workloads::TrainingJob job{.name = "dp16", .model = *workloads::model_preset("llama3-8b")};
  job.plan = {.dp = 16, .global_batch = 16};
  job.devices = 16;
  return job;
}

}  // namespace

TEST_CASE("the shared fabric: trunks only, leaves behind the NICs, routes between leaves") {
  const topologies::Cluster c = topologies::build_cluster(two_hgx());
  const ScaleOutFabric f(c);
  REQUIRE(!f.links().empty());
  // Rail-optimised: GPU k of both servers on one leaf, GPUs of one server on 8 leaves.
  REQUIRE(f.leaf(0).has_value());
  CHECK(*f.leaf(0) == *f.leaf(8));
  CHECK(*f.leaf(7) == *f.leaf(15));
  CHECK(*f.leaf(0) != *f.leaf(7));
  // Leaf 7 -> spines -> leaf 0: two trunks (up, then down), both 32 x 400 Gb/s = 1.6 TB/s
  // (radix 64 at 1:1: 32 ports down, 32 up); the first is leaf 7's uplink.
  const std::vector<uint32_t>& r = f.route(*f.leaf(7), *f.leaf(0));
  REQUIRE(r.size() == 2);
  CHECK(f.links()[r[0]].bytes_per_s == doctest::Approx(32 * 400e9 / 8));
  CHECK(f.links()[r[0]].uplink_of == f.leaf(7));
  CHECK_FALSE(f.links()[r[1]].uplink_of.has_value());
  // The inventory's links are these, each leaf's uplinks tagged with its leaf group.
  const scheduler::Inventory inv = inventory_from_cluster(c, two_hgx());
  REQUIRE(inv.links().size() == f.links().size());
  CHECK(inv.links()[r[0]].uplink_of == inv.devices()[7].leaf);
  CHECK(inv.leaves()[0].uplink_bytes_per_s == doctest::Approx(8 * 32 * 400e9 / 8));
}

TEST_CASE("routes through the one spine vertex above each leaf are the view's shortest paths") {
  // 3 tiers: leaves under pod spines under cores. Every leaf pair, both ways, against the
  // trunks of the view's own route.
  topologies::ClusterParams params = two_hgx();
  params.pools[0].count = 32;
  params.fat_tree = topologies::FatTreeParams{.tiers = 3, .radix = 16};
  const topologies::Cluster c = topologies::build_cluster(params);
  const ScaleOutFabric f(c);
  const topologies::View& view = c.collapsed();
  std::vector<topologies::VertexId> leaves;
  for (uint32_t d = 0; d < c.devices().size(); ++d) leaves.push_back(*f.leaf(d));
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  REQUIRE(leaves.size() > 8);
  size_t three_hop = 0;
  for (topologies::VertexId a : leaves)
    for (topologies::VertexId b : leaves) {
      if (a == b) continue;
      std::vector<uint32_t> expected;
      for (topologies::LinkId id : view.route_between(a, b))
        if (view.link(id).tier == topologies::LinkTier::kScaleOutTrunk) {
          // The shared index of a trunk is its rank among trunks in LinkId order.
          uint32_t k = 0;
          for (topologies::LinkId j = 0; j < id; ++j) k += view.link(j).tier == topologies::LinkTier::kScaleOutTrunk;
          expected.push_back(k);
        }
      CAPTURE(a);
      CAPTURE(b);
      CHECK(f.route(a, b) == expected);
      three_hop += expected.size() == 4;
    }
  CHECK(three_hop > 0);  // some pairs cross the cores
}

TEST_CASE("DP 16 over two servers: the two crossing ring hops share one leaf pair, one flow") {
  const topologies::ClusterParams params = two_hgx();
  const topologies::Cluster c = topologies::build_cluster(params);
  const scheduler::Inventory inv = inventory_from_cluster(c, params);
  const std::vector<workloads::TrainingJob> models{dp16()};
  ModelStepOracle oracle(inv, c, models, {{models[0].plan}}, nullptr);
  const scheduler::JobRequest job{.name = "dp16", .devices = 16, .workload = 1};
  const scheduler::PlacementShape shape{.pool = 0, .devices = 16, .domains = 2, .nodes = 2, .leaves = 1};
  const scheduler::StepEstimate est = oracle.estimate(job, shape);
  REQUIRE(est.scale_out_exposed_fraction > 0);
  std::vector<uint32_t> devices(16);
  for (uint32_t d = 0; d < 16; ++d) devices[d] = d;
  const std::vector<scheduler::ScaleOutFlow> flows = oracle.flows(job, est, devices, inv);
  // Ring 0 -> 1 -> ... -> 15 -> 0 crosses at 7 -> 8 and 15 -> 0: GPU 7's rail leaf to
  // GPU 0's both times, one flow carrying both hops: 2 x 2 x 15/16 x S per step, S the
  // gradient all-reduce buffer per rank.
  double s = 0;
  const workloads::TrainingJob j = dp16();
  for (const workloads::StageWork& w : workloads::plan_work(j.model, j.plan))
    for (const workloads::CommTotal& t : workloads::comm_per_step(w, j.plan)) {
      if (t.group != workloads::CommGroup::kDp) continue;
      REQUIRE(t.kind == workloads::CommKind::kDpGradAllReduce);
      s += t.bytes.value();
    }
  REQUIRE(flows.size() == 1);
  CHECK(flows[0].route.size() == 2);
  CHECK(flows[0].bytes_per_s == doctest::Approx(2 * 2 * 15.0 / 16 * s / est.step_seconds));
  // Inside one server: no flow.
  const std::vector<uint32_t> one(devices.begin(), devices.begin() + 8);
  CHECK(oracle.flows(scheduler::JobRequest{.name = "x", .devices = 8, .workload = 1}, est, one, inv).empty());
}

TEST_CASE("a job alone on the fabric steps as the comparison study's step on the same placement") {
  // The study simulates the job on the first devices (sim/study.h): here 0..15, which is
  // where the run places it. Alone, its flows get what they ask: no slowdown.
  const topologies::ClusterParams params = two_hgx();
  const topologies::Cluster c = topologies::build_cluster(params);
  const scheduler::Inventory inv = inventory_from_cluster(c, params);
  SchedulerJobs jobs;
  jobs.models = {dp16()};
  jobs.jobs = {{.name = "dp16", .devices = 16, .steps = 50, .workload = 1}};
  const ClusterRunOutput out = run_cluster(c, inv, jobs, {{jobs.models[0].plan}}, {});
  std::vector<engine::DeviceId> placement;
  for (uint32_t d = 0; d < 16; ++d) placement.push_back(engine::DeviceId{d});
  const topologies::EngineFabric fabric(c);
  const workloads::StepResult step = workloads::simulate_step(
      jobs.models[0], placement, *c.devices().front().spec, fabric, {.watts_per_device = c.devices().front().spec->tdp_watts});
  REQUIRE(out.result.jobs.size() == 1);
  REQUIRE(out.result.jobs[0].jct_s.has_value());
  CHECK(*out.result.jobs[0].jct_s == doctest::Approx(50 * step.step_s).epsilon(1e-6));
}

}  // namespace podsim::sim

namespace podsim::sim {

TEST_CASE("two DP jobs behind one oversubscribed rail leaf each get half of its uplink") {
  // 4 x HGX H100 on one leaf group of 8 rail leaves, radix 16 at 15:1 (15 NIC ports, one
  // 400 Gb/s uplink per leaf: C = 50 GB/s). Jobs a (servers 0-1) and b (servers 2-3) are
  // DP 16: each one flow, rail leaf 7 -> rail leaf 0 (test above), demand d. Alone each
  // gets a = min(d, C); together they share leaf 7's uplink: min(a, C / 2) each, so
  // s = a / min(a, C / 2) and the step is step x (1 - x + x s), x its exposed fraction.
  topologies::ClusterParams params = two_hgx();
  params.pools[0].count = 4;
  params.fat_tree->radix = 16;
  params.fat_tree->oversubscription = 15;
  const topologies::Cluster c = topologies::build_cluster(params);
  const scheduler::Inventory inv = inventory_from_cluster(c, params);
  SchedulerJobs jobs;
  jobs.models = {dp16()};
  jobs.jobs = {{.name = "a", .devices = 16, .steps = 100, .workload = 1},
               {.name = "b", .devices = 16, .steps = 100, .workload = 1}};
  const ClusterRunOutput both = run_cluster(c, inv, jobs, {{jobs.models[0].plan}}, {});

  ModelStepOracle oracle(inv, c, jobs.models, {{jobs.models[0].plan}}, nullptr);
  const scheduler::StepEstimate est =
      oracle.estimate(jobs.jobs[0], {.pool = 0, .devices = 16, .domains = 2, .nodes = 2, .leaves = 1});
  std::vector<uint32_t> devices(16);
  for (uint32_t d = 0; d < 16; ++d) devices[d] = d;
  const std::vector<scheduler::ScaleOutFlow> flows = oracle.flows(jobs.jobs[0], est, devices, inv);
  REQUIRE(flows.size() == 1);
  double cap = flows[0].bytes_per_s;
  for (uint32_t l : flows[0].route) cap = std::min(cap, inv.links()[l].bytes_per_s);
  const double C = inv.links()[flows[0].route[0]].bytes_per_s;
  CHECK(C == doctest::Approx(400e9 / 8));
  const double a = std::min(flows[0].bytes_per_s, cap);
  REQUIRE(2 * a > C);  // both exceed half of it: contention
  const double s = a / std::min(a, C / 2);
  const double x = est.scale_out_exposed_fraction;
  REQUIRE(x > 0);
  for (const auto& j : both.result.jobs) {
    CAPTURE(j.name);
    REQUIRE(j.jct_s.has_value());
    CHECK(*j.jct_s == doctest::Approx(100 * est.step_seconds * (1 - x + x * s)).epsilon(1e-6));
  }
}

}  // namespace podsim::sim
