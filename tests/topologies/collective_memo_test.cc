// The collective memo (engine/network/collective_memo.h) remembers pure answers: every
// time and every tuner choice it gives is the plain call's, bit for bit, on the presets
// the planner searches (NCCL on NVL72 racks across a fat tree, HCCL on CloudMatrix384),
// whether asked once, again, or from several threads; and keys tell apart collectives
// that differ in one field only.
#include <doctest/doctest.h>

#include <cmath>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/check.h"
#include "engine/network/collective_memo.h"
#include "engine/network/collectives.h"
#include "engine/network/comm_tuner.h"
#include "engine/network/moe_exchange.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "topologies/params.h"

using namespace podsim;
using engine::Bytes;
using engine::Collective;
using engine::CollectiveOp;
using engine::DeviceId;

namespace {

topologies::Cluster racks(const char* preset, int count) {
  topologies::ClusterParams p{.pools = {{.preset = preset, .count = count, .system = *topologies::preset(preset)}},
                              .fat_tree = topologies::FatTreeParams{.tiers = 2, .radix = 64, .rail_optimized = false},
                              .detailed_view = false};
  return topologies::build_cluster(p);
}

// Groups as the step model forms them on two domains of `domain` devices: consecutive
// ranks (TP, EP), one per domain and strided (DP), four ranks in each domain, two in each.
std::vector<std::vector<DeviceId>> groups(size_t domain, size_t devices) {
  auto span = [](size_t n, size_t stride, size_t from) {
    std::vector<DeviceId> g;
    for (size_t i = 0; i < n; ++i) g.push_back(DeviceId{static_cast<uint32_t>(from + i * stride)});
    return g;
  };
  return {span(2, 1, 0), span(8, 1, 8), span(devices / domain, domain, 3), span(16, devices / 16, 0),
          span(8, 1, domain - 4), span(4, domain / 2, 0)};
}

void check_same(const Collective& a, const Collective& b) {
  CHECK(a.algorithm == b.algorithm);
  CHECK(a.protocol == b.protocol);
  CHECK(a.group == b.group);
  CHECK(a.cost.base == b.cost.base);
  CHECK(a.cost.step_intra == b.cost.step_intra);
  CHECK(a.cost.step_inter == b.cost.step_inter);
  CHECK(a.cost.endpoint == b.cost.endpoint);
  CHECK(a.cost.intra_factor == b.cost.intra_factor);
  CHECK(a.cost.inter_factor == b.cost.inter_factor);
  CHECK(a.cost.pipeline_chunk.value() == b.cost.pipeline_chunk.value());
  CHECK(a.cost.channels == b.cost.channels);
}

}  // namespace

TEST_CASE("the collective memo gives tune's choices and collective_time's times, bit for bit") {
  for (const auto& [preset, count, domain] : {std::tuple{"nvl72", 2, size_t{72}}, {"cloudmatrix384", 2, size_t{384}}}) {
    CAPTURE(preset);
    const topologies::Cluster cluster = racks(preset, count);
    const topologies::EngineFabric fabric(cluster);
    const engine::NetworkOptions options;
    engine::CollectiveMemo memo(fabric, options);
    size_t asked = 0;
    for (int pass = 0; pass < 2; ++pass) {  // the second pass is answered from the memo
      for (const std::vector<DeviceId>& g : groups(domain, cluster.devices().size())) {
        for (CollectiveOp op : {CollectiveOp::kAllReduce, CollectiveOp::kAllGather, CollectiveOp::kReduceScatter,
                                CollectiveOp::kAllToAll}) {
          for (double bytes : {0.0, 4e3, 1e6, 64e6, 1e9}) {
            CAPTURE(g.size());
            CAPTURE(bytes);
            const Collective plain = engine::tune(fabric, op, g, Bytes(bytes), options);
            const Collective remembered = engine::tuned(fabric, op, g, Bytes(bytes), options, &memo);
            check_same(plain, remembered);
            // Candidates costed through the memo choose as the plain tuner does.
            check_same(plain, engine::tune(fabric, op, g, Bytes(bytes), options, &memo));
            CHECK(engine::collective_time(fabric, remembered, options, &memo) ==
                  engine::collective_time(fabric, plain, options));
            if (pass == 0) ++asked;
          }
        }
      }
      CHECK(memo.choices_remembered() == asked);
    }
    // MoE exchanges tuned through the memo carry the same fixed cost.
    const std::vector<DeviceId> ep = groups(domain, cluster.devices().size())[1];
    for (auto kind : {engine::MoeExchange::kDispatch, engine::MoeExchange::kCombine}) {
      const Collective plain = engine::moe_exchange(fabric, kind, ep, Bytes(7e6), options);
      check_same(plain, engine::moe_exchange(fabric, kind, ep, Bytes(7e6), options, &memo));
    }
  }
}

TEST_CASE("the collective memo's keys are exact: one field apart is another collective") {
  const topologies::Cluster cluster = racks("nvl72", 2);
  const topologies::EngineFabric fabric(cluster);
  const engine::NetworkOptions options;
  engine::CollectiveMemo memo(fabric, options);
  std::vector<DeviceId> g;
  for (uint32_t i = 0; i < 144; i += 9) g.push_back(DeviceId{i});  // 16 ranks, 8 per rack
  const Collective base = engine::tune(fabric, CollectiveOp::kAllReduce, g, Bytes(256e6), options);
  std::vector<Collective> variants(9, base);
  variants[1].bytes = Bytes(std::nextafter(256e6, 1e9));  // one ulp more
  variants[2].cost.channels = base.cost.channels == 1 ? 2 : 1;
  variants[3].cost.intra_factor = std::nextafter(base.cost.intra_factor, 0.0);
  variants[4].cost.inter_factor = std::nextafter(base.cost.inter_factor, 0.0);
  variants[5].cost.step_inter = base.cost.step_inter + engine::SimTime::nanos(1);
  variants[6].algorithm = engine::Algorithm::kRing;
  variants[6].cost.channels = 1;
  variants[7].group = {g.rbegin(), g.rend()};  // other ring order
  variants[8].cost.base = base.cost.base + engine::SimTime::micros(5);
  for (size_t i = 0; i < variants.size(); ++i) {
    CAPTURE(i);
    CHECK(memo.time(variants[i]) == engine::collective_time(fabric, variants[i], options));
  }
  // Distinct keys unless a variant happens to equal the base (the ring when base is one).
  size_t distinct = 0;
  for (size_t i = 0; i < variants.size(); ++i) {
    bool seen = false;
    for (size_t j = 0; j < i; ++j)
      seen |= variants[j].algorithm == variants[i].algorithm && variants[j].cost.channels == variants[i].cost.channels &&
              variants[j].group == variants[i].group && variants[j].bytes.value() == variants[i].bytes.value() &&
              variants[j].cost.intra_factor == variants[i].cost.intra_factor &&
              variants[j].cost.inter_factor == variants[i].cost.inter_factor &&
              variants[j].cost.step_inter == variants[i].cost.step_inter && variants[j].cost.base == variants[i].cost.base;
    distinct += seen ? 0 : 1;
  }
  CHECK(memo.times_remembered() == distinct);
  CHECK(distinct >= 8);
}

TEST_CASE("a collective memo answers only for its fabric and network options") {
  const topologies::Cluster cluster = racks("nvl72", 2);
  const topologies::EngineFabric fabric(cluster), other(cluster);
  const engine::NetworkOptions options;
  engine::CollectiveMemo memo(fabric, options);
  const std::vector<DeviceId> g = {DeviceId{0}, DeviceId{1}};
  const Collective c = engine::tune(fabric, CollectiveOp::kAllReduce, g, Bytes(1e6), options);
  CHECK(memo.serves(fabric, options));
  CHECK_FALSE(memo.serves(other, options));
  CHECK_FALSE(memo.serves(fabric, engine::NetworkOptions{.link_efficiency = 0.9}));
  CHECK_THROWS_AS(engine::collective_time(other, c, options, &memo), InternalError);
  CHECK_THROWS_AS(engine::collective_time(fabric, c, engine::NetworkOptions{.link_efficiency = 0.9}, &memo),
                  InternalError);
  // Bad input throws as the plain call does, and nothing is remembered.
  Collective bad = c;
  bad.group = {DeviceId{0}, DeviceId{0}};
  CHECK_THROWS_AS(memo.time(bad), std::invalid_argument);
  CHECK(memo.times_remembered() == 0);
}

TEST_CASE("the collective memo from four threads at once gives the plain answers") {
  const topologies::Cluster cluster = racks("nvl72", 2);
  const topologies::EngineFabric fabric(cluster);
  const engine::NetworkOptions options;
  engine::CollectiveMemo memo(fabric, options);
  const std::vector<std::vector<DeviceId>> gs = groups(72, cluster.devices().size());
  std::vector<std::vector<Collective>> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (const auto& g : gs)
        for (double bytes : {1e3, 2e6, 300e6}) got[t].push_back(memo.tuned(CollectiveOp::kAllReduce, g, Bytes(bytes)));
    });
  for (std::thread& t : threads) t.join();
  size_t k = 0;
  for (const auto& g : gs)
    for (double bytes : {1e3, 2e6, 300e6}) {
      const Collective plain = engine::tune(fabric, CollectiveOp::kAllReduce, g, Bytes(bytes), options);
      for (size_t t = 0; t < 4; ++t) check_same(plain, got[t][k]);
      CHECK(memo.time(got[0][k]) == engine::collective_time(fabric, plain, options));
      ++k;
    }
  CHECK(memo.choices_remembered() == k);
}
