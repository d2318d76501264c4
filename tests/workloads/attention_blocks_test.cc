// Attention by block length under ring context parallelism (workloads/attention_blocks.h):
// the factor against a hand calculation from the published cuDNN GB200 figures
// (efficiency.cc: NVIDIA cudnn-frontend's llama3.1 GB200 table), the ops that carry the
// ring, and an attention op's time on GB200 with and without it.
#include <doctest/doctest.h>

#include "tests/workloads/op_lookup.h"
#include "workloads/accounting.h"
#include "workloads/attention_blocks.h"
#include "workloads/efficiency.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
using doctest::Approx;
using engine::Bytes;
using engine::DeviceSpec;

namespace {

// The GB200 table of efficiency.cc, as published (TFLOP/s).
const std::vector<AttentionLengthPoint> kGb200{{2048, 1097, 885, 1433, 1124},
                                               {4096, 1408, 1148, 1599, 1350},
                                               {8192, 1574, 1332, 1771, 1404},
                                               {16384, 1708, 1328, 1697, 1374},
                                               {32768, 1622, 1226, 1634, 1262}};

// GB200's peaks as the catalog has them (topologies/device_catalog.cc); the name picks
// the Blackwell efficiency set.
DeviceSpec gb200() {
  return {.name = "B200 (GB200)", .peak_bf16 = engine::FlopRate::tera(2500), .peak_fp16 = engine::FlopRate::tera(2500),
          .peak_fp8 = engine::FlopRate::tera(5000), .peak_int8 = engine::FlopRate::tera(5000), .hbm_capacity = Bytes::giga(186),
          .hbm_bandwidth = engine::Bandwidth::gbytes_per_s(8000)};
}

}  // namespace

TEST_CASE("training throughput by length: 3 / (1/fwd + 2/bwd), log-linear between points, held outside") {
  // 8k causal: 3 / (1/1574 + 2/1332) = 1403.96.
  CHECK(attention_rate_at(kGb200, 8192, true) == Approx(1403.96).epsilon(1e-5));
  // Unmasked at 4096 / sqrt 2 = 2896.3, halfway (in log2) between 2048 (3 / (1/1433 +
  // 2/1124) = 1211.04) and 4096 (3 / (1/1599 + 2/1350) = 1423.92): 1317.48.
  CHECK(attention_rate_at(kGb200, 4096 / std::sqrt(2.0), false) == Approx(1317.48).epsilon(1e-5));
  CHECK(attention_rate_at(kGb200, 1024, true) == attention_rate_at(kGb200, 2048, true));
  CHECK(attention_rate_at(kGb200, 131072, false) == attention_rate_at(kGb200, 32768, false));
  CHECK(attention_rate_at({}, 8192, true) == 0);
}

TEST_CASE("ring CP2 on an 8k causal sequence runs GB200's attention at 0.904 of the whole kernel") {
  // Step 0: causal 4096 block, 3 / (1/1408 + 2/1148) = 1223.30; step 1: unmasked 4096 x
  // 2048, read at 2896.3: 1317.48 (above). Equal FLOPs: r_ring = 1 / (0.5/1223.30 +
  // 0.5/1317.48) = 1268.64, against one causal 8k kernel's 1403.96: 0.9036.
  CHECK(ring_attention_factor(kGb200, 8192, 2, true) == Approx(0.9036).epsilon(1e-3));
  // Without a causal mask: two unmasked 4096 blocks against one 8192: 1423.92 / 1508.22.
  CHECK(ring_attention_factor(kGb200, 8192, 2, false) == Approx(1423.92 / 1508.22).epsilon(1e-4));
  CHECK(ring_attention_factor(kGb200, 8192, 1, true) == 1);
  CHECK(ring_attention_factor({}, 8192, 2, true) == 1);
  CHECK(ring_attention_factor(kGb200, 0, 2, true) == 1);
}

TEST_CASE("the Blackwell defaults carry the measured table, and a ring CP2 attention op runs 1/0.904 longer") {
  const DeviceSpec dev = gb200();
  const OpEfficiency eff = default_efficiency(dev);
  REQUIRE(eff.attention_by_length.size() == kGb200.size());
  CHECK(ring_attention_factor(eff.attention_by_length, 8192, 2, true) ==
        Approx(ring_attention_factor(kGb200, 8192, 2, true)));
  Op op{.name = "attn_scores", .kind = OpKind::kAttention, .flops = 1e12, .bytes = Bytes(1)};
  const double whole = op_seconds(op, engine::Precision::kFP8, dev, eff);
  CHECK(whole == Approx(1e12 / (2500e12 * eff.attention)));
  op.ring_seq = 8192;
  op.ring_blocks = 2;
  op.ring_causal = true;
  CHECK(op_seconds(op, engine::Precision::kFP8, dev, eff) == Approx(whole / 0.9036).epsilon(1e-3));
  // A device with no table (Hopper) keeps one efficiency.
  DeviceSpec h100 = dev;
  h100.name = "H100 SXM5";
  const OpEfficiency hopper = default_efficiency(h100);
  CHECK(hopper.attention_by_length.empty());
}

TEST_CASE("only ring CP's attention core carries the ring") {
  const ModelSpec m = *model_preset("llama3-405b");
  Plan p{.tp = 4, .pp = 1, .dp = 1, .cp = 2, .sequence_parallel = true};
  const Op ring = testing::find_op(forward_ops(m, p.shard()), "layer", "attn_scores");
  CHECK(ring.ring_seq == Approx(m.tokens_per_sample()));
  CHECK(ring.ring_blocks == 2);
  CHECK(ring.ring_causal);
  CHECK(testing::find_op(forward_ops(m, p.shard()), "layer", "qkv").ring_seq == 0);
  p.cp_algorithm = CpAlgorithm::kAllGather;
  CHECK(testing::find_op(forward_ops(m, p.shard()), "layer", "attn_scores").ring_seq == 0);
  p.cp = 1;
  p.cp_algorithm = CpAlgorithm::kRing;
  CHECK(testing::find_op(forward_ops(m, p.shard()), "layer", "attn_context").ring_seq == 0);
}

}  // namespace podsim::workloads
