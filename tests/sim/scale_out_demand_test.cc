// The scale-out demand model (sim/scale_out_demand.h), by hand on two scale-up domains
// of four devices (TwoTier: devices 0-3 in domain 0, 4-7 in domain 1), ranks placed in
// order (rank r on device r).
#include "sim/scale_out_demand.h"

#include <doctest/doctest.h>

#include <map>
#include <numeric>
#include <utility>
#include <vector>

#include "../engine/network/test_fabrics.h"
#include "workloads/presets.h"

namespace podsim::sim {
namespace {

using engine::Bandwidth;
using engine::Bytes;
using engine::DeviceId;
using engine::SimTime;
using workloads::CommGroup;
using workloads::CommKind;
using workloads::CommTotal;

engine::testing::TwoTier two_domains() {
  return engine::testing::TwoTier(2, 4, Bandwidth::gbytes_per_s(900), SimTime::micros(1),
                                  Bandwidth::gbytes_per_s(50), SimTime::micros(5));
}

std::vector<DeviceId> in_order(size_t n) {
  std::vector<DeviceId> out;
  for (uint32_t i = 0; i < n; ++i) out.push_back(DeviceId{i});
  return out;
}


TEST_CASE("a job's demand: every device's crossing bytes, TP traffic excluded") {
  const auto fabric = two_domains();
  workloads::TrainingJob job{.name = "dense", .model = *workloads::model_preset("llama3-8b")};
  job.plan = {.tp = 2, .dp = 4, .global_batch = 8};
  job.devices = 8;
  // TP 2 x DP 4: TP pairs (0,1) (2,3) (4,5) (6,7) stay in a domain; the DP rings are
  // ranks 0, 2, 4, 6 and 1, 3, 5, 7: hops 2 -> 4, 6 -> 0, 3 -> 5, 7 -> 1 cross, each
  // carrying 2 x 3/4 S of the all-reduce: 4 x 1.5 S = 6 S. S is the step's DP gradient
  // bytes per device.
  const std::vector<workloads::StageWork> work = workloads::plan_work(job.model, job.plan);
  double dp_bytes = 0, tp_bytes = 0;
  for (const CommTotal& c : workloads::comm_per_step(work[0], job.plan)) {
    if (c.group == CommGroup::kDp) dp_bytes += c.bytes.value();
    if (c.group == CommGroup::kTp) tp_bytes += c.bytes.value();
  }
  REQUIRE(dp_bytes > 0);
  REQUIRE(tp_bytes > 0);  // present, and not counted
  CHECK(cross_domain_bytes_per_step(job, in_order(8), fabric) == doctest::Approx(6 * dp_bytes));
  // All 8 devices in one domain: nothing crosses.
  const engine::testing::TwoTier one(1, 8, Bandwidth::gbytes_per_s(900), SimTime::micros(1),
                                     Bandwidth::gbytes_per_s(50), SimTime::micros(5));
  CHECK(cross_domain_bytes_per_step(job, in_order(8), one) == 0);
}

}  // namespace

// Every crossing pair, summed per (src, dst) device.
std::map<std::pair<uint32_t, uint32_t>, double> crossings(const workloads::Plan& p,
                                                          const std::vector<std::vector<CommTotal>>& comms,
                                                          const engine::Fabric& fabric) {
  std::map<std::pair<uint32_t, uint32_t>, double> out;
  for_each_crossing(p, comms, in_order(static_cast<size_t>(p.devices())), fabric,
                    [&](DeviceId a, DeviceId b, double bytes) { out[{engine::index(a), engine::index(b)}] += bytes; });
  return out;
}

CommTotal sized(CommKind kind, CommGroup group, double bytes) {
  return {.kind = kind, .group = group, .group_size = 1, .bytes = Bytes(bytes)};
}

TEST_CASE("rank pairs: every ring hop, all-to-all pair and pipeline send between two domains, by hand") {
  const auto fabric = two_domains();
  SUBCASE("DP all-reduce over 8 in order: hops 3 -> 4 and 7 -> 0, 2 x 7/8 x 8 B = 14 B each") {
    const auto c = crossings({.dp = 8}, {{sized(CommKind::kDpGradAllReduce, CommGroup::kDp, 8)}}, fabric);
    CHECK(c == std::map<std::pair<uint32_t, uint32_t>, double>{{{3, 4}, 14.0}, {{7, 0}, 14.0}});
  }
  SUBCASE("reduce-scatter: (n - 1) / n S per hop, 7 B; inside one domain nothing") {
    const auto c = crossings({.dp = 8}, {{sized(CommKind::kDpGradReduceScatter, CommGroup::kDp, 8)}}, fabric);
    CHECK(c == std::map<std::pair<uint32_t, uint32_t>, double>{{{3, 4}, 7.0}, {{7, 0}, 7.0}});
    CHECK(crossings({.dp = 4}, {{sized(CommKind::kDpGradAllReduce, CommGroup::kDp, 8)}}, fabric).empty());
  }
  SUBCASE("TP 2 x DP 4: every DP group, not only the first TP rank's") {
    // Groups {0, 2, 4, 6} and {1, 3, 5, 7}: hops 2 -> 4, 6 -> 0, 3 -> 5, 7 -> 1, each
    // 2 x 3/4 x 8 B = 12 B. TP comms never visited.
    const auto c = crossings({.tp = 2, .dp = 4},
                             {{sized(CommKind::kDpGradAllReduce, CommGroup::kDp, 8),
                               sized(CommKind::kTpAllReduce, CommGroup::kTp, 1000)}},
                             fabric);
    CHECK(c == std::map<std::pair<uint32_t, uint32_t>, double>{
                   {{2, 4}, 12.0}, {{6, 0}, 12.0}, {{3, 5}, 12.0}, {{7, 1}, 12.0}});
  }
  SUBCASE("EP 8 all-to-all of 8 B: 1 B from each rank to each peer, 4 x 4 pairs each way") {
    const auto c = crossings({.dp = 8, .ep = 8}, {{sized(CommKind::kEpDispatch, CommGroup::kEp, 8)}}, fabric);
    CHECK(c.size() == 32);
    for (const auto& [pair, bytes] : c) CHECK(bytes == 1.0);
    CHECK(c.count({0, 4}) == 1);
    CHECK(c.count({0, 1}) == 0);
  }
  SUBCASE("PP 2 x DP 4: each rank of stage 0 sends to its stage-1 peer, and back") {
    const std::vector<std::vector<CommTotal>> comms{{sized(CommKind::kPpActivation, CommGroup::kPp, 5)},
                                                    {sized(CommKind::kPpActivation, CommGroup::kPp, 5)}};
    const auto c = crossings({.pp = 2, .dp = 4}, comms, fabric);
    CHECK(c.size() == 8);
    CHECK(c.at({0, 4}) == 5.0);
    CHECK(c.at({7, 3}) == 5.0);
    // PP 2 x DP 2 on devices 0-3: both stages in domain 0, nothing crosses.
    CHECK(crossings({.pp = 2, .dp = 2}, comms, fabric).empty());
  }
}

}  // namespace podsim::sim
