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

CommTotal comm(CommKind kind, CommGroup group) { return {.kind = kind, .group = group, .group_size = 1, .bytes = Bytes(1)}; }

TEST_CASE("ring collectives: the share of ring hops that join two domains") {
  const auto fabric = two_domains();
  const std::vector<DeviceId> placement = in_order(8);
  const workloads::Plan p{.dp = 8};
  // DP ring 0 -> 1 -> ... -> 7 -> 0: hops 3 -> 4 and 7 -> 0 cross, 2 of 8.
  // All-reduce: each rank sends 2 (n - 1) / n S = 1.75 S; crossing share 1.75 x 2/8 = 0.4375.
  CHECK(crossing_share(p, comm(CommKind::kDpGradAllReduce, CommGroup::kDp), 0, placement, fabric) ==
        doctest::Approx(0.4375));
  // Reduce-scatter: (n - 1) / n S = 0.875 S per rank; 0.875 x 2/8 = 0.21875.
  CHECK(crossing_share(p, comm(CommKind::kDpGradReduceScatter, CommGroup::kDp), 0, placement, fabric) ==
        doctest::Approx(0.21875));
  // The same ring inside one domain (4 ranks on devices 0-3) never crosses.
  const workloads::Plan small{.dp = 4};
  CHECK(crossing_share(small, comm(CommKind::kDpGradAllReduce, CommGroup::kDp), 0, in_order(4), fabric) == 0);
}

TEST_CASE("all-to-all: the share sent to peers in other domains") {
  const auto fabric = two_domains();
  // EP 8: rank 0 sends (n - 1) / n S = 7/8 S spread over 7 peers, 4 of them (devices 4-7)
  // in the other domain: 7/8 x 4/7 = 0.5.
  const workloads::Plan p{.dp = 8, .ep = 8};
  CHECK(crossing_share(p, comm(CommKind::kEpDispatch, CommGroup::kEp), 0, in_order(8), fabric) == doctest::Approx(0.5));
  CHECK(crossing_share(p, comm(CommKind::kEpCombine, CommGroup::kEp), 0, in_order(8), fabric) == doctest::Approx(0.5));
}

TEST_CASE("pipeline sends cross iff the neighbouring stage is in another domain") {
  const auto fabric = two_domains();
  // PP 2 x DP 4 on 8 devices: stage 1 starts at rank 4 (device 4, domain 1): crosses.
  const workloads::Plan across{.pp = 2, .dp = 4};
  CHECK(crossing_share(across, comm(CommKind::kPpActivation, CommGroup::kPp), 0, in_order(8), fabric) == 1);
  // The last stage sends to the previous one: the same pair.
  CHECK(crossing_share(across, comm(CommKind::kPpActivation, CommGroup::kPp), 1, in_order(8), fabric) == 1);
  // PP 2 x DP 2 on devices 0-3: stage 1 at rank 2, device 2, domain 0: stays.
  const workloads::Plan inside{.pp = 2, .dp = 2};
  CHECK(crossing_share(inside, comm(CommKind::kPpActivation, CommGroup::kPp), 0, in_order(4), fabric) == 0);
  // No pipeline: nothing to send.
  CHECK(crossing_share(workloads::Plan{.dp = 8}, comm(CommKind::kPpActivation, CommGroup::kPp), 0, in_order(8),
                       fabric) == 0);
}

TEST_CASE("a job's demand: every device's crossing bytes, TP traffic excluded") {
  const auto fabric = two_domains();
  workloads::TrainingJob job{.name = "dense", .model = *workloads::model_preset("llama3-8b")};
  job.plan = {.tp = 2, .dp = 4, .global_batch = 8};
  job.devices = 8;
  // TP 2 x DP 4: TP pairs (0,1) (2,3) (4,5) (6,7) stay in a domain; the DP ring of stage
  // 0's first TP rank is ranks 0, 2, 4, 6 (devices 0, 2, 4, 6): hops 2 -> 4 and 6 -> 0
  // cross, 2 of 4. All-reduce of S over 4: 2 x 3/4 S x 2/4 = 0.75 S per device, 8
  // devices: 6 S. S is the step's DP gradient bytes per device.
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
  }
}

TEST_CASE("rank pairs sum to the job's demand when every group of a stage crosses alike") {
  const auto fabric = two_domains();
  workloads::TrainingJob job{.name = "dense", .model = *workloads::model_preset("llama3-8b")};
  job.plan = {.tp = 2, .dp = 4, .global_batch = 8};
  job.devices = 8;
  std::vector<std::vector<CommTotal>> comms;
  for (const workloads::StageWork& w : workloads::plan_work(job.model, job.plan))
    comms.push_back(workloads::comm_per_step(w, job.plan));
  double total = 0;
  for (const auto& [pair, bytes] : crossings(job.plan, comms, fabric)) total += bytes;
  CHECK(total == doctest::Approx(cross_domain_bytes_per_step(job, in_order(8), fabric)));
}

}  // namespace podsim::sim
