// Planner: it returns only plans that fit, the fastest first, refuses a precision the
// device lacks, and explains its choice. A small GPT on an 8-GPU crossbar keeps the
// search to a few dozen candidates.
#include "workloads/planner.h"

#include <doctest/doctest.h>

#include "engine/error.h"
#include "tests/engine/network/test_fabrics.h"
#include "tests/workloads/small_gpt.h"

namespace podsim::workloads {
namespace {

using engine::Bandwidth;
using engine::Bytes;
using engine::FlopRate;
using engine::SimTime;

engine::DeviceSpec device_with(Bytes hbm, bool fp8) {
  return {.name = "test",
          .peak_bf16 = FlopRate::tera(1000),
          .peak_fp16 = FlopRate::tera(1000),
          .peak_fp8 = fp8 ? std::optional(FlopRate::tera(2000)) : std::nullopt,
          .peak_int8 = std::nullopt,
          .hbm_capacity = hbm,
          .hbm_bandwidth = Bandwidth::gbytes_per_s(2000),
          .tdp_watts = 500};
}

using testing::small_gpt;  // tests/workloads/small_gpt.h

// 8 devices on one switch at 450 GB/s/dir (an HGX H100 domain, hw §1.3).
engine::testing::Crossbar hgx() { return {8, Bandwidth::gbytes_per_s(450), SimTime::nanos(350)}; }

PlanSearch search_of(int devices, int global_batch) {
  return {.devices = devices, .global_batch = global_batch, .scale_up_domain = 8, .top = 100};
}

TEST_CASE("plan_search: every returned plan fits, and the first is the fastest") {
  const auto fabric = hgx();
  const PlanReport r = plan_search(small_gpt(), search_of(8, 32), device_with(Bytes::giga(80), true), fabric);
  REQUIRE_FALSE(r.best.empty());
  CHECK(r.fitting == r.best.size());  // top = 100 keeps every timed plan
  CHECK(r.considered >= r.valid);
  CHECK(r.valid >= r.fitting);
  for (const PlannedStep& s : r.best) {
    CHECK(s.plan.devices() == 8);
    CHECK(s.memory.total() <= Bytes::giga(80));
    CHECK(r.best.front().result.step_s <= s.result.step_s);
  }
}

TEST_CASE("plan_search: the explanation names the winner and its runner-up") {
  const auto fabric = hgx();
  const PlanReport r = plan_search(small_gpt(), search_of(8, 32), device_with(Bytes::giga(80), true), fabric);
  REQUIRE(r.best.size() > 1);
  CHECK(r.explanation.find(describe(r.best.front().plan)) != std::string::npos);
  CHECK(r.explanation.find("runner-up") != std::string::npos);
  // The runner-up is named once, even when it is also the best plan of another shape.
  const std::string runner_up = describe(r.best[1].plan);
  const size_t first = r.explanation.find(runner_up);
  CHECK(r.explanation.find(runner_up, first + runner_up.size()) == std::string::npos);
}

TEST_CASE("plan_search: a model that fits nowhere is an error naming the smallest need") {
  const auto fabric = hgx();
  // 1 GB devices cannot hold even 1/8 of ~0.8 B parameters x 16 bytes with activations.
  CHECK_THROWS_WITH_AS(plan_search(small_gpt(), search_of(8, 32), device_with(Bytes::giga(1), true), fabric),
                       doctest::Contains("fits in memory"), UserError);
}

TEST_CASE("plan_search: FP8 on a device without FP8 units (Ascend 910B) is rejected") {
  const auto fabric = hgx();
  PlanSearch q = search_of(8, 32);
  q.precision = engine::Precision::kFP8;
  CHECK_THROWS_WITH_AS(plan_search(small_gpt(), q, device_with(Bytes::giga(64), false), fabric),
                       doctest::Contains("no FP8 units"), UserError);
  // The same search in BF16 succeeds.
  q.precision = engine::Precision::kBF16;
  CHECK_FALSE(plan_search(small_gpt(), q, device_with(Bytes::giga(64), false), fabric).best.empty());
}

TEST_CASE("plan_search: more devices than the fabric has is an error") {
  const auto fabric = hgx();
  CHECK_THROWS_AS(plan_search(small_gpt(), search_of(16, 32), device_with(Bytes::giga(80), true), fabric), UserError);
}

TEST_CASE("plan_search: a batch split too thin over too many devices gets a note, a good split none") {
  // One sample per step on 8 devices joined at 1 GB/s/dir: DP is 1, so the 8 devices can
  // only be TP and PP; with one micro-batch the pipeline runs its stages one after the
  // other (bubble (p-1)/p of the step) and every TP or PP hop is slow. Half the devices do
  // the same work with fewer hops: no slower, and the report says so.
  const engine::testing::Crossbar slow{8, Bandwidth::gbytes_per_s(1), SimTime::nanos(350)};
  const PlanReport thin = plan_search(small_gpt(), search_of(8, 1), device_with(Bytes::giga(80), true), slow);
  INFO(thin.explanation);
  REQUIRE_FALSE(thin.note.empty());
  CHECK((thin.note.starts_with("Note: 8 devices are no faster than 4 for this batch") ||
         thin.note.starts_with("Note: 8 devices are only ")));
  CHECK(thin.note.find("The global batch of 1 samples gives each of the DP1 replicas 1 micro-batch of 1") !=
        std::string::npos);
  CHECK(thin.explanation.ends_with(thin.note));
  const PlanReport half = plan_search(small_gpt(), search_of(4, 1), device_with(Bytes::giga(80), true), slow);
  CHECK(half.best.front().result.step_s < 1.1 * thin.best.front().result.step_s);
  // 32 samples on the fast crossbar: compute-bound, no note.
  const auto fast = hgx();
  CHECK(plan_search(small_gpt(), search_of(8, 32), device_with(Bytes::giga(80), true), fast).note.empty());
}

TEST_CASE("plan_search: DualPipe is tried only when the user's plan runs it") {
  const engine::testing::Crossbar fabric = hgx();
  PlanSearch q = search_of(8, 32);
  auto dualpipe_plans = [&](const PlanSearch& s) {
    size_t n = 0;
    const PlanReport r = plan_search(small_gpt(), s, device_with(Bytes::giga(80), true), fabric);
    for (const PlannedStep& p : r.best) n += p.plan.schedule == PipelineSchedule::kDualPipe ? 1 : 0;
    return std::pair{n, r.considered};
  };
  const auto [none, considered] = dualpipe_plans(q);
  CHECK(none == 0);
  q.keep_framework_of(Plan{.pp = 2, .schedule = PipelineSchedule::kDualPipe});
  CHECK(q.allow_dualpipe);
  const auto [some, more] = dualpipe_plans(q);
  CHECK(some > 0);
  CHECK(more > considered);
}

}  // namespace
}  // namespace podsim::workloads
