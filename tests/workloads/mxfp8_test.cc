// MXFP8 (OCP Microscaling FP8: one E8M0 scale per 32 elements) as a precision of its
// own: the FP8 rate on Blackwell, refused elsewhere, and the scale bytes in what is kept
// or sent in FP8, each against a hand calculation.
#include <doctest/doctest.h>

#include "engine/error.h"
#include "workloads/memory.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using doctest::Approx;
using engine::Bytes;
using engine::DeviceSpec;
using engine::FlopRate;
using engine::Precision;

DeviceSpec gb200() {  // hardware.md §1.3: 2.5 PF BF16, 5 PF FP8 dense
  DeviceSpec d{.name = "B200 (GB200)", .peak_bf16 = FlopRate::tera(2500), .peak_fp16 = FlopRate::tera(2500),
               .peak_fp8 = FlopRate::tera(5000), .peak_int8 = FlopRate::tera(5000),
               .peak_fp4 = FlopRate::tera(10000), .hbm_capacity = Bytes::giga(186),
               .hbm_bandwidth = engine::Bandwidth::gbytes_per_s(8000)};
  d.mxfp8 = true;
  return d;
}

TEST_CASE("MXFP8: GEMMs at the FP8 peak on Blackwell, attention at BF16") {
  const OpEfficiency eff{.gemm = 0.7, .gemm_fp8 = 0.55, .attention = 0.4, .memory = 0.8};
  const Op gemm{.name = "mlp_up", .kind = OpKind::kGemm, .flops = 1e15, .bytes = Bytes(1e6)};
  const Op attn{.name = "attn_scores", .kind = OpKind::kAttention, .flops = 1e15, .bytes = Bytes(1e6)};
  // 1e15 / (5e15 x 0.55) = 0.364 s; attention 1e15 / (2.5e15 x 0.4) = 1 s.
  CHECK(op_seconds(gemm, Precision::kMXFP8, gb200(), eff) == Approx(1e15 / (5e15 * 0.55)));
  CHECK(op_seconds(attn, Precision::kMXFP8, gb200(), eff) == Approx(1e15 / (2.5e15 * 0.4)));
  // Its efficiency: its own if set, else FP8's (the same casts around each GEMM), else gemm.
  CHECK(OpEfficiency{.gemm = 0.7, .gemm_fp8 = 0.55}.gemm_at(Precision::kMXFP8) == 0.55);
  CHECK(OpEfficiency{.gemm = 0.7, .gemm_fp8 = 0.55, .gemm_mxfp8 = 0.5}.gemm_at(Precision::kMXFP8) == 0.5);
  CHECK(OpEfficiency{.gemm = 0.7}.gemm_at(Precision::kMXFP8) == 0.7);
  CHECK(Plan{.precision = Precision::kMXFP8}.operand_bytes() == 1);
  CHECK(Plan{.precision = Precision::kMXFP8}.operand_storage_bytes() == Approx(1 + 1.0 / 32));
  CHECK(Plan{.precision = Precision::kFP8}.operand_storage_bytes() == 1);
}

TEST_CASE("MXFP8 is refused on Hopper and Ascend, naming the field") {
  const DeviceSpec h100{.name = "H100 SXM5", .peak_bf16 = FlopRate::tera(989.5), .peak_fp16 = FlopRate::tera(989.5),
                        .peak_fp8 = FlopRate::tera(1979), .peak_int8 = FlopRate::tera(1979)};
  CHECK(precision_problem(Precision::kMXFP8, h100) ==
        "precision MXFP8: device H100 SXM5 has no MXFP8 units (block-scaled FP8 tensor cores are Blackwell's: B200, "
        "GB200, GB300; Hopper's FP8 scales per tensor); use BF16 or FP8 or INT8");
  const DeviceSpec ascend{.name = "Ascend 910C", .peak_bf16 = FlopRate::tera(752), .peak_fp16 = FlopRate::tera(752),
                          .peak_int8 = FlopRate::tera(1504)};
  CHECK(precision_problem(Precision::kMXFP8, ascend).value().starts_with(
      "precision MXFP8: device Ascend 910C has no MXFP8 units"));
  CHECK_THROWS_AS(check_precision(Precision::kMXFP8, h100), UserError);
  CHECK_FALSE(precision_problem(Precision::kMXFP8, gb200()).has_value());
  CHECK_FALSE(h100.peak(Precision::kMXFP8).has_value());
}

TEST_CASE("MXFP8 scale bytes: the FP8 activation cache at 1 + 1/32 bytes, s b h (27 + 7/32) / t for GPT") {
  // Korthikanti's 34 (TP + SP + selective) less the BF16 linear inputs (QKV and MLP inputs
  // 4, projection input 2, second linear input 8) = 20, plus those 14 bytes' 7 elements
  // at 1 + 1/32 each: 20 + 7 x 33/32 = 27 + 7/32 (FP8's is 27).
  const ModelSpec m = *model_preset("gpt3-175b");
  const double s = 2048, h = 12288, t = 8, sbh = s * h;
  Plan p{.tp = 8, .sequence_parallel = true, .recompute = Recompute::kSelective, .global_batch = 1,
         .precision = Precision::kMXFP8, .flash_attention = false, .fp8_activation_cache = true};
  CHECK(check(m, p).empty());
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(sbh * (27 + 7.0 / 32) / t));
  p.precision = Precision::kFP8;
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(sbh * 27 / t));
}

TEST_CASE("MXFP8 MoE dispatch carries its block scales: 33/32 of FP8's bytes") {
  const ModelSpec m = *model_preset("deepseek-v3");
  auto dispatch_bytes = [&](Precision precision) {
    const Plan p{.dp = 8, .ep = 8, .global_batch = 8, .precision = precision};
    validate(m, p);
    for (const StageWork& st : plan_work(m, p))
      for (const ModelChunk& c : st.chunks)
        for (const OpBlock& b : c.blocks)
          for (const Comm& x : b.comms)
            if (x.kind == CommKind::kEpDispatch && x.phase == CommPhase::kForward) return x.bytes.value();
    return 0.0;
  };
  const double fp8 = dispatch_bytes(Precision::kFP8);
  // tokens 4096 x top-8 x hidden 7168, one byte each.
  CHECK(fp8 == Approx(4096.0 * 8 * 7168));
  CHECK(dispatch_bytes(Precision::kMXFP8) == Approx(fp8 * 33 / 32));
}

}  // namespace
}  // namespace podsim::workloads
